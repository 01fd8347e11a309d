package memory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/quickpatch"
	"github.com/scimkit/scimkit/internal/valuekey"
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
	old := e.st
	keys, fromJSON := s.uniqueKeys(old)
	var uniq *schema.Resource // without keys from the JSON: the unique values, decoded
	if fromJSON {
		s.unindexExt(e)
	} else {
		var err error
		if uniq, err = s.resourceFor(old, s.uniques); err != nil {
			return err
		}
		if err := s.unindex(e, uniq); err != nil {
			return err
		}
	}
	s.version++
	e.st = s.keepJSON(enc, old.id(), old.ext(), old.besides(), s.version, old.created, now)
	delete(s.byID, old.id())
	s.byID[e.st.id()] = e
	e.mem = nil
	if !fromJSON {
		s.index(e, uniq)
		return nil
	}
	// Keyed by the new state's strings, so that the keys do not keep the
	// old JSON alive.
	for i, k := range keys {
		if idx := s.unique[i]; k != "" && idx.keys[k] == e {
			delete(idx.keys, k)
			idx.keys[within(e.st.enc(), k)] = e
		}
	}
	s.indexExt(e)
	return nil
}

// uniqueKeys returns st's keys in the unique indexes, in s.unique's order
// ("" for none), read from the JSON (document.TopString) when every
// unique attribute is a top-level string; ok is false otherwise.
func (s *part) uniqueKeys(st *state) (keys []string, ok bool) {
	if len(s.unique) == 0 {
		return nil, true
	}
	if !s.keysInJSON() {
		return nil, false
	}
	e := s.encoded(st)
	keys = make([]string, len(s.unique))
	for i, idx := range s.unique {
		v, found, ok := document.TopString(s.rt, &e, idx.attr)
		if !ok {
			return nil, false
		}
		if found {
			keys[i] = valuekey.Of(idx.attr.CaseExact, v)
		}
	}
	return keys, true
}

// createJSON stores the resource c describes as create stores the
// resource its body decodes to, from the JSON c writes, neither decoding
// nor encoding it (the POST Entra ID sends). It declines
// (errors.ErrUnsupported) for a resource type with reference lists, whose
// states keep them beside the JSON, or with a unique attribute it cannot
// read off the JSON (uniqueKeys).
func (s *part) createJSON(ctx context.Context, c *document.Creation) (document.Encoded, error) {
	if s.lists > 0 {
		return document.Encoded{}, errLists
	}
	if !s.keysInJSON() {
		return document.Encoded{}, errUniqueKeys
	}
	if err := ctx.Err(); err != nil {
		return document.Encoded{}, err
	}
	now := s.now()
	meta := schema.Meta{ResourceType: s.rt.Name, Created: now, LastModified: now}
	bp := encBufs.Get().(*[]byte)
	defer encBufs.Put(bp)
	// The state is made but for its version before the lock is taken, for
	// the store's own random ids; the host's NewID is called under it.
	var b strings.Builder
	var st *state
	var keys []string
	prepare := func(id string) error {
		*bp = c.Append((*bp)[:0], id, meta)
		b.Reset()
		st = s.stateOf(&b, *bp, id, c.ExternalID, nil, now, now)
		var ok bool
		if keys, ok = s.uniqueKeys(st); !ok {
			return errUniqueKeys
		}
		return nil
	}
	var id string
	if s.safeIDs {
		id = s.newID()
		if err := prepare(id); err != nil {
			return document.Encoded{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.free(id) {
		id = s.newID()
		if !s.free(id) {
			return document.Encoded{}, errIDInUse(id)
		}
		if err := prepare(id); err != nil {
			return document.Encoded{}, err
		}
	}
	for i, k := range keys {
		if idx := s.unique[i]; k != "" {
			if _, held := idx.keys[k]; held {
				return document.Encoded{}, &store.ConflictError{Attribute: idx.attr.Name}
			}
		}
	}
	st.seal(&b, s.version+1)
	s.version++
	e := &entry{st: st}
	s.add(e)
	for i, k := range keys {
		if k != "" {
			s.unique[i].keys[within(st.enc(), k)] = e
		}
	}
	s.indexExt(e)
	return s.encoded(st), nil
}

// errUniqueKeys declines a createJSON whose unique values uniqueKeys
// cannot read.
var errUniqueKeys = fmt.Errorf("memory: a unique attribute is not a top-level string: %w", errors.ErrUnsupported)

// keysInJSON reports whether uniqueKeys reads every state's keys off its
// JSON: every unique attribute is a single-valued string of the core
// schema.
func (s *part) keysInJSON() bool {
	for _, idx := range s.unique {
		if idx.ext != "" || idx.attr.MultiValued || idx.attr.Type != schema.String {
			return false
		}
	}
	return true
}
