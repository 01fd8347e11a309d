package filter

import (
	"cmp"
	"strings"
	"time"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

// Sorter orders resources by one attribute (RFC 7644 §3.4.2.3):
//   - strings compare case-insensitively unless the attribute is caseExact,
//     numbers numerically, dateTimes chronologically, false before true;
//   - a multi-valued attribute sorts by its primary value, else its first;
//     a complex multi-valued attribute named without a sub-attribute sorts
//     by its "value";
//   - resources without a value sort last, in either order;
//   - ties are broken by id, ascending, so pages are stable.
//
// A Sorter is safe for concurrent use.
type Sorter struct {
	attr       Attr
	descending bool
	get        func(*schema.Resource) any
}

// NewSorter returns a Sorter for the sortBy and sortOrder parameters of a
// request to resource type rt. sortOrder is "ascending" (the default when
// empty) or "descending", in any case. Errors are *schema.Error: an unknown
// or complex sortBy, or one that is never returned (password), is
// invalidFilter; an unknown sortOrder invalidValue.
func NewSorter(rt *schema.ResourceType, sortBy, sortOrder string) (*Sorter, error) {
	var desc bool
	switch {
	case sortOrder == "" || strings.EqualFold(sortOrder, "ascending"):
	case strings.EqualFold(sortOrder, "descending"):
		desc = true
	default:
		return nil, document.InvalidValueError("sortOrder must be \"ascending\" or \"descending\", not %q", sortOrder)
	}
	p, err := ParsePath(sortBy)
	if err != nil || p.Filter != nil {
		return nil, document.InvalidFilterError("sortBy %q is not an attribute path", sortBy)
	}
	a, err := ResolvePath(rt, p)
	if err == nil {
		err = readable(a)
	}
	if err != nil {
		return nil, err
	}
	if a.Sub == nil && a.Attr.Type == schema.Complex {
		if v := a.Attr.SubAttribute("value"); v != nil && a.Attr.MultiValued {
			a.Sub = v
		} else {
			return nil, document.InvalidFilterError("sortBy %q is complex; name one of its sub-attributes", sortBy)
		}
	}
	s := &Sorter{attr: a, descending: desc}
	s.get = s.keyFunc(rt)
	return s, nil
}

// Attr returns the attribute the sorter orders by.
func (s *Sorter) Attr() Attr { return s.attr }

// Descending reports whether the order is descending.
func (s *Sorter) Descending() bool { return s.descending }

func (s *Sorter) keyFunc(rt *schema.ResourceType) func(*schema.Resource) any {
	a := s.attr
	if a.Common && a.Sub != nil {
		f := metaField(a.Sub.Name)
		return func(r *schema.Resource) any { return f(r.Meta) }
	}
	get := getter(rt, a)
	return func(r *schema.Resource) any { return sortValue(a, get(r)) }
}

// sortValue picks the value a resource sorts by from the attribute's value.
func sortValue(a Attr, v any) any {
	if a.Attr.MultiValued {
		arr, _ := v.([]any)
		if len(arr) == 0 {
			return nil
		}
		pick := arr[0]
		for _, e := range arr {
			if m, ok := e.(map[string]any); ok && m["primary"] == true {
				pick = e
				break
			}
		}
		v = pick
	}
	if a.Sub != nil {
		m, _ := v.(map[string]any)
		v = m[a.Sub.Name]
		if a.Sub.MultiValued {
			arr, _ := v.([]any)
			if len(arr) == 0 {
				return nil
			}
			v = arr[0]
		}
	}
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	return v
}

// Compare orders a and b: negative when a sorts first.
func (s *Sorter) Compare(a, b *schema.Resource) int {
	return s.compareKeys(s.get(a), s.get(b), a.ID, b.ID)
}

func (s *Sorter) compareKeys(x, y any, xid, yid string) int {
	switch {
	case x == nil && y == nil:
	case x == nil:
		return 1
	case y == nil:
		return -1
	default:
		if c := compareValues(s.attr.Target(), x, y); c != 0 {
			if s.descending {
				return -c
			}
			return c
		}
	}
	return strings.Compare(xid, yid)
}

// compareValues compares two values of attribute a.
func compareValues(a *schema.Attribute, x, y any) int {
	switch a.Type {
	case schema.DateTime:
		tx, ok1 := toTime(x)
		ty, ok2 := toTime(y)
		if ok1 && ok2 {
			return tx.Compare(ty)
		}
	case schema.Integer, schema.Decimal:
		if ix, ok := x.(int64); ok {
			if iy, ok := y.(int64); ok {
				return cmp.Compare(ix, iy)
			}
		}
		fx, ok1 := toFloat(x)
		fy, ok2 := toFloat(y)
		if ok1 && ok2 {
			return cmp.Compare(fx, fy)
		}
	case schema.Boolean:
		bx, ok1 := x.(bool)
		by, ok2 := y.(bool)
		if ok1 && ok2 {
			switch {
			case bx == by:
				return 0
			case !bx:
				return -1
			}
			return 1
		}
	}
	sx, _ := x.(string)
	sy, _ := y.(string)
	if t, ok := x.(time.Time); ok {
		sx = t.UTC().Format(time.RFC3339Nano)
	}
	if t, ok := y.(time.Time); ok {
		sy = t.UTC().Format(time.RFC3339Nano)
	}
	if a.CaseExact {
		return strings.Compare(sx, sy)
	}
	return compareFold(sx, sy)
}
