package document

import (
	"unicode/utf8"

	"github.com/scimkit/scimkit/schema"
)

// Creation is a resource to create, written as a store keeps it (AppendJSON
// with the default projection) but without its "id" and "meta", which the
// store gives it: PrepareCreate makes one from a POST body, and Append
// completes it. It holds no value the default projection leaves out and no
// reference list (IsReferenceList), so a store that keeps reference lists
// or unreturned values beside its JSON keeps nothing beside it.
type Creation struct {
	// ExternalID is the resource's externalId, or "".
	ExternalID string

	rt   *schema.ResourceType
	json []byte // from `{"schemas":[` to the last member, without the closing brace
	idAt int    // where "id" goes: after "schemas"
}

// Append appends the JSON of c as resource id with meta m: what AppendJSON
// writes, with the default projection, for the resource that Decode and
// ValidateCreateOwned make of c's body, with that id and meta.
func (c *Creation) Append(dst []byte, id string, m schema.Meta) []byte {
	dst = append(dst, c.json[:c.idAt]...)
	if id != "" {
		dst = append(dst, `,"id":`...)
		dst = appendString(dst, id)
	}
	dst = append(dst, c.json[c.idAt:]...)
	dst = appendMeta(dst, m, nil, c.rt.Schema, commonAttrs[2])
	return append(dst, '}')
}

// maxCreateSpans bounds the attributes PrepareCreate reads in a resource
// type (core and extensions together): their spans are kept on the stack.
const maxCreateSpans = 64

// span is where a member's value is in the body: [start, end).
type span struct{ start, end int }

// PrepareCreate reads body, the request body of a POST creating a resource
// of type rt, into a Creation whose JSON it appends to dst, and returns
// the extended slice, which the Creation shares: it is valid while that
// slice is not reused. The bytes Append writes for it are those that
// Decode, ValidateCreateOwned and AppendJSON write for the same body,
// without building the resource.
//
// It reads the common shape of a body only: strings without escapes
// (plainString), booleans, complex and multi-valued complex values,
// readWrite or immutable attributes returned by default, and no reference
// list; it reports false for anything else, and for every body the general
// path refuses, so that the caller then takes the general path, which
// gives errors their exact form. dst is only appended to: on false, what
// it appended is garbage.
func PrepareCreate(dst []byte, rt *schema.ResourceType, body []byte, opts DecodeOptions) (Creation, []byte, bool) {
	if opts.Strict || len(rt.Extensions) > 64 || !opts.ValidUTF8 && !utf8.Valid(body) {
		return Creation{}, dst, false
	}
	c := creator{directDecoder: directDecoder{parser: parser{data: body}, rt: rt, opts: opts}}
	n := len(rt.Schema.Attributes)
	for _, e := range rt.Extensions {
		n += len(e.Schema.Attributes)
	}
	if n > maxCreateSpans || !c.read() {
		return Creation{}, dst, false
	}
	return c.write(dst)
}

// creator is PrepareCreate's reader: a first pass finds where each
// attribute's value is (spans, by attribute: the core schema's in its
// order, then each extension's), a second writes them in schema order,
// checking each value as it copies it.
type creator struct {
	directDecoder
	spans  [maxCreateSpans]span
	ext    span   // externalId's value
	hasExt uint64 // the extensions with a value, by index
	listed listed // what "schemas" lists
}

// read is the first pass: the body's top-level members and those of its
// extension objects, each attribute once.
func (c *creator) read() bool {
	var sawSchemas bool
	ok := c.members(func(k []byte) bool {
		switch {
		case foldEqual(k, "schemas"):
			if sawSchemas {
				return false
			}
			sawSchemas = true
			return c.schemas(&c.listed)
		case foldEqual(k, "id"), foldEqual(k, "meta"):
			return c.skip() // readOnly: ignored (RFC 7644 §3.5.1)
		case foldEqual(k, "externalId"):
			if c.ext.end != 0 {
				return false
			}
			c.ext = c.plainString()
			return c.ext.end != 0
		}
		at := len(c.rt.Schema.Attributes)
		for i := range c.rt.Extensions {
			ext := &c.rt.Extensions[i]
			if foldEqual(k, ext.Schema.ID) {
				if c.hasExt&(1<<i) != 0 {
					return false
				}
				c.hasExt |= 1 << i
				return c.attrs(ext.Schema.Attributes, at)
			}
			at += len(ext.Schema.Attributes)
		}
		if isURN(k) {
			return false // a qualified name: left to the general path
		}
		return c.attr(c.rt.Schema.Attributes, c.spans[:len(c.rt.Schema.Attributes)], k)
	})
	// valid reads the resource only when strict, which PrepareCreate is not.
	if !ok || !sawSchemas || !c.listed.valid(c.rt, nil, c.opts) {
		return false
	}
	c.space()
	return c.i == len(c.data)
}

// attrs reads the object of attributes attrs, whose spans start at at.
func (c *creator) attrs(attrs []*schema.Attribute, at int) bool {
	return c.members(func(k []byte) bool { return c.attr(attrs, c.spans[at:at+len(attrs)], k) })
}

// attr records in spans (attrs's, in order) the span of the value of
// member k, an attribute among attrs or a member the schema does not
// define, which is skipped as Decode skips it.
func (c *creator) attr(attrs []*schema.Attribute, spans []span, k []byte) bool {
	a := findAttrName(attrs, k)
	if a == nil {
		return c.skip()
	}
	sp := &spans[indexOf(attrs, a)]
	if sp.end != 0 {
		return false // repeated
	}
	c.space()
	sp.start = c.i
	if !c.skip() {
		return false
	}
	sp.end = c.i
	return true
}

// indexOf returns the index of a in attrs.
func indexOf(attrs []*schema.Attribute, a *schema.Attribute) int {
	for i, x := range attrs {
		if x == a {
			return i
		}
	}
	return -1
}

// plainString reads a string without escapes that AppendJSON writes as
// the body does (printable ASCII, and UTF-8 other than U+2028 and U+2029,
// which it escapes; the body is valid UTF-8), and returns its span, quotes
// included; an empty span (end 0) for any other value, "" included (which
// Decode takes as unassigned).
func (c *creator) plainString() span {
	c.space()
	start := c.i
	if c.i >= len(c.data) || c.data[c.i] != '"' {
		return span{}
	}
	j := c.i + 1
	for j < len(c.data) {
		if b := c.data[j]; b < utf8.RuneSelf {
			if !plainJSON(b) {
				break
			}
		} else if b == 0xE2 && j+2 < len(c.data) && c.data[j+1] == 0x80 && c.data[j+2]&^1 == 0xA8 {
			return span{} // U+2028 or U+2029
		}
		j++
	}
	if j >= len(c.data) || c.data[j] != '"' || j == start+1 {
		return span{}
	}
	c.i = j + 1
	return span{start, c.i}
}

// write is the second pass: "schemas", the place of "id", "externalId",
// the core attributes and each extension's object, in schema order.
func (c *creator) write(dst []byte) (Creation, []byte, bool) {
	base := len(dst)
	dst = append(dst, `{"schemas":[`...)
	dst = appendString(dst, c.rt.Schema.ID)
	for i, e := range c.rt.Extensions {
		if c.hasExt&(1<<i) != 0 {
			dst = append(dst, ',')
			dst = appendString(dst, e.Schema.ID)
		}
	}
	dst = append(dst, ']')
	cr := Creation{rt: c.rt, idAt: len(dst) - base}
	if c.ext.end != 0 {
		dst = append(dst, `,"externalId":`...)
		dst = append(dst, c.data[c.ext.start:c.ext.end]...)
		cr.ExternalID = string(c.data[c.ext.start+1 : c.ext.end-1])
	}
	ok := true
	if dst, ok = c.writeAttrs(dst, c.rt.Schema.Attributes, 0); !ok {
		return Creation{}, dst, false
	}
	next := len(c.rt.Schema.Attributes) // where each extension's spans start
	for i, e := range c.rt.Extensions {
		attrs, at := e.Schema.Attributes, next
		next += len(attrs)
		if c.hasExt&(1<<i) == 0 {
			if e.Required {
				return Creation{}, dst, false
			}
			continue
		}
		dst = append(dst, ',')
		dst = appendString(dst, e.Schema.ID)
		dst = append(dst, `:{`...)
		inner := len(dst)
		if dst, ok = c.writeAttrs(dst, attrs, at); !ok || len(dst) == inner {
			return Creation{}, dst, false // an empty object: "schemas" listed it
		}
		dst = append(dropComma(dst, inner), '}')
	}
	cr.json = dst[base:]
	return cr, dst, true
}

// writeAttrs writes ,"name":value for each of attrs that has a span
// (starting at at), and reports false for a required one without.
func (c *creator) writeAttrs(dst []byte, attrs []*schema.Attribute, at int) ([]byte, bool) {
	for i, a := range attrs {
		sp := c.spans[at+i]
		if sp.end == 0 {
			if a.Required && a.Mutability != schema.ReadOnly {
				return dst, false
			}
			continue
		}
		if !writable(a) || IsReferenceList(a) {
			return dst, false
		}
		c.i = sp.start
		dst = append(dst, ',')
		dst = appendString(dst, a.Name)
		dst = append(dst, ':')
		var ok bool
		switch {
		case a.MultiValued:
			dst, ok = c.multi(dst, a)
		case a.Type == schema.Complex:
			dst, _, ok = c.complex(dst, a)
		default:
			dst, ok = c.simple(dst, a)
		}
		if !ok || c.i != sp.end {
			return dst, false
		}
	}
	return dst, true
}

// writable reports whether a's value is written as a client sent it: a
// client may set it, and the default projection writes it.
func writable(a *schema.Attribute) bool {
	return (a.Mutability == schema.ReadWrite || a.Mutability == schema.Immutable) &&
		(a.Returned == schema.ReturnedDefault || a.Returned == schema.ReturnedAlways)
}

// simple copies a string or boolean value of simple attribute a.
func (c *creator) simple(dst []byte, a *schema.Attribute) ([]byte, bool) {
	switch a.Type {
	case schema.String, schema.Reference:
		sp := c.plainString()
		return append(dst, c.data[sp.start:sp.end]...), sp.end != 0
	case schema.Boolean:
		lit := "false"
		if c.is('t') {
			lit = "true"
		}
		if c.literal(lit) == nil {
			return append(dst, lit...), true
		}
	}
	return dst, false
}

// complex writes the object of a complex value of attribute a, its
// sub-attributes in schema order, and reports whether it holds
// "primary": true.
func (c *creator) complex(dst []byte, a *schema.Attribute) (out []byte, primary, ok bool) {
	subs := a.SubAttributes
	var spans [16]span
	if len(subs) > len(spans) {
		return dst, false, false
	}
	if !c.members(func(k []byte) bool { return c.attr(subs, spans[:len(subs)], k) }) {
		return dst, false, false
	}
	end := c.i
	dst = append(dst, '{')
	inner := len(dst)
	for i, sub := range subs {
		sp := spans[i]
		if sp.end == 0 {
			if sub.Required && sub.Mutability != schema.ReadOnly {
				return dst, false, false
			}
			continue
		}
		if !writable(sub) || sub.MultiValued || sub.Type == schema.Complex {
			return dst, false, false
		}
		c.i = sp.start
		dst = append(dst, ',')
		dst = appendString(dst, sub.Name)
		dst = append(dst, ':')
		if dst, ok = c.simple(dst, sub); !ok || c.i != sp.end {
			return dst, false, false
		}
		if sub.Name == "primary" && sub.Type == schema.Boolean && c.data[sp.start] == 't' {
			primary = true
		}
	}
	if len(dst) == inner {
		return dst, false, false // an empty object: unassigned
	}
	c.i = end
	return append(dropComma(dst, inner), '}'), primary, true
}

// multi writes the array of multi-valued complex attribute a: at least
// one value, at most one of them primary (RFC 7643 §2.4), and none that
// might repeat another (which ValidateCreateOwned would drop).
func (c *creator) multi(dst []byte, a *schema.Attribute) ([]byte, bool) {
	if a.Type != schema.Complex || !c.is('[') {
		return dst, false
	}
	c.i++
	dst = append(dst, '[')
	var starts, ends [8]int // where each value's JSON is in dst
	n, primaries := 0, 0
	for {
		if n == len(starts) || !c.is('{') {
			return dst, false
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		starts[n] = len(dst)
		var primary, ok bool
		if dst, primary, ok = c.complex(dst, a); !ok {
			return dst, false
		}
		ends[n] = len(dst)
		for k := range n {
			if mayRepeat(dst[starts[k]:ends[k]], dst[starts[n]:]) {
				return dst, false
			}
		}
		n++
		if primary {
			if primaries++; primaries > 1 {
				return dst, false
			}
		}
		switch {
		case c.at(','):
		case c.at(']'):
			return append(dst, ']'), true
		default:
			return dst, false
		}
	}
}

// mayRepeat reports whether complex values x and y, as complex writes
// them, might have the same "value" and "type" as withoutDuplicates
// compares them: when both have a "value" and their values, and their
// types (or the lack of one), are equal under ASCII case folding. It
// errs on the side of true.
func mayRepeat(x, y []byte) bool {
	xv, okx := memberOf(x, "value")
	yv, oky := memberOf(y, "value")
	if !okx || !oky || !looseFold(xv, yv) {
		return false
	}
	xt, _ := memberOf(x, "type")
	yt, _ := memberOf(y, "type")
	return looseFold(xt, yt)
}

// looseFold reports whether a and b might be equal under Unicode case
// folding: equal under ASCII case folding, or either not ASCII.
func looseFold(a, b []byte) bool {
	for _, s := range [...][]byte{a, b} {
		for _, c := range s {
			if c >= utf8.RuneSelf {
				return true
			}
		}
	}
	return len(a) == len(b) && asciiEqualFold(string(a), b)
}

// memberOf returns the value of member name in obj, an object complex
// wrote: members of strings and literals without escapes, so that a
// member's name is found by its quoted form.
func memberOf(obj []byte, name string) ([]byte, bool) {
	for i := 1; i < len(obj); {
		// obj[i] starts a member name.
		j := i + 1
		for obj[j] != '"' {
			j++
		}
		start := j + 2 // past `":`
		end := start
		if obj[start] == '"' {
			end++
			for obj[end] != '"' {
				end++
			}
			end++
		} else {
			for obj[end] != ',' && obj[end] != '}' {
				end++
			}
		}
		if string(obj[i+1:j]) == name {
			return obj[start:end], true
		}
		i = end + 1 // past the comma
	}
	return nil, false
}
