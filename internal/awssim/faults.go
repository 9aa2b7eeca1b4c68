package awssim

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// FaultConfig is what can go wrong, set at start (flags) or through
// POST /_awssim/faults. Operation keys are "service:Operation" with the SigV4
// signing name ("events:PutRule", "sqs:SendMessage") or "*" for every call.
type FaultConfig struct {
	// Latency added before each matching call is served.
	Latency map[string]Duration `json:"latency,omitempty"`
	// ThrottleRate is the share (0..1) of all calls answered with the
	// service's throttling error.
	ThrottleRate float64 `json:"throttleRate,omitempty"`
	// ThrottleOps throttles the next N calls of an operation (-1: every call).
	ThrottleOps map[string]int `json:"throttleOps,omitempty"`
	// DenyAccounts answers every call made as one of these accounts with the
	// service's AccessDenied error.
	DenyAccounts []string `json:"denyAccounts,omitempty"`
	// Seed makes ThrottleRate repeatable.
	Seed uint64 `json:"seed,omitempty"`
}

// Duration is a time.Duration written as "250ms" in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "250ms" or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*d = Duration(v)
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*d = Duration(n)
	return nil
}

// Faults injects the configured faults and counts calls per operation.
type Faults struct {
	mu     sync.Mutex
	cfg    FaultConfig
	rng    *rand.Rand
	counts map[string]int
}

// NewFaults returns an injector with no faults.
func NewFaults() *Faults {
	f := &Faults{counts: map[string]int{}}
	f.Set(FaultConfig{})
	return f
}

// Set replaces the fault configuration.
func (f *Faults) Set(cfg FaultConfig) {
	f.mu.Lock()
	defer f.mu.Unlock()
	// apply counts ThrottleOps down in place: keep a private copy so the
	// caller's value (and what the admin endpoint echoes) never races.
	f.cfg = cfg.clone()
	f.rng = rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
}

// Config returns the current fault configuration.
func (f *Faults) Config() FaultConfig {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cfg.clone()
}

func (c FaultConfig) clone() FaultConfig {
	out := c
	out.Latency = maps.Clone(c.Latency)
	out.ThrottleOps = maps.Clone(c.ThrottleOps)
	out.DenyAccounts = slices.Clone(c.DenyAccounts)
	return out
}

// Counts returns calls served so far, keyed "service:Operation", including
// calls answered with an injected fault.
func (f *Faults) Counts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.counts)
}

// ResetCounts sets every counter back to zero.
func (f *Faults) ResetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counts = map[string]int{}
}

func (f *Faults) count(service, op string) {
	f.mu.Lock()
	f.counts[service+":"+op]++
	f.mu.Unlock()
}

// apply sleeps for injected latency, then decides whether the call fails.
func (f *Faults) apply(ctx context.Context, svc *wire.Service, req *wire.Request) *wire.Error {
	key := svc.SigningName + ":" + req.Operation
	f.mu.Lock()
	delay := time.Duration(cmp.Or(f.cfg.Latency[key], f.cfg.Latency["*"]))
	denied := slices.Contains(f.cfg.DenyAccounts, req.Account)
	throttle := false
	if n, ok := f.cfg.ThrottleOps[key]; ok && n != 0 {
		throttle = true
		if n > 0 {
			f.cfg.ThrottleOps[key] = n - 1
		}
	} else if f.cfg.ThrottleRate > 0 && f.rng.Float64() < f.cfg.ThrottleRate {
		throttle = true
	}
	f.mu.Unlock()

	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return wire.Errorf("RequestCanceled", http.StatusBadRequest, "request canceled")
		}
	}
	if denied {
		// Query services (STS, SNS) answer AccessDenied with 403, JSON ones 400.
		status := http.StatusBadRequest
		if svc.Protocol == wire.Query {
			status = http.StatusForbidden
		}
		return &wire.Error{Code: cmp.Or(svc.AccessDeniedCode, "AccessDeniedException"), Status: status,
			Message: "User: " + req.Principal + " is not authorized to perform: " + svc.SigningName + ":" + req.Operation}
	}
	if throttle {
		return &wire.Error{Code: cmp.Or(svc.ThrottleCode, "ThrottlingException"), Status: http.StatusBadRequest, Message: "Rate exceeded"}
	}
	return nil
}
