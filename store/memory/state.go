package memory

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/clone"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

// part holds the resources of one tenant.
type part struct {
	rt      *schema.ResourceType
	beside  []besideAttr // attributes kept beside the JSON
	lists   int          // how many of them are reference lists
	now     func() time.Time
	newID   func() string
	safeIDs bool // newID is store.NewID, safe to call without the lock
	spanner *document.Spanner
	soft    bool // Options.SoftDelete

	mu      sync.RWMutex
	byID    map[string]*entry
	byExt   map[string]*entry   // externalId (caseExact) -> the first resource with it
	extMore map[string][]*entry // externalId -> the others, rarely any
	unique  []*uniqueIndex
	refs    []*refIndex          // the core schema's reference lists, by value
	uniques *document.Projection // the unique attributes, which unindex reads
	names   *document.Projection // displayName, which holders reads
	version uint64
	sorted  []*entry          // every resource, by id once tidy
	untidy  bool              // sorted needs sorting
	removed int               // deleted entries still in sorted
	buf     []byte            // the encoder's buffer, under the write lock
	trash   map[string]*state // soft-deleted resources, by id
}

// fresh returns an empty partition with p's settings.
func (p *part) fresh() *part {
	n := &part{rt: p.rt, beside: p.beside, lists: p.lists, now: p.now, newID: p.newID, safeIDs: p.safeIDs, soft: p.soft, spanner: p.spanner,
		byID: map[string]*entry{}, byExt: map[string]*entry{}, extMore: map[string][]*entry{}}
	add := func(ext string, attrs []*schema.Attribute) {
		for _, a := range attrs {
			if a.Unique() && a.Type != schema.Complex {
				n.unique = append(n.unique, &uniqueIndex{ext: ext, attr: a, keys: map[string]*entry{}})
			}
		}
	}
	add("", n.rt.Schema.Attributes)
	for _, e := range n.rt.Extensions {
		add(e.Schema.ID, e.Schema.Attributes)
	}
	for _, b := range n.beside {
		if b.list && b.ext == "" {
			n.refs = append(n.refs, &refIndex{attr: b.attr, caseExact: b.attr.SubAttribute("value").CaseExact, holders: map[string][]*entry{}})
		}
	}
	n.uniques = n.uniqueProjection()
	n.names = document.NewProjection(n.rt, []string{"displayName"}, nil)
	return n
}

// besideAttr is a top-level attribute whose values are kept beside the
// JSON: one the default projection does not write in full (such as
// "password", returned "never"), or a reference list.
type besideAttr struct {
	ext  string // the extension URN, "" for the core schema
	attr *schema.Attribute
	list bool
}

// entry is one stored resource. Its state is replaced, never changed, on
// writes, so a reader that took it under the read lock may use it after.
type entry struct {
	st      *state
	deleted bool
	mem     *memberList // built by the first PATCH of a list's elements by value
}

// state is one version of a stored resource: its JSON (see fastpath.Store),
// one string the garbage collector does not scan instead of a map per
// complex value, which a read writes out without decoding, and the values
// kept beside it.
type state struct {
	blob              string // the JSON, then document.Spans of the JSON, then the version
	jsonLen           int32  // the JSON's length in blob
	versionAt         int32  // where blob holds the version
	idAt, idLen       int32  // where blob holds the id, or -1
	extAt, extLen     int32  // where blob holds the externalId, or -1
	created, modified time.Time
	x                 *stateExtra // what a typical state needs not, or nil
}

// stateExtra holds what a state needs only unusually: the collector has
// one pointer to follow in a typical state, into its own JSON.
type stateExtra struct {
	id, ext string         // when blob does not hold them
	beside  map[string]any // the values kept beside the JSON, laid out as Resource.Attributes
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

func (st *state) version() string { return st.blob[st.versionAt:] }

// spans returns document.Spans of the state's JSON.
func (st *state) spans() string { return st.blob[st.jsonLen:st.versionAt] }

// enc returns the state's JSON (as document.Encoded.JSON).
func (st *state) enc() string { return st.blob[:st.jsonLen] }

// besides returns the values kept beside the JSON, or nil.
func (st *state) besides() map[string]any {
	if st.x == nil {
		return nil
	}
	return st.x.beside
}

// meta returns the state's meta for resource type rt.
func (st *state) meta(rt *schema.ResourceType) schema.Meta {
	return schema.Meta{ResourceType: rt.Name, Created: st.created, LastModified: st.modified, Version: st.version()}
}

// own returns a resource equal to r for the store to keep: r as its JSON
// reads back, so that what a write returns is what reads will return:
// attributes that the schema does not define are dropped, values are
// canonical, and a value of the wrong type is refused.
func (s *part) own(r *schema.Resource) (*schema.Resource, error) {
	v := *r
	v.ID, v.Meta = "", schema.Meta{}
	c, err := document.Decode(s.rt, document.AppendJSON(nil, s.rt, &v, nil), document.DecodeOptions{KeepEmptyStrings: true, ValidUTF8: true}) // AppendJSON writes valid UTF-8
	if err != nil {
		return nil, fmt.Errorf("memory: the %s cannot be stored as JSON: %w", s.rt.Name, err)
	}
	c.ID = r.ID
	merge(c.Attributes, s.besideOf(r.Attributes, false))
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
// id at version. It sets c's id and meta, for the caller to return c. It
// needs the write lock. pre, when not nil, is s.encode's JSON for c, id,
// created and modified, made before taking the lock; keep may append to
// it.
//
// The JSON, the version, the JSON's member spans (document.Spans) and,
// where the JSON holds them, the id and externalId share one string: one
// object, which the garbage collector does not scan, per stored version.
func (s *part) keep(c *schema.Resource, id string, version uint64, created, modified time.Time, pre []byte) *state {
	if pre == nil {
		s.buf = s.encode(s.buf[:0], c, id, created, modified)
		pre = s.buf
	}
	st := s.keepJSON(pre, id, c.ExternalID, s.besideOf(c.Attributes, true), version, created, modified)
	c.ID, c.Meta = id, st.meta(s.rt)
	return st
}

// keepJSON is keep for a resource whose JSON is enc, with its externalId
// and the values kept beside the JSON.
func (s *part) keepJSON(enc []byte, id, ext string, beside map[string]any, version uint64, created, modified time.Time) *state {
	var b strings.Builder
	st := s.stateOf(&b, enc, id, ext, beside, created, modified)
	st.seal(&b, version)
	return st
}

// stateOf is keepJSON but for the version, which seal adds: it needs no
// lock, so that a write prepares its state before taking the lock. The
// blob is built in b (empty) in one allocation, with room for the
// version: the JSON, then the spans, read from the builder's JSON.
func (s *part) stateOf(b *strings.Builder, enc []byte, id, ext string, beside map[string]any, created, modified time.Time) *state {
	st := &state{idAt: -1, extAt: -1, created: created, modified: modified}
	b.Grow(len(enc) + s.spanner.MaxSpans() + maxVersionLen)
	b.Write(enc)
	json := b.String()
	var buf [192]byte
	b.Write(s.spanner.AppendSpans(buf[:0], json))
	st.jsonLen = int32(len(enc))
	var x stateExtra
	if i := offset(json, id); i >= 0 {
		st.idAt, st.idLen = int32(i), int32(len(id))
	} else {
		x.id = id
	}
	if i := offset(json, ext); i >= 0 {
		st.extAt, st.extLen = int32(i), int32(len(ext))
	} else {
		x.ext = ext
	}
	x.beside = beside
	if x.id != "" || x.ext != "" || x.beside != nil {
		st.x = &x
	}
	st.blob, st.versionAt = b.String(), int32(b.Len()) // no version yet
	return st
}

// maxVersionLen is the most digits a version has.
const maxVersionLen = 20

// seal ends st's blob, which b holds from stateOf, with version.
func (st *state) seal(b *strings.Builder, version uint64) {
	var digits [maxVersionLen]byte
	b.Write(strconv.AppendUint(digits[:0], version, 10)) // within the room stateOf made: no copy
	st.blob = b.String()
}

// encode appends to b the JSON kept for c as resource id, with meta's
// resourceType and times: what the default projection writes, without the
// reference lists.
func (s *part) encode(b []byte, c *schema.Resource, id string, created, modified time.Time) []byte {
	kept := schema.Resource{ID: id, ExternalID: c.ExternalID, Attributes: c.Attributes,
		Meta: schema.Meta{ResourceType: s.rt.Name, Created: created, LastModified: modified}}
	if s.lists > 0 {
		kept.Attributes = s.withoutLists(c.Attributes)
	}
	return document.AppendJSON(b, s.rt, &kept, nil)
}

// withoutLists returns attrs without the reference lists, sharing the
// rest.
func (s *part) withoutLists(attrs map[string]any) map[string]any {
	out := maps.Clone(attrs)
	for _, b := range s.beside {
		if !b.list {
			continue
		}
		if b.ext == "" {
			delete(out, b.attr.Name)
			continue
		}
		if em, ok := out[b.ext].(map[string]any); ok {
			em = maps.Clone(em)
			delete(em, b.attr.Name)
			out[b.ext] = em
		}
	}
	return out
}

// besideOf returns the values of attrs kept beside the JSON, laid out as
// attrs, or nil: copies of those the default projection does not write in
// full, and, with lists, the reference lists themselves (clipped, so that
// only the store appends to what it keeps).
func (s *part) besideOf(attrs map[string]any, lists bool) map[string]any {
	var out map[string]any
	for _, b := range s.beside {
		if b.list && !lists {
			continue
		}
		m := attrs
		if b.ext != "" {
			m, _ = attrs[b.ext].(map[string]any)
		}
		v, ok := m[b.attr.Name]
		if !ok {
			continue
		}
		if b.list {
			list, _ := v.([]any)
			v = slices.Clip(list)
		} else {
			v = clone.Value(v)
		}
		if out == nil {
			out = map[string]any{}
		}
		set(out, b.ext, b.attr.Name, v)
	}
	return out
}

// set sets attribute name of extension ext ("" for the core schema) in
// attrs, which the caller owns; an extension's map is replaced by a copy.
func set(attrs map[string]any, ext, name string, v any) {
	if ext == "" {
		attrs[name] = v
		return
	}
	em, _ := attrs[ext].(map[string]any)
	em = maps.Clone(em)
	if em == nil {
		em = map[string]any{}
	}
	em[name] = v
	attrs[ext] = em
}

// merge puts the values besideOf returned back into attrs, which the
// caller owns; extension maps are copied, the values shared.
func merge(attrs, beside map[string]any) {
	for k, v := range beside {
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

// encBufs holds buffers for encoding outside the lock.
var encBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

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

// resource returns a new resource decoded from st.
func (s *part) resource(st *state) (*schema.Resource, error) {
	return s.resourceFor(st, nil)
}

// resourceFor is resource for a reader that needs only the attributes
// projection p writes (nil: all of them): only those are decoded, with
// every value kept beside the JSON.
func (s *part) resourceFor(st *state, p *document.Projection) (*schema.Resource, error) {
	e := s.encoded(st)
	r, err := document.DecodeEncoded(s.rt, &e, p)
	if err != nil { // the store wrote enc: never expected
		return nil, fmt.Errorf("memory: stored %s %s does not decode: %w", s.rt.Name, st.id(), err)
	}
	merge(r.Attributes, st.besides())
	return r, nil
}

// encoded returns st as fastpath.Store hands it out.
func (s *part) encoded(st *state) document.Encoded {
	return document.Encoded{ID: st.id(), Meta: st.meta(s.rt), JSON: st.enc(), Spans: st.spans()}
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
