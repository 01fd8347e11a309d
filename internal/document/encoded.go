package document

import (
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
		if data, ok = pickMembers(make([]byte, 0, 256), rt, e.JSON, p); !ok {
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
	whole := eachMember(e.JSON, func(name string, from, to int) bool {
		switch p.memberRule(rt, name) {
		case memberSkip:
			return true
		case memberWhole:
			picked = append(picked, member{from: from, to: to, ext: extSchema(rt, name)})
			return true
		}
		return false
	})
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
	for _, n := range []string{"schemas", "id", "externalId", "meta"} {
		p.rules.add(n, memberRuleOf(rt, n, p))
	}
	for _, a := range rt.Schema.Attributes {
		p.rules.add(a.Name, memberRuleOf(rt, a.Name, p))
	}
	for _, e := range rt.Extensions {
		p.rules.add(e.Schema.ID, memberRuleOf(rt, e.Schema.ID, p))
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

// pickMembers appends to dst a JSON object with the members of enc (as
// AppendJSON writes it) that projection p writes, and "schemas"; "id" and
// "meta" are left out. It reports false when enc is not as AppendJSON
// writes it.
func pickMembers(dst []byte, rt *schema.ResourceType, enc string, p *Projection) ([]byte, bool) {
	dst = append(dst, '{')
	first := true
	ok := eachMember(enc, func(name string, from, to int) bool {
		if name == "schemas" || p.memberRule(rt, name) != memberSkip {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, enc[from:to]...)
		}
		return true
	})
	return append(dst, '}'), ok
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
