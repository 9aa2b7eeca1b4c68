package awssim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
)

// ParseFaults reads and validates a fault configuration: the one check
// for both the -faults file and POST /_awssim/faults. It refuses, naming
// the field, unknown fields, trailing data or a second JSON value, a
// throttleRate outside 0..1, negative latency, throttleOps counts below -1,
// account IDs that are not 12 digits, and operation keys that are not a
// "service:Operation" this server serves, spelled as it spells them ("*"
// is allowed in latency only).
func (s *Server) ParseFaults(b []byte) (FaultConfig, error) {
	var cfg FaultConfig
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, errors.New("no JSON object")
		}
		return cfg, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return cfg, fmt.Errorf("trailing data after the JSON object at offset %d", dec.InputOffset())
	}
	if cfg.ThrottleRate < 0 || cfg.ThrottleRate > 1 {
		return cfg, fmt.Errorf("throttleRate: %v must be between 0 and 1", cfg.ThrottleRate)
	}
	for _, k := range slices.Sorted(maps.Keys(cfg.Latency)) {
		if cfg.Latency[k] < 0 {
			return cfg, fmt.Errorf("latency[%q]: %s is negative", k, timeString(cfg.Latency[k]))
		}
		if k == "*" {
			continue
		}
		if err := s.checkOperation(k); err != nil {
			return cfg, fmt.Errorf("latency[%q]: %w", k, err)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(cfg.ThrottleOps)) {
		if n := cfg.ThrottleOps[k]; n < -1 {
			return cfg, fmt.Errorf("throttleOps[%q]: %d is not a count of calls (0 or more) or -1 (every call)", k, n)
		}
		if err := s.checkOperation(k); err != nil {
			return cfg, fmt.Errorf("throttleOps[%q]: %w", k, err)
		}
	}
	for i, a := range cfg.DenyAccounts {
		if !awsarn.IsAccountID(a) {
			return cfg, fmt.Errorf("denyAccounts[%d]: %q is not a 12-digit account ID", i, a)
		}
	}
	return cfg, nil
}

// checkOperation accepts "service:Operation" when the server serves it.
func (s *Server) checkOperation(key string) error {
	svc, op, ok := strings.Cut(key, ":")
	if !ok {
		return errors.New(`not "service:Operation" (the SigV4 signing name, such as "events:PutRule")`)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for name, service := range s.bySigning {
		for o := range service.Ops {
			if name == svc && o == op {
				return nil
			}
			full := name + ":" + o
			if strings.EqualFold(full, key) {
				return fmt.Errorf("unknown operation; did you mean %q? Keys are case-sensitive", full)
			}
		}
	}
	if _, known := s.bySigning[svc]; !known {
		names := slices.Sorted(maps.Keys(s.bySigning))
		return fmt.Errorf("unknown service %q; the simulator serves %s", svc, strings.Join(names, ", "))
	}
	return fmt.Errorf("operation %s is not served by the simulator", op)
}

func timeString(d Duration) string {
	b, _ := d.MarshalJSON()
	return strings.Trim(string(b), `"`)
}
