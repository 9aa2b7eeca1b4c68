package events

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Dead-letter reports. Two kinds of queue hold what could not be handled:
// the digest queue's own dead-letter queue (a message received more than
// maxReceiveCount times: unreadable, or kept through a long Slack outage),
// and EventBridge's delivery dead-letter queues (W4: events a rule could
// not deliver, with RULE_ARN, TARGET_ARN, ERROR_CODE and ERROR_MESSAGE
// attributes). Each message becomes one high-severity line in the platform
// channel and is deleted once that post was accepted.

type deadLetter struct {
	queue      string // queue name and region, for the report
	delivery   bool   // an EventBridge delivery DLQ (W4), not the digest's own
	messageID  string
	receives   int
	attributes map[string]string
	body       []byte
	sent       time.Time
}

// DeadLetterRecord wraps a message read from a dead-letter queue so the
// pipeline reports it. delivery marks EventBridge delivery DLQs.
func DeadLetterRecord(queue string, delivery bool, messageID string, receives int, sent time.Time, attributes map[string]string, body []byte) *Record {
	return &Record{Origin: queue + "/" + messageID, Body: body, deadLetter: &deadLetter{
		queue: queue, delivery: delivery, messageID: messageID, receives: receives,
		attributes: attributes, body: body, sent: sent,
	}}
}

func (d *deadLetter) event() Event {
	// The ID is the message's, not the event's: the report is about the
	// message, and must not be mistaken for a duplicate of the event.
	sum := sha256.Sum256([]byte(d.queue + "/" + d.messageID))
	ev := Event{ID: "dlq-" + hex.EncodeToString(sum[:8]), Kind: "dead-letter", Category: Other, Severity: High,
		OrgLevel: true, Time: d.sent.UTC(), Region: regionOf(d.queue)}
	inner, err := ParseEnvelope(d.body)
	what := "an unreadable message"
	if err == nil {
		c := Classify(inner)
		what = fmt.Sprintf("%s event %s from %s (%s)", c.Category, inner.ID, inner.Account, c.Title)
		ev.SubjectAccount, ev.SourceAccount, ev.Region = c.SubjectAccount, inner.Account, inner.Region
		if ev.Time.IsZero() {
			ev.Time = inner.When()
		}
	}
	if d.delivery {
		ev.Kind = "delivery-failure"
		ev.Title = "EventBridge could not deliver " + what
		ev.Reason = strings.TrimSpace(d.attributes["ERROR_CODE"] + " " + d.attributes["ERROR_MESSAGE"])
		ev.Resource = "rule " + d.attributes["RULE_ARN"] + " → " + d.attributes["TARGET_ARN"]
	} else {
		// SQS keeps counting receives in the dead-letter queue, so the
		// count includes this run's.
		ev.Title = fmt.Sprintf("Dead-lettered (received %d times): %s", d.receives, what)
		ev.Resource = "queue " + d.queue
		if err != nil {
			ev.Reason = truncate(strings.ToValidUTF8(string(d.body), "?"), 150)
		}
	}
	return ev
}

// regionOf reads the region from "name@region".
func regionOf(queue string) string {
	_, r, _ := strings.Cut(queue, "@")
	return r
}
