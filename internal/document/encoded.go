package document

import (
	"slices"
	"strings"

	"github.com/scimkit/scimkit/schema"
)

// Encoded is a resource kept as JSON, as a store that keeps resources
// encoded hands it out (see store.JSONReader): writing it needs neither
// decoding nor encoding it.
type Encoded struct {
	ID   string
	Meta schema.Meta
	// JSON is what AppendJSON writes for the resource with the default
	// projection and a Meta holding only Meta's ResourceType, Created and
	// LastModified. Attributes returned only on request, or never, are
	// not in it.
	JSON string
	// Spans, when not "", is what a Spanner of the resource type appends
	// for JSON: where each member of JSON starts and ends and which it is,
	// so that a projection need neither scan JSON nor look names up.
	Spans string
}

// A Spanner writes the spans of JSON of one resource type (see
// Encoded.Spans). Make one per resource type with NewSpanner; it is safe
// for concurrent use.
type Spanner struct {
	places  ruleTable // member name -> 1 + its place in memberNames
	members int       // how many members a resource can have
}

// NewSpanner returns the Spanner of resource type rt.
func NewSpanner(rt *schema.ResourceType) *Spanner {
	names := memberNames(rt)
	sp := &Spanner{members: len(names)}
	for i, n := range names {
		if i < 127 {
			sp.places.add(n, int8(i+1))
		}
	}
	return sp
}

// AppendSpans appends to dst, for each member of enc (JSON of a resource
// of the Spanner's type as AppendJSON writes it), where it starts (its
// name's opening quote), where it ends (after its value) and its place
// among the members the type can have, as three little-endian uint16s. It
// appends nothing when enc is longer than 65,535 bytes or not as
// AppendJSON writes it.
func (sp *Spanner) AppendSpans(dst []byte, enc string) []byte {
	if len(enc) > 0xffff {
		return dst
	}
	n := len(dst)
	if !eachMember(enc, func(name string, from, to int) bool {
		at := 0xffff
		if r, ok := sp.places.get(name); ok {
			at = int(r) - 1
		}
		dst = append(dst, byte(from), byte(from>>8), byte(to), byte(to>>8), byte(at), byte(at>>8))
		return true
	}) {
		return dst[:n]
	}
	return dst
}

// MaxSpans returns how long AppendSpans's spans of a resource can be.
func (sp *Spanner) MaxSpans() int { return 6 * sp.members }

// memberNames returns the names of the members a resource of type rt can
// have, in the order AppendJSON writes them.
func memberNames(rt *schema.ResourceType) []string {
	names := make([]string, 0, 4+len(rt.Schema.Attributes)+len(rt.Extensions))
	names = append(names, "schemas", "id", "externalId")
	for _, a := range rt.Schema.Attributes {
		names = append(names, a.Name)
	}
	for _, e := range rt.Extensions {
		names = append(names, e.Schema.ID)
	}
	return append(names, "meta")
}

// AppendEncoded appends the JSON of e, a resource of type rt, to dst and
// returns the extended slice: what AppendJSON writes for the resource with
// e.Meta and projection p, except attributes returned only on request,
// which e does not hold (see Projection.Requests). With the default
// projection it copies e.JSON and adds meta's location and version; with
// another, it decodes only the attributes p writes.
func AppendEncoded(dst []byte, rt *schema.ResourceType, e *Encoded, p *Projection) []byte {
	if p != nil {
		return appendEncodedProjected(dst, rt, e, p)
	}
	enc, m := e.JSON, e.Meta
	meta := commonAttrs[2]
	if m.Location == "" && m.Version == "" || !p.Includes(rt.Schema, nil, meta) {
		return append(dst, enc...)
	}
	// enc ends with its meta object when m has what it holds.
	kept := m.ResourceType != "" || !m.Created.IsZero() || !m.LastModified.IsZero()
	cut := "}"
	if kept {
		cut = "}}"
	}
	if !strings.HasSuffix(enc, cut) {
		return append(dst, enc...) // not AppendJSON's: written as it is
	}
	dst = append(dst, enc[:len(enc)-len(cut)]...)
	if kept {
		dst = appendMetaMembers(dst, schema.Meta{Location: m.Location, Version: m.Version}, p, rt.Schema, meta)
		return append(dst, "}}"...)
	}
	return append(appendMeta(dst, schema.Meta{Location: m.Location, Version: m.Version}, p, rt.Schema, meta), '}')
}

// WritesMeta reports whether p writes meta, or part of it, for a resource
// of type rt: a caller need not work out meta.location and meta.version
// when it does not.
func (p *Projection) WritesMeta(rt *schema.ResourceType) bool {
	if p != nil && p.rt == rt {
		p.once.Do(func() { p.buildRules(rt) })
		return p.meta
	}
	return p.Includes(rt.Schema, nil, commonAttrs[2])
}

// writesID reports whether p writes id for a resource of type rt.
func (p *Projection) writesID(rt *schema.ResourceType) bool {
	if p != nil && p.rt == rt {
		p.once.Do(func() { p.buildRules(rt) })
		return p.id
	}
	return p.Includes(rt.Schema, nil, commonAttrs[0])
}

// DecodeEncoded returns the resource e holds, of type rt, with e's ID and
// Meta: every attribute its JSON holds when p is nil, otherwise at least
// those p writes (a reader that needs a few attributes, such as a filter,
// saves decoding the others). Attributes returned only on request are not
// in the JSON (see Encoded).
func DecodeEncoded(rt *schema.ResourceType, e *Encoded, p *Projection) (*schema.Resource, error) {
	data := []byte(e.JSON)
	if p != nil {
		var ok bool
		if data, ok = pickMembers(make([]byte, 0, 256), rt, e, p); !ok {
			data = []byte(e.JSON)
		}
	}
	r, err := Decode(rt, data, DecodeOptions{KeepEmptyStrings: true})
	if err != nil {
		return nil, err
	}
	r.ID, r.Meta = e.ID, e.Meta
	return r, nil
}

// appendEncodedProjected is AppendEncoded with projection p. When p takes
// or leaves whole attributes and extensions, it copies the members it
// writes from e.JSON; otherwise it decodes only those members and writes
// the result.
func appendEncodedProjected(dst []byte, rt *schema.ResourceType, e *Encoded, p *Projection) []byte {
	if out, ok := appendWholeMembers(dst, rt, e, p); ok {
		return out
	}
	r, err := DecodeEncoded(rt, e, p)
	if err != nil {
		return append(dst, e.JSON...) // not AppendJSON's: written as it is
	}
	return AppendJSON(dst, rt, r, p)
}

// member is the span enc[from:to] of one member ("name":value) of a JSON
// object; ext is the extension schema when the member is one's object.
type member struct {
	from, to int
	ext      *schema.Schema
}

// appendWholeMembers writes e under p as AppendJSON would, copying from
// e.JSON every member p writes, when p writes each of them whole. It
// reports false, having written nothing, when p writes part of one.
func appendWholeMembers(dst []byte, rt *schema.ResourceType, e *Encoded, p *Projection) ([]byte, bool) {
	var buf [32]member
	picked := buf[:0]
	picked, whole, spanned := pickBySpans(rt, e, p, picked)
	if !spanned {
		picked = picked[:0]
		whole = eachMember(e.JSON, func(name string, from, to int) bool {
			switch p.memberRule(rt, name) {
			case memberSkip:
				return true
			case memberWhole:
				picked = append(picked, member{from: from, to: to, ext: extSchema(rt, name)})
				return true
			}
			return false
		})
	}
	if !whole {
		return dst, false
	}
	dst = append(dst, `{"schemas":[`...)
	dst = appendString(dst, rt.Schema.ID)
	for _, m := range picked {
		if m.ext != nil {
			dst = append(dst, ',')
			dst = appendString(dst, m.ext.ID)
		}
	}
	dst = append(dst, ']')
	if e.ID != "" && p.writesID(rt) {
		dst = append(dst, `,"id":`...)
		dst = appendString(dst, e.ID)
	}
	for _, m := range picked {
		dst = append(dst, ',')
		dst = append(dst, e.JSON[m.from:m.to]...)
	}
	if p.WritesMeta(rt) {
		dst = appendMeta(dst, e.Meta, p, rt.Schema, commonAttrs[2])
	}
	return append(dst, '}'), true
}

// pickBySpans appends to picked the members of e that p writes whole,
// found from e.Spans, returns it, and reports whether p writes each
// member whole. It reports spanned false when e has no spans for rt and p, or a member
// whose place the spans do not know: the caller then scans e.JSON.
func pickBySpans(rt *schema.ResourceType, e *Encoded, p *Projection, picked []member) (_ []member, whole, spanned bool) {
	sp := e.Spans
	if sp == "" || p.rt != rt {
		return picked, false, false
	}
	// A member's rule is found by its place.
	p.once.Do(func() { p.buildRules(rt) })
	base := 3 + len(rt.Schema.Attributes) // the first extension's place
	for k := 0; k+6 <= len(sp); k += 6 {
		from, to := int(sp[k])|int(sp[k+1])<<8, int(sp[k+2])|int(sp[k+3])<<8
		at := int(sp[k+4]) | int(sp[k+5])<<8
		if at >= len(p.byPlace) {
			return picked, false, false
		}
		switch p.byPlace[at] {
		case memberSkip:
		case memberWhole:
			var ext *schema.Schema
			if x := at - base; x >= 0 && x < len(rt.Extensions) {
				ext = rt.Extensions[x].Schema
			}
			picked = append(picked, member{from: from, to: to, ext: ext})
		default:
			return picked, false, true
		}
	}
	return picked, true, true
}

// How AppendEncoded writes a member of the JSON of an Encoded resource
// under a projection.
const (
	memberSkip  int8 = iota + 1 // not written, or written from Encoded's fields
	memberWhole                 // copied as it is
	memberPart                  // written in part: decoded
)

// memberRule returns how AppendEncoded writes the member name of a JSON
// resource of type rt under p, from rules built once per projection.
func (p *Projection) memberRule(rt *schema.ResourceType, name string) int8 {
	if p.rt != rt {
		return memberRuleOf(rt, name, p)
	}
	p.once.Do(func() { p.buildRules(rt) })
	if r, ok := p.rules.get(name); ok {
		return r
	}
	return memberRuleOf(rt, name, p)
}

// buildRules works out, once per projection, how AppendEncoded writes
// each member a resource of type rt can have, and whether it writes id
// and meta.
func (p *Projection) buildRules(rt *schema.ResourceType) {
	names := memberNames(rt)
	p.byPlace = make([]int8, len(names))
	for i, n := range names {
		r := memberRuleOf(rt, n, p)
		p.rules.add(n, r)
		p.byPlace[i] = r
	}
	p.id = p.Includes(rt.Schema, nil, commonAttrs[0])
	p.meta = p.Includes(rt.Schema, nil, commonAttrs[2])
}

// memberRuleOf is memberRule, worked out.
func memberRuleOf(rt *schema.ResourceType, name string, p *Projection) int8 {
	var def *Projection
	switch name {
	case "schemas", "id", "meta":
		return memberSkip // written from rt and Encoded's fields
	case "externalId":
		if p.Includes(rt.Schema, nil, commonAttrs[1]) {
			return memberWhole
		}
		return memberSkip
	}
	if ext := rt.Extension(name); ext != nil {
		all, none := true, true
		for _, a := range ext.Schema.Attributes {
			if p.Includes(ext.Schema, nil, a) {
				none = false
				all = all && def.Includes(ext.Schema, nil, a) && writesWhole(ext.Schema, a, p)
			} else if def.Includes(ext.Schema, nil, a) {
				all = false
			}
		}
		switch {
		case none:
			return memberSkip
		case all:
			return memberWhole
		}
		return memberPart
	}
	a := rt.Schema.Attribute(name)
	switch {
	case a == nil || !p.Includes(rt.Schema, nil, a):
		return memberSkip
	case writesWhole(rt.Schema, a, p):
		return memberWhole
	}
	return memberPart
}

// extSchema returns the schema of extension name of rt, or nil when name
// is not an extension.
func extSchema(rt *schema.ResourceType, name string) *schema.Schema {
	if !strings.HasPrefix(name, "urn:") {
		return nil
	}
	if e := rt.Extension(name); e != nil {
		return e.Schema
	}
	return nil
}

// writesWhole reports whether p writes every sub-attribute of a that the
// default projection writes, and no other: then a's value in JSON the
// default projection wrote is its value under p.
func writesWhole(s *schema.Schema, a *schema.Attribute, p *Projection) bool {
	for _, sub := range a.SubAttributes {
		if p.Includes(s, a, sub) != (*Projection)(nil).Includes(s, a, sub) {
			return false
		}
	}
	return true
}

// eachMember calls f with the name and the span of each member of enc, a
// JSON object as AppendJSON writes it, until f returns false. It reports
// whether every call returned true and enc was as expected.
func eachMember(enc string, f func(name string, from, to int) bool) bool {
	if !strings.HasPrefix(enc, "{") {
		return false
	}
	for i := 1; i < len(enc) && enc[i] != '}'; {
		if enc[i] == ',' {
			i++
		}
		// Names are attribute names and URNs: AppendJSON escapes none.
		if i >= len(enc) || enc[i] != '"' {
			return false
		}
		n := strings.IndexByte(enc[i+1:], '"')
		if n < 0 || i+n+2 >= len(enc) || enc[i+n+2] != ':' {
			return false
		}
		from := i
		i = skipJSON(enc, i+n+3)
		if !f(enc[from+1:from+1+n], from, i) {
			return false
		}
	}
	return true
}

// pickMembers appends to dst a JSON object with the members of e.JSON (as
// AppendJSON writes it) that projection p writes, and "schemas"; "id" and
// "meta" are left out. It finds them from e.Spans when it can. It reports
// false when e.JSON is not as AppendJSON writes it.
func pickMembers(dst []byte, rt *schema.ResourceType, e *Encoded, p *Projection) ([]byte, bool) {
	dst = append(dst, '{')
	first := true
	pick := func(from, to int) {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, e.JSON[from:to]...)
	}
	ok := eachSpan(e, func(at, from, to int) (bool, bool) {
		if p.rt != rt {
			return false, false
		}
		p.once.Do(func() { p.buildRules(rt) })
		if at >= len(p.byPlace) {
			return false, false
		}
		if at == 0 || p.byPlace[at] != memberSkip { // 0: "schemas"
			pick(from, to)
		}
		return true, true
	}, func(name string, from, to int) bool {
		if name == "schemas" || p.memberRule(rt, name) != memberSkip {
			pick(from, to)
		}
		return true
	})
	return append(dst, '}'), ok
}

// eachSpan calls bySpan with the place (see memberNames) and span of each
// member of e.JSON, from e.Spans, until it returns false. If e has no
// spans, or bySpan answers that it cannot use them (spanned false) at its
// first call, it calls byName for each member as eachMember does instead.
// It reports whether every call returned true and e.JSON was as expected.
func eachSpan(e *Encoded, bySpan func(at, from, to int) (ok, spanned bool), byName func(name string, from, to int) bool) bool {
	sp := e.Spans
	for k := 0; k+6 <= len(sp); k += 6 {
		from, to := int(sp[k])|int(sp[k+1])<<8, int(sp[k+2])|int(sp[k+3])<<8
		ok, spanned := bySpan(int(sp[k+4])|int(sp[k+5])<<8, from, to)
		switch {
		case !spanned && k == 0:
			return eachMember(e.JSON, byName)
		case !ok || !spanned:
			return false
		}
	}
	if sp == "" {
		return eachMember(e.JSON, byName)
	}
	return true
}

// skipJSON returns the end of the JSON value that starts at s[i], which is
// valid JSON without white space, as AppendJSON writes it.
func skipJSON(s string, i int) int {
	depth := 0
	for i < len(s) {
		switch s[i] {
		case '"':
			i = skipString(s, i+1)
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // the end of a number or a literal
			}
			if depth--; depth == 0 {
				return i + 1
			}
		case ',':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
}

// skipString returns the index after the quote that closes the JSON string
// whose contents start at s[i]. Most strings of a resource are short: it
// reads their first bytes one by one, then finds quotes with
// strings.IndexByte, whose start-up costs more than a short string does:
// a quote closes the string unless an odd run of backslashes precedes it.
func skipString(s string, i int) int {
	for end := min(i+16, len(s)); i < end; i++ {
		switch s[i] {
		case '"':
			return i + 1
		case '\\':
			i++ // the escaped byte
		}
	}
	if i >= len(s) {
		return len(s)
	}
	// i is not inside an escape: the run of backslashes just before a
	// quote, wherever it starts, says whether the quote is escaped.
	for {
		j := strings.IndexByte(s[i:], '"')
		if j < 0 {
			return len(s)
		}
		i += j
		k := i
		for s[k-1] == '\\' {
			k--
		}
		if (i-k)%2 == 0 {
			return i + 1
		}
		i++
	}
}

// TopString returns the value of e's member for attribute a of rt's core
// schema, read from e.JSON where e.Spans place it, when it is a string
// without escapes: what decoding e would give, without decoding. found is
// false when e has no such member; ok is false when the spans cannot say
// or the value is not such a string (then decode e).
func TopString(rt *schema.ResourceType, e *Encoded, a *schema.Attribute) (v string, found, ok bool) {
	i := slices.Index(rt.Schema.Attributes, a)
	if i < 0 || e.Spans == "" {
		return "", false, false
	}
	place := 3 + i // see memberNames
	sp := e.Spans
	for k := 0; k+6 <= len(sp); k += 6 {
		if int(sp[k+4])|int(sp[k+5])<<8 != place {
			continue
		}
		from, to := int(sp[k])|int(sp[k+1])<<8, int(sp[k+2])|int(sp[k+3])<<8
		value := e.JSON[min(from+len(a.Name)+3, to):to]
		if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' || strings.IndexByte(value, '\\') >= 0 {
			return "", true, false
		}
		return value[1 : len(value)-1], true, true
	}
	return "", false, true
}
