package document

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scimkit/scimkit/schema"
)

// DecodeOptions controls how request bodies are read.
//
// By default scimkit accepts what Microsoft Entra ID and Okta send although
// RFC 7643 does not describe it: attributes the schema does not define are
// ignored, boolean attributes accept the strings "true" and "false" in any
// case, schema URIs other than the resource type's are ignored, and a
// single-valued complex attribute with a "value" sub-attribute accepts a bare
// value or a one-element array (Entra's "manager": "id"), and "" is read as
// unassigned, as Entra ID sends it to clear an attribute.
type DecodeOptions struct {
	// Strict rejects everything listed above with invalidSyntax or
	// invalidValue instead, and keeps "" as the string value it is (RFC
	// 7643 §2.3.1; §2.5 names only null and [] as unassigned).
	Strict bool
	// KeepEmptyStrings keeps "" as a value without the rest of Strict: a
	// store reading back what it stored sets it, so that a "" a strict
	// service stored reads back as "".
	KeepEmptyStrings bool
	// ValidUTF8 says that the caller has checked that the body is valid
	// UTF-8 (CheckJSON does), so that Decode does not check it again.
	ValidUTF8 bool
}

// keepEmpty reports whether "" is a value rather than unassigned.
func (o DecodeOptions) keepEmpty() bool { return o.Strict || o.KeepEmptyStrings }

// ParseJSON parses one JSON value, keeping numbers exact as json.Number. It
// rejects invalid UTF-8 and trailing data. Errors are *Error with scimType
// invalidSyntax.
func ParseJSON(data []byte) (any, error) {
	if !utf8.Valid(data) {
		return nil, InvalidSyntaxError("request body is not valid UTF-8")
	}
	return parseValid(data)
}

// parseValid is ParseJSON for data known to be valid UTF-8.
func parseValid(data []byte) (any, error) {
	p := parser{data: data}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if p.space(); p.i < len(data) {
		return nil, InvalidSyntaxError("request body has data after the JSON value")
	}
	return v, nil
}

// Decode reads a resource of type rt from a JSON request body (POST or PUT).
// Attribute names match case-insensitively (RFC 7643 §2.1) and are stored
// with the schema's spelling; extension attributes are read from the object
// under the extension's URN, or from keys that are full URN paths
// ("urn:...:enterprise:2.0:User:employeeNumber"). null, "", [] and {} mean
// unassigned (§2.5). "id" and "meta" are ignored: they are readOnly
// (RFC 7644 §3.5.1). Values are converted to the canonical Go values that
// Resource describes.
//
// The body's "schemas" must be present and name rt's core schema (RFC 7643
// §3). Every error is an *Error with scimType invalidSyntax or invalidValue.
// Decode checks values one by one; ValidateCreate and ValidateReplace check
// the resource as a whole.
func Decode(rt *schema.ResourceType, data []byte, opts DecodeOptions) (*schema.Resource, error) {
	valid := opts.ValidUTF8 || utf8.Valid(data)
	if valid {
		d := directDecoder{parser: parser{data: data}, rt: rt, opts: opts}
		if r, ok := d.resource(); ok {
			if d.space(); d.i == len(data) {
				return r, nil
			}
		}
	}
	// The generic path: parse, then decode. It is the reference for the
	// direct decoder above, and it reports errors in their exact form.
	if !valid {
		return nil, InvalidSyntaxError("request body is not valid UTF-8")
	}
	v, err := parseValid(data)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, InvalidSyntaxError("request body must be a JSON object, not %s", jsonKind(v))
	}
	return DecodeObject(rt, obj, opts)
}

// DecodeObject is Decode for a body already parsed by ParseJSON, such as the
// "data" of a Bulk operation.
func DecodeObject(rt *schema.ResourceType, obj map[string]any, opts DecodeOptions) (*schema.Resource, error) {
	r := &schema.Resource{Attributes: make(map[string]any, len(obj))}
	var schemas []string
	sawSchemas := false
	var buf [24]string
	for _, k := range sortedKeys(obj, buf[:0]) {
		v := obj[k]
		switch {
		case strings.EqualFold(k, "schemas"):
			sawSchemas = true
			var err error
			if schemas, err = schemaList(v); err != nil {
				return nil, err
			}
			continue
		case strings.EqualFold(k, "id"), strings.EqualFold(k, "meta"):
			continue // readOnly: ignored (RFC 7644 §3.5.1)
		case strings.EqualFold(k, "externalId"):
			s, err := DecodeValue(commonAttrs[1], v, opts)
			if err != nil {
				return nil, err
			}
			r.ExternalID, _ = s.(string)
			continue
		}
		if ext := rt.Extension(k); ext != nil {
			if err := decodeExtension(r, ext, v, opts); err != nil {
				return nil, err
			}
			continue
		}
		s, target, name := rt.Schema, r.Attributes, k
		extID := ""
		if urn, rest, ok := SplitURN(rt, k); ok {
			name = rest
			if ext := rt.Extension(urn); ext != nil {
				s, extID = ext.Schema, ext.Schema.ID
				if target, _ = r.Attributes[extID].(map[string]any); target == nil {
					target = map[string]any{}
				}
			}
		}
		a := s.Attribute(name)
		if a == nil {
			if opts.Strict {
				return nil, InvalidSyntaxError("attribute %q is not defined by schema %s", k, s.ID)
			}
			continue
		}
		val, err := decodeAt(a, v, opts, a.Name)
		if err != nil {
			return nil, err
		}
		if val != nil {
			target[a.Name] = val
			if extID != "" {
				r.Attributes[extID] = target
			}
		}
	}
	if !sawSchemas {
		return nil, InvalidSyntaxError("request body has no \"schemas\" attribute (RFC 7643 §3 requires it)")
	}
	if err := checkSchemas(rt, r, schemas, opts); err != nil {
		return nil, err
	}
	return r, nil
}

func decodeExtension(r *schema.Resource, ext *schema.Extension, v any, opts DecodeOptions) error {
	if v == nil {
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return InvalidValueError("%q must be a JSON object, not %s", ext.Schema.ID, jsonKind(v))
	}
	m, _ := r.Attributes[ext.Schema.ID].(map[string]any)
	if m == nil {
		m = make(map[string]any, len(obj))
	}
	var buf [24]string
	for _, k := range sortedKeys(obj, buf[:0]) {
		a := ext.Schema.Attribute(k)
		if a == nil {
			if opts.Strict {
				return InvalidSyntaxError("attribute %q is not defined by schema %s", k, ext.Schema.ID)
			}
			continue
		}
		val, err := decodeAt(a, obj[k], opts, ext.Schema.ID+":"+a.Name)
		if err != nil {
			return err
		}
		if val != nil {
			m[a.Name] = val
		}
	}
	if len(m) > 0 {
		r.Attributes[ext.Schema.ID] = m
	}
	return nil
}

func schemaList(v any) ([]string, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, InvalidSyntaxError("\"schemas\" must be an array of URI strings")
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		s, ok := e.(string)
		if !ok {
			return nil, InvalidSyntaxError("\"schemas\" must be an array of URI strings")
		}
		out = append(out, s)
	}
	return out, nil
}

// checkSchemas checks the body's "schemas" against rt (RFC 7643 §3): the
// core schema must be listed; in strict mode every URI must be one of rt's
// and every extension present must be listed.
func checkSchemas(rt *schema.ResourceType, r *schema.Resource, schemas []string, opts DecodeOptions) error {
	core := false
	for _, s := range schemas {
		switch {
		case strings.EqualFold(s, rt.Schema.ID):
			core = true
		case rt.Extension(s) != nil:
		case opts.Strict:
			return InvalidSyntaxError("\"schemas\" lists %q, which is not a schema of resource type %s", s, rt.Name)
		}
	}
	if !core {
		return InvalidSyntaxError("\"schemas\" must contain %q for resource type %s", rt.Schema.ID, rt.Name)
	}
	if opts.Strict {
		for _, e := range rt.Extensions {
			if _, ok := r.Attributes[e.Schema.ID]; ok && !slices.ContainsFunc(schemas, func(s string) bool { return strings.EqualFold(s, e.Schema.ID) }) {
				return InvalidSyntaxError("the body has attributes of %s but \"schemas\" does not list it", e.Schema.ID)
			}
		}
	}
	return nil
}

// DecodeValue converts a JSON value, as ParseJSON returns it, to the
// canonical Go value for attribute a (see Resource). It returns nil for an
// unassigned value: null, "" (unless opts keep it), [] or an object with
// no assigned sub-attribute. Numbers may also be float64 or int64. Errors are *Error
// with scimType invalidValue, or invalidSyntax for an undefined
// sub-attribute in strict mode.
func DecodeValue(a *schema.Attribute, v any, opts DecodeOptions) (any, error) {
	return decodeAt(a, v, opts, a.Name)
}

func decodeAt(a *schema.Attribute, v any, opts DecodeOptions, path string) (any, error) {
	if v == nil {
		return nil, nil
	}
	if !a.MultiValued {
		if arr, ok := v.([]any); ok && a.Type == schema.Complex && !opts.Strict && len(arr) <= 1 {
			// Entra sends single-valued complex attributes as one-element arrays.
			if len(arr) == 0 {
				return nil, nil
			}
			v = arr[0]
		}
		return decodeSingle(a, v, opts, path)
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, InvalidValueError("attribute %q is multi-valued and must be a JSON array, not %s", path, jsonKind(v))
	}
	out := make([]any, 0, len(arr))
	for i, e := range arr {
		if e == nil {
			return nil, InvalidValueError("attribute %q has a null element at index %d", path, i)
		}
		val, err := decodeSingle(a, e, opts, path+"["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		if val != nil {
			out = append(out, val)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func decodeSingle(a *schema.Attribute, v any, opts DecodeOptions, path string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch a.Type {
	case schema.String, schema.Reference:
		s, ok := v.(string)
		if !ok {
			return nil, wrongType(path, "a string", v)
		}
		if s == "" && !opts.keepEmpty() {
			return nil, nil
		}
		return v, nil // already boxed: no new allocation
	case schema.Boolean:
		switch b := v.(type) {
		case bool:
			return b, nil
		case string:
			if !opts.Strict {
				if strings.EqualFold(b, "true") {
					return true, nil
				}
				if strings.EqualFold(b, "false") {
					return false, nil
				}
			}
		}
		return nil, wrongType(path, "a boolean", v)
	case schema.Integer:
		return decodeInteger(v, path)
	case schema.Decimal:
		return decodeDecimal(v, path)
	case schema.DateTime:
		s, ok := v.(string)
		if !ok {
			return nil, wrongType(path, "a dateTime string", v)
		}
		if s == "" && !opts.Strict {
			return nil, nil // "" is no dateTime: unassigned, or refused when strict
		}
		if _, err := ParseDateTime(s); err != nil {
			return nil, InvalidValueError("attribute %q: %q is not an xsd:dateTime such as \"2008-01-23T04:56:22Z\" (RFC 7643 §2.3.5)", path, s)
		}
		return v, nil
	case schema.Binary:
		s, ok := v.(string)
		if !ok {
			return nil, wrongType(path, "a base64 string", v)
		}
		if s == "" && !opts.keepEmpty() {
			return nil, nil
		}
		if !validBase64(s) {
			return nil, InvalidValueError("attribute %q is not valid base64 (RFC 7643 §2.3.6)", path)
		}
		return s, nil
	case schema.Complex:
		obj, ok := v.(map[string]any)
		if !ok {
			if sub := a.SubAttribute("value"); sub != nil && !a.MultiValued && !opts.Strict {
				if _, isArr := v.([]any); !isArr {
					obj = map[string]any{sub.Name: v} // Entra's "manager": "id"
					ok = true
				}
			}
			if !ok {
				return nil, wrongType(path, "a JSON object", v)
			}
		}
		out := make(map[string]any, len(obj))
		var buf [16]string
		for _, k := range sortedKeys(obj, buf[:0]) {
			sub := a.SubAttribute(k)
			if sub == nil {
				if opts.Strict {
					return nil, InvalidSyntaxError("attribute %q has no sub-attribute %q", path, k)
				}
				continue
			}
			val, err := decodeAt(sub, obj[k], opts, path+"."+sub.Name)
			if err != nil {
				return nil, err
			}
			if val != nil {
				out[sub.Name] = val
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	return nil, InvalidValueError("attribute %q has an unknown type", path)
}

func decodeInteger(v any, path string) (any, error) {
	switch n := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, nil
		}
		if f, err := strconv.ParseFloat(string(n), 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return int64(f), nil
		}
		return nil, InvalidValueError("attribute %q: %s is not an integer (RFC 7643 §2.3.4)", path, n)
	case int64:
		return n, nil
	case int:
		return int64(n), nil
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<63 {
			return int64(n), nil
		}
		return nil, InvalidValueError("attribute %q: %v is not an integer (RFC 7643 §2.3.4)", path, n)
	}
	return nil, wrongType(path, "an integer", v)
}

func decodeDecimal(v any, path string) (any, error) {
	var f float64
	switch n := v.(type) {
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(n), 64); err != nil {
			return nil, InvalidValueError("attribute %q: %s is out of range for a decimal", path, n)
		}
	case float64:
		f = n
	case int64:
		f = float64(n)
	case int:
		f = float64(n)
	default:
		return nil, wrongType(path, "a number", v)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, InvalidValueError("attribute %q is not a finite number", path)
	}
	return f, nil
}

func validBase64(s string) bool {
	if _, err := base64.StdEncoding.DecodeString(s); err == nil {
		return true
	}
	_, err := base64.RawStdEncoding.DecodeString(s)
	return err == nil
}

// ParseDateTime parses an xsd:dateTime (RFC 7643 §2.3.5), such as
// "2008-01-23T04:56:22Z" or "2008-01-23T04:56:22.123+02:00". A value
// without a time zone is taken as UTC.
func ParseDateTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02T15:04:05.999999999", s)
}

func wrongType(path, want string, v any) *schema.Error {
	return InvalidValueError("attribute %q must be %s, not %s", path, want, jsonKind(v))
}

// jsonKind names the JSON kind of a parsed value for error details.
func jsonKind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		if len(v) > 40 {
			v = v[:37] + "..."
		}
		return "the string " + strconv.Quote(v)
	case bool:
		return "the boolean " + strconv.FormatBool(v)
	case json.Number, float64, int64, int:
		return fmt.Sprintf("the number %v", v)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

// sortedKeys appends the keys of m to buf and sorts them: decoding visits
// members in a fixed order, so that the first error is always the same.
// A caller's array behind buf keeps small objects off the heap.
func sortedKeys(m map[string]any, buf []string) []string {
	for k := range m {
		buf = append(buf, k)
	}
	slices.Sort(buf)
	return buf
}

// DecodeStored puts the attributes of obj, a JSON object a store wrote of
// a resource of rt (core attributes, and extensions under their URNs),
// into attrs, decoded with opts. Members rt does not know are skipped. The
// error names the member that does not decode.
func DecodeStored(rt *schema.ResourceType, obj, attrs map[string]any, opts DecodeOptions) error {
	for k, v := range obj {
		if ext := rt.Extension(k); ext != nil {
			m, _ := v.(map[string]any)
			out := make(map[string]any, len(m))
			for name, x := range m {
				a := ext.Schema.Attribute(name)
				if a == nil {
					continue
				}
				var err error
				if out[a.Name], err = DecodeValue(a, x, opts); err != nil {
					return fmt.Errorf("stored attribute %q: %w", k+":"+name, err)
				}
			}
			attrs[ext.Schema.ID] = out
		} else if a := rt.Schema.Attribute(k); a != nil {
			var err error
			if attrs[a.Name], err = DecodeValue(a, v, opts); err != nil {
				return fmt.Errorf("stored attribute %q: %w", k, err)
			}
		}
	}
	return nil
}
