// Package costexplorer simulates Cost Explorer over a seeded cost dataset.
package costexplorer

import "github.com/orgnotify/orgnotify/internal/awssim/wire"

// STUB: replaced by the full implementation.

// Record is one seeded cost line.
type Record struct {
	Account string `json:"account" yaml:"account"`
}

// Store holds the cost dataset.
type Store struct{}

// New returns a store over the records.
func New(records []Record) (*Store, error) { return &Store{}, nil }

// Service is the Cost Explorer service.
func (s *Store) Service() wire.Service {
	return wire.Service{SigningName: "ce", Protocol: wire.JSON11, TargetPrefix: "AWSInsightsIndexService", ThrottleCode: "LimitExceededException", Ops: map[string]wire.Handler{}}
}
