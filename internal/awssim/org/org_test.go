package org_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
)

const (
	mgmt     = "111111111111"
	member   = "222222222222"
	security = "333333333333"
	invited  = "444444444444"
	outsider = "999999999999"
	orgID    = "o-abc123defg"
	ouID     = "ou-ab12-11111111"
	region   = "us-east-1"
)

func seed() awssim.Seed {
	return awssim.Seed{Organization: org.Seed{
		ManagementAccount:   mgmt,
		OrganizationID:      orgID,
		OrganizationalUnits: []org.OU{{ID: ouID, Name: "Security"}},
		Accounts: []org.Account{
			{ID: mgmt, Name: "management", Email: "root@example.com"},
			{ID: member, Name: "payments"},
			{ID: security, Name: "security", ParentID: ouID},
			{ID: invited, Name: "legacy", JoinedMethod: "INVITED", Status: "SUSPENDED"},
		},
		Roles: []org.Role{
			{Account: outsider, Name: "Partner", TrustedAccounts: []string{mgmt}},
			{Account: security, Name: "Audit", TrustedAccounts: []string{member}, ExternalID: "ext-42", MaxSessionDuration: 7200},
		},
		DelegatedAdministrators: []string{security},
	}}
}

// assume returns an aws.Config acting through a role.
func assume(t *testing.T, env *awssimtest.Env, from aws.Config, roleARN string) aws.Config {
	t.Helper()
	cfg, _ := env.AssumeRole(t, from, region, sts.AssumeRoleInput{RoleArn: aws.String(roleARN), ExternalId: externalFor(roleARN)})
	return cfg
}

func externalFor(roleARN string) *string {
	if strings.HasSuffix(roleARN, "role/Audit") {
		return aws.String("ext-42")
	}
	return nil
}

func TestEmptySeedIsAnOrganizationOfOne(t *testing.T) {
	env := awssimtest.Start(t, awssim.Seed{})
	cfg := env.Config(t, region)
	ctx := context.Background()
	c := organizations.NewFromConfig(cfg)

	o, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	awssimtest.WantCode(t, err, "")
	if got := aws.ToString(o.Organization.Id); got != org.DefaultOrganizationID {
		t.Errorf("organization ID = %s, want %s", got, org.DefaultOrganizationID)
	}
	if got := aws.ToString(o.Organization.MasterAccountId); got != org.DefaultManagementAccount {
		t.Errorf("management account = %s, want %s", got, org.DefaultManagementAccount)
	}
	if got, want := aws.ToString(o.Organization.Arn), "arn:aws:organizations::111111111111:organization/"+org.DefaultOrganizationID; got != want {
		t.Errorf("ARN = %s, want %s", got, want)
	}
	l, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{})
	awssimtest.WantCode(t, err, "")
	if len(l.Accounts) != 1 || aws.ToString(l.Accounts[0].Id) != org.DefaultManagementAccount {
		t.Errorf("accounts = %+v, want only the management account", l.Accounts)
	}
	// The management account has no OrganizationAccountAccessRole in AWS.
	_, err = sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(awssimtest.RoleARN(org.DefaultManagementAccount, org.AccessRole)), RoleSessionName: aws.String("x1")})
	awssimtest.WantCode(t, err, "AccessDenied")
	awssimtest.WantStatus(t, err, 403)
}

func TestListAccountsPagination(t *testing.T) {
	s := seed()
	for i := range 41 {
		s.Organization.Accounts = append(s.Organization.Accounts, org.Account{ID: fmt.Sprintf("5000000000%02d", i), Name: fmt.Sprintf("team-%02d", i)})
	}
	total := len(s.Organization.Accounts) // 45
	env := awssimtest.Start(t, s)
	c := organizations.NewFromConfig(env.Config(t, region))
	ctx := context.Background()

	var ids []string
	var pageSizes []int
	p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{MaxResults: aws.Int32(20)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		awssimtest.WantCode(t, err, "")
		pageSizes = append(pageSizes, len(out.Accounts))
		for _, a := range out.Accounts {
			ids = append(ids, aws.ToString(a.Id))
		}
	}
	if fmt.Sprint(pageSizes) != "[20 20 5]" {
		t.Errorf("page sizes = %v, want [20 20 5]", pageSizes)
	}
	if len(ids) != total || ids[0] != mgmt || ids[total-1] != "500000000040" {
		t.Errorf("got %d accounts %v..., want %d in seed order", len(ids), ids[:3], total)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("account %s listed twice", id)
		}
		seen[id] = true
	}

	cases := []struct {
		name   string
		in     organizations.ListAccountsInput
		reason orgtypes.InvalidInputExceptionReason
	}{
		{"MaxResults 0", organizations.ListAccountsInput{MaxResults: aws.Int32(0)}, orgtypes.InvalidInputExceptionReasonMinValueExceeded},
		{"MaxResults 21", organizations.ListAccountsInput{MaxResults: aws.Int32(21)}, orgtypes.InvalidInputExceptionReasonMaxValueExceeded},
		{"forged NextToken", organizations.ListAccountsInput{NextToken: aws.String("not-a-token")}, orgtypes.InvalidInputExceptionReasonInvalidPaginationToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.ListAccounts(ctx, &tc.in)
			var ie *orgtypes.InvalidInputException
			if !errors.As(err, &ie) {
				t.Fatalf("error = %v, want InvalidInputException", err)
			}
			if ie.Reason != tc.reason {
				t.Errorf("reason = %s, want %s", ie.Reason, tc.reason)
			}
		})
	}
}

func TestDescribeAccountAndParents(t *testing.T) {
	env := awssimtest.Start(t, seed())
	c := organizations.NewFromConfig(env.Config(t, region))
	ctx := context.Background()

	d, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(security)})
	awssimtest.WantCode(t, err, "")
	a := d.Account
	if got, want := aws.ToString(a.Arn), "arn:aws:organizations::"+mgmt+":account/"+orgID+"/"+security; got != want {
		t.Errorf("Arn = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(a.Paths), "["+orgID+"/"+org.DefaultRootID+"/"+ouID+"/"+security+"/]"; got != want {
		t.Errorf("Paths = %s, want %s", got, want)
	}
	if aws.ToString(a.Name) != "security" || aws.ToString(a.Email) != "aws+"+security+"@example.com" ||
		a.State != orgtypes.AccountStateActive || a.JoinedMethod != orgtypes.AccountJoinedMethodCreated || a.JoinedTimestamp == nil {
		t.Errorf("account = %+v", a)
	}
	d, err = c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(invited)})
	awssimtest.WantCode(t, err, "")
	if d.Account.State != orgtypes.AccountStateSuspended || d.Account.JoinedMethod != orgtypes.AccountJoinedMethodInvited {
		t.Errorf("invited account state %s joined %s", d.Account.State, d.Account.JoinedMethod)
	}

	errCases := []struct {
		name, id, code string
	}{
		{"unknown account", outsider, "AccountNotFoundException"},
		{"not 12 digits", "12345", "InvalidInputException"},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(tc.id)})
			awssimtest.WantCode(t, err, tc.code)
			awssimtest.WantStatus(t, err, 400)
		})
	}

	parentCases := []struct {
		name, child, wantID string
		wantType            orgtypes.ParentType
		code                string
	}{
		{"account under the root", member, org.DefaultRootID, orgtypes.ParentTypeRoot, ""},
		{"account in an OU", security, ouID, orgtypes.ParentTypeOrganizationalUnit, ""},
		{"OU under the root", ouID, org.DefaultRootID, orgtypes.ParentTypeRoot, ""},
		{"unknown child", outsider, "", "", "ChildNotFoundException"},
	}
	for _, tc := range parentCases {
		t.Run("ListParents/"+tc.name, func(t *testing.T) {
			out, err := c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(tc.child)})
			awssimtest.WantCode(t, err, tc.code)
			awssimtest.WantStatus(t, err, 400)
			if tc.code != "" {
				return
			}
			if len(out.Parents) != 1 || aws.ToString(out.Parents[0].Id) != tc.wantID || out.Parents[0].Type != tc.wantType {
				t.Errorf("parents = %+v, want %s %s", out.Parents, tc.wantID, tc.wantType)
			}
		})
	}

	byParent, err := c.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(ouID)})
	awssimtest.WantCode(t, err, "")
	if len(byParent.Accounts) != 1 || aws.ToString(byParent.Accounts[0].Id) != security {
		t.Errorf("accounts in %s = %+v, want only %s", ouID, byParent.Accounts, security)
	}
}

// TestCallerAccess shows who may call what: AWS lets every member describe
// its organization but reserves the account lists for the management
// account and delegated administrators.
func TestCallerAccess(t *testing.T) {
	env := awssimtest.Start(t, seed())
	base := env.Config(t, region)
	ctx := context.Background()
	callers := map[string]aws.Config{
		"management":              base,
		"member":                  assume(t, env, base, awssimtest.RoleARN(member, org.AccessRole)),
		"delegated administrator": assume(t, env, base, awssimtest.RoleARN(security, org.AccessRole)),
		"outsider":                assume(t, env, base, awssimtest.RoleARN(outsider, "Partner")),
	}
	cases := []struct {
		caller, describeOrg, listAccounts string
	}{
		{"management", "", ""},
		{"member", "", "AccessDeniedException"},
		{"delegated administrator", "", ""},
		{"outsider", "AWSOrganizationsNotInUseException", "AWSOrganizationsNotInUseException"},
	}
	for _, tc := range cases {
		t.Run(tc.caller, func(t *testing.T) {
			c := organizations.NewFromConfig(callers[tc.caller])
			o, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			awssimtest.WantCode(t, err, tc.describeOrg)
			awssimtest.WantStatus(t, err, 400)
			if err == nil && aws.ToString(o.Organization.Id) != orgID {
				t.Errorf("organization = %s, want %s", aws.ToString(o.Organization.Id), orgID)
			}
			_, err = c.ListAccounts(ctx, &organizations.ListAccountsInput{})
			awssimtest.WantCode(t, err, tc.listAccounts)
			awssimtest.WantStatus(t, err, 400)
		})
	}
	orgs := env.Sim.Org
	for acct, want := range map[string]bool{mgmt: true, member: true, invited: true, outsider: false} {
		if id, ok := orgs.OrgIDOf(acct); ok != want || (ok && id != orgID) {
			t.Errorf("OrgIDOf(%s) = %q, %v; want in organization: %v", acct, id, ok, want)
		}
	}
}

func TestAssumeRole(t *testing.T) {
	env := awssimtest.Start(t, seed())
	base := env.Config(t, region)
	memberCfg := assume(t, env, base, awssimtest.RoleARN(member, org.AccessRole))
	ctx := context.Background()
	cases := []struct {
		name     string
		from     aws.Config
		in       sts.AssumeRoleInput
		code     string
		status   int
		contains string
	}{
		{name: "member access role", from: base, in: sts.AssumeRoleInput{RoleArn: aws.String(awssimtest.RoleARN(member, org.AccessRole)), RoleSessionName: aws.String("orgnotify")}},
		{name: "role with a path", from: base, in: sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + member + ":role/team/" + org.AccessRole), RoleSessionName: aws.String("orgnotify")}},
		{name: "role in an outside account", from: base, in: sts.AssumeRoleInput{RoleArn: aws.String(awssimtest.RoleARN(outsider, "Partner")), RoleSessionName: aws.String("p@x.com"), DurationSeconds: aws.Int32(3600)}},
		{name: "invited account has no access role", from: base, in: sts.AssumeRoleInput{RoleArn: aws.String(awssimtest.RoleARN(invited, org.AccessRole)), RoleSessionName: aws.String("orgnotify")},
			code: "AccessDenied", status: 403, contains: "User: arn:aws:iam::111111111111:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444444444444:role/OrganizationAccountAccessRole"},
		{name: "unknown role", from: base, in: sts.AssumeRoleInput{RoleArn: aws.String(awssimtest.RoleARN(member, "Nope")), RoleSessionName: aws.String("orgnotify")}, code: "AccessDenied", status: 403},
		{name: "role does not trust the caller", from: base, in: sts.AssumeRoleInput{RoleArn: aws.String(awssimtest.RoleARN(security, "Audit")), RoleSessionName: aws.String("ab"), ExternalId: aws.String("ext-42")}, code: "AccessDenied", status: 403},
		{name: "trusted caller, wrong external ID", from: memberCfg, in: sts.AssumeRoleInput{RoleArn: aws.String(awssimtest.RoleARN(security, "Audit")), RoleSessionName: aws.String("ab"), ExternalId: aws.String("ext-41")},
			code: "AccessDenied", status: 403, contains: "assumed-role/OrganizationAccountAccessRole/test"},
		{name: "trusted caller, right external ID", from: memberCfg, in: sts.AssumeRoleInput{RoleArn: aws.String(awssimtest.RoleARN(security, "Audit")), RoleSessionName: aws.String("ab"), ExternalId: aws.String("ext-42")}},
		{name: "role chaining over one hour", from: memberCfg, in: sts.AssumeRoleInput{RoleArn: aws.String(awssimtest.RoleARN(security, "Audit")), RoleSessionName: aws.String("ab"), ExternalId: aws.String("ext-42"), DurationSeconds: aws.Int32(3601)},
			code: "ValidationError", status: 400, contains: "role chaining"},
		{name: "above the role's maximum", from: base, in: sts.AssumeRoleInput{RoleArn: aws.String(awssimtest.RoleARN(member, org.AccessRole)), RoleSessionName: aws.String("ab"), DurationSeconds: aws.Int32(7200)},
			code: "ValidationError", status: 400, contains: "MaxSessionDuration"},
		{name: "duration under 900", from: base, in: sts.AssumeRoleInput{RoleArn: aws.String(awssimtest.RoleARN(member, org.AccessRole)), RoleSessionName: aws.String("ab"), DurationSeconds: aws.Int32(899)},
			code: "ValidationError", status: 400, contains: "greater than or equal to 900"},
		{name: "duration over 43200", from: base, in: sts.AssumeRoleInput{RoleArn: aws.String(awssimtest.RoleARN(member, org.AccessRole)), RoleSessionName: aws.String("ab"), DurationSeconds: aws.Int32(43201)},
			code: "ValidationError", status: 400, contains: "less than or equal to 43200"},
		{name: "session name with a space", from: base, in: sts.AssumeRoleInput{RoleArn: aws.String(awssimtest.RoleARN(member, org.AccessRole)), RoleSessionName: aws.String("my session")},
			code: "ValidationError", status: 400, contains: "roleSessionName"},
		{name: "session name too short", from: base, in: sts.AssumeRoleInput{RoleArn: aws.String(awssimtest.RoleARN(member, org.AccessRole)), RoleSessionName: aws.String("a")},
			code: "ValidationError", status: 400, contains: "roleSessionName"},
		{name: "ARN too short", from: base, in: sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::1:role"), RoleSessionName: aws.String("ab")},
			code: "ValidationError", status: 400, contains: "roleArn"},
		{name: "not a role ARN", from: base, in: sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:user/bob"), RoleSessionName: aws.String("ab")},
			code: "ValidationError", status: 400, contains: "not a valid role ARN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := sts.NewFromConfig(tc.from).AssumeRole(ctx, &tc.in)
			awssimtest.WantCode(t, err, tc.code)
			awssimtest.WantStatus(t, err, tc.status)
			if err != nil {
				if !strings.Contains(err.Error(), tc.contains) {
					t.Errorf("error %q does not contain %q", err, tc.contains)
				}
				return
			}
			c := out.Credentials
			if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || len(aws.ToString(c.AccessKeyId)) != 20 ||
				len(aws.ToString(c.SecretAccessKey)) != 40 || aws.ToString(c.SessionToken) == "" {
				t.Errorf("credentials = %+v", c)
			}
			want := time.Hour
			if tc.in.DurationSeconds != nil {
				want = time.Duration(*tc.in.DurationSeconds) * time.Second
			}
			if left := time.Until(aws.ToTime(c.Expiration)); left > want || left < want-time.Minute {
				t.Errorf("credentials expire in %v, want about %v", left, want)
			}
			acct := strings.Split(aws.ToString(tc.in.RoleArn), ":")[4]
			name := aws.ToString(tc.in.RoleArn)[strings.LastIndex(aws.ToString(tc.in.RoleArn), "/")+1:]
			if got, want := aws.ToString(out.AssumedRoleUser.Arn), "arn:aws:sts::"+acct+":assumed-role/"+name+"/"+aws.ToString(tc.in.RoleSessionName); got != want {
				t.Errorf("assumed role ARN = %s, want %s", got, want)
			}
			if id := aws.ToString(out.AssumedRoleUser.AssumedRoleId); !strings.HasPrefix(id, "AROA") || !strings.HasSuffix(id, ":"+aws.ToString(tc.in.RoleSessionName)) {
				t.Errorf("AssumedRoleId = %s", id)
			}
		})
	}
}

// TestCredentials checks what the router learns from each kind of key.
func TestCredentials(t *testing.T) {
	env := awssimtest.Start(t, seed())
	base := env.Config(t, region)
	ctx := context.Background()
	out, err := sts.NewFromConfig(base).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(awssimtest.RoleARN(member, org.AccessRole)), RoleSessionName: aws.String("orgnotify"), DurationSeconds: aws.Int32(900)})
	awssimtest.WantCode(t, err, "")
	key, secret, token := aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)

	who, err := sts.NewFromConfig(base).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	awssimtest.WantCode(t, err, "")
	if aws.ToString(who.Account) != mgmt || aws.ToString(who.Arn) != "arn:aws:iam::"+mgmt+":root" || aws.ToString(who.UserId) != mgmt {
		t.Errorf("base identity = %s %s %s", aws.ToString(who.Account), aws.ToString(who.Arn), aws.ToString(who.UserId))
	}
	who, err = sts.NewFromConfig(env.ConfigWithKeys(t, region, key, secret, token)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	awssimtest.WantCode(t, err, "")
	if aws.ToString(who.Account) != member || aws.ToString(who.Arn) != "arn:aws:sts::"+member+":assumed-role/OrganizationAccountAccessRole/orgnotify" ||
		aws.ToString(who.UserId) != aws.ToString(out.AssumedRoleUser.AssumedRoleId) {
		t.Errorf("assumed identity = %s %s %s", aws.ToString(who.Account), aws.ToString(who.Arn), aws.ToString(who.UserId))
	}

	cases := []struct {
		name                string
		key, token          string
		advance             time.Duration
		stsCode, orgsCode   string
		stsStatus, orgsStat int
	}{
		{"wrong session token", key, token + "x", 0, "InvalidClientTokenId", "UnrecognizedClientException", 403, 400},
		{"token never issued", "ASIAUNKNOWN000000000", "sometoken", 0, "InvalidClientTokenId", "UnrecognizedClientException", 403, 400},
		{"expired", key, token, 15 * time.Minute, "ExpiredToken", "ExpiredTokenException", 400, 400},
		{"one second before expiry", key, token, 15*time.Minute - 2*time.Second, "", "AccessDeniedException", 0, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Now().Add(tc.advance)
			env.Sim.SetClock(func() time.Time { return now })
			defer env.Sim.SetClock(time.Now)
			cfg := env.ConfigWithKeys(t, region, tc.key, secret, tc.token)
			_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			awssimtest.WantCode(t, err, tc.stsCode)
			awssimtest.WantStatus(t, err, tc.stsStatus)
			_, err = organizations.NewFromConfig(cfg).ListAccounts(ctx, &organizations.ListAccountsInput{})
			awssimtest.WantCode(t, err, tc.orgsCode)
			awssimtest.WantStatus(t, err, tc.orgsStat)
		})
	}
}

func TestSeedErrors(t *testing.T) {
	cases := []struct {
		name string
		seed org.Seed
		want string
	}{
		{"bad management account", org.Seed{ManagementAccount: "1111"}, "managementAccount"},
		{"bad organization ID", org.Seed{OrganizationID: "o-SHOUT"}, "organizationId"},
		{"duplicate account", org.Seed{Accounts: []org.Account{{ID: member}, {ID: member}}}, "listed twice"},
		{"account ID with letters", org.Seed{Accounts: []org.Account{{ID: "22222222222a"}}}, "12-digit"},
		{"unknown parent", org.Seed{Accounts: []org.Account{{ID: member, ParentID: "ou-ab12-99999999"}}}, "parent"},
		{"bad status", org.Seed{Accounts: []org.Account{{ID: member, Status: "GONE"}}}, "status"},
		{"bad joined method", org.Seed{Accounts: []org.Account{{ID: member, JoinedMethod: "BORN"}}}, "joinedMethod"},
		{"bad OU ID", org.Seed{OrganizationalUnits: []org.OU{{ID: "ou-1"}}}, "organizational unit"},
		{"bad role name", org.Seed{Roles: []org.Role{{Account: member, Name: "has space"}}}, "name must match"},
		{"bad role duration", org.Seed{Roles: []org.Role{{Account: member, Name: "R", MaxSessionDuration: 60}}}, "maxSessionDuration"},
		{"delegated admin outside the org", org.Seed{DelegatedAdministrators: []string{outsider}}, "delegated administrator"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := org.New(tc.seed)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

func TestStoreAccessors(t *testing.T) {
	tests := []struct {
		name      string
		seed      org.Seed
		wantMgmt  string
		wantNames map[string]string
	}{
		{"seeded organization", seed().Organization, mgmt,
			map[string]string{mgmt: "management", member: "payments", security: "security", invited: "legacy"}},
		// The management account is added, and an account without a name is
		// named after its ID, so every account has a name.
		{"management account left out", org.Seed{ManagementAccount: mgmt, Accounts: []org.Account{{ID: member}}}, mgmt,
			map[string]string{mgmt: "management", member: member}},
		{"empty seed", org.Seed{}, org.DefaultManagementAccount,
			map[string]string{org.DefaultManagementAccount: "management"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := org.New(tt.seed)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.ManagementAccount(); got != tt.wantMgmt {
				t.Errorf("ManagementAccount = %s, want %s", got, tt.wantMgmt)
			}
			names := s.AccountNames()
			if !maps.Equal(names, tt.wantNames) {
				t.Errorf("AccountNames = %v, want %v", names, tt.wantNames)
			}
			names[mgmt] = "changed"
			if s.AccountNames()[mgmt] == "changed" {
				t.Error("AccountNames returned the store's own map")
			}
		})
	}
}
