package document

import (
	"slices"
	"strings"

	"github.com/scimkit/scimkit/schema"
)

// Set is one simple value that SetValues writes into a resource's JSON:
// attribute Attr of the core schema (Ext nil) or of extension Ext, or,
// when Sub is not nil, sub-attribute Sub of Attr, a single-valued complex
// attribute of the core schema.
type Set struct {
	Ext   *schema.Extension
	Attr  *schema.Attribute
	Sub   *schema.Attribute
	Value any // as DecodeValue returns it, checked with CheckValue
}

// CheckValue checks v, a value DecodeValue returned for a single-valued
// attribute a, as ValidatePatch checks a value it has not seen stored.
func CheckValue(a *schema.Attribute, v any) error {
	return checkSingle(a, v, pathOf{name: a.Name})
}

// setAt is a Set placed in the JSON: the top-level member it is written
// in, the member inside that one's object (sub, or -1 for the top-level
// member itself) and the value as AppendJSON writes it.
type setAt struct {
	top      int    // the member's place (see memberNames)
	topName  string // its name
	sub      int    // the place of the member inside it, -1 for none
	subName  string
	inside   []*schema.Attribute // the attributes the object at top can hold, in order
	value    []byte
	required bool // the object at top needs members that no set writes when it is new
}

// SetValues appends to dst e's JSON, which AppendJSON wrote, with a nil
// projection, for a resource of type rt whose Meta held only
// ResourceType, Created and LastModified, with the value of each set
// written in (a later set of the same attribute wins) and its meta
// written from meta, as AppendJSON writes it. changed reports whether any
// value differs from the JSON's. ok is false, and dst is returned as it
// was, when the JSON is not as AppendJSON writes it or a set cannot be
// written in alone: a new object (a complex attribute or an extension the
// JSON lacks) whose schema requires another member.
//
// The caller has resolved and checked every set: a readWrite attribute,
// returned by default, single-valued and simple, holding a value
// DecodeValue returned and CheckValue accepted. SetValues writes what
// ValidatePatch and AppendJSON would make of the PATCH that sets them, so
// that a store keeping resources as JSON can apply such a PATCH without
// decoding the resource.
func (sp *Spanner) SetValues(dst []byte, rt *schema.ResourceType, e *Encoded, sets []Set, meta schema.Meta) (out []byte, changed, ok bool) {
	enc := e.JSON
	var small [8]setAt
	at := small[:0]
	var vals []byte
	for _, s := range sets {
		p, ok := sp.placeOf(rt, s)
		if !ok {
			return dst, false, false
		}
		from := len(vals)
		vals = appendScalar(vals, s.Value)
		p.value = vals[from:len(vals):len(vals)]
		if i := slices.IndexFunc(at, func(q setAt) bool { return q.top == p.top && q.sub == p.sub }); i >= 0 {
			at[i] = p
		} else {
			at = append(at, p)
		}
	}
	slices.SortStableFunc(at, func(a, b setAt) int {
		if a.top != b.top {
			return a.top - b.top
		}
		return a.sub - b.sub
	})

	// The members enc holds, with their places.
	type member struct {
		name     string
		place    int
		from, to int
	}
	var mems [24]member
	members := mems[:0]
	if !eachSpan(e, func(at, from, to int) (bool, bool) {
		n := strings.IndexByte(enc[from+1:], '"')
		if n < 0 {
			return false, true
		}
		members = append(members, member{enc[from+1 : from+1+n], at, from, to})
		return true, true
	}, func(name string, from, to int) bool {
		r, ok := sp.places.get(name)
		if !ok {
			return false
		}
		members = append(members, member{name, int(r) - 1, from, to})
		return true
	}) || len(members) == 0 || members[0].name != "schemas" {
		return dst, false, false
	}
	has := func(place int) bool {
		return slices.ContainsFunc(members, func(m member) bool { return m.place == place })
	}

	start := len(dst)
	fail := func() ([]byte, bool, bool) { return dst[:start], false, false }
	dst = append(dst, '{')
	// "schemas" lists the extensions present: those enc holds and those a
	// set brings.
	newExt := false
	for _, p := range at {
		newExt = newExt || p.inside != nil && p.top >= extPlace(rt) && !has(p.top)
	}
	if newExt {
		dst = append(dst, `"schemas":[`...)
		dst = appendString(dst, rt.Schema.ID)
		for i, e := range rt.Extensions {
			place := extPlace(rt) + i
			if has(place) || slices.ContainsFunc(at, func(p setAt) bool { return p.top == place }) {
				dst = append(dst, ',')
				dst = appendString(dst, e.Schema.ID)
			}
		}
		dst = append(dst, ']')
		changed = true
	} else {
		dst = append(dst, enc[members[0].from:members[0].to]...)
	}
	metaPlace := extPlace(rt) + len(rt.Extensions)
	next := 0 // the first set not written yet
	for _, m := range members[1:] {
		for next < len(at) && at[next].top < m.place {
			var grew bool
			if dst, next, grew = appendNew(dst, at, next); !grew {
				return fail()
			}
			changed = true
		}
		switch {
		case m.place == metaPlace:
			dst = appendMeta(dst, meta, nil, rt.Schema, commonAttrs[2])
		case next < len(at) && at[next].top == m.place:
			value := enc[m.from+len(m.name)+3 : m.to]
			dst = append(dst, ',')
			dst = append(dst, enc[m.from:m.from+len(m.name)+3]...)
			if at[next].inside == nil {
				changed = changed || value != string(at[next].value)
				dst = append(dst, at[next].value...)
				next++
				continue
			}
			var diff, ok bool
			if dst, next, diff, ok = mergeObject(dst, value, at, next); !ok {
				return fail()
			}
			changed = changed || diff
		default:
			dst = append(dst, ',')
			dst = append(dst, enc[m.from:m.to]...)
		}
	}
	if next < len(at) {
		return fail() // enc has no "meta": not as AppendJSON writes it
	}
	return append(dst, '}'), changed, true
}

// extPlace returns the place of rt's first extension among the members
// (see memberNames).
func extPlace(rt *schema.ResourceType) int { return 3 + len(rt.Schema.Attributes) }

// placeOf places s in the members of rt's JSON.
func (sp *Spanner) placeOf(rt *schema.ResourceType, s Set) (setAt, bool) {
	p := setAt{sub: -1}
	top, inside := s.Attr, []*schema.Attribute(nil)
	switch {
	case s.Ext != nil:
		p.topName, inside = s.Ext.Schema.ID, s.Ext.Schema.Attributes
		if s.Sub != nil {
			return p, false // a complex attribute of an extension: not written in place
		}
		p.sub, p.subName = slices.Index(inside, s.Attr), s.Attr.Name
	case s.Sub != nil:
		p.topName, inside = top.Name, top.SubAttributes
		p.sub, p.subName = slices.Index(inside, s.Sub), s.Sub.Name
	default:
		p.topName = top.Name
	}
	r, ok := sp.places.get(p.topName)
	if !ok || inside != nil && p.sub < 0 {
		return p, false
	}
	p.top, p.inside = int(r)-1, inside
	p.required = slices.ContainsFunc(inside, func(a *schema.Attribute) bool { return a.Required })
	return p, true
}

// appendNew appends the member at[i].top, which the JSON does not hold,
// with the values of at[i:] placed in it; it returns the index of the
// first set not written and reports false when the member cannot be
// written from the sets alone.
func appendNew(dst []byte, at []setAt, i int) ([]byte, int, bool) {
	p := at[i]
	dst = append(dst, ',')
	dst = appendString(dst, p.topName)
	dst = append(dst, ':')
	if p.inside == nil {
		return append(dst, p.value...), i + 1, true
	}
	dst = append(dst, '{')
	n := 0
	for ; i < len(at) && at[i].top == p.top; i++ {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, at[i].subName)
		dst = append(dst, ':')
		dst = append(dst, at[i].value...)
		n++
	}
	if p.required && !requiredWritten(p.inside, at[i-n:i]) {
		return dst, i, false
	}
	return append(dst, '}'), i, true
}

// requiredWritten reports whether sets write every required attribute of
// inside.
func requiredWritten(inside []*schema.Attribute, sets []setAt) bool {
	for j, a := range inside {
		if a.Required && !slices.ContainsFunc(sets, func(p setAt) bool { return p.sub == j }) {
			return false
		}
	}
	return true
}

// mergeObject appends obj, an object member's value as AppendJSON writes
// it, with the values of at[i:] that belong in it (those with at[i]'s
// top) written in; it returns the index of the first set not written and
// whether a value changed.
func mergeObject(dst []byte, obj string, at []setAt, i int) (_ []byte, _ int, changed, ok bool) {
	p := at[i]
	dst = append(dst, '{')
	n := 0
	comma := func() {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
	}
	put := func(q setAt) {
		comma()
		dst = appendString(dst, q.subName)
		dst = append(dst, ':')
		dst = append(dst, q.value...)
	}
	ok = eachMember(obj, func(name string, from, to int) bool {
		place := slices.IndexFunc(p.inside, func(a *schema.Attribute) bool { return a.Name == name })
		if place < 0 {
			return false
		}
		for i < len(at) && at[i].top == p.top && at[i].sub < place {
			put(at[i])
			i++
			changed = true
		}
		if i < len(at) && at[i].top == p.top && at[i].sub == place {
			changed = changed || obj[from+len(name)+3:to] != string(at[i].value)
			put(at[i])
			i++
			return true
		}
		comma()
		dst = append(dst, obj[from:to]...)
		return true
	})
	for ; ok && i < len(at) && at[i].top == p.top; i++ {
		put(at[i])
		changed = true
	}
	return append(dst, '}'), i, changed, ok && strings.HasSuffix(obj, "}")
}
