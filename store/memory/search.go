package memory

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/fastpath"
	"github.com/scimkit/scimkit/internal/topk"
	"github.com/scimkit/scimkit/internal/valuekey"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// scan yields the resources as they were when it started, in id order.
func (s *part) scan(ctx context.Context) iter.Seq2[*schema.Resource, error] {
	return func(yield func(*schema.Resource, error) bool) {
		s.mu.Lock()
		s.tidy()
		snapshot := make([]*state, len(s.sorted))
		for i, e := range s.sorted {
			snapshot[i] = e.st
		}
		s.mu.Unlock()
		s.yieldStates(ctx, snapshot, yield)
	}
}

// yieldStates yields the resources states hold, in order, until yield
// stops or an error (the context's, or a state's) has been yielded.
func (s *part) yieldStates(ctx context.Context, states []*state, yield func(*schema.Resource, error) bool) {
	for _, st := range states {
		if err := ctx.Err(); err != nil {
			yield(nil, err)
			return
		}
		r, err := s.resource(st)
		if !yield(r, err) || err != nil {
			return
		}
	}
}

// search answers q.
func (s *part) search(ctx context.Context, q *store.Query) (*store.Page, error) {
	hits, total, err := s.find(ctx, q)
	if err != nil {
		return nil, err
	}
	rs := make([]*schema.Resource, len(hits))
	for i, h := range hits {
		if rs[i] = h.r; h.r == nil {
			if rs[i], err = s.resource(h.st); err != nil {
				return nil, err
			}
		}
	}
	return &store.Page{Resources: rs, Total: total}, nil
}

// searchJSON answers q with the stored JSON, appended to dst.
func (s *part) searchJSON(ctx context.Context, q *store.Query, dst []document.Encoded) ([]document.Encoded, int, error) {
	if s.lists > 0 {
		return nil, 0, errLists
	}
	hits, total, err := s.find(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	out := slices.Grow(dst[:0], len(hits))
	for _, h := range hits {
		out = append(out, s.encoded(h.st))
	}
	return out, total, nil
}

// hit is a resource a search found: its state, and the resource when the
// search had to read it.
type hit struct {
	st *state
	r  *schema.Resource
}

// find answers q: the page of hits, and how many matched in all. An
// equality on id, externalId or a unique attribute (also inside "and",
// and on both sides of "or") is answered from an index; other filters
// read every resource. The states are taken under the read lock and read
// after it: they never change.
func (s *part) find(ctx context.Context, q *store.Query) ([]hit, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	if q.Filter != nil && q.Filter.ResourceType().Name != s.rt.Name {
		return nil, 0, fmt.Errorf("memory: the filter was compiled for resource type %s, not %s", q.Filter.ResourceType().Name, s.rt.Name)
	}
	if q.Filter == nil && q.Sort == nil {
		return s.page(q)
	}
	s.mu.RLock()
	cands, indexed, exact := s.lookup(q.Filter)
	if !indexed && q.Sort == nil && q.NoTotal {
		s.mu.RUnlock()
		hits, err := s.scanFrom(ctx, q)
		return hits, 0, err
	}
	if !indexed && (s.untidy || s.removed > 0) {
		s.mu.RUnlock()
		s.rlockTidy() // only a scan reads the id order
	}
	if !indexed {
		cands = s.sorted
	} else {
		slices.SortFunc(cands, func(a, b *entry) int { return strings.Compare(a.st.id(), b.st.id()) })
	}
	hits := make([]hit, 0, len(cands))
	for _, e := range cands {
		if !e.deleted {
			hits = append(hits, hit{st: e.st})
		}
	}
	s.mu.RUnlock()
	// With a sort, only the resources up to the page's end are kept
	// decoded: a page of 10 of a million users holds 10 users, and a page
	// past the candidates holds none (and needs no sort).
	start, count := max(q.StartIndex, 1), max(q.Count, 0)
	sort := q.Sort
	if start > len(hits) {
		sort = nil
	}
	var first *topk.Keeper[hit]
	if sort != nil {
		first = topk.New(start-1+count, func(a, b hit) int { return sort.Compare(a.r, b.r) })
	}
	read := sort != nil || q.Filter != nil && !exact
	// Without a sort, a resource is decoded only as far as the filter
	// reads it.
	var needs *document.Projection
	if sort == nil && read {
		needs = s.filterNeeds(q.Filter)
	}
	matched := hits[:0]
	total := 0
	for i, h := range hits {
		if i%4096 == 4095 && ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		if read {
			r, err := s.resourceFor(h.st, needs)
			if err != nil {
				return nil, 0, err
			}
			if q.Filter != nil && !exact && !q.Filter.Match(r) {
				continue
			}
			if needs == nil {
				h.r = r // whole: Search returns it
			}
		}
		total++
		if first != nil {
			first.Push(h)
		} else {
			matched = append(matched, h) // in id order, holding states only
		}
	}
	if first != nil {
		matched = first.Sorted()
	}
	return topk.Page(matched, start, count), total, nil
}

// scanFrom answers a query in id order that needs no total, such as a
// keyset page: it reads the id order from q.After a window at a time,
// holding the read lock only while it copies one, and stops once the
// page is full. Resources written before the window it reads are not
// seen, as with any keyset page.
func (s *part) scanFrom(ctx context.Context, q *store.Query) ([]hit, error) {
	start, count := max(q.StartIndex, 1), max(q.Count, 0)
	want := start - 1 + count
	f := q.Filter
	if f != nil && onlyPast(f.Expr(), q.After) {
		f = nil // every resource past After matches: nothing to read
	}
	var needs *document.Projection
	if f != nil {
		needs = s.filterNeeds(f)
	}
	after, window := q.After, min(max(want, 64), maxWindow)
	var matched []hit
	for want > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s.rlockTidy()
		i, _ := slices.BinarySearchFunc(s.sorted, after, func(e *entry, id string) int { return strings.Compare(e.st.id(), id) })
		if i < len(s.sorted) && after != "" && s.sorted[i].st.id() == after {
			i++
		}
		end := min(i+window, len(s.sorted))
		batch := make([]hit, 0, end-i)
		for _, e := range s.sorted[i:end] {
			batch = append(batch, hit{st: e.st}) // tidy: none deleted
		}
		more := end < len(s.sorted)
		s.mu.RUnlock()
		for _, h := range batch {
			if f != nil {
				r, err := s.resourceFor(h.st, needs)
				if err != nil {
					return nil, err
				}
				if !f.Match(r) {
					continue
				}
				if needs == nil {
					h.r = r
				}
			}
			if matched = append(matched, h); len(matched) == want {
				return topk.Page(matched, start, count), nil
			}
		}
		if !more || len(batch) == 0 {
			break
		}
		after, window = batch[len(batch)-1].st.id(), min(window*2, maxWindow)
	}
	return topk.Page(matched, start, count), nil
}

// onlyPast reports whether e is `id gt after` and nothing else, as the
// handler writes it for a keyset page without a filter of the client's.
func onlyPast(e filter.Expr, after string) bool {
	c, ok := e.(*filter.Compare)
	return ok && after != "" && c.Op == filter.Gt && c.Value == after &&
		strings.EqualFold(c.Path.Name, "id") && c.Path.URN == "" && c.Path.Sub == "" && c.Path.Filter == nil
}

// maxWindow bounds what scanFrom copies under the read lock at once.
const maxWindow = 1 << 14

// tidy sorts s.sorted by id and drops deleted entries. It needs the write
// lock.
func (s *part) tidy() {
	if s.removed > 0 {
		s.sorted = slices.DeleteFunc(s.sorted, func(e *entry) bool { return e.deleted })
		s.removed = 0
	}
	if s.untidy {
		slices.SortFunc(s.sorted, func(a, b *entry) int { return strings.Compare(a.st.id(), b.st.id()) })
		s.untidy = false
	}
}

// rlockTidy takes the read lock with the id order tidy, tidying it under
// the write lock first when a write has disturbed it.
func (s *part) rlockTidy() {
	s.mu.RLock()
	for s.untidy || s.removed > 0 {
		s.mu.RUnlock()
		s.mu.Lock()
		s.tidy()
		s.mu.Unlock()
		s.mu.RLock()
	}
}

// lookup returns the entries an indexed equality in f selects: a superset
// of the matches, which the caller then filters, unless exact reports that
// they are the matches (f is one equality on an indexed string).
func (s *part) lookup(f *filter.Matcher) (found []*entry, indexed, exact bool) {
	if f == nil {
		return nil, false, false
	}
	return s.lookupExpr(f.Expr())
}

func (s *part) lookupExpr(e filter.Expr) (found []*entry, indexed, exact bool) {
	switch e := e.(type) {
	case *filter.Logical:
		l, lok, _ := s.lookupExpr(e.Left)
		if e.Op == filter.And {
			if lok {
				return l, true, false
			}
			r, rok, _ := s.lookupExpr(e.Right)
			return r, rok, false
		}
		r, rok, _ := s.lookupExpr(e.Right)
		if !lok || !rok {
			return nil, false, false
		}
		out := slices.Clone(l)
		for _, x := range r {
			if !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
		return out, true, false
	case *filter.Compare:
		v, ok := e.Value.(string)
		if e.Op != filter.Eq || !ok || e.Path.Filter != nil {
			return nil, false, false
		}
		if e.Path.Sub != "" {
			return s.lookupRef(e.Path, v)
		}
		a, err := filter.ResolvePath(s.rt, e.Path)
		if err != nil {
			return nil, false, false
		}
		if a.Common {
			switch a.Attr.Name {
			case "id":
				if en, ok := s.byID[v]; ok {
					return []*entry{en}, true, true
				}
				return nil, true, true
			case "externalId":
				var out []*entry
				if en, ok := s.byExt[v]; ok {
					out = append(out, en)
				}
				return append(out, s.extMore[v]...), true, true
			}
			return nil, false, false
		}
		ext := ""
		if a.Ext != nil {
			ext = a.Ext.Schema.ID
		}
		// The index keys strings as the filter compares them.
		exact := a.Attr.Type == schema.String || a.Attr.Type == schema.Reference
		for _, idx := range s.unique {
			// By name: the filter may have been compiled for an equal
			// resource type built separately.
			if idx.attr.Name == a.Attr.Name && strings.EqualFold(idx.ext, ext) {
				if en, ok := idx.holder(v); ok {
					return []*entry{en}, true, exact
				}
				return nil, true, exact
			}
		}
	}
	return nil, false, false
}

// page answers a query without filter or sort from the id order, reading
// only the page.
func (s *part) page(q *store.Query) ([]hit, int, error) {
	s.rlockTidy()
	defer s.mu.RUnlock()
	out := topk.Page(s.sorted, q.StartIndex, q.Count)
	hits := make([]hit, len(out))
	for i, e := range out {
		hits[i].st = e.st
	}
	return hits, len(s.sorted), nil
}

// lookupRef answers `<list>.value eq v` for a reference list of the core
// schema from its index: the resources whose list holds v, as the filter
// compares values.
func (s *part) lookupRef(p filter.Path, v string) (found []*entry, indexed, exact bool) {
	if !strings.EqualFold(p.Sub, "value") || p.URN != "" && !strings.EqualFold(p.URN, s.rt.Schema.ID) {
		return nil, false, false
	}
	for _, ri := range s.refs {
		if strings.EqualFold(ri.attr.Name, p.Name) {
			return slices.Clone(ri.holders[valuekey.Of(ri.caseExact, v)]), true, true
		}
	}
	return nil, false, false
}

// holders returns the resources whose reference list attr holds value,
// from its index, with their id and displayName.
func (s *part) holders(ctx context.Context, attr, value string) ([]fastpath.Holder, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, true, err
	}
	var ri *refIndex
	for _, x := range s.refs {
		if strings.EqualFold(x.attr.Name, attr) {
			ri = x
		}
	}
	if ri == nil {
		return nil, false, nil
	}
	s.mu.RLock()
	found := slices.Clone(ri.holders[valuekey.Of(ri.caseExact, value)])
	states := make([]*state, 0, len(found))
	for _, e := range found {
		if !e.deleted {
			states = append(states, e.st)
		}
	}
	s.mu.RUnlock()
	if len(states) == 0 {
		return nil, true, nil
	}
	out := make([]fastpath.Holder, len(states))
	for i, st := range states {
		r, err := s.resourceFor(st, s.names)
		if err != nil {
			return nil, true, err
		}
		name, _ := r.Attributes["displayName"].(string)
		out[i] = fastpath.Holder{ID: st.id(), DisplayName: name}
	}
	slices.SortFunc(out, func(a, b fastpath.Holder) int { return strings.Compare(a.ID, b.ID) })
	return out, true, nil
}
