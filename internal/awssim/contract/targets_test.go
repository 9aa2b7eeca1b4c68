package contract

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

const (
	region = "us-east-1"
	// goawsAccount is the account goaws is configured with; awssim's base
	// credentials act as its management account.
	goawsAccount  = "100010001000"
	awssimAccount = "111111111111"
)

// target is one running implementation and how to reach it.
type target struct {
	name    string
	account string
	sqs     *sqs.Client
	sns     *sns.Client
	goaws   bool
}

func newTarget(name, account string, cfg aws.Config, goaws bool) target {
	return target{name: name, account: account, sqs: sqs.NewFromConfig(cfg), sns: sns.NewFromConfig(cfg), goaws: goaws}
}

// forEachTarget runs fn once per target as a subtest. Each call starts
// fresh targets, so tests never see each other's queues and topics.
func forEachTarget(t *testing.T, fn func(t *testing.T, tg target)) {
	t.Helper()
	t.Run("awssim", func(t *testing.T) {
		env := awssimtest.Start(t, awssim.Seed{})
		fn(t, newTarget("awssim", awssimAccount, env.Config(t, region), false))
	})
	t.Run("goaws", func(t *testing.T) {
		bin := os.Getenv("GOAWS_BIN")
		if bin == "" {
			if os.Getenv("CI") != "" {
				t.Fatal("GOAWS_BIN is not set: CI must run the goaws contract leg (build it with .ci/goaws/build.sh)")
			}
			t.Skip("GOAWS_BIN is not set: skipping the goaws leg (build goaws with .ci/goaws/build.sh PATH, then GOAWS_BIN=PATH)")
		}
		fn(t, newTarget("goaws", goawsAccount, startGoaws(t, bin), true))
	})
}

// freePort asks the kernel for a free port on 127.0.0.1. goaws binds the
// port itself, so another process could take it in between; the health
// wait then fails loudly rather than testing the wrong server.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startGoaws runs goaws with a generated configuration until the test ends
// and returns an aws.Config for it.
func startGoaws(t *testing.T, bin string) aws.Config {
	t.Helper()
	port := freePort(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "goaws.yaml")
	yaml := fmt.Sprintf(`Local:
  Host: 127.0.0.1
  Port: %d
  Region: %s
  AccountId: "%s"
  LogToFile: false
  EnableDuplicates: false
  QueueAttributeDefaults:
    VisibilityTimeout: 30
    ReceiveMessageWaitTimeSeconds: 0
    MaximumMessageSize: 262144
  Queues: []
  Topics: []
  RandomLatency:
    Min: 0
    Max: 0
`, port, region, goawsAccount)
	if err := os.WriteFile(conf, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd := exec.Command(bin, "-config", conf, "-loglevel", "warn", "Local")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start goaws: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("goaws output:\n%s", logs.String())
		}
	})

	base := "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(base + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("goaws exited before serving: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("goaws did not answer on %s/health within 15s:\n%s", base, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	env := &awssimtest.Env{URL: base}
	return env.ConfigWithKeys(t, region, "AKIDGOAWS", "secret", "",
		awssimtest.Retries(1))
}
