package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	osl "github.com/orgnotify/orgnotify/internal/slack"
)

// QueueMessage is one received SQS message.
type QueueMessage struct {
	ID           string
	Handle       string // receipt handle
	Body         []byte
	ReceiveCount int
	SentAt       time.Time
	Attributes   map[string]string // message attributes (string values)
}

// Queue is the part of SQS the drain uses; internal/aws implements it.
type Queue interface {
	// Name says which queue it is in reports ("name@region").
	Name() string
	// Receive returns up to 10 messages, hidden for visibility; none when
	// the queue is empty.
	Receive(ctx context.Context, visibility time.Duration) ([]QueueMessage, error)
	// Extend hides the messages for visibility more, from now.
	Extend(ctx context.Context, msgs []QueueMessage, visibility time.Duration) error
	// Delete removes the messages.
	Delete(ctx context.Context, msgs []QueueMessage) error
	// Requeue sends a copy of m carrying attributes (the original is
	// deleted by the caller once this succeeded).
	Requeue(ctx context.Context, m QueueMessage, attributes map[string]string) error
}

// ChannelsAttribute is the message attribute of a requeued event: the
// channels a previous run could not post it to. An event posted to some of
// its channels but not all is requeued with the rest, so the next run posts
// it only where it is missing.
const ChannelsAttribute = "orgnotify-channels"

// Sender posts one message and its thread; a nil error means Slack
// accepted every part of it. internal/slack's Client and DryRun implement it.
type Sender interface {
	Send(ctx context.Context, m osl.Message) (osl.Posted, error)
}

// Drain empties the digest queue into Slack.
type Drain struct {
	Queue Queue
	// DeadLetters are the digest queue's DLQ and the delivery DLQs (W4).
	DeadLetters []DeadLetterQueue
	Pipeline    *Pipeline
	Sender      Sender
	// Budget bounds the time spent receiving; what is left stays for the
	// next run. Visibility hides received messages; it is extended every
	// Visibility/3 while the run holds them.
	Budget     time.Duration
	Visibility time.Duration
	Log        *slog.Logger
	// Preview posts (to a dry-run sender) but deletes nothing.
	Preview bool
	// Concurrency is how many channels are posted to at once (Slack paces
	// each channel separately); default 4.
	Concurrency int
}

// DeadLetterQueue is a queue whose messages are reported, not digested.
type DeadLetterQueue struct {
	Queue    Queue
	Delivery bool // EventBridge delivery DLQ (true) or the digest queue's DLQ
}

// Report is what a run did.
type Report struct {
	Received     int      // messages received from the digest queue
	DeadLetters  int      // messages received from dead-letter queues
	Events       int      // distinct events
	Duplicates   int      // repeated deliveries, shown once
	Filtered     int      // events the configuration filters out
	Unreadable   int      // not an EventBridge event: left to reach the DLQ
	Posted       int      // Slack messages accepted
	FailedPosts  []string // channels whose post failed
	Deleted      int      // messages deleted
	Kept         int      // messages left in their queue for the next run
	EnrichFailed int      // Service Catalog lookups that failed (alerts still sent)
}

// ErrPostFailed is returned (wrapped) when a post failed; the messages it
// held stay in the queue for the next run.
var ErrPostFailed = errors.New("slack post failed")

// held is one received message and the queue it came from.
type held struct {
	q   Queue
	m   QueueMessage
	rec *Record
}

const (
	defaultBudget     = 10 * time.Minute
	defaultVisibility = 15 * time.Minute
)

// Run drains, posts and deletes. It returns ErrPostFailed when any post
// failed; a queue error ends receiving early, what was received is still
// posted and deleted, and the error is returned, so a run loses nothing it
// has read and still fails visibly.
func (d *Drain) Run(ctx context.Context) (Report, error) {
	rep, _, err := d.RunPlan(ctx)
	return rep, err
}

// RunPlan is Run, also returning the pipeline's plan (nil if nothing was
// received).
func (d *Drain) RunPlan(ctx context.Context) (Report, *Plan, error) {
	var rep Report
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	budget, vis := d.Budget, d.Visibility
	if budget <= 0 {
		budget = defaultBudget
	}
	if vis <= 0 {
		vis = defaultVisibility
	}

	var mu sync.Mutex
	var all []*held
	live := map[*held]bool{} // received this run: extended until posting ends
	stop := d.heartbeat(ctx, vis, &mu, live, log)
	defer stop()

	deadline := time.Now().Add(budget)
	var recvErr error
	receive := func(q Queue, wrap func(QueueMessage) *Record) int {
		n := 0
		for time.Now().Before(deadline) {
			msgs, err := q.Receive(ctx, vis)
			if err != nil {
				recvErr = errors.Join(recvErr, fmt.Errorf("receive from %s: %w", q.Name(), err))
				return n
			}
			if len(msgs) == 0 {
				return n
			}
			mu.Lock()
			for _, m := range msgs {
				h := &held{q: q, m: m, rec: wrap(m)}
				all = append(all, h)
				live[h] = true
			}
			mu.Unlock()
			n += len(msgs)
		}
		return n
	}
	rep.Received = receive(d.Queue, func(m QueueMessage) *Record {
		r := &Record{Origin: d.Queue.Name() + "/" + m.ID, Body: m.Body}
		if only := m.Attributes[ChannelsAttribute]; only != "" {
			r.Only = strings.Split(only, ",")
		}
		return r
	})
	for _, dl := range d.DeadLetters {
		q, delivery := dl.Queue, dl.Delivery
		rep.DeadLetters += receive(q, func(m QueueMessage) *Record {
			return DeadLetterRecord(q.Name(), delivery, m.ID, m.ReceiveCount, m.SentAt, m.Attributes, m.Body)
		})
	}
	if recvErr != nil {
		log.Error("receiving stopped early; posting what was received", "err", recvErr)
	}

	records := make([]*Record, len(all))
	for i, h := range all {
		records[i] = h.rec
	}
	plan := d.Pipeline.Run(ctx, records)

	ok, postErr := d.post(ctx, plan.Posts, &rep, log)

	// Delete what is done: filtered events, and events whose every channel
	// accepted its post. An event posted to some channels only is requeued
	// with the others. Unreadable messages stay: after maxReceiveCount
	// receives SQS moves them to the dead-letter queue, which is reported.
	byQueue := map[Queue][]QueueMessage{}
	var order []Queue
	settled := map[*Item]bool{}
	for i, it := range plan.Items {
		h := all[i]
		switch {
		case it.Event == nil:
			rep.Unreadable++
			log.Warn("not an EventBridge event; left for the dead-letter queue", "message", it.Record.Origin, "err", it.Err)
			continue
		case it.DuplicateOf != "":
			rep.Duplicates++
		case !it.Decision.Alert:
			rep.Events++
			rep.Filtered++
		default:
			rep.Events++
		}
		if it.EnrichErr != nil {
			rep.EnrichFailed++
		}
		var done bool
		switch {
		case it.primary != nil:
			done = settled[it.primary]
		case !it.Alert():
			done = true
		default:
			var failed []string
			for _, ch := range it.Channels() {
				if !ok[ch] {
					failed = append(failed, ch)
				}
			}
			done = len(failed) == 0
			if !done && len(failed) < len(it.Channels()) && !d.Preview {
				err := h.q.Requeue(ctx, h.m, map[string]string{ChannelsAttribute: strings.Join(failed, ",")})
				if err != nil {
					log.Warn("requeue for the channels that failed; the message stays whole", "message", it.Record.Origin, "err", err)
				}
				done = err == nil
			}
		}
		settled[it] = done
		if !done || d.Preview {
			continue
		}
		if _, seen := byQueue[h.q]; !seen {
			order = append(order, h.q)
		}
		byQueue[h.q] = append(byQueue[h.q], h.m)
	}
	// Posting is over: nothing needs hiding longer than it already is.
	stop()
	var delErr error
	deleted := map[string]bool{}
	for _, q := range order {
		msgs := byQueue[q]
		if err := q.Delete(ctx, msgs); err != nil {
			delErr = errors.Join(delErr, fmt.Errorf("delete from %s: %w", q.Name(), err))
			continue
		}
		for _, m := range msgs {
			deleted[q.Name()+"\x00"+m.Handle] = true
		}
		rep.Deleted += len(msgs)
	}
	rep.Kept = len(all) - len(deleted)
	return rep, plan, errors.Join(recvErr, postErr, delErr)
}

// post sends every channel's message, a few channels at a time, and
// returns the channels that accepted theirs.
func (d *Drain) post(ctx context.Context, posts []Post, rep *Report, log *slog.Logger) (map[string]bool, error) {
	workers := d.Concurrency
	if workers <= 0 {
		workers = 4
	}
	errs := make([]error, len(posts))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(posts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				_, errs[i] = d.Sender.Send(ctx, posts[i].Message)
			}
		}()
	}
	for i := range posts {
		next <- i
	}
	close(next)
	wg.Wait()

	ok := map[string]bool{}
	var postErr error
	for i, p := range posts {
		ch := p.Message.Channel
		if err := errs[i]; err != nil {
			rep.FailedPosts = append(rep.FailedPosts, ch)
			postErr = errors.Join(postErr, fmt.Errorf("%w: channel %s: %w", ErrPostFailed, ch, err))
			log.Error("post failed; its events stay queued for the next run", "channel", ch, "events", len(p.EventIDs), "err", err)
			continue
		}
		ok[ch] = true
		rep.Posted++
	}
	return ok, postErr
}

// heartbeat extends the visibility of every live message every vis/3
// until stopped, so a slow run does not hand its messages to another.
func (d *Drain) heartbeat(ctx context.Context, vis time.Duration, mu *sync.Mutex, live map[*held]bool, log *slog.Logger) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(vis / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			mu.Lock()
			per := map[Queue][]QueueMessage{}
			for h := range live {
				per[h.q] = append(per[h.q], h.m)
			}
			mu.Unlock()
			for q, msgs := range per {
				if err := q.Extend(ctx, msgs, vis); err != nil && ctx.Err() == nil {
					log.Warn("extend visibility", "queue", q.Name(), "err", err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}
