package org

import (
	"context"
	"net/http"
	"strings"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/paging"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// Organizations is the Organizations service (awsJson1_1).
func (s *Store) Organizations() wire.Service {
	return wire.Service{
		SigningName:      "organizations",
		Protocol:         wire.JSON11,
		TargetPrefix:     "AWSOrganizationsV20161128",
		ThrottleCode:     "TooManyRequestsException",
		AccessDeniedCode: "AccessDeniedException",
		Ops: map[string]wire.Handler{
			"DescribeOrganization":  s.describeOrganization,
			"ListAccounts":          readOp(s, s.listAccounts),
			"ListAccountsForParent": readOp(s, s.listAccountsForParent),
			"DescribeAccount":       readOp(s, s.describeAccount),
			"ListParents":           readOp(s, s.listParents),
			"ListRoots":             readOp(s, s.listRoots),
		},
	}
}

func invalidInput(reason, format string, args ...any) *wire.Error {
	e := wire.Errorf("InvalidInputException", http.StatusBadRequest, format, args...)
	e.Fields = map[string]any{"Reason": reason}
	return e
}

// readOp is the Handler of a read operation: callerMayRead first.
func readOp[In any](s *Store, serve func(r *wire.Request, in In) (any, error)) wire.Handler {
	return wire.Op(func(_ context.Context, r *wire.Request, in In) (any, error) {
		if err := s.callerMayRead(r); err != nil {
			return nil, err
		}
		return serve(r, in)
	})
}

// callerMayRead answers what AWS answers callers of the Organizations read
// APIs: outsiders are not in an organization, members are denied unless
// they are a delegated administrator.
func (s *Store) callerMayRead(r *wire.Request) error {
	if err := s.callerInOrg(r); err != nil {
		return err
	}
	if r.Account != s.mgmt && !s.admins[r.Account] {
		return wire.AccessDenied("You don't have permissions to access this resource.")
	}
	return nil
}

func (s *Store) callerInOrg(r *wire.Request) error {
	if _, ok := s.byID[r.Account]; !ok {
		return wire.Errorf("AWSOrganizationsNotInUseException", http.StatusBadRequest,
			"Your account is not a member of an organization.")
	}
	return nil
}

type organizationJSON struct {
	Arn                  string       `json:"Arn"`
	Id                   string       `json:"Id"`
	FeatureSet           string       `json:"FeatureSet"`
	MasterAccountArn     string       `json:"MasterAccountArn"`
	MasterAccountEmail   string       `json:"MasterAccountEmail"`
	MasterAccountId      string       `json:"MasterAccountId"`
	AvailablePolicyTypes []policyType `json:"AvailablePolicyTypes"`
}

type policyType struct {
	Status string `json:"Status"`
	Type   string `json:"Type"`
}

func (s *Store) describeOrganization(_ context.Context, r *wire.Request) (any, error) {
	if err := s.callerInOrg(r); err != nil {
		return nil, err
	}
	return map[string]any{"Organization": organizationJSON{
		Arn:                "arn:aws:organizations::" + s.mgmt + ":organization/" + s.orgID,
		Id:                 s.orgID,
		FeatureSet:         "ALL",
		MasterAccountArn:   s.accountARN(s.mgmt),
		MasterAccountEmail: s.byID[s.mgmt].Email,
		MasterAccountId:    s.mgmt,
		// Deprecated by AWS and always empty; use ListRoots for policy types.
		AvailablePolicyTypes: []policyType{},
	}}, nil
}

func (s *Store) accountARN(id string) string {
	return "arn:aws:organizations::" + s.mgmt + ":account/" + s.orgID + "/" + id
}

type accountJSON struct {
	Arn             string   `json:"Arn"`
	Email           string   `json:"Email"`
	Id              string   `json:"Id"`
	JoinedMethod    string   `json:"JoinedMethod"`
	JoinedTimestamp float64  `json:"JoinedTimestamp"`
	Name            string   `json:"Name"`
	Paths           []string `json:"Paths"`
	State           string   `json:"State"`
	Status          string   `json:"Status,omitempty"`
}

func (s *Store) accountOut(a *Account) accountJSON {
	// Status is the deprecated field; it has no CLOSED value.
	status := a.Status
	if status == "CLOSED" {
		status = ""
	}
	return accountJSON{
		Arn: s.accountARN(a.ID), Email: a.Email, Id: a.ID, Name: a.Name,
		JoinedMethod: a.JoinedMethod, JoinedTimestamp: wire.EpochSeconds(a.JoinedTimestamp),
		Paths: []string{s.path(a.ParentID) + a.ID + "/"}, State: a.Status, Status: status,
	}
}

// path is "o-.../r-.../ou-.../" down to parent, as the Paths field shows.
func (s *Store) path(parent string) string {
	var chain []string
	for id := parent; id != s.rootID; id = s.ous[id].ParentID {
		chain = append([]string{id}, chain...)
	}
	return s.orgID + "/" + s.rootID + "/" + strings.Join(append(chain, ""), "/")
}

type pageInput struct {
	NextToken  *string `json:"NextToken"`
	MaxResults *int32  `json:"MaxResults"`
}

// page cuts one page out of items: AWS's Organizations lists take
// MaxResults 1..20 and an opaque NextToken.
func page[T any](in pageInput, items []T) ([]T, *string, error) {
	limit := 20
	if in.MaxResults != nil {
		switch m := int(*in.MaxResults); {
		case m < 1:
			return nil, nil, invalidInput("MIN_VALUE_EXCEEDED", "You provided a value that is too small: MaxResults must be at least 1.")
		case m > 20:
			return nil, nil, invalidInput("MAX_VALUE_EXCEEDED", "You provided a value that is too large: MaxResults must be at most 20.")
		default:
			limit = m
		}
	}
	token := ""
	if in.NextToken != nil {
		token = *in.NextToken
	}
	start, end, t, ok := paging.Window(token, limit, len(items))
	if !ok || (in.NextToken != nil && token == "") {
		return nil, nil, invalidInput("INVALID_NEXT_TOKEN", "The specified NextToken is not valid.")
	}
	if t == "" {
		return items[start:end], nil, nil
	}
	return items[start:end], &t, nil
}

type listAccountsOutput struct {
	Accounts  []accountJSON `json:"Accounts"`
	NextToken *string       `json:"NextToken,omitempty"`
}

func (s *Store) listAccounts(_ *wire.Request, in pageInput) (any, error) {
	return s.accountPage(in, s.accounts)
}

func (s *Store) accountPage(in pageInput, list []*Account) (any, error) {
	list, next, err := page(in, list)
	if err != nil {
		return nil, err
	}
	out := listAccountsOutput{Accounts: []accountJSON{}, NextToken: next}
	for _, a := range list {
		out.Accounts = append(out.Accounts, s.accountOut(a))
	}
	return out, nil
}

type listAccountsForParentInput struct {
	pageInput
	ParentId string `json:"ParentId"`
}

func (s *Store) listAccountsForParent(_ *wire.Request, in listAccountsForParentInput) (any, error) {
	if !rootIDRe.MatchString(in.ParentId) && !ouIDRe.MatchString(in.ParentId) {
		return nil, invalidInput("INVALID_PATTERN", "You specified a value that is not valid for ParentId.")
	}
	if s.checkParent(in.ParentId) != nil {
		return nil, wire.Errorf("ParentNotFoundException", http.StatusBadRequest, "We can't find a root or OU with the ParentId that you specified.")
	}
	var list []*Account
	for _, a := range s.accounts {
		if a.ParentID == in.ParentId {
			list = append(list, a)
		}
	}
	return s.accountPage(in.pageInput, list)
}

type describeAccountInput struct {
	AccountId string `json:"AccountId"`
}

func (s *Store) describeAccount(_ *wire.Request, in describeAccountInput) (any, error) {
	if !awsarn.IsAccountID(in.AccountId) {
		return nil, invalidInput("INVALID_PATTERN", "You specified a value that is not valid for AccountId: it must be 12 digits.")
	}
	a, ok := s.byID[in.AccountId]
	if !ok {
		return nil, wire.Errorf("AccountNotFoundException", http.StatusBadRequest, "You specified an account that doesn't exist.")
	}
	return map[string]any{"Account": s.accountOut(a)}, nil
}

type parentJSON struct {
	Id   string `json:"Id"`
	Type string `json:"Type"`
}

type listParentsInput struct {
	pageInput
	ChildId string `json:"ChildId"`
}

func (s *Store) listParents(_ *wire.Request, in listParentsInput) (any, error) {
	if !awsarn.IsAccountID(in.ChildId) && !ouIDRe.MatchString(in.ChildId) {
		return nil, invalidInput("INVALID_PATTERN", "You specified a value that is not valid for ChildId.")
	}
	parent := ""
	if a, ok := s.byID[in.ChildId]; ok {
		parent = a.ParentID
	} else if ou, ok := s.ous[in.ChildId]; ok {
		parent = ou.ParentID
	} else {
		return nil, wire.Errorf("ChildNotFoundException", http.StatusBadRequest,
			"We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
	}
	typ := "ORGANIZATIONAL_UNIT"
	if parent == s.rootID {
		typ = "ROOT"
	}
	parents, next, err := page(in.pageInput, []parentJSON{{Id: parent, Type: typ}})
	if err != nil {
		return nil, err
	}
	return struct {
		Parents   []parentJSON `json:"Parents"`
		NextToken *string      `json:"NextToken,omitempty"`
	}{parents, next}, nil
}

func (s *Store) listRoots(_ *wire.Request, in pageInput) (any, error) {
	roots, next, err := page(in, []map[string]any{{
		"Id": s.rootID, "Name": "Root",
		"Arn":         "arn:aws:organizations::" + s.mgmt + ":root/" + s.orgID + "/" + s.rootID,
		"PolicyTypes": []policyType{{Status: "ENABLED", Type: "SERVICE_CONTROL_POLICY"}},
	}})
	if err != nil {
		return nil, err
	}
	return struct {
		Roots     []map[string]any `json:"Roots"`
		NextToken *string          `json:"NextToken,omitempty"`
	}{roots, next}, nil
}
