package sqs

import (
	"container/heap"
	"time"
)

// posHeap is a binary heap that keeps each item's position in it (through
// pos), so removing or re-sorting any item costs O(log n) however deep
// the queue.
type posHeap[T comparable] struct {
	items []T
	less  func(a, b T) bool
	pos   func(x T) *int
}

func (h *posHeap[T]) Len() int           { return len(h.items) }
func (h *posHeap[T]) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }
func (h *posHeap[T]) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	*h.pos(h.items[i]) = i
	*h.pos(h.items[j]) = j
}

func (h *posHeap[T]) Push(x any) {
	*h.pos(x.(T)) = len(h.items)
	h.items = append(h.items, x.(T))
}

func (h *posHeap[T]) Pop() any {
	n := len(h.items) - 1
	x := h.items[n]
	var zero T
	h.items[n] = zero
	h.items = h.items[:n]
	*h.pos(x) = -1
	return x
}

func (h *posHeap[T]) push(x T) { heap.Push(h, x) }

func (h *posHeap[T]) pop() T { return heap.Pop(h).(T) }

func (h *posHeap[T]) top() T { return h.items[0] }

// has reports whether x is in h.
func (h *posHeap[T]) has(x T) bool {
	i := *h.pos(x)
	return i >= 0 && i < len(h.items) && h.items[i] == x
}

// remove takes x out if it is in h.
func (h *posHeap[T]) remove(x T) {
	if h.has(x) {
		heap.Remove(h, *h.pos(x))
	}
}

type msgHeap = posHeap[*message]

// index orders a queue's messages. Every message is in expiry (by sent
// time, for retention). A message filed as not visible waits in delayed
// (never received) or inflight, by the time it becomes visible; every
// other became visible by visibleBy, and a standard queue's wait in ready,
// by send order. A FIFO queue's messages are in their group's list
// instead, and heads holds the groups whose oldest message is visible
// while none of theirs is in flight.
type index struct {
	byID      map[string]*message
	next      int64 // send order of the next message
	visibleBy time.Time
	expiry    msgHeap
	ready     msgHeap
	delayed   msgHeap
	inflight  msgHeap
	groups    map[string]*group
	heads     posHeap[*group]
}

// group is one FIFO message group's messages in send order; busy counts
// those in inflight (received ones: they lead the group, as a group is
// received in order) and pos is the group's place in heads.
type group struct {
	msgs []*message
	busy int
	pos  int
}

func newIndex() index {
	byVisible := func(a, b *message) bool {
		if a.visibleAt.Equal(b.visibleAt) {
			return a.order < b.order
		}
		return a.visibleAt.Before(b.visibleAt)
	}
	visPos := func(m *message) *int { return &m.visPos }
	return index{
		byID:     map[string]*message{},
		expiry:   msgHeap{less: func(a, b *message) bool { return a.sent.Before(b.sent) }, pos: func(m *message) *int { return &m.expiryPos }},
		ready:    msgHeap{less: func(a, b *message) bool { return a.order < b.order }, pos: visPos},
		delayed:  msgHeap{less: byVisible, pos: visPos},
		inflight: msgHeap{less: byVisible, pos: visPos},
		groups:   map[string]*group{},
		heads:    posHeap[*group]{less: func(a, b *group) bool { return a.msgs[0].order < b.msgs[0].order }, pos: func(g *group) *int { return &g.pos }},
	}
}
