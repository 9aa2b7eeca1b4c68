package events

import (
	"bytes"
)

// Retarget returns the sample records an account's own team could
// receive, rewritten as if they were about account: every record whose
// event is about one account (not an organization-wide event, not an
// unknown one) with that account's ID replaced by account throughout the
// body (envelope, detail, ARNs, Service Catalog stack names). The pull
// request comment previews an account's digest with them; routing then
// applies the account file's categories and filters as for real events.
func Retarget(samples []*Record, account string) []*Record {
	var out []*Record
	for _, rec := range samples {
		env, err := ParseEnvelope(rec.Body)
		if err != nil {
			continue
		}
		ev := Classify(env)
		if ev.OrgLevel || ev.SubjectAccount == "" || ev.Category == Organizations || ev.Category == Other {
			continue
		}
		body := bytes.ReplaceAll(rec.Body, []byte(ev.SubjectAccount), []byte(account))
		out = append(out, &Record{Origin: rec.Origin, Body: body})
	}
	return out
}
