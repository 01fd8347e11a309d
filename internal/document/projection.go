package document

import (
	"strings"
	"sync"

	"github.com/scimkit/scimkit/internal/clone"
	"github.com/scimkit/scimkit/schema"
)

// Projection decides which attributes a response carries, from each
// attribute's "returned" characteristic (RFC 7643 §7) and the request's
// "attributes" or "excludedAttributes" parameter (RFC 7644 §3.4.2.5):
//
//   - returned "never" (such as "password") is never written;
//   - returned "always" (such as "id") is always written;
//   - with "attributes", only the named attributes are written; naming a
//     sub-attribute ("name.givenName") writes its parent with only that
//     sub-attribute; naming an extension URN writes the whole extension;
//   - with "excludedAttributes", everything returned by default is written
//     except the named attributes; naming an extension URN leaves out the
//     whole extension (its "returned: always" attributes, if any, stay);
//   - otherwise every attribute returned by default is written;
//   - returned "request" attributes are written only when named.
//
// When both lists are given, "attributes" wins. Names that match no
// attribute are ignored. The nil *Projection is the default projection.
// A Projection is safe for concurrent use.
type Projection struct {
	include map[attrKey]bool        // named in "attributes"
	parent  map[attrKey]bool        // parents of sub-attributes named in "attributes"
	exclude map[attrKey]bool        // named in "excludedAttributes"
	exts    map[*schema.Schema]bool // whole extensions named in the list
	// mode is 'a' with "attributes", 'x' with "excludedAttributes", 0 otherwise.
	mode byte
	// requests: an attribute returned only on request is written.
	requests bool

	rt      *schema.ResourceType // the type p was made for
	once    sync.Once            // builds rules, id and meta
	rules   ruleTable            // how AppendEncoded writes each member, by name
	byPlace []int8               // the same, by place in memberNames(rt)
	id      bool                 // p writes id
	meta    bool                 // p writes meta, or part of it
}

// ruleTable maps member names to how AppendEncoded writes them: an open
// addressing table probed linearly from a hash of the name's length and
// end bytes, which a page of resources asks a dozen times a resource
// (cheaper than a map's string hash).
type ruleTable struct {
	slots [64]namedRule
	n     int
}

// namedRule is a member's name and how AppendEncoded writes it; rule 0 is
// an empty slot.
type namedRule struct {
	name string
	rule int8
}

func ruleHash(name string) int {
	return (len(name)*31 + int(name[0])*7 + int(name[len(name)-1])) & 63
}

// add puts name's rule in t, unless t is full (then get answers false for
// it and the caller works the rule out).
func (t *ruleTable) add(name string, rule int8) {
	if name == "" || t.n >= len(t.slots)*3/4 {
		return
	}
	for i := ruleHash(name); ; i = (i + 1) & 63 {
		if t.slots[i].rule == 0 {
			t.slots[i] = namedRule{name, rule}
			t.n++
			return
		}
		if t.slots[i].name == name {
			return
		}
	}
}

// get returns name's rule, and false when t does not hold it.
func (t *ruleTable) get(name string) (int8, bool) {
	if name == "" {
		return 0, false
	}
	for i := ruleHash(name); t.slots[i].rule != 0; i = (i + 1) & 63 {
		if t.slots[i].name == name {
			return t.slots[i].rule, true
		}
	}
	return 0, false
}

// Requests reports whether p writes an attribute returned only on request
// (RFC 7643 §7, "returned": "request"). Such attributes are not in the
// JSON of an Encoded resource, so AppendEncoded cannot write them.
func (p *Projection) Requests() bool { return p != nil && p.requests }

type attrKey struct {
	schema *schema.Schema
	parent *schema.Attribute
	attr   *schema.Attribute
}

// NewProjection returns the projection for the "attributes" and
// "excludedAttributes" parameters of a request to resource type rt; each
// list holds attribute paths as RFC 7644 §3.10 writes them. Two empty lists
// give the default projection.
func NewProjection(rt *schema.ResourceType, attributes, excluded []string) *Projection {
	if len(attributes) == 0 && len(excluded) == 0 {
		return nil
	}
	p := &Projection{rt: rt}
	names, set := excluded, &p.exclude
	p.mode = 'x'
	if len(attributes) > 0 {
		names, set, p.mode = attributes, &p.include, 'a'
	}
	*set = make(map[attrKey]bool, len(names))
	for _, n := range names {
		n = strings.TrimSpace(n)
		if e := rt.Extension(n); e != nil {
			if p.exts == nil {
				p.exts = map[*schema.Schema]bool{}
			}
			p.exts[e.Schema] = true
			continue
		}
		s, path := rt.Schema, n
		if urn, rest, ok := SplitURN(rt, n); ok {
			path = rest
			if e := rt.Extension(urn); e != nil {
				s = e.Schema
			}
		}
		name, subName, hasSub := strings.Cut(path, ".")
		a, _ := rt.Attribute(s.ID, name)
		if a == nil {
			continue
		}
		if !hasSub {
			(*set)[attrKey{s, nil, a}] = true
			continue
		}
		if sub := a.SubAttribute(subName); sub != nil {
			(*set)[attrKey{s, a, sub}] = true
			if p.mode == 'a' {
				if p.parent == nil {
					p.parent = map[attrKey]bool{}
				}
				p.parent[attrKey{s, nil, a}] = true
			}
		}
	}
	p.requests = p.writesRequested(rt.Schema)
	for _, e := range rt.Extensions {
		p.requests = p.requests || p.writesRequested(e.Schema)
	}
	return p
}

// writesRequested reports whether p writes an attribute or sub-attribute
// of s that is returned only on request.
func (p *Projection) writesRequested(s *schema.Schema) bool {
	for _, a := range s.Attributes {
		if a.Returned == schema.ReturnedRequest && p.Includes(s, nil, a) {
			return true
		}
		for _, sub := range a.SubAttributes {
			if sub.Returned == schema.ReturnedRequest && p.Includes(s, a, sub) {
				return true
			}
		}
	}
	return false
}

// Includes reports whether attribute a of schema s is written. For a
// sub-attribute, parent is its complex attribute; for a top-level attribute
// (including the common attributes, whose schema is the core schema) parent
// is nil. Includes does not check that the parent is written.
func (p *Projection) Includes(s *schema.Schema, parent, a *schema.Attribute) bool {
	switch a.Returned {
	case schema.ReturnedNever:
		return false
	case schema.ReturnedAlways:
		return true
	}
	if p == nil {
		return a.Returned == schema.ReturnedDefault
	}
	k := attrKey{s, parent, a}
	switch p.mode {
	case 'a':
		if p.include[k] || p.exts[s] {
			return true
		}
		if parent == nil {
			return p.parent[k]
		}
		// A sub-attribute: written when its whole parent was named.
		return p.include[attrKey{s, nil, parent}] && a.Returned == schema.ReturnedDefault
	default: // 'x'
		return a.Returned == schema.ReturnedDefault && !p.exclude[k] && !p.exts[s]
	}
}

// Apply returns a copy of r holding only what the projection writes for
// resource type rt. The encoder applies projections while writing, so
// Apply is for hosts and tests that want the projected resource itself.
func (p *Projection) Apply(rt *schema.ResourceType, r *schema.Resource) *schema.Resource {
	out := &schema.Resource{Attributes: map[string]any{}}
	common := commonAttrs
	if p.Includes(rt.Schema, nil, common[0]) {
		out.ID = r.ID
	}
	if p.Includes(rt.Schema, nil, common[1]) {
		out.ExternalID = r.ExternalID
	}
	if p.Includes(rt.Schema, nil, common[2]) {
		out.Meta = r.Meta
	}
	project := func(s *schema.Schema, src, dst map[string]any) {
		for _, a := range s.Attributes {
			v, ok := src[a.Name]
			if !ok || !p.Includes(s, nil, a) {
				continue
			}
			if a.Type == schema.Complex {
				if v = p.projectComplex(s, a, v); v == nil {
					continue
				}
			} else {
				v = clone.Value(v)
			}
			dst[a.Name] = v
		}
	}
	project(rt.Schema, r.Attributes, out.Attributes)
	for _, e := range rt.Extensions {
		if m, ok := r.Attributes[e.Schema.ID].(map[string]any); ok {
			dst := map[string]any{}
			project(e.Schema, m, dst)
			if len(dst) > 0 {
				out.Attributes[e.Schema.ID] = dst
			}
		}
	}
	return out
}

func (p *Projection) projectComplex(s *schema.Schema, a *schema.Attribute, v any) any {
	one := func(m map[string]any) map[string]any {
		out := map[string]any{}
		for _, sub := range a.SubAttributes {
			if sv, ok := m[sub.Name]; ok && p.Includes(s, a, sub) {
				out[sub.Name] = clone.Value(sv)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	switch v := v.(type) {
	case map[string]any:
		if m := one(v); m != nil {
			return m
		}
	case []any:
		var out []any
		for _, e := range v {
			if em, ok := e.(map[string]any); ok {
				if m := one(em); m != nil {
					out = append(out, m)
				}
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}
