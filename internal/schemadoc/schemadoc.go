// Package schemadoc renders the configuration reference (Markdown) from the
// JSON Schemas' descriptions, so the README and the editor hovers say the
// same thing and the reference cannot drift from what validate enforces.
package schemadoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Render returns the Markdown reference for org.yaml and account files:
// one table per object with each field's path, type, whether it is
// required, its description, allowed values or pattern, and default.
func Render(orgSchema, accountSchema []byte) (string, error) {
	var sb strings.Builder
	for _, f := range []struct {
		title, prefix string
		data          []byte
	}{
		{"org.yaml", "org", orgSchema},
		{"accounts/&lt;name&gt;.yaml", "account", accountSchema},
	} {
		root, err := parse(f.data)
		if err != nil {
			return "", fmt.Errorf("schema for %s: %w", f.title, err)
		}
		r := renderer{root: root, prefix: f.prefix, done: map[string]bool{}}
		fmt.Fprintf(&sb, "### %s\n\n", f.title)
		if d := root.str("description"); d != "" {
			fmt.Fprintf(&sb, "%s\n\n", d)
		}
		r.object(&sb, "", root)
		for len(r.queue) > 0 {
			q := r.queue[0]
			r.queue = r.queue[1:]
			// The prefix keeps anchors unique across the two files: both
			// have a "cost" and a "slack".
			fmt.Fprintf(&sb, "#### %s `%s`\n\n", r.prefix, q.path)
			if d := q.obj.str("description"); d != "" {
				fmt.Fprintf(&sb, "%s\n\n", d)
			}
			r.object(&sb, q.path, q.obj)
		}
	}
	return strings.TrimRight(sb.String(), "\n") + "\n", nil
}

type queued struct {
	path string
	obj  *node
}

type renderer struct {
	root   *node
	prefix string
	queue  []queued        // nested objects, each rendered as its own table
	done   map[string]bool // shared $defs objects already queued
}

// object writes the table of one object's properties.
func (r *renderer) object(sb *strings.Builder, path string, obj *node) {
	props := obj.get("properties")
	if props == nil {
		return
	}
	required := map[string]bool{}
	for _, v := range obj.get("required").list() {
		if s, ok := v.value.(string); ok {
			required[s] = true
		}
	}
	sb.WriteString("| Field | Type | Required | Description | Allowed | Default |\n")
	sb.WriteString("|---|---|---|---|---|---|\n")
	for _, kv := range props.fields {
		name, p := kv.key, kv.val
		full := join(path, name)
		def, refName := r.deref(p)
		typ := r.typeOf(def)
		// A nested object gets its own table; a shared one ($defs) only
		// once, under the name of its definition.
		target := def
		if it := def.get("items"); def.str("type") == "array" && it != nil {
			target, _ = r.deref(it)
		}
		if target.get("properties") != nil {
			sub := full
			if target != def {
				sub = full + "[]"
			}
			if refName != "" {
				// Shared definition: one table, with its own description.
				sub = refName
				target = r.root.get("$defs").get(refName)
			}
			if !r.done[sub] {
				r.done[sub] = true
				r.queue = append(r.queue, queued{sub, target})
			}
			typ = fmt.Sprintf("%s, see [`%s`](#%s)", typ, sub, anchor(r.prefix+" "+sub))
		}
		desc := p.str("description")
		if desc == "" {
			desc = def.str("description")
		}
		req := ""
		if required[name] {
			req = "yes"
		}
		fmt.Fprintf(sb, "| `%s` | %s | %s | %s | %s | %s |\n", full, cell(typ), req, cell(desc), cell(r.allowed(def)), cell(jsonCell(def.get("default"))))
	}
	sb.WriteString("\n")
}

// deref resolves a local "$ref" ("#/$defs/x"), merging the referring
// schema's own keywords over the definition's. refName is the definition's
// name when the target is a shared object.
func (r *renderer) deref(p *node) (*node, string) {
	ref := p.str("$ref")
	if !strings.HasPrefix(ref, "#/$defs/") {
		return p, ""
	}
	name := strings.TrimPrefix(ref, "#/$defs/")
	def := r.root.get("$defs").get(name)
	if def == nil {
		return p, ""
	}
	merged := &node{}
	merged.fields = append(merged.fields, def.fields...)
	for _, kv := range p.fields {
		merged.set(kv.key, kv.val)
	}
	if def.get("properties") != nil {
		return merged, name
	}
	return merged, ""
}

func (r *renderer) typeOf(s *node) string {
	if t := s.str("type"); t != "" {
		if t == "array" {
			if it := s.get("items"); it != nil {
				d, _ := r.deref(it)
				return "list of " + r.typeOf(d)
			}
			return "list"
		}
		if t == "object" {
			return "mapping"
		}
		return t
	}
	if e := s.get("enum"); e != nil {
		return "string"
	}
	if c := s.get("const"); c != nil {
		return "string"
	}
	return "any"
}

func (r *renderer) allowed(s *node) string {
	var parts []string
	if it := s.get("items"); it != nil {
		d, _ := r.deref(it)
		s = merge(s, d)
	}
	if e := s.get("enum"); e != nil {
		var vs []string
		for _, v := range e.list() {
			vs = append(vs, "`"+fmt.Sprint(v.value)+"`")
		}
		parts = append(parts, strings.Join(vs, ", "))
	}
	if c := s.get("const"); c != nil {
		parts = append(parts, "`"+fmt.Sprint(c.value)+"`")
	}
	if p := s.str("pattern"); p != "" {
		parts = append(parts, "pattern `"+p+"`")
	}
	if f := s.str("format"); f != "" {
		parts = append(parts, f)
	}
	for _, b := range []struct{ kw, text string }{
		{"minimum", "≥ %v"}, {"exclusiveMinimum", "> %v"}, {"maximum", "≤ %v"}, {"exclusiveMaximum", "< %v"},
		{"minItems", "at least %v item(s)"}, {"maxLength", "at most %v characters"},
	} {
		if v := s.get(b.kw); v != nil {
			parts = append(parts, fmt.Sprintf(b.text, v.value))
		}
	}
	if ex := s.get("examples"); ex != nil && len(parts) > 0 && s.str("pattern") != "" {
		if l := ex.list(); len(l) > 0 {
			parts = append(parts, "e.g. "+jsonCell(l[0]))
		}
	}
	return strings.Join(parts, "; ")
}

// merge returns the items schema's keywords with the array's own minItems
// and the like kept.
func merge(arr, items *node) *node {
	m := &node{}
	for _, kv := range arr.fields {
		if kv.key != "items" && kv.key != "examples" && kv.key != "default" {
			m.set(kv.key, kv.val)
		}
	}
	for _, kv := range items.fields {
		if kv.key != "description" && kv.key != "type" {
			m.set(kv.key, kv.val)
		}
	}
	return m
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// anchor is GitHub's heading anchor for "#### `path`".
func anchor(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// cellEscaper keeps text inside one Markdown table cell. Unlike the pull
// request comment's escaping it leaves Markdown alone: the descriptions are
// ours, and their `code` spans are meant to render.
var cellEscaper = strings.NewReplacer("|", `\|`, "\n", " ")

func cell(s string) string { return cellEscaper.Replace(s) }

func jsonCell(n *node) string {
	if n == nil {
		return ""
	}
	b, _ := json.Marshal(n.plain())
	return "`" + string(b) + "`"
}

// node is a JSON value that keeps the key order of objects: the reference
// lists fields in the order the schema (and so the examples) use.
type node struct {
	value  any // scalars; nil for objects and arrays
	fields []kv
	items  []*node
	isObj  bool
	isArr  bool
}

type kv struct {
	key string
	val *node
}

func (n *node) get(key string) *node {
	if n == nil {
		return nil
	}
	for _, f := range n.fields {
		if f.key == key {
			return f.val
		}
	}
	return nil
}

func (n *node) set(key string, v *node) {
	n.isObj = true
	for i, f := range n.fields {
		if f.key == key {
			n.fields[i].val = v
			return
		}
	}
	n.fields = append(n.fields, kv{key, v})
}

func (n *node) str(key string) string {
	s, _ := n.get(key).scalar().(string)
	return s
}

func (n *node) scalar() any {
	if n == nil {
		return nil
	}
	return n.value
}

func (n *node) list() []*node {
	if n == nil {
		return nil
	}
	return n.items
}

func (n *node) plain() any {
	switch {
	case n.isObj:
		m := map[string]any{}
		for _, f := range n.fields {
			m[f.key] = f.val.plain()
		}
		return m
	case n.isArr:
		l := make([]any, len(n.items))
		for i, it := range n.items {
			l[i] = it.plain()
		}
		return l
	}
	return n.value
}

func parse(data []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the schema")
	}
	if !n.isObj {
		return nil, fmt.Errorf("schema is not an object")
	}
	return n, nil
}

func parseValue(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{isObj: true}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				n.fields = append(n.fields, kv{kt.(string), v})
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &node{isArr: true}
			for dec.More() {
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			_, err := dec.Token()
			return n, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return &node{value: t}, nil
	}
}
