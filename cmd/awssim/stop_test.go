//go:build unix

package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run the command as a process of its own, so it can
// be sent signals: AWSSIM_TEST_MAIN=1 runs main with the given arguments.
func TestMain(m *testing.M) {
	if os.Getenv("AWSSIM_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// process is the command running as a child process.
type process struct {
	cmd    *exec.Cmd
	stdout *bufio.Reader
	stderr *bytes.Buffer
	done   chan error
}

func startProcess(t *testing.T, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(os.Args[0], args...), stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), "AWSSIM_TEST_MAIN=1")
	p.cmd.Stderr = p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdout = bufio.NewReader(out)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	return p
}

// exitCode waits for the process to end on its own; a process still
// running after the wait is killed and fails the test.
func (p *process) exitCode(t *testing.T, wait time.Duration) int {
	t.Helper()
	select {
	case err := <-p.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(wait):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("still running %v after the signal; stderr: %s", wait, p.stderr)
		return -1
	}
}

// TestSignalWhileReadingFIFO: a seed or faults file that is a FIFO whose
// writer never writes must not keep the process from stopping.
func TestSignalWhileReadingFIFO(t *testing.T) {
	cases := []struct {
		flag string
		sig  os.Signal
	}{
		{"-seed", syscall.SIGTERM},
		{"-faults", os.Interrupt},
	}
	for _, tc := range cases {
		t.Run(tc.flag+" "+tc.sig.String(), func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "input")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			p := startProcess(t, "-addr", "127.0.0.1:0", tc.flag, fifo)
			// A non-blocking open for writing succeeds only once the
			// process has the FIFO open for reading: then it waits for data.
			var w *os.File
			for deadline := time.Now().Add(10 * time.Second); w == nil; {
				f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0)
				switch {
				case err == nil:
					w = f
				case time.Now().After(deadline):
					t.Fatalf("the process never opened the FIFO: %v; stderr: %s", err, p.stderr)
				default:
					time.Sleep(10 * time.Millisecond)
				}
			}
			defer w.Close()
			if err := p.cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			if code := p.exitCode(t, 5*time.Second); code != 0 {
				t.Errorf("exit code %d, want 0; stderr: %s", code, p.stderr)
			}
		})
	}
}

// TestSIGTERMWithOpenConnection: a client that never finishes its request
// does not turn a requested stop into a failure.
func TestSIGTERMWithOpenConnection(t *testing.T) {
	p := startProcess(t, "-addr", "127.0.0.1:0", "-grace", "200ms")
	line, err := p.stdout.ReadString('\n')
	if err != nil {
		t.Fatalf("no ready line: %v; stderr: %s", err, p.stderr)
	}
	go func() { _, _ = io.Copy(io.Discard, p.stdout) }()
	url := strings.TrimPrefix(strings.TrimSpace(line), "awssim ready on ")
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, slowRequest); err != nil {
		t.Fatal(err)
	}
	// A finished call on another connection shows the server is serving.
	resp, err := http.Get(url + "/_awssim/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.exitCode(t, 5*time.Second); code != 0 {
		t.Errorf("exit code %d, want 0; stderr: %s", code, p.stderr)
	}
}
