package sqs

import (
	"encoding/json"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/iampolicy"
)

// queue is one queue and its messages.
type queue struct {
	name, account, region, arn string
	fifo                       bool

	// attrs holds the settable attributes as AWS reports them (strings),
	// defaults included; policy and deadLetter are attrs["Policy"] and
	// attrs["RedrivePolicy"] parsed, nil when absent.
	attrs      map[string]string
	policy     *iampolicy.Policy
	deadLetter *redrivePolicy
	tags       map[string]string
	created    time.Time
	modified   time.Time
	purged     time.Time

	msgs index
	seq  int64
	// dedup remembers FIFO deduplication IDs for five minutes; dedupOrder
	// holds their keys oldest first, so forgetting them costs nothing per
	// message kept.
	dedup      map[string]dedupEntry
	dedupOrder []dedupKey
	// arrived is closed (and replaced) whenever a message is added, to wake
	// long polls.
	arrived chan struct{}
}

type dedupEntry struct {
	messageID string
	seq       string
	at        time.Time
}

type dedupKey struct {
	key string
	at  time.Time
}

// attribute describes a settable queue attribute: its default, how to
// normalise a value and whether it is for FIFO queues only.
type attribute struct {
	def      func(fifo bool) string // "" : absent unless set
	check    func(v string) (string, error)
	fifoOnly bool
	// createOnly attributes cannot change after CreateQueue.
	createOnly bool
}

func intRange(lo, hi int) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			return "", invalidAttributeValue("Invalid value for the parameter: must be an integer from %d to %d, got %q.", lo, hi, v)
		}
		return strconv.Itoa(n), nil
	}
}

func boolean(v string) (string, error) {
	switch strings.ToLower(v) {
	case "true":
		return "true", nil
	case "false":
		return "false", nil
	}
	return "", invalidAttributeValue("Invalid value for the parameter: must be true or false, got %q.", v)
}

func oneOf(values ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		for _, ok := range values {
			if v == ok {
				return v, nil
			}
		}
		return "", invalidAttributeValue("Invalid value %q: must be one of %s.", v, strings.Join(values, ", "))
	}
}

func constant(v string) func(bool) string { return func(bool) string { return v } }

var attributes = map[string]attribute{
	"DelaySeconds":                  {def: constant("0"), check: intRange(0, 900)},
	"MaximumMessageSize":            {def: constant(strconv.Itoa(defaultMaxMessageSize)), check: intRange(1024, maxMessageSizeLimit)},
	"MessageRetentionPeriod":        {def: constant(strconv.Itoa(int(defaultRetention.Seconds()))), check: intRange(60, 1209600)},
	"ReceiveMessageWaitTimeSeconds": {def: constant("0"), check: intRange(0, 20)},
	"VisibilityTimeout":             {def: constant("30"), check: intRange(0, int(maxVisibility.Seconds()))},
	"Policy":                        {check: checkPolicy},
	"RedrivePolicy":                 {check: checkRedrivePolicy},
	"RedriveAllowPolicy":            {check: checkJSONObject},
	"KmsMasterKeyId":                {check: func(v string) (string, error) { return v, nil }},
	"KmsDataKeyReusePeriodSeconds":  {check: intRange(60, 86400)},
	// New queues are encrypted with SSE-SQS by default since 2022.
	"SqsManagedSseEnabled":      {def: constant("true"), check: boolean},
	"FifoQueue":                 {check: boolean, fifoOnly: true, createOnly: true},
	"ContentBasedDeduplication": {def: fifoDefault("false"), check: boolean, fifoOnly: true},
	"DeduplicationScope":        {def: fifoDefault("queue"), check: oneOf("messageGroup", "queue"), fifoOnly: true},
	"FifoThroughputLimit":       {def: fifoDefault("perQueue"), check: oneOf("perQueue", "perMessageGroupId"), fifoOnly: true},
}

func fifoDefault(v string) func(bool) string {
	return func(fifo bool) string {
		if fifo {
			return v
		}
		return ""
	}
}

// readOnly attributes are computed; GetQueueAttributes returns them.
var readOnly = map[string]bool{
	"QueueArn": true, "ApproximateNumberOfMessages": true, "ApproximateNumberOfMessagesNotVisible": true,
	"ApproximateNumberOfMessagesDelayed": true, "CreatedTimestamp": true, "LastModifiedTimestamp": true,
}

func checkPolicy(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if err := iampolicy.Validate(v); err != nil {
		return "", invalidAttributeValue("Invalid value for the parameter Policy. %v", err)
	}
	return v, nil
}

func checkJSONObject(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return "", invalidAttributeValue("Invalid value for the parameter: not a JSON object: %v", err)
	}
	return v, nil
}

// redrivePolicy is a parsed RedrivePolicy attribute.
type redrivePolicy struct {
	target      string // the dead-letter queue's ARN
	maxReceives int
}

// parseRedrivePolicy reads {"deadLetterTargetArn":..., "maxReceiveCount":1..1000};
// AWS accepts the count as a number or a string.
func parseRedrivePolicy(v string) (*redrivePolicy, error) {
	var p struct {
		Target string          `json:"deadLetterTargetArn"`
		Max    json.RawMessage `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return nil, invalidAttributeValue("Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.", v)
	}
	n, err := strconv.Atoi(strings.Trim(string(p.Max), `"`))
	if p.Target == "" || err != nil || n < 1 || n > 1000 {
		return nil, invalidAttributeValue("Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy needs deadLetterTargetArn and a maxReceiveCount from 1 to 1000.", v)
	}
	return &redrivePolicy{target: p.Target, maxReceives: n}, nil
}

func checkRedrivePolicy(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if _, err := parseRedrivePolicy(v); err != nil {
		return "", err
	}
	return v, nil
}

// normalise checks a set of attributes given to CreateQueue or
// SetQueueAttributes and returns them in the form AWS reports.
func normalise(in map[string]string, fifo, creating bool) (map[string]string, error) {
	out := map[string]string{}
	for name, v := range in {
		a, ok := attributes[name]
		if !ok {
			if readOnly[name] {
				return nil, invalidAttributeName("Attribute %s is read-only.", name)
			}
			return nil, invalidAttributeName("Unknown Attribute %s.", name)
		}
		if a.fifoOnly && !fifo {
			return nil, invalidAttributeName("Unknown Attribute %s.", name)
		}
		if a.createOnly && !creating {
			return nil, invalidAttributeName("Attribute %s can only be set when the queue is created.", name)
		}
		nv, err := a.check(v)
		if err != nil {
			return nil, err
		}
		out[name] = nv
	}
	if out["KmsMasterKeyId"] != "" && out["SqsManagedSseEnabled"] == "true" {
		return nil, invalidAttributeName("You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.")
	}
	return out, nil
}

// apply sets normalised attributes on q, keeping the two kinds of
// server-side encryption exclusive as AWS does.
func (q *queue) apply(attrs map[string]string, now time.Time) {
	for k, v := range attrs {
		if v == "" && attributes[k].def == nil {
			delete(q.attrs, k)
			continue
		}
		q.attrs[k] = v
	}
	if _, ok := attrs["KmsMasterKeyId"]; ok {
		if q.attrs["KmsMasterKeyId"] != "" {
			q.attrs["SqsManagedSseEnabled"] = "false"
			if q.attrs["KmsDataKeyReusePeriodSeconds"] == "" {
				q.attrs["KmsDataKeyReusePeriodSeconds"] = "300"
			}
		} else {
			delete(q.attrs, "KmsDataKeyReusePeriodSeconds")
		}
	}
	if attrs["SqsManagedSseEnabled"] == "true" {
		delete(q.attrs, "KmsMasterKeyId")
		delete(q.attrs, "KmsDataKeyReusePeriodSeconds")
	}
	// Both were validated by normalise; parsed here once, not on every
	// delivery or receive.
	q.policy, q.deadLetter = nil, nil
	if doc := q.attrs["Policy"]; doc != "" {
		q.policy, _ = iampolicy.Parse(doc)
	}
	if doc := q.attrs["RedrivePolicy"]; doc != "" {
		q.deadLetter, _ = parseRedrivePolicy(doc)
	}
	q.modified = now
}

func newQueue(sc scope, name string, fifo bool, now time.Time) *queue {
	q := &queue{
		name: name, account: sc.account, region: sc.region, arn: awsarn.New("sqs", sc.region, sc.account, name), fifo: fifo,
		attrs: map[string]string{}, tags: map[string]string{}, created: now, modified: now,
		msgs: newIndex(), dedup: map[string]dedupEntry{}, arrived: make(chan struct{}),
	}
	for name, a := range attributes {
		if a.def != nil {
			if v := a.def(fifo); v != "" {
				q.attrs[name] = v
			}
		}
	}
	if fifo {
		q.attrs["FifoQueue"] = "true"
	}
	return q
}

// sameAttributes reports whether CreateQueue's attributes match the
// existing queue: each given attribute must equal the queue's value
// (defaults included), which makes a repeated CreateQueue idempotent.
func (q *queue) sameAttributes(attrs map[string]string) bool {
	for k, v := range attrs {
		if q.attrs[k] != v {
			if k == "Policy" && jsonEqual(q.attrs[k], v) {
				continue
			}
			return false
		}
	}
	return true
}

func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

// attributesOut returns the named attributes ("All" for every one) as
// GetQueueAttributes reports them at now.
func (q *queue) attributesOut(names []string, now time.Time) (map[string]string, error) {
	all := maps.Clone(q.attrs)
	visible, inflight, delayed := q.counts(now)
	all["QueueArn"] = q.arn
	all["ApproximateNumberOfMessages"] = strconv.Itoa(visible)
	all["ApproximateNumberOfMessagesNotVisible"] = strconv.Itoa(inflight)
	all["ApproximateNumberOfMessagesDelayed"] = strconv.Itoa(delayed)
	all["CreatedTimestamp"] = epochSeconds(q.created)
	all["LastModifiedTimestamp"] = epochSeconds(q.modified)
	out := map[string]string{}
	for _, n := range names {
		if n == "All" {
			return all, nil
		}
		if _, known := attributes[n]; !known && !readOnly[n] {
			return nil, invalidAttributeName("Unknown Attribute %s.", n)
		}
		if v, ok := all[n]; ok {
			out[n] = v
		}
	}
	return out, nil
}

func (q *queue) intAttr(name string) int {
	n, _ := strconv.Atoi(q.attrs[name])
	return n
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
