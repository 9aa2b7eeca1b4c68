package sns

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orgnotify/orgnotify/internal/awssim/handoff"
	"github.com/orgnotify/orgnotify/internal/awssim/iampolicy"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// messageAttribute is one message attribute; StringValue holds the value
// of String, String.Array and Number attributes.
type messageAttribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

var attributeNameRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)

// readMessageAttributes reads and checks Publish's MessageAttributes and
// returns their size, which counts toward the 256 KiB message limit.
func readMessageAttributes(r *wire.Request) (map[string]messageAttribute, int, error) {
	out := map[string]messageAttribute{}
	size := 0
	for _, e := range wire.FormList(r.Form, "MessageAttributes.entry") {
		name := e["Name"]
		lower := strings.ToLower(name)
		if !attributeNameRe.MatchString(name) || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") ||
			strings.Contains(name, "..") || strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
			return nil, 0, invalidParameter("Invalid parameter: MessageAttributes Reason: invalid attribute name %q", name)
		}
		a := messageAttribute{DataType: e["Value.DataType"], StringValue: e["Value.StringValue"]}
		if a.DataType == "" {
			return nil, 0, invalidParameter("The message attribute '%s' must contain non-empty message attribute type.", name)
		}
		base, _, _ := strings.Cut(a.DataType, ".")
		switch {
		case a.DataType == "String.Array":
			var items []any
			if err := json.Unmarshal([]byte(a.StringValue), &items); err != nil {
				return nil, 0, invalidParameter("The message attribute '%s' with type 'String.Array' has an invalid value: not a JSON array.", name)
			}
			for _, it := range items {
				switch it.(type) {
				case string, float64, bool, nil:
				default:
					return nil, 0, invalidParameter("The message attribute '%s' with type 'String.Array' may hold only strings, numbers, booleans and null.", name)
				}
			}
		case base == "String":
			if a.StringValue == "" {
				return nil, 0, invalidParameter("The message attribute '%s' must contain non-empty message attribute value for message attribute type 'String'.", name)
			}
		case base == "Number":
			f, err := strconv.ParseFloat(a.StringValue, 64)
			if err != nil || f > 1e9 || f < -1e9 {
				return nil, 0, invalidParameter("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
			}
		case base == "Binary":
			b, err := base64.StdEncoding.DecodeString(e["Value.BinaryValue"])
			if err != nil || len(b) == 0 {
				return nil, 0, invalidParameter("The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", name)
			}
			a.BinaryValue = b
		default:
			return nil, 0, invalidParameter("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		}
		out[name] = a
		size += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	if len(out) > 10 {
		return nil, 0, invalidParameter("Invalid parameter: MessageAttributes Reason: Number of message attributes [%d] exceeds the allowed maximum [10].", len(out))
	}
	return out, size, nil
}

// checkSubject applies the Subject rules: up to 100 printable ASCII
// characters, no line breaks, not empty when given.
func checkSubject(form map[string][]string) (string, error) {
	vs, given := form["Subject"]
	if !given {
		return "", nil
	}
	sub := vs[0]
	if sub == "" || len(sub) > maxSubject || strings.ContainsFunc(sub, func(c rune) bool { return c < 0x20 || c > 0x7e }) {
		return "", invalidParameter("Invalid parameter: Subject")
	}
	return sub, nil
}

// message is one published message on its way to subscribers.
type message struct {
	id, topicARN, subject, body, seq string
	// perProtocol holds the bodies of a MessageStructure=json message.
	perProtocol map[string]string
	attrs       map[string]messageAttribute
	at          time.Time
	// region is the topic's, for the envelope's URLs.
	region string
}

type publishResult struct {
	MessageId      string `xml:"MessageId"`
	SequenceNumber string `xml:"SequenceNumber,omitempty"`
}

func (s *Store) publish(ctx context.Context, r *wire.Request) (any, error) {
	arn := r.Form.Get("TopicArn")
	if target := r.Form.Get("TargetArn"); target != "" {
		if arn != "" && arn != target {
			return nil, invalidParameter("Invalid parameter: TopicArn or TargetArn Reason: both TopicArn and TargetArn are specified")
		}
		arn = target
	}
	if r.Form.Get("PhoneNumber") != "" {
		return nil, invalidParameter("Invalid parameter: PhoneNumber Reason: SMS is not simulated")
	}
	if arn == "" {
		return nil, invalidParameter("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
	}
	body := r.Form.Get("Message")
	if body == "" {
		return nil, invalidParameter("Invalid parameter: Empty message")
	}
	if !utf8.ValidString(body) {
		return nil, invalidParameter("Invalid parameter: Message Reason: not valid UTF-8")
	}
	subject, err := checkSubject(r.Form)
	if err != nil {
		return nil, err
	}
	attrs, attrSize, err := readMessageAttributes(r)
	if err != nil {
		return nil, err
	}
	if len(body)+attrSize > maxMessageBytes {
		return nil, invalidParameter("Invalid parameter: Message too long")
	}
	m := &message{id: wire.NewUUID(), topicARN: arn, subject: subject, body: body, attrs: attrs, at: r.Now}
	if r.Form.Get("MessageStructure") == "json" {
		var per map[string]any
		if err := json.Unmarshal([]byte(body), &per); err != nil {
			return nil, invalidParameter("Invalid parameter: Message Structure - JSON message body failed to parse")
		}
		def, ok := per["default"].(string)
		if !ok {
			return nil, invalidParameter("Invalid parameter: Message Structure - No default entry in JSON message body")
		}
		m.body = def
		m.perProtocol = map[string]string{}
		for k, v := range per {
			if str, ok := v.(string); ok {
				m.perProtocol[k] = str
			}
		}
	}

	s.mu.Lock()
	t, err := s.lookupTopic(arn)
	if err == nil {
		err = s.authorize(r, t, "sns:Publish")
	}
	if err == nil && t.fifo {
		if r.Form.Get("MessageGroupId") == "" {
			err = invalidParameter("Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
		} else if r.Form.Get("MessageDeduplicationId") == "" && t.attrs["ContentBasedDeduplication"] != "true" {
			err = invalidParameter("Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
		m.seq = strconv.FormatInt(r.Now.UnixNano(), 10)
	}
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	m.region = t.region
	jobs := s.fanOut(t, m)
	s.mu.Unlock()

	s.run(ctx, jobs)
	return publishResult{MessageId: m.id, SequenceNumber: m.seq}, nil
}

var _ handoff.Deliverer = (*Store)(nil)

// Deliver implements handoff.Deliverer (EventBridge publishing to a topic).
// The topic policy (AWS's default one when none is set, which admits no
// service) must allow the sender's service principal sns:Publish, with
// aws:SourceArn and aws:SourceAccount set, and an encrypted topic's KMS key
// policy must let the sender use the key: the AWS-managed aws/sns key never
// does.
func (s *Store) Deliver(ctx context.Context, d handoff.Delivery) error {
	s.mu.Lock()
	t := s.topics[d.TargetARN]
	if t == nil {
		s.mu.Unlock()
		return notFound("Topic does not exist: %s", d.TargetARN)
	}
	allowed := t.policy.Allows(iampolicy.Request{
		Principal: iampolicy.Principal{Service: d.FromService},
		Action:    "sns:Publish", Resource: t.arn, Context: d.Condition(),
	})
	keyRef, account, region := t.attrs["KmsMasterKeyId"], t.account, t.region
	now := s.now()
	s.mu.Unlock()
	if !allowed {
		return authorizationError(d.FromService, "sns:Publish", d.TargetARN)
	}
	// SNS reports a refused key as KMSAccessDenied, KMSNotFound, ...
	if err := d.AuthorizeKey(ctx, s.keys, keyRef, account, region, "sns", func(c string) string { return "KMS" + strings.TrimSuffix(c, "Exception") }); err != nil {
		return err
	}
	attrs := map[string]messageAttribute{}
	for k, v := range d.Attributes {
		attrs[k] = messageAttribute{DataType: "String", StringValue: v}
	}
	m := &message{id: wire.NewUUID(), topicARN: d.TargetARN, body: d.Body, attrs: attrs, at: now, region: region}

	s.mu.Lock()
	var jobs []job
	if cur := s.topics[d.TargetARN]; cur == t {
		jobs = s.fanOut(t, m)
	}
	s.mu.Unlock()
	s.run(ctx, jobs)
	return nil
}

// job is one delivery to one subscriber.
type job struct {
	subARN    string
	delivery  handoff.Delivery
	dataTypes map[string]string
}

// fanOut selects the confirmed subscriptions whose filter policy accepts
// m and prepares their deliveries. The caller holds s.mu.
func (s *Store) fanOut(t *topic, m *message) []job {
	var jobs []job
	for _, arn := range t.subs {
		sub := s.subs[arn]
		if !sub.confirmed || sub.protocol != "sqs" {
			// Only SQS endpoints are simulated; other protocols are
			// accepted and not delivered to.
			continue
		}
		body := m.body
		if b, ok := m.perProtocol[sub.protocol]; ok {
			body = b
		}
		if sub.filter != nil && !sub.filter.accepts(body, m.attrs) {
			continue
		}
		d := handoff.Delivery{TargetARN: sub.endpoint, FromService: servicePrincipal, SourceARN: t.arn, SourceAccount: t.account}
		var types map[string]string
		if sub.attrs["RawMessageDelivery"] == "true" {
			d.Body = body
			d.Attributes, types = rawAttributes(m.attrs)
		} else {
			d.Body = envelope(m, body, sub.arn)
		}
		jobs = append(jobs, job{subARN: sub.arn, delivery: d, dataTypes: types})
	}
	return jobs
}

// run performs deliveries outside the store's lock (SQS has its own) and
// records each subscription's latest failure; like AWS, a failed delivery
// does not fail the Publish.
func (s *Store) run(ctx context.Context, jobs []job) {
	for _, j := range jobs {
		var err error
		switch td, typed := s.queues.(typedDeliverer); {
		case typed:
			err = td.DeliverTyped(ctx, j.delivery, j.dataTypes)
		case s.queues != nil:
			err = s.queues.Deliver(ctx, j.delivery)
		default:
			err = fmt.Errorf("no SQS simulator to deliver to %s", j.delivery.TargetARN)
		}
		s.mu.Lock()
		if _, live := s.subs[j.subARN]; live {
			if err != nil {
				s.lastErr[j.subARN] = err
			} else {
				delete(s.lastErr, j.subARN)
			}
		}
		s.mu.Unlock()
	}
}

func rawAttributes(attrs map[string]messageAttribute) (map[string]string, map[string]string) {
	if len(attrs) == 0 {
		return nil, nil
	}
	values, types := map[string]string{}, map[string]string{}
	for k, a := range attrs {
		types[k] = a.DataType
		if a.BinaryValue != nil {
			values[k] = base64.StdEncoding.EncodeToString(a.BinaryValue)
			types[k] = "Binary"
			continue
		}
		values[k] = a.StringValue
		if a.DataType == "String.Array" {
			// SQS knows no String.Array; AWS delivers it as a String.
			types[k] = "String"
		}
	}
	return values, types
}

// notification is the JSON document SNS delivers to SQS subscribers that
// do not ask for raw delivery. Field order follows AWS.
type notification struct {
	Type              string                   `json:"Type"`
	MessageID         string                   `json:"MessageId"`
	SequenceNumber    string                   `json:"SequenceNumber,omitempty"`
	TopicArn          string                   `json:"TopicArn"`
	Subject           string                   `json:"Subject,omitempty"`
	Message           string                   `json:"Message"`
	Timestamp         string                   `json:"Timestamp"`
	SignatureVersion  string                   `json:"SignatureVersion"`
	Signature         string                   `json:"Signature"`
	SigningCertURL    string                   `json:"SigningCertURL"`
	UnsubscribeURL    string                   `json:"UnsubscribeURL"`
	MessageAttributes map[string]envelopeValue `json:"MessageAttributes,omitempty"`
}

type envelopeValue struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

// envelope wraps body in the notification document. The signature is
// random bytes: nothing in the simulator can verify one.
func envelope(m *message, body, subARN string) string {
	n := notification{
		Type: "Notification", MessageID: m.id, SequenceNumber: m.seq, TopicArn: m.topicARN, Subject: m.subject, Message: body,
		Timestamp:        m.at.UTC().Format("2006-01-02T15:04:05.000Z"),
		SignatureVersion: "1",
		Signature:        base64.StdEncoding.EncodeToString([]byte(randomHex(64))),
		SigningCertURL:   "https://sns." + m.region + ".amazonaws.com/SimpleNotificationService-awssim.pem",
		UnsubscribeURL:   "https://sns." + m.region + ".amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + subARN,
	}
	if len(m.attrs) > 0 {
		n.MessageAttributes = map[string]envelopeValue{}
		for k, a := range m.attrs {
			v := a.StringValue
			if a.BinaryValue != nil {
				v = base64.StdEncoding.EncodeToString(a.BinaryValue)
			}
			n.MessageAttributes[k] = envelopeValue{Type: a.DataType, Value: v}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// AWS writes <, > and & as they are.
	enc.SetEscapeHTML(false)
	_ = enc.Encode(n)
	return strings.TrimSuffix(buf.String(), "\n")
}
