package schema

import (
	"fmt"
	"slices"
	"strings"
)

// Keep returns a copy of rt with only the attributes that paths name, for
// a store that keeps only those (a table with a column each, say).
// Discovery (/Schemas) then advertises only them, a filter or sort on any
// other gets 400 invalidFilter, and what an identity provider sends for
// the attributes left out is dropped, unless the handler is strict, which
// refuses it (Dropped tells them apart from attributes rt never had).
//
// A path names an attribute of the core schema ("emails", kept whole), a
// sub-attribute ("name.givenName": name with only the sub-attributes
// named), or either qualified by an extension's URN
// ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager").
// Names match case-insensitively. Extensions none of whose attributes are
// named are left out. Keep fails for a path rt does not define, and when a
// required attribute (or required sub-attribute of a kept attribute) of
// the core schema or of a required extension is not kept. rt is not
// changed; the copy shares nothing with it that Keep changed.
func (rt *ResourceType) Keep(paths ...string) (*ResourceType, error) {
	// wanted: schema ID -> attribute name -> sub-attribute names (nil: whole)
	wanted := map[*Schema]map[*Attribute][]*Attribute{}
	for _, p := range paths {
		urn, rest := "", p
		if i := strings.LastIndexByte(p, ':'); i >= 0 {
			urn, rest = p[:i], p[i+1:]
		}
		name, sub, hasSub := strings.Cut(rest, ".")
		a, ext := rt.Attribute(urn, name)
		if a != nil && ext == nil && findAttr(commonAttrs, a.Name) == a {
			continue // id, externalId and meta: every resource has them
		}
		s := rt.Schema
		if ext != nil {
			s = ext.Schema
		}
		if a == nil || s.Attribute(a.Name) != a {
			return nil, fmt.Errorf("schema: resource type %s has no attribute %q to keep", rt.Name, p)
		}
		if wanted[s] == nil {
			wanted[s] = map[*Attribute][]*Attribute{}
		}
		subs, seen := wanted[s][a]
		switch {
		case !hasSub:
			wanted[s][a] = nil // whole
		case seen && subs == nil:
			// already whole
		default:
			sa := a.SubAttribute(sub)
			if sa == nil {
				return nil, fmt.Errorf("schema: resource type %s has no attribute %q to keep", rt.Name, p)
			}
			if !slices.Contains(subs, sa) {
				wanted[s][a] = append(subs, sa)
			}
		}
	}
	out := &ResourceType{ID: rt.ID, Name: rt.Name, Description: rt.Description, Endpoint: rt.Endpoint, dropped: map[string]bool{}}
	var err error
	if out.Schema, err = keepSchema(rt.Schema, wanted[rt.Schema], true, out.dropped); err != nil {
		return nil, err
	}
	for _, e := range rt.Extensions {
		if wanted[e.Schema] == nil {
			if e.Required {
				return nil, fmt.Errorf("schema: resource type %s requires extension %s: keep its required attributes", rt.Name, e.Schema.ID)
			}
			for _, a := range e.Schema.Attributes {
				out.dropped[droppedKey(e.Schema.ID, a.Name, "")] = true
			}
			continue
		}
		s, err := keepSchema(e.Schema, wanted[e.Schema], e.Required, out.dropped)
		if err != nil {
			return nil, err
		}
		out.Extensions = append(out.Extensions, Extension{Schema: s, Required: e.Required})
	}
	for k := range rt.dropped { // what an earlier Keep left out stays left out
		out.dropped[k] = true
	}
	return out, nil
}

// keepSchema returns a copy of s with the attributes of want, in s's
// order, recording in dropped what it leaves out. With required, every
// required attribute must be kept.
func keepSchema(s *Schema, want map[*Attribute][]*Attribute, required bool, dropped map[string]bool) (*Schema, error) {
	out := *s
	out.Attributes = nil
	for _, a := range s.Attributes {
		subs, ok := want[a]
		if !ok {
			if required && a.Required {
				return nil, fmt.Errorf("schema: %s requires attribute %q: keep it", s.ID, a.Name)
			}
			dropped[droppedKey(s.ID, a.Name, "")] = true
			continue
		}
		c := *a
		if subs != nil {
			c.SubAttributes = nil
			for _, sa := range a.SubAttributes {
				if slices.Contains(subs, sa) {
					c.SubAttributes = append(c.SubAttributes, sa)
					continue
				}
				if sa.Required {
					return nil, fmt.Errorf("schema: %s requires sub-attribute %q of %q: keep it", s.ID, sa.Name, a.Name)
				}
				dropped[droppedKey(s.ID, a.Name, sa.Name)] = true
			}
		}
		out.Attributes = append(out.Attributes, &c)
	}
	return &out, nil
}

func droppedKey(urn, name, sub string) string {
	k := strings.ToLower(urn + ":" + name)
	if sub != "" {
		k += "." + strings.ToLower(sub)
	}
	return k
}

// Dropped reports whether Keep left out the attribute name (with sub, its
// sub-attribute sub) of the schema urn: "" means the core schema and,
// for names that are not the core schema's, any extension, as identity
// providers send extension attributes unqualified.
func (rt *ResourceType) Dropped(urn, name, sub string) bool {
	if len(rt.dropped) == 0 {
		return false
	}
	if urn != "" {
		return rt.dropped[droppedKey(urn, name, sub)] || sub != "" && rt.dropped[droppedKey(urn, name, "")]
	}
	for k := range rt.dropped {
		// The core schema's, or an extension's, by its name.
		if i := strings.LastIndexByte(k, ':'); i >= 0 {
			rest := k[i+1:]
			if rest == strings.ToLower(name) || sub != "" && rest == strings.ToLower(name+"."+sub) {
				return true
			}
		}
	}
	return false
}
