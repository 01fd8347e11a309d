package memory

import (
	"context"
	"time"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/quickpatch"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// quickPatch applies ops that only set simple values (quickpatch.Sets) by
// writing them into resource id's JSON (document.Spanner.SetValues),
// neither decoding nor encoding the resource: the PATCH Entra ID sends
// when a user's title changes, or Okta's deactivation. It returns the
// state the PATCH left, or ok false, having done nothing, when ops are of
// another kind (then part.patch applies them the general way, which
// answers as this does for these). Like write, it prepares the JSON
// before taking the lock and tries again when another write came first.
func (s *part) quickPatch(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts patch.Options) (st *state, ok bool, err error) {
	sets, ok := quickpatch.Sets(s.rt, ops, opts)
	if !ok {
		return nil, false, nil
	}
	now := s.now()
	for try := 0; try < maxOptimistic; try++ {
		if err := ctx.Err(); err != nil {
			return nil, true, err
		}
		e, cur, found := s.current(id)
		if !found {
			return nil, true, store.ErrNotFound
		}
		if ifVersion != "" && cur.version() != ifVersion {
			return nil, true, store.ErrVersionMismatch
		}
		bp := encBufs.Get().(*[]byte)
		meta := schema.Meta{ResourceType: s.rt.Name, Created: cur.created, LastModified: now}
		old := s.encoded(cur)
		enc, changed, ok := s.spanner.SetValues((*bp)[:0], s.rt, &old, sets, meta)
		*bp = enc[:0]
		if !ok || !changed {
			encBufs.Put(bp)
			return cur, ok, nil
		}
		s.mu.Lock()
		stored := !e.deleted && e.st == cur
		if stored {
			err = s.updateJSON(e, enc, now)
			st = e.st
		}
		s.mu.Unlock()
		encBufs.Put(bp)
		if stored {
			return st, true, err
		}
	}
	return nil, false, nil // lost every race: the general path works under the lock
}

// updateJSON makes enc, JSON that leaves the unique attributes, the
// externalId and the values kept beside the JSON as they are, the stored
// state of e, with a new version. It needs the write lock.
func (s *part) updateJSON(e *entry, enc []byte, now time.Time) error {
	uniq, err := s.uniqueValues(e.st) // the same before and after
	if err != nil {
		return err
	}
	if err := s.unindex(e, uniq); err != nil {
		return err
	}
	s.version++
	old := e.st
	e.st = s.keepJSON(enc, old.id(), old.ext(), old.besides(), s.version, old.created, now)
	// Key the entry and its index entries by the new state's strings, so
	// that they do not keep the old JSON alive.
	delete(s.byID, old.id())
	s.byID[e.st.id()] = e
	e.mem = nil
	s.index(e, uniq)
	return nil
}

// uniqueValues returns a resource holding st's unique values, for unindex
// and index: read from the JSON (document.TopString) where they are
// top-level strings, decoded otherwise; nil when there are none.
func (s *part) uniqueValues(st *state) (*schema.Resource, error) {
	if len(s.unique) == 0 {
		return nil, nil
	}
	e := s.encoded(st)
	attrs := make(map[string]any, len(s.unique))
	for _, idx := range s.unique {
		if idx.ext != "" || idx.attr.MultiValued || idx.attr.Type != schema.String {
			return s.resourceFor(st, s.uniques)
		}
		v, found, ok := document.TopString(s.rt, &e, idx.attr)
		if !ok {
			return s.resourceFor(st, s.uniques)
		}
		if found {
			attrs[idx.attr.Name] = v
		}
	}
	return &schema.Resource{Attributes: attrs}, nil
}
