package cost

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	osl "github.com/orgnotify/orgnotify/internal/slack"
)

// Outcome is the result of one message to one channel.
type Outcome struct {
	Account string // account ID, or OrganizationKey for the summary
	Name    string
	Channel string
	Posted  osl.Posted
	Err     error
}

// Outcomes are every message's outcome.
type Outcomes []Outcome

// Failed counts the messages that failed.
func (os Outcomes) Failed() int {
	n := 0
	for _, o := range os {
		if o.Err != nil {
			n++
		}
	}
	return n
}

// Ledger finds and updates an earlier post; *slack.Client implements it.
// Send uses the summary message as the day's ledger (see Send).
type Ledger interface {
	Find(ctx context.Context, channel string, md slack.SlackMetadata, match []string, since time.Time) (osl.Found, bool, error)
	Update(ctx context.Context, channel, ts string, m osl.Message) error
}

// Summary metadata: state is "started" from the moment the summary is
// posted (before any account message) and "done" once every message has
// been tried; failed lists the channels that failed ("*" when too many to
// list).
const (
	stateStarted  = "started"
	stateDone     = "done"
	maxFailedList = 40
)

// onceKeys identify a digest message: the day and the account.
var onceKeys = []string{"date", "account"}

// Send posts the summary (when s is not nil) and every report's messages.
// Up to concurrency channels are served at once, each channel's messages
// in order; with concurrency 1 every message goes in plan order (a dry
// run's output is then stable). A failing channel does not stop the
// others. The outcomes are in plan order, the summary first.
//
// Once per day: when sender is a Ledger, the summary in the default
// channel records the run. It is looked up first (one history read):
//   - absent: no run posted anything for the day (the summary goes out
//     before any account message), so nothing else is looked up;
//   - "done" with failed channels: only those channels are looked up before
//     posting, every other message is skipped as posted;
//   - "started" (a run that stopped half-way) or the look-up failed: every
//     message is looked up in its channel before posting.
//
// The summary is then updated to "done" with the channels that failed. So
// a normal run reads history once, not once per channel (Slack allows
// about 50 history reads a minute).
func Send(ctx context.Context, sender osl.Sender, reports []Report, s *Summary, concurrency int) Outcomes {
	type job struct {
		i       int
		account string
		name    string
		msg     osl.Message
		skip    bool // posted by an earlier run, as the ledger says
	}
	var jobs []job
	add := func(account, name string, m osl.Message) {
		jobs = append(jobs, job{i: len(jobs), account: account, name: name, msg: m})
	}
	for _, r := range reports {
		for _, m := range r.Messages() {
			add(r.Account.ID, r.Account.Name, m)
		}
	}
	var out Outcomes
	ledger, _ := sender.(Ledger)
	// check decides, per channel, whether account messages are looked up
	// (true), posted without look-up (false) or skipped as posted (skip).
	check := func(string) (lookup, skip bool) { return true, false }
	var summary *osl.Message
	var summaryTS string
	if s != nil && s.Channel != "" {
		m := s.Message()
		summary = &m
		o := Outcome{Account: OrganizationKey, Name: "organization", Channel: m.Channel}
		switch {
		case ledger == nil:
			o.Posted, o.Err = sender.Send(ctx, m)
		default:
			f, found, err := ledger.Find(ctx, m.Channel, *m.Metadata, onceKeys, m.Once.Since)
			switch {
			case err != nil:
				o.Err = err // every account message is looked up
			case !found:
				first := m
				first.Once = nil
				first.Metadata = withState(m.Metadata, stateStarted, "")
				o.Posted, o.Err = sender.Send(ctx, first)
				if o.Err == nil {
					summaryTS = o.Posted.TS
					check = func(string) (bool, bool) { return false, false }
				}
			default:
				o.Posted = osl.Posted{Channel: m.Channel, TS: f.TS, Existing: true}
				summaryTS = f.TS
				if f.Metadata.EventPayload["state"] == stateDone {
					failed := fmt.Sprint(f.Metadata.EventPayload["failed"])
					check = func(ch string) (bool, bool) {
						retry := failed == "*" || strings.Contains(" "+failed+" ", " "+ch+" ")
						return retry, !retry
					}
				}
			}
		}
		if o.Err != nil {
			o.Err = fmt.Errorf("cost digest summary: %w", o.Err)
		}
		out = append(out, o)
	}
	for i := range jobs {
		lookup, skip := check(jobs[i].msg.Channel)
		jobs[i].skip = skip
		if !lookup {
			jobs[i].msg.Once = nil
		}
	}

	accounts := make(Outcomes, len(jobs))
	send := func(j job) {
		o := Outcome{Account: j.account, Name: j.name, Channel: j.msg.Channel}
		if j.skip {
			o.Posted = osl.Posted{Channel: j.msg.Channel, Existing: true}
		} else if o.Posted, o.Err = sender.Send(ctx, j.msg); o.Err != nil {
			o.Err = fmt.Errorf("cost digest of %s (%s): %w", j.name, j.account, o.Err)
		}
		accounts[j.i] = o
	}
	run(jobs, concurrency, func(j job) string { return j.msg.Channel }, send)
	out = append(out, accounts...)

	if ledger != nil && summaryTS != "" {
		failed := failedChannels(accounts)
		done := *summary
		done.Once = nil
		done.Metadata = withState(summary.Metadata, stateDone, failed)
		if err := ledger.Update(ctx, summary.Channel, summaryTS, done); err != nil {
			out[0].Err = fmt.Errorf("cost digest summary: record the run: %w", err)
		}
	}
	return out
}

func withState(md *slack.SlackMetadata, state, failed string) *slack.SlackMetadata {
	p := map[string]any{}
	for k, v := range md.EventPayload {
		p[k] = v
	}
	p["state"] = state
	if state == stateDone {
		p["failed"] = failed
	}
	return &slack.SlackMetadata{EventType: md.EventType, EventPayload: p}
}

func failedChannels(os Outcomes) string {
	set := map[string]bool{}
	for _, o := range os {
		if o.Err != nil {
			set[o.Channel] = true
		}
	}
	if len(set) > maxFailedList {
		return "*"
	}
	chs := make([]string, 0, len(set))
	for ch := range set {
		chs = append(chs, ch)
	}
	sort.Strings(chs)
	return strings.Join(chs, " ")
}

// run calls send for every job: in order with concurrency 1, otherwise up
// to concurrency channels at once, each channel's jobs in order.
func run[J any](jobs []J, concurrency int, channel func(J) string, send func(J)) {
	if concurrency <= 1 {
		for _, j := range jobs {
			send(j)
		}
		return
	}
	byChannel := map[string][]J{}
	var order []string
	for _, j := range jobs {
		ch := channel(j)
		if _, ok := byChannel[ch]; !ok {
			order = append(order, ch)
		}
		byChannel[ch] = append(byChannel[ch], j)
	}
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for _, ch := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func(js []J) {
			defer func() { <-sem; wg.Done() }()
			for _, j := range js {
				send(j)
			}
		}(byChannel[ch])
	}
	wg.Wait()
}
