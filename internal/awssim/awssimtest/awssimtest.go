// Package awssimtest starts the AWS simulator on 127.0.0.1 for tests and
// hands out aws.Config values that point the real aws-sdk-go-v2 clients at it.
package awssimtest

import (
	"context"
	"errors"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	sdkhttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/orgnotify/orgnotify/internal/awshttp"
	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// Env is a running simulator.
type Env struct {
	Sim *awssim.Sim
	URL string
}

// Start runs a simulator with the seed until the test ends.
func Start(t testing.TB, seed awssim.Seed) *Env {
	t.Helper()
	sim, err := awssim.New(seed, nil)
	if err != nil {
		t.Fatalf("awssim: %v", err)
	}
	return &Env{Sim: sim, URL: listen(t, sim)}
}

// StartOrg runs a simulator whose organization is the management account
// mgmt and the member accounts.
func StartOrg(t testing.TB, mgmt string, members ...org.Account) *Env {
	t.Helper()
	return Start(t, awssim.Seed{Organization: org.Seed{ManagementAccount: mgmt, Accounts: members}})
}

// RoleARN is the ARN of the role name in account.
func RoleARN(account, name string) string { return "arn:aws:iam::" + account + ":role/" + name }

// AccessRoleARN is the ARN of account's OrganizationAccountAccessRole.
func AccessRoleARN(account string) string { return RoleARN(account, org.AccessRole) }

// Serve runs the services alone behind the simulator's router, with ids
// resolving access keys, until the test ends. Env.Sim is nil.
func Serve(t testing.TB, ids awssim.Identities, svcs ...wire.Service) (*awssim.Server, *Env) {
	t.Helper()
	srv := awssim.NewServer(ids, nil)
	for _, svc := range svcs {
		srv.Register(svc)
	}
	return srv, &Env{URL: listen(t, srv)}
}

// listen serves h on 127.0.0.1 with the simulator's timeouts until the test
// ends and returns its URL.
func listen(t testing.TB, h http.Handler) string {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadHeaderTimeout = awssim.ReadHeaderTimeout
	srv.Config.ReadTimeout = awssim.ReadTimeout
	srv.Config.IdleTimeout = awssim.IdleTimeout
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// Keys maps access keys to the accounts whose root they act as, for a
// service served alone (Serve); an unknown key is refused as AWS refuses it.
type Keys map[string]string

// Resolve implements awssim.Identities.
func (k Keys) Resolve(accessKey, _ string) (string, string, error) {
	acct, ok := k[accessKey]
	if !ok {
		return "", "", wire.Errorf("UnrecognizedClientException", http.StatusForbidden, "unknown access key %s", accessKey)
	}
	return acct, "arn:aws:iam::" + acct + ":root", nil
}

// AtClock makes every operation of svc see now as the current time.
func AtClock(svc wire.Service, now time.Time) wire.Service {
	ops := make(map[string]wire.Handler, len(svc.Ops))
	for name, h := range svc.Ops {
		ops[name] = func(ctx context.Context, r *wire.Request) (any, error) {
			r.Now = now
			return h(ctx, r)
		}
	}
	svc.Ops = ops
	return svc
}

// Config returns an aws.Config for region whose base credentials act as the
// organization's management account. Retries are limited to keep error-path
// tests quick; pass a config.LoadOptions func to change anything.
func (e *Env) Config(t testing.TB, region string, opts ...func(*config.LoadOptions) error) aws.Config {
	t.Helper()
	return e.ConfigWithKeys(t, region, "AKIDSIMBASE000000000", "secret", "", opts...)
}

// ConfigWithKeys returns an aws.Config using the given credentials (for
// example those returned by AssumeRole).
func (e *Env) ConfigWithKeys(t testing.TB, region, accessKey, secret, token string, opts ...func(*config.LoadOptions) error) aws.Config {
	t.Helper()
	base := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(accessKey, secret, token)),
		config.WithBaseEndpoint(e.URL),
		config.WithRetryer(connRetryer),
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), append(base, opts...)...)
	if err != nil {
		t.Fatalf("aws config: %v", err)
	}
	// Wrapped after loading, so that whatever the loader configured on the
	// client (a CA bundle from the environment, say) stays in place; the
	// wrapper is the product's guard against aws/aws-sdk-go-v2#2737.
	cfg.HTTPClient = awshttp.BufferedBodyClient{Inner: cfg.HTTPClient}
	return cfg
}

// AssumeRole assumes in.RoleArn with from's credentials and returns an
// aws.Config for region that acts through the session, and the session's
// AssumedRoleId. RoleSessionName defaults to "test"; an error fails the
// test.
func (e *Env) AssumeRole(t testing.TB, from aws.Config, region string, in sts.AssumeRoleInput) (aws.Config, string) {
	t.Helper()
	if in.RoleSessionName == nil {
		in.RoleSessionName = aws.String("test")
	}
	out, err := sts.NewFromConfig(from).AssumeRole(context.Background(), &in)
	WantCode(t, err, "")
	c := out.Credentials
	cfg := e.ConfigWithKeys(t, region, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	return cfg, aws.ToString(out.AssumedRoleUser.AssumedRoleId)
}

// RuleToQueue routes the events that pattern matches on the default bus of
// cfg's account to a queue: a rule and a queue both called name, the
// queue's policy letting the rule send. It returns the queue's URL; any
// error fails the test.
func RuleToQueue(t testing.TB, cfg aws.Config, account, name, pattern string) *string {
	t.Helper()
	ctx := context.Background()
	events := eventbridge.NewFromConfig(cfg)
	rule, err := events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(pattern)})
	WantCode(t, err, "")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*","Condition":{"ArnEquals":{"aws:SourceArn":"` + aws.ToString(rule.RuleArn) + `"}}}]}`
	q, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: map[string]string{"Policy": policy}})
	WantCode(t, err, "")
	_, err = events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:" + cfg.Region + ":" + account + ":" + name)}}})
	WantCode(t, err, "")
	return q.QueueUrl
}

// connRetryer retries only a request whose connection the SDK's transport
// closed under it ("use of closed network connection", aws/aws-sdk-go-v2#2737:
// about one call in 1,500 on loopback). Throttling and API errors reach the
// test on the first attempt, so fault-injection tests see exactly what they
// injected; a test that wants the SDK's own retries passes Retries.
func connRetryer() aws.Retryer {
	return retry.NewStandard(quickRetries(3), func(o *retry.StandardOptions) {
		o.Retryables = []retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			if errors.Is(err, net.ErrClosed) {
				return aws.TrueTernary
			}
			return aws.FalseTernary
		})}
	})
}

// Retries is the config option of a test of the SDK's own retries: up to
// attempts attempts of what the SDK retries, at once.
func Retries(attempts int) func(*config.LoadOptions) error {
	return config.WithRetryer(func() aws.Retryer { return retry.NewStandard(quickRetries(attempts)) })
}

// quickRetries makes up to attempts attempts without backoff and without
// the retry token bucket, which would stop retries after a burst of
// throttles in one test.
func quickRetries(attempts int) func(*retry.StandardOptions) {
	return func(o *retry.StandardOptions) {
		o.MaxAttempts = attempts
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		o.RateLimiter = ratelimit.None
	}
}

// Code returns the AWS error code of err ("" for nil). An error that is not
// an API error (a transport failure, say) fails the test: the simulator
// must answer every call with a response the SDK can parse.
func Code(t testing.TB, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("not an API error: %v", err)
	}
	return ae.ErrorCode()
}

// Call returns a function that makes the SDK call op(ctx, in) and returns
// only its error: one line for each case of a table of error cases.
func Call[In, Out, Opt any](ctx context.Context, op func(context.Context, In, ...Opt) (Out, error), in In) func() error {
	return func() error {
		_, err := op(ctx, in)
		return err
	}
}

// WantCall makes the SDK call op(in) and fails the test unless its error
// carries the AWS error code want ("" wants no error).
func WantCall[In, Out, Opt any](t testing.TB, op func(context.Context, In, ...Opt) (Out, error), in In, want string) {
	t.Helper()
	_, err := op(t.Context(), in)
	WantCode(t, err, want)
}

// SortedTags renders tags as "key=value" pairs, sorted and joined by
// commas; kv reads one tag of the SDK's type for the service.
func SortedTags[T any](tags []T, kv func(T) (key, value *string)) string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		k, v := kv(t)
		out = append(out, aws.ToString(k)+"="+aws.ToString(v))
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// WantRejected checks that load accepts the seed entry ok alone and, in a
// subtest per named change (in name order), refuses it changed.
func WantRejected[T, R any](t *testing.T, load func([]T) (R, error), ok T, changes map[string]func(*T)) {
	t.Helper()
	if _, err := load([]T{ok}); err != nil {
		t.Fatalf("valid entry rejected: %v", err)
	}
	for _, name := range slices.Sorted(maps.Keys(changes)) {
		t.Run(name, func(t *testing.T) {
			e := ok
			changes[name](&e)
			if _, err := load([]T{e}); err == nil {
				t.Errorf("accepted %+v", e)
			}
		})
	}
}

// WireCode returns the code of err, an error of the simulator's in-process
// API (Deliver, AuthorizeKeyUse), "" for nil. An error that is not a
// *wire.Error fails the test.
func WireCode(t testing.TB, err error) string {
	t.Helper()
	var we *wire.Error
	if errors.As(err, &we) {
		return we.Code
	}
	if err != nil {
		t.Fatalf("error %v is not a *wire.Error", err)
	}
	return ""
}

// Must fails the test on err, naming the call what. Every operation the
// tests use is simulated, so an UnknownOperationException is a failure,
// not a reason to skip.
func Must(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// WantCode fails the test unless err carries the AWS error code want
// ("" wants no error).
func WantCode(t testing.TB, err error, want string) {
	t.Helper()
	if got := Code(t, err); got != want {
		t.Fatalf("error = %v, want code %q", err, want)
	}
}

// Status returns the HTTP status of the response an SDK error carries (0
// for nil or an error without a response).
func Status(err error) int {
	var re *sdkhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// WantStatus fails the test unless err, when not nil, came with the HTTP
// status want (0 wants any).
func WantStatus(t testing.TB, err error, want int) {
	t.Helper()
	if got := Status(err); err != nil && want != 0 && got != want {
		t.Errorf("HTTP status = %d, want %d (%v)", got, want, err)
	}
}
