package schema

import (
	"bytes"
	"fmt"
	"sort"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var files = map[string][]byte{OrgFile: Org(), AccountFile: Account()}

// TestCompile checks each schema against the draft 2020-12 meta-schema and
// compiles it, as the validator does at start-up.
func TestCompile(t *testing.T) {
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if got := doc.(map[string]any)["$schema"]; got != "https://json-schema.org/draft/2020-12/schema" {
				t.Errorf("$schema = %v, want draft 2020-12", got)
			}
			c := jsonschema.NewCompiler()
			if err := c.AddResource(name, doc); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Compile(name); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestDocumented enforces the schema's house rules: the descriptions are
// the reference users read (README and editor hovers), so every property
// has one, and every object refuses unknown fields, so a typo is an error
// rather than a silently ignored setting.
func TestDocumented(t *testing.T) {
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			var problems []string
			walk("#", doc, &problems)
			sort.Strings(problems)
			for _, p := range problems {
				t.Error(p)
			}
		})
	}
}

func walk(at string, v any, problems *[]string) {
	switch v := v.(type) {
	case map[string]any:
		if props, ok := v["properties"].(map[string]any); ok {
			if v["additionalProperties"] != false {
				*problems = append(*problems, fmt.Sprintf("%s: object without additionalProperties: false", at))
			}
			for name, p := range props {
				pm, _ := p.(map[string]any)
				if d, _ := pm["description"].(string); d == "" {
					*problems = append(*problems, fmt.Sprintf("%s/properties/%s: no description", at, name))
				}
			}
		}
		if defs, ok := v["$defs"].(map[string]any); ok {
			for name, d := range defs {
				dm, _ := d.(map[string]any)
				if s, _ := dm["description"].(string); s == "" {
					*problems = append(*problems, fmt.Sprintf("%s/$defs/%s: no description", at, name))
				}
			}
		}
		for k, child := range v {
			walk(at+"/"+k, child, problems)
		}
	case []any:
		for i, child := range v {
			walk(fmt.Sprintf("%s/%d", at, i), child, problems)
		}
	}
}

// TestWalkCatchesMissingDescription proves the house-rule test can fail.
func TestWalkCatchesMissingDescription(t *testing.T) {
	doc := map[string]any{"type": "object", "properties": map[string]any{"x": map[string]any{"type": "string"}}}
	var problems []string
	walk("#", doc, &problems)
	if len(problems) != 2 {
		t.Fatalf("problems = %q, want a missing description and a missing additionalProperties", problems)
	}
}
