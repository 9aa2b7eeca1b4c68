package events

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Category groups event kinds the way account files subscribe to them.
type Category string

// The categories, as `--format json` prints them.
const (
	Organizations  Category = "organizations"
	CloudFormation Category = "cloudformation"
	GuardDuty      Category = "guardduty"
	Config         Category = "config"
	SecurityHub    Category = "securityhub"
	Health         Category = "health"
	RDS            Category = "rds"
	Other          Category = "other"
)

// Severity orders events in a digest, most severe first.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Event is one classified and attributed event: what the digest shows and
// what the routing filters read.
type Event struct {
	ID       string   // the envelope's id
	Kind     string   // the kinds table entry that matched
	Category Category // what account files subscribe to
	Severity Severity

	// SubjectAccount is the account the event is about ("" when it is
	// about the organization as a whole); SourceAccount is the envelope's.
	SubjectAccount string
	SourceAccount  string
	Region         string
	Time           time.Time

	Title    string // what happened, one line
	Resource string // what it happened to
	Reason   string // why, when AWS says
	Link     string // console link

	// DedupeKey identifies the same occurrence delivered as several events
	// (a finding forwarded by the administrator and by the member, a Health
	// event in the backup region); "" when the event ID is enough.
	DedupeKey string
	// OrgLevel events go to the platform channel whatever their subject.
	OrgLevel bool

	// Facts the account filters read.
	Name       string   // Organizations event name; Health event type code
	Status     string   // stack status; Config compliance type
	Label      string   // severity label as the service writes it
	Rule       string   // Config rule name as it appears in the account
	Service    string   // Health service
	Categories []string // RDS event categories; Health event type category
	Public     bool     // Health PUBLIC scope

	// StackARN is set for stacks; Product and Version once Service Catalog
	// enrichment found the provisioned product behind the stack.
	StackARN string
	Product  string
	Version  string
}

// detail is an event's detail, read by path.
type detail map[string]any

func parseDetail(raw json.RawMessage) detail {
	var d detail
	_ = json.Unmarshal(raw, &d) // ParseEnvelope checked it is an object
	return d
}

// get walks keys (object members) and integer indexes (array elements).
func (d detail) get(path ...any) any {
	var cur any = map[string]any(d)
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil
			}
			cur = m[k]
		case int:
			a, ok := cur.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			cur = a[k]
		}
	}
	return cur
}

// str returns the string at path; numbers and booleans are formatted.
func (d detail) str(path ...any) string {
	switch v := d.get(path...).(type) {
	case string:
		return v
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%f", v), "0"), ".")
	case bool:
		return fmt.Sprint(v)
	}
	return ""
}

func (d detail) num(path ...any) (float64, bool) {
	switch v := d.get(path...).(type) {
	case float64:
		return v, true
	case string:
		var f float64
		_, err := fmt.Sscanf(v, "%g", &f)
		return f, err == nil
	}
	return 0, false
}

func (d detail) strs(path ...any) []string {
	a, _ := d.get(path...).([]any)
	var out []string
	for _, v := range a {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
