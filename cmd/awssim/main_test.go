package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
)

const seedDir = "../../internal/awssim/testdata/"

// TestRunServes starts the command on a free port with each example seed and
// a faults file, waits for the ready line and calls it through the real SDK.
func TestRunServes(t *testing.T) {
	tests := []struct {
		name       string
		seed       string
		wantNames  []string // ListAccounts, in order
		checkState func(t *testing.T, cfg aws.Config)
	}{
		{"organization only", "seed.yaml",
			[]string{"management", "security-audit", "log-archive", "payments-prod", "payments-dev", "legacy"}, nil},
		// The management account is not listed in this seed: it is added first.
		{"organization, costs and events", "costs-seed.yaml",
			[]string{"management", "payments-prod", "data-dev"}, checkCostsAndEvents},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			faults := filepath.Join(t.TempDir(), "faults.json")
			if err := os.WriteFile(faults, []byte(`{"throttleOps":{"organizations:DescribeAccount":-1}}`), 0o600); err != nil {
				t.Fatal(err)
			}
			url := serve(t, "-addr", "127.0.0.1:0", "-seed", seedDir+tt.seed, "-faults", faults)

			resp, err := http.Get(url + "/_awssim/health")
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("health: %v %v", resp, err)
			}
			resp.Body.Close()

			cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"), config.WithBaseEndpoint(url),
				config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKID", "secret", "")),
				config.WithRetryMaxAttempts(1))
			if err != nil {
				t.Fatal(err)
			}
			c := organizations.NewFromConfig(cfg)
			accts, err := c.ListAccounts(context.Background(), &organizations.ListAccountsInput{})
			if err != nil {
				t.Fatalf("ListAccounts: %v", err)
			}
			var names []string
			for _, a := range accts.Accounts {
				names = append(names, aws.ToString(a.Name))
			}
			if !slices.Equal(names, tt.wantNames) {
				t.Errorf("accounts = %q, want %q", names, tt.wantNames)
			}
			if _, err := c.DescribeAccount(context.Background(), &organizations.DescribeAccountInput{AccountId: aws.String("222222222222")}); err == nil ||
				!strings.Contains(err.Error(), "TooManyRequestsException") {
				t.Errorf("the -faults file was not applied: %v", err)
			}
			if tt.checkState != nil {
				tt.checkState(t, cfg)
			}
		})
	}
}

// checkCostsAndEvents reads the cost and CloudTrail sections of
// costs-seed.yaml back as the management account, which sees every account.
func checkCostsAndEvents(t *testing.T, cfg aws.Config) {
	t.Helper()
	ctx := context.Background()
	today := time.Now().UTC()
	costs, err := costexplorer.NewFromConfig(cfg).GetCostAndUsage(ctx, &costexplorer.GetCostAndUsageInput{
		TimePeriod: &cetypes.DateInterval{
			Start: aws.String(today.AddDate(0, 0, -3).Format(time.DateOnly)),
			End:   aws.String(today.Format(time.DateOnly)),
		},
		Granularity: cetypes.GranularityMonthly,
		Metrics:     []string{"UnblendedCost"},
		GroupBy:     []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}},
	})
	if err != nil {
		t.Fatalf("GetCostAndUsage: %v", err)
	}
	accounts := map[string]bool{}
	for _, r := range costs.ResultsByTime {
		for _, g := range r.Groups {
			accounts[g.Keys[0]] = true
		}
	}
	if len(accounts) != 3 {
		t.Errorf("accounts with costs = %v, want the three of the seed", accounts)
	}

	events, err := cloudtrail.NewFromConfig(cfg).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("organizations.amazonaws.com")}},
	})
	if err != nil {
		t.Fatalf("LookupEvents: %v", err)
	}
	var names []string
	for _, e := range events.Events {
		names = append(names, aws.ToString(e.EventName))
	}
	slices.Sort(names)
	if want := []string{"CreateAccount", "DescribeOrganization", "MoveAccount"}; !slices.Equal(names, want) {
		t.Errorf("Organizations events = %q, want %q", names, want)
	}
}

// serve runs the command until the test ends and returns the URL of its
// ready line.
func serve(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, pw, &stderr)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run after cancel: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("run did not return after its context ended")
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no ready line: %v; stderr: %s", err, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "awssim ready on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0") {
		t.Fatalf("ready line = %q", line)
	}
	return url
}

// syncBuffer is a bytes.Buffer safe for the logger's goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	typo := write("typo.yaml", "organization:\n  managmentAccount: \"111111111111\"\n")
	badAcct := write("bad.yaml", "organization:\n  accounts:\n    - {id: \"12\"}\n")
	badFaults := write("faults.json", `{"throttleRate": "high"}`)
	unknownFault := write("faults2.json", `{"throttle": 0.5}`)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-port", "1"}, "flag provided but not defined: -port"},
		{"missing seed file", []string{"-seed", filepath.Join(dir, "none.yaml")}, "read seed"},
		{"unknown seed field names its line", []string{"-seed", typo}, "line 2: field managmentAccount not found in type org.Seed"},
		{"invalid organization", []string{"-seed", badAcct}, `seed organization: account "12" is not a 12-digit account ID`},
		{"faults of the wrong type", []string{"-faults", badFaults}, "parse faults"},
		{"unknown fault field", []string{"-faults", unknownFault}, `unknown field "throttle"`},
		{"address in use or invalid", []string{"-addr", "127.0.0.1:99999"}, "listen"},
		{"negative IAM propagation", []string{"-iam-propagation", "-1s"}, "-iam-propagation: -1s is negative"},
		// The file is checked by the same function as POST /_awssim/faults.
		{"throttle rate above 1", []string{"-faults", write("rate.json", `{"throttleRate":5}`)}, "throttleRate: 5 must be between 0 and 1"},
		{"negative latency", []string{"-faults", write("lat.json", `{"latency":{"*":"-1s"}}`)}, `latency["*"]: -1s is negative`},
		{"second JSON object", []string{"-faults", write("two.json", `{} {}`)}, "trailing data"},
		{"miscased operation", []string{"-faults", write("case.json", `{"throttleOps":{"events:putRule":1}}`)}, `did you mean "events:PutRule"`},
		{"unknown operation", []string{"-faults", write("op.json", `{"latency":{"events:PutEverything":"1s"}}`)}, `latency["events:PutEverything"]: operation PutEverything is not served`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), tc.args, &out, &errb)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run = %v, want an error containing %q", err, tc.want)
			}
			if out.Len() != 0 {
				t.Errorf("printed %q on stdout for a failed start", out.String())
			}
		})
	}
}

// Requests of TestConnectionsTimeOut: an SQS call whose body promises 100
// bytes and sends one, and a whole request after which the client keeps
// the connection open and sends nothing.
const (
	slowRequest = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n" +
		"X-Amz-Target: AmazonSQS.ListQueues\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00\r\n" +
		"Content-Length: 100\r\n\r\n{"
	idleRequest = "GET /_awssim/faults HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
)

// TestConnectionsTimeOut: a client that sends the headers and one byte of
// its body loses the connection after the read timeout, and one that
// leaves a keep-alive connection idle after the idle timeout.
func TestConnectionsTimeOut(t *testing.T) {
	for _, tc := range []struct {
		name, flag, request string
		answered            bool
	}{
		{"slow body", "-read-timeout", slowRequest, false},
		{"idle keep-alive", "-idle-timeout", idleRequest, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := serve(t, "-addr", "127.0.0.1:0", tc.flag, "200ms")
			conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tc.request); err != nil {
				t.Fatal(err)
			}
			// Generous against a loaded machine; without the timeout the
			// connection stays open for ever (slow body) or for the
			// 30-second read timeout (idle).
			if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(conn)
			if err != nil {
				t.Fatalf("the server kept the connection open: %v", err)
			}
			if answered := strings.HasPrefix(string(got), "HTTP/1.1 200 "); answered != tc.answered {
				t.Errorf("answer %q, want an answer: %v", got, tc.answered)
			}
		})
	}
}
