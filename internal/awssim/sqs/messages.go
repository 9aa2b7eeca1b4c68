package sqs

import (
	"cmp"
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
	// order is the message's place in its queue's send order; expiryPos
	// and visPos its places in the queue's index.
	order     int64
	expiryPos int
	visPos    int
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

// counts returns the visible, in-flight and delayed message counts: the
// index's, unless now is before a message the index holds as visible
// becomes visible (a request stamped before one already served).
func (q *queue) counts(now time.Time) (visible, inflight, delayed int) {
	q.expire(now)
	q.promote(now)
	if !now.Before(q.msgs.visibleBy) {
		inflight, delayed = q.msgs.inflight.Len(), q.msgs.delayed.Len()
		return len(q.msgs.byID) - inflight - delayed, inflight, delayed
	}
	for _, m := range q.msgs.byID {
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

// expire drops messages older than the retention period and forgets
// deduplication IDs older than five minutes, oldest first.
func (q *queue) expire(now time.Time) {
	keep := time.Duration(q.intAttr("MessageRetentionPeriod")) * time.Second
	for q.msgs.expiry.Len() > 0 && !now.Before(q.msgs.expiry.top().sent.Add(keep)) {
		q.remove(q.msgs.expiry.top())
	}
	for len(q.dedupOrder) > 0 && !now.Before(q.dedupOrder[0].at.Add(dedupWindow)) {
		k := q.dedupOrder[0]
		if d, ok := q.dedup[k.key]; ok && d.at.Equal(k.at) {
			delete(q.dedup, k.key)
		}
		q.dedupOrder = q.dedupOrder[1:]
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
		q.dedupOrder = append(q.dedupOrder, dedupKey{key, now})
	}
	m.sent = now
	m.visibleAt = now.Add(delay)
	q.add(m, now)
	q.wake()
	return m
}

// add puts m, whose sent and visibleAt are set, last in the queue's order.
func (q *queue) add(m *message, now time.Time) {
	m.order = q.msgs.next
	q.msgs.next++
	q.msgs.byID[m.id] = m
	q.msgs.expiry.push(m)
	if q.fifo {
		g := q.msgs.groups[m.groupID]
		if g == nil {
			g = &group{}
			q.msgs.groups[m.groupID] = g
		}
		g.msgs = append(g.msgs, m)
	}
	q.place(m, now)
	q.regroup(m.groupID)
}

// place files m, in none of the visibility heaps, by whether it is
// visible at now.
func (q *queue) place(m *message, now time.Time) {
	switch {
	case now.Before(m.visibleAt):
		q.conceal(m)
		return
	case !q.fifo:
		q.msgs.ready.push(m)
	}
	if m.visibleAt.After(q.msgs.visibleBy) {
		q.msgs.visibleBy = m.visibleAt
	}
}

// conceal puts m in delayed or inflight until it becomes visible.
func (q *queue) conceal(m *message) {
	if m.receives == 0 {
		q.msgs.delayed.push(m)
		return
	}
	q.msgs.inflight.push(m)
	if q.fifo {
		q.msgs.groups[m.groupID].busy++
	}
}

// reveal takes m out of delayed or inflight, if it is there.
func (q *queue) reveal(m *message) {
	if q.msgs.inflight.has(m) {
		q.msgs.inflight.remove(m)
		if q.fifo {
			q.msgs.groups[m.groupID].busy--
		}
	}
	q.msgs.delayed.remove(m)
}

// regroup files a FIFO group in or out of heads after a change to its
// messages, and forgets it once empty.
func (q *queue) regroup(id string) {
	g := q.msgs.groups[id]
	if g == nil {
		return
	}
	q.msgs.heads.remove(g)
	switch {
	case len(g.msgs) == 0:
		delete(q.msgs.groups, id)
	case g.busy == 0 && !q.msgs.delayed.has(g.msgs[0]):
		q.msgs.heads.push(g)
	}
}

// wake releases the long polls waiting on q.
func (q *queue) wake() {
	close(q.arrived)
	q.arrived = make(chan struct{})
}

// promote makes the messages whose time has come visible.
func (q *queue) promote(now time.Time) {
	for _, h := range []*msgHeap{&q.msgs.delayed, &q.msgs.inflight} {
		for h.Len() > 0 && !now.Before(h.top().visibleAt) {
			m := h.top()
			q.reveal(m)
			q.place(m, now)
			q.regroup(m.groupID)
		}
	}
}

// receivable returns up to max messages visible at now, in send order,
// leaving out those handed out already in this call. From a standard
// queue they are taken out of ready: the caller hands each out (hide) or
// moves it away. A FIFO queue hands out a message group only while none
// of its messages is in flight, in order within the group: the groups in
// heads, oldest first, until no group can have an older message.
func (q *queue) receivable(max int, now time.Time, handed map[*message]bool) []*message {
	var out []*message
	if !q.fifo {
		for len(out) < max && q.msgs.ready.Len() > 0 {
			m := q.msgs.ready.pop()
			if now.Before(m.visibleAt) { // the clock went back
				q.conceal(m)
				continue
			}
			out = append(out, m)
		}
		return out
	}
	var seen []*group
	for q.msgs.heads.Len() > 0 {
		g := q.msgs.heads.top()
		if len(out) == max && out[max-1].order < g.msgs[0].order {
			break
		}
		seen = append(seen, q.msgs.heads.pop())
		out = append(out, q.run(g, max, now, handed)...)
		slices.SortFunc(out, func(a, b *message) int { return cmp.Compare(a.order, b.order) })
		out = out[:min(len(out), max)]
	}
	for _, g := range seen {
		q.msgs.heads.push(g)
	}
	return out
}

// run returns up to max messages of g visible at now, oldest first,
// leaving out those handed out already.
func (q *queue) run(g *group, max int, now time.Time, handed map[*message]bool) []*message {
	if now.Before(q.msgs.visibleBy) {
		// The clock went back, so heads may hold a group whose message
		// is in flight at now. Messages are received in group order, so
		// the received ones lead the group.
		for _, m := range g.msgs {
			if m.receives == 0 {
				break
			}
			if now.Before(m.visibleAt) {
				return nil
			}
		}
	}
	var out []*message
	for _, m := range g.msgs {
		if len(out) == max || now.Before(m.visibleAt) { // a delayed message keeps the group's order
			break
		}
		if !handed[m] {
			out = append(out, m)
		}
	}
	return out
}

// hide makes m, just received, invisible until visibleAt. A standard
// queue's message waits in inflight even when that is now, so one call
// does not hand it out twice; a FIFO receive skips what it handed out.
func (q *queue) hide(m *message, visibleAt, now time.Time) {
	m.visibleAt = visibleAt
	q.msgs.ready.remove(m)
	q.reveal(m)
	if q.fifo {
		q.place(m, now)
	} else {
		q.conceal(m)
	}
	q.regroup(m.groupID)
}

// remove deletes a message from the queue.
func (q *queue) remove(m *message) {
	delete(q.msgs.byID, m.id)
	q.msgs.expiry.remove(m)
	q.msgs.ready.remove(m)
	q.reveal(m)
	g := q.msgs.groups[m.groupID]
	if g == nil {
		return
	}
	switch i := slices.Index(g.msgs, m); {
	case i == 0: // the usual case: the group's oldest message
		g.msgs[0] = nil
		g.msgs = g.msgs[1:]
	case i > 0:
		g.msgs = slices.Delete(g.msgs, i, i+1)
	}
	q.regroup(m.groupID)
}

// purge deletes every message.
func (q *queue) purge() {
	q.msgs = newIndex()
}

// byHandle finds the message a receipt handle names. ok is false when the
// handle is malformed; m is nil when it names no message in the queue
// (deleted already, which AWS accepts silently).
func (q *queue) byHandle(h string) (m *message, ok bool) {
	id, ok := messageIDOfHandle(h)
	if !ok {
		return nil, false
	}
	return q.msgs.byID[id], true
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
