package topk_test

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/scimkit/scimkit/internal/topk"
)

type item struct{ key, id int }

// TestKeeperAgreesWithSort checks that a Keeper keeps exactly the first k
// items a stable sort gives, for every k, including ties.
func TestKeeperAgreesWithSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	byKey := func(a, b item) int { return cmp.Compare(a.key, b.key) }
	for _, n := range []int{0, 1, 7, 100, 1000} {
		items := make([]item, n)
		for i := range items {
			items[i] = item{key: r.IntN(20), id: i}
		}
		want := slices.Clone(items)
		slices.SortStableFunc(want, byKey)
		for _, k := range []int{-1, 0, 1, 3, n / 2, n, n + 5} {
			h := topk.New(k, byKey)
			for _, x := range items {
				h.Push(x)
			}
			got := h.Sorted()
			assert.Equal(t, want[:min(max(k, 0), n)], got, "n=%d k=%d", n, k)
		}
	}
}

// FuzzKeeper checks Keeper against a stable sort on arbitrary input.
func FuzzKeeper(f *testing.F) {
	f.Add([]byte{3, 1, 2, 1, 0}, 2)
	f.Fuzz(func(t *testing.T, keys []byte, k int) {
		k %= 300
		items := make([]item, len(keys))
		for i, b := range keys {
			items[i] = item{key: int(b % 16), id: i}
		}
		byKey := func(a, b item) int { return cmp.Compare(a.key, b.key) }
		want := slices.Clone(items)
		slices.SortStableFunc(want, byKey)
		h := topk.New(k, byKey)
		for _, x := range items {
			h.Push(x)
		}
		assert.Equal(t, want[:min(max(k, 0), len(items))], h.Sorted())
	})
}

func TestPage(t *testing.T) {
	xs := []int{1, 2, 3, 4, 5}
	for _, tt := range []struct {
		start, count int
		want         []int
	}{
		{1, 2, []int{1, 2}},
		{4, 10, []int{4, 5}},
		{0, 2, []int{1, 2}}, // RFC 7644 §3.4.2.4: startIndex below 1 means 1
		{-5, 1, []int{1}},
		{2, -1, []int{}}, // negative count means 0
		{6, 2, []int{}},  // past the end
		{5, 1, []int{5}},
		{1, 0, []int{}},
	} {
		assert.Equal(t, tt.want, topk.Page(xs, tt.start, tt.count), "start %d count %d", tt.start, tt.count)
	}
}
