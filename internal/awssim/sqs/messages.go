package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// message is one message in a queue.
type message struct {
	id       string
	body     string
	md5Body  string
	attrs    map[string]messageAttribute
	senderID string
	sent     time.Time
	// visibleAt is when the message can next be received: the send time
	// plus its delay, then the last receive plus the visibility timeout.
	visibleAt    time.Time
	receives     int
	firstReceive time.Time
	handle       string // receipt handle of the latest receive
	groupID      string
	dedupID      string
	seq          string
}

// messageAttribute is a message attribute as the JSON protocol writes it;
// BinaryValue travels base64-encoded, which encoding/json does for []byte.
type messageAttribute struct {
	DataType    string  `json:"DataType"`
	StringValue *string `json:"StringValue,omitempty"`
	BinaryValue []byte  `json:"BinaryValue,omitempty"`
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// md5OfAttributes is the digest SQS returns as MD5OfMessageAttributes:
// attributes sorted by name, each as length-prefixed name, data type, a
// transport byte (1 string, 2 binary) and length-prefixed value.
func md5OfAttributes(attrs map[string]messageAttribute) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	slices.Sort(names)
	var buf []byte
	field := func(b []byte) {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(b)))
		buf = append(buf, b...)
	}
	for _, n := range names {
		a := attrs[n]
		field([]byte(n))
		field([]byte(a.DataType))
		if a.BinaryValue != nil {
			buf = append(buf, 2)
			field(a.BinaryValue)
		} else {
			buf = append(buf, 1)
			field([]byte(deref(a.StringValue)))
		}
	}
	return md5Hex(buf)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

var attrNameRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)

// checkMessageAttributes applies the documented rules: at most 10, names
// of letters, digits, "_", "-", "." without a leading or doubled period or
// an AWS/Amazon prefix, types String, Number, Binary with an optional
// ".label", and a value of that type. It returns their size in bytes,
// which counts toward the message size limit.
func checkMessageAttributes(attrs map[string]messageAttribute) (int, error) {
	if len(attrs) > maxMessageAttributes {
		return 0, invalidParameter("Number of message attributes [%d] exceeds the allowed maximum [%d].", len(attrs), maxMessageAttributes)
	}
	size := 0
	for name, a := range attrs {
		lower := strings.ToLower(name)
		if !attrNameRe.MatchString(name) || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") ||
			strings.Contains(name, "..") || strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
			return 0, invalidParameter("Message attribute name '%s' is invalid.", name)
		}
		base, _, _ := strings.Cut(a.DataType, ".")
		switch base {
		case "String":
			if a.StringValue == nil || *a.StringValue == "" {
				return 0, invalidParameter("Message attribute '%s' must contain a non-empty message attribute value for message attribute type '%s'.", name, a.DataType)
			}
		case "Number":
			if a.StringValue == nil {
				return 0, invalidParameter("Message attribute '%s' must contain a non-empty message attribute value for message attribute type '%s'.", name, a.DataType)
			}
			if _, err := strconv.ParseFloat(*a.StringValue, 64); err != nil {
				return 0, invalidParameter("Can't cast the value of message (user) attribute '%s' to a number.", name)
			}
		case "Binary":
			if len(a.BinaryValue) == 0 {
				return 0, invalidParameter("Message attribute '%s' must contain a non-empty message attribute value for message attribute type '%s'.", name, a.DataType)
			}
		default:
			return 0, invalidParameter("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
		}
		size += len(name) + len(a.DataType) + len(deref(a.StringValue)) + len(a.BinaryValue)
	}
	return size, nil
}

// counts returns the visible, in-flight and delayed message counts.
func (q *queue) counts(now time.Time) (visible, inflight, delayed int) {
	q.expire(now)
	for _, m := range q.msgs {
		switch {
		case !now.Before(m.visibleAt):
			visible++
		case m.receives > 0:
			inflight++
		default:
			delayed++
		}
	}
	return
}

// expire drops messages older than the retention period.
func (q *queue) expire(now time.Time) {
	keep := time.Duration(q.intAttr("MessageRetentionPeriod")) * time.Second
	q.msgs = slices.DeleteFunc(q.msgs, func(m *message) bool { return !now.Before(m.sent.Add(keep)) })
	for id, d := range q.dedup {
		if !now.Before(d.at.Add(dedupWindow)) {
			delete(q.dedup, id)
		}
	}
}

// enqueue adds a message and wakes long polls. For a FIFO queue, a
// repeated deduplication ID within five minutes is accepted without
// adding a message, and answers with the first message's ID.
func (q *queue) enqueue(m *message, delay time.Duration, now time.Time) *message {
	q.expire(now)
	if q.fifo {
		key := m.dedupID
		if q.attrs["DeduplicationScope"] == "messageGroup" {
			key = m.groupID + "\x00" + key
		}
		if d, ok := q.dedup[key]; ok {
			return &message{id: d.messageID, seq: d.seq, md5Body: m.md5Body, attrs: m.attrs}
		}
		q.seq++
		m.seq = strconv.FormatInt(q.seq, 10)
		for len(m.seq) < 20 {
			m.seq = "1" + m.seq
		}
		q.dedup[key] = dedupEntry{messageID: m.id, seq: m.seq, at: now}
	}
	m.sent = now
	m.visibleAt = now.Add(delay)
	q.msgs = append(q.msgs, m)
	q.wake()
	return m
}

// wake releases the long polls waiting on q.
func (q *queue) wake() {
	close(q.arrived)
	q.arrived = make(chan struct{})
}

// receivable returns up to max messages visible at now, in order. A FIFO
// queue hands out a message group only while none of its messages is in
// flight, in order within the group.
func (q *queue) receivable(max int, now time.Time) []*message {
	q.expire(now)
	var out []*message
	blocked := map[string]bool{}
	if q.fifo {
		for _, m := range q.msgs {
			if m.receives > 0 && now.Before(m.visibleAt) {
				blocked[m.groupID] = true
			}
		}
	}
	for _, m := range q.msgs {
		if len(out) == max {
			break
		}
		if q.fifo && blocked[m.groupID] {
			continue
		}
		if now.Before(m.visibleAt) {
			if q.fifo {
				blocked[m.groupID] = true // keep the group's order
			}
			continue
		}
		out = append(out, m)
	}
	return out
}

// remove deletes a message from the queue.
func (q *queue) remove(m *message) {
	q.msgs = slices.DeleteFunc(q.msgs, func(x *message) bool { return x == m })
}

// byHandle finds the message a receipt handle names. ok is false when the
// handle is malformed; m is nil when it names no message in the queue
// (deleted already, which AWS accepts silently).
func (q *queue) byHandle(h string) (m *message, ok bool) {
	id, ok := messageIDOfHandle(h)
	if !ok {
		return nil, false
	}
	for _, m := range q.msgs {
		if m.id == id {
			return m, true
		}
	}
	return nil, true
}

// systemAttributes are the message system attributes of m, as named in
// a ReceiveMessage request ("All" for every one).
func (q *queue) systemAttributes(m *message, names []string) map[string]string {
	all := map[string]string{
		"SenderId":                         m.senderID,
		"SentTimestamp":                    epochMillis(m.sent),
		"ApproximateReceiveCount":          strconv.Itoa(m.receives),
		"ApproximateFirstReceiveTimestamp": epochMillis(m.firstReceive),
	}
	if q.fifo {
		all["MessageGroupId"] = m.groupID
		all["MessageDeduplicationId"] = m.dedupID
		all["SequenceNumber"] = m.seq
	}
	out := map[string]string{}
	for _, n := range names {
		if n == "All" {
			return all
		}
		if v, ok := all[n]; ok {
			out[n] = v
		}
	}
	return out
}

// selectAttributes returns the message attributes a ReceiveMessage asks
// for: "All", ".*", exact names or "prefix.*".
func selectAttributes(attrs map[string]messageAttribute, names []string) map[string]messageAttribute {
	out := map[string]messageAttribute{}
	for name, a := range attrs {
		for _, want := range names {
			prefix, wild := strings.CutSuffix(want, ".*")
			if want == "All" || want == ".*" || want == name || (wild && strings.HasPrefix(name, prefix+".")) {
				out[name] = a
				break
			}
		}
	}
	return out
}
