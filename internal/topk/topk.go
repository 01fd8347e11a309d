// Package topk keeps the first k items of a stream in an order, in
// O(k) memory: a search that answers a page of k results out of a million
// holds k of them, not a million. It serves scimkit's search paths; it is
// not an API.
package topk

import (
	"container/heap"
	"slices"
)

// Keeper keeps the k smallest items pushed to it by cmp. Ties keep the
// item pushed first, so a stream in a stable order gives stable pages.
type Keeper[T any] struct {
	k     int
	cmp   func(a, b T) int
	items maxHeap[T]
	n     int // items pushed, for ties
}

// New returns a Keeper of the k smallest items by cmp; k below 0 means 0.
func New[T any](k int, cmp func(a, b T) int) *Keeper[T] {
	k = max(k, 0)
	return &Keeper[T]{k: k, cmp: cmp, items: maxHeap[T]{cmp: cmp, items: make([]entry[T], 0, min(k, 1024))}}
}

// Push offers x: it is kept when fewer than k items are, or when it sorts
// before the largest kept item, which it then replaces.
func (h *Keeper[T]) Push(x T) {
	if h.k == 0 {
		return
	}
	h.n++
	e := entry[T]{v: x, seq: h.n}
	switch {
	case len(h.items.items) < h.k:
		heap.Push(&h.items, e)
	case h.items.less(e, h.items.items[0]):
		h.items.items[0] = e
		heap.Fix(&h.items, 0)
	}
}

// Sorted returns the kept items, smallest first. The Keeper must not be
// used after.
func (h *Keeper[T]) Sorted() []T {
	es := h.items.items
	slices.SortFunc(es, func(a, b entry[T]) int {
		if c := h.cmp(a.v, b.v); c != 0 {
			return c
		}
		return a.seq - b.seq
	})
	out := make([]T, len(es))
	for i, e := range es {
		out[i] = e.v
	}
	return out
}

type entry[T any] struct {
	v   T
	seq int
}

// maxHeap is a heap whose root is the largest item (the one to evict).
type maxHeap[T any] struct {
	cmp   func(a, b T) int
	items []entry[T]
}

// less reports whether a sorts before b: by cmp, then by arrival.
func (h *maxHeap[T]) less(a, b entry[T]) bool {
	if c := h.cmp(a.v, b.v); c != 0 {
		return c < 0
	}
	return a.seq < b.seq
}

func (h *maxHeap[T]) Len() int           { return len(h.items) }
func (h *maxHeap[T]) Less(i, j int) bool { return h.less(h.items[j], h.items[i]) }
func (h *maxHeap[T]) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *maxHeap[T]) Push(x any)         { h.items = append(h.items, x.(entry[T])) }
func (h *maxHeap[T]) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// Page returns the page of rs that starts at the 1-based startIndex and
// holds at most count resources, with RFC 7644 §3.4.2.4's reading of
// out-of-range values: startIndex below 1 means 1, count below 0 means 0.
func Page[T any](rs []T, startIndex, count int) []T {
	if startIndex < 1 {
		startIndex = 1
	}
	if count < 0 {
		count = 0
	}
	if startIndex > len(rs) {
		return rs[:0]
	}
	end := len(rs)
	if count < end-(startIndex-1) {
		end = startIndex - 1 + count
	}
	return rs[startIndex-1 : end]
}
