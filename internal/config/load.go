package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/orgnotify/orgnotify/internal/findings"
	"gopkg.in/yaml.v3"
)

// Limits on input. A configuration file is a few dozen lines; anything far
// beyond these is a mistake or an attack, and refusing it early keeps the
// validator's time and memory bounded whatever a pull request contains.
const (
	MaxFileSize = 1 << 20 // bytes; larger files are rejected unread
	MaxDepth    = 32      // nesting levels; the schemas need fewer than 10
)

// issue is a problem found in one file before its display path is known.
type issue struct {
	line, col int
	field     string
	msg       string
	rule      string
	sev       findings.Severity
}

func (is issue) finding(file string) findings.Finding {
	sev := is.sev
	if sev == "" {
		sev = findings.Error
	}
	return findings.Finding{File: file, Line: is.line, Col: is.col, Field: is.field, Message: is.msg, Severity: sev, Rule: is.rule}
}

// document is stage 1's result: the YAML tree (which keeps line and column
// of every value) and the same data as a JSON-compatible value for the
// schema validator.
type document struct {
	root  *yaml.Node // the top-level value node (not the DocumentNode)
	value any        // map[string]any, []any, string, int64, uint64, float64, bool, nil
	// covered holds JSON pointers already reported by stage 1 (an alias, a
	// number used as an account ID); schema errors at or below them would
	// only repeat the same problem in worse words.
	covered []string
}

func (d *document) isCovered(ptr string) bool {
	for _, c := range d.covered {
		if ptr == c || strings.HasPrefix(ptr, c+"/") {
			return true
		}
	}
	return false
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// parseYAML is stage 1: it checks the bytes and the YAML structure. It
// returns a nil document when the file cannot be validated further.
func parseYAML(data []byte) (*document, []issue) {
	if len(data) > MaxFileSize {
		return nil, []issue{{msg: fmt.Sprintf("file is larger than %d KiB; an account file should be a few KiB", MaxFileSize>>10), rule: "file-too-large"}}
	}
	// A UTF-8 byte order mark is accepted and ignored: Windows editors add
	// it, and it changes nothing about the content.
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []issue{{msg: "file is empty", rule: "file-empty"}}
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return nil, []issue{{line: 1, col: 1, msg: "file is UTF-16; save it as UTF-8", rule: "file-encoding"}}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line, col := position(data, i)
		return nil, []issue{{line: line, col: col, msg: "file looks binary (it contains NUL bytes); expected UTF-8 YAML text", rule: "file-encoding"}}
	}
	if !utf8.Valid(data) {
		i := firstInvalidUTF8(data)
		line, col := position(data, i)
		return nil, []issue{{line: line, col: col, msg: fmt.Sprintf("file is not valid UTF-8 (byte 0x%02X); save it as UTF-8", data[i]), rule: "file-encoding"}}
	}

	if i := firstLineSeparator(data); i >= 0 {
		// yaml.v3 (YAML 1.1) reads NEL, U+2028 and U+2029 as line breaks,
		// so every later position would be off by one from the editor's.
		line, col := position(data, i)
		r, _ := utf8.DecodeRune(data[i:])
		return nil, []issue{{line: line, col: col, msg: fmt.Sprintf("character %U (%s) is not allowed: YAML reads it as a line break your editor does not show; remove it", r, separatorNames[r]), rule: "yaml-syntax"}}
	}
	data = yaml12Directive(data)

	top, second, err := decodeYAML(data)
	switch {
	case errors.Is(err, io.EOF):
		return nil, []issue{{msg: "file contains only comments; expected settings", rule: "file-empty"}}
	case errors.Is(err, errYAMLPanic):
		return nil, []issue{{msg: err.Error(), rule: "internal"}}
	case err != nil:
		return nil, []issue{syntaxIssue(data, err)}
	case second != nil:
		return nil, []issue{{line: second.Line, col: second.Column, msg: "file holds more than one YAML document; remove the second '---' and what follows, or move it to its own file", rule: "yaml-multi-document"}}
	}
	if len(top.Content) == 0 {
		return nil, []issue{{msg: "file contains only comments; expected settings", rule: "file-empty"}}
	}

	c := converter{doc: &document{root: top.Content[0]}}
	c.doc.value = c.convert(top.Content[0], nil, 1)
	if c.aliases > 0 {
		msg := "YAML anchors and aliases are not allowed; write the value out in full so reviewers see it"
		if c.aliases > 1 {
			msg += fmt.Sprintf(" (%d more aliases in this file)", c.aliases-1)
		}
		c.issues = append(c.issues, issue{line: c.firstAlias.Line, col: c.firstAlias.Column, field: c.firstAliasField, msg: msg, rule: "yaml-alias"})
	}
	return c.doc, c.issues
}

var errYAMLPanic = errors.New("internal error in the YAML parser")

// decodeYAML parses the first document and tells whether a second one
// follows. yaml.v3 has panicked on hostile input in the past; such a panic
// becomes an error here so one file never takes the validation down. Only
// the parser is guarded: a panic in our own code must surface in tests.
func decodeYAML(data []byte) (top, second *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			top, second, err = nil, nil, fmt.Errorf("%w: %v", errYAMLPanic, r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var first yaml.Node
	if err := dec.Decode(&first); err != nil {
		return nil, nil, err
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
		return &first, nil, nil
	case err != nil:
		return nil, nil, err
	}
	return &first, &next, nil
}

// pathElem is one step from the document root to a value: a mapping key or
// a sequence index.
type pathElem struct {
	key   string
	index int // valid when isIdx
	isIdx bool
}

func fieldOf(path []pathElem) string {
	var sb strings.Builder
	for _, p := range path {
		if p.isIdx {
			fmt.Fprintf(&sb, "[%d]", p.index)
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(p.key)
	}
	return sb.String()
}

func pointerOf(path []pathElem) string {
	var sb strings.Builder
	for _, p := range path {
		sb.WriteByte('/')
		if p.isIdx {
			sb.WriteString(strconv.Itoa(p.index))
			continue
		}
		sb.WriteString(tokenEscaper.Replace(p.key))
	}
	return sb.String()
}

// idFields are the fields whose values are AWS account IDs, in account
// files and org.yaml.
var idFields = map[string]bool{"id": true, "hub.accountId": true, "organization.managementAccountId": true}

type converter struct {
	doc             *document
	issues          []issue
	aliases         int
	firstAlias      *yaml.Node
	firstAliasField string
}

func (c *converter) cover(path []pathElem) {
	c.doc.covered = append(c.doc.covered, pointerOf(path))
}

// convert turns a node into a JSON-compatible value. Aliases are never
// expanded: that is what makes a "billion laughs" file harmless here.
func (c *converter) convert(n *yaml.Node, path []pathElem, depth int) any {
	if depth > MaxDepth {
		c.issues = append(c.issues, issue{line: n.Line, col: n.Column, field: fieldOf(path), msg: fmt.Sprintf("nested deeper than %d levels", MaxDepth), rule: "yaml-depth"})
		c.cover(path)
		return nil
	}
	switch n.Kind {
	case yaml.AliasNode:
		if c.aliases == 0 {
			c.firstAlias, c.firstAliasField = n, fieldOf(path)
		}
		c.aliases++
		c.cover(path)
		return nil
	case yaml.MappingNode, yaml.SequenceNode:
		if n.Style&yaml.TaggedStyle != 0 && n.Tag != "!!map" && n.Tag != "!!seq" {
			// "!!python/object:os.system {...}" or "!GetAtt [...]": a tag
			// asks the reader to build something; ours builds nothing.
			c.issues = append(c.issues, issue{line: n.Line, col: n.Column, field: fieldOf(path),
				msg: fmt.Sprintf("YAML tag %s is not supported; write a plain value", n.Tag), rule: "yaml-tag"})
			c.cover(path)
		}
		if n.Kind == yaml.SequenceNode {
			return c.sequence(n, path, depth)
		}
		m := make(map[string]any, len(n.Content)/2)
		seen := make(map[string]*yaml.Node, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.AliasNode {
				// A merge key "<<: *base" lands here.
				c.convert(k, path, depth+1)
				continue
			}
			if k.Kind != yaml.ScalarNode {
				c.issues = append(c.issues, issue{line: k.Line, col: k.Column, field: fieldOf(path), msg: "mapping keys must be plain strings", rule: "yaml-key"})
				continue
			}
			if first, dup := seen[k.Value]; dup {
				c.issues = append(c.issues, issue{line: k.Line, col: k.Column, field: fieldOf(append(path, pathElem{key: k.Value})),
					msg: fmt.Sprintf("duplicate key %q (first set on line %d); YAML keeps only one of them", k.Value, first.Line), rule: "yaml-duplicate-key"})
				continue
			}
			seen[k.Value] = k
			child := append(path[:len(path):len(path)], pathElem{key: k.Value})
			m[k.Value] = c.convert(v, child, depth+1)
		}
		return m
	case yaml.ScalarNode:
		return c.scalar(n, path)
	}
	return nil
}

func (c *converter) sequence(n *yaml.Node, path []pathElem, depth int) []any {
	s := make([]any, len(n.Content))
	for i, v := range n.Content {
		s[i] = c.convert(v, append(path[:len(path):len(path)], pathElem{index: i, isIdx: true}), depth+1)
	}
	return s
}

func (c *converter) scalar(n *yaml.Node, path []pathElem) any {
	if (n.Tag == "!!int" || n.Tag == "!!float") && idFields[fieldOf(path)] {
		msg := "account ID is written as a number, which loses leading zeros; write its 12 digits in quotes, e.g. \"012345678901\""
		// Suggest a value only when it is one the schema accepts:
		// 345_678_901_234 reads as a number, but "345_678_901_234" is
		// still not an account ID.
		if digits := strings.ReplaceAll(n.Value, "_", ""); accountIDPattern.MatchString(digits) {
			msg = fmt.Sprintf("account ID is written as a number, which loses leading zeros; quote it: \"%s\"", digits)
		}
		c.issues = append(c.issues, issue{line: n.Line, col: n.Column, field: fieldOf(path), msg: msg, rule: "account-id-number"})
		c.cover(path)
		return n.Value
	}
	switch n.Tag {
	case "!!str", "!!timestamp", "!!binary", "!!merge":
		// A date or a base64 blob in a text field is still text to us.
		return n.Value
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err == nil {
			return b
		}
		return n.Value
	case "!!int":
		var i int64
		if err := n.Decode(&i); err == nil {
			return i
		}
		var u uint64
		if err := n.Decode(&u); err == nil {
			return u
		}
		// Too large for 64 bits: fall through to float.
		fallthrough
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			c.issues = append(c.issues, issue{line: n.Line, col: n.Column, field: fieldOf(path), msg: fmt.Sprintf("%q is not a finite number", n.Value), rule: "yaml-number"})
			c.cover(path)
			return n.Value
		}
		return f
	}
	c.issues = append(c.issues, issue{line: n.Line, col: n.Column, field: fieldOf(path),
		msg: fmt.Sprintf("YAML tag %s is not supported; write a plain value", n.Tag), rule: "yaml-tag"})
	c.cover(path)
	return n.Value
}

var (
	yamlLineErr      = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	yamlUnknownAlias = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	// yamlDirective12 is a "%YAML 1.2" line in the directives before the
	// first "---"; yaml.v3 accepts only 1.1.
	yamlDirective12 = regexp.MustCompile(`(?m)\A((?:[ \t]*(?:#.*)?\r?\n|%.*\r?\n)*?%YAML[ \t]+1\.)2([ \t\r\n#])`)
)

// yaml12Directive rewrites "%YAML 1.2" as "%YAML 1.1", which yaml.v3
// accepts, keeping every byte's position. The parts of YAML 1.2 these
// files use (plain strings, numbers, true/false) read the same either way.
func yaml12Directive(data []byte) []byte {
	if !bytes.Contains(data, []byte("%YAML")) {
		return data
	}
	return yamlDirective12.ReplaceAll(data, []byte("${1}1$2"))
}

var separatorNames = map[rune]string{0x85: "NEXT LINE", 0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR"}

// firstLineSeparator returns the offset of the first NEL, U+2028 or
// U+2029, or -1.
func firstLineSeparator(data []byte) int {
	for i, r := range string(data) {
		if _, ok := separatorNames[r]; ok {
			return i
		}
	}
	return -1
}

// yamlParserProblems are the errors of yaml.v3's parser (as opposed to its
// scanner). yaml.v3 prints a 0-based line for them, one less than editors
// show, and no line at all for the first one.
var yamlParserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"found undefined tag handle":             true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

const yamlControlChar = "control characters are not allowed"

// syntaxIssue turns a yaml.v3 error into an issue with a line, adding the
// hint people need most: YAML forbids tabs for indentation.
func syntaxIssue(data []byte, err error) issue {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLineErr.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if m := yamlUnknownAlias.FindStringSubmatch(msg); m != nil {
		// yaml.v3 names the anchor but not where it is used.
		if i := aliasUse(data, m[1]); i >= 0 {
			l, c := position(data, i)
			return issue{line: l, col: c, msg: fmt.Sprintf("invalid YAML: alias *%s has no anchor; anchors and aliases are not allowed: write the value out", m[1]), rule: "yaml-alias"}
		}
	}
	switch {
	case msg == yamlControlChar:
		// yaml.v3 gives no position for it; an invisible character needs one.
		if i := firstControlChar(data); i >= 0 {
			l, c := position(data, i)
			r, _ := utf8.DecodeRune(data[i:])
			return issue{line: l, col: c, msg: fmt.Sprintf("invalid YAML: control character %U is not allowed; remove it", r), rule: "yaml-syntax"}
		}
	case yamlParserProblems[msg]:
		line++
	case line == 0:
		// A scanner error without a line is on the first one.
		line = 1
	}
	is := issue{line: line, msg: "invalid YAML: " + msg, rule: "yaml-syntax"}
	if line > 0 {
		is.col = 1
		candidates := []int{line, line - 1}
		if strings.Contains(msg, "tab character") {
			// Reported at the line before the tab at times.
			candidates = append(candidates, line+1)
		}
		for _, l := range candidates {
			if text, ok := lineText(data, l); ok {
				indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
				if i := strings.IndexByte(indent, '\t'); i >= 0 {
					is.line, is.col = l, i+1
					is.msg = "invalid YAML: a tab is used for indentation; YAML allows only spaces"
					break
				}
			}
		}
	}
	return is
}

// aliasUse returns the offset of the first "*name" that is an alias (not
// text inside a comment or a quoted string, as far as a line-level look can
// tell), or -1.
func aliasUse(data []byte, name string) int {
	re, err := regexp.Compile(`(^|[\s\[{,:-])\*` + regexp.QuoteMeta(name) + `($|[\s\]},])`)
	if err != nil {
		return -1
	}
	off := 0
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		code := line
		if i := bytes.Index(code, []byte(" #")); i >= 0 {
			code = code[:i]
		}
		if loc := re.FindIndex(code); loc != nil && !bytes.HasPrefix(bytes.TrimSpace(code), []byte("#")) {
			return off + bytes.IndexByte(code[loc[0]:], '*') + loc[0]
		}
		off += len(line)
	}
	return -1
}

func lineText(data []byte, line int) (string, bool) {
	if line < 1 {
		return "", false
	}
	for i := 1; i < line; i++ {
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			return "", false
		}
		data = data[j+1:]
	}
	if j := bytes.IndexByte(data, '\n'); j >= 0 {
		data = data[:j]
	}
	return strings.TrimSuffix(string(data), "\r"), true
}

// position converts a byte offset into a 1-based line and column, the
// column counted in characters as editors do.
func position(data []byte, off int) (line, col int) {
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, utf8.RuneCount(before) + 1
}

// firstControlChar returns the offset of the first character yaml.v3's
// reader refuses (the YAML 1.1 printable set), or -1.
func firstControlChar(data []byte) int {
	for i, r := range string(data) {
		switch {
		case r == 0x09, r == 0x0A, r == 0x0D, r >= 0x20 && r <= 0x7E, r == 0x85,
			r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		default:
			return i
		}
	}
	return -1
}

func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return 0
}
