// Package findings is the result of validating the configuration: a list of
// problems, each pointing at a file, line and column. It is a plain value;
// renderers (text, GitHub annotations, JSON, Markdown) take it as input.
package findings

import (
	"cmp"
	"slices"
)

// Severity of a finding. Errors fail validation; warnings do not.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Finding is one problem in one file.
type Finding struct {
	File     string   `json:"file"`            // path relative to the repository root, slash-separated
	Line     int      `json:"line,omitempty"`  // 1-based; 0 when the whole file is at fault
	Col      int      `json:"col,omitempty"`   // 1-based
	Field    string   `json:"field,omitempty"` // dotted path of the offending field: "cost.currency", "events[2].name"
	Message  string   `json:"message"`
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"` // stable identifier: "schema", "duplicate-account-id", ...
}

// Sort orders findings by file, line, column, field and message, so output
// is deterministic whatever order the concurrent validators finished in.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Field, b.Field),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// Errors counts the findings of severity Error.
func Errors(fs []Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity == Error {
			n++
		}
	}
	return n
}
