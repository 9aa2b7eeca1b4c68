package summary

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func run(shard string, steps ...Step) Run { return Run{Shard: shard, Steps: steps} }

var (
	applied  = Step{Name: "apply", Status: OK, Detail: "3 created"}
	drained  = Step{Name: "digest events", Status: OK, Detail: "posted 2 messages"}
	costDown = Step{Name: "digest cost", Status: Failed, Detail: "2026-12-02", Error: "channel_not_found | C1"}
	notMine  = Step{Name: "digest cost", Status: Skipped, Error: "digests run in shard 1"}
)

func TestWriteText(t *testing.T) {
	tests := []struct {
		name string
		rep  Report
		want string
	}{
		{"one run, all ok", Report{Runs: []Run{run("1/1", applied, drained)}},
			"apply                ok       3 created\n" +
				"digest events        ok       posted 2 messages\n" +
				"reconcile: every step ok or skipped\n"},
		{"shards named, failure listed", Report{Runs: []Run{run("1/2", costDown), run("2/2", notMine)}},
			"[1/2] digest cost    failed   2026-12-02: channel_not_found | C1\n" +
				"[2/2] digest cost    skipped  digests run in shard 1\n" +
				"reconcile: 1 step(s) failed: 1/2 digest cost\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteText(&b, tt.rep); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}

func TestMarkdownEscapesCells(t *testing.T) {
	got := Markdown(Report{Runs: []Run{run("1/1", applied, costDown)}})
	want := "## orgnotify reconcile\n\n| Step | Status | Detail |\n|---|---|---|\n" +
		"| apply | ok | 3 created |\n" +
		"| digest cost | **failed** | 2026-12-02: channel_not_found \\| C1 |\n" +
		"\nreconcile: 1 step(s) failed: digest cost\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name    string
		runs    []Run
		n       int
		want    []string // shard: first step's status
		wantErr string
	}{
		{"in shard order", []Run{run("2/2", notMine), run("1/2", applied)}, 2, []string{"1/2:ok", "2/2:skipped"}, ""},
		{"missing shard fails", []Run{run("1/3", applied), run("3/3", notMine)}, 3, []string{"1/3:ok", "2/3:failed", "3/3:skipped"}, ""},
		{"two results for a shard", []Run{run("1/2", applied), run("1/2", applied)}, 2, nil, "two results for shard 1/2"},
		{"another matrix size", []Run{run("1/3", applied)}, 2, nil, "in a matrix of 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Merge(tt.runs, tt.n)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rep.Runs {
				got = append(got, r.Shard+":"+string(r.Steps[0].Status))
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if missing := len(tt.runs) < tt.n; rep.Failed() != (missing || tt.runs[0].Failed()) {
				t.Errorf("Failed() = %v", rep.Failed())
			}
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	in := run("2/4", applied, costDown)
	var b bytes.Buffer
	if err := WriteJSON(&b, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if out.Shard != "2/4" || len(out.Steps) != 2 || out.Steps[1] != costDown || !out.Failed() {
		t.Errorf("round trip = %+v", out)
	}
	for name, doc := range map[string]string{
		"unknown field": `{"shard":"1/1","steps":[],"extra":1}`,
		"bad shard":     `{"shard":"3/2","steps":[]}`,
		"bad status":    `{"shard":"1/1","steps":[{"name":"apply","status":"fine"}]}`,
		"not JSON":      `apply ok`,
	} {
		if _, err := ReadJSON(strings.NewReader(doc)); !errors.Is(err, ErrNotARun) {
			t.Errorf("%s: err %v, want ErrNotARun", name, err)
		}
	}
}
