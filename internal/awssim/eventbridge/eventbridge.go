// Package eventbridge simulates Amazon EventBridge buses, rules and targets,
// and routes PutEvents to the targets whose rule pattern matches.
package eventbridge

import (
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// STUB: replaced by the full implementation.

// Targets are the services EventBridge delivers to, by target ARN service.
type Targets struct {
	SQS wire.Deliverer
	SNS wire.Deliverer
}

// Store holds buses, rules and targets per account and region.
type Store struct{}

// New returns a store with no buses; default buses appear on first use.
func New(t Targets, orgs wire.OrgLookup) *Store { return &Store{} }

// Service is the EventBridge service.
func (s *Store) Service() wire.Service {
	return wire.Service{SigningName: "events", Protocol: wire.JSON11, TargetPrefix: "AWSEvents", Ops: map[string]wire.Handler{}}
}
