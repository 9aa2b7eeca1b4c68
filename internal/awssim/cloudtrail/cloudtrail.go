// Package cloudtrail simulates CloudTrail LookupEvents over seeded events.
package cloudtrail

import "github.com/orgnotify/orgnotify/internal/awssim/wire"

// STUB: replaced by the full implementation.

// Event is one seeded management event.
type Event struct {
	EventName string `json:"eventName" yaml:"eventName"`
}

// Store holds the seeded events.
type Store struct{}

// New returns a store over the events.
func New(events []Event) (*Store, error) { return &Store{}, nil }

// Service is the CloudTrail service.
func (s *Store) Service() wire.Service {
	return wire.Service{SigningName: "cloudtrail", Protocol: wire.JSON11, TargetPrefix: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101", Ops: map[string]wire.Handler{}}
}
