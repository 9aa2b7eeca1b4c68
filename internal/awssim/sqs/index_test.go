package sqs

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestIndexMatchesScan drives standard and FIFO queues, one redriving to
// the other, through random sends (some delayed), receives (visibility
// timeouts of zero included), deletes, visibility changes, purges,
// expiry and a clock that sometimes goes back, and checks each receive
// and each count against a scan of every message: what the simulator did
// before it kept the index.
func TestIndexMatchesScan(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		d := &depthQueue{store: New(nil), now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
		kinds := []struct {
			name  string
			attrs map[string]string
		}{
			{"dead.fifo", map[string]string{"FifoQueue": "true", "MessageRetentionPeriod": "60"}},
			{"dead", map[string]string{"MessageRetentionPeriod": "60"}},
			{"live.fifo", map[string]string{"FifoQueue": "true", "MessageRetentionPeriod": "60",
				"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:111111111111:dead.fifo","maxReceiveCount":"3"}`}},
			{"live", map[string]string{"MessageRetentionPeriod": "60",
				"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:111111111111:dead","maxReceiveCount":"3"}`}},
		}
		var urls []string
		var queues []*queue
		for _, k := range kinds {
			urls = append(urls, d.call(t, "CreateQueue", map[string]any{"QueueName": k.name, "Attributes": k.attrs}).(queueURLOutput).QueueUrl)
			queues = append(queues, d.store.queues[scope{"111111111111", "us-east-1"}][k.name])
		}
		var handles []string
		recent := func() string { return handles[max(0, len(handles)-1-rng.IntN(8))] }
		for step := range 3000 {
			i := rng.IntN(len(queues))
			q, url := queues[i], urls[i]
			switch op := rng.IntN(20); {
			case op < 7:
				in := sendInput{MessageBody: new(string)}
				*in.MessageBody = strconv.Itoa(step)
				if q.fifo {
					in.MessageGroupId, in.MessageDeduplicationId = "g"+strconv.Itoa(rng.IntN(4)), strconv.Itoa(step)
				}
				m, _, err := q.prepare(in, "111111111111")
				if err != nil {
					t.Fatal(err)
				}
				q.enqueue(m, time.Duration(rng.IntN(3))*time.Second*time.Duration(rng.IntN(2)), d.now)
			case op < 12:
				limit, vis := 1+rng.IntN(10), rng.IntN(3)
				q.expire(d.now)
				want := scanReceive(q, limit, time.Duration(vis)*time.Second, d.now)
				out := d.call(t, "ReceiveMessage", map[string]any{"QueueUrl": url, "MaxNumberOfMessages": limit, "VisibilityTimeout": vis}).(receiveOutput)
				var got []string
				for _, m := range out.Messages {
					got = append(got, m.MessageId)
					handles = append(handles, m.ReceiptHandle)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("seed %d step %d: %s received %v, a scan gives %v", seed, step, url, got, want)
				}
			case op < 14 && len(handles) > 0:
				d.do("DeleteMessage", map[string]any{"QueueUrl": url, "ReceiptHandle": recent()})
			case op < 16 && len(handles) > 0:
				d.do("ChangeMessageVisibility", map[string]any{"QueueUrl": url, "ReceiptHandle": recent(), "VisibilityTimeout": rng.IntN(3)})
			case op == 16 && rng.IntN(10) == 0:
				d.do("PurgeQueue", map[string]any{"QueueUrl": url})
			case op == 17:
				d.now = d.now.Add(-time.Duration(rng.IntN(2000)) * time.Millisecond)
			default:
				d.now = d.now.Add(time.Duration(rng.IntN(2000)) * time.Millisecond)
			}
			for i, q := range queues {
				q.expire(d.now)
				want := scanCounts(q, d.now)
				if v, f, dl := q.counts(d.now); [3]int{v, f, dl} != want {
					t.Fatalf("seed %d step %d: %s counts visible, in flight, delayed %v; a scan gives %v", seed, step, urls[i], [3]int{v, f, dl}, want)
				}
			}
		}
	}
}

// scanCounts counts every message by its own state.
func scanCounts(q *queue, now time.Time) (n [3]int) {
	for _, m := range q.msgs.byID {
		switch {
		case !now.Before(m.visibleAt):
			n[0]++
		case m.receives > 0:
			n[1]++
		default:
			n[2]++
		}
	}
	return n
}

// scanReceive returns the IDs a receive hands out, found by looking at
// every group (each message of a standard queue is a group of its own),
// on copies of the messages.
func scanReceive(q *queue, limit int, vis time.Duration, now time.Time) []string {
	type msg struct {
		id, group string
		order     int64
		visibleAt time.Time
		receives  int
	}
	byGroup := map[string][]*msg{}
	for _, m := range q.msgs.byID {
		g := m.id
		if q.fifo {
			g = m.groupID
		}
		byGroup[g] = append(byGroup[g], &msg{m.id, g, m.order, m.visibleAt, m.receives})
	}
	for _, g := range byGroup {
		slices.SortFunc(g, func(a, b *msg) int { return int(a.order - b.order) })
	}
	handed := map[*msg]bool{}
	var out []string
	for len(out) < limit {
		var batch []*msg
		for _, g := range byGroup {
			blocked := false
			for _, m := range g {
				if m.receives == 0 {
					break
				}
				if now.Before(m.visibleAt) {
					blocked = true
					break
				}
			}
			n := 0
			for _, m := range g {
				if blocked || n == limit-len(out) || now.Before(m.visibleAt) {
					break
				}
				if !handed[m] {
					batch = append(batch, m)
					n++
				}
			}
		}
		if len(batch) == 0 {
			break
		}
		slices.SortFunc(batch, func(a, b *msg) int { return int(a.order - b.order) })
		for _, m := range batch[:min(len(batch), limit-len(out))] {
			if q.deadLetter != nil && m.receives >= q.deadLetter.maxReceives { // redriven
				byGroup[m.group] = slices.DeleteFunc(byGroup[m.group], func(x *msg) bool { return x == m })
				continue
			}
			handed[m] = true
			m.receives++
			m.visibleAt = now.Add(vis)
			out = append(out, m.id)
		}
	}
	return out
}
