// Package quickpatch finds the PATCH requests that only set simple values
// (the common case: Entra ID replacing displayName and title, Okta
// replacing active), so that a store keeping resources as JSON can write
// them into the JSON (document.Spanner.SetValues) instead of decoding,
// patching, validating and encoding the resource. For such a request the
// result is the one patch.Apply gives; for any other, Sets declines and
// the store takes the general path.
package quickpatch

import (
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
)

// Sets returns what ops set, in order, when every operation is an add or a
// replace, with a path and no value filter, of a single-valued simple
// attribute of rt (of the core schema or an extension, or a sub-attribute
// of a single-valued complex attribute of the core schema) that is
// readWrite, returned by default and not unique, with a value that
// patch.Apply would decode and its validation accept, and not empty.
// Otherwise ok is false: ops may remove, reach into multi-valued
// attributes, write a common or unique attribute, or fail, and only
// patch.Apply says how.
func Sets(rt *schema.ResourceType, ops []patch.Operation, opts patch.Options) (sets []document.Set, ok bool) {
	if len(ops) > 8 {
		return nil, false // beyond what IdPs send to set values; keep the work bounded
	}
	sets = make([]document.Set, 0, len(ops))
	for i := range ops {
		s, ok := set(rt, &ops[i], opts)
		if !ok {
			return nil, false
		}
		sets = append(sets, s)
	}
	return sets, true
}

// set resolves one operation.
func set(rt *schema.ResourceType, op *patch.Operation, opts patch.Options) (document.Set, bool) {
	p := op.Path
	if op.Op != patch.Add && op.Op != patch.Replace || p == nil || p.Filter != nil || op.Value == nil {
		return document.Set{}, false
	}
	attr, ext := rt.Attribute(p.URN, p.Name)
	if attr == nil || ext == nil && rt.Schema.Attribute(attr.Name) != attr || !writable(attr) {
		return document.Set{}, false // unknown (maybe an unqualified extension attribute), or common
	}
	s := document.Set{Ext: ext, Attr: attr}
	target := attr
	if p.Sub != "" {
		if ext != nil || attr.Type != schema.Complex || attr.MultiValued {
			return document.Set{}, false
		}
		if s.Sub = attr.SubAttribute(p.Sub); s.Sub == nil || !writable(s.Sub) {
			return document.Set{}, false
		}
		target = s.Sub
	}
	if target.Type == schema.Complex || target.Type == schema.Decimal || target.MultiValued {
		return document.Set{}, false
	}
	v, err := document.ParseJSON(op.Value)
	if err != nil {
		return document.Set{}, false
	}
	dv, err := document.DecodeValue(target, v, document.DecodeOptions{Strict: opts.Strict})
	if err != nil || dv == nil || dv == "" || document.CheckValue(target, dv) != nil {
		return document.Set{}, false
	}
	s.Value = dv
	return s, true
}

// writable reports whether a PATCH may set a, which the JSON a store
// keeps holds, without a check beyond its value's.
func writable(a *schema.Attribute) bool {
	return a.Mutability == schema.ReadWrite && a.Returned == schema.ReturnedDefault && !a.Unique()
}
