package eventbridge

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"

	"github.com/orgnotify/orgnotify/internal/awssim/iampolicy"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// policy is a bus resource policy. The statements are kept as decoded JSON
// so DescribeEventBus returns what was put and PutPermission and
// RemovePermission can add and remove statements by Sid; eval is the same
// document parsed by iampolicy, rebuilt on every change, and is what a
// cross-account PutEvents is checked against.
type policy struct {
	Version   string           `json:"Version"`
	ID        string           `json:"Id,omitempty"`
	Statement []map[string]any `json:"Statement"`
	eval      *iampolicy.Policy
}

func (p *policy) String() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// newPolicy builds a policy from statements and validates the whole
// document, so a bus never holds a policy iampolicy cannot evaluate.
func newPolicy(version, id string, statements []map[string]any) (*policy, error) {
	p := &policy{Version: cmp.Or(version, "2012-10-17"), ID: id, Statement: statements}
	if err := p.compile(); err != nil {
		return nil, err
	}
	return p, nil
}

// parsePolicy reads a whole policy document (PutPermission's Policy form).
// A single statement object is accepted where a list is expected, as IAM does.
func parsePolicy(doc string) (*policy, error) {
	if _, err := iampolicy.Parse(doc); err != nil {
		return nil, invalidPolicy(err)
	}
	var raw struct {
		Version   string          `json:"Version"`
		ID        string          `json:"Id"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, invalidPolicy(err) // unreachable: Parse accepted the JSON
	}
	// Numbers in conditions keep their written form through the round trip.
	dec := json.NewDecoder(bytes.NewReader(raw.Statement))
	dec.UseNumber()
	var statements []map[string]any
	if t := bytes.TrimSpace(raw.Statement); len(t) > 0 && t[0] == '{' {
		var one map[string]any
		if err := dec.Decode(&one); err != nil {
			return nil, invalidPolicy(err)
		}
		statements = []map[string]any{one}
	} else if err := dec.Decode(&statements); err != nil {
		return nil, invalidPolicy(err)
	}
	return newPolicy(raw.Version, raw.ID, statements)
}

// compile validates the policy with iampolicy and keeps the parsed form.
// Statement IDs must be unique: RemovePermission removes by Sid.
func (p *policy) compile() error {
	seen := map[string]bool{}
	for _, st := range p.Statement {
		sid, _ := st["Sid"].(string)
		if sid == "" {
			continue
		}
		if seen[sid] {
			return wire.Validation("Invalid policy: the statement ID %s is used more than once.", sid)
		}
		seen[sid] = true
	}
	parsed, err := iampolicy.Parse(p.String())
	if err != nil {
		return invalidPolicy(err)
	}
	p.eval = parsed
	return nil
}

func invalidPolicy(err error) error {
	// EventBridge answers a policy it cannot accept with a ValidationException.
	return wire.Validation("Invalid policy: %v", err)
}

// withStatement returns a copy of p, or of an empty policy when p is nil,
// with st added.
func (p *policy) withStatement(st map[string]any) (*policy, error) {
	if p == nil {
		return newPolicy("", "", []map[string]any{st})
	}
	statements := append(p.Statement[:len(p.Statement):len(p.Statement)], st)
	return newPolicy(p.Version, p.ID, statements)
}

// withoutStatement returns a copy of p without the statement sid; nil when
// none is left, since a bus without statements has no policy. ok reports
// whether the statement existed.
func (p *policy) withoutStatement(sid string) (_ *policy, ok bool, err error) {
	i := p.index(sid)
	if i < 0 {
		return p, false, nil
	}
	rest := append(p.Statement[:i:i], p.Statement[i+1:]...)
	if len(rest) == 0 {
		return nil, true, nil
	}
	np, err := newPolicy(p.Version, p.ID, rest)
	return np, true, err
}

// index is the index of the statement sid, or -1.
func (p *policy) index(sid string) int {
	return slices.IndexFunc(p.Statement, func(st map[string]any) bool { return st["Sid"] == sid })
}

// allowsPutEvents asks the bus policy whether principal (its account's
// root when empty) of account sender may put events on the bus busARN. No policy allows no other account. The sender is
// evaluated as its account's root principal; aws:PrincipalOrgID is set only
// for accounts in an organization, as in AWS, so a condition on it does not
// match an outsider by accident.
func (p *policy) allowsPutEvents(sender, principal, senderOrgID, busARN string) bool {
	if p == nil {
		return false
	}
	ctx := map[string]string{"aws:PrincipalAccount": sender}
	if senderOrgID != "" {
		ctx["aws:PrincipalOrgID"] = senderOrgID
	}
	return p.eval.Allows(iampolicy.Request{
		Principal: iampolicy.Principal{AWS: cmp.Or(principal, "arn:aws:iam::"+sender+":root"), Account: sender},
		Action:    "events:PutEvents",
		Resource:  busARN,
		Context:   ctx,
	})
}
