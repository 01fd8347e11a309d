// Package elements tells which elements of a multi-valued attribute a
// PATCH touches, so that scimkit's stores can patch a group of any size by
// reading and writing only the members a request names.
package elements

import (
	"encoding/json"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
)

// ValuesTouched reports which elements of a, a multi-valued complex
// attribute of rt's core schema with a "value" sub-attribute (a Group's
// "members"), ops touch, when every operation on a names its elements by
// value: add with an array of values, remove of a[value eq "x"], or remove
// of a with an array of values (the Entra ID dialect). Operations on other
// attributes are allowed. Applying ops to the resource with only those
// elements in a then changes them exactly as applying ops to the whole
// resource would, and leaves the others alone. Stores use it to patch a
// group of any size by reading and writing only the members named. ok is
// false when some operation may touch other elements.
func ValuesTouched(rt *schema.ResourceType, a *schema.Attribute, ops []patch.Operation) (values []string, ok bool) {
	values = []string{}
	for _, op := range ops {
		p := op.Path
		if p == nil {
			if op.Op != patch.Remove && mentions(op.Value, a.Name) {
				return nil, false
			}
			continue
		}
		if !strings.EqualFold(p.Name, a.Name) || (p.URN != "" && !strings.EqualFold(p.URN, rt.Schema.ID)) {
			continue
		}
		switch {
		case p.Sub != "" && op.Op == patch.Replace && p.Filter != nil:
			// replace of a sub-attribute of the elements a[value eq "x"]
			// selects, such as the display of a renamed member.
			v, ok := valueEq(p.Filter)
			if !ok {
				return nil, false
			}
			values = append(values, v)
		case p.Sub != "":
			return nil, false
		case op.Op == patch.Add && p.Filter == nil:
			vs, ok := valueList(op.Value)
			if !ok {
				return nil, false
			}
			values = append(values, vs...)
		case op.Op == patch.Remove && p.Filter != nil:
			v, ok := valueEq(p.Filter)
			if !ok {
				return nil, false
			}
			values = append(values, v)
		case op.Op == patch.Remove && len(op.Value) > 0 && string(op.Value) != "null":
			vs, ok := valueList(op.Value)
			if !ok {
				return nil, false
			}
			values = append(values, vs...)
		default:
			return nil, false
		}
	}
	return values, true
}

// valueList reads the values of a JSON array of elements.
func valueList(raw json.RawMessage) ([]string, bool) {
	var elems []map[string]any
	if json.Unmarshal(raw, &elems) != nil || len(elems) == 0 {
		return nil, false
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		v, ok := e["value"].(string)
		if !ok {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

// mentions reports whether a path-less value may write the attribute
// name: a key equal to it, qualified by a URN, or dotted below it.
func mentions(raw json.RawMessage, name string) bool {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return true // let the whole resource decide, and fail
	}
	for k := range obj {
		if strings.Contains(strings.ToLower(k), strings.ToLower(name)) {
			return true
		}
	}
	return false
}

// valueEq returns x when f is value eq "x".
func valueEq(f filter.Expr) (string, bool) {
	c, ok := f.(*filter.Compare)
	if !ok {
		return "", false
	}
	v, isString := c.Value.(string)
	if c.Op != filter.Eq || !strings.EqualFold(c.Path.Name, "value") || c.Path.URN != "" || c.Path.Sub != "" || c.Path.Filter != nil || !isString {
		return "", false
	}
	return v, true
}
