package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
)

const exampleSeed = "../../internal/awssim/testdata/seed.yaml"

// TestRunServes starts the command on a free port with the example seed and
// faults, waits for the ready line and calls it through the real SDK.
func TestRunServes(t *testing.T) {
	faults := filepath.Join(t.TempDir(), "faults.json")
	if err := os.WriteFile(faults, []byte(`{"throttleOps":{"organizations:DescribeAccount":-1}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-seed", exampleSeed, "-faults", faults}, pw, &stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no ready line: %v; stderr: %s", err, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "awssim ready on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0") {
		t.Fatalf("ready line = %q", line)
	}

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
	if len(accts.Accounts) != 6 || aws.ToString(accts.Accounts[1].Name) != "security-audit" {
		t.Errorf("accounts from the example seed: %d, second %q", len(accts.Accounts), aws.ToString(accts.Accounts[1].Name))
	}
	if _, err := c.DescribeAccount(context.Background(), &organizations.DescribeAccountInput{AccountId: aws.String("222222222222")}); err == nil ||
		!strings.Contains(err.Error(), "TooManyRequestsException") {
		t.Errorf("the -faults file was not applied: %v", err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
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
		{"unknown seed field", []string{"-seed", typo}, "field managmentAccount not found"},
		{"invalid organization", []string{"-seed", badAcct}, `seed organization: account "12" is not a 12-digit account ID`},
		{"faults of the wrong type", []string{"-faults", badFaults}, "parse faults"},
		{"unknown fault field", []string{"-faults", unknownFault}, `unknown field "throttle"`},
		{"address in use or invalid", []string{"-addr", "127.0.0.1:99999"}, "listen"},
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
