package kms

import (
	"net/http"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// Key deletion: ScheduleKeyDeletion and CancelKeyDeletion, and the
// PendingDeletion state they put a key in.
//
// As in AWS: the waiting period is 7 to 30 days (default 30); a key
// pending deletion is disabled (deliveries through it fail), DescribeKey
// shows KeyState PendingDeletion with its DeletionDate, EnableKey and
// DisableKey refuse it, and CancelKeyDeletion leaves it Disabled. AWS
// managed keys cannot be deleted. Unlike AWS, the simulator never deletes
// the key when the period ends: it stays PendingDeletion.

// pendingDeletion is when a key pending deletion goes, and the waiting
// period asked for.
type pendingDeletion struct {
	date time.Time
	days int
}

func invalidState(format string, args ...any) *wire.Error {
	return wire.Errorf("KMSInvalidStateException", http.StatusBadRequest, format, args...)
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

func (s *Store) scheduleKeyDeletion(r *wire.Request, in scheduleDeletionInput, k *key) (any, error) {
	days := in.days()
	if k.manager == "AWS" {
		return nil, invalidState("%s is an AWS managed key and cannot be deleted", k.arn)
	}
	if k.deletion != nil {
		return nil, invalidState("%s is pending deletion.", k.arn)
	}
	k.deletion = &pendingDeletion{date: r.Now.Add(time.Duration(days) * 24 * time.Hour), days: days}
	k.enabled = false
	return map[string]any{"KeyId": k.arn, "DeletionDate": wire.EpochSeconds(k.deletion.date), "KeyState": "PendingDeletion", "PendingWindowInDays": days}, nil
}

func (s *Store) cancelKeyDeletion(_ *wire.Request, _ keyRef, k *key) (any, error) {
	if k.deletion == nil {
		return nil, invalidState("%s is not pending deletion.", k.arn)
	}
	k.deletion = nil // the key stays disabled, as in AWS
	return map[string]any{"KeyId": k.arn}, nil
}
