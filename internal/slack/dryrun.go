package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/slack-go/slack"
)

// DryRun is a Sender that posts nothing: it writes each message as
// readable text to W and, when Dir is set, its Block Kit JSON to
// Dir/NNN-<channel>.json (the payload chat.postMessage would get).
type DryRun struct {
	W   io.Writer
	Dir string

	mu sync.Mutex
	n  int
}

var _ Sender = (*DryRun)(nil)

// Payload is the JSON a dry run writes for one message.
type Payload struct {
	Channel  string               `json:"channel"`
	Text     string               `json:"text"`
	Blocks   []slack.Block        `json:"blocks,omitempty"`
	Metadata *slack.SlackMetadata `json:"metadata,omitempty"`
	Thread   []Payload            `json:"thread,omitempty"`
}

// PayloadOf returns the JSON form of m.
func PayloadOf(m Message) Payload {
	p := Payload{Channel: m.Channel, Text: m.Text, Blocks: m.Blocks, Metadata: m.Metadata}
	for _, r := range m.Thread {
		rp := PayloadOf(r)
		rp.Channel = ""
		p.Thread = append(p.Thread, rp)
	}
	return p
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// Send renders m; it validates like Client so a dry run catches what Slack
// would refuse.
func (d *DryRun) Send(_ context.Context, m Message) (Posted, error) {
	if err := m.Validate(); err != nil {
		return Posted{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.n++
	if d.W != nil {
		if _, err := io.WriteString(d.W, Render(m)+"\n"); err != nil {
			return Posted{}, fmt.Errorf("write dry run: %w", err)
		}
	}
	if d.Dir != "" {
		data, err := json.MarshalIndent(PayloadOf(m), "", "  ")
		if err != nil {
			return Posted{}, fmt.Errorf("encode message for %s: %w", m.Channel, err)
		}
		if err := os.MkdirAll(d.Dir, 0o755); err != nil {
			return Posted{}, fmt.Errorf("dry-run output: %w", err)
		}
		name := fmt.Sprintf("%03d-%s.json", d.n, unsafeName.ReplaceAllString(m.Channel, "_"))
		if err := os.WriteFile(filepath.Join(d.Dir, name), append(data, '\n'), 0o644); err != nil {
			return Posted{}, fmt.Errorf("dry-run output: %w", err)
		}
	}
	return Posted{Channel: m.Channel, Replies: len(m.Thread), DryRun: true}, nil
}
