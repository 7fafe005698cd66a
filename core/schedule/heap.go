package schedule

import "container/heap"

// dueHeap orders the waiting checks by due time (then by ID, so that checks
// due at the same moment queue in a fixed order). It implements
// container/heap.Interface and keeps every check's index up to date so that
// a check can be moved or removed in O(log n). Each slot holds a copy of its
// check's due time, so that comparisons read the heap's own array instead of
// 100,000 scattered check records.
type dueHeap []heapSlot

type heapSlot struct {
	due   int64 // equal to check.due
	check *check
}

func (h dueHeap) Len() int { return len(h) }

func (h dueHeap) Less(i, j int) bool {
	if h[i].due != h[j].due {
		return h[i].due < h[j].due
	}
	return h[i].check.id < h[j].check.id
}

func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].check.index = i
	h[j].check.index = j
}

// Push and Pop are for container/heap; use add, fix, remove and popDue.
func (h *dueHeap) Push(x any) {
	c := x.(*check)
	c.index = len(*h)
	*h = append(*h, heapSlot{due: c.due, check: c})
}

func (h *dueHeap) Pop() any {
	old := *h
	n := len(old) - 1
	c := old[n].check
	old[n] = heapSlot{}
	c.index = -1
	*h = old[:n]
	return c
}

// add puts a check on the heap at its due time.
func (h *dueHeap) add(c *check) { heap.Push(h, c) }

// fix moves a check on the heap after its due time changed.
func (h *dueHeap) fix(c *check) {
	(*h)[c.index].due = c.due
	heap.Fix(h, c.index)
}

// remove takes a check off the heap.
func (h *dueHeap) remove(c *check) { heap.Remove(h, c.index) }

// popDue takes the earliest check off the heap if it is due at now.
func (h *dueHeap) popDue(now int64) *check {
	if len(*h) == 0 || (*h)[0].due > now {
		return nil
	}
	return heap.Pop(h).(*check)
}

// next returns the earliest due time; false when the heap is empty.
func (h dueHeap) next() (int64, bool) {
	if len(h) == 0 {
		return 0, false
	}
	return h[0].due, true
}

// fifo is the queue of checks that are due but wait for a free slot, oldest
// first.
type fifo struct {
	items []*check
	head  int
}

func (q *fifo) len() int { return len(q.items) - q.head }

func (q *fifo) push(c *check) { q.items = append(q.items, c) }

// pop returns the oldest check, or nil when the queue is empty.
func (q *fifo) pop() *check {
	if q.head == len(q.items) {
		return nil
	}
	c := q.items[q.head]
	q.items[q.head] = nil
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	} else if q.head > 1024 && q.head*2 > len(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	return c
}
