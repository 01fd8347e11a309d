package memory

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/valuekey"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// maxOptimistic bounds how often a write prepared outside the lock is
// prepared again because another write came first; then it is done under
// the lock.
const maxOptimistic = 4

// create stores c, which the store owns. With random ids, it encodes c
// before taking the lock.
func (s *part) create(ctx context.Context, c *schema.Resource) (*schema.Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	var id string
	var pre []byte
	if s.safeIDs {
		bp := encBufs.Get().(*[]byte)
		defer encBufs.Put(bp)
		id = s.newID()
		*bp = s.encode((*bp)[:0], c, id, now, now)
		pre = *bp
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.free(id) {
		// No id yet (NewID is the host's, called under the lock), or the
		// random one made before the lock is taken.
		id, pre = s.newID(), nil
		if !s.free(id) {
			return nil, errIDInUse(id)
		}
	}
	if err := s.checkUnique(c, nil); err != nil {
		return nil, err
	}
	s.version++
	e := &entry{st: s.keep(c, id, s.version, now, now, pre)}
	s.add(e)
	s.index(e, c)
	for _, ri := range s.refs {
		ri.add(e, c)
	}
	return c, nil
}

// free reports whether a new resource may take id: not empty, and
// neither stored nor in the trash. It needs the lock.
func (s *part) free(id string) bool {
	_, taken := s.byID[id]
	return !taken && s.trash[id] == nil && id != ""
}

// errIDInUse is the error for an id from NewID that free refuses.
func errIDInUse(id string) error {
	return fmt.Errorf("memory: NewID returned %q, which is empty or in use", id)
}

// add adds the new entry e to the resources by id and in id order. It
// needs the write lock.
func (s *part) add(e *entry) {
	id := e.st.id()
	s.byID[id] = e
	if n := len(s.sorted); n > 0 && s.sorted[n-1].st.id() > id {
		s.untidy = true
	}
	s.sorted = append(s.sorted, e)
}

// current returns the entry of resource id and its state, taken under the
// read lock.
func (s *part) current(id string) (*entry, *state, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.byID[id]
	if !ok {
		return nil, nil, false
	}
	return e, e.st, true
}

// state returns the current state of resource id.
func (s *part) state(ctx context.Context, id string) (*state, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	_, st, ok := s.current(id)
	if !ok {
		return nil, store.ErrNotFound
	}
	return st, nil
}

// get reads resource id. States are never changed: it needs no lock.
func (s *part) get(ctx context.Context, id string) (*schema.Resource, error) {
	st, err := s.state(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.resource(st)
}

// getJSON reads resource id as its stored JSON.
func (s *part) getJSON(ctx context.Context, id string) (document.Encoded, error) {
	if s.lists > 0 {
		return document.Encoded{}, errLists
	}
	st, err := s.state(ctx, id)
	if err != nil {
		return document.Encoded{}, err
	}
	return s.encoded(st), nil
}

// replace stores c, which the store owns, as the new state of c.ID.
func (s *part) replace(ctx context.Context, c *schema.Resource, ifVersion string) (*schema.Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	_, _, err := s.write(c.ID, ifVersion, s.now(), func(st *state) (*schema.Resource, *schema.Resource, error) {
		cur, err := s.resourceFor(st, s.uniques)
		return cur, c, err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// write stores a new version of resource id, which prepare makes from the
// current state: it returns the current resource (at least its unique
// attributes, for unindex) and the next one, which the store then owns, or
// nil for no change; write returns both. prepare runs, and the next
// version is encoded, before the lock is taken, so that a long PATCH never
// holds up other requests; if another write came first, write prepares
// again, and only after maxOptimistic lost races does it prepare under
// the lock.
func (s *part) write(id, ifVersion string, now time.Time, prepare func(st *state) (cur, next *schema.Resource, err error)) (cur, next *schema.Resource, err error) {
	for try := 0; try < maxOptimistic; try++ {
		e, st, ok := s.current(id)
		if !ok {
			return nil, nil, store.ErrNotFound
		}
		if ifVersion != "" && st.version() != ifVersion {
			return nil, nil, store.ErrVersionMismatch
		}
		if cur, next, err = prepare(st); err != nil || next == nil {
			return cur, nil, err
		}
		bp := encBufs.Get().(*[]byte)
		*bp = s.encode((*bp)[:0], next, st.id(), st.created, now)
		s.mu.Lock()
		stored := !e.deleted && e.st == st
		if stored {
			err = s.update(e, next, cur, now, *bp)
		}
		s.mu.Unlock()
		encBufs.Put(bp)
		if stored {
			return cur, next, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.at(id, ifVersion)
	if err != nil {
		return nil, nil, err
	}
	if cur, next, err = prepare(e.st); err != nil || next == nil {
		return cur, nil, err
	}
	return cur, next, s.update(e, next, cur, now, nil)
}

// at returns the entry of resource id, unless ifVersion is set and the
// resource is at another version. It needs the lock.
func (s *part) at(id, ifVersion string) (*entry, error) {
	e, ok := s.byID[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	if ifVersion != "" && e.st.version() != ifVersion {
		return nil, store.ErrVersionMismatch
	}
	return e, nil
}

// update makes next, which the store owns, the stored state of e, with a
// new version, unless it takes another resource's unique value; cur is e's
// resource when the caller has read it, or nil. It needs the write lock.
func (s *part) update(e *entry, next, cur *schema.Resource, now time.Time, pre []byte) error {
	return s.updateRefs(e, next, cur, now, pre, true)
}

// updateRefs is update; without refs it leaves the reference lists'
// indexes to the caller, which knows what changed in them.
func (s *part) updateRefs(e *entry, next, cur *schema.Resource, now time.Time, pre []byte, refs bool) error {
	if err := s.checkUnique(next, e); err != nil {
		return err
	}
	if cur == nil && (len(s.unique) > 0 || refs && len(s.refs) > 0) {
		var err error
		if cur, err = s.resourceFor(e.st, s.uniques); err != nil {
			return err
		}
	}
	if err := s.unindex(e, cur); err != nil {
		return err
	}
	if refs {
		for _, ri := range s.refs {
			ri.remove(e, cur)
		}
	}
	s.version++
	id := e.st.id()
	e.st = s.keep(next, id, s.version, e.st.created, now, pre)
	// Key the entry by the new state's id, which shares its JSON, so that
	// the old JSON is not kept alive by the key.
	delete(s.byID, id)
	s.byID[e.st.id()] = e
	e.mem = nil
	s.index(e, next)
	if refs {
		for _, ri := range s.refs {
			ri.add(e, next)
		}
	}
	return nil
}

// delete removes resource id.
func (s *part) delete(ctx context.Context, id, ifVersion string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.at(id, ifVersion)
	if err != nil {
		return err
	}
	var cur *schema.Resource
	if len(s.unique) > 0 || len(s.refs) > 0 {
		if cur, err = s.resourceFor(e.st, s.uniques); err != nil {
			return err
		}
	}
	if err := s.unindex(e, cur); err != nil {
		return err
	}
	for _, ri := range s.refs {
		ri.remove(e, cur)
	}
	delete(s.byID, id)
	e.deleted = true
	s.removed++
	if s.soft {
		if s.trash == nil {
			s.trash = map[string]*state{}
		}
		s.trash[e.st.id()] = e.st
	}
	return nil
}

// deleted yields the soft-deleted resources, in id order.
func (s *part) deleted(ctx context.Context) iter.Seq2[*schema.Resource, error] {
	return func(yield func(*schema.Resource, error) bool) {
		s.mu.RLock()
		states := slices.Collect(maps.Values(s.trash))
		s.mu.RUnlock()
		slices.SortFunc(states, func(a, b *state) int { return strings.Compare(a.id(), b.id()) })
		s.yieldStates(ctx, states, yield)
	}
}

// purge removes soft-deleted resource id for good.
func (s *part) purge(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.trash[id]; !ok {
		return store.ErrNotFound
	}
	delete(s.trash, id)
	return nil
}

// refIndex maps the values of a reference list (a Group's members), keyed
// as filters compare them, to the resources that list them, so that
// `members.value eq "x"` (which groups hold x) is a lookup.
type refIndex struct {
	attr      *schema.Attribute
	caseExact bool // the value sub-attribute's
	holders   map[string][]*entry
}

// add indexes the list values of r, the resource of e.
func (ri *refIndex) add(e *entry, r *schema.Resource) {
	for _, v := range listValues(r, ri.attr) {
		ri.addValue(e, v)
	}
}

// addValue indexes one value of e's list.
func (ri *refIndex) addValue(e *entry, v string) {
	k := valuekey.Of(ri.caseExact, v)
	hs := ri.holders[k]
	if n := len(hs); n > 0 && hs[n-1] == e {
		return // a value named twice in one list
	}
	ri.holders[k] = append(hs, e)
}

// remove removes the list values of r, the resource of e, from the index.
func (ri *refIndex) remove(e *entry, r *schema.Resource) {
	for _, v := range listValues(r, ri.attr) {
		ri.removeValue(e, v)
	}
}

// removeValue removes one value of e's list from the index.
func (ri *refIndex) removeValue(e *entry, v string) {
	k := valuekey.Of(ri.caseExact, v)
	hs := slices.DeleteFunc(slices.Clone(ri.holders[k]), func(o *entry) bool { return o == e })
	if len(hs) == 0 {
		delete(ri.holders, k)
	} else {
		ri.holders[k] = hs
	}
}

// listValues returns the string values of r's list a.
func listValues(r *schema.Resource, a *schema.Attribute) []string {
	if r == nil {
		return nil
	}
	list, _ := r.Attributes[a.Name].([]any)
	out := make([]string, 0, len(list))
	for _, m := range list {
		if v, ok := m.(map[string]any)["value"].(string); ok {
			out = append(out, v)
		}
	}
	return out
}

// uniqueIndex maps the fold keys of a unique attribute's values to the
// resource holding them.
type uniqueIndex struct {
	ext  string // the extension URN, "" for the core schema
	attr *schema.Attribute
	keys map[string]*entry
}

// uniqueProjection returns a projection of the unique attributes, with
// which a state is decoded only as far as unindex reads it.
func (s *part) uniqueProjection() *document.Projection {
	names := []string{"id"} // none unique: a projection that decodes nothing else
	for _, idx := range s.unique {
		name := idx.attr.Name
		if idx.ext != "" {
			name = idx.ext + ":" + name
		}
		names = append(names, name)
	}
	return document.NewProjection(s.rt, names, nil)
}

// holder returns the resource that holds value v, building the key on the
// stack: a lookup allocates nothing.
func (idx *uniqueIndex) holder(v any) (*entry, bool) {
	var buf [128]byte
	e, ok := idx.keys[string(valuekey.Append(buf[:0], idx.attr.CaseExact, v))]
	return e, ok
}

// values returns the values of the index's attribute in r.
func (idx *uniqueIndex) values(r *schema.Resource) []any {
	m := r.Attributes
	if idx.ext != "" {
		m, _ = m[idx.ext].(map[string]any)
	}
	v, ok := m[idx.attr.Name]
	if !ok || v == nil {
		return nil
	}
	if arr, ok := v.([]any); ok {
		return arr
	}
	return []any{v}
}

// checkUnique reports a value of c that another resource than self holds.
func (s *part) checkUnique(c *schema.Resource, self *entry) error {
	for _, idx := range s.unique {
		for _, v := range idx.values(c) {
			if holder, ok := idx.holder(v); ok && holder != self {
				path := idx.attr.Name
				if idx.ext != "" {
					path = idx.ext + ":" + path
				}
				return &store.ConflictError{Attribute: path}
			}
		}
	}
	return nil
}

// index adds e, whose resource is r, to the indexes. Keys share the
// memory of e's JSON where they can. It needs the write lock.
func (s *part) index(e *entry, r *schema.Resource) {
	for _, idx := range s.unique {
		for _, v := range idx.values(r) {
			idx.keys[within(e.st.enc(), valuekey.Of(idx.attr.CaseExact, v))] = e
		}
	}
	s.indexExt(e)
}

// indexExt adds e to the externalId index.
func (s *part) indexExt(e *entry) {
	if x := e.st.ext(); x != "" {
		if _, taken := s.byExt[x]; taken {
			s.extMore[x] = append(s.extMore[x], e)
		} else {
			s.byExt[x] = e
		}
	}
}

// unindex removes e from the indexes; cur is e's resource when the caller
// has read it, or nil. It needs the write lock.
func (s *part) unindex(e *entry, cur *schema.Resource) error {
	if cur == nil && len(s.unique) > 0 {
		var err error
		if cur, err = s.resourceFor(e.st, s.uniques); err != nil {
			return err
		}
	}
	for _, idx := range s.unique {
		for _, v := range idx.values(cur) {
			k := valuekey.Of(idx.attr.CaseExact, v)
			if idx.keys[k] == e {
				delete(idx.keys, k)
			}
		}
	}
	s.unindexExt(e)
	return nil
}

// unindexExt removes e from the externalId index.
func (s *part) unindexExt(e *entry) {
	if x := e.st.ext(); x != "" {
		more := s.extMore[x]
		if s.byExt[x] == e {
			if len(more) == 0 {
				delete(s.byExt, x)
				return
			}
			s.byExt[x], more = more[0], more[1:]
		} else {
			more = slices.DeleteFunc(slices.Clone(more), func(o *entry) bool { return o == e })
		}
		if len(more) == 0 {
			delete(s.extMore, x)
		} else {
			s.extMore[x] = more
		}
	}
}
