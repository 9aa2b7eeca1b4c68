package config

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes through every per-file stage (YAML checks,
// schema, typed decoding, semantic rules) as an account file and as
// org.yaml. Its seed corpus, the bad-input corpus and the examples, runs
// in every plain `go test`. Nothing may panic, and every issue must be
// reportable.
func FuzzLoad(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{corpusDir + "/*.yaml", corpusDir + "/*/accounts/*", corpusDir + "/*/org.yaml", exampleRoot + "/accounts/*.yaml", exampleRoot + "/org.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, m...)
	}
	if len(seeds) < 30 {
		f.Fatalf("only %d seeds", len(seeds))
	}
	for _, path := range seeds {
		if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	set, err := schemas()
	if err != nil {
		f.Fatal(err)
	}
	res, err := Validate(context.Background(), Options{Root: exampleRoot})
	if err != nil || res.Org == nil {
		f.Fatalf("repository org.yaml: %v", err)
	}
	org := res.Org

	f.Fuzz(func(t *testing.T, data []byte) {
		doc, acc, issues := checkAccount(set, data)
		if doc != nil {
			issues = append(issues, accountRules(doc, "fuzz", org, set.currencies)...)
		}
		if acc != nil {
			acc.applyDefaults(org)
		}
		_, _, orgIssues := checkOrg(set, data)
		for _, is := range append(issues, orgIssues...) {
			if is.msg == "" || is.rule == "" || is.line < 0 || is.col < 0 {
				t.Errorf("malformed issue %+v", is)
			}
		}
	})
}
