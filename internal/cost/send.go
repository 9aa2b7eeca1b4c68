package cost

import (
	"context"
	"fmt"
	"sort"
	"sync"

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

// Send posts every report's messages and the summary (when s is not nil).
// Up to concurrency channels are served at once, each channel's messages in
// order; with concurrency 1 every message goes in plan order (a dry run's
// output is then stable). A failing channel does not stop the others. The
// outcomes are in the order the messages were planned.
func Send(ctx context.Context, sender osl.Sender, reports []Report, s *Summary, concurrency int) Outcomes {
	type job struct {
		i       int
		account string
		name    string
		msg     osl.Message
	}
	var jobs []job
	add := func(account, name string, m osl.Message) {
		jobs = append(jobs, job{i: len(jobs), account: account, name: name, msg: m})
	}
	if s != nil && s.Channel != "" {
		add(OrganizationKey, "organization", s.Message())
	}
	for _, r := range reports {
		for _, m := range r.Messages() {
			add(r.Account.ID, r.Account.Name, m)
		}
	}
	out := make(Outcomes, len(jobs))
	send := func(j job) {
		o := Outcome{Account: j.account, Name: j.name, Channel: j.msg.Channel}
		o.Posted, o.Err = sender.Send(ctx, j.msg)
		if o.Err != nil {
			o.Err = fmt.Errorf("cost digest of %s (%s): %w", j.name, j.account, o.Err)
		}
		out[j.i] = o
	}
	if concurrency <= 1 {
		for _, j := range jobs {
			send(j)
		}
		return out
	}
	byChannel := map[string][]job{}
	for _, j := range jobs {
		byChannel[j.msg.Channel] = append(byChannel[j.msg.Channel], j)
	}
	channels := make([]string, 0, len(byChannel))
	for ch := range byChannel {
		channels = append(channels, ch)
	}
	sort.Strings(channels)

	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for _, ch := range channels {
		wg.Add(1)
		sem <- struct{}{}
		go func(js []job) {
			defer func() { <-sem; wg.Done() }()
			for _, j := range js {
				send(j)
			}
		}(byChannel[ch])
	}
	wg.Wait()
	return out
}
