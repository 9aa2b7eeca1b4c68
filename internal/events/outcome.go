package events

// Outcome is one event as `orgnotify digest events --format json` prints
// it: how it was classified and attributed, and where it goes.
type Outcome struct {
	Origin         string   `json:"origin"`
	ID             string   `json:"id"`
	Kind           string   `json:"kind"`
	Category       Category `json:"category"`
	Severity       Severity `json:"severity"`
	SubjectAccount string   `json:"subject_account"`
	SourceAccount  string   `json:"source_account"`
	Region         string   `json:"region"`
	Time           string   `json:"time"`
	Title          string   `json:"title"`
	Alert          bool     `json:"alert"`
	Channels       []string `json:"channels"`
	// Why is why the event is not posted (filtered out), or a note such as
	// "no account file for …".
	Why         string `json:"why,omitempty"`
	DuplicateOf string `json:"duplicate_of,omitempty"`
	Product     string `json:"product,omitempty"`
	Version     string `json:"version,omitempty"`
	EnrichError string `json:"enrich_error,omitempty"`
}

// Outcome describes an item; ok is false for a record that is not an event.
func (it *Item) Outcome() (Outcome, bool) {
	ev := it.Event
	if ev == nil {
		return Outcome{}, false
	}
	o := Outcome{
		Origin: it.Record.Origin, ID: ev.ID, Kind: ev.Kind, Category: ev.Category, Severity: ev.Severity,
		SubjectAccount: ev.SubjectAccount, SourceAccount: ev.SourceAccount, Region: ev.Region,
		Time: stamp(ev.Time), Title: ev.Title, Alert: it.Alert(), Channels: it.Channels(),
		Why: it.Decision.Reason, DuplicateOf: it.DuplicateOf, Product: ev.Product, Version: ev.Version,
	}
	if o.Channels == nil || !o.Alert {
		o.Channels = []string{}
	}
	if it.EnrichErr != nil {
		o.EnrichError = it.EnrichErr.Error()
	}
	return o, true
}
