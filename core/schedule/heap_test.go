package schedule

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// Adds, moves and removals in any order leave the heap giving out checks in
// (due, ID) order with every index right.
func TestDueHeapOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h dueHeap
	var all []*check
	for i := range 2000 {
		c := &check{id: fmt.Sprintf("c%04d", i), due: rng.Int64N(500)}
		h.add(c)
		all = append(all, c)
	}
	for _, c := range all[:500] {
		c.due = rng.Int64N(500)
		h.fix(c)
	}
	for _, c := range all[500:800] {
		h.remove(c)
	}
	for i, slot := range h {
		if slot.check.index != i || slot.due != slot.check.due {
			t.Fatalf("slot %d holds %s with index %d, due %d (check says %d)", i, slot.check.id, slot.check.index, slot.due, slot.check.due)
		}
	}
	if next, ok := h.next(); !ok || next != minDue(h) {
		t.Fatalf("next = %d, %v; want %d, true", next, ok, minDue(h))
	}
	if c := h.popDue(minDue(h) - 1); c != nil {
		t.Fatalf("popDue before the earliest due time gave %s", c.id)
	}
	var prev *check
	n := 0
	for c := h.popDue(1 << 62); c != nil; c = h.popDue(1 << 62) {
		if c.index != -1 {
			t.Fatalf("%s popped with index %d, want -1", c.id, c.index)
		}
		if prev != nil && (c.due < prev.due || c.due == prev.due && c.id < prev.id) {
			t.Fatalf("%s (due %d) popped after %s (due %d)", c.id, c.due, prev.id, prev.due)
		}
		prev = c
		n++
	}
	if n != 1700 {
		t.Fatalf("popped %d checks, want 1700", n)
	}
	if _, ok := h.next(); ok {
		t.Fatal("next on an empty heap reports a due time")
	}
}

func minDue(h dueHeap) int64 {
	m := h[0].due
	for _, s := range h {
		m = min(m, s.due)
	}
	return m
}

// The queue gives checks out oldest first, also across the compaction of
// its backing array.
func TestFIFOOrder(t *testing.T) {
	var q fifo
	var want, got []string
	next := 0
	push := func(k int) {
		for range k {
			id := fmt.Sprintf("c%05d", next)
			next++
			q.push(&check{id: id})
			want = append(want, id)
		}
	}
	pop := func(k int) {
		for range k {
			got = append(got, q.pop().id)
		}
	}
	push(5000)
	pop(3000) // compacts past 1024 popped, more than half the array
	push(2000)
	pop(q.len())
	if c := q.pop(); c != nil || q.len() != 0 {
		t.Fatalf("empty queue popped %v, len %d", c, q.len())
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("queue order differs from push order (%d pushed, %d popped)", len(want), len(got))
	}
}
