package config

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/orgnotify/orgnotify/schema"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"
)

// compiledSchema is one schema compiled once and shared: a
// *jsonschema.Schema is immutable after Compile and safe for concurrent
// Validate calls.
type compiledSchema struct {
	name string // file name, e.g. "account.schema.json"
	sch  *jsonschema.Schema
	raw  any // the parsed document, to read property names for "did you mean"
}

type schemaSet struct {
	org, account *compiledSchema
	// currencies are the values account.schema.json allows for
	// cost.currency, read from it so the currency-rate rule cannot drift.
	currencies []string
}

var schemas = sync.OnceValues(func() (*schemaSet, error) {
	org, err := compileSchema(schema.OrgFile, schema.Org())
	if err != nil {
		return nil, err
	}
	acc, err := compileSchema(schema.AccountFile, schema.Account())
	if err != nil {
		return nil, err
	}
	cur, err := enumStrings(acc.sch, "cost", "currency")
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", schema.AccountFile, err)
	}
	return &schemaSet{org: org, account: acc, currencies: cur}, nil
})

// enumStrings returns the "enum" of the property at path in s.
func enumStrings(s *jsonschema.Schema, path ...string) ([]string, error) {
	for _, p := range path {
		if s = s.Properties[p]; s == nil {
			return nil, fmt.Errorf("no property %s", strings.Join(path, "."))
		}
	}
	if s.Enum == nil {
		return nil, fmt.Errorf("%s has no enum", strings.Join(path, "."))
	}
	out := make([]string, 0, len(s.Enum.Values))
	for _, v := range s.Enum.Values {
		if str, ok := v.(string); ok {
			out = append(out, str)
		}
	}
	return out, nil
}

func compileSchema(name string, data []byte) (*compiledSchema, error) {
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parse schema %s: %w", name, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	// "format" is only an annotation in 2020-12 unless asserted; we want
	// "email" checked.
	c.AssertFormat()
	url := "https://github.com/orgnotify/orgnotify/schema/" + name
	if err := c.AddResource(url, raw); err != nil {
		return nil, fmt.Errorf("add schema %s: %w", name, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile schema %s: %w", name, err)
	}
	return &compiledSchema{name: name, sch: sch, raw: raw}, nil
}

// validateSchema is stage 2: one issue per leaf error of the validator,
// located at the YAML node the error's instance location points to.
func validateSchema(cs *compiledSchema, doc *document) []issue {
	err := cs.sch.Validate(doc.value)
	if err == nil {
		return nil
	}
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return []issue{{msg: "internal error in schema validation: " + err.Error(), rule: "internal"}}
	}
	var out []issue
	for _, leaf := range leaves(verr, nil) {
		out = append(out, cs.describe(doc, leaf)...)
	}
	// The validator reports the same leaf through several paths at times
	// ($ref chains); keep each message once.
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].line != out[j].line {
			return out[i].line < out[j].line
		}
		return out[i].col < out[j].col
	})
	seen := map[string]bool{}
	uniq := out[:0]
	for _, is := range out {
		k := fmt.Sprint(is.line, is.col, is.field, is.msg)
		if !seen[k] {
			seen[k] = true
			uniq = append(uniq, is)
		}
	}
	return uniq
}

func leaves(e *jsonschema.ValidationError, acc []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return append(acc, e)
	}
	for _, c := range e.Causes {
		acc = leaves(c, acc)
	}
	return acc
}

var printer = message.NewPrinter(language.English)

// describe turns one leaf error into readable issues. Messages are short,
// lower-case sentences; the field path and position say where.
func (cs *compiledSchema) describe(doc *document, e *jsonschema.ValidationError) []issue {
	ptr := "/" + strings.Join(escapeTokens(e.InstanceLocation), "/")
	if len(e.InstanceLocation) == 0 {
		ptr = ""
	}
	if doc.isCovered(ptr) {
		return nil
	}
	at := locate(doc.root, e.InstanceLocation)
	is := issue{line: at.value.Line, col: at.value.Column, field: at.field, rule: "schema"}
	frag := fragment(e.SchemaURL)

	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		var out []issue
		// Point at the key that holds the incomplete object, where the
		// missing field belongs.
		line, col := at.value.Line, at.value.Column
		if at.key != nil {
			line, col = at.key.Line, at.key.Column
		}
		for _, m := range k.Missing {
			out = append(out, issue{line: line, col: col, field: joinField(at.field, m), msg: "required field is missing", rule: "schema-required"})
		}
		return out
	case *kind.AdditionalProperties:
		var out []issue
		allowed := cs.propertyNames(frag)
		for _, p := range k.Properties {
			line, col := at.value.Line, at.value.Column
			if kn := mappingKey(at.value, p); kn != nil {
				line, col = kn.Line, kn.Column
			}
			msg := fmt.Sprintf("unknown field %q", p)
			if legacy, ok := legacyFields[p]; ok && at.field == "" && cs.name == schema.AccountFile {
				msg += fmt.Sprintf("; orgnotify calls it %s", legacy)
			} else if s := suggest(p, allowed); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else if len(allowed) > 0 {
				msg += fmt.Sprintf("; allowed: %s", strings.Join(allowed, ", "))
			}
			out = append(out, issue{line: line, col: col, field: joinField(at.field, p), msg: msg, rule: "unknown-field"})
		}
		return out
	case *kind.Type:
		switch {
		case len(e.InstanceLocation) == 0:
			is.msg = fmt.Sprintf("the file must be a mapping of settings (id: ..., name: ...), not %s", typeName(k.Got))
		case k.Got == "null":
			is.msg = fmt.Sprintf("is empty; expected %s", typeNames(k.Want))
		case k.Got == "number" && len(k.Want) == 1 && k.Want[0] == "integer":
			is.msg = "must be a whole number"
		default:
			is.msg = fmt.Sprintf("must be %s, not %s", typeNames(k.Want), typeName(k.Got))
		}
	case *kind.Enum:
		is.rule = "unknown-value"
		var want []string
		for _, w := range k.Want {
			want = append(want, fmt.Sprint(w))
		}
		got, isStr := k.Got.(string)
		if !isStr {
			is.msg = fmt.Sprintf("must be one of %s", listOrRef(want))
			break
		}
		is.msg = fmt.Sprintf("unknown value %q", got)
		if s := suggest(got, want); s != "" {
			is.msg += fmt.Sprintf("; did you mean %q?", s)
		} else {
			is.msg += "; must be one of " + listOrRef(want)
		}
	case *kind.Const:
		is.msg = fmt.Sprintf("must be %q", fmt.Sprint(k.Want))
	case *kind.Pattern:
		is.msg, is.rule = patternMessage(frag, k.Got)
	case *kind.Format:
		is.msg = fmt.Sprintf("%q is not a valid %s", fmt.Sprint(k.Got), k.Want)
		if k.Want == "email" {
			is.msg = fmt.Sprintf("%q is not a valid email address", fmt.Sprint(k.Got))
		}
	case *kind.MinItems:
		is.msg = fmt.Sprintf("must list at least %d %s", k.Want, plural(k.Want, "item"))
	case *kind.MaxItems:
		is.msg = fmt.Sprintf("must list at most %d %s", k.Want, plural(k.Want, "item"))
	case *kind.UniqueItems:
		// Point at the repeat, not at the list.
		dup := locate(doc.root, append(e.InstanceLocation[:len(e.InstanceLocation):len(e.InstanceLocation)], strconv.Itoa(k.Duplicates[1])))
		is = issue{line: dup.value.Line, col: dup.value.Column, field: dup.field, rule: "schema",
			msg: fmt.Sprintf("duplicate of item [%d]", k.Duplicates[0])}
	case *kind.MinLength:
		is.msg = fmt.Sprintf("must be at least %d characters", k.Want)
		if k.Want == 1 {
			is.msg = "must not be empty"
		}
	case *kind.MaxLength:
		is.msg = fmt.Sprintf("must be at most %d characters (it has %d)", k.Want, k.Got)
	case *kind.Minimum:
		is.msg = fmt.Sprintf("must be at least %s", ratString(k.Want))
	case *kind.Maximum:
		is.msg = fmt.Sprintf("must be at most %s", ratString(k.Want))
	case *kind.ExclusiveMinimum:
		is.msg = fmt.Sprintf("must be greater than %s", ratString(k.Want))
	case *kind.ExclusiveMaximum:
		is.msg = fmt.Sprintf("must be less than %s", ratString(k.Want))
	default:
		is.msg = e.ErrorKind.LocalizedString(printer)
	}
	return []issue{is}
}

// tokenEscaper escapes one JSON pointer token (RFC 6901).
var tokenEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func escapeTokens(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = tokenEscaper.Replace(t)
	}
	return out
}

// located is a value in the YAML tree: the node, the key that names it
// (nil for sequence items and the root) and its field path.
type located struct {
	key, value *yaml.Node
	field      string
}

// locate walks an instance location (JSON pointer tokens, unescaped) down
// the YAML tree. It stops at the deepest node that exists, so an error
// always has a position.
func locate(root *yaml.Node, toks []string) located {
	at := located{value: root}
	var path []pathElem
	for _, t := range toks {
		n := at.value
		switch n.Kind {
		case yaml.MappingNode:
			k := mappingKey(n, t)
			if k == nil {
				return at
			}
			at.key, at.value = k, mappingValue(n, k)
			path = append(path, pathElem{key: t})
		case yaml.SequenceNode:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(n.Content) {
				return at
			}
			at.key, at.value = nil, n.Content[i]
			path = append(path, pathElem{index: i, isIdx: true})
		default:
			return at
		}
		at.field = fieldOf(path)
	}
	return at
}

// mappingKey returns the first key node named name. Duplicate keys were
// reported in stage 1; the converter kept the first, so does this.
func mappingKey(n *yaml.Node, name string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == name {
			return k
		}
	}
	return nil
}

func mappingValue(n, key *yaml.Node) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i] == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func joinField(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// fragment returns the JSON pointer part of a schema URL ("#/$defs/x").
func fragment(url string) string {
	if i := strings.IndexByte(url, '#'); i >= 0 {
		return url[i+1:]
	}
	return ""
}

// propertyNames lists the properties the schema at frag declares, for
// "did you mean" on unknown fields.
func (cs *compiledSchema) propertyNames(frag string) []string {
	v := cs.raw
	for _, t := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if t == "" {
			continue
		}
		t = strings.NewReplacer("~1", "/", "~0", "~").Replace(t)
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[t]
	}
	m, _ := v.(map[string]any)
	props, _ := m["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// legacyFields map the field names of the JSON account list many teams
// start from (AccountId, ChannelIds, ...) to orgnotify's.
var legacyFields = map[string]string{
	"AccountId":   "id (a quoted string)",
	"Description": "description",
	"ChannelIds":  "slack.channels",
	"Currency":    "cost.currency",
	"Granularity": "cost.granularity (one value)",
	"CostTags":    "cost.tags",
}

// patternHints explain a pattern in words, keyed by the end of the schema
// location that holds it. Users should never have to read a regexp.
var patternHints = []struct{ suffix, hint, rule string }{
	{"/$defs/accountId", "must be a 12-digit AWS account ID in quotes, e.g. \"012345678901\"", "account-id"},
	{"/$defs/slackChannelId", "must be a Slack channel ID like C0123ABCDEF (channel details, at the bottom)", "slack-channel-id"},
	{"/$defs/region", "must be an AWS region code like ap-northeast-1", "schema"},
	{"/$defs/tagKey", "must be an AWS tag key: 1-128 letters, digits, spaces and _ . : / = + - @", "tag-filter"},
	{"/$defs/hostname", "must be a lower-case host name like example.co.jp", "schema"},
	{"/$defs/resourceName", "must be 1-80 letters, digits, hyphens or underscores", "schema"},
	{"/properties/name", "must be lower-case letters, digits and hyphens, starting with a letter or digit (at most 63)", "schema"},
	{"/properties/namePrefix", "must be lower-case letters, digits and hyphens, starting with a letter and ending with '-', e.g. orgnotify-", "schema"},
	{"/properties/kmsKeyAlias", "must be a KMS alias like alias/orgnotify-events", "schema"},
	{"/properties/memberRole", "must be an IAM role name (1-64 of letters, digits and +=,.@_-)", "schema"},
	{"/properties/organization/properties/id", "must be an organization ID like o-a1b2c3d4e5", "schema"},
	{"/properties/https/items", "must be an https:// URL without spaces", "schema"},
	{"/properties/rules/items", "must be an AWS Config rule name (letters, digits, . _ -)", "schema"},
	{"/properties/services/items", "must be an AWS Health service code in upper case, e.g. EC2", "schema"},
}

func patternMessage(frag, got string) (msg, rule string) {
	if strings.HasSuffix(frag, "/$defs/slackChannelId") && (strings.HasPrefix(got, "#") || strings.ToLower(got) == got) {
		return fmt.Sprintf("%q looks like a channel name; use the channel ID (e.g. C0123ABCDEF, shown at the bottom of the channel's details): names can be renamed, IDs cannot", got), "slack-channel-name"
	}
	if strings.HasSuffix(frag, "/properties/https/items") && strings.HasPrefix(strings.ToLower(got), "http://") {
		return fmt.Sprintf("%q uses plain http, which is never allowed: events would travel unencrypted; use https://", got), "endpoint-not-allowed"
	}
	for _, h := range patternHints {
		if strings.HasSuffix(frag, h.suffix) {
			return fmt.Sprintf("%q %s", got, h.hint), h.rule
		}
	}
	return fmt.Sprintf("%q does not have the expected form", got), "schema"
}

func typeNames(ts []string) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = typeName(t)
	}
	return strings.Join(names, " or ")
}

func typeName(t string) string {
	switch t {
	case "object":
		return "a mapping"
	case "array":
		return "a list"
	case "string":
		return "a string"
	case "integer":
		return "a whole number"
	case "number":
		return "a number"
	case "boolean":
		return "true or false"
	case "null":
		return "empty"
	}
	return t
}

func listOrRef(want []string) string {
	if len(want) <= 8 {
		return strings.Join(want, ", ")
	}
	return strings.Join(want[:6], ", ") + fmt.Sprintf(", … (%d values, see the configuration reference)", len(want))
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	return strings.TrimRight(r.FloatString(6), "0")
}
