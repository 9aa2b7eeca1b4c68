package desired

import "testing"

func TestCanonicalJSON(t *testing.T) {
	cases := []struct {
		name string
		a, b string
		kind Doc
		same bool
	}{
		{"key order and whitespace", `{"b":1, "a":[ "x" ]}`, `{"a":["x"],"b":1}`, Pattern, true},
		{"set order in a pattern", `{"source":["aws.rds","aws.health"]}`, `{"source":["aws.health","aws.rds"]}`, Pattern, true},
		{"duplicates in a set", `{"source":["a","a"]}`, `{"source":["a"]}`, Pattern, true},
		{"numeric pairs keep their order", `{"s":[{"numeric":[">=",4,"<",7]}]}`, `{"s":[{"numeric":["<",4,">=",7]}]}`, Pattern, false},
		{"pattern arrays are not folded", `{"source":["a"]}`, `{"source":"a"}`, Pattern, false},
		{"policy one-element array is its value", `{"Action":["sqs:SendMessage"]}`, `{"Action":"sqs:SendMessage"}`, Policy, true},
		{"policy statement order", `{"Statement":[{"Sid":"b"},{"Sid":"a"}]}`, `{"Statement":[{"Sid":"a"},{"Sid":"b"}]}`, Policy, true},
		{"a lone statement is a list", `{"Statement":{"Sid":"a"}}`, `{"Statement":[{"Sid":"a"}]}`, Policy, true},
		{"number forms", `{"n":4.0}`, `{"n":4}`, Pattern, true},
		{"different values", `{"source":["a"]}`, `{"source":["b"]}`, Pattern, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := CanonicalJSON(c.a, c.kind)
			if err != nil {
				t.Fatal(err)
			}
			b, err := CanonicalJSON(c.b, c.kind)
			if err != nil {
				t.Fatal(err)
			}
			if (a == b) != c.same {
				t.Errorf("canonical forms %s and %s: same = %v, want %v", a, b, a == b, c.same)
			}
		})
	}
}

func TestCanonicalJSONRejectsBadDocuments(t *testing.T) {
	for _, doc := range []string{``, `{`, `{"a":1} {"b":2}`, `{"a":1}x`} {
		if _, err := CanonicalJSON(doc, Policy); err == nil {
			t.Errorf("CanonicalJSON(%q) accepted", doc)
		}
	}
}
