package store_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// declining is a store whose capabilities decline every call, so the
// helpers must take the generic path.
type declining struct {
	store.Store
	searches, patches int
}

func (d *declining) Search(context.Context, *store.Query) (*store.Page, error) {
	d.searches++
	return nil, fmt.Errorf("cannot: %w", errors.ErrUnsupported)
}

var (
	_ store.Searcher = (*declining)(nil)
	_ store.Patcher  = (*declining)(nil)
)

func (d *declining) Patch(context.Context, string, []patch.Operation, string, store.PatchOptions) (*schema.Resource, error) {
	d.patches++
	return nil, fmt.Errorf("cannot: %w", errors.ErrUnsupported)
}

func seed(t *testing.T, s store.Store, n int) {
	for i := range n {
		_, err := s.Create(context.Background(), &schema.Resource{Attributes: map[string]any{"userName": fmt.Sprintf("u%03d", i)}})
		require.NoError(t, err)
	}
}

func compile(t *testing.T, rt *schema.ResourceType, f string) *filter.Matcher {
	e, err := filter.Parse(f)
	require.NoError(t, err)
	m, err := filter.Compile(rt, e)
	require.NoError(t, err)
	return m
}

func TestSearchFallsBack(t *testing.T) {
	ctx := context.Background()
	users := schema.Users()
	d := &declining{Store: memory.New(users, memory.Options{})}
	seed(t, d, 10)
	p, err := store.Search(ctx, d, &store.Query{Filter: compile(t, users, `userName sw "u00"`), Count: 100})
	require.NoError(t, err)
	assert.Equal(t, 1, d.searches, "the capability was asked")
	assert.Equal(t, 10, p.Total, "and the generic path answered")

	_, err = store.Search(ctx, d, &store.Query{Count: 1, MaxScan: 5})
	assert.ErrorIs(t, err, store.ErrScanLimit, "the generic path is bounded")
	_, err = store.Evaluate(ctx, d.Scan(ctx), &store.Query{Count: 1, MaxScan: 10})
	assert.NoError(t, err, "exactly MaxScan resources is fine")

	failing := func(yield func(*schema.Resource, error) bool) { yield(nil, errors.New("disk")) }
	_, err = store.Evaluate(ctx, iter.Seq2[*schema.Resource, error](failing), &store.Query{})
	assert.EqualError(t, err, "disk")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	many := func(yield func(*schema.Resource, error) bool) {
		for i := range 5000 {
			if !yield(&schema.Resource{ID: fmt.Sprint(i)}, nil) {
				return
			}
		}
	}
	_, err = store.Evaluate(cctx, many, &store.Query{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestPatchHelper(t *testing.T) {
	ctx := context.Background()
	groups := schema.Groups()
	d := &declining{Store: memory.New(groups, memory.Options{})}
	g, err := d.Create(ctx, &schema.Resource{Attributes: map[string]any{"displayName": "G"}})
	require.NoError(t, err)
	add := []patch.Operation{{Op: patch.Add, Path: &filter.Path{Name: "members"}, Value: []byte(`[{"value":"m1"}]`)}}

	out, err := store.Patch(ctx, d, groups, g.ID, add, "", store.PatchOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, d.patches, "the capability was asked")
	assert.NotEqual(t, g.Meta.Version, out.Meta.Version)

	same, err := store.Patch(ctx, d, groups, g.ID, add, "", store.PatchOptions{})
	require.NoError(t, err)
	assert.Equal(t, out.Meta.Version, same.Meta.Version, "a PATCH that changes nothing writes nothing")

	_, err = store.Patch(ctx, d, groups, g.ID, add, g.Meta.Version, store.PatchOptions{})
	assert.ErrorIs(t, err, store.ErrVersionMismatch, "RFC 7644 §3.14: If-Match with a stale version")
	_, err = store.Patch(ctx, d, groups, g.ID, add, out.Meta.Version, store.PatchOptions{})
	assert.NoError(t, err)

	_, err = store.Patch(ctx, d, groups, "nope", add, "", store.PatchOptions{})
	assert.ErrorIs(t, err, store.ErrNotFound)
	bad := []patch.Operation{{Op: patch.Replace, Path: &filter.Path{Name: "id"}, Value: []byte(`"x"`)}}
	_, err = store.Patch(ctx, d, groups, g.ID, bad, "", store.PatchOptions{})
	assert.ErrorIs(t, err, &schema.Error{Status: 400, Type: schema.ScimMutability})

	// A store whose every replace loses the race gives up after 16 attempts.
	r := &racing{Store: memory.New(groups, memory.Options{})}
	g2, err := r.Create(ctx, &schema.Resource{Attributes: map[string]any{"displayName": "G"}})
	require.NoError(t, err)
	_, err = store.Patch(ctx, r, groups, g2.ID, add, "", store.PatchOptions{})
	assert.ErrorIs(t, err, store.ErrVersionMismatch)
	assert.Equal(t, 16, r.replaces)
}

// racing loses every replace; it embeds only store.Store, hiding the
// memory store's Patcher.
type racing struct {
	store.Store
	replaces int
}

func (r *racing) Replace(context.Context, *schema.Resource, string) (*schema.Resource, error) {
	r.replaces++
	return nil, store.ErrVersionMismatch
}

func TestConflictError(t *testing.T) {
	err := fmt.Errorf("creating: %w", &store.ConflictError{Attribute: "userName"})
	assert.ErrorIs(t, err, store.ErrConflict)
	assert.NotErrorIs(t, err, store.ErrNotFound)
	assert.EqualError(t, err, "creating: store: uniqueness conflict: the userName is already taken")
}

// scanCounting is a decorator that counts Scans and Replaces; with unwrap
// it has Unwrap.
type scanCounting struct {
	store.Store
	scans, replaces int
}

func (s *scanCounting) Scan(ctx context.Context) iter.Seq2[*schema.Resource, error] {
	s.scans++
	return s.Store.Scan(ctx)
}

func (s *scanCounting) Replace(ctx context.Context, r *schema.Resource, ifVersion string) (*schema.Resource, error) {
	s.replaces++
	return s.Store.Replace(ctx, r, ifVersion)
}

type unwrapping struct{ *scanCounting }

func (u unwrapping) Unwrap() store.Store { return u.Store }

// TestDecorators checks the rule of the package doc's Decorators: Search
// finds a Searcher along the Unwrap chain (issue 19: a tracing decorator
// lost it, and every search became a Scan); Patch never goes around the
// outer store.
func TestDecorators(t *testing.T) {
	ctx := context.Background()
	groups := schema.Groups()
	m, err := filter.Compile(groups, must(filter.Parse(`displayName eq "G"`)))
	require.NoError(t, err)
	add := []patch.Operation{{Op: patch.Add, Path: &filter.Path{Name: "members"}, Value: []byte(`[{"value":"m1"}]`)}}
	for _, unwrap := range []bool{false, true} {
		c := &scanCounting{Store: memory.New(groups, memory.Options{})}
		var s store.Store = c
		if unwrap {
			s = unwrapping{c}
		}
		g, err := s.Create(ctx, &schema.Resource{Attributes: map[string]any{"displayName": "G"}})
		require.NoError(t, err)
		page, err := store.Search(ctx, s, &store.Query{Filter: m, Count: 10})
		require.NoError(t, err)
		assert.Equal(t, 1, page.Total)
		if unwrap {
			assert.Zero(t, c.scans, "with Unwrap, the wrapped store's Searcher answers")
		} else {
			assert.Equal(t, 1, c.scans, "without Unwrap, the generic path scans")
		}
		_, err = store.Patch(ctx, s, groups, g.ID, add, "", store.PatchOptions{})
		require.NoError(t, err)
		assert.Equal(t, 1, c.replaces, "unwrap %v: Patch writes through the decorator", unwrap)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// heapInUse returns the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestEvaluateHoldsThePage checks that the generic search path holds at
// most StartIndex-1+Count resources at once (issue 18, finding 5: a
// sorted list, or a page past the end, held every resource of the
// tenant): 20,000 resources of 4 KiB each stream through Evaluate, and the
// live heap midway grows by far less than the 80 MB they take together.
func TestEvaluateHoldsThePage(t *testing.T) {
	users := schema.Users()
	sorter, err := filter.NewSorter(users, "name.givenName", "descending")
	require.NoError(t, err)
	const n = 20_000
	pad := strings.Repeat("x", 4096)
	for _, q := range []store.Query{
		{Sort: sorter, StartIndex: 11, Count: 10},
		{StartIndex: 1, Count: 5},
		{Sort: sorter, StartIndex: math.MaxInt32, Count: 1},
	} {
		var before, midway uint64
		resources := func(yield func(*schema.Resource, error) bool) {
			for i := range n {
				if i == n/2 {
					midway = heapInUse()
				}
				r := &schema.Resource{ID: fmt.Sprintf("%05d", i), Attributes: map[string]any{
					"userName": fmt.Sprint(i), "title": pad + fmt.Sprint(i), // a fresh 4 KiB string each
					"name": map[string]any{"givenName": fmt.Sprintf("g%05d", (i*7919)%n)}}}
				if !yield(r, nil) {
					return
				}
			}
		}
		q.MaxScan = n
		before = heapInUse()
		page, err := store.Evaluate(context.Background(), resources, &q)
		require.NoError(t, err)
		assert.Equal(t, n, page.Total)
		growth := int64(midway) - int64(before)
		assert.Less(t, growth, int64(8<<20), "heap grew %d bytes with %d resources read (query %+v)", growth, n/2, q)
		if q.StartIndex == 11 {
			require.Len(t, page.Resources, 10)
			assert.Equal(t, fmt.Sprintf("g%05d", n-11), page.Resources[0].Attributes["name"].(map[string]any)["givenName"])
		}
	}
}
