package sqs

import "container/heap"

// msgHeap is a binary heap of messages that keeps each message's position
// in it (through pos), so removing or re-sorting any message costs
// O(log n) however deep the queue.
type msgHeap struct {
	items []*message
	less  func(a, b *message) bool
	pos   func(m *message) *int
}

func (h *msgHeap) Len() int           { return len(h.items) }
func (h *msgHeap) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }
func (h *msgHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	*h.pos(h.items[i]) = i
	*h.pos(h.items[j]) = j
}

func (h *msgHeap) Push(x any) {
	m := x.(*message)
	*h.pos(m) = len(h.items)
	h.items = append(h.items, m)
}

func (h *msgHeap) Pop() any {
	n := len(h.items) - 1
	m := h.items[n]
	h.items[n] = nil
	h.items = h.items[:n]
	*h.pos(m) = -1
	return m
}

func (h *msgHeap) push(m *message) { heap.Push(h, m) }

func (h *msgHeap) pop() *message { return heap.Pop(h).(*message) }

func (h *msgHeap) top() *message { return h.items[0] }

// remove takes m out if it is in h.
func (h *msgHeap) remove(m *message) {
	if i := *h.pos(m); i >= 0 && i < len(h.items) && h.items[i] == m {
		heap.Remove(h, i)
	}
}

// index orders a queue's messages three ways. Every message is in expiry
// (by sent time, for retention). A standard queue's message is also in
// ready (visible, by send order) or hidden (delayed or in flight, by the
// time it becomes visible); a FIFO queue's is in its group's list instead.
type index struct {
	byID   map[string]*message
	next   int64 // send order of the next message
	expiry msgHeap
	ready  msgHeap
	hidden msgHeap
	groups map[string]*group
}

// group is one FIFO message group's messages in send order.
type group struct{ msgs []*message }

func newIndex() index {
	return index{
		byID:   map[string]*message{},
		expiry: msgHeap{less: func(a, b *message) bool { return a.sent.Before(b.sent) }, pos: func(m *message) *int { return &m.expiryPos }},
		ready:  msgHeap{less: func(a, b *message) bool { return a.order < b.order }, pos: func(m *message) *int { return &m.visPos }},
		hidden: msgHeap{less: func(a, b *message) bool {
			if a.visibleAt.Equal(b.visibleAt) {
				return a.order < b.order
			}
			return a.visibleAt.Before(b.visibleAt)
		}, pos: func(m *message) *int { return &m.visPos }},
		groups: map[string]*group{},
	}
}
