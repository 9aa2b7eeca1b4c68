package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputBoundedWhenManyFilesShareAnID: 5,000 account files with one
// account ID. Each finding used to name every other file, so the output
// grew with the square of the files (626 MB here) and the comment showed
// none of the findings. Now each finding names three files and counts the
// rest: the output is linear, and the comment shows the first findings.
func TestOutputBoundedWhenManyFilesShareAnID(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 5,000 files")
	}
	const n = 5000
	root := exampleRepo(t)
	if err := os.RemoveAll(filepath.Join(root, "accounts")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "accounts"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		name := fmt.Sprintf("dup-%04d", i)
		data := fmt.Sprintf("# yaml-language-server: $schema=../schema/account.schema.json\nid: \"345678901234\"\nname: %s\nowner:\n  team: t\nslack:\n  channels: [C0123ABCDEF]\n", name)
		if err := os.WriteFile(filepath.Join(root, "accounts", name+".yaml"), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	r := runCLI(t, nil, "validate", "--root", root)
	if r.code != exitFindings {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != n+1 {
		t.Fatalf("%d lines, want one per file and the summary", len(lines))
	}
	const wantFirst = "accounts/dup-0000.yaml:2:5: id: account ID 345678901234 is also used by accounts/dup-0001.yaml, accounts/dup-0002.yaml, accounts/dup-0003.yaml and 4,996 others; each account has exactly one file"
	if lines[0] != wantFirst {
		t.Errorf("first line:\n got %s\nwant %s", lines[0], wantFirst)
	}
	for _, l := range lines {
		if len(l) > 250 {
			t.Fatalf("a %d-byte line: %.300s", len(l), l)
		}
	}
	if last := lines[n]; last != "fail: 5000 errors in 5000 of 5001 files" {
		t.Errorf("summary = %q", last)
	}

	r = runCLI(t, nil, "validate", "--root", root, "--format", "github")
	annotations := 0
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(l, "::error ") {
			annotations++
		}
	}
	if annotations != 50 || !strings.Contains(r.stdout, "(4950 more findings are not annotated; all are listed below)") {
		t.Errorf("%d annotations, want the 50 GitHub shows and a note", annotations)
	}
	if len(r.stdout) > 2*n*250 {
		t.Errorf("github format wrote %d bytes", len(r.stdout))
	}

	r = runCLI(t, nil, "comment", "--root", root, "--dry-run")
	if r.code != exitOK {
		t.Fatalf("comment: exit %d\n%s", r.code, r.stderr)
	}
	if len(r.stdout) > 65536 {
		t.Errorf("comment is %d bytes", len(r.stdout))
	}
	if shown := strings.Count(r.stdout, "| accounts/dup-"); shown < 50 {
		t.Errorf("comment shows %d findings; the first ones must be there", shown)
	}
	if !strings.Contains(r.stdout, "| accounts/dup-0000.yaml |") {
		t.Error("comment does not show the first finding")
	}
}
