package cloudtrail_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ct "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	eb "github.com/orgnotify/orgnotify/internal/awssim/eventbridge"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
)

func orgEnv(t *testing.T) *awssimtest.Env {
	return awssimtest.Start(t, awssim.Seed{Organization: org.Seed{ManagementAccount: mgmt, OrganizationID: "o-abc123defg",
		Accounts: []org.Account{{ID: member, Name: "payments"}}}})
}

func memberConfig(t *testing.T, env *awssimtest.Env, region string) aws.Config {
	t.Helper()
	cfg, _ := env.AssumeRole(t, env.Config(t, region), region, sts.AssumeRoleInput{RoleArn: aws.String(awssimtest.AccessRoleARN(member))})
	return cfg
}

func TestTrails(t *testing.T) {
	ctx := context.Background()
	env := orgEnv(t)
	east := ct.NewFromConfig(env.Config(t, "us-east-1"))
	west := ct.NewFromConfig(env.Config(t, "eu-west-1"))

	out, err := east.CreateTrail(ctx, &ct.CreateTrailInput{Name: aws.String("org-trail"), S3BucketName: aws.String("logs"), IsMultiRegionTrail: aws.Bool(true)})
	awssimtest.WantCode(t, err, "")
	arn := aws.ToString(out.TrailARN)
	if arn != "arn:aws:cloudtrail:us-east-1:"+mgmt+":trail/org-trail" || !aws.ToBool(out.IsMultiRegionTrail) {
		t.Fatalf("CreateTrail = %+v", out)
	}
	awssimtest.WantCall(t, east.CreateTrail, &ct.CreateTrailInput{Name: aws.String("org-trail"), S3BucketName: aws.String("logs")}, "TrailAlreadyExistsException")
	awssimtest.WantCall(t, east.CreateTrail, &ct.CreateTrailInput{Name: aws.String("a"), S3BucketName: aws.String("logs")}, "InvalidTrailNameException")
	awssimtest.WantCall(t, west.CreateTrail, &ct.CreateTrailInput{Name: aws.String("local"), S3BucketName: aws.String("logs")}, "")

	status, err := east.GetTrailStatus(ctx, &ct.GetTrailStatusInput{Name: aws.String("org-trail")})
	awssimtest.WantCode(t, err, "")
	if aws.ToBool(status.IsLogging) {
		t.Fatal("a new trail is logging; AWS starts it with StartLogging")
	}
	// Only the home region starts or deletes a trail.
	awssimtest.WantCall(t, west.StartLogging, &ct.StartLoggingInput{Name: aws.String(arn)}, "InvalidHomeRegionException")
	awssimtest.WantCall(t, east.StartLogging, &ct.StartLoggingInput{Name: aws.String("org-trail")}, "")
	status, err = west.GetTrailStatus(ctx, &ct.GetTrailStatusInput{Name: aws.String(arn)})
	awssimtest.WantCode(t, err, "")
	if !aws.ToBool(status.IsLogging) || status.StartLoggingTime == nil {
		t.Fatalf("status of the shadow trail = %+v, want logging", status)
	}

	names := func(c *ct.Client, in *ct.DescribeTrailsInput) string {
		out, err := c.DescribeTrails(ctx, in)
		awssimtest.WantCode(t, err, "")
		var s []string
		for _, tr := range out.TrailList {
			s = append(s, aws.ToString(tr.Name)+"@"+aws.ToString(tr.HomeRegion))
		}
		return fmt.Sprint(s)
	}
	if got := names(west, &ct.DescribeTrailsInput{}); got != "[local@eu-west-1 org-trail@us-east-1]" {
		t.Errorf("DescribeTrails in eu-west-1 = %s, want the local trail and the multi-region one as a shadow", got)
	}
	if got := names(west, &ct.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)}); got != "[local@eu-west-1]" {
		t.Errorf("DescribeTrails without shadows = %s", got)
	}
	if got := names(east, &ct.DescribeTrailsInput{TrailNameList: []string{"org-trail", "nope"}}); got != "[org-trail@us-east-1]" {
		t.Errorf("DescribeTrails by name = %s", got)
	}
	if got := names(ct.NewFromConfig(memberConfig(t, env, "us-east-1")), &ct.DescribeTrailsInput{}); got != "[]" {
		t.Errorf("the member sees the management account's trails: %s", got)
	}

	awssimtest.WantCall(t, east.StopLogging, &ct.StopLoggingInput{Name: aws.String("org-trail")}, "")
	status, _ = east.GetTrailStatus(ctx, &ct.GetTrailStatusInput{Name: aws.String("org-trail")})
	if aws.ToBool(status.IsLogging) || status.StopLoggingTime == nil {
		t.Fatalf("after StopLogging: %+v", status)
	}
	awssimtest.WantCall(t, east.DeleteTrail, &ct.DeleteTrailInput{Name: aws.String("org-trail")}, "")
	awssimtest.WantCall(t, east.GetTrailStatus, &ct.GetTrailStatusInput{Name: aws.String("org-trail")}, "TrailNotFoundException")
}

// TestAPICallEventsNeedATrail is W9: an "AWS API Call via CloudTrail"
// event reaches EventBridge only where a trail is logging; a service event
// (CreateAccountResult) needs none.
func TestAPICallEventsNeedATrail(t *testing.T) {
	ctx := context.Background()
	env := orgEnv(t)
	cfg := env.Config(t, "us-east-1")
	url := awssimtest.RuleToQueue(t, cfg, mgmt, "lifecycle", `{"source":["aws.organizations"]}`)
	q := sqs.NewFromConfig(cfg)
	depth := func() int {
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10})
		awssimtest.WantCode(t, err, "")
		for _, m := range out.Messages {
			_, _ = q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: m.ReceiptHandle})
		}
		return len(out.Messages)
	}
	apiCall := eb.ServiceEvent{Source: "aws.organizations", DetailType: "AWS API Call via CloudTrail", Detail: json.RawMessage(`{"eventName":"InviteAccountToOrganization"}`)}
	serviceEvent := eb.ServiceEvent{Source: "aws.organizations", DetailType: "AWS Service Event via CloudTrail", Detail: json.RawMessage(`{"eventName":"CreateAccountResult"}`)}

	_, err := env.Sim.EventBridge.PutServiceEvent(ctx, mgmt, "us-east-1", apiCall)
	if !errors.Is(err, eb.ErrNoTrail) {
		t.Fatalf("API call event without a trail: err = %v, want ErrNoTrail", err)
	}
	if _, err := env.Sim.EventBridge.PutServiceEvent(ctx, mgmt, "us-east-1", serviceEvent); err != nil {
		t.Fatalf("service event without a trail: %v", err)
	}
	if n := depth(); n != 1 {
		t.Fatalf("queue got %d events, want only the service event", n)
	}

	// A trail that is not logging does not count; a multi-region trail in
	// another region, once logging, does.
	trails := ct.NewFromConfig(env.Config(t, "eu-west-1"))
	awssimtest.WantCall(t, trails.CreateTrail, &ct.CreateTrailInput{Name: aws.String("all"), S3BucketName: aws.String("logs"), IsMultiRegionTrail: aws.Bool(true)}, "")
	if _, err := env.Sim.EventBridge.PutServiceEvent(ctx, mgmt, "us-east-1", apiCall); !errors.Is(err, eb.ErrNoTrail) {
		t.Fatalf("API call event with a stopped trail: err = %v", err)
	}
	awssimtest.WantCall(t, trails.StartLogging, &ct.StartLoggingInput{Name: aws.String("all")}, "")
	if _, err := env.Sim.EventBridge.PutServiceEvent(ctx, mgmt, "us-east-1", apiCall); err != nil {
		t.Fatalf("API call event with a logging multi-region trail: %v", err)
	}
	if n := depth(); n != 1 {
		t.Fatalf("queue got %d events, want the API call", n)
	}
	// The management account's trail is not the member's.
	if _, err := env.Sim.EventBridge.PutServiceEvent(ctx, member, "us-east-1", apiCall); !errors.Is(err, eb.ErrNoTrail) {
		t.Fatalf("member API call event with only the management account's trail: err = %v", err)
	}
	// An organization trail logs for every account of the organization.
	awssimtest.WantCall(t, trails.CreateTrail, &ct.CreateTrailInput{Name: aws.String("org"), S3BucketName: aws.String("logs"), IsOrganizationTrail: aws.Bool(true)}, "")
	awssimtest.WantCall(t, trails.StartLogging, &ct.StartLoggingInput{Name: aws.String("org")}, "")
	if _, err := env.Sim.EventBridge.PutServiceEvent(ctx, member, "eu-west-1", apiCall); err != nil {
		t.Fatalf("member API call event under an organization trail: %v", err)
	}
	_, err = ct.NewFromConfig(memberConfig(t, env, "eu-west-1")).CreateTrail(ctx, &ct.CreateTrailInput{Name: aws.String("org"), S3BucketName: aws.String("logs"), IsOrganizationTrail: aws.Bool(true)})
	awssimtest.WantCode(t, err, "NotOrganizationManagementAccountException")
}
