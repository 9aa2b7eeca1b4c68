package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSummaryMerge merges the results the shards of a matrix uploaded
// (one directory per artifact, as actions/download-artifact lays them out).
func TestSummaryMerge(t *testing.T) {
	dir := t.TempDir()
	write := func(shard, doc string) {
		d := filepath.Join(dir, "reconcile-shard-"+strings.ReplaceAll(shard, "/", "-of-"))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "result.json"), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("2/3", `{"shard":"2/3","steps":[{"name":"apply","status":"ok","detail":"no changes"},{"name":"digest events","status":"skipped","error":"shard 1 only"}]}`)
	write("1/3", `{"shard":"1/3","steps":[{"name":"apply","status":"ok","detail":"no changes"},{"name":"digest cost","status":"ok"}]}`)
	summaryFile := filepath.Join(t.TempDir(), "summary.md")
	environ := map[string]string{"GITHUB_STEP_SUMMARY": summaryFile}

	// Shard 3 left no result: it counts as failed.
	r := runCLI(t, environ, "summary", "merge", "--shards", "3", dir)
	if r.code != exitFindings {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	want := "[1/3] apply          ok       no changes\n" +
		"[1/3] digest cost    ok\n" +
		"[2/3] apply          ok       no changes\n" +
		"[2/3] digest events  skipped  shard 1 only\n" +
		"[3/3] shard          failed   no result: the shard's job did not finish (see its log)\n" +
		"reconcile: 1 step(s) failed: 3/3 shard\n"
	if r.stdout != want {
		t.Errorf("got\n%s\nwant\n%s", r.stdout, want)
	}
	if b, err := os.ReadFile(summaryFile); err != nil || !strings.Contains(string(b), "| 3/3 | shard | **failed** |") {
		t.Errorf("job summary: %v\n%s", err, b)
	}

	write("3/3", `{"shard":"3/3","steps":[{"name":"apply","status":"ok"}]}`)
	if r := runCLI(t, nil, "summary", "merge", "--shards", "3", "--format", "json", dir); r.code != exitOK || !strings.Contains(r.stdout, `"shard": "3/3"`) {
		t.Errorf("all shards: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	write("1/3", `{"shard":"1/3","steps":[{"name":"apply","status":"maybe"}]}`)
	if r := runCLI(t, nil, "summary", "merge", "--shards", "3", dir); r.code != exitError || !strings.Contains(r.stderr, "reconcile-shard-1-of-3/result.json") {
		t.Errorf("bad result: exit %d\n%s", r.code, r.stderr)
	}
	for _, args := range [][]string{{"summary"}, {"summary", "split"}, {"summary", "merge", dir}, {"summary", "merge", "--shards", "2"}} {
		if r := runCLI(t, nil, args...); r.code != exitError {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
	}
}
