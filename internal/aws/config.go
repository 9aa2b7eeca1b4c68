// Package aws is the only production package that talks to AWS. It loads
// the SDK configuration from the standard chain, hands out per-account
// sessions (the management account's own credentials, memberRole
// everywhere else) and implements the small interfaces that reconcile,
// cost and events declare.
package aws

import (
	"context"
	"fmt"
	"sync"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awshttp"
	"github.com/orgnotify/orgnotify/internal/desired"
)

// Retry settings. An organization-wide apply makes thousands of calls and
// AWS throttles per account and API; retries back off exponentially with
// full jitter up to MaxBackoff (the SDK's standard retryer).
const (
	MaxAttempts = 10
	MaxBackoff  = 20 * time.Second
)

// LoadConfig loads the SDK configuration from the standard chain
// (AWS_REGION, AWS_PROFILE, web identity in GitHub Actions, AWS_ENDPOINT_URL
// for a simulator) with orgnotify's retryer and HTTP client. defaultRegion
// is used when the chain names none. opts are applied last, so tests can
// point the config anywhere.
func LoadConfig(ctx context.Context, defaultRegion string, opts ...func(*config.LoadOptions) error) (sdkaws.Config, error) {
	base := []func(*config.LoadOptions) error{
		config.WithRetryer(NewRetryer),
		// Before the chain is read, so that credential providers needing
		// a region (web identity's STS client) have one.
		config.WithDefaultRegion(defaultRegion),
	}
	cfg, err := config.LoadDefaultConfig(ctx, append(base, opts...)...)
	if err != nil {
		return sdkaws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	cfg.HTTPClient = awshttp.BufferedBodyClient{Inner: cfg.HTTPClient}
	// Fail here, once, with what to set, rather than in the first of many
	// calls with the SDK's chain of reasons. The credentials are cached, so
	// this costs no extra call later.
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return sdkaws.Config{}, fmt.Errorf("no usable AWS credentials (orgnotify reads the standard chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity from aws-actions/configure-aws-credentials, an instance role): %w", err)
	}
	return cfg, nil
}

// NewRetryer is the SDK's standard retryer (throttling, 5xx and transient
// connection errors, exponential backoff with jitter), tuned for many
// accounts. The client-side retry quota is off: under sustained throttling
// across a large organization it would turn retryable throttles into
// failures after a few hundred retries.
func NewRetryer() sdkaws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = MaxAttempts
		o.MaxBackoff = MaxBackoff
		o.RateLimiter = ratelimit.None
	})
}

// Sessions hands out configurations acting in each account of the
// organization: the base credentials (the CI role, which lives in the
// management account) for the management account, memberRole assumed from
// them for every other account. AWS gives the management account no
// memberRole, so it is never assumed there.
//
// One AssumeRole per account: the credentials are cached and shared by
// every region, and renewed ahead of expiry because role chaining caps a
// session at one hour (AWS-WIRING W15).
type Sessions struct {
	base       sdkaws.Config
	management string
	role       string
	sts        *sts.Client

	mu    sync.Mutex
	creds map[string]sdkaws.CredentialsProvider
}

// sessionName appears in CloudTrail as the assumed-role session, so an
// auditor sees which calls orgnotify made.
const sessionName = "orgnotify"

// NewSessions returns sessions derived from base.
func NewSessions(base sdkaws.Config, managementAccount, memberRole string) *Sessions {
	return &Sessions{
		base:       base,
		management: managementAccount,
		role:       memberRole,
		sts:        sts.NewFromConfig(base),
		creds:      map[string]sdkaws.CredentialsProvider{},
	}
}

// Config returns a configuration acting in account and region.
func (s *Sessions) Config(account, region string) sdkaws.Config {
	cfg := s.base.Copy()
	cfg.Region = region
	if account != s.management {
		cfg.Credentials = s.provider(account, region)
	}
	return cfg
}

func (s *Sessions) provider(account, region string) sdkaws.CredentialsProvider {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.creds[account]; ok {
		return p
	}
	arn := fmt.Sprintf("arn:%s:iam::%s:role/%s", desired.Partition(region), account, s.role)
	p := sdkaws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(s.sts, arn, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = sessionName
		o.Duration = time.Hour
	}), func(o *sdkaws.CredentialsCacheOptions) {
		o.ExpiryWindow = 5 * time.Minute
		o.ExpiryWindowJitterFrac = 0.5
	})
	s.creds[account] = p
	return p
}
