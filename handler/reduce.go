package handler

import (
	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// reduceFilter prepares e for resource type rt in a search across several
// resource types, such as GET on the server root. RFC 7644 §3.4.2.1 says
// that an attribute a resource type does not have is treated "as if there
// is no attribute value": a presence test or comparison on it is false
// (and "ne", the negation of "eq", is true, as for any absent attribute).
// reduceFilter replaces each such comparison by its outcome and simplifies the
// and, or and not around it.
//
// When something is left, reduceFilter returns it for Compile, which reports
// any remaining error (a wrong value type, for example). When the outcome
// is the same for every resource, reduceFilter returns nil and always tells
// which: true, every resource matches; false, none does.
func reduceFilter(rt *schema.ResourceType, e filter.Expr) (reduced filter.Expr, always bool) {
	switch e := e.(type) {
	case *filter.Logical:
		l, lv := reduceFilter(rt, e.Left)
		r, rv := reduceFilter(rt, e.Right)
		switch {
		case l != nil && r != nil:
			if l == e.Left && r == e.Right {
				return e, false
			}
			return &filter.Logical{Op: e.Op, Left: l, Right: r}, false
		case l == nil && r == nil:
			if e.Op == filter.And {
				return nil, lv && rv
			}
			return nil, lv || rv
		}
		// One side is decided: it either decides the whole or drops out.
		rest, decided := l, rv
		if l == nil {
			rest, decided = r, lv
		}
		if decided == (e.Op == filter.Or) {
			return nil, decided
		}
		return rest, false
	case *filter.Not:
		x, v := reduceFilter(rt, e.Expr)
		switch {
		case x == nil:
			return nil, !v
		case x == e.Expr:
			return e, false
		}
		return &filter.Not{Expr: x}, false
	case *filter.ValuePath:
		if !known(rt, filter.Path{URN: e.Path.URN, Name: e.Path.Name}) {
			return nil, false // no value, so no element matches
		}
	case *filter.Compare:
		p := filter.Path{URN: e.Path.URN, Name: e.Path.Name}
		if !known(rt, p) || (e.Path.Filter == nil && e.Path.Sub != "" && !known(rt, e.Path)) ||
			(e.Path.Filter != nil && e.Path.Sub != "" && !knownSub(rt, p, e.Path.Sub)) {
			return nil, e.Op == filter.Ne
		}
	}
	return e, false
}

// known reports whether rt has the attribute at p (which has no filter).
func known(rt *schema.ResourceType, p filter.Path) bool {
	_, err := filter.ResolvePath(rt, p)
	return err == nil
}

// knownSub reports whether the attribute at p has the sub-attribute sub.
func knownSub(rt *schema.ResourceType, p filter.Path, sub string) bool {
	a, err := filter.ResolvePath(rt, p)
	return err == nil && a.Attr.SubAttribute(sub) != nil
}
