// Package sns simulates Amazon SNS (Query protocol).
package sns

import (
	"context"

	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// STUB: replaced by the full implementation.

// Store holds topics and subscriptions per account and region.
type Store struct{}

// New returns an empty topic store that delivers to queues.
func New(queues wire.Deliverer, keys wire.KeyAuthorizer, orgs wire.OrgLookup) *Store { return &Store{} }

// Deliver implements wire.Deliverer (EventBridge publishing to a topic).
func (s *Store) Deliver(ctx context.Context, d wire.Delivery) error { return nil }

// Service is the SNS service.
func (s *Store) Service() wire.Service {
	return wire.Service{SigningName: "sns", Protocol: wire.Query, XMLNamespace: "http://sns.amazonaws.com/doc/2010-03-31/", ThrottleCode: "Throttling", AccessDeniedCode: "AuthorizationError", Ops: map[string]wire.Handler{}}
}
