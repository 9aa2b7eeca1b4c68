// Package kms simulates AWS KMS keys, aliases and key policies.
package kms

import (
	"context"

	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// STUB: replaced by the full implementation.

// Store holds keys per account and region.
type Store struct{}

// New returns an empty key store.
func New() *Store { return &Store{} }

// AuthorizeKeyUse implements wire.KeyAuthorizer.
func (s *Store) AuthorizeKeyUse(ctx context.Context, u wire.KeyUse) error { return nil }

// Service is the KMS service.
func (s *Store) Service() wire.Service {
	return wire.Service{SigningName: "kms", Protocol: wire.JSON11, TargetPrefix: "TrentService", Ops: map[string]wire.Handler{}}
}
