package kms

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// Key deletion: ScheduleKeyDeletion and CancelKeyDeletion, and the
// PendingDeletion state they put a key in. Kept apart from the rest of
// the store (one wrapper around the operation table) so the key struct and
// handlers stay as they are.
//
// As in AWS: the waiting period is 7 to 30 days (default 30); a key
// pending deletion is disabled (deliveries through it fail), DescribeKey
// shows KeyState PendingDeletion with its DeletionDate, EnableKey and
// DisableKey refuse it, and CancelKeyDeletion leaves it Disabled. AWS
// managed keys cannot be deleted. Unlike AWS, the simulator never deletes
// the key when the period ends: it stays PendingDeletion.

// pendingKeys holds the keys pending deletion, by key ARN.
type pendingKeys struct {
	mu sync.Mutex
	at map[string]pendingDeletion
}

type pendingDeletion struct {
	date time.Time
	days int
}

func (p *pendingKeys) get(arn string) (pendingDeletion, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d, ok := p.at[arn]
	return d, ok
}

func invalidState(format string, args ...any) *wire.Error {
	return wire.Errorf("KMSInvalidStateException", http.StatusBadRequest, format, args...)
}

// withDeletion adds the deletion operations to ops and wraps those whose
// answer depends on a pending deletion.
func (s *Store) withDeletion(ops map[string]wire.Handler) map[string]wire.Handler {
	p := &pendingKeys{at: map[string]pendingDeletion{}}
	ops["ScheduleKeyDeletion"] = s.scheduleKeyDeletion(p)
	ops["CancelKeyDeletion"] = s.cancelKeyDeletion(p)
	ops["DescribeKey"] = s.describePending(p, ops["DescribeKey"])
	for _, op := range []string{"EnableKey", "DisableKey"} {
		ops[op] = s.refusePending(p, ops[op], op)
	}
	return ops
}

type scheduleDeletionInput struct {
	keyRef
	PendingWindowInDays *int
}

// days is the waiting period asked for, 30 by default.
func (in scheduleDeletionInput) days() int {
	if in.PendingWindowInDays != nil {
		return *in.PendingWindowInDays
	}
	return 30
}

func (in scheduleDeletionInput) Validate() error {
	if days := in.days(); days < 7 || days > 30 {
		return wire.Validation("1 validation error detected: Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30", days)
	}
	return nil
}

func (s *Store) scheduleKeyDeletion(p *pendingKeys) wire.Handler {
	return onKey(s, "kms:ScheduleKeyDeletion", func(r *wire.Request, in scheduleDeletionInput, k *key) (any, error) {
		days := in.days()
		if k.manager == "AWS" {
			return nil, invalidState("%s is an AWS managed key and cannot be deleted", k.arn)
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if _, ok := p.at[k.arn]; ok {
			return nil, invalidState("%s is pending deletion.", k.arn)
		}
		d := pendingDeletion{date: r.Now.Add(time.Duration(days) * 24 * time.Hour), days: days}
		p.at[k.arn] = d
		k.enabled = false
		return map[string]any{"KeyId": k.arn, "DeletionDate": wire.EpochSeconds(d.date), "KeyState": "PendingDeletion", "PendingWindowInDays": days}, nil
	})
}

func (s *Store) cancelKeyDeletion(p *pendingKeys) wire.Handler {
	return onKey(s, "kms:CancelKeyDeletion", func(_ *wire.Request, _ keyRef, k *key) (any, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if _, ok := p.at[k.arn]; !ok {
			return nil, invalidState("%s is not pending deletion.", k.arn)
		}
		delete(p.at, k.arn) // the key stays disabled, as in AWS
		return map[string]any{"KeyId": k.arn}, nil
	})
}

// pendingMetadata is DescribeKey's KeyMetadata of a key pending deletion.
type pendingMetadata struct {
	keyMetadata
	DeletionDate                float64 `json:"DeletionDate"`
	PendingDeletionWindowInDays int     `json:"PendingDeletionWindowInDays"`
}

func (s *Store) describePending(p *pendingKeys, describe wire.Handler) wire.Handler {
	return func(ctx context.Context, r *wire.Request) (any, error) {
		out, err := describe(ctx, r)
		if err != nil {
			return out, err
		}
		m, ok := out.(map[string]any)
		if !ok {
			return out, nil
		}
		md, ok := m["KeyMetadata"].(keyMetadata)
		if !ok {
			return out, nil
		}
		d, pending := p.get(md.Arn)
		if !pending {
			return out, nil
		}
		md.KeyState, md.Enabled = "PendingDeletion", false
		return map[string]any{"KeyMetadata": pendingMetadata{keyMetadata: md, DeletionDate: wire.EpochSeconds(d.date), PendingDeletionWindowInDays: d.days}}, nil
	}
}

// refusePending makes op fail on a key pending deletion.
func (s *Store) refusePending(p *pendingKeys, op wire.Handler, name string) wire.Handler {
	return func(ctx context.Context, r *wire.Request) (any, error) {
		var in keyRef
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		s.mu.Lock()
		k, err := s.lookup(r.Account, r.Region, in.KeyId, r.Now)
		s.mu.Unlock()
		if err == nil {
			if _, pending := p.get(k.arn); pending {
				return nil, invalidState("%s is pending deletion; %s is not allowed.", k.arn, name)
			}
		}
		return op(ctx, r)
	}
}
