package document

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/scimkit/scimkit/schema"
)

// AppendJSON appends the JSON representation of r, a resource of type rt,
// to dst and returns the extended slice. It writes "schemas" (the core
// schema and each extension r has), "id", "externalId", the core attributes
// in schema order, each extension's object under its URN, then "meta";
// projection p (nil for the default) decides what is written. Attributes
// that the schemas do not define are not written. Strings are escaped as
// encoding/json escapes them, without HTML escaping.
func AppendJSON(dst []byte, rt *schema.ResourceType, r *schema.Resource, p *Projection) []byte {
	return AppendJSONRefs(dst, rt, r, p, nil)
}

// RefFunc appends, as a JSON string, the URI of the resource that an
// element of a reference list names: its value, and its type ("" when the
// element has none).
//
// It reports false, having appended nothing, when it cannot tell.
type RefFunc func(dst []byte, typ, value string) ([]byte, bool)

// AppendJSONRefs is AppendJSON that writes the "$ref" of each element of a
// reference list (IsReferenceList) that holds none, with ref: a URI
// depends on the request, so it is written, not kept.
func AppendJSONRefs(dst []byte, rt *schema.ResourceType, r *schema.Resource, p *Projection, ref RefFunc) []byte {
	dst = append(dst, `{"schemas":[`...)
	dst = appendString(dst, rt.Schema.ID)
	for _, e := range rt.Extensions {
		if m, ok := r.Attributes[e.Schema.ID].(map[string]any); ok && writesAny(e.Schema, m, p) {
			dst = append(dst, ',')
			dst = appendString(dst, e.Schema.ID)
		}
	}
	dst = append(dst, ']')
	common := commonAttrs
	if r.ID != "" && p.Includes(rt.Schema, nil, common[0]) {
		dst = append(dst, `,"id":`...)
		dst = appendString(dst, r.ID)
	}
	if r.ExternalID != "" && p.Includes(rt.Schema, nil, common[1]) {
		dst = append(dst, `,"externalId":`...)
		dst = appendString(dst, r.ExternalID)
	}
	dst = appendAttrs(dst, rt.Schema, r.Attributes, p, ref)
	for _, e := range rt.Extensions {
		m, ok := r.Attributes[e.Schema.ID].(map[string]any)
		if !ok || len(m) == 0 {
			continue
		}
		mark := len(dst)
		dst = append(dst, ',')
		dst = appendString(dst, e.Schema.ID)
		dst = append(dst, `:{`...)
		inner := len(dst)
		dst = appendAttrs(dst, e.Schema, m, p, ref)
		if len(dst) == inner {
			dst = dst[:mark]
			continue
		}
		dst = append(dropComma(dst, inner), '}')
	}
	if p.Includes(rt.Schema, nil, common[2]) {
		dst = appendMeta(dst, r.Meta, p, rt.Schema, common[2])
	}
	return append(dst, '}')
}

// writesAny reports whether p writes any attribute of s that m holds, so
// that "schemas" lists only the extensions the response carries.
func writesAny(s *schema.Schema, m map[string]any, p *Projection) bool {
	for _, a := range s.Attributes {
		if _, ok := m[a.Name]; ok && p.Includes(s, nil, a) {
			return true
		}
	}
	return false
}

func appendMeta(dst []byte, m schema.Meta, p *Projection, s *schema.Schema, meta *schema.Attribute) []byte {
	mark := len(dst)
	dst = append(dst, `,"meta":{`...)
	inner := len(dst)
	dst = appendMetaMembers(dst, m, p, s, meta)
	if len(dst) == inner {
		return dst[:mark]
	}
	return append(dropComma(dst, inner), '}')
}

// appendMetaMembers appends ,"name":value for each member of m that is
// set and included by p.
func appendMetaMembers(dst []byte, m schema.Meta, p *Projection, s *schema.Schema, meta *schema.Attribute) []byte {
	name := func(i int) bool {
		if !p.Includes(s, meta, meta.SubAttributes[i]) {
			return false
		}
		dst = append(dst, ',')
		dst = appendString(dst, meta.SubAttributes[i].Name)
		dst = append(dst, ':')
		return true
	}
	field := func(i int, v string) {
		if v != "" && name(i) {
			dst = appendString(dst, v)
		}
	}
	timeField := func(i int, t time.Time) {
		if !t.IsZero() && name(i) {
			// As formatTime writes it; RFC 3339 needs no JSON escaping.
			dst = append(dst, '"')
			dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
			dst = append(dst, '"')
		}
	}
	field(0, m.ResourceType)
	timeField(1, m.Created)
	timeField(2, m.LastModified)
	field(3, m.Location)
	field(4, m.Version)
	return dst
}

// appendAttrs appends ,"name":value for each attribute of s present in m
// and included by p. Every member starts with a comma.
func appendAttrs(dst []byte, s *schema.Schema, m map[string]any, p *Projection, ref RefFunc) []byte {
	for _, a := range s.Attributes {
		v, ok := m[a.Name]
		if !ok || !p.Includes(s, nil, a) {
			continue
		}
		if ref != nil && IsReferenceList(a) {
			dst = appendAttrRefs(dst, s, a, v, p, ref)
			continue
		}
		dst = appendAttr(dst, s, nil, a, v, p)
	}
	return dst
}

// appendAttrRefs is appendAttr for a reference list, writing the "$ref"
// of each element that holds none with ref.
func appendAttrRefs(dst []byte, s *schema.Schema, a *schema.Attribute, v any, p *Projection, ref RefFunc) []byte {
	refSub := a.SubAttribute("$ref")
	if !p.Includes(s, a, refSub) {
		return appendAttr(dst, s, nil, a, v, p)
	}
	arr, ok := v.([]any)
	if !ok {
		return dst
	}
	mark := len(dst)
	dst = append(dst, ',')
	dst = appendString(dst, a.Name)
	dst = append(dst, ":["...)
	n := 0
	for _, e := range arr {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		before := len(dst)
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '{')
		inner := len(dst)
		for _, sub := range a.SubAttributes {
			sv, ok := m[sub.Name]
			if sub == refSub && !ok {
				value, _ := m["value"].(string)
				if value == "" {
					continue
				}
				typ, _ := m["type"].(string)
				at := len(dst)
				dst = append(dst, `,"`...)
				dst = append(dst, sub.Name...)
				dst = append(dst, `":`...)
				var ok bool
				if dst, ok = ref(dst, typ, value); !ok {
					dst = dst[:at]
				}
				continue
			}
			if !ok || !p.Includes(s, a, sub) {
				continue
			}
			dst = appendAttr(dst, s, a, sub, sv, p)
		}
		if len(dst) == inner {
			dst = dst[:before] // no sub-attribute to write
			continue
		}
		dst = append(dropComma(dst, inner), '}')
		n++
	}
	if n == 0 {
		return dst[:mark]
	}
	return append(dst, ']')
}

// appendAttr appends ,"name":value, or nothing when the value writes empty.
func appendAttr(dst []byte, s *schema.Schema, parent, a *schema.Attribute, v any, p *Projection) []byte {
	mark := len(dst)
	dst = append(dst, ',')
	dst = appendString(dst, a.Name)
	dst = append(dst, ':')
	start := len(dst)
	if a.MultiValued {
		arr, ok := v.([]any)
		if !ok {
			return dst[:mark]
		}
		dst = append(dst, '[')
		n := 0
		for _, e := range arr {
			before := len(dst)
			if n > 0 {
				dst = append(dst, ',')
			}
			elem := len(dst)
			dst = appendSingle(dst, s, a, e, p)
			if len(dst) == elem {
				dst = dst[:before]
				continue
			}
			n++
		}
		if n == 0 {
			return dst[:mark]
		}
		return append(dst, ']')
	}
	dst = appendSingle(dst, s, a, v, p)
	if len(dst) == start {
		return dst[:mark]
	}
	return dst
}

// appendSingle appends one value of a, or nothing when a complex value has
// no sub-attribute to write.
func appendSingle(dst []byte, s *schema.Schema, a *schema.Attribute, v any, p *Projection) []byte {
	if a.Type == schema.Complex {
		m, ok := v.(map[string]any)
		if !ok {
			return dst
		}
		mark := len(dst)
		dst = append(dst, '{')
		inner := len(dst)
		for _, sub := range a.SubAttributes {
			sv, ok := m[sub.Name]
			if !ok || !p.Includes(s, a, sub) {
				continue
			}
			dst = appendAttr(dst, s, a, sub, sv, p)
		}
		if len(dst) == inner {
			return dst[:mark]
		}
		return append(dropComma(dst, inner), '}')
	}
	return appendScalar(dst, v)
}

// dropComma removes the comma at dst[at] that starts an object's first member.
func dropComma(dst []byte, at int) []byte { return append(dst[:at], dst[at+1:]...) }

func appendScalar(dst []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		return appendString(dst, v)
	case bool:
		return strconv.AppendBool(dst, v)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case float64:
		return appendFloat(dst, v)
	case json.Number:
		return append(dst, v...)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return append(dst, "null"...)
	}
	return append(dst, b...)
}

func appendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(dst, f, format, -1, 64)
}

const hexDigits = "0123456789abcdef"

// plainJSON reports whether b is written as it is in a JSON string:
// printable ASCII other than '"' and '\\'.
func plainJSON(b byte) bool { return b >= 0x20 && b < utf8.RuneSelf && b != '"' && b != '\\' }

// plainJSON8 is plainJSON for the eight bytes of x at once: no byte has
// the high bit set, is below 0x20, or equals '"' or '\\'.
func plainJSON8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zeroByte := func(v uint64) uint64 { return (v - ones) &^ v & highs }
	return x&highs == 0 && // all ASCII, so the subtractions below borrow only from zero bytes
		(x-0x20*ones)&^x&highs == 0 && // no byte below 0x20
		zeroByte(x^('"'*ones)) == 0 && zeroByte(x^('\\'*ones)) == 0
}

// appendString appends s as a JSON string, escaping as encoding/json does
// but without HTML escaping; invalid UTF-8 becomes U+FFFD.
func appendString(dst []byte, s string) []byte {
	return append(appendEscaped(append(dst, '"'), s), '"')
}

// appendEscaped appends the content of s as a JSON string holds it,
// without the quotes.
func appendEscaped(dst []byte, s string) []byte {
	// Most strings are printable ASCII without quotes or backslashes:
	// find where the first byte that is not starts, eight at a time.
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if !plainJSON8(x) {
			break
		}
	}
	for ; i < len(s) && plainJSON(s[i]); i++ {
	}
	if i == len(s) {
		return append(dst, s...)
	}
	start := 0
	for i < len(s) {
		b := s[i]
		if b < utf8.RuneSelf {
			if plainJSON(b) {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}

// AppendString appends s as a JSON string, as AppendJSON writes strings.
func AppendString(dst []byte, s string) []byte { return appendString(dst, s) }

// AppendJoined appends the concatenation of parts as one JSON string,
// without making it.
func AppendJoined(dst []byte, parts ...string) []byte {
	dst = append(dst, '"')
	for _, p := range parts {
		dst = appendEscaped(dst, p)
	}
	return append(dst, '"')
}
