package iam_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
)

const (
	mgmt   = "111111111111"
	member = "222222222222"
)

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"}}}]}`

const putEvents = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"arn:aws:events:eu-west-1:333333333333:event-bus/hub"}]}`

func start(t *testing.T) (*awssimtest.Env, *iam.Client) {
	t.Helper()
	env := awssimtest.StartOrg(t, mgmt, org.Account{ID: member, Name: "payments"})
	return env, iam.NewFromConfig(env.Config(t, "us-east-1"))
}

func TestRoleLifecycle(t *testing.T) {
	ctx := context.Background()
	_, c := start(t)
	out, err := c.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("orgnotify-forwarder"), Path: aws.String("/orgnotify/"),
		AssumeRolePolicyDocument: aws.String(trust), Description: aws.String("forwards events"),
		MaxSessionDuration: aws.Int32(7200),
		Tags:               []types.Tag{{Key: aws.String("orgnotify:owner"), Value: aws.String("main")}},
	})
	awssimtest.WantCode(t, err, "")
	if got, want := aws.ToString(out.Role.Arn), "arn:aws:iam::"+mgmt+":role/orgnotify/orgnotify-forwarder"; got != want {
		t.Fatalf("Arn = %q, want %q", got, want)
	}
	if id := aws.ToString(out.Role.RoleId); !strings.HasPrefix(id, "AROA") || len(id) != 21 {
		t.Fatalf("RoleId = %q, want AROA + 17 characters", id)
	}

	// Names are unique without case.
	awssimtest.WantCall(t, c.CreateRole, &iam.CreateRoleInput{RoleName: aws.String("OrgNotify-Forwarder"), AssumeRolePolicyDocument: aws.String(trust)}, "EntityAlreadyExists")

	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("orgnotify-forwarder")})
	awssimtest.WantCode(t, err, "")
	doc := aws.ToString(got.Role.AssumeRolePolicyDocument)
	if doc == trust || !strings.HasPrefix(doc, "%7B%22Version%22") {
		t.Fatalf("AssumeRolePolicyDocument = %q, want it URL-encoded as AWS returns it", doc)
	}
	if dec, _ := url.QueryUnescape(doc); dec != trust {
		t.Fatalf("decoded trust policy = %q, want %q", dec, trust)
	}
	if aws.ToInt32(got.Role.MaxSessionDuration) != 7200 || aws.ToString(got.Role.Description) != "forwards events" ||
		len(got.Role.Tags) != 1 || aws.ToString(got.Role.Tags[0].Key) != "orgnotify:owner" {
		t.Fatalf("GetRole = %+v", got.Role)
	}

	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("orgnotify-forwarder"),
		PolicyName: aws.String("put-events"), PolicyDocument: aws.String(putEvents)})
	awssimtest.WantCode(t, err, "")
	pol, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("orgnotify-forwarder"), PolicyName: aws.String("put-events")})
	awssimtest.WantCode(t, err, "")
	if dec, _ := url.QueryUnescape(aws.ToString(pol.PolicyDocument)); dec != putEvents || aws.ToString(pol.PolicyDocument) == putEvents {
		t.Fatalf("PolicyDocument = %q, want putEvents URL-encoded", aws.ToString(pol.PolicyDocument))
	}
	names, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("orgnotify-forwarder")})
	awssimtest.WantCode(t, err, "")
	if fmt.Sprint(names.PolicyNames) != "[put-events]" {
		t.Fatalf("ListRolePolicies = %v", names.PolicyNames)
	}

	newTrust := strings.Replace(trust, mgmt, member, 1)
	awssimtest.WantCall(t, c.UpdateAssumeRolePolicy, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("orgnotify-forwarder"), PolicyDocument: aws.String(newTrust)}, "")
	got, _ = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("orgnotify-forwarder")})
	if dec, _ := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument)); dec != newTrust {
		t.Fatalf("trust after update = %q", dec)
	}

	awssimtest.WantCall(t, c.DeleteRole, &iam.DeleteRoleInput{RoleName: aws.String("orgnotify-forwarder")}, "DeleteConflict")
	awssimtest.WantCall(t, c.DeleteRolePolicy, &iam.DeleteRolePolicyInput{RoleName: aws.String("orgnotify-forwarder"), PolicyName: aws.String("put-events")}, "")
	awssimtest.WantCall(t, c.DeleteRolePolicy, &iam.DeleteRolePolicyInput{RoleName: aws.String("orgnotify-forwarder"), PolicyName: aws.String("put-events")}, "NoSuchEntity")
	awssimtest.WantCall(t, c.DeleteRole, &iam.DeleteRoleInput{RoleName: aws.String("orgnotify-forwarder")}, "")
	awssimtest.WantCall(t, c.GetRole, &iam.GetRoleInput{RoleName: aws.String("orgnotify-forwarder")}, "NoSuchEntity")
}

func TestValidation(t *testing.T) {
	ctx := context.Background()
	_, c := start(t)
	awssimtest.WantCall(t, c.CreateRole, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)}, "")
	many := make([]types.Tag, 51)
	for i := range many {
		many[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")}
	}
	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"trust policy not JSON", func() error {
			_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("a"), AssumeRolePolicyDocument: aws.String("{")})
			return err
		}, "MalformedPolicyDocument"},
		{"trust policy with a Resource", awssimtest.Call(ctx, c.CreateRole, &iam.CreateRoleInput{RoleName: aws.String("a"), AssumeRolePolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`)}), "MalformedPolicyDocument"},
		{"inline policy with a Principal", awssimtest.Call(ctx, c.PutRolePolicy, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"*"}]}`)}), "MalformedPolicyDocument"},
		{"51 tags on create", awssimtest.Call(ctx, c.CreateRole, &iam.CreateRoleInput{RoleName: aws.String("a"), AssumeRolePolicyDocument: aws.String(trust), Tags: many}), "LimitExceeded"},
		{"51 tags by TagRole", awssimtest.Call(ctx, c.TagRole, &iam.TagRoleInput{RoleName: aws.String("r"), Tags: many}), "LimitExceeded"},
		{"bad role name", awssimtest.Call(ctx, c.CreateRole, &iam.CreateRoleInput{RoleName: aws.String("a b"), AssumeRolePolicyDocument: aws.String(trust)}), "ValidationError"},
		{"bad path", awssimtest.Call(ctx, c.CreateRole, &iam.CreateRoleInput{RoleName: aws.String("a"), Path: aws.String("orgnotify"), AssumeRolePolicyDocument: aws.String(trust)}), "ValidationError"},
		{"session duration", awssimtest.Call(ctx, c.CreateRole, &iam.CreateRoleInput{RoleName: aws.String("a"), MaxSessionDuration: aws.Int32(60), AssumeRolePolicyDocument: aws.String(trust)}), "ValidationError"},
		{"missing role", awssimtest.Call(ctx, c.PutRolePolicy, &iam.PutRolePolicyInput{RoleName: aws.String("nope"), PolicyName: aws.String("p"), PolicyDocument: aws.String(putEvents)}), "NoSuchEntity"},
		{"reserved tag key", awssimtest.Call(ctx, c.TagRole, &iam.TagRoleInput{RoleName: aws.String("r"), Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}}), "InvalidInput"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { awssimtest.WantCode(t, tc.call(), tc.want) })
	}
	// A refused TagRole changes nothing.
	tags, err := c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("r")})
	awssimtest.WantCode(t, err, "")
	if len(tags.Tags) != 0 {
		t.Fatalf("tags after refused TagRole = %v", tags.Tags)
	}
}

func TestTagsAndListing(t *testing.T) {
	ctx := context.Background()
	env, c := start(t)
	for i := 0; i < 5; i++ {
		path := "/orgnotify/"
		if i%2 == 1 {
			path = "/other/"
		}
		awssimtest.WantCall(t, c.CreateRole, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("role-%d", i)), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(trust)}, "")
	}
	var seen []string
	p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{PathPrefix: aws.String("/orgnotify/"), MaxItems: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		awssimtest.WantCode(t, err, "")
		pages++
		for _, r := range out.Roles {
			seen = append(seen, aws.ToString(r.RoleName))
			if len(r.Tags) != 0 {
				t.Fatalf("ListRoles returned tags; AWS leaves them out")
			}
		}
	}
	if fmt.Sprint(seen) != "[role-0 role-2 role-4]" || pages != 2 {
		t.Fatalf("ListRoles /orgnotify/ = %v in %d pages, want [role-0 role-2 role-4] in 2", seen, pages)
	}

	_, err := c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("role-0"), Tags: []types.Tag{
		{Key: aws.String("b"), Value: aws.String("1")}, {Key: aws.String("a"), Value: aws.String("2")}}})
	awssimtest.WantCode(t, err, "")
	awssimtest.WantCall(t, c.UntagRole, &iam.UntagRoleInput{RoleName: aws.String("role-0"), TagKeys: []string{"b"}}, "")
	tags, err := c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("role-0")})
	awssimtest.WantCode(t, err, "")
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "a" {
		t.Fatalf("tags = %+v, want only a", tags.Tags)
	}

	// Roles live per account: the member does not see the management
	// account's roles.
	creds, err := sts.NewFromConfig(env.Config(t, "us-east-1")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(awssimtest.AccessRoleARN(member)), RoleSessionName: aws.String("test")})
	awssimtest.WantCode(t, err, "")
	mc := iam.NewFromConfig(env.ConfigWithKeys(t, "eu-west-1", aws.ToString(creds.Credentials.AccessKeyId),
		aws.ToString(creds.Credentials.SecretAccessKey), aws.ToString(creds.Credentials.SessionToken)))
	awssimtest.WantCall(t, mc.GetRole, &iam.GetRoleInput{RoleName: aws.String("role-0")}, "NoSuchEntity")
}

// TestPropagation: with the delay knob set, a new role is not yet visible,
// and the SDK's RoleExists waiter is how a caller waits for it.
func TestPropagation(t *testing.T) {
	ctx := context.Background()
	env, c := start(t)
	env.Sim.IAM.SetPropagationDelay(1500 * time.Millisecond)
	awssimtest.WantCall(t, c.CreateRole, &iam.CreateRoleInput{RoleName: aws.String("fresh"), AssumeRolePolicyDocument: aws.String(trust)}, "")
	awssimtest.WantCall(t, c.GetRole, &iam.GetRoleInput{RoleName: aws.String("fresh")}, "NoSuchEntity")
	w := iam.NewRoleExistsWaiter(c, func(o *iam.RoleExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 200*time.Millisecond, 400*time.Millisecond
	})
	if err := w.Wait(ctx, &iam.GetRoleInput{RoleName: aws.String("fresh")}, 20*time.Second); err != nil {
		t.Fatalf("RoleExists waiter: %v", err)
	}
	awssimtest.WantCall(t, c.GetRole, &iam.GetRoleInput{RoleName: aws.String("fresh")}, "")
}
