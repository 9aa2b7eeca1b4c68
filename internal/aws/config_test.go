package aws_test

import (
	"context"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/org"

	orgaws "github.com/orgnotify/orgnotify/internal/aws"
)

const (
	mgmt   = "111122223333"
	member = "222233334444"
)

// loadSim returns orgnotify's own configuration (retryer, HTTP client)
// pointed at a simulator, as AWS_ENDPOINT_URL does for a user.
func loadSim(t *testing.T, env *awssimtest.Env) sdkaws.Config {
	t.Helper()
	cfg, err := orgaws.LoadConfig(context.Background(), "us-east-1",
		config.WithBaseEndpoint(env.URL),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDCIROLE0000000000", "secret", "")),
	)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestSessionsAssumeOncePerAccount(t *testing.T) {
	env := awssimtest.Start(t, awssim.Seed{Organization: org.Seed{
		ManagementAccount: mgmt,
		Accounts:          []org.Account{{ID: member, Name: "hub"}},
	}})
	s := orgaws.NewSessions(loadSim(t, env), mgmt, org.AccessRole)
	ctx := context.Background()

	cases := []struct{ account, region string }{
		{member, "us-east-1"}, {member, "ap-northeast-1"}, {member, "us-east-1"}, {mgmt, "us-east-1"},
	}
	for _, c := range cases {
		out, err := sts.NewFromConfig(s.Config(c.account, c.region)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("%s/%s: %v", c.account, c.region, err)
		}
		if got := sdkaws.ToString(out.Account); got != c.account {
			t.Errorf("%s/%s: acting as %s", c.account, c.region, got)
		}
	}
	if got := env.Sim.Faults().Counts()["sts:AssumeRole"]; got != 1 {
		t.Errorf("AssumeRole called %d times, want 1 (one per member account, none for management)", got)
	}
}

func TestAssumeRoleIsRetriedWhenThrottled(t *testing.T) {
	env := awssimtest.Start(t, awssim.Seed{Organization: org.Seed{
		ManagementAccount: mgmt,
		Accounts:          []org.Account{{ID: member, Name: "hub"}},
	}})
	env.Sim.Faults().Set(awssim.FaultConfig{ThrottleOps: map[string]int{"sts:AssumeRole": 2}})
	s := orgaws.NewSessions(loadSim(t, env), mgmt, org.AccessRole)
	if _, err := sts.NewFromConfig(s.Config(member, "us-east-1")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("throttled AssumeRole not retried: %v", err)
	}
	if got := env.Sim.Faults().Counts()["sts:AssumeRole"]; got != 3 {
		t.Errorf("AssumeRole called %d times, want 3 (two throttled, one served)", got)
	}
}

// TestSessionsRenewBeforeExpiry (W15): credentials that expire within the
// renewal window are assumed again before the next call instead of being
// used until AWS refuses them. The simulator's STS issues them as if two
// minutes of their hour were left: inside the smallest renewal margin
// (a 5-minute window less up to half of it as jitter, 2.5 minutes).
func TestSessionsRenewBeforeExpiry(t *testing.T) {
	env := awssimtest.Start(t, awssim.Seed{Organization: org.Seed{
		ManagementAccount: mgmt,
		Accounts:          []org.Account{{ID: member, Name: "hub"}},
	}})
	env.Sim.SetClock(func() time.Time { return time.Now().Add(-58 * time.Minute) })
	s := orgaws.NewSessions(loadSim(t, env), mgmt, org.AccessRole)
	for i := range 3 {
		if _, err := sts.NewFromConfig(s.Config(member, "us-east-1")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	if got := env.Sim.Faults().Counts()["sts:AssumeRole"]; got != 3 {
		t.Errorf("AssumeRole called %d times for 3 calls with credentials about to expire, want 3 (renewed each time)", got)
	}
}

// TestLoadConfigWithoutCredentials: with nothing in the chain, LoadConfig
// says what to set instead of failing later inside the first AWS call.
func TestLoadConfigWithoutCredentials(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_ROLE_ARN": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": dir + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
	} {
		t.Setenv(k, v)
	}
	_, err := orgaws.LoadConfig(context.Background(), "us-east-1")
	if err == nil || !strings.Contains(err.Error(), "no usable AWS credentials") || !strings.Contains(err.Error(), "AWS_PROFILE") {
		t.Errorf("err = %v, want one naming the credential sources", err)
	}
}
