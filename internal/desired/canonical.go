package desired

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Doc says how a JSON document is compared.
type Doc int

const (
	// Pattern is an EventBridge event pattern, SNS filter policy or target
	// list: every array is a set (order and duplicates are irrelevant to
	// AWS), except the operator/value pairs under "numeric".
	Pattern Doc = iota
	// Policy is an IAM-style policy (key, topic, queue, bus, role): arrays
	// are sets, and a one-element array means the same as its element,
	// which AWS sometimes returns in place of the array (Statement is
	// always written as a list).
	Policy
)

// CanonicalJSON returns doc in canonical form, so that two documents AWS
// treats alike are equal strings: keys sorted, no insignificant
// whitespace, sets sorted and deduplicated, numbers in shortest form.
func CanonicalJSON(doc string, kind Doc) (string, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("parse JSON document: %w", err)
	}
	if dec.More() {
		return "", fmt.Errorf("parse JSON document: data after the document")
	}
	return encode(canon(v, kind, "")), nil
}

// MustCanonical is CanonicalJSON for documents orgnotify builds itself
// from typed values: a failure is a bug, not a user's mistake.
func MustCanonical(v any, kind Doc) string {
	s, err := CanonicalJSON(encode(v), kind)
	if err != nil {
		panic(fmt.Sprintf("desired: canonical JSON of a built document: %v", err))
	}
	return s
}

func canon(v any, kind Doc, key string) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = canon(x, kind, k)
		}
		if st, ok := t["Statement"].(map[string]any); ok && kind == Policy {
			t["Statement"] = []any{st}
		}
		return t
	case []any:
		for i, x := range t {
			t[i] = canon(x, kind, key)
		}
		if key == "numeric" {
			return t
		}
		seen := map[string]bool{}
		out := t[:0]
		for _, x := range t {
			k := encode(x)
			if !seen[k] {
				seen[k] = true
				out = append(out, x)
			}
		}
		sort.Slice(out, func(i, j int) bool { return encode(out[i]) < encode(out[j]) })
		// Statement stays a list: some services refuse a lone object.
		if kind == Policy && len(out) == 1 && key != "Statement" {
			return out[0]
		}
		return out
	}
	return v
}

func encode(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // policies carry "<" and ">" rarely, but readably
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("desired: encode JSON: %v", err))
	}
	return strings.TrimSuffix(b.String(), "\n")
}
