package schemadoc

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/schema"
)

var update = flag.Bool("update", false, "rewrite the schema-doc section of README.md")

const (
	readme    = "../../README.md"
	beginMark = "<!-- BEGIN schema-doc"
	endMarker = "<!-- END schema-doc -->"
)

// TestReadmeUpToDate fails when README.md's configuration reference no
// longer matches the schemas; -update rewrites the text between the
// markers and nothing else.
func TestReadmeUpToDate(t *testing.T) {
	doc, err := Render(schema.Org(), schema.Account())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	b := strings.Index(text, beginMark)
	e := strings.Index(text, endMarker)
	if b < 0 || e < b {
		t.Fatalf("README.md lacks the %q ... %q markers", beginMark, endMarker)
	}
	start := b + strings.Index(text[b:], "-->") + len("-->\n")
	want := "\n" + doc + "\n"
	if got := text[start:e]; got != want {
		if *update {
			if err := os.WriteFile(readme, []byte(text[:start]+want+text[e:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md schema-doc section is stale; run go test ./internal/schemadoc -update (or orgnotify schema-doc)")
	}
}

func TestRender(t *testing.T) {
	org := []byte(`{
	  "description": "Org.",
	  "type": "object",
	  "required": ["b"],
	  "properties": {
	    "b": {"description": "B | pipe.", "type": "string", "pattern": "^x|y$", "examples": ["x"]},
	    "a": {"description": "A.", "$ref": "#/$defs/obj"},
	    "l": {"description": "L.", "type": "array", "items": {"enum": ["P", "Q"]}, "default": ["P"]}
	  },
	  "$defs": {"obj": {"description": "Shared.", "type": "object", "properties": {"c": {"description": "C.", "type": "integer", "minimum": 1}}}}
	}`)
	got, err := Render(org, []byte(`{"type": "object", "properties": {}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"### org.yaml\n\nOrg.\n",
		"| `b` | string | yes | B \\| pipe. | pattern `^x\\|y$`; e.g. `\"x\"` |  |\n",
		"| `a` | mapping, see [`obj`](#org-obj) |  | A. |  |  |\n",
		"| `l` | list of string |  | L. | `P`, `Q` | `[\"P\"]` |\n",
		"#### org `obj`\n\nShared.\n",
		"| `obj.c` | integer |  | C. | ≥ 1 |  |\n",
		"### accounts/&lt;name&gt;.yaml\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q\n--- output:\n%s", want, got)
		}
	}
}

func TestRenderRejectsBadInput(t *testing.T) {
	for name, in := range map[string]string{"not json": "{", "not an object": "[]", "trailing": "{} {}"} {
		t.Run(name, func(t *testing.T) {
			if _, err := Render([]byte(in), []byte("{}")); err == nil {
				t.Error("no error")
			}
		})
	}
}
