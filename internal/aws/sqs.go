package aws

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/orgnotify/orgnotify/internal/events"
)

// Queue is an SQS queue the event digest drains (events.Queue).
type Queue struct {
	client *sqs.Client
	url    string
	name   string
	wait   int32
	calls  atomic.Int64
}

var _ events.Queue = (*Queue)(nil)

// QueueOptions tune a Queue.
type QueueOptions struct {
	// WaitSeconds is the long-poll wait of a receive; 0 uses 1 second, so
	// an empty answer means the queue is empty rather than that the
	// sampled servers held nothing (short polling).
	WaitSeconds int32
}

// OpenQueue resolves a queue by name in cfg's account and region.
func OpenQueue(ctx context.Context, cfg sdkaws.Config, name string, o QueueOptions) (*Queue, error) {
	c := sqs.NewFromConfig(cfg)
	out, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: sdkaws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("find queue %s in %s: %w", name, cfg.Region, err)
	}
	wait := o.WaitSeconds
	if wait <= 0 {
		wait = 1
	}
	q := &Queue{client: c, url: sdkaws.ToString(out.QueueUrl), name: name + "@" + cfg.Region, wait: wait}
	q.calls.Add(1)
	return q, nil
}

// IsQueueMissing reports whether err says the queue does not exist.
func IsQueueMissing(err error) bool {
	var nf *types.QueueDoesNotExist
	return errors.As(err, &nf)
}

// Name is "queue@region".
func (q *Queue) Name() string { return q.name }

// Calls returns the number of SQS API calls made through q.
func (q *Queue) Calls() int64 { return q.calls.Load() }

// Receive returns up to 10 messages with their receive count, sent time
// and string message attributes (the RULE_ARN, TARGET_ARN, ERROR_CODE and
// ERROR_MESSAGE EventBridge puts on dead-lettered events).
func (q *Queue) Receive(ctx context.Context, visibility time.Duration) ([]events.QueueMessage, error) {
	q.calls.Add(1)
	out, err := q.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    sdkaws.String(q.url),
		MaxNumberOfMessages:         10,
		VisibilityTimeout:           int32(visibility / time.Second),
		WaitTimeSeconds:             q.wait,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount, types.MessageSystemAttributeNameSentTimestamp},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		return nil, err
	}
	msgs := make([]events.QueueMessage, 0, len(out.Messages))
	for _, m := range out.Messages {
		qm := events.QueueMessage{ID: sdkaws.ToString(m.MessageId), Handle: sdkaws.ToString(m.ReceiptHandle), Body: []byte(sdkaws.ToString(m.Body))}
		qm.ReceiveCount, _ = strconv.Atoi(m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
		if ms, err := strconv.ParseInt(m.Attributes[string(types.MessageSystemAttributeNameSentTimestamp)], 10, 64); err == nil {
			qm.SentAt = time.UnixMilli(ms).UTC()
		}
		for k, v := range m.MessageAttributes {
			if v.StringValue != nil {
				if qm.Attributes == nil {
					qm.Attributes = map[string]string{}
				}
				qm.Attributes[k] = *v.StringValue
			}
		}
		msgs = append(msgs, qm)
	}
	return msgs, nil
}

// Extend hides msgs for visibility more. One call per message: awssim
// does not simulate ChangeMessageVisibilityBatch yet.
func (q *Queue) Extend(ctx context.Context, msgs []events.QueueMessage, visibility time.Duration) error {
	var errs error
	for _, m := range msgs {
		q.calls.Add(1)
		_, err := q.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
			QueueUrl: sdkaws.String(q.url), ReceiptHandle: sdkaws.String(m.Handle), VisibilityTimeout: int32(visibility / time.Second)})
		errs = errors.Join(errs, err)
	}
	return errs
}

// Delete removes msgs, ten per call.
func (q *Queue) Delete(ctx context.Context, msgs []events.QueueMessage) error {
	var errs error
	for i := 0; i < len(msgs); i += 10 {
		batch := msgs[i:min(i+10, len(msgs))]
		entries := make([]types.DeleteMessageBatchRequestEntry, len(batch))
		for j, m := range batch {
			entries[j] = types.DeleteMessageBatchRequestEntry{Id: sdkaws.String(strconv.Itoa(j)), ReceiptHandle: sdkaws.String(m.Handle)}
		}
		q.calls.Add(1)
		out, err := q.client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: sdkaws.String(q.url), Entries: entries})
		if err != nil {
			errs = errors.Join(errs, err)
			continue
		}
		for _, f := range out.Failed {
			errs = errors.Join(errs, fmt.Errorf("message %s: %s: %s", batch[mustAtoi(sdkaws.ToString(f.Id))].ID, sdkaws.ToString(f.Code), sdkaws.ToString(f.Message)))
		}
	}
	return errs
}

// Requeue sends a copy of m with string attributes added.
func (q *Queue) Requeue(ctx context.Context, m events.QueueMessage, attributes map[string]string) error {
	attrs := map[string]types.MessageAttributeValue{}
	for k, v := range m.Attributes {
		attrs[k] = types.MessageAttributeValue{DataType: sdkaws.String("String"), StringValue: sdkaws.String(v)}
	}
	for k, v := range attributes {
		attrs[k] = types.MessageAttributeValue{DataType: sdkaws.String("String"), StringValue: sdkaws.String(v)}
	}
	q.calls.Add(1)
	_, err := q.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: sdkaws.String(q.url), MessageBody: sdkaws.String(string(m.Body)), MessageAttributes: attrs})
	if err != nil {
		return fmt.Errorf("requeue message %s: %w", m.ID, err)
	}
	return nil
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s) // our own batch entry IDs
	return n
}
