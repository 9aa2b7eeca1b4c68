package sqs

import (
	"context"
	"encoding/base64"
	"net/http"

	"github.com/orgnotify/orgnotify/internal/awssim/handoff"
	"github.com/orgnotify/orgnotify/internal/awssim/iampolicy"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

var _ handoff.Deliverer = (*Store)(nil)

// Deliver implements handoff.Deliverer: a service (EventBridge, SNS) sends a
// message to a queue. As in AWS, the queue policy must allow the service
// principal sqs:SendMessage on the queue, with aws:SourceArn and
// aws:SourceAccount set from the sender, and an encrypted queue's KMS key
// must let the service use it. Delivery attributes become String message
// attributes.
func (s *Store) Deliver(ctx context.Context, d handoff.Delivery) error {
	return s.DeliverTyped(ctx, d, nil)
}

// DeliverTyped is Deliver with the data type of each attribute
// ("String", "Number", "Binary" with a base64 value); attributes missing
// from dataTypes are strings. SNS raw message delivery uses it to keep the
// types its publisher gave.
func (s *Store) DeliverTyped(ctx context.Context, d handoff.Delivery, dataTypes map[string]string) error {
	s.mu.Lock()
	q := s.byARN(d.TargetARN)
	if q == nil {
		s.mu.Unlock()
		return wire.Errorf("QueueDoesNotExist", http.StatusBadRequest, "queue %s does not exist", d.TargetARN)
	}
	allowed := q.policy != nil && q.policy.Allows(iampolicy.Request{
		Principal: iampolicy.Principal{Service: d.FromService},
		Action:    "sqs:SendMessage",
		Resource:  q.arn,
		Context:   d.Condition(),
	})
	keyRef := q.attrs["KmsMasterKeyId"]
	account, region := q.account, q.region
	s.mu.Unlock()
	if !allowed {
		return accessDenied(d.FromService, "sqs:SendMessage", d.TargetARN)
	}
	// The SQS error for a refused key is KMS.<code>.
	if err := d.AuthorizeKey(ctx, s.keys, keyRef, account, region, "sqs", func(c string) string { return "KMS." + c }); err != nil {
		return err
	}

	attrs := map[string]messageAttribute{}
	for k, v := range d.Attributes {
		a := messageAttribute{DataType: "String"}
		if t := dataTypes[k]; t != "" {
			a.DataType = t
		}
		if a.DataType == "Binary" {
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return invalidParameter("attribute %s: binary value is not base64: %v", k, err)
			}
			a.BinaryValue = b
		} else {
			a.StringValue = &v // v is per iteration
		}
		attrs[k] = a
	}
	if len(attrs) == 0 {
		attrs = nil
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byARN(d.TargetARN) != q {
		return wire.Errorf("QueueDoesNotExist", http.StatusBadRequest, "queue %s does not exist", d.TargetARN)
	}
	body := d.Body
	in := sendInput{MessageBody: &body, MessageAttributes: attrs}
	if q.fifo {
		// A FIFO queue needs a group: the sender's ARN keeps each sender's
		// messages in order; every delivery is distinct.
		in.MessageGroupId, in.MessageDeduplicationId = d.SourceARN, wire.NewUUID()
	}
	m, delay, err := q.prepare(in, senderOf(d.FromService))
	if err != nil {
		return err
	}
	q.enqueue(m, delay, s.now())
	return nil
}

// senderOf is the SenderId a service delivery shows; AWS shows an opaque
// ID, the service name is more useful in a test failure.
func senderOf(service string) string {
	if service == "" {
		return "AIDAAWSSIMSERVICE"
	}
	return service
}
