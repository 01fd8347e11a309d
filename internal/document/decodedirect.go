package document

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/scimkit/scimkit/schema"
)

// directDecoder reads a resource straight from JSON into canonical values,
// with the schema in hand, so that no intermediate maps are built: the
// common case of Decode. It handles the usual shapes (objects for complex
// values and resources, arrays for multi-valued attributes, strings for
// string attributes) itself and hands every other value to decodeAt after a
// generic parse, exactly as the generic path does. It reports only whether
// it succeeded: on a failure, or anything it is not sure of (a member
// repeated, which the generic path resolves by its own order), Decode takes
// the generic path, which gives the errors their exact form.
type directDecoder struct {
	parser
	rt   *schema.ResourceType
	opts DecodeOptions
}

// seen records the attributes an object has set, to notice repetitions.
// Objects hold a handful of members: a linear search over an array on the
// stack costs less than a map.
type seen struct {
	n    int
	buf  [16]*schema.Attribute
	more []*schema.Attribute // beyond len(buf)
}

// add records a and reports whether it is new.
func (s *seen) add(a *schema.Attribute) bool {
	for _, x := range s.buf[:s.n] {
		if x == a {
			return false
		}
	}
	for _, x := range s.more {
		if x == a {
			return false
		}
	}
	if s.n < len(s.buf) {
		s.buf[s.n] = a
		s.n++
	} else {
		s.more = append(s.more, a)
	}
	return true
}

// peek returns the next non-space byte, or 0 at the end.
func (d *directDecoder) peek() byte {
	d.space()
	if d.i >= len(d.data) {
		return 0
	}
	return d.data[d.i]
}

// members calls member for each member of the object at d.i, with the
// member's name, leaving d.i after the object. The name is valid only
// during the call: it may share the input's bytes.
func (d *directDecoder) members(member func(name []byte) bool) bool {
	if d.peek() != '{' || d.nest() != nil {
		return false
	}
	d.i++
	if d.peek() == '}' {
		d.i++
		d.depth--
		return true
	}
	for {
		if d.peek() != '"' {
			return false
		}
		name, ok := d.name()
		if !ok || d.peek() != ':' {
			return false
		}
		d.i++
		if !member(name) {
			return false
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			d.depth--
			return true
		default:
			return false
		}
	}
}

// name reads a member name. A name without escapes is returned as the
// input's bytes, so that reading it allocates nothing.
func (d *directDecoder) name() ([]byte, bool) {
	start := d.i + 1
	for j := start; j < len(d.data); j++ {
		switch c := d.data[j]; {
		case c == '"':
			d.i = j + 1
			return d.data[start:j], true
		case c == '\\' || c < 0x20:
			s, err := d.str()
			return []byte(s), err == nil
		}
	}
	return nil, false
}

// foldEqual reports whether name equals s under Unicode case folding, as
// strings.EqualFold does, without allocating when both are ASCII.
func foldEqual(name []byte, s string) bool {
	n := min(len(name), len(s))
	for i := range n {
		c, d := name[i], s[i]
		if c|d >= utf8.RuneSelf {
			return strings.EqualFold(string(name), s)
		}
		if c != d && (c|0x20 != d|0x20 || c|0x20 < 'a' || c|0x20 > 'z') {
			return false // two ASCII runes that differ: so do the strings
		}
	}
	return len(name) == len(s) // else one has runes the other lacks
}

// findAttrName is findAttr for a name in bytes.
func findAttrName(attrs []*schema.Attribute, name []byte) *schema.Attribute {
	for _, a := range attrs {
		if foldEqual(name, a.Name) {
			return a
		}
	}
	return nil
}

// isURN reports whether a member name starts with "urn:", in any case.
func isURN(name []byte) bool { return len(name) >= 4 && foldEqual(name[:4], "urn:") }

// resource reads the resource object that is the whole body.
func (d *directDecoder) resource() (*schema.Resource, bool) {
	r := &schema.Resource{Attributes: make(map[string]any, 8)}
	var schemas listed
	var sawSchemas, sawExternalID bool
	var set seen
	ok := d.members(func(k []byte) bool {
		switch {
		case foldEqual(k, "schemas"):
			if sawSchemas {
				return false
			}
			sawSchemas = true
			return d.schemas(&schemas)
		case foldEqual(k, "id"), foldEqual(k, "meta"):
			return d.skip() // readOnly: ignored (RFC 7644 §3.5.1)
		case foldEqual(k, "externalId"):
			if sawExternalID {
				return false
			}
			sawExternalID = true
			v, ok := d.attr(commonAttrs[1])
			r.ExternalID, _ = v.(string)
			return ok
		}
		for i := range d.rt.Extensions {
			if ext := &d.rt.Extensions[i]; foldEqual(k, ext.Schema.ID) {
				return d.extension(r, ext, &set)
			}
		}
		s, target := d.rt.Schema, r.Attributes
		var a *schema.Attribute
		extID := ""
		if isURN(k) {
			ks := string(k)
			name := ks
			if urn, rest, ok := SplitURN(d.rt, ks); ok {
				name = rest
				if ext := d.rt.Extension(urn); ext != nil {
					s, extID, target = ext.Schema, ext.Schema.ID, extensionMap(r, ext)
				}
			}
			a = s.Attribute(name)
		} else {
			a = findAttrName(s.Attributes, k)
		}
		ok := d.member(a, target, &set)
		if ok && extID != "" && len(target) > 0 {
			r.Attributes[extID] = target
		}
		return ok
	})
	if !ok || !sawSchemas || !schemas.valid(d.rt, r, d.opts) {
		return nil, false
	}
	return r, true
}

// listed is what a body's "schemas" lists, as checkSchemas reads it.
type listed struct {
	core  bool   // the core schema
	other bool   // a URI that is none of the resource type's
	exts  uint64 // the extensions, by index (the first 64)
}

// schemas reads the "schemas" array into l without allocating: an array of
// strings without escapes, else it fails and Decode takes the generic
// path.
func (d *directDecoder) schemas(l *listed) bool {
	if d.peek() != '[' || len(d.rt.Extensions) > 64 {
		return false
	}
	d.i++
	if d.peek() == ']' {
		d.i++
		return true
	}
	for {
		if d.peek() != '"' {
			return false
		}
		start := d.i + 1
		end := start
		for end < len(d.data) && d.data[end] != '"' {
			if c := d.data[end]; c == '\\' || c < 0x20 {
				return false
			}
			end++
		}
		if end >= len(d.data) {
			return false
		}
		uri := d.data[start:end]
		d.i = end + 1
		switch {
		case foldEqual(uri, d.rt.Schema.ID):
			l.core = true
		default:
			i := slices.IndexFunc(d.rt.Extensions, func(e schema.Extension) bool { return foldEqual(uri, e.Schema.ID) })
			if i < 0 {
				l.other = true
			} else {
				l.exts |= 1 << i
			}
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return true
		default:
			return false
		}
	}
}

// valid is checkSchemas for what l lists: false where it reports an error.
func (l listed) valid(rt *schema.ResourceType, r *schema.Resource, opts DecodeOptions) bool {
	if !l.core || opts.Strict && l.other {
		return false
	}
	if opts.Strict {
		for i, e := range rt.Extensions {
			if _, ok := r.Attributes[e.Schema.ID]; ok && l.exts&(1<<i) == 0 {
				return false
			}
		}
	}
	return true
}

// extension reads the object of extension ext into r.
func (d *directDecoder) extension(r *schema.Resource, ext *schema.Extension, set *seen) bool {
	if d.peek() != '{' {
		v, err := d.value()
		return err == nil && decodeExtension(r, ext, v, d.opts) == nil
	}
	m := extensionMap(r, ext)
	ok := d.object(ext.Schema.Attributes, m, set)
	if ok && len(m) > 0 {
		r.Attributes[ext.Schema.ID] = m
	}
	return ok
}

// extensionMap returns r's map of extension ext, or a new one that the
// caller adds to r once it holds a value.
func extensionMap(r *schema.Resource, ext *schema.Extension) map[string]any {
	if m, _ := r.Attributes[ext.Schema.ID].(map[string]any); m != nil {
		return m
	}
	return make(map[string]any, 4)
}

// object reads the members of the object at d.i, attributes among attrs,
// into m; set records the attributes read.
func (d *directDecoder) object(attrs []*schema.Attribute, m map[string]any, set *seen) bool {
	return d.members(func(k []byte) bool { return d.member(findAttrName(attrs, k), m, set) })
}

// member reads the value of attribute a into m; a nil a is an attribute
// the schema does not define, skipped unless in strict mode.
func (d *directDecoder) member(a *schema.Attribute, m map[string]any, set *seen) bool {
	if a == nil {
		return !d.opts.Strict && d.skip()
	}
	if !set.add(a) {
		return false
	}
	v, ok := d.attr(a)
	if ok && v != nil {
		m[a.Name] = v
	}
	return ok
}

// attr reads a value of attribute a; nil means unassigned.
func (d *directDecoder) attr(a *schema.Attribute) (any, bool) {
	switch c := d.peek(); {
	case c == '[' && a.MultiValued:
		return d.multi(a)
	case c == '{' && a.Type == schema.Complex && !a.MultiValued:
		return d.complex(a)
	case c == '"' && (a.Type == schema.String || a.Type == schema.Reference) && !a.MultiValued:
		s, err := d.str()
		if err != nil {
			return nil, false
		}
		if s == "" && !d.opts.keepEmpty() {
			return nil, true
		}
		return s, true
	}
	v, err := d.value()
	if err != nil {
		return nil, false
	}
	v, err = decodeAt(a, v, d.opts, a.Name)
	return v, err == nil
}

// multi reads the array of multi-valued attribute a.
func (d *directDecoder) multi(a *schema.Attribute) (any, bool) {
	if d.nest() != nil {
		return nil, false
	}
	d.i++ // [
	var out []any
	if d.peek() == ']' {
		d.i++
		d.depth--
		return nil, true
	}
	for {
		var v any
		switch c := d.peek(); {
		case c == 'n':
			return nil, false // a null element is an error
		case c == '{' && a.Type == schema.Complex:
			var ok bool
			if v, ok = d.complex(a); !ok {
				return nil, false
			}
		default:
			e, err := d.value()
			if err != nil {
				return nil, false
			}
			if v, err = decodeSingle(a, e, d.opts, a.Name); err != nil {
				return nil, false
			}
		}
		if v != nil {
			if out == nil {
				out = make([]any, 0, 1) // most hold one value: keep it exact
			}
			out = append(out, v)
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			d.depth--
			if len(out) == 0 {
				return nil, true
			}
			return out, true
		default:
			return nil, false
		}
	}
}

// complex reads the object of a complex value of attribute a.
func (d *directDecoder) complex(a *schema.Attribute) (any, bool) {
	out := make(map[string]any, len(a.SubAttributes))
	var set seen
	if !d.object(a.SubAttributes, out, &set) {
		return nil, false
	}
	if len(out) == 0 {
		return nil, true
	}
	return out, true
}
