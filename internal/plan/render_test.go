package plan

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/internal/desired"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// keyPolicy is long enough for the diff to leave unchanged lines out.
func keyPolicy(extra string) string {
	statements := []string{
		`{"Sid":"HubAdmin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"}`,
		`{"Sid":"EventBridge","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"}}}`,
	}
	if extra != "" {
		statements = append(statements, extra)
	}
	return desired.MustCanonical(json.RawMessage(`{"Version":"2012-10-17","Statement":[`+strings.Join(statements, ",")+`]}`), desired.Policy)
}

// samplePlan has every action, a JSON document diff, tags and a pending
// subscription.
func samplePlan() Plan {
	stack := rule(member, "orgnotify-fwd-stackfailures", pattern)
	stack.Settings[desired.SetDescription] = "Forward stack failures to the hub"
	stack.Settings[desired.SetTargets] = `[{"Arn":"arn:aws:events:eu-west-1:111111111111:event-bus/orgnotify","Id":"hub","RoleArn":"arn:aws:iam::345678901234:role/orgnotify-forwarder"}]`

	key := desired.Resource{
		ID:       desired.ID{Account: hub, Region: "eu-west-1", Kind: desired.KMSKey, Name: "alias/orgnotify"},
		Settings: map[string]string{desired.SetPolicy: keyPolicy(`{"Sid":"SNS","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}`), desired.SetKeyRotation: "true"},
		Tags:     map[string]string{"orgnotify": "managed"},
	}
	driftedKey := with(key, func(r *desired.Resource) {
		r.Settings[desired.SetPolicy] = keyPolicy("")
		r.Settings[desired.SetKeyRotation] = "false"
		r.Tags["orgnotify"] = "old"
		r.Tags["team"] = "platform" // not ours: no change
	})
	queue := desired.Resource{
		ID:       desired.ID{Account: hub, Region: "eu-west-1", Kind: desired.SQSQueue, Name: "orgnotify-digest"},
		Settings: map[string]string{desired.SetKMSKey: "alias/orgnotify"},
		Tags:     map[string]string{"orgnotify": "managed"},
	}
	foreignQueue := with(queue, func(r *desired.Resource) { r.Foreign = true; r.Tags = nil })
	sub := subscription("ops@example.com")
	pendingSub := with(sub, func(r *desired.Resource) { r.Pending = true; r.Settings = nil })
	oldRule := rule("222222222222", "orgnotify-fwd-guardduty", `{"source":["aws.guardduty"]}`)

	return Compute(
		[]desired.Resource{stack, role(member), key, queue, sub},
		[]desired.Resource{driftedKey, foreignQueue, pendingSub, oldRule, role("222222222222")},
	)
}

// appliedPlan is samplePlan as apply leaves it.
func appliedPlan() Plan {
	p := samplePlan()
	for i := range p.Changes {
		switch p.Changes[i].Action {
		case Conflict:
			p.Changes[i].Status = StatusSkipped
		case Delete:
			p.Changes[i].Status = StatusFailed
			p.Changes[i].Error = "delete rule orgnotify-fwd-guardduty in 222222222222/us-east-1: AccessDeniedException: not authorized"
		default:
			p.Changes[i].Status = StatusOK
		}
	}
	return p
}

func TestRender(t *testing.T) {
	text := func(color bool) func(Plan) string {
		return func(p Plan) string {
			var b bytes.Buffer
			if err := WriteText(&b, p, TextOptions{Color: color}); err != nil {
				t.Fatal(err)
			}
			return b.String()
		}
	}
	jsonOf := func(p Plan) string {
		var b bytes.Buffer
		if err := WriteJSON(&b, p); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	markdown := func(p Plan) string { return Markdown(p, 65536) }

	plans := map[string]Plan{"plan": samplePlan(), "applied": appliedPlan(), "empty": {}, "hostile": hostilePlan()}
	renderers := []struct {
		ext    string
		render func(Plan) string
	}{
		{"txt", text(false)},
		{"color.txt", text(true)},
		{"json", jsonOf},
		{"md", markdown},
	}
	for planName, p := range plans {
		for _, r := range renderers {
			name := planName + "." + r.ext
			t.Run(name, func(t *testing.T) {
				golden(t, name, r.render(p))
			})
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/plan -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (run with -update after checking the change):\n%s", name, path, got)
	}
}

func TestTextWithoutColorHasNoEscapes(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, samplePlan(), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "\x1b") {
		t.Errorf("uncoloured text holds an escape sequence:\n%s", b.String())
	}
}

func TestJSONContract(t *testing.T) {
	for _, tc := range []struct {
		name    string
		plan    Plan
		applied bool
	}{{"plan", samplePlan(), false}, {"applied", appliedPlan(), true}} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteJSON(&b, tc.plan); err != nil {
				t.Fatal(err)
			}
			var doc map[string]json.RawMessage
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			var changes []map[string]any
			if err := json.Unmarshal(doc["changes"], &changes); err != nil {
				t.Fatal(err)
			}
			var summary map[string]int
			if err := json.Unmarshal(doc["summary"], &summary); err != nil {
				t.Fatal(err)
			}
			if len(summary) != 4 || summary["create"]+summary["update"]+summary["delete"]+summary["conflict"] != len(changes) {
				t.Errorf("summary %v does not count %d changes", summary, len(changes))
			}
			for _, c := range changes {
				for _, k := range []string{"action", "account", "region", "kind", "name", "diff"} {
					if _, ok := c[k]; !ok {
						t.Errorf("change %v has no %q", c, k)
					}
				}
				_, hasStatus := c["status"]
				_, hasError := c["error"]
				if hasStatus != tc.applied || hasError != tc.applied {
					t.Errorf("change %v: status present %v, error present %v, want %v", c, hasStatus, hasError, tc.applied)
				}
				if _, ok := c["Desired"]; ok {
					t.Errorf("change %v serialises its resources", c)
				}
			}
		})
	}
}
