package awssim_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

const (
	acct    = "123456789012"
	badKey  = "AKIDBADTOKEN"
	oldKey  = "AKIDEXPIRED"
	fakeOrg = "o-fakefake00"
)

// ids resolves every key to acct, except two that model bad credentials.
type ids struct{}

func (ids) Resolve(key, _ string) (string, string, error) {
	switch key {
	case badKey:
		return "", "", wire.InvalidToken()
	case oldKey:
		return "", "", wire.ExpiredToken()
	}
	return acct, "arn:aws:iam::" + acct + ":root", nil
}

// fakeServer registers two tiny services under real services' names so the
// real SDK clients can call them: a JSON one (Organizations'
// DescribeOrganization) and a Query one (STS's GetCallerIdentity). Both fail
// on demand through the failWith value.
type fakeServer struct {
	*awssim.Server
	url      string
	failWith error
}

func startFake(t *testing.T) *fakeServer {
	t.Helper()
	f := &fakeServer{}
	orgSvc := wire.Service{
		SigningName: "organizations", Protocol: wire.JSON11, TargetPrefix: "AWSOrganizationsV20161128",
		ThrottleCode: "TooManyRequestsException", AccessDeniedCode: "AccessDeniedException",
		Ops: map[string]wire.Handler{"DescribeOrganization": func(context.Context, *wire.Request) (any, error) {
			if f.failWith != nil {
				return nil, f.failWith
			}
			return map[string]any{"Organization": map[string]string{"Id": fakeOrg}}, nil
		}},
	}
	stsSvc := wire.Service{
		SigningName: "sts", Protocol: wire.Query, XMLNamespace: "https://sts.amazonaws.com/doc/2011-06-15/",
		ThrottleCode: "Throttling", AccessDeniedCode: "AccessDenied",
		Ops: map[string]wire.Handler{"GetCallerIdentity": func(_ context.Context, r *wire.Request) (any, error) {
			if f.failWith != nil {
				return nil, f.failWith
			}
			return struct {
				Account string `xml:"Account"`
				Arn     string `xml:"Arn"`
				UserId  string `xml:"UserId"`
			}{r.Account, r.Principal, r.Account}, nil
		}},
	}
	var env *awssimtest.Env
	f.Server, env = awssimtest.Serve(t, ids{}, orgSvc, stsSvc)
	f.url = env.URL
	return f
}

// cfg returns an SDK configuration for the fake; attempts > 1 retries
// throttling without backoff so tests stay quick.
func (f *fakeServer) cfg(t testing.TB, key string, attempts int) aws.Config {
	t.Helper()
	env := &awssimtest.Env{URL: f.url}
	return env.ConfigWithKeys(t, "us-east-1", key, "secret", "", awssimtest.Retries(attempts))
}

func post(t *testing.T, url string, header map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

const goodAuth = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=00"

// TestRawRequests covers what only a hand-made request can send.
func TestRawRequests(t *testing.T) {
	f := startFake(t)
	jsonHdr := func(auth, target string) map[string]string {
		return map[string]string{"Authorization": auth, "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"}
	}
	formHdr := func(auth string) map[string]string {
		return map[string]string{"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"}
	}
	stsAuth := strings.Replace(goodAuth, "/organizations/", "/sts/", 1)
	cases := []struct {
		name       string
		header     map[string]string
		body       string
		wantStatus int
		wantCode   string
		wantXML    bool
	}{
		{"no Authorization", jsonHdr("", "AWSOrganizationsV20161128.DescribeOrganization"), "{}", 403, "MissingAuthenticationTokenException", false},
		{"no Authorization, Query client", formHdr(""), "Action=GetCallerIdentity&Version=2011-06-15", 403, "MissingAuthenticationTokenException", true},
		{"Basic scheme", jsonHdr("Basic Zm9vOmJhcg==", "AWSOrganizationsV20161128.DescribeOrganization"), "{}", 403, "IncompleteSignatureException", false},
		{"short credential scope", jsonHdr("AWS4-HMAC-SHA256 Credential=AKID/us-east-1/aws4_request, Signature=0", "AWSOrganizationsV20161128.DescribeOrganization"), "{}", 403, "IncompleteSignatureException", false},
		{"empty region in credential scope", jsonHdr("AWS4-HMAC-SHA256 Credential=AKID/20260101//organizations/aws4_request, SignedHeaders=host, Signature=00", "AWSOrganizationsV20161128.DescribeOrganization"), "{}", 403, "IncompleteSignatureException", false},
		{"no Credential", jsonHdr("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=0", "AWSOrganizationsV20161128.DescribeOrganization"), "{}", 403, "IncompleteSignatureException", false},
		{"unknown operation", jsonHdr(goodAuth, "AWSOrganizationsV20161128.CreateAccount"), "{}", 400, "UnknownOperationException", false},
		{"unknown target prefix", jsonHdr(goodAuth, "AmazonSSM.GetParameter"), "{}", 400, "UnrecognizedClientException", false},
		{"unknown Query action", formHdr(stsAuth), "Action=AssumeRoot&Version=2011-06-15", 400, "UnknownOperationException", true},
		{"Query without Action", formHdr(stsAuth), "Version=2011-06-15", 400, "MissingAction", true},
		{"body too large", jsonHdr(goodAuth, "AWSOrganizationsV20161128.DescribeOrganization"), strings.Repeat(" ", 4<<20+1), 413, "RequestEntityTooLarge", false},
		{"served", jsonHdr(goodAuth, "AWSOrganizationsV20161128.DescribeOrganization"), "{}", 200, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, hdr, body := post(t, f.url+"/", tc.header, tc.body)
			if status != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", status, tc.wantStatus, body)
			}
			if hdr.Get("X-Amzn-RequestId") == "" {
				t.Errorf("no X-Amzn-RequestId header")
			}
			if tc.wantCode == "" {
				return
			}
			var got string
			if tc.wantXML {
				var e struct {
					Error struct{ Type, Code, Message string }
				}
				if err := xml.Unmarshal([]byte(body), &e); err != nil {
					t.Fatalf("not an XML error: %v: %s", err, body)
				}
				got = e.Error.Code
			} else {
				var e struct {
					Type    string `json:"__type"`
					Message string `json:"message"`
				}
				if err := json.Unmarshal([]byte(body), &e); err != nil {
					t.Fatalf("not a JSON error: %v: %s", err, body)
				}
				got = e.Type
				if hdr.Get("X-Amzn-ErrorType") != tc.wantCode {
					t.Errorf("X-Amzn-ErrorType = %q, want %q", hdr.Get("X-Amzn-ErrorType"), tc.wantCode)
				}
			}
			if got != tc.wantCode {
				t.Errorf("code = %q, want %q; body %s", got, tc.wantCode, body)
			}
		})
	}
}

// TestErrorShapesThroughSDK shows the real clients parse both error shapes:
// modeled errors become their types, the rest smithy.APIError.
func TestErrorShapesThroughSDK(t *testing.T) {
	f := startFake(t)
	ctx := context.Background()
	orgs := organizations.NewFromConfig(f.cfg(t, "AKID", 1))
	st := sts.NewFromConfig(f.cfg(t, "AKID", 1))

	out, err := orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil || aws.ToString(out.Organization.Id) != fakeOrg {
		t.Fatalf("DescribeOrganization = %v, %v", out, err)
	}
	who, err := st.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Account) != acct || aws.ToString(who.Arn) != "arn:aws:iam::"+acct+":root" {
		t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
	}

	cases := []struct {
		name        string
		fail        error
		key         string
		jsonCode    string
		jsonStatus  int
		queryCode   string
		queryStatus int
	}{
		{"service error", wire.AccessDenied("You don't have permissions to access this resource."), "AKID", "AccessDeniedException", 400, "AccessDeniedException", 400},
		{"custom status", wire.Errorf("AccessDenied", 403, "nope & <nope>"), "AKID", "AccessDenied", 403, "AccessDenied", 403},
		{"plain Go error", errors.New("boom"), "AKID", "InternalFailure", 500, "InternalFailure", 500},
		{"invalid session token", nil, badKey, "UnrecognizedClientException", 400, "InvalidClientTokenId", 403},
		{"expired session token", nil, oldKey, "ExpiredTokenException", 400, "ExpiredToken", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.failWith = tc.fail
			defer func() { f.failWith = nil }()
			_, err := organizations.NewFromConfig(f.cfg(t, tc.key, 1)).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			if code, status := awssimtest.Code(t, err), awssimtest.Status(err); code != tc.jsonCode || status != tc.jsonStatus {
				t.Errorf("JSON error = %s %d (%v), want %s %d", code, status, err, tc.jsonCode, tc.jsonStatus)
			}
			_, err = sts.NewFromConfig(f.cfg(t, tc.key, 1)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if code, status := awssimtest.Code(t, err), awssimtest.Status(err); code != tc.queryCode || status != tc.queryStatus {
				t.Errorf("Query error = %s %d (%v), want %s %d", code, status, err, tc.queryCode, tc.queryStatus)
			}
		})
	}

	// A modeled error reaches its own type, message intact.
	f.failWith = wire.AccessDenied("You don't have permissions to access this resource.")
	_, err = orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	f.failWith = nil
	var denied *orgtypes.AccessDeniedException
	if !errors.As(err, &denied) || denied.ErrorMessage() != "You don't have permissions to access this resource." {
		t.Errorf("error = %v, want *types.AccessDeniedException with the message", err)
	}
}

func TestLatencyFault(t *testing.T) {
	f := startFake(t)
	orgs := organizations.NewFromConfig(f.cfg(t, "AKID", 1))
	const delay = 200 * time.Millisecond
	f.Faults().Set(awssim.FaultConfig{Latency: map[string]awssim.Duration{"organizations:DescribeOrganization": awssim.Duration(delay)}})

	start := time.Now()
	_, err := orgs.DescribeOrganization(context.Background(), &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < delay {
		t.Errorf("call took %v, want at least %v", el, delay)
	}
	ctx, cancel := context.WithTimeout(context.Background(), delay/4)
	defer cancel()
	_, err = orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("with a deadline shorter than the latency: %v, want context.DeadlineExceeded", err)
	}
	// Other operations are not delayed: STS answers inside the same deadline.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	if _, err := sts.NewFromConfig(f.cfg(t, "AKID", 1)).GetCallerIdentity(ctx2, &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("undelayed operation: %v", err)
	}
}

func TestThrottleOps(t *testing.T) {
	cases := []struct {
		name      string
		throttles int
		attempts  int
		wantCode  string
		wantCalls int
	}{
		{"retried past two throttles", 2, 3, "", 3},
		{"two throttles, two attempts", 2, 2, "Throttling", 2},
		{"every call throttled", -1, 3, "Throttling", 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := startFake(t)
			f.Faults().Set(awssim.FaultConfig{ThrottleOps: map[string]int{"sts:GetCallerIdentity": tc.throttles}})
			_, err := sts.NewFromConfig(f.cfg(t, "AKID", tc.attempts)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			if code := awssimtest.Code(t, err); code != tc.wantCode {
				t.Errorf("error = %v, want code %q", err, tc.wantCode)
			}
			if got := f.Faults().Counts()["sts:GetCallerIdentity"]; got != tc.wantCalls {
				t.Errorf("calls counted = %d, want %d", got, tc.wantCalls)
			}
			// Other operations are not throttled.
			if _, err := organizations.NewFromConfig(f.cfg(t, "AKID", 1)).DescribeOrganization(context.Background(), &organizations.DescribeOrganizationInput{}); err != nil {
				t.Errorf("unthrottled operation: %v", err)
			}
		})
	}
}

func TestThrottleRate(t *testing.T) {
	f := startFake(t)
	orgs := organizations.NewFromConfig(f.cfg(t, "AKID", 1))
	run := func(rate float64, seed uint64) []bool {
		f.Faults().Set(awssim.FaultConfig{ThrottleRate: rate, Seed: seed})
		var throttled []bool
		for range 100 {
			_, err := orgs.DescribeOrganization(context.Background(), &organizations.DescribeOrganizationInput{})
			code := awssimtest.Code(t, err)
			if err != nil && code != "TooManyRequestsException" {
				t.Fatalf("unexpected error: %v", err)
			}
			throttled = append(throttled, err != nil)
		}
		return throttled
	}
	count := func(b []bool) (n int) {
		for _, v := range b {
			if v {
				n++
			}
		}
		return n
	}
	if n := count(run(1, 1)); n != 100 {
		t.Errorf("rate 1: %d of 100 throttled", n)
	}
	if n := count(run(0, 1)); n != 0 {
		t.Errorf("rate 0: %d of 100 throttled", n)
	}
	a := run(0.3, 42)
	if n := count(a); n < 10 || n > 50 {
		t.Errorf("rate 0.3: %d of 100 throttled", n)
	}
	if b := run(0.3, 42); !slices.Equal(a, b) {
		t.Errorf("the same seed gave a different sequence")
	}
}

func TestDenyAccounts(t *testing.T) {
	f := startFake(t)
	ctx := context.Background()
	f.Faults().Set(awssim.FaultConfig{DenyAccounts: []string{"999999999999"}})
	if _, err := organizations.NewFromConfig(f.cfg(t, "AKID", 1)).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Fatalf("account not in the deny list: %v", err)
	}
	f.Faults().Set(awssim.FaultConfig{DenyAccounts: []string{acct}})
	_, err := organizations.NewFromConfig(f.cfg(t, "AKID", 1)).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var denied *orgtypes.AccessDeniedException
	if !errors.As(err, &denied) || !strings.Contains(denied.ErrorMessage(), "organizations:DescribeOrganization") {
		t.Errorf("JSON service: %v, want AccessDeniedException naming the action", err)
	}
	_, err = sts.NewFromConfig(f.cfg(t, "AKID", 1)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if code, status := awssimtest.Code(t, err), awssimtest.Status(err); code != "AccessDenied" || status != 403 {
		t.Errorf("Query service: %s %d, want AccessDenied 403", code, status)
	}
}

func TestAdminEndpoints(t *testing.T) {
	f := startFake(t)
	f.HandleAdmin("state", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "custom") })
	do := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, f.url+"/_awssim/"+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	// Two calls to count.
	orgs := organizations.NewFromConfig(f.cfg(t, "AKID", 1))
	for range 2 {
		if _, err := orgs.DescribeOrganization(context.Background(), &organizations.DescribeOrganizationInput{}); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name, method, path, body string
		wantStatus               int
		wantBody                 string // substring
	}{
		{"health", "GET", "health", "", 200, `{"status":"ok"}`},
		{"counters", "GET", "counters", "", 200, `{"organizations:DescribeOrganization":2}`},
		{"reset counters", "DELETE", "counters", "", 204, ""},
		{"counters after reset", "GET", "counters", "", 200, `{}`},
		{"counters POST", "POST", "counters", "", 405, ""},
		{"set faults", "POST", "faults", `{"latency":{"*":"5ms"},"throttleOps":{"sts:GetCallerIdentity":1},"denyAccounts":["210987654321"]}`, 200, `"latency":{"*":"5ms"}`},
		{"read faults", "GET", "faults", "", 200, `"throttleOps":{"sts:GetCallerIdentity":1}`},
		{"unknown field", "POST", "faults", `{"throttle":0.5}`, 400, `unknown field`},
		{"rate above 1", "POST", "faults", `{"throttleRate":1.5}`, 400, `between 0 and 1`},
		{"bad duration", "POST", "faults", `{"latency":{"*":"soon"}}`, 400, `invalid duration`},
		{"not JSON", "POST", "faults", `{`, 400, `error`},
		{"faults unchanged by bad posts", "GET", "faults", "", 200, `"denyAccounts":["210987654321"]`},
		{"PUT replaces", "PUT", "faults", `{}`, 200, `{}`},
		{"faults DELETE", "DELETE", "faults", "", 405, ""},
		{"custom hook", "GET", "state", "", 200, "custom"},
		{"unknown endpoint", "GET", "nope", "", 404, `"endpoints":["counters","faults","health","state"]`},
	}
	for _, st := range steps {
		status, body := do(st.method, st.path, st.body)
		if status != st.wantStatus || !strings.Contains(body, st.wantBody) {
			t.Errorf("%s: %d %s, want %d containing %s", st.name, status, body, st.wantStatus, st.wantBody)
		}
	}
	if cfg := f.Faults().Config(); len(cfg.Latency) != 0 || len(cfg.ThrottleOps) != 0 {
		t.Errorf("after PUT {}: %+v, want no faults", cfg)
	}
}

// TestFaultConfigIsCopied guards against the injector counting down the
// caller's own ThrottleOps map (a data race with whoever holds it).
func TestFaultConfigIsCopied(t *testing.T) {
	f := startFake(t)
	ops := map[string]int{"sts:GetCallerIdentity": 1}
	f.Faults().Set(awssim.FaultConfig{ThrottleOps: ops})
	_, _ = sts.NewFromConfig(f.cfg(t, "AKID", 1)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if ops["sts:GetCallerIdentity"] != 1 {
		t.Errorf("caller's map changed to %v", ops)
	}
	if got := f.Faults().Config().ThrottleOps["sts:GetCallerIdentity"]; got != 0 {
		t.Errorf("remaining throttles = %d, want 0", got)
	}
}

// TestCloudTrailTargetPrefixes sends LookupEvents by hand with the
// X-Amz-Target of each client family: aws-sdk-go-v2 uses the short prefix,
// boto and the AWS CLI the long one of the service model. Both must reach
// CloudTrail; a prefix that is neither must not.
func TestCloudTrailTargetPrefixes(t *testing.T) {
	seed, err := awssim.LoadSeed("testdata/costs-seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := awssimtest.Start(t, seed)
	auth := strings.Replace(goodAuth, "/organizations/", "/cloudtrail/", 1)
	body := `{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"CreateAccount"}]}`
	cases := []struct {
		name       string
		target     string
		wantStatus int
		wantEvents int
	}{
		{"aws-sdk-go-v2", "CloudTrail_20131101.LookupEvents", 200, 1},
		{"boto and the CLI", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", 200, 1},
		{"neither", "com.amazonaws.cloudtrail.v20131101.LookupEvents", 400, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, _, resp := post(t, env.URL+"/", map[string]string{
				"Authorization": auth, "X-Amz-Target": tc.target, "Content-Type": "application/x-amz-json-1.1"}, body)
			if status != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", status, tc.wantStatus, resp)
			}
			if status != 200 {
				if !strings.Contains(resp, `"__type":"UnrecognizedClientException"`) {
					t.Errorf("body = %s, want UnrecognizedClientException", resp)
				}
				return
			}
			var out struct{ Events []struct{ EventName string } }
			if err := json.Unmarshal([]byte(resp), &out); err != nil {
				t.Fatalf("response %s: %v", resp, err)
			}
			if len(out.Events) != tc.wantEvents || out.Events[0].EventName != "CreateAccount" {
				t.Errorf("events = %+v, want %d CreateAccount", out.Events, tc.wantEvents)
			}
		})
	}
}
