package handler

import (
	"context"
	"errors"
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

// maxMembershipIDs bounds the resources a filter on a computed list (such
// as groups.value eq "x") may stand for: beyond it, 400 tooMany.
const maxMembershipIDs = 10_000

// resolveInverses rewrites the comparisons of e on t's computed lists
// (User.groups) into comparisons on id: groups.value eq "x" becomes the
// ids of the resources x holds, directly or through the groups it holds,
// so that a store, which does not keep the computed list, answers the
// filter. The value and display sub-attributes may be compared; they
// stand for the holder's id and displayName.
func (h *Handler) resolveInverses(ctx context.Context, t *resourceType, e filter.Expr) (filter.Expr, error) {
	if len(t.inverses) == 0 || e == nil {
		return e, nil
	}
	switch x := e.(type) {
	case *filter.Logical:
		l, err := h.resolveInverses(ctx, t, x.Left)
		if err != nil {
			return nil, err
		}
		r, err := h.resolveInverses(ctx, t, x.Right)
		if err != nil {
			return nil, err
		}
		if l == x.Left && r == x.Right {
			return x, nil
		}
		return &filter.Logical{Op: x.Op, Left: l, Right: r}, nil
	case *filter.Not:
		in, err := h.resolveInverses(ctx, t, x.Expr)
		if err != nil || in == x.Expr {
			return x, err
		}
		return &filter.Not{Expr: in}, nil
	case *filter.Compare:
		inv, ok := t.inverseAt(x.Path)
		if !ok {
			return x, nil
		}
		holderExpr, err := holderFilter(inv, &filter.Compare{Path: filter.Path{Name: x.Path.Sub}, Op: x.Op, Value: x.Value})
		if err == nil && x.Path.Filter != nil {
			var f filter.Expr
			if f, err = holderFilter(inv, x.Path.Filter); err == nil {
				holderExpr = &filter.Logical{Op: filter.And, Left: f, Right: holderExpr}
			}
		}
		if err != nil {
			return nil, err
		}
		return h.heldBy(ctx, inv, holderExpr)
	case *filter.ValuePath:
		inv, ok := t.inverseAt(x.Path)
		if !ok {
			return x, nil
		}
		holderExpr, err := holderFilter(inv, x.Filter)
		if err != nil {
			return nil, err
		}
		return h.heldBy(ctx, inv, holderExpr)
	}
	return e, nil
}

// inverseAt returns the computed list that path p names.
func (t *resourceType) inverseAt(p filter.Path) (inverse, bool) {
	if p.URN != "" && !strings.EqualFold(p.URN, t.rt.Schema.ID) {
		return inverse{}, false
	}
	for _, inv := range t.inverses {
		if strings.EqualFold(inv.attr.Name, p.Name) {
			return inv, true
		}
	}
	return inverse{}, false
}

// holderFilter turns a filter on the sub-attributes of a computed list
// into one on its holders: value is the holder's id, display its
// displayName.
func holderFilter(inv inverse, e filter.Expr) (filter.Expr, error) {
	switch x := e.(type) {
	case *filter.Logical:
		l, err := holderFilter(inv, x.Left)
		if err != nil {
			return nil, err
		}
		r, err := holderFilter(inv, x.Right)
		if err != nil {
			return nil, err
		}
		return &filter.Logical{Op: x.Op, Left: l, Right: r}, nil
	case *filter.Not:
		in, err := holderFilter(inv, x.Expr)
		if err != nil {
			return nil, err
		}
		return &filter.Not{Expr: in}, nil
	case *filter.Compare:
		if x.Path.URN == "" && x.Path.Sub == "" && x.Path.Filter == nil {
			switch strings.ToLower(x.Path.Name) {
			case "", "value":
				return &filter.Compare{Path: filter.Path{Name: "id"}, Op: x.Op, Value: x.Value}, nil
			case "display":
				return &filter.Compare{Path: filter.Path{Name: "displayName"}, Op: x.Op, Value: x.Value}, nil
			}
		}
	}
	return nil, document.InvalidFilterError("%s can be filtered by its value and display only", inv.attr.Name)
}

// heldBy returns a filter on id selecting the resources that the holders
// e selects hold, directly or through holders they hold.
func (h *Handler) heldBy(ctx context.Context, inv inverse, e filter.Expr) (filter.Expr, error) {
	ids := map[string]bool{}
	var order []string
	for _, l := range inv.sources {
		m, err := filter.Compile(l.t.rt, e)
		if err != nil {
			return nil, err
		}
		var queue []*schema.Resource
		seen := map[string]bool{}
		for start := 1; ; start += 1000 {
			page, err := store.Search(ctx, l.t.store, &store.Query{Filter: m, StartIndex: start, Count: 1000, MaxScan: h.cfg.MaxScan})
			if err != nil {
				return nil, err
			}
			queue = append(queue, page.Resources...)
			if len(page.Resources) < 1000 || start+len(page.Resources) > page.Total {
				break
			}
		}
		for len(queue) > 0 {
			g := queue[0]
			queue = queue[1:]
			if seen[g.ID] {
				continue
			}
			seen[g.ID] = true
			list, _ := g.Attributes[l.attr.Name].([]any)
			for _, v := range elementValues(list) {
				if !ids[v] {
					ids[v] = true
					order = append(order, v)
					if len(order) > maxMembershipIDs {
						return nil, document.TooManyError("the filter on %s stands for more than %d resources; narrow it", inv.attr.Name, maxMembershipIDs)
					}
				}
				// A member that is a holder itself: its members are held
				// through it.
				if !seen[v] {
					if nested, err := l.t.store.Get(ctx, v); err == nil {
						queue = append(queue, nested)
					} else if !errors.Is(err, store.ErrNotFound) {
						return nil, err
					}
				}
			}
		}
	}
	return anyID(order), nil
}

// anyID returns a filter selecting the resources whose id is one of ids:
// a balanced tree of or, or a filter selecting nothing.
func anyID(ids []string) filter.Expr {
	switch len(ids) {
	case 0:
		return &filter.Not{Expr: &filter.Compare{Path: filter.Path{Name: "id"}, Op: filter.Pr}}
	case 1:
		return &filter.Compare{Path: filter.Path{Name: "id"}, Op: filter.Eq, Value: ids[0]}
	}
	return &filter.Logical{Op: filter.Or, Left: anyID(ids[:len(ids)/2]), Right: anyID(ids[len(ids)/2:])}
}
