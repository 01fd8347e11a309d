package memory

import (
	"context"
	"maps"
	"reflect"
	"time"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/elements"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
)

// patch applies PATCH operations to resource id (see memStore.Patch and
// the package documentation). Operations that only set simple values are
// written into the stored JSON (quickPatch); operations that name the
// elements of a reference list of the core schema by value are applied to
// those elements alone, under the lock; any other PATCH decodes the
// resource, patches and encodes it outside the lock. With metaOnly the
// result may hold only the id and meta (store.PatchOptions.MetaOnly).
func (s *part) patch(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts patch.Options, metaOnly bool) (*schema.Resource, error) {
	if st, ok, err := s.quickPatch(ctx, id, ops, ifVersion, opts); ok {
		if err != nil {
			return nil, err
		}
		if metaOnly {
			return &schema.Resource{ID: st.id(), Meta: st.meta(s.rt)}, nil
		}
		return s.resource(st)
	}
	return s.patchSlow(ctx, id, ops, ifVersion, opts)
}

// patchJSON is patch answering the resource written as its JSON (see
// fastpath.Store.PatchJSON).
func (s *part) patchJSON(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts patch.Options) (document.Encoded, error) {
	if s.lists > 0 {
		return document.Encoded{}, errLists
	}
	if st, ok, err := s.quickPatch(ctx, id, ops, ifVersion, opts); ok {
		if err != nil {
			return document.Encoded{}, err
		}
		return s.encoded(st), nil
	}
	res, err := s.patchSlow(ctx, id, ops, ifVersion, opts)
	if err != nil {
		return document.Encoded{}, err
	}
	if _, st, ok := s.current(id); ok && st.version() == res.Meta.Version {
		return s.encoded(st), nil
	}
	// Another write came after this one: answer what this one wrote.
	enc := s.encode(nil, res, res.ID, res.Meta.Created, res.Meta.LastModified)
	return document.Encoded{ID: res.ID, Meta: res.Meta, JSON: string(enc)}, nil
}

// patchSlow is patch for operations quickPatch does not take.
func (s *part) patchSlow(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts patch.Options) (*schema.Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	for _, b := range s.beside {
		if !b.list || b.ext != "" { // elements.ValuesTouched reads core-schema paths
			continue
		}
		if values, ok := elements.ValuesTouched(s.rt, b.attr, ops); ok {
			if res, done, err := s.patchElements(ctx, id, ifVersion, b.attr, values, ops, opts, now); done {
				return res, err
			}
		}
	}
	cur, next, err := s.write(id, ifVersion, now, func(st *state) (*schema.Resource, *schema.Resource, error) {
		cur, err := s.resource(st)
		if err != nil {
			return nil, nil, err
		}
		next, changed, err := patch.Apply(ctx, s.rt, cur, ops, opts)
		if err != nil || !changed {
			return cur, nil, err
		}
		return cur, next, nil
	})
	if err != nil {
		return nil, err
	}
	if next == nil {
		return cur, nil // nothing changed
	}
	return next, nil
}

// memberList indexes a reference list of an entry's state: the state's
// list is buf[:len(buf):len(buf)], kept clipped, so the store alone
// appends into buf's spare capacity and readers never see it. It keeps
// the state decoded too, so that a run of PATCHes of the list decodes the
// resource once.
type memberList struct {
	attr  *schema.Attribute
	buf   []any
	pos   map[string]int   // value -> index in buf
	whole *schema.Resource // the state, decoded; never changed
}

// memberList returns e's index of list a, building it, or nil when two
// elements share a value (then only a PATCH of the whole resource is
// exact). It needs the write lock.
func (s *part) memberList(e *entry, a *schema.Attribute) (*memberList, error) {
	if e.mem != nil && e.mem.attr == a {
		return e.mem, nil
	}
	whole, err := s.resource(e.st)
	if err != nil {
		return nil, err
	}
	cur, _ := e.st.besides()[a.Name].([]any)
	pos := make(map[string]int, len(cur))
	for i, m := range cur {
		v, _ := m.(map[string]any)["value"].(string)
		if _, dup := pos[v]; dup {
			return nil, nil
		}
		pos[v] = i
	}
	e.mem = &memberList{attr: a, buf: cur, pos: pos, whole: whole}
	return e.mem, nil
}

// patchElements applies ops that touch list a only by value (see
// elements.ValuesTouched) to the resource holding just those elements, then
// merges the result: an added element is appended in place, so adding one
// member costs the same in a group of ten or of a million. Removing or
// changing elements rebuilds the list. It works under the write lock, at
// a cost set by the values named, not by the list's length. done is
// false, and nothing is done, when the list has no index (two elements
// share a value).
func (s *part) patchElements(ctx context.Context, id, ifVersion string, a *schema.Attribute, values []string, ops []patch.Operation, opts patch.Options, now time.Time) (res *schema.Resource, done bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.at(id, ifVersion)
	if err != nil {
		return nil, true, err
	}
	ml, err := s.memberList(e, a)
	if ml == nil {
		return nil, err != nil, err
	}
	res, err = s.patchIndexed(ctx, e, ml, values, ops, opts, now)
	return res, true, err
}

// patchIndexed is patchElements for e, whose list has the index ml. It
// needs the write lock.
func (s *part) patchIndexed(ctx context.Context, e *entry, ml *memberList, values []string, ops []patch.Operation, opts patch.Options, now time.Time) (*schema.Resource, error) {
	name, cur, whole := ml.attr.Name, ml.buf, ml.whole
	sparse := *whole
	sparse.Attributes = maps.Clone(whole.Attributes)
	before := map[string]any{}
	var some []any
	for _, v := range values {
		if i, ok := ml.pos[v]; ok && before[v] == nil {
			before[v] = cur[i]
			some = append(some, cur[i])
		}
	}
	if some != nil {
		sparse.Attributes[name] = some
	} else {
		delete(sparse.Attributes, name)
	}
	next, changed, err := patch.Apply(ctx, s.rt, &sparse, ops, opts)
	if err != nil {
		return nil, err
	}
	if !changed {
		return whole, nil
	}
	after := map[string]any{}
	var added []any
	list, _ := next.Attributes[name].([]any)
	for _, m := range list {
		v, _ := m.(map[string]any)["value"].(string)
		after[v] = m
		if _, had := before[v]; !had {
			added = append(added, m)
		}
	}
	rebuild, removed := false, false
	for v, m := range before {
		if a, ok := after[v]; !ok {
			rebuild, removed = true, true
		} else if !reflect.DeepEqual(a, m) {
			rebuild = true
		}
	}
	var elems []any
	var index *memberList
	switch {
	case !rebuild:
		buf := append(cur, added...) // cur is clipped: the first append reallocates
		elems = buf[:len(buf):len(buf)]
		index = &memberList{attr: ml.attr, buf: buf, pos: ml.pos}
	case !removed:
		// Elements changed in place (a renamed member's display): the
		// same values at the same positions, so the index stays.
		buf := make([]any, len(cur), len(cur)+len(added))
		copy(buf, cur)
		for v := range before {
			buf[ml.pos[v]] = after[v]
		}
		buf = append(buf, added...)
		elems = buf[:len(buf):len(buf)]
		index = &memberList{attr: ml.attr, buf: buf, pos: ml.pos}
	default:
		elems = make([]any, 0, len(cur)+len(added))
		for _, m := range cur {
			v, _ := m.(map[string]any)["value"].(string)
			if _, touched := before[v]; touched {
				if a, ok := after[v]; ok {
					elems = append(elems, a)
				}
				continue
			}
			elems = append(elems, m)
		}
		elems = append(elems, added...)
		elems = elems[:len(elems):len(elems)]
	}
	if len(elems) > 0 {
		next.Attributes[name] = elems
	} else {
		delete(next.Attributes, name)
	}
	if err := s.updateRefs(e, next, whole, now, nil, false); err != nil {
		return nil, err
	}
	// The list's index changes by what the operations changed.
	for _, ri := range s.refs {
		if ri.attr != ml.attr {
			ri.remove(e, whole)
			ri.add(e, next)
			continue
		}
		for v := range before {
			if _, kept := after[v]; !kept {
				ri.removeValue(e, v)
			}
		}
		for _, m := range added {
			v, _ := m.(map[string]any)["value"].(string)
			ri.addValue(e, v)
		}
	}
	if index != nil {
		for i, m := range added {
			v, _ := m.(map[string]any)["value"].(string)
			index.pos[v] = len(cur) + i
		}
		index.whole = next
		e.mem = index
	}
	return next, nil
}
