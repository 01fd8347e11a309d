package document

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/internal/clone"
	"github.com/scimkit/scimkit/internal/valuekey"
	"github.com/scimkit/scimkit/schema"
)

// ValidateCreate checks r, a resource a client asked to create, and returns
// the resource to store: r without its readOnly values (including "id" and
// "meta"), since RFC 7644 §3.3 has the service provider ignore them. r is
// not changed; the result shares the values of r it did not change.
// It reports a missing required attribute or extension, a value whose Go
// type does not match its attribute's type, an attribute the schema does
// not define, and more than one "primary": true in a multi-valued attribute
// (RFC 7643 §2.4). Errors are *Error with scimType invalidValue.
func ValidateCreate(rt *schema.ResourceType, r *schema.Resource) (*schema.Resource, error) {
	// Copy on write: out shares r's values and copies only the maps it
	// changes, so r is left as it was.
	out := &schema.Resource{ExternalID: r.ExternalID, Attributes: maps.Clone(r.Attributes)}
	for _, e := range rt.Extensions {
		if m, ok := out.Attributes[e.Schema.ID].(map[string]any); ok {
			out.Attributes[e.Schema.ID] = maps.Clone(m)
		}
	}
	return ValidateCreateOwned(rt, out)
}

// ValidateCreateOwned is ValidateCreate for a resource the caller owns,
// with its top-level and extension maps (a resource Decode returned, say):
// it is changed in place and returned, without its ID and Meta.
func ValidateCreateOwned(rt *schema.ResourceType, r *schema.Resource) (*schema.Resource, error) {
	r.ID, r.Meta = "", schema.Meta{}
	if r.Attributes == nil {
		r.Attributes = map[string]any{}
	}
	forEachSchema(rt, r.Attributes, func(s *schema.Schema, m map[string]any) {
		for _, a := range s.Attributes {
			dropReadOnly(a, m)
		}
	})
	return r, check(rt, r, nil)
}

// ValidateReplace checks r, the complete new state of the stored resource
// old (from PUT, or computed by PATCH), and returns the resource to store,
// following RFC 7644 §3.5.1:
//   - readOnly values are taken from old, whatever r says;
//   - an immutable attribute that old has may be omitted (old's value is
//     kept) or repeated unchanged; a different value is a mutability error;
//   - an attribute that is never returned (such as "password") and that r
//     omits keeps old's value, since no client could have read it back.
//
// Immutability is enforced for top-level attributes and the sub-attributes
// of single-valued complex attributes; the elements of multi-valued
// attributes have no identity, so they may be added and removed freely.
// The ID and Meta of old are kept. The checks of ValidateCreate apply too.
// The result shares values with r (the elements of multi-valued
// attributes) and copies what it takes from old, so that it shares nothing
// with a stored resource.
func ValidateReplace(rt *schema.ResourceType, old, r *schema.Resource) (*schema.Resource, error) {
	return validateUpdate(rt, old, r, true)
}

// ValidatePatch is ValidateReplace for the result of applying PATCH
// operations to old: r holds exactly the values wanted, so an attribute
// missing from r has been removed and stays removed, and an immutable
// attribute that old has may not be removed or changed. readOnly values
// still come from old. A required attribute that the operations removed
// or left unassigned is scimType mutability (RFC 7644 §3.5.2.2).
func ValidatePatch(rt *schema.ResourceType, old, r *schema.Resource) (*schema.Resource, error) {
	res, err := validateUpdate(rt, old, r, false)
	if err != nil && errors.Is(err, errRequired) {
		return nil, asMutability(err)
	}
	return res, err
}

// asMutability returns err, a requiredError, with scimType mutability. It
// is apart from ValidatePatch so that the success path allocates nothing.
func asMutability(err error) error {
	var se *schema.Error
	if !errors.As(err, &se) {
		return err
	}
	e := *se
	e.Type = schema.ScimMutability
	return &e
}

// errRequired is wrapped by the error for a required attribute without a
// value.
var errRequired = errors.New("schema: a required attribute has no value")

// requiredError is the error for required attribute path without a value:
// invalidValue, which ValidatePatch turns into mutability.
func requiredError(path pathOf) *schema.Error {
	e := InvalidValueError("attribute %q is required", path)
	e.Err = errRequired
	return e
}

func validateUpdate(rt *schema.ResourceType, old, r *schema.Resource, keepOmitted bool) (*schema.Resource, error) {
	// Copy on write: out shares r's values and copies only what it changes,
	// so validating a group of 100,000 members does not copy them.
	out := &schema.Resource{ID: old.ID, ExternalID: r.ExternalID, Meta: old.Meta, Attributes: maps.Clone(r.Attributes)}
	if out.Attributes == nil {
		out.Attributes = map[string]any{}
	}
	var err error
	merge := func(s *schema.Schema, ext *schema.Extension) {
		newM, oldM := out.Attributes, old.Attributes
		if ext != nil {
			newM, _ = out.Attributes[s.ID].(map[string]any)
			oldM, _ = old.Attributes[s.ID].(map[string]any)
			newM = maps.Clone(newM)
			if newM == nil {
				newM = map[string]any{}
			}
		}
		for _, a := range s.Attributes {
			if e := mergeReplace(a, newM, oldM, a.Name, keepOmitted); e != nil && err == nil {
				err = e
			}
		}
		if ext != nil {
			if len(newM) > 0 {
				out.Attributes[s.ID] = newM
			} else {
				delete(out.Attributes, s.ID)
			}
		}
	}
	merge(rt.Schema, nil)
	for i := range rt.Extensions {
		merge(rt.Extensions[i].Schema, &rt.Extensions[i])
	}
	if err != nil {
		return nil, err
	}
	return out, check(rt, out, old)
}

// mergeReplace applies the §3.5.1 mutability rules for attribute a between
// the new values m and the old values old.
func mergeReplace(a *schema.Attribute, m, old map[string]any, path string, keepOmitted bool) error {
	nv, hasNew := m[a.Name]
	ov, hasOld := old[a.Name]
	switch {
	case a.Mutability == schema.ReadOnly:
		if hasOld {
			m[a.Name] = clone.Value(ov)
		} else {
			delete(m, a.Name)
		}
		return nil
	case a.Mutability == schema.Immutable && hasOld:
		if !hasNew && keepOmitted {
			m[a.Name] = clone.Value(ov)
			return nil
		}
		if !hasNew || !Equal(a, nv, ov) {
			return MutabilityError("attribute %q is immutable and already set; it cannot be changed", path)
		}
		return nil
	case a.Returned == schema.ReturnedNever && !hasNew && hasOld && keepOmitted:
		m[a.Name] = clone.Value(ov)
		return nil
	}
	if a.Type != schema.Complex || (!hasNew && (a.MultiValued || !hasOld || !keepOmitted)) {
		if !hasNew && hasOld && !keepOmitted && a.Type == schema.Complex && !a.MultiValued {
			// A removed complex attribute: none of its immutable values may go.
			om, _ := ov.(map[string]any)
			for _, sub := range a.SubAttributes {
				if _, ok := om[sub.Name]; ok && sub.Mutability == schema.Immutable {
					return MutabilityError("attribute %q is immutable and already set; it cannot be removed", path+"."+sub.Name)
				}
			}
		}
		return nil
	}
	if !hasNew {
		// An omitted single-valued complex attribute keeps only the
		// immutable sub-attributes it had.
		om, _ := ov.(map[string]any)
		nm := map[string]any{}
		for _, sub := range a.SubAttributes {
			if v, ok := om[sub.Name]; ok && sub.Mutability == schema.Immutable {
				nm[sub.Name] = clone.Value(v)
			}
		}
		if len(nm) > 0 {
			m[a.Name] = nm
		}
		return nil
	}
	if a.MultiValued {
		// readOnly sub-attributes in new values are ignored; copy only the
		// values that hold one.
		arr, _ := nv.([]any)
		if !slices.ContainsFunc(a.SubAttributes, func(s *schema.Attribute) bool { return s.Mutability == schema.ReadOnly }) {
			return nil
		}
		var copied []any
		for i, e := range arr {
			em, ok := e.(map[string]any)
			if !ok || !hasReadOnlySub(a, em) {
				continue
			}
			if copied == nil {
				copied = slices.Clone(arr)
			}
			em = maps.Clone(em)
			for _, sub := range a.SubAttributes {
				if sub.Mutability == schema.ReadOnly {
					delete(em, sub.Name)
				}
			}
			copied[i] = em
		}
		if copied != nil {
			m[a.Name] = copied
		}
		return nil
	}
	nm, ok := nv.(map[string]any)
	if !ok {
		return nil // check reports the type error
	}
	nm = maps.Clone(nm)
	m[a.Name] = nm
	om, _ := ov.(map[string]any)
	for _, sub := range a.SubAttributes {
		if err := mergeReplace(sub, nm, om, path+"."+sub.Name, keepOmitted); err != nil {
			return err
		}
	}
	if len(nm) == 0 {
		delete(m, a.Name)
	}
	return nil
}

func hasReadOnlySub(a *schema.Attribute, m map[string]any) bool {
	for _, sub := range a.SubAttributes {
		if _, ok := m[sub.Name]; ok && sub.Mutability == schema.ReadOnly {
			return true
		}
	}
	return false
}

// dropReadOnly removes a's value from m, which the caller owns, if a is
// readOnly, and the readOnly sub-attributes of its value. The values in m
// are shared: a value that holds a readOnly sub-attribute is copied before
// it is changed.
func dropReadOnly(a *schema.Attribute, m map[string]any) {
	v, ok := m[a.Name]
	if !ok {
		return
	}
	if a.Mutability == schema.ReadOnly {
		delete(m, a.Name)
		return
	}
	if a.Type != schema.Complex || !slices.ContainsFunc(a.SubAttributes, func(s *schema.Attribute) bool { return s.Mutability == schema.ReadOnly }) {
		return
	}
	strip := func(em map[string]any) map[string]any {
		if !hasReadOnlySub(a, em) {
			return em
		}
		em = maps.Clone(em)
		for _, sub := range a.SubAttributes {
			if sub.Mutability == schema.ReadOnly {
				delete(em, sub.Name)
			}
		}
		return em
	}
	switch v := v.(type) {
	case map[string]any:
		if v = strip(v); len(v) == 0 {
			delete(m, a.Name)
		} else {
			m[a.Name] = v
		}
	case []any:
		if !slices.ContainsFunc(v, func(e any) bool { em, ok := e.(map[string]any); return ok && hasReadOnlySub(a, em) }) {
			return
		}
		kept := make([]any, 0, len(v))
		for _, e := range v {
			if em, ok := e.(map[string]any); ok {
				if em = strip(em); len(em) == 0 {
					continue
				}
				e = em
			}
			kept = append(kept, e)
		}
		if len(kept) == 0 {
			delete(m, a.Name)
		} else {
			m[a.Name] = kept
		}
	}
}

// forEachSchema calls fn with the core schema and the core attribute map,
// then with each extension present in attrs and its map.
func forEachSchema(rt *schema.ResourceType, attrs map[string]any, fn func(*schema.Schema, map[string]any)) {
	fn(rt.Schema, attrs)
	for _, e := range rt.Extensions {
		if m, ok := attrs[e.Schema.ID].(map[string]any); ok {
			fn(e.Schema, m)
		}
	}
}

// check validates the whole resource: known attributes, Go types,
// required attributes and extensions, and at most one primary value. Values
// that share storage with old's, which were checked when old was stored, are
// not checked again: a PATCH adding one member to a large group checks one
// member.
func check(rt *schema.ResourceType, r, old *schema.Resource) error {
	var oldAttrs map[string]any
	if old != nil {
		oldAttrs = old.Attributes
	}
	for k, v := range r.Attributes {
		if a := rt.Schema.Attribute(k); a != nil && a.Name == k {
			continue
		}
		if e := rt.Extension(k); e != nil && e.Schema.ID == k {
			if _, ok := v.(map[string]any); !ok {
				return InvalidValueError("extension %q must be an object", k)
			}
			continue
		}
		return InvalidValueError("attribute %q is not defined by the schemas of resource type %s (or is not spelled as they spell it)", k, rt.Name)
	}
	if err := checkAttrs(rt.Schema, r.Attributes, oldAttrs, ""); err != nil {
		return err
	}
	for _, e := range rt.Extensions {
		m, ok := r.Attributes[e.Schema.ID].(map[string]any)
		if !ok {
			if e.Required {
				return InvalidValueError("resource type %s requires the extension %s", rt.Name, e.Schema.ID)
			}
			continue
		}
		om, _ := oldAttrs[e.Schema.ID].(map[string]any)
		if err := checkAttrs(e.Schema, m, om, e.Schema.ID+":"); err != nil {
			return err
		}
	}
	return nil
}

// checkAttrs checks the attributes of schema s in m. For an extension
// (prefix not empty) it also rejects keys s does not define; check does that
// for the core schema, whose map also holds the extensions.
func checkAttrs(s *schema.Schema, m, old map[string]any, prefix string) error {
	if prefix != "" {
		for k := range m {
			if a := s.Attribute(k); a == nil || a.Name != k {
				return InvalidValueError("attribute %q is not defined by schema %s (or is not spelled as it spells it)", prefix+k, s.ID)
			}
		}
	}
	for _, a := range s.Attributes {
		if v, ok := m[a.Name]; ok && sameStorage(v, old[a.Name]) {
			continue // unchanged since it was stored
		}
		if err := checkAttr(a, m, old[a.Name], prefix, "", true); err != nil {
			return err
		}
	}
	return nil
}

// checkAttr checks a's value in m; prefix and parent locate m (see pathOf)
// and are joined to a's name only for error messages, so that checking many
// values allocates nothing.
// owned says m belongs to the validation (the top-level and extension
// maps), so that a nil or empty value can be dropped from it; in a shared
// nested map such a value is an error.
func checkAttr(a *schema.Attribute, m map[string]any, old any, prefix, parent string, owned bool) error {
	path := pathOf{prefix, parent, a.Name}
	v, ok := m[a.Name]
	if !ok || v == nil {
		if a.Required && a.Mutability != schema.ReadOnly {
			return requiredError(path)
		}
		if ok && !owned {
			return InvalidValueError("attribute %q is null; leave it out instead", path)
		}
		delete(m, a.Name)
		return nil
	}
	if !a.MultiValued {
		return checkSingle(a, v, path)
	}
	arr, ok := v.([]any)
	if !ok {
		return InvalidValueError("attribute %q is multi-valued and must hold a []any, not %T", path, v)
	}
	if len(arr) == 0 {
		if a.Required && a.Mutability != schema.ReadOnly {
			return requiredError(path)
		}
		if !owned {
			return InvalidValueError("attribute %q is an empty array; leave it out instead", path)
		}
		delete(m, a.Name)
		return nil
	}
	primaries, kept := 0, 0
	oldArr, _ := old.([]any)
	for i, e := range arr {
		// Appending to a stored multi-valued attribute keeps its values in
		// place: those need no new check.
		if i < len(oldArr) && sameStorage(e, oldArr[i]) {
			kept++
		} else if err := checkSingle(a, e, path); err != nil {
			return err
		}
		if em, ok := e.(map[string]any); ok && em["primary"] == true {
			primaries++
		}
	}
	if primaries > 1 {
		return InvalidValueError("attribute %q has %d values with \"primary\": true; at most one is allowed (RFC 7643 §2.4)", path, primaries)
	}
	// Values appended to stored ones by PATCH add are not repeats (add
	// skips values already present): only other writes are looked at.
	if owned && (kept == 0 || kept < len(oldArr)) {
		if unique := withoutDuplicates(a, arr); len(unique) < len(arr) {
			m[a.Name] = unique
		}
	}
	return nil
}

// withoutDuplicates returns arr without the values that repeat an earlier
// one (RFC 7644 §3.5.2.1 keeps a value once): simple values equal as Equal
// says, complex ones with the same "value" (folded unless that
// sub-attribute is caseExact) and the same "type", a value without a
// "type" differing from one with it (PATCH add, which merges into a match,
// is looser), so that every store
// keeps, and every answer lists, a group member named twice once. Complex
// values without a "value" are kept. arr is not changed; it is returned
// as it is when nothing repeats.
func withoutDuplicates(a *schema.Attribute, arr []any) []any {
	if len(arr) < 2 {
		return arr
	}
	valueSub, typeSub := a.SubAttribute("value"), a.SubAttribute("type")
	var small [8]dupKey
	keys := small[:0]
	if len(arr) > len(small) {
		keys = make([]dupKey, 0, len(arr))
	}
	for _, v := range arr {
		keys = append(keys, dupKeyOf(a, valueSub, typeSub, v))
	}
	var out []any
	var seen map[dupKey]bool
	if len(keys) > len(small) {
		seen = make(map[dupKey]bool, len(keys))
	}
	for i, k := range keys {
		repeat := false
		switch {
		case !k.ok:
		case seen != nil:
			repeat = seen[k]
			seen[k] = true
		default:
			for j := range i {
				if keys[j] == k {
					repeat = true
					break
				}
			}
		}
		switch {
		case repeat && out == nil: // the first repeat: copy what came before
			out = append(make([]any, 0, len(arr)-1), arr[:i]...)
		case !repeat && out != nil:
			out = append(out, arr[i])
		}
	}
	if out == nil {
		return arr
	}
	return out
}

// dupKey is what withoutDuplicates compares a value by.
type dupKey struct {
	value, typ string
	ok         bool // false: a value without a key, never a repeat
}

// dupKeyOf returns the key of v, a value of multi-valued attribute a:
// simple values whole, complex ones by "value" and "type".
func dupKeyOf(a, valueSub, typeSub *schema.Attribute, v any) dupKey {
	m, ok := v.(map[string]any)
	if !ok {
		return dupKey{value: valuekey.Of(a.CaseExact, v), ok: true}
	}
	x, ok := m["value"]
	if valueSub == nil || !ok {
		return dupKey{}
	}
	k := dupKey{value: valuekey.Of(valueSub.CaseExact, x), ok: true}
	if t, ok := m["type"]; ok && typeSub != nil {
		k.typ = valuekey.Of(typeSub.CaseExact, t)
	}
	return k
}

// pathOf is an attribute path, built only when printed: prefix (an
// extension URN and ":", or ""), the parent complex attribute if any, and
// the attribute's name.
type pathOf struct{ prefix, parent, name string }

// String joins the path.
func (p pathOf) String() string {
	if p.parent == "" {
		return p.prefix + p.name
	}
	return p.prefix + p.parent + "." + p.name
}

func checkSingle(a *schema.Attribute, v any, path pathOf) error {
	ok := false
	switch a.Type {
	case schema.String, schema.Reference, schema.DateTime, schema.Binary:
		var s string
		s, ok = v.(string)
		if ok && a.Type == schema.DateTime {
			if _, err := ParseDateTime(s); err != nil {
				return InvalidValueError("attribute %q: %q is not an xsd:dateTime (RFC 7643 §2.3.5)", path, s)
			}
		}
		if ok && a.Type == schema.Binary && !validBase64(s) {
			return InvalidValueError("attribute %q is not valid base64 (RFC 7643 §2.3.6)", path)
		}
	case schema.Boolean:
		_, ok = v.(bool)
	case schema.Integer:
		_, ok = v.(int64)
	case schema.Decimal:
		_, ok = v.(float64)
	case schema.Complex:
		var sm map[string]any
		if sm, ok = v.(map[string]any); ok {
			for k := range sm {
				if sub := a.SubAttribute(k); sub == nil || sub.Name != k {
					return InvalidValueError("attribute %q has no sub-attribute %q", path, k)
				}
			}
			for _, sub := range a.SubAttributes {
				if err := checkAttr(sub, sm, nil, path.prefix, path.name, false); err != nil {
					return err
				}
			}
		}
	}
	if !ok {
		return InvalidValueError("attribute %q of type %s cannot hold a %T", path, a.Type, v)
	}
	return nil
}

// Equal reports whether two canonical values of attribute a are equal:
// strings compare case-insensitively unless a is caseExact, complex values
// sub-attribute by sub-attribute, and multi-valued values element by
// element in order.
func Equal(a *schema.Attribute, x, y any) bool {
	if a.MultiValued {
		xs, ok1 := x.([]any)
		ys, ok2 := y.([]any)
		if !ok1 || !ok2 || len(xs) != len(ys) {
			return false
		}
		single := *a
		single.MultiValued = false
		for i := range xs {
			if !Equal(&single, xs[i], ys[i]) {
				return false
			}
		}
		return true
	}
	switch a.Type {
	case schema.String, schema.Reference:
		xs, ok1 := x.(string)
		ys, ok2 := y.(string)
		if ok1 && ok2 {
			if a.CaseExact {
				return xs == ys
			}
			return strings.EqualFold(xs, ys)
		}
	case schema.Complex:
		xm, ok1 := x.(map[string]any)
		ym, ok2 := y.(map[string]any)
		if ok1 && ok2 {
			for _, sub := range a.SubAttributes {
				xv, xok := xm[sub.Name]
				yv, yok := ym[sub.Name]
				if xok != yok || (xok && !Equal(sub, xv, yv)) {
					return false
				}
			}
			return true
		}
	case schema.DateTime:
		xs, ok1 := x.(string)
		ys, ok2 := y.(string)
		if ok1 && ok2 {
			xt, err1 := ParseDateTime(xs)
			yt, err2 := ParseDateTime(ys)
			if err1 == nil && err2 == nil {
				return xt.Equal(yt)
			}
		}
	}
	if xn, ok := x.(json.Number); ok {
		x = string(xn)
	}
	if yn, ok := y.(json.Number); ok {
		y = string(yn)
	}
	return reflect.DeepEqual(x, y)
}

// sameStorage reports whether x and y are the same map or the same slice
// (not merely equal ones).
func sameStorage(x, y any) bool {
	switch xv := x.(type) {
	case []any:
		yv, ok := y.([]any)
		return ok && len(xv) == len(yv) && len(xv) > 0 && &xv[0] == &yv[0]
	case map[string]any:
		yv, ok := y.(map[string]any)
		return ok && xv != nil && reflect.ValueOf(xv).UnsafePointer() == reflect.ValueOf(yv).UnsafePointer()
	}
	return false
}

// ChangedAttributes lists the attributes of resource type rt whose values
// differ between a and b (either may be nil, for a resource that does not
// exist): "externalId", core attribute names ("active"), and extension
// attributes as "<URN>:<name>", in schema order. Values are compared
// exactly, as Changed compares them; values that share storage are equal
// without being compared.
func ChangedAttributes(rt *schema.ResourceType, a, b *schema.Resource) []string {
	var out []string
	var ax, bx string
	if a != nil {
		ax = a.ExternalID
	}
	if b != nil {
		bx = b.ExternalID
	}
	if ax != bx {
		out = append(out, "externalId")
	}
	get := func(r *schema.Resource, ext *schema.Extension, name string) any {
		if r == nil {
			return nil
		}
		if ext == nil {
			return r.Attributes[name]
		}
		m, _ := r.Attributes[ext.Schema.ID].(map[string]any)
		return m[name]
	}
	check := func(ext *schema.Extension, attrs []*schema.Attribute) {
		for _, at := range attrs {
			x, y := get(a, ext, at.Name), get(b, ext, at.Name)
			if x == nil && y == nil || sameStorage(x, y) || reflect.DeepEqual(x, y) {
				continue
			}
			if ext == nil {
				out = append(out, at.Name)
			} else {
				out = append(out, ext.Schema.ID+":"+at.Name)
			}
		}
	}
	check(nil, rt.Schema.Attributes)
	for i := range rt.Extensions {
		check(&rt.Extensions[i], rt.Extensions[i].Schema.Attributes)
	}
	return out
}

// Changed reports whether b differs from a in externalId or in any
// attribute. Values that share storage are taken as equal without being
// compared, so comparing a resource with a copy-on-write update of it costs
// only what the update changed.
func Changed(a, b *schema.Resource) bool {
	if a.ExternalID != b.ExternalID || len(a.Attributes) != len(b.Attributes) {
		return true
	}
	for k, bv := range b.Attributes {
		av, ok := a.Attributes[k]
		if !ok || !sameStorage(av, bv) && !reflect.DeepEqual(av, bv) {
			return true
		}
	}
	return false
}
