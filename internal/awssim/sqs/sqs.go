// Package sqs simulates Amazon SQS (JSON protocol).
package sqs

import (
	"context"

	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// STUB: replaced by the full implementation.

// Store holds queues per account and region.
type Store struct{ keys wire.KeyAuthorizer }

// New returns an empty queue store.
func New(keys wire.KeyAuthorizer) *Store { return &Store{keys: keys} }

// Deliver implements wire.Deliverer.
func (s *Store) Deliver(ctx context.Context, d wire.Delivery) error { return nil }

// Service is the SQS service.
func (s *Store) Service() wire.Service {
	return wire.Service{SigningName: "sqs", Protocol: wire.JSON10, TargetPrefix: "AmazonSQS", ThrottleCode: "RequestThrottled", Ops: map[string]wire.Handler{}}
}
