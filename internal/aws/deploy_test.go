package aws_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// iamPrefix maps an SDK service package to its IAM action prefix.
var iamPrefix = map[string]string{
	"cloudtrail":     "cloudtrail",
	"costexplorer":   "ce",
	"eventbridge":    "events",
	"iam":            "iam",
	"kms":            "kms",
	"organizations":  "organizations",
	"servicecatalog": "servicecatalog",
	"sns":            "sns",
	"sqs":            "sqs",
	"sts":            "sts",
}

// planFiles hold what `plan` calls; the read-only roles must allow it.
var planFiles = map[string]bool{"observe.go": true, "org.go": true, "config.go": true}

// calledActions maps the IAM action of every AWS operation this package's
// production code calls (each call passes a literal &svc.<Op>Input) to
// whether plan makes it. SQS authorizes a batch call by its single action.
func calledActions(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{
		// stscreds calls AssumeRole for every member account.
		"sts:AssumeRole": true,
	}
	plan := func(name string) bool { return planFiles[name] }
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		services := map[string]string{} // local import name → package
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			svc, ok := strings.CutPrefix(path, "github.com/aws/aws-sdk-go-v2/service/")
			if !ok || strings.Contains(svc, "/") {
				continue
			}
			local := svc
			if imp.Name != nil {
				local = imp.Name.Name
			}
			services[local] = svc
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			sel, ok := lit.Type.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			svc, ok := services[pkg.Name]
			op, isInput := strings.CutSuffix(sel.Sel.Name, "Input")
			if !ok || !isInput {
				return true
			}
			prefix, known := iamPrefix[svc]
			if !known {
				t.Errorf("%s: service package %s has no IAM prefix in this test", fset.Position(lit.Pos()), svc)
				return true
			}
			if prefix == "sqs" {
				op = strings.TrimSuffix(op, "Batch")
			}
			seen[prefix+":"+op] = seen[prefix+":"+op] || plan(name)
			return true
		})
	}
	return seen
}

type policyDoc struct {
	Statement []struct {
		Effect string
		Action any
	}
}

// allowedActions reads the Allow actions (patterns) of deploy/<name>.
func allowedActions(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", name))
	if err != nil {
		t.Fatal(err)
	}
	var doc policyDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("deploy/%s: %v", name, err)
	}
	var out []string
	for _, st := range doc.Statement {
		if st.Effect != "Allow" {
			continue
		}
		switch a := st.Action.(type) {
		case string:
			out = append(out, a)
		case []any:
			for _, x := range a {
				out = append(out, x.(string))
			}
		}
	}
	return out
}

// matches is IAM's action matching: case-insensitive, * and ? wildcards.
func matches(pattern, action string) bool {
	ok, err := filepath.Match(strings.ToLower(pattern), strings.ToLower(action))
	return err == nil && ok
}

func allowedBy(action string, patterns []string) bool {
	for _, p := range patterns {
		if matches(p, action) {
			return true
		}
	}
	return false
}

func isRead(action string) bool {
	_, op, _ := strings.Cut(action, ":")
	for _, p := range []string{"List", "Get", "Describe", "Search"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

func TestDeployPoliciesAllowEveryCall(t *testing.T) {
	called := calledActions(t)
	if len(called) < 10 {
		t.Fatalf("found only %v: the scan of internal/aws is broken", called)
	}
	write := append(allowedActions(t, "ci-role-policy.json"), allowedActions(t, "member-role-policy.json")...)
	read := append(allowedActions(t, "plan-role-policy.json"), allowedActions(t, "member-readonly-policy.json")...)
	actions := make([]string, 0, len(called))
	for a := range called {
		actions = append(actions, a)
	}
	sort.Strings(actions)
	for _, a := range actions {
		if !allowedBy(a, write) {
			t.Errorf("%s is called but neither ci-role-policy.json nor member-role-policy.json allows it", a)
		}
		if called[a] && !allowedBy(a, read) {
			t.Errorf("%s is a read the plan makes but the read-only policies do not allow it", a)
		}
	}
	for _, name := range []string{"plan-role-policy.json", "member-readonly-policy.json"} {
		for _, a := range allowedActions(t, name) {
			if !isRead(a) && a != "sts:AssumeRole" {
				t.Errorf("deploy/%s allows %s, which is not read-only", name, a)
			}
		}
	}
}
