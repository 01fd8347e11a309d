package handler

import (
	"context"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/fastpath"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// inverse is a readOnly reference list that the handler computes on every
// read, such as User.groups (RFC 7643 §4.1.2, "the list of groups to
// which the user belongs"): the resources whose reference lists name the
// resource, directly, or through a resource they name in turn (nested
// groups: "indirect").
type inverse struct {
	attr    *schema.Attribute
	sources []referenceList // the lists whose holders it lists
}

// isInverse reports whether a has the shape of a computed reference list:
// multi-valued, complex, readOnly, with "value" and "$ref".
func isInverse(a *schema.Attribute) bool {
	return a.MultiValued && a.Type == schema.Complex && a.Mutability == schema.ReadOnly &&
		a.SubAttribute("value") != nil && a.SubAttribute("$ref") != nil
}

// inversesOf returns the computed reference lists of t: each readOnly
// reference list of its core schema whose "$ref" names the types of some
// served reference lists that may name t.
func inversesOf(t *resourceType, lists []referenceList) []inverse {
	var out []inverse
	for _, a := range t.rt.Schema.Attributes {
		if !isInverse(a) {
			continue
		}
		var sources []referenceList
		for _, l := range lists {
			if document.References(a, l.t.rt.Name) && document.References(l.attr, t.rt.Name) {
				sources = append(sources, l)
			}
		}
		if len(sources) > 0 {
			out = append(out, inverse{attr: a, sources: sources})
		}
	}
	return out
}

// membership is one value of an inverse list.
type membership struct {
	l       referenceList
	id      string
	display string
	direct  bool
}

// memberships returns the values of inverse inv for resource id: the
// resources whose lists name it, then those whose lists name those, and
// so on, each once, loops included.
func (h *Handler) memberships(ctx context.Context, inv inverse, id string) ([]membership, error) {
	var out []membership
	seen := map[string]bool{}
	frontier, direct := []string{id}, true
	for len(frontier) > 0 {
		var next []string
		for _, x := range frontier {
			for _, l := range inv.sources {
				holders, err := h.holders(ctx, l, x)
				if err != nil {
					return nil, err
				}
				for _, g := range holders {
					key := l.t.rt.Name + "\x00" + g.ID
					if seen[key] || g.ID == id {
						continue
					}
					seen[key] = true
					out = append(out, membership{l: l, id: g.ID, display: g.DisplayName, direct: direct})
					next = append(next, g.ID)
				}
			}
		}
		frontier, direct = next, false
	}
	return out, nil
}

// holders returns every resource of l's type whose list l names value,
// with its id and displayName: from the store's index when it offers one
// (fastpath.Store.Holders), otherwise through its search for
// `<list>.value eq "value"`, which scimkit's stores answer from an index.
func (h *Handler) holders(ctx context.Context, l referenceList, value string) ([]fastpath.Holder, error) {
	if hs, ok, err := fastpath.Holders(ctx, l.t.store, l.attr.Name, value); ok || err != nil {
		return hs, err
	}
	m, err := filter.Compile(l.t.rt, &filter.Compare{Path: filter.Path{Name: l.attr.Name, Sub: "value"}, Op: filter.Eq, Value: value})
	if err != nil {
		return nil, err
	}
	var out []fastpath.Holder
	for start := 1; ; start += 1000 {
		page, err := store.Search(ctx, l.t.store, &store.Query{Filter: m, StartIndex: start, Count: 1000, MaxScan: h.cfg.MaxScan})
		if err != nil {
			return nil, err
		}
		for _, r := range page.Resources {
			name, _ := r.Attributes["displayName"].(string)
			out = append(out, fastpath.Holder{ID: r.ID, DisplayName: name})
		}
		if len(page.Resources) < 1000 || start+len(page.Resources) > page.Total {
			return out, nil
		}
	}
}

// appendInverses adds to the JSON object dst ends with, resource id of
// type t as projection p writes it, the inverse lists t has.
func (h *Handler) appendInverses(ctx context.Context, dst []byte, base string, t *resourceType, id string, p *document.Projection) ([]byte, error) {
	for _, inv := range t.inverses {
		if !p.Includes(t.rt.Schema, nil, inv.attr) {
			continue
		}
		ms, err := h.memberships(ctx, inv, id)
		if err != nil {
			return dst, err
		}
		if len(ms) == 0 || len(dst) == 0 || dst[len(dst)-1] != '}' {
			continue
		}
		dst = dst[:len(dst)-1]
		if dst[len(dst)-1] != '{' {
			dst = append(dst, ',')
		}
		dst = document.AppendString(dst, inv.attr.Name)
		dst = append(dst, ":["...)
		for i, m := range ms {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '{')
			n := 0
			field := func(name, value string) {
				sub := inv.attr.SubAttribute(name)
				if sub == nil || value == "" || !p.Includes(t.rt.Schema, inv.attr, sub) {
					return
				}
				if n > 0 {
					dst = append(dst, ',')
				}
				n++
				dst = document.AppendString(dst, sub.Name)
				dst = append(dst, ':')
				dst = document.AppendString(dst, value)
			}
			field("value", m.id)
			field("$ref", resourceURL(base, m.l.t.rt, m.id))
			field("display", m.display)
			if m.direct {
				field("type", "direct")
			} else {
				field("type", "indirect")
			}
			dst = append(dst, '}')
		}
		dst = append(dst, "]}"...)
	}
	return dst, nil
}

// hasInverse reports whether path names one of t's inverse lists.
func (t *resourceType) hasInverse(name string) bool {
	for _, inv := range t.inverses {
		if strings.EqualFold(inv.attr.Name, name) {
			return true
		}
	}
	return false
}
