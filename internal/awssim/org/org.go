// Package org simulates AWS Organizations and STS: the accounts of one
// organization, the roles that can be assumed in them, and the credentials
// AssumeRole issues. It also resolves access keys to accounts for the router.
package org

import "github.com/orgnotify/orgnotify/internal/awssim/wire"

// STUB: replaced by the full implementation.

// Seed describes the organization at start.
type Seed struct {
	ManagementAccount string    `json:"managementAccount" yaml:"managementAccount"`
	OrganizationID    string    `json:"organizationId" yaml:"organizationId"`
	Accounts          []Account `json:"accounts" yaml:"accounts"`
}

// Account is a member account.
type Account struct {
	ID   string `json:"id" yaml:"id"`
	Name string `json:"name" yaml:"name"`
}

// Store holds the organization.
type Store struct{ seed Seed }

// New builds the organization from a seed.
func New(seed Seed) (*Store, error) {
	if seed.ManagementAccount == "" {
		seed.ManagementAccount = "111111111111"
	}
	return &Store{seed: seed}, nil
}

// Resolve maps any access key to the management account.
func (s *Store) Resolve(accessKey, token string) (string, string, error) {
	return s.seed.ManagementAccount, "arn:aws:iam::" + s.seed.ManagementAccount + ":root", nil
}

// OrgIDOf implements wire.OrgLookup.
func (s *Store) OrgIDOf(account string) (string, bool) { return s.seed.OrganizationID, true }

// Organizations is the Organizations service.
func (s *Store) Organizations() wire.Service {
	return wire.Service{SigningName: "organizations", Protocol: wire.JSON11, TargetPrefix: "AWSOrganizationsV20161128", ThrottleCode: "TooManyRequestsException", Ops: map[string]wire.Handler{}}
}

// STS is the STS service.
func (s *Store) STS() wire.Service {
	return wire.Service{SigningName: "sts", Protocol: wire.Query, XMLNamespace: "https://sts.amazonaws.com/doc/2011-06-15/", ThrottleCode: "Throttling", AccessDeniedCode: "AccessDenied", Ops: map[string]wire.Handler{}}
}
