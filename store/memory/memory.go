// Package memory is an in-memory store.Store: the default store of the
// example server and a ready-made store for a host's tests.
//
// It is safe for concurrent use, and keeps each resource in one of two
// forms:
//
//   - Compact, for every resource type without a member list (users and
//     most custom types): the resource's JSON as document.AppendJSON writes
//     it with the default projection, one string per resource, with the
//     few values that JSON leaves out (such as a password) beside it. The
//     handler reads it (through Fastpath), so it answers reads with
//     that JSON without decoding or encoding anything. A typical
//     Entra-shaped user takes about 1.1 KB and 3 heap objects. Get and
//     Search decode what they return (a new Resource each call), and a
//     search that no index answers decodes, for each resource, the
//     attributes its filter reads. Create and Replace store a resource as
//     its JSON reads back: canonical values, no attributes the schema does
//     not define; a value of the wrong type is refused.
//   - Map form, for types with a "members" attribute (groups): the
//     Resource itself, so that adding one member to a group of 100,000
//     writes one member. Resources are never changed once stored (a write
//     stores a new version that shares the values it did not change), and
//     Get returns them without copying, so callers must treat them as
//     read-only. It copies every resource it is given, unless the handler
//     hands it over through Fastpath.
//
// It enforces uniqueness (RFC 7643 §7: server and global) atomically, case-
// insensitively unless the attribute is caseExact, and keeps indexes on id,
// externalId and every unique attribute, so that `userName eq "x"` and
// `externalId eq "x"` cost the same with a million resources as with ten.
// It implements store.Searcher (other filters scan the resources in
// memory) and store.Patcher.
//
// Limits: everything lives in the process's memory and is lost when it
// exits; uniqueness and indexes cover top-level attributes (core and
// extension), not sub-attributes; a search without an indexed equality
// reads every resource, which is fine for tens of thousands of resources
// and slow for millions (about 4 µs per compact user on a small VM).
package memory

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/clone"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/fastpath"
	"github.com/scimkit/scimkit/internal/topk"
	"github.com/scimkit/scimkit/internal/valuekey"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// Options holds a Store's optional settings. The zero value gives the
// defaults.
type Options struct {
	// Now returns the time written to meta.created and meta.lastModified;
	// nil means time.Now. Tests inject a fixed clock to keep output stable.
	Now func() time.Time
	// NewID returns a new resource id; nil means a random UUID (version 4).
	// It must not return an id in use.
	NewID func() string
}

// Store is an in-memory store for one resource type. It keeps each
// tenant's resources (store.Tenant of the context) in a partition of its
// own: ids, versions, uniqueness and searches never cross tenants.
type Store struct {
	tmpl  part // the settings every new partition copies
	mu    sync.RWMutex
	parts map[string]*part // by tenant
}

// part holds the resources of one tenant.
type part struct {
	shared  *interner // values shared by all partitions
	rt      *schema.ResourceType
	members *schema.Attribute // a Group's "members": patched by value, kept in map form
	hide    []hiddenAttr      // compact form: attributes the JSON does not hold in full
	now     func() time.Time
	newID   func() string
	safeIDs bool // newID is store.NewID, safe to call without the lock

	mu      sync.RWMutex
	byID    map[string]*entry
	byExt   map[string]*entry   // externalId (caseExact) -> the first resource with it
	extMore map[string][]*entry // externalId -> the others, rarely any
	unique  []*uniqueIndex
	uniques *document.Projection // the unique attributes, which unindex reads
	version uint64
	sorted  []*entry // every resource, by id once tidy
	untidy  bool     // sorted needs sorting
	removed int      // deleted entries still in sorted
	buf     []byte   // the encoder's buffer, under the write lock
}

// entry is one stored resource. Its state is replaced, never changed, on
// writes, so a reader that took it under the read lock may use it after.
type entry struct {
	st      *state
	deleted bool
	mem     *memberList // map form: built by the first PATCH of members by value
}

// state is one version of a stored resource, in one of two forms. The
// compact form keeps the resource's JSON (see fastpath.Store): one
// string the garbage collector does not scan instead of a map per complex
// value, which a read writes out without decoding. The map form keeps the
// Resource; it is kept for types with a member list, so that adding one
// member to a large group does not write all the others.
type state struct {
	blob              string // compact form: the JSON, then the version; map form: the version
	jsonLen           int32  // compact form: the JSON's length in blob; -1 in map form
	idAt, idLen       int32  // where blob holds the id, or -1
	extAt, extLen     int32  // where blob holds the externalId, or -1
	created, modified time.Time
	x                 *stateExtra // what a typical compact state needs not, or nil
}

// stateExtra holds what a state needs only in map form or unusually: the
// collector has one pointer to follow in a typical compact state, into
// its own JSON.
type stateExtra struct {
	id, ext string           // when blob does not hold them
	hidden  map[string]any   // compact form: the values the JSON leaves out (see part.hide)
	r       *schema.Resource // map form
}

func (st *state) id() string {
	if st.idAt >= 0 {
		return st.blob[st.idAt : st.idAt+st.idLen]
	}
	return st.x.id
}

func (st *state) ext() string {
	switch {
	case st.extAt >= 0:
		return st.blob[st.extAt : st.extAt+st.extLen]
	case st.x != nil:
		return st.x.ext
	}
	return ""
}

func (st *state) version() string {
	if st.jsonLen < 0 {
		return st.blob
	}
	return st.blob[st.jsonLen:]
}

// enc returns the JSON of a compact state (as document.Encoded.JSON).
func (st *state) enc() string {
	if st.jsonLen < 0 {
		return ""
	}
	return st.blob[:st.jsonLen]
}

// res returns the resource of a state in map form, or nil.
func (st *state) res() *schema.Resource {
	if st.x == nil {
		return nil
	}
	return st.x.r
}

// hidden returns the values a compact state's JSON leaves out, or nil.
func (st *state) hidden() map[string]any {
	if st.x == nil {
		return nil
	}
	return st.x.hidden
}

// hiddenAttr is a top-level attribute that the default projection does not
// write in full (such as "password", returned "never"): the compact form
// keeps its values beside the JSON.
type hiddenAttr struct {
	ext  string // the extension URN, "" for the core schema
	attr *schema.Attribute
}

// memberList indexes the member attribute of an entry's resource: the
// resource's slice is buf[:len(buf):len(buf)], handed out clipped, so the
// store alone appends into buf's spare capacity and readers never see it.
type memberList struct {
	buf []any
	pos map[string]int // value -> index in buf
}

// uniqueIndex maps the fold keys of a unique attribute's values to the
// resource holding them.
type uniqueIndex struct {
	ext  string // the extension URN, "" for the core schema
	attr *schema.Attribute
	keys map[string]*entry
}

var (
	_ store.Store       = (*Store)(nil)
	_ store.Searcher    = (*Store)(nil)
	_ store.Patcher     = (*Store)(nil)
	_ fastpath.Provider = (*Store)(nil)
)

// errMapForm declines JSON reads of a type kept in map form.
var errMapForm = fmt.Errorf("memory: resources with a member list are kept decoded: %w", errors.ErrUnsupported)

// New returns an empty store for resource type rt. The zero Options give
// the defaults.
func New(rt *schema.ResourceType, opts Options) *Store {
	s := &Store{tmpl: part{shared: &interner{}, rt: rt, now: opts.Now, newID: opts.NewID}, parts: map[string]*part{}}
	if s.tmpl.now == nil {
		s.tmpl.now = time.Now
	}
	if s.tmpl.newID == nil {
		s.tmpl.newID, s.tmpl.safeIDs = store.NewID, true
	}
	if m := rt.Schema.Attribute("members"); m != nil && m.MultiValued && m.Type == schema.Complex && m.SubAttribute("value") != nil {
		s.tmpl.members = m
	}
	hide := func(ext string, attrs []*schema.Attribute) {
		for _, a := range attrs {
			if !writtenInFull(a) {
				s.tmpl.hide = append(s.tmpl.hide, hiddenAttr{ext, a})
			}
		}
	}
	hide("", rt.Schema.Attributes)
	for _, e := range rt.Extensions {
		hide(e.Schema.ID, e.Schema.Attributes)
	}
	return s
}

// writtenInFull reports whether the default projection writes every value
// of a, sub-attributes included.
func writtenInFull(a *schema.Attribute) bool {
	var def *document.Projection
	if !def.Includes(nil, nil, a) {
		return false
	}
	for _, sub := range a.SubAttributes {
		if !def.Includes(nil, a, sub) {
			return false
		}
	}
	return true
}

// part returns the partition of ctx's tenant, making it on first use.
func (s *Store) part(ctx context.Context) *part {
	tenant := store.Tenant(ctx)
	s.mu.RLock()
	p := s.parts[tenant]
	s.mu.RUnlock()
	if p != nil {
		return p
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p = s.parts[tenant]; p == nil {
		p = &part{shared: s.tmpl.shared, rt: s.tmpl.rt, members: s.tmpl.members, hide: s.tmpl.hide, now: s.tmpl.now, newID: s.tmpl.newID, safeIDs: s.tmpl.safeIDs,
			byID: map[string]*entry{}, byExt: map[string]*entry{}, extMore: map[string][]*entry{}}
		add := func(ext string, attrs []*schema.Attribute) {
			for _, a := range attrs {
				if a.Unique() && a.Type != schema.Complex {
					p.unique = append(p.unique, &uniqueIndex{ext: ext, attr: a, keys: map[string]*entry{}})
				}
			}
		}
		add("", p.rt.Schema.Attributes)
		for _, e := range p.rt.Extensions {
			add(e.Schema.ID, e.Schema.Attributes)
		}
		p.uniques = p.uniqueProjection()
		s.parts[tenant] = p
	}
	return p
}

// Len returns how many resources the store holds, for all tenants.
func (s *Store) Len() int {
	s.mu.Lock()
	parts := slices.Collect(maps.Values(s.parts))
	s.mu.Unlock()
	n := 0
	for _, p := range parts {
		p.mu.RLock()
		n += len(p.byID)
		p.mu.RUnlock()
	}
	return n
}

// Create implements store.Store.
func (s *Store) Create(ctx context.Context, r *schema.Resource) (*schema.Resource, error) {
	p := s.part(ctx)
	c, err := p.own(r)
	if err != nil {
		return nil, err
	}
	return p.create(ctx, c)
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, id string) (*schema.Resource, error) {
	return s.part(ctx).Get(ctx, id)
}

// Replace implements store.Store.
func (s *Store) Replace(ctx context.Context, r *schema.Resource, ifVersion string) (*schema.Resource, error) {
	p := s.part(ctx)
	c, err := p.own(r)
	if err != nil {
		return nil, err
	}
	return p.replace(ctx, c, ifVersion)
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, id, ifVersion string) error {
	return s.part(ctx).Delete(ctx, id, ifVersion)
}

// Patch implements store.Patcher. Concurrent PATCHes of one resource never
// fail on each other's versions and never lose a write. In map form the
// operations are applied under the partition's lock; patch.Apply copies
// only what it changes, so the new version shares the values it did not
// change with the old one, and members named by value are patched without
// reading the others (patch.ValuesTouched). In compact form the resource
// is decoded, patched and encoded before the lock is taken, and all of it
// is done again if another write came first.
func (s *Store) Patch(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts store.PatchOptions) (*schema.Resource, error) {
	return s.part(ctx).Patch(ctx, id, ops, ifVersion, opts.Options)
}

// Scan implements store.Store. It yields the tenant's resources as they
// were when Scan started, in id order.
func (s *Store) Scan(ctx context.Context) iter.Seq2[*schema.Resource, error] {
	return s.part(ctx).Scan(ctx)
}

// Search implements store.Searcher. An equality on id, externalId or a
// unique attribute (also inside "and", and on both sides of "or") is
// answered from an index; other filters read every resource of the
// tenant.
func (s *Store) Search(ctx context.Context, q *store.Query) (*store.Page, error) {
	return s.part(ctx).Search(ctx, q)
}

// Fastpath is for scimkit's handler, which reads resources through it as
// the JSON the store keeps and hands it request bodies without a copy; a
// host has no use for it.
func (s *Store) Fastpath() fastpath.Store { return (*fast)(s) }

// fast is the store's fast paths (fastpath.Store).
type fast Store

// GetJSON declines (errors.ErrUnsupported) for resource types with a
// member list, which the store keeps decoded.
func (f *fast) GetJSON(ctx context.Context, id string) (document.Encoded, error) {
	return (*Store)(f).part(ctx).GetJSON(ctx, id)
}

// SearchJSON declines (errors.ErrUnsupported) for resource types with a
// member list, which the store keeps decoded.
func (f *fast) SearchJSON(ctx context.Context, q *store.Query) ([]document.Encoded, int, error) {
	return (*Store)(f).part(ctx).SearchJSON(ctx, q)
}

// CreateAdopted is Create without copying r.
func (f *fast) CreateAdopted(ctx context.Context, r *schema.Resource) (*schema.Resource, error) {
	return (*Store)(f).part(ctx).create(ctx, adopt(r))
}

// ReplaceAdopted is Replace without copying r.
func (f *fast) ReplaceAdopted(ctx context.Context, r *schema.Resource, ifVersion string) (*schema.Resource, error) {
	return (*Store)(f).part(ctx).replace(ctx, adopt(r), ifVersion)
}

// compact reports whether the partition keeps its resources as JSON.
func (s *part) compact() bool { return s.members == nil }

// own returns a resource equal to r for the store to keep. In map form it
// is a deep copy; in compact form it is r as its JSON reads back, so that
// what a write returns is what reads will return: attributes that the
// schema does not define are dropped, values are canonical, and a value of
// the wrong type is refused.
func (s *part) own(r *schema.Resource) (*schema.Resource, error) {
	if !s.compact() {
		return adopt(r.Clone()), nil
	}
	v := *r
	v.ID, v.Meta = "", schema.Meta{}
	c, err := document.Decode(s.rt, document.AppendJSON(nil, s.rt, &v, nil), document.DecodeOptions{KeepEmptyStrings: true})
	if err != nil {
		return nil, fmt.Errorf("memory: the %s cannot be stored as JSON: %w", s.rt.Name, err)
	}
	c.ID = r.ID
	mergeHidden(c.Attributes, s.hiddenOf(r.Attributes))
	return c, nil
}

// adopt returns r, handed over to the store, ready to keep.
func adopt(r *schema.Resource) *schema.Resource {
	if r.Attributes == nil {
		r.Attributes = map[string]any{}
	}
	return r
}

// keep returns the state that stores c, which the store owns, as resource
// id at version: c itself in map form, its JSON in compact form. It sets
// c's id and meta, for the caller to return c. It needs the write lock.
// pre, when not nil, is s.encode's JSON for c, id, created and modified,
// made before taking the lock; keep may append to it.
//
// In compact form the JSON, the version and, where the JSON holds them,
// the id and externalId share one string: one object, which the garbage
// collector does not scan, per stored version.
func (s *part) keep(c *schema.Resource, id string, version uint64, created, modified time.Time, pre []byte) *state {
	st := &state{idAt: -1, extAt: -1, created: created, modified: modified}
	if !s.compact() {
		st.blob, st.jsonLen = strconv.FormatUint(version, 10), -1
		st.x = &stateExtra{id: id, ext: c.ExternalID, r: c}
		c.ID, c.Meta = id, st.meta(s.rt)
		return st
	}
	if pre == nil {
		s.buf = s.encode(s.buf[:0], c, id, created, modified)
		pre = s.buf
	}
	n := len(pre)
	st.blob = string(strconv.AppendUint(pre, version, 10))
	st.jsonLen = int32(n)
	var x stateExtra
	if i := offset(st.blob[:n], id); i >= 0 {
		st.idAt, st.idLen = int32(i), int32(len(id))
	} else {
		x.id = id
	}
	if i := offset(st.blob[:n], c.ExternalID); i >= 0 {
		st.extAt, st.extLen = int32(i), int32(len(c.ExternalID))
	} else {
		x.ext = c.ExternalID
	}
	x.hidden = s.hiddenOf(c.Attributes)
	if x.id != "" || x.ext != "" || x.hidden != nil {
		st.x = &x
	}
	c.ID, c.Meta = id, st.meta(s.rt)
	return st
}

// encode appends to b the compact form's JSON of c as resource id, with
// meta's resourceType and times.
func (s *part) encode(b []byte, c *schema.Resource, id string, created, modified time.Time) []byte {
	kept := schema.Resource{ID: id, ExternalID: c.ExternalID, Attributes: c.Attributes,
		Meta: schema.Meta{ResourceType: s.rt.Name, Created: created, LastModified: modified}}
	return document.AppendJSON(b, s.rt, &kept, nil)
}

// encBufs holds buffers for encoding outside the lock.
var encBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// maxOptimistic bounds how often a write prepared outside the lock is
// prepared again because another write came first; then it is done under
// the lock.
const maxOptimistic = 4

// within returns a string equal to v that shares enc's memory when enc
// holds v's bytes, so that index keys cost no memory of their own.
func within(enc, v string) string {
	if i := offset(enc, v); i >= 0 {
		return enc[i : i+len(v)]
	}
	return v
}

// offset returns where enc holds the bytes of v, or -1 when it does not
// or v is empty.
func offset(enc, v string) int {
	if v == "" {
		return -1
	}
	return strings.Index(enc, v)
}

// meta returns the state's meta for resource type rt.
func (st *state) meta(rt *schema.ResourceType) schema.Meta {
	return schema.Meta{ResourceType: rt.Name, Created: st.created, LastModified: st.modified, Version: st.version()}
}

// resource returns the resource st keeps: the stored one in map form, a
// new one decoded from its JSON in compact form.
func (s *part) resource(st *state) (*schema.Resource, error) {
	return s.resourceFor(st, nil)
}

// resourceFor is resource for a reader that needs only the attributes
// projection p writes (nil: all of them): in compact form, only those are
// decoded, with every value the JSON leaves out.
func (s *part) resourceFor(st *state, p *document.Projection) (*schema.Resource, error) {
	if r := st.res(); r != nil {
		return r, nil
	}
	e := s.encoded(st)
	r, err := document.DecodeEncoded(s.rt, &e, p)
	if err != nil { // the store wrote enc: never expected
		return nil, fmt.Errorf("memory: stored %s %s does not decode: %w", s.rt.Name, st.id(), err)
	}
	mergeHidden(r.Attributes, st.hidden())
	return r, nil
}

// filterNeeds returns a projection of the top-level attributes filter f
// reads, for resourceFor: a superset, since names inside value filters are
// taken as top-level names too.
func (s *part) filterNeeds(f *filter.Matcher) *document.Projection {
	var names []string
	all := false
	add := func(p filter.Path) {
		all = all || p.URN == "" && strings.EqualFold(p.Name, "schemas") // reads every extension
		if p.URN != "" {
			names = append(names, p.URN+":"+p.Name)
		} else {
			names = append(names, p.Name)
		}
	}
	filter.Walk(f.Expr(), func(e filter.Expr) bool {
		switch e := e.(type) {
		case *filter.Compare:
			add(e.Path)
		case *filter.ValuePath:
			add(e.Path)
		}
		return true
	})
	if len(names) == 0 || all {
		return nil
	}
	return document.NewProjection(s.rt, names, nil)
}

// encoded returns st as fastpath.Store hands it out.
func (s *part) encoded(st *state) document.Encoded {
	return document.Encoded{ID: st.id(), Meta: st.meta(s.rt), JSON: st.enc()}
}

// hiddenOf returns copies of the values of attrs that the compact form's
// JSON does not hold in full (see part.hide), laid out as attrs, or nil.
func (s *part) hiddenOf(attrs map[string]any) map[string]any {
	var out map[string]any
	for _, h := range s.hide {
		m := attrs
		if h.ext != "" {
			m, _ = attrs[h.ext].(map[string]any)
		}
		v, ok := m[h.attr.Name]
		if !ok {
			continue
		}
		if out == nil {
			out = map[string]any{}
		}
		if h.ext == "" {
			out[h.attr.Name] = clone.Value(v)
			continue
		}
		em, _ := out[h.ext].(map[string]any)
		if em == nil {
			em = map[string]any{}
			out[h.ext] = em
		}
		em[h.attr.Name] = clone.Value(v)
	}
	return out
}

// mergeHidden puts the values hiddenOf kept back into attrs, which the
// caller owns; extension maps are copied, hidden values shared.
func mergeHidden(attrs, hidden map[string]any) {
	for k, v := range hidden {
		hm, isExt := v.(map[string]any)
		if !isExt || !strings.HasPrefix(k, "urn:") {
			attrs[k] = v
			continue
		}
		em, _ := attrs[k].(map[string]any)
		em = maps.Clone(em)
		if em == nil {
			em = map[string]any{}
		}
		maps.Copy(em, hm)
		attrs[k] = em
	}
}

// create stores c, which the store owns. In compact form with random ids,
// it encodes c before taking the lock.
func (s *part) create(ctx context.Context, c *schema.Resource) (*schema.Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !s.compact() {
		s.shared.intern(s.rt, c.Attributes)
	}
	now := s.now()
	var id string
	var pre []byte
	if s.compact() && s.safeIDs {
		bp := encBufs.Get().(*[]byte)
		defer encBufs.Put(bp)
		id = s.newID()
		*bp = s.encode((*bp)[:0], c, id, now, now)
		pre = *bp
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.byID[id]; taken || id == "" {
		// No id yet (NewID is the host's, called under the lock), or the
		// random one made before the lock is taken.
		id, pre = s.newID(), nil
		if _, taken := s.byID[id]; taken || id == "" {
			return nil, fmt.Errorf("memory: NewID returned %q, which is empty or in use", id)
		}
	}
	if err := s.checkUnique(c, nil); err != nil {
		return nil, err
	}
	s.version++
	e := &entry{st: s.keep(c, id, s.version, now, now, pre)}
	s.byID[e.st.id()] = e
	s.index(e, c)
	if n := len(s.sorted); n > 0 && s.sorted[n-1].st.id() > id {
		s.untidy = true
	}
	s.sorted = append(s.sorted, e)
	return c, nil
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

// Get implements store.Store.
func (s *part) Get(ctx context.Context, id string) (*schema.Resource, error) {
	st, err := s.state(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.resource(st) // states are never changed: no lock, no copy
}

// GetJSON implements fastpath.Store.
func (s *part) GetJSON(ctx context.Context, id string) (document.Encoded, error) {
	if !s.compact() {
		return document.Encoded{}, errMapForm
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
	if !s.compact() {
		s.shared.intern(s.rt, c.Attributes)
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

// uniqueProjection returns a projection of the unique attributes, with
// which a compact state is decoded only as far as unindex reads it.
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

// write stores a new version of resource id, which prepare makes from the
// current state: it returns the current resource (at least its unique
// attributes, for unindex) and the next one, which the store then owns, or
// nil for no change; write returns both. prepare runs (and in compact form
// the next version is encoded) before the lock is taken, so that a long
// PATCH never holds up other requests; if another write came first, write
// prepares again, and only after maxOptimistic lost races does it prepare
// under the lock.
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
		var pre []byte
		if s.compact() {
			*bp = s.encode((*bp)[:0], next, st.id(), st.created, now)
			pre = *bp
		}
		s.mu.Lock()
		stored := !e.deleted && e.st == st
		if stored {
			err = s.update(e, next, cur, now, pre)
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
	if err := s.checkUnique(next, e); err != nil {
		return err
	}
	if err := s.unindex(e, cur); err != nil {
		return err
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
	return nil
}

// Delete implements store.Store.
func (s *part) Delete(ctx context.Context, id, ifVersion string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.at(id, ifVersion)
	if err != nil {
		return err
	}
	if err := s.unindex(e, nil); err != nil {
		return err
	}
	delete(s.byID, id)
	e.deleted = true
	s.removed++
	return nil
}

// Patch implements store.Patcher (see Store.Patch).
func (s *part) Patch(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts patch.Options) (*schema.Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	if s.members != nil {
		if values, ok := patch.ValuesTouched(s.rt, s.members, ops); ok {
			if res, done, err := s.patchMembers(ctx, id, ifVersion, values, ops, opts, now); done {
				return res, err
			}
		}
	}
	// Patch outside the lock (see write); compact states are decoded first.
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

// Scan implements store.Store. It yields the resources as they were when
// Scan started, in id order.
func (s *part) Scan(ctx context.Context) iter.Seq2[*schema.Resource, error] {
	return func(yield func(*schema.Resource, error) bool) {
		s.mu.Lock()
		s.tidy()
		snapshot := make([]*state, len(s.sorted))
		for i, e := range s.sorted {
			snapshot[i] = e.st
		}
		s.mu.Unlock()
		for _, st := range snapshot {
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
}

// Search implements store.Searcher.
func (s *part) Search(ctx context.Context, q *store.Query) (*store.Page, error) {
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

// SearchJSON implements fastpath.Store.
func (s *part) SearchJSON(ctx context.Context, q *store.Query) ([]document.Encoded, int, error) {
	if !s.compact() {
		return nil, 0, errMapForm
	}
	hits, total, err := s.find(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	out := make([]document.Encoded, len(hits))
	for i, h := range hits {
		out[i] = s.encoded(h.st)
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
	// Without a sort, a compact resource is decoded only as far as the
	// filter reads it.
	var needs *document.Projection
	if sort == nil && read && s.compact() {
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
		if e.Op != filter.Eq || !ok || e.Path.Filter != nil || e.Path.Sub != "" {
			return nil, false, false
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
	if x := e.st.ext(); x != "" {
		more := s.extMore[x]
		if s.byExt[x] == e {
			if len(more) == 0 {
				delete(s.byExt, x)
				return nil
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
	return nil
}

// memberList returns e's member index, building it, or nil when two
// members share a value (then only a whole-group PATCH is exact). It needs
// the write lock.
func (s *part) memberList(e *entry) *memberList {
	if e.mem != nil {
		return e.mem
	}
	cur, _ := e.st.res().Attributes[s.members.Name].([]any)
	pos := make(map[string]int, len(cur))
	for i, m := range cur {
		v, _ := m.(map[string]any)["value"].(string)
		if _, dup := pos[v]; dup {
			return nil
		}
		pos[v] = i
	}
	e.mem = &memberList{buf: cur, pos: pos}
	return e.mem
}

// patchMembers applies ops that touch the members only by value (see
// patch.ValuesTouched) to a copy of e's resource holding just those
// members, then merges the result: an added member is appended in place,
// so adding one member costs the same in a group of ten or of a million.
// Removing or changing members rebuilds the list. It works under the
// write lock, at a cost set by the values named, not by the group's size.
// done is false, and nothing is done, when the group has no member index
// (two members share a value).
func (s *part) patchMembers(ctx context.Context, id, ifVersion string, values []string, ops []patch.Operation, opts patch.Options, now time.Time) (res *schema.Resource, done bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.at(id, ifVersion)
	if err != nil {
		return nil, true, err
	}
	if s.memberList(e) == nil {
		return nil, false, nil
	}
	res, err = s.patchIndexed(ctx, e, values, ops, opts, now)
	return res, true, err
}

// patchIndexed is patchMembers for e, which has a member index. It needs
// the write lock.
func (s *part) patchIndexed(ctx context.Context, e *entry, values []string, ops []patch.Operation, opts patch.Options, now time.Time) (*schema.Resource, error) {
	name, ml := s.members.Name, e.mem
	cur := ml.buf
	before := map[string]any{}
	sparse := *e.st.res()
	sparse.Attributes = maps.Clone(e.st.res().Attributes)
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
		return e.st.res(), nil
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
	rebuild := false
	for v, m := range before {
		if a, ok := after[v]; !ok || !reflect.DeepEqual(a, m) {
			rebuild = true
		}
	}
	var members []any
	var index *memberList
	if !rebuild {
		buf := append(cur, added...) // cur is clipped: the first append reallocates
		members = buf[:len(buf):len(buf)]
		index = &memberList{buf: buf, pos: ml.pos}
	} else {
		members = make([]any, 0, len(cur)+len(added))
		for _, m := range cur {
			v, _ := m.(map[string]any)["value"].(string)
			if _, touched := before[v]; touched {
				if a, ok := after[v]; ok {
					members = append(members, a)
				}
				continue
			}
			members = append(members, m)
		}
		members = append(members, added...)
		members = members[:len(members):len(members)]
	}
	if len(members) > 0 {
		next.Attributes[name] = members
	} else {
		delete(next.Attributes, name)
	}
	if err := s.update(e, next, e.st.res(), now, nil); err != nil {
		return nil, err
	}
	if index != nil {
		for i, m := range added {
			v, _ := m.(map[string]any)["value"].(string)
			index.pos[v] = len(cur) + i
		}
		e.mem = index
	}
	return next, nil
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
