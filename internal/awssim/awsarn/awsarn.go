// Package awsarn writes and reads Amazon Resource Names and account IDs,
// the identifiers every simulated service builds and checks.
package awsarn

import "strings"

// ARN is an ARN's six fields: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
// The resource keeps its own colons and slashes.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// Parse splits s into its fields. ok is false unless s starts with "arn:"
// and has all six; which fields may be empty is the caller's to check.
func Parse(s string) (a ARN, ok bool) {
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[0] != "arn" {
		return ARN{}, false
	}
	return ARN{Partition: f[1], Service: f[2], Region: f[3], Account: f[4], Resource: f[5]}, true
}

// String writes the ARN.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// New builds an ARN in the aws partition.
func New(service, region, account, resource string) string {
	return ARN{Partition: "aws", Service: service, Region: region, Account: account, Resource: resource}.String()
}

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
