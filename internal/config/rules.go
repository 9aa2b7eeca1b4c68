package config

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/orgnotify/orgnotify/internal/findings"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Semantic rules: what JSON Schema cannot say, or cannot say well. Each
// rule positions its issue at the YAML node it is about.

// issueAt positions an issue at the value found by the pointer tokens (or
// at the deepest existing parent).
func issueAt(doc *document, toks []string, rule, msg string) issue {
	at := locate(doc.root, toks)
	return issue{line: at.value.Line, col: at.value.Column, field: at.field, msg: msg, rule: rule}
}

// orgFileRules check org.yaml once it matches its schema.
func orgFileRules(doc *document, org *Org) []issue {
	var out []issue
	if !slices.Contains(org.Regions, org.Hub.HomeRegion) {
		out = append(out, issueAt(doc, []string{"hub", "homeRegion"}, "home-region",
			fmt.Sprintf("home region %s is not in regions; add it there", org.Hub.HomeRegion)))
	}
	// Retiring organizationsRegion is allowed: only the members' rules
	// there go; the lifecycle, LeaveOrganization and hub resources that
	// always live there stay desired.
	for i, r := range org.RetiredRegions {
		if !slices.Contains(org.Regions, r) {
			continue
		}
		msg := fmt.Sprintf("%s is also in regions; remove it from one of the two", r)
		if r == org.Hub.HomeRegion {
			msg = fmt.Sprintf("%s is hub.homeRegion, where the central resources live: it cannot be retired", r)
		}
		out = append(out, issueAt(doc, []string{"retiredRegions", strconv.Itoa(i)}, "retired-region", msg))
	}
	prefix := org.Ownership.NamePrefix
	for _, r := range []struct{ field, value, want string }{
		{"kmsKeyAlias", org.Resources.KMSKeyAlias, "alias/" + prefix},
		{"snsTopicName", org.Resources.SNSTopicName, prefix},
		{"sqsQueueName", org.Resources.SQSQueueName, prefix},
		{"eventBusName", org.Resources.EventBusName, prefix},
	} {
		if !strings.HasPrefix(r.value, r.want) {
			out = append(out, issueAt(doc, []string{"resources", r.field}, "ownership-prefix",
				fmt.Sprintf("must start with %q (ownership.namePrefix), or orgnotify will not recognise it as its own", r.want)))
		}
	}
	if reservedTagKey(org.Ownership.TagKey) {
		out = append(out, issueAt(doc, []string{"ownership", "tagKey"}, "tag-key-reserved", "tag keys starting with \"aws:\" are reserved by AWS"))
	}
	if lc := org.Lifecycle; lc != nil {
		if slices.Contains(lc.Events, "CreateAccount") && !slices.Contains(lc.Events, "CreateAccountResult") {
			i := slices.Index(lc.Events, "CreateAccount")
			w := issueAt(doc, []string{"lifecycle", "events", strconv.Itoa(i)}, "create-account-result",
				"CreateAccount only reports the request; add CreateAccountResult to hear whether the account was created")
			w.sev = findings.Warning
			out = append(out, w)
		}
		lifecycle, _ := doc.value.(map[string]any)["lifecycle"].(map[string]any)
		out = append(out, endpointIssues(doc, []string{"lifecycle", "subscribers"}, lifecycle["subscribers"], org.Endpoints)...)
	}
	return out
}

// accountRules are the semantic rules of one account file. They read the
// raw document rather than the typed model, so they still run when the
// schema found other problems: an endpoint outside the allow-list must be
// reported in the same round as a typo elsewhere. Values of the wrong type
// are skipped; the schema reports them. org is nil when org.yaml is
// invalid, and the rules that need it are skipped. currencies are the
// values the schema allows for cost.currency.
func accountRules(doc *document, fileName string, org *Org, currencies []string) []issue {
	var out []issue
	top, _ := doc.value.(map[string]any)
	if name, ok := top["name"].(string); ok && name != fileName && namePattern.MatchString(name) {
		msg := fmt.Sprintf("name %q must equal the file name; rename the file to %s.yaml", name, name)
		if namePattern.MatchString(fileName) {
			// Never suggest a name the schema would refuse (Prod.yaml).
			msg += " or set name: " + fileName
		}
		out = append(out, issueAt(doc, []string{"name"}, "name-mismatch", msg))
	}
	cost, _ := top["cost"].(map[string]any)
	tags, _ := cost["tags"].([]any)
	firstKey := map[string]int{}
	for i, t := range tags {
		tm, _ := t.(map[string]any)
		key, ok := tm["key"].(string)
		if !ok {
			continue
		}
		toks := []string{"cost", "tags", strconv.Itoa(i), "key"}
		if reservedTagKey(key) {
			out = append(out, issueAt(doc, toks, "tag-filter", "tag keys starting with \"aws:\" are reserved by AWS; filter on your own cost allocation tags"))
		}
		if j, dup := firstKey[key]; dup {
			out = append(out, issueAt(doc, toks, "tag-filter",
				fmt.Sprintf("tag key %q is already filtered in cost.tags[%d]; list all its values there", key, j)))
			continue
		}
		firstKey[key] = i
	}
	if org == nil {
		return out
	}
	if cur, ok := cost["currency"].(string); ok && cur != "USD" && slices.Contains(currencies, cur) {
		if _, ok := org.Cost.CurrencyRates[cur]; !ok {
			out = append(out, issueAt(doc, []string{"cost", "currency"}, "currency-rate",
				fmt.Sprintf("org.yaml has no rate for %s in cost.currencyRates; ask the platform team to add one, or use USD", cur)))
		}
	}
	events, _ := top["events"].(map[string]any)
	for _, cat := range slices.Sorted(maps.Keys(events)) {
		c, _ := events[cat].(map[string]any)
		out = append(out, endpointIssues(doc, []string{"events", cat, "subscribers"}, c["subscribers"], org.Endpoints)...)
	}
	return out
}

var (
	namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	// httpsPattern mirrors the schema; values it rejects are the schema's
	// to report.
	httpsPattern = regexp.MustCompile(`^https://[^\s]+$`)
)

func reservedTagKey(k string) bool { return strings.HasPrefix(strings.ToLower(k), "aws:") }

// endpointIssues enforces org.yaml's allow-list: a pull request must not
// route an account's events (security findings included) to an address
// the organization does not control. subs is the raw "subscribers" value.
func endpointIssues(doc *document, base []string, subs any, ep Endpoints) []issue {
	s, _ := subs.(map[string]any)
	var out []issue
	at := func(kind string, i int) []string {
		return append(base[:len(base):len(base)], kind, strconv.Itoa(i))
	}
	emails, _ := s["emails"].([]any)
	for i, v := range emails {
		e, _ := v.(string)
		sep := strings.LastIndexByte(e, '@')
		if sep < 1 || emailFormat().Validate(e) != nil {
			continue // not an address: the schema says so
		}
		domain := strings.ToLower(e[sep+1:])
		if !slices.Contains(ep.EmailDomains, domain) {
			out = append(out, issueAt(doc, at("emails", i), "endpoint-not-allowed",
				fmt.Sprintf("email domain %q is not in org.yaml endpoints.emailDomains (%s)", domain, allowedList(ep.EmailDomains))))
		}
	}
	urls, _ := s["https"].([]any)
	for i, v := range urls {
		raw, ok := v.(string)
		if !ok || !httpsPattern.MatchString(raw) {
			continue
		}
		u, err := url.Parse(raw)
		var msg string
		switch {
		case err != nil || u.Hostname() == "":
			msg = "not a valid https:// URL"
		case u.User != nil:
			msg = "must not contain credentials: they would be stored in git"
		case u.Port() != "" && u.Port() != "443":
			msg = fmt.Sprintf("port %s is not allowed; use https on the default port", u.Port())
		case !slices.Contains(ep.HTTPSHosts, strings.ToLower(u.Hostname())):
			msg = fmt.Sprintf("host %q is not in org.yaml endpoints.httpsHosts (%s)", strings.ToLower(u.Hostname()), allowedList(ep.HTTPSHosts))
		default:
			continue
		}
		out = append(out, issueAt(doc, at("https", i), "endpoint-not-allowed", msg))
	}
	return out
}

// emailFormat is the schema's email check alone, so that endpointIssues
// leaves the values it rejects to the schema instead of reporting them twice.
var emailFormat = sync.OnceValue(func() *jsonschema.Schema {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("email.json", map[string]any{"type": "string", "format": "email"}); err != nil {
		panic(err)
	}
	return c.MustCompile("email.json")
})

func allowedList(v []string) string {
	if len(v) == 0 {
		return "none allowed"
	}
	return "allowed: " + strings.Join(v, ", ")
}

// crossFileRules reports account IDs and names used by more than one file.
// It reads the raw values, so a file with schema errors still takes part:
// a duplicate ID must be seen even while the rest of the file is wrong.
func crossFileRules(accounts []*fileResult) {
	for _, key := range []struct{ field, rule, what string }{
		{"id", "duplicate-account-id", "account ID"},
		{"name", "duplicate-account-name", "account name"},
	} {
		users := map[string][]*fileResult{}
		var order []string
		for _, r := range accounts {
			if r.doc == nil {
				continue
			}
			m, _ := r.doc.value.(map[string]any)
			v, ok := m[key.field].(string)
			if !ok || v == "" {
				continue
			}
			if _, seen := users[v]; !seen {
				order = append(order, v)
			}
			users[v] = append(users[v], r)
		}
		for _, v := range order {
			rs := users[v]
			if len(rs) < 2 {
				continue
			}
			names := make([]string, len(rs))
			for i, r := range rs {
				names[i] = r.job.rel
			}
			slices.Sort(names)
			for _, r := range rs {
				r.issues = append(r.issues, issueAt(r.doc, []string{key.field}, key.rule,
					fmt.Sprintf("%s %s is also used by %s; each account has exactly one file", key.what, v, othersList(names, r.job.rel))))
			}
		}
	}
}

// maxNamedOthers bounds the files a duplicate finding names. Listing them
// all made 5,000 files sharing one ID print 5,000 × 5,000 names.
const maxNamedOthers = 3

// othersList names the first files of sorted other than self, and counts
// the rest: "a.yaml, b.yaml, c.yaml and 4,997 others".
func othersList(sorted []string, self string) string {
	named := make([]string, 0, maxNamedOthers)
	for _, n := range sorted {
		if len(named) == maxNamedOthers {
			break
		}
		if n != self {
			named = append(named, findings.DisplayPath(n))
		}
	}
	list := strings.Join(named, ", ")
	if rest := len(sorted) - 1 - len(named); rest > 0 {
		list += printer.Sprintf(" and %d %s", rest, plural(rest, "other"))
	}
	return list
}
