// Package events turns the EventBridge events orgnotify collects in the hub
// account's digest queue into Slack digests: it classifies each event with a
// table of event kinds, attributes it to the account it is about, routes it
// to that account's channels (or the platform channel), renders one Block
// Kit message per channel, and drains the queue so that a message is deleted
// only once every post that shows it was accepted.
//
// The package has no AWS imports: the queue, the Service Catalog lookup and
// the Slack sender are small interfaces implemented elsewhere
// (internal/aws, internal/slack).
package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Envelope is an EventBridge event exactly as EventBridge delivers it to an
// SQS target without an input transformer.
type Envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// ErrNotEnvelope marks input that is JSON but not an EventBridge event.
var ErrNotEnvelope = errors.New("not an EventBridge event")

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool { return accountID.MatchString(s) }

// ParseEnvelope decodes one event. It refuses what is not valid JSON and
// what lacks a field every EventBridge event carries, saying which.
func ParseEnvelope(b []byte) (Envelope, error) {
	var e Envelope
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&e); err != nil {
		return e, fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return e, errors.New("invalid JSON: more than one value")
	}
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"id", e.ID}, {"source", e.Source}, {"detail-type", e.DetailType},
		{"account", e.Account}, {"region", e.Region}, {"time", e.Time},
	} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return e, fmt.Errorf("%w: missing %q", ErrNotEnvelope, missing)
	}
	if !IsAccountID(e.Account) {
		return e, fmt.Errorf("%w: account %q is not a 12-digit account ID", ErrNotEnvelope, e.Account)
	}
	if _, err := time.Parse(time.RFC3339, e.Time); err != nil {
		return e, fmt.Errorf("%w: time %q is not RFC 3339", ErrNotEnvelope, e.Time)
	}
	if t := bytes.TrimSpace(e.Detail); len(t) == 0 || t[0] != '{' {
		return e, fmt.Errorf("%w: detail is not a JSON object", ErrNotEnvelope)
	}
	return e, nil
}

// When returns the event time.
func (e Envelope) When() time.Time {
	t, _ := time.Parse(time.RFC3339, e.Time) // checked by ParseEnvelope
	return t.UTC()
}
