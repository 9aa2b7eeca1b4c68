// Package pace spaces calls out in time: each key (a Slack channel, an
// API) gets one slot per interval, and a server's Retry-After pushes a
// key's next slot back. Waiting always ends early when the context does.
package pace

import (
	"context"
	"sync"
	"time"
)

// Pacer hands out slots per key. A nil *Pacer never waits.
type Pacer struct {
	interval time.Duration

	mu   sync.Mutex
	next map[string]time.Time
}

// New returns a pacer giving each key one slot every interval.
func New(interval time.Duration) *Pacer {
	return &Pacer{interval: interval, next: map[string]time.Time{}}
}

// Wait blocks until key's next slot and books the one after it.
func (p *Pacer) Wait(ctx context.Context, key string) error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	at := p.next[key]
	if now := time.Now(); at.Before(now) {
		at = now
	}
	p.next[key] = at.Add(p.interval)
	p.mu.Unlock()
	return Sleep(ctx, time.Until(at))
}

// Retry blocks for d (a server's Retry-After) and makes it key's next
// slot, so other callers of the same key wait as long.
func (p *Pacer) Retry(ctx context.Context, key string, d time.Duration) error {
	if p == nil {
		return Sleep(ctx, d)
	}
	p.mu.Lock()
	at := time.Now().Add(d)
	p.next[key] = at
	p.mu.Unlock()
	return Sleep(ctx, time.Until(at))
}

// Sleep waits for d or until ctx is done, whichever comes first.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
