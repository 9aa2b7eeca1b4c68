package org

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// STS is the STS service (awsQuery).
func (s *Store) STS() wire.Service {
	return wire.Service{
		SigningName:      "sts",
		Protocol:         wire.Query,
		XMLNamespace:     "https://sts.amazonaws.com/doc/2011-06-15/",
		ThrottleCode:     "Throttling",
		AccessDeniedCode: "AccessDenied",
		Ops: map[string]wire.Handler{
			"AssumeRole":        s.assumeRole,
			"GetCallerIdentity": s.getCallerIdentity,
		},
	}
}

var (
	roleARNRe     = regexp.MustCompile(`^arn:aws:iam::(\d{12}):role/(?:[\x21-\x7e]*/)?([\w+=,.@-]{1,64})$`)
	sessionNameRe = regexp.MustCompile(`^[\w+=,.@-]*$`)
	externalIDRe  = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
)

// stsValidation is STS's ValidationError, worded as AWS words constraint
// failures.
func stsValidation(format string, args ...any) *wire.Error {
	return wire.Errorf("ValidationError", http.StatusBadRequest, format, args...)
}

func constraint(value, field, rule string) *wire.Error {
	return stsValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, rule)
}

type credentialsXML struct {
	AccessKeyId     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumedRoleUserXML struct {
	Arn           string `xml:"Arn"`
	AssumedRoleId string `xml:"AssumedRoleId"`
}

type assumeRoleResult struct {
	Credentials      credentialsXML     `xml:"Credentials"`
	AssumedRoleUser  assumedRoleUserXML `xml:"AssumedRoleUser"`
	PackedPolicySize *int               `xml:"PackedPolicySize,omitempty"`
	SourceIdentity   string             `xml:"SourceIdentity,omitempty"`
}

func (s *Store) assumeRole(_ context.Context, r *wire.Request) (any, error) {
	roleARN := r.Form.Get("RoleArn")
	name := r.Form.Get("RoleSessionName")
	switch {
	case len(roleARN) < 20:
		return nil, constraint(roleARN, "roleArn", "Member must have length greater than or equal to 20")
	case len(roleARN) > 2048:
		return nil, constraint(roleARN, "roleArn", "Member must have length less than or equal to 2048")
	case len(name) < 2:
		return nil, constraint(name, "roleSessionName", "Member must have length greater than or equal to 2")
	case len(name) > 64:
		return nil, constraint(name, "roleSessionName", "Member must have length less than or equal to 64")
	case !sessionNameRe.MatchString(name):
		return nil, constraint(name, "roleSessionName", `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	ext := r.Form.Get("ExternalId")
	if ext != "" && (len(ext) < 2 || len(ext) > 1224 || !externalIDRe.MatchString(ext)) {
		return nil, constraint(ext, "externalId", `Member must satisfy regular expression pattern: [\w+=,.@:\/-]*`)
	}
	chained := strings.HasPrefix(r.Principal, "arn:aws:sts::")
	duration := 3600
	if d := r.Form.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return nil, stsValidation("DurationSeconds %q is not an integer", d)
		}
		switch {
		case n < 900:
			return nil, constraint(d, "durationSeconds", "Member must have value greater than or equal to 900")
		case n > 43200:
			return nil, constraint(d, "durationSeconds", "Member must have value less than or equal to 43200")
		}
		duration = n
	}
	m := roleARNRe.FindStringSubmatch(roleARN)
	if m == nil {
		return nil, stsValidation("%s is not a valid role ARN", roleARN)
	}
	acct, roleName := m[1], m[2]
	// The path is not part of a role's identity for trust; look up by name.
	role, ok := s.roles["arn:aws:iam::"+acct+":role/"+roleName]
	trusted := role.TrustedAccounts
	if len(trusted) == 0 {
		trusted = []string{s.mgmt}
	}
	if !ok || !slices.Contains(trusted, r.Account) || (role.ExternalID != "" && role.ExternalID != ext) {
		// AWS does not say which: a missing role, distrust and a wrong
		// external ID all read the same.
		return nil, wire.Errorf("AccessDenied", http.StatusForbidden,
			"User: %s is not authorized to perform: sts:AssumeRole on resource: %s", r.Principal, roleARN)
	}
	if chained && duration > 3600 {
		return nil, stsValidation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if duration > role.MaxSessionDuration {
		return nil, stsValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}

	expires := r.Now.Add(time.Duration(duration) * time.Second).UTC().Truncate(time.Second)
	principal := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", acct, roleName, name)
	userID := roleID(role.ARN()) + ":" + name
	key, secret, token := s.issue(session{account: acct, principal: principal, userID: userID, expires: expires})
	return assumeRoleResult{
		Credentials: credentialsXML{
			AccessKeyId: key, SecretAccessKey: secret, SessionToken: token,
			Expiration: expires.Format(time.RFC3339),
		},
		AssumedRoleUser: assumedRoleUserXML{Arn: principal, AssumedRoleId: userID},
		SourceIdentity:  r.Form.Get("SourceIdentity"),
	}, nil
}

type callerIdentityResult struct {
	UserId  string `xml:"UserId"`
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
}

func (s *Store) getCallerIdentity(_ context.Context, r *wire.Request) (any, error) {
	// The root user's ID is its account ID.
	return callerIdentityResult{UserId: cmp.Or(r.UserID, r.Account), Account: r.Account, Arn: r.Principal}, nil
}
