package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/orgnotify/orgnotify/internal/desired"
)

// Report is the document WriteJSON writes. Its field names are a contract
// with scripts that read `orgnotify plan --format json`:
//
//	{"changes":[{"action","account","region","kind","name","diff":[{"field","old","new"}]}],
//	 "summary":{"create","update","delete","conflict"}}
//
// account is the 12-digit account the resource lives in, region "" for
// IAM, name the resource's AWS name. A conflict adds "reason"; after apply
// every change has "status" (ok, failed, skipped) and "error" ("" unless
// it failed). "pending" lists subscriptions waiting for confirmation and
// appears only when there are some.
type Report struct {
	Changes []Change     `json:"changes"`
	Summary Summary      `json:"summary"`
	Pending []desired.ID `json:"pending,omitempty"`
}

// MarshalJSON writes a change as one flat object of the Report contract.
func (c Change) MarshalJSON() ([]byte, error) {
	type Applied struct {
		Status Status `json:"status"`
		Error  string `json:"error"`
	}
	v := struct {
		Action Action `json:"action"`
		desired.ID
		Diff   []FieldDiff `json:"diff"`
		Reason string      `json:"reason,omitempty"`
		*Applied
	}{Action: c.Action, ID: c.ID, Diff: c.Diff, Reason: c.Reason}
	if v.Diff == nil {
		v.Diff = []FieldDiff{}
	}
	if c.Status != "" {
		v.Applied = &Applied{c.Status, c.Error}
	}
	return json.Marshal(v)
}

// WriteJSON writes p as an indented Report; "changes" is [] rather than
// null when there are none. The text is safe to print in a CI log (see
// escape.go): unprintable characters are \u escapes, and "##[" in a value
// is written "#\u0023[", which decodes to the same string.
func WriteJSON(w io.Writer, p Plan) error {
	r := Report{Changes: p.Changes, Summary: p.Summary(), Pending: p.Pending}
	if r.Changes == nil {
		r.Changes = []Change{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("encode plan as json: %w", err)
	}
	// Indented JSON has a newline only between tokens; jsonLine makes
	// each line safe to print in a CI log.
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = jsonLine(l)
	}
	if _, err := io.WriteString(w, strings.Join(lines, "\n")); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}
