// Package config loads orgnotify's configuration (org.yaml and
// accounts/*.yaml), validates it and returns the typed model.
//
// Validation runs in three stages per file: the raw YAML tree (encoding,
// syntax, duplicate keys, aliases, depth, account IDs written as numbers),
// the JSON Schema embedded from schema/, and semantic rules on the typed
// model. Cross-file rules (duplicate IDs and names) run last. Every
// problem a user caused is a findings.Finding with file, line and column;
// an error return is kept for problems of the tool or the machine.
// The package never talks to AWS.
package config

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/orgnotify/orgnotify/internal/findings"
	"github.com/orgnotify/orgnotify/schema"
)

// Options: Root is the repository root (org.yaml and accounts/ are
// resolved against it). Files, when non-empty, limits account validation
// to these account files (paths as given, relative to cwd); cross-file
// rules (duplicate IDs/names) still consider every file in accounts/.
// Concurrency bounds the parallel file loads; <= 0 means GOMAXPROCS.
//
// The schemas used are the ones embedded in the binary (package schema),
// not Root's schema/ directory, so a binary built from a pull request's
// base commit judges the pull request by the base's rules.
type Options struct {
	Root        string
	Files       []string
	Concurrency int
}

// Result is the outcome of Validate. Org is nil when org.yaml is missing
// or invalid. Accounts holds every validated account file that passed the
// schema (sorted by name), with defaults applied; callers must still check
// findings.Errors(Findings) before acting on it. Files counts the files
// validated.
type Result struct {
	Org      *Org
	Accounts []*Account
	Findings []findings.Finding
	Files    int
}

// Well-known locations inside the root.
const (
	OrgFileName = "org.yaml"
	AccountsDir = "accounts"
	accountExt  = ".yaml"
)

// ErrRoot is returned (wrapped) when the root is missing or not a directory.
var ErrRoot = errors.New("repository root")

type fileKind int

const (
	orgKind fileKind = iota
	accountKind
)

type fileJob struct {
	abs      string // path to read
	rel      string // Finding.File
	kind     fileKind
	selected bool   // report its findings (false: read only for cross-file rules)
	root     string // the resolved root when the file is inside it, for the symlink rule; "" outside
}

type fileResult struct {
	job     fileJob
	issues  []issue
	doc     *document
	org     *Org
	account *Account
}

// Validate loads and checks everything. error is only for usage/I/O
// failures the user did not cause in a file (root missing, unreadable
// dir, a path in Files that does not exist, a cancelled context); every
// problem in a file is a Finding.
func Validate(ctx context.Context, opts Options) (*Result, error) {
	set, err := schemas()
	if err != nil {
		return nil, fmt.Errorf("embedded schema: %w", err)
	}
	root, err := resolveRoot(opts.Root)
	if err != nil {
		return nil, err
	}
	var top []findings.Finding // findings about the repository layout

	jobs := []fileJob{{abs: filepath.Join(root, OrgFileName), rel: OrgFileName, kind: orgKind, selected: true, root: root}}
	if _, err := os.Lstat(jobs[0].abs); errors.Is(err, fs.ErrNotExist) {
		top = append(top, findings.Finding{File: OrgFileName, Message: "org.yaml is missing at the repository root; it is required", Severity: findings.Error, Rule: "missing-file"})
		jobs = jobs[:0]
	}

	accJobs, layout, err := accountJobs(root, len(opts.Files) == 0)
	if err != nil {
		return nil, err
	}
	top = append(top, layout...)
	if len(opts.Files) > 0 {
		extra, err := selectFiles(root, opts.Files, accJobs)
		if err != nil {
			return nil, err
		}
		accJobs = append(accJobs, extra...)
	}
	jobs = append(jobs, accJobs...)

	results, err := runJobs(ctx, set, jobs, opts.Concurrency)
	if err != nil {
		return nil, err
	}

	res := &Result{}
	var accounts []*fileResult
	for _, r := range results {
		switch {
		case r.job.kind == orgKind:
			res.Org = r.org
		case r.account != nil || r.doc != nil:
			accounts = append(accounts, r)
		}
	}
	for _, r := range accounts {
		if r.doc != nil {
			name := strings.TrimSuffix(filepath.Base(r.job.abs), accountExt)
			r.issues = append(r.issues, accountRules(r.doc, name, res.Org, set.currencies)...)
		}
		if r.account != nil {
			r.account.applyDefaults(res.Org)
		}
	}
	crossFileRules(accounts)

	res.Findings = top
	for _, r := range results {
		if !r.job.selected {
			continue
		}
		res.Files++
		for _, is := range r.issues {
			res.Findings = append(res.Findings, is.finding(r.job.rel))
		}
		if r.account != nil {
			r.account.File = r.job.rel
			res.Accounts = append(res.Accounts, r.account)
		}
	}
	sort.SliceStable(res.Accounts, func(i, j int) bool {
		if res.Accounts[i].Name != res.Accounts[j].Name {
			return res.Accounts[i].Name < res.Accounts[j].Name
		}
		return res.Accounts[i].File < res.Accounts[j].File
	})
	findings.Sort(res.Findings)
	return res, nil
}

func resolveRoot(root string) (string, error) {
	if root == "" {
		root = "."
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("%w %s: %w", ErrRoot, root, err)
	}
	// Resolve symlinks once so the "inside the root" test compares real paths.
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("%w %s: %w", ErrRoot, root, withoutPath(err))
	}
	st, err := os.Stat(real)
	if err != nil {
		return "", fmt.Errorf("%w %s: %w", ErrRoot, root, withoutPath(err))
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%w %s: not a directory", ErrRoot, root)
	}
	return real, nil
}

// accountJobs lists accounts/. A missing or empty directory is a finding,
// never "no accounts": applied, it would delete every account's alerting.
func accountJobs(root string, selectAll bool) ([]fileJob, []findings.Finding, error) {
	dir := filepath.Join(root, AccountsDir)
	layout := func(msg, rule string) []findings.Finding {
		return []findings.Finding{{File: AccountsDir, Message: msg, Severity: findings.Error, Rule: rule}}
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil && !within(root, real) {
		return nil, layout("accounts/ is a symbolic link pointing outside the repository; it is not followed", "file-symlink"), nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, layout("accounts/ directory is missing; an organization without account files is refused, not applied as \"delete everything\"", "no-accounts"), nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var jobs []fileJob
	var fs []findings.Finding
	for _, e := range entries {
		name := e.Name()
		rel := AccountsDir + "/" + name
		finding := func(sev findings.Severity, rule, msg string) {
			fs = append(fs, findings.Finding{File: rel, Message: msg, Severity: sev, Rule: rule})
		}
		switch kind, fix := classifyEntry(name); {
		case kind == entryAccount:
			jobs = append(jobs, fileJob{abs: filepath.Join(dir, name), rel: rel, kind: accountKind, selected: selectAll, root: root})
		case kind == entryNotUTF8:
			// The finding's path must map back to the file: its bytes are
			// written as \xNN, which printf and $'...' understand.
			rel = AccountsDir + "/" + findings.Printable(name)
			finding(findings.Error, "file-name", "file name is not valid UTF-8, so it cannot be shown or reviewed; rename it to its account name, e.g. payments-prod.yaml")
		case kind == entryMisnamed:
			// An account file orgnotify would not read loses its
			// notifications silently; make the mistake loud.
			rule := "file-name"
			if strings.TrimSuffix(fix, accountExt) == strings.TrimSuffix(name, filepath.Ext(name)) {
				rule = "file-extension" // the rule's name before hidden files and spaces were caught
			}
			finding(findings.Error, rule, fmt.Sprintf("account files are read only when named <account-name>.yaml; this one is not read: rename it to %s", fix))
		case e.IsDir():
			finding(findings.Warning, "stray-file", "subdirectories of accounts/ are not read; move account files to accounts/ itself")
		default:
			finding(findings.Warning, "stray-file", "not an account file (only <account-name>.yaml is read); ignored")
		}
	}
	if len(jobs) == 0 {
		fs = append(fs, layout("accounts/ has no account files (<account-name>.yaml); an organization without account files is refused, not applied as \"delete everything\"", "no-accounts")...)
	}
	return jobs, fs, nil
}

type entryKind int

const (
	entryOther    entryKind = iota // not configuration: a warning
	entryAccount                   // read as an account file
	entryMisnamed                  // meant as an account file, but not read: an error
	entryNotUTF8                   // a name that cannot be shown as it is
)

// classifyEntry says what a name in accounts/ is. Only a visible name
// ending exactly in .yaml, with no surrounding spaces, is read; a name that
// is clearly meant as one (hidden, .yml, .YAML, a trailing space) is an
// error with the name to use, fix. A trailing dot counts as meant too.
func classifyEntry(name string) (kind entryKind, fix string) {
	if !utf8.ValidString(name) {
		return entryNotUTF8, ""
	}
	clean := strings.Trim(strings.TrimSpace(name), ".")
	ext := filepath.Ext(clean)
	meant := strings.EqualFold(ext, ".yaml") || strings.EqualFold(ext, ".yml")
	switch {
	case name == clean && ext == accountExt:
		return entryAccount, ""
	case meant && clean != ext:
		return entryMisnamed, strings.TrimSuffix(clean, ext) + accountExt
	}
	return entryOther, ""
}

// selectFiles marks the given files as the ones to report on, adding those
// that are not in accounts/ (validated as account files all the same).
func selectFiles(root string, files []string, all []fileJob) ([]fileJob, error) {
	byPath := make(map[string]int, len(all))
	for i, j := range all {
		byPath[j.abs] = i
	}
	var extra []fileJob
	seen := map[string]bool{}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, fmt.Errorf("file %s: %w", f, err)
		}
		// Resolve the directory, not the file: the file itself may be a
		// symlink, which the symlink rule must see.
		if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
			abs = filepath.Join(dir, filepath.Base(abs))
		}
		st, err := os.Lstat(abs)
		if err != nil {
			return nil, fmt.Errorf("file %s: %w", f, err)
		}
		if st.IsDir() {
			return nil, fmt.Errorf("file %s: is a directory", f)
		}
		if seen[abs] || abs == filepath.Join(root, OrgFileName) {
			continue // org.yaml is always validated
		}
		seen[abs] = true
		if kind, _ := classifyEntry(filepath.Base(abs)); filepath.Dir(abs) == filepath.Join(root, AccountsDir) && kind != entryAccount {
			continue // not read from accounts/; its layout finding is reported already
		}
		if i, ok := byPath[abs]; ok {
			all[i].selected = true
			continue
		}
		j := fileJob{abs: abs, rel: filepath.ToSlash(f), kind: accountKind, selected: true}
		if within(root, abs) {
			rel, _ := filepath.Rel(root, abs)
			j.rel, j.root = filepath.ToSlash(rel), root
		}
		extra = append(extra, j)
	}
	return extra, nil
}

func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// runJobs loads every file with a bounded pool. Results keep the job order.
func runJobs(ctx context.Context, set *schemaSet, jobs []fileJob, concurrency int) ([]*fileResult, error) {
	if concurrency <= 0 {
		concurrency = runtime.GOMAXPROCS(0)
	}
	concurrency = min(concurrency, max(len(jobs), 1))
	results := make([]*fileResult, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = loadFile(set, jobs[i])
			}
		}()
	}
	var err error
feed:
	for i := range jobs {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, err // main names the command; no prefix here
	}
	return results, nil
}

// loadFile runs the per-file stages. It never panics: a panic in any stage
// becomes an internal-error finding on the file.
func loadFile(set *schemaSet, job fileJob) (r *fileResult) {
	r = &fileResult{job: job}
	defer func() {
		if p := recover(); p != nil {
			r.issues = append(r.issues, issue{msg: fmt.Sprintf("internal error: %v (please report this file)", p), rule: "internal"})
			r.org, r.account = nil, nil
		}
	}()
	data, is := readFile(job)
	if is != nil {
		r.issues = []issue{*is}
		return r
	}
	if job.kind == orgKind {
		r.doc, r.org, r.issues = checkOrg(set, data)
	} else {
		r.doc, r.account, r.issues = checkAccount(set, data)
	}
	if r.doc != nil {
		r.issues = append(r.issues, modelineIssues(data, job.kind)...)
	}
	return r
}

// modeline is the first line that lets editors with the YAML language
// server complete and check a file as it is typed.
const modeline = "# yaml-language-server: $schema="

// modelineIssues warns when a file does not start with the modeline: the
// file is still valid, but its authors lose the checks while typing.
func modelineIssues(data []byte, kind fileKind) []issue {
	first, _, _ := bytes.Cut(bytes.TrimPrefix(data, utf8BOM), []byte("\n"))
	if bytes.HasPrefix(bytes.TrimRight(first, "\r"), []byte(modeline)) {
		return nil
	}
	want := modeline + "../schema/" + schema.AccountFile
	if kind == orgKind {
		want = modeline + "schema/" + schema.OrgFile
	}
	return []issue{{line: 1, col: 1, rule: "schema-modeline", sev: findings.Warning,
		msg: "the file does not start with the schema line, so editors cannot check it as you type; add \"" + want + "\" as its first line"}}
}

// readFile reads at most MaxFileSize+1 bytes: enough to tell a file is too
// large without reading 5 MB of it.
func readFile(job fileJob) ([]byte, *issue) {
	st, err := os.Lstat(job.abs)
	if err != nil {
		return nil, &issue{msg: "cannot read file: " + reason(err), rule: "file-read"}
	}
	if st.Mode()&fs.ModeSymlink != 0 && job.root != "" {
		target, err := resolveLink(job.abs)
		if err != nil || !within(job.root, target) {
			return nil, &issue{msg: "symbolic link pointing outside the repository; it is not followed", rule: "file-symlink"}
		}
		if st, err = os.Stat(job.abs); err != nil {
			return nil, &issue{msg: "broken symbolic link", rule: "file-symlink"}
		}
	}
	if !st.Mode().IsRegular() {
		return nil, &issue{msg: "not a regular file", rule: "file-read"}
	}
	f, err := os.Open(job.abs)
	if err != nil {
		return nil, &issue{msg: "cannot read file: " + reason(err), rule: "file-read"}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &issue{msg: "cannot read file: " + err.Error(), rule: "file-read"}
	}
	return data, nil
}

// reason drops the path from a *fs.PathError: the finding names the file.
func reason(err error) string { return withoutPath(err).Error() }

// withoutPath unwraps a *fs.PathError, whose message repeats a path the
// caller already names.
func withoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// resolveLink follows a symlink chain; for a dangling link it returns the
// path the last link points to, so "outside the root" is still decided.
func resolveLink(path string) (string, error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		return real, nil
	}
	target, err := os.Readlink(path)
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(path), target)
	}
	return filepath.Clean(target), nil
}

func checkOrg(set *schemaSet, data []byte) (*document, *Org, []issue) {
	doc, issues := parseYAML(data)
	if doc == nil {
		return nil, nil, issues
	}
	issues = append(issues, validateSchema(set.org, doc)...)
	if hasErrors(issues) {
		return doc, nil, issues
	}
	var org Org
	if is := decodeStrict(doc.value, &org); is != nil {
		return doc, nil, append(issues, *is)
	}
	org.applyDefaults()
	issues = append(issues, orgFileRules(doc, &org)...)
	return doc, &org, issues
}

func checkAccount(set *schemaSet, data []byte) (*document, *Account, []issue) {
	doc, issues := parseYAML(data)
	if doc == nil {
		return nil, nil, issues
	}
	issues = append(issues, validateSchema(set.account, doc)...)
	if hasErrors(issues) {
		return doc, nil, issues
	}
	var acc Account
	if is := decodeStrict(doc.value, &acc); is != nil {
		return doc, nil, append(issues, *is)
	}
	return doc, &acc, issues
}

func hasErrors(issues []issue) bool {
	for _, is := range issues {
		if is.sev == "" || is.sev == findings.Error {
			return true
		}
	}
	return false
}

// decodeStrict maps the schema-checked value onto the typed model,
// rejecting unknown fields: a field the schema allows but the model lacks
// is a bug in orgnotify, and must not be dropped silently.
func decodeStrict(v any, out any) *issue {
	b, err := json.Marshal(v)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err = dec.Decode(out)
	}
	if err != nil {
		return &issue{msg: "internal error: schema and model disagree: " + err.Error(), rule: "internal"}
	}
	return nil
}
