package eventbridge

import (
	"encoding/json"
	"path"
	"strings"

	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// policy is a bus resource policy kept as decoded JSON so DescribeEventBus
// returns what was put, and statements can be added and removed by Sid.
type policy struct {
	Version   string           `json:"Version"`
	Statement []map[string]any `json:"Statement"`
}

func (p *policy) String() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// parsePolicy reads a whole policy document (PutPermission's Policy form).
// A single statement object is accepted where a list is expected, as IAM does.
func parsePolicy(doc string) (*policy, error) {
	var raw struct {
		Version   string          `json:"Version"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, wire.Validation("The policy is not a valid JSON document: %v", err)
	}
	p := &policy{Version: raw.Version}
	if p.Version == "" {
		p.Version = "2012-10-17"
	}
	switch {
	case len(raw.Statement) == 0:
		return nil, wire.Validation("The policy must contain at least one statement.")
	case raw.Statement[0] == '{':
		var st map[string]any
		if err := json.Unmarshal(raw.Statement, &st); err != nil {
			return nil, wire.Validation("The policy statement is not valid: %v", err)
		}
		p.Statement = []map[string]any{st}
	default:
		if err := json.Unmarshal(raw.Statement, &p.Statement); err != nil {
			return nil, wire.Validation("The policy statements are not valid: %v", err)
		}
	}
	for _, st := range p.Statement {
		if e, _ := st["Effect"].(string); e != "Allow" && e != "Deny" {
			return nil, wire.Validation("Each policy statement needs Effect Allow or Deny.")
		}
		if st["Principal"] == nil || st["Action"] == nil {
			return nil, wire.Validation("Each policy statement needs a Principal and an Action.")
		}
	}
	return p, nil
}

// putEventsRequest is the question a bus policy answers when another
// account sends events to the bus.
type putEventsRequest struct {
	senderAccount string
	senderOrgID   string
	busARN        string
}

// allowPutEvents evaluates the receiving bus's policy for a cross-account
// events:PutEvents: an explicit Deny wins, otherwise one Allow is needed.
//
// It is the single place policies are evaluated, written against the
// statements PutPermission produces and the documents orgnotify writes
// (Principal "*" or an account, Condition on aws:PrincipalOrgID or
// aws:PrincipalAccount); the shared iampolicy evaluator replaces its body
// once that package lands.
func allowPutEvents(p *policy, q putEventsRequest) bool {
	if p == nil {
		return false
	}
	allowed := false
	for _, st := range p.Statement {
		if !principalMatches(st["Principal"], q.senderAccount) ||
			!anyPattern(st["Action"], "events:PutEvents", true) ||
			(st["Resource"] != nil && !anyPattern(st["Resource"], q.busARN, false)) ||
			!conditionsHold(st["Condition"], q) {
			continue
		}
		if st["Effect"] == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}

func principalMatches(p any, account string) bool {
	switch x := p.(type) {
	case string:
		return x == "*"
	case map[string]any:
		for _, v := range strings2(x["AWS"]) {
			if v == "*" || v == account || v == "arn:aws:iam::"+account+":root" {
				return true
			}
		}
	}
	return false
}

// anyPattern reports whether a string or list of IAM-style patterns ("*",
// "?") matches value; actions compare without case.
func anyPattern(v any, value string, fold bool) bool {
	for _, p := range strings2(v) {
		if fold {
			p, value = strings.ToLower(p), strings.ToLower(value)
		}
		// path.Match treats "/" specially; ARNs never need it to, so
		// compare with "/" mapped away.
		ok, _ := path.Match(strings.ReplaceAll(p, "/", "\x00"), strings.ReplaceAll(value, "/", "\x00"))
		if ok {
			return true
		}
	}
	return false
}

func conditionsHold(c any, q putEventsRequest) bool {
	cond, _ := c.(map[string]any)
	for op, kv := range cond {
		keys, _ := kv.(map[string]any)
		for key, want := range keys {
			var got string
			switch strings.ToLower(key) {
			case "aws:principalorgid":
				got = q.senderOrgID
			case "aws:principalaccount":
				got = q.senderAccount
			default:
				return false // a key this evaluator cannot answer never allows
			}
			ok := false
			for _, w := range strings2(want) {
				switch op {
				case "StringEquals":
					ok = ok || got == w
				case "StringLike":
					ok = ok || anyPattern(w, got, false)
				default:
					return false
				}
			}
			if !ok {
				return false
			}
		}
	}
	return true
}

// strings2 reads a policy value that is one string or a list of strings.
func strings2(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
