package awssim_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

// TestFaultConfigValidation: POST /_awssim/faults refuses, with a 400
// naming the field, every configuration ParseFaults refuses, and leaves
// the faults in force unchanged.
func TestFaultConfigValidation(t *testing.T) {
	env := awssimtest.Start(t, awssim.Seed{})
	tests := []struct {
		name, body string
		want       string // substring of the error; "" accepts
	}{
		{"everything valid", `{"latency":{"*":"5ms","events:PutEvents":"20ms"},"throttleRate":0.3,"throttleOps":{"iam:CreateRole":2,"sts:AssumeRole":-1},"denyAccounts":["222222222222"],"seed":7}`, ""},
		{"throttleRate 5", `{"throttleRate":5}`, "throttleRate: 5 must be between 0 and 1"},
		{"throttleRate negative", `{"throttleRate":-0.1}`, "throttleRate: -0.1"},
		{"negative latency", `{"latency":{"sqs:SendMessage":"-20ms"}}`, `latency["sqs:SendMessage"]: -20ms is negative`},
		{"trailing garbage", `{"throttleRate":0.1} x`, "trailing data"},
		{"second object", `{"throttleRate":0.1}{"throttleRate":0.2}`, "trailing data"},
		{"empty body", ``, "no JSON object"},
		{"unknown field", `{"throttle":0.5}`, `unknown field "throttle"`},
		{"miscased operation", `{"latency":{"events:putrule":"1ms"}}`, `latency["events:putrule"]: unknown operation; did you mean "events:PutRule"?`},
		{"miscased service", `{"throttleOps":{"SQS:SendMessage":1}}`, `did you mean "sqs:SendMessage"?`},
		{"unknown service", `{"throttleOps":{"lambda:Invoke":1}}`, `throttleOps["lambda:Invoke"]: unknown service "lambda"`},
		{"unknown operation", `{"throttleOps":{"events:PutEverything":1}}`, "operation PutEverything is not served"},
		{"not service:Operation", `{"throttleOps":{"PutEvents":1}}`, `throttleOps["PutEvents"]: not "service:Operation"`},
		{"star in throttleOps", `{"throttleOps":{"*":1}}`, `throttleOps["*"]`},
		{"count below -1", `{"throttleOps":{"events:PutRule":-2}}`, `throttleOps["events:PutRule"]: -2`},
		{"bad account", `{"denyAccounts":["2222"]}`, `denyAccounts[0]: "2222" is not a 12-digit account ID`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := env.Sim.Faults().Config()
			status, raw := postJSON(t, env.URL+"/_awssim/faults", tt.body)
			var resp struct{ Error string }
			_ = json.Unmarshal([]byte(raw), &resp)
			body := raw
			if resp.Error != "" {
				body = resp.Error
			}
			if tt.want == "" {
				if status != 200 {
					t.Fatalf("POST faults = %d %s, want 200", status, body)
				}
				return
			}
			if status != 400 || !strings.Contains(body, tt.want) {
				t.Fatalf("POST faults = %d %s, want 400 containing %q", status, body, tt.want)
			}
			if after := env.Sim.Faults().Config(); after.ThrottleRate != before.ThrottleRate || len(after.ThrottleOps) != len(before.ThrottleOps) {
				t.Fatalf("a refused configuration changed the faults: %+v", after)
			}
		})
	}
}
