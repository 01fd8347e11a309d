package memory

import (
	"strings"
	"sync"

	"github.com/scimkit/scimkit/schema"
)

// lowCardinality names attributes whose values many resources share in a
// typical directory: job titles, departments, managers. Together with every
// attribute that has canonical values (the "type" of emails and phone
// numbers), they are stored once per distinct value, not once per resource.
var lowCardinality = map[string]bool{
	"title": true, "usertype": true, "preferredlanguage": true, "locale": true, "timezone": true,
	"department": true, "division": true, "organization": true, "costcenter": true, "manager": true,
}

// maxInterned bounds the table: beyond it, values are stored unshared.
const maxInterned = 1 << 16

// interner shares equal values of low-cardinality attributes between the
// stored resources. Stored values are never changed, so sharing them is
// safe; it saves memory and the garbage collector's time.
type interner struct {
	mu    sync.Mutex
	n     int                                  // values held, up to maxInterned
	vals  map[*schema.Attribute]map[string]any // by attribute, then by value or key
	share map[*schema.Attribute]bool           // shareable, remembered
}

// shareable reports whether a's values are worth sharing.
func shareable(a *schema.Attribute) bool {
	return len(a.CanonicalValues) > 0 || lowCardinality[strings.ToLower(a.Name)]
}

// intern replaces, in attrs (which the caller owns alone), the values of
// shareable attributes by the stored equal ones.
func (in *interner) intern(rt *schema.ResourceType, attrs map[string]any) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.attrs(rt.Schema.ID, rt.Schema.Attributes, attrs)
	for _, e := range rt.Extensions {
		if m, ok := attrs[e.Schema.ID].(map[string]any); ok {
			in.attrs(e.Schema.ID, e.Schema.Attributes, m)
		}
	}
}

func (in *interner) attrs(prefix string, defs []*schema.Attribute, m map[string]any) {
	for _, a := range defs {
		v, ok := m[a.Name]
		if !ok {
			continue
		}
		share, known := in.share[a]
		if !known {
			if in.share == nil {
				in.share = map[*schema.Attribute]bool{}
			}
			share = shareable(a)
			in.share[a] = share
		}
		switch {
		case share && !a.MultiValued:
			m[a.Name] = in.value(a, v)
		case a.Type == schema.Complex && a.MultiValued:
			list, _ := v.([]any)
			for _, e := range list {
				if em, ok := e.(map[string]any); ok {
					in.attrs(prefix, a.SubAttributes, em)
				}
			}
		case a.Type == schema.Complex:
			if sm, ok := v.(map[string]any); ok {
				in.attrs(prefix, a.SubAttributes, sm)
			}
		}
	}
}

// value returns the stored value of attribute a equal to v, storing v
// when there is none: a string, or a complex value of a few string members
// (a manager). Lookups allocate nothing.
func (in *interner) value(a *schema.Attribute, v any) any {
	var buf [160]byte
	key, ok := internKey(buf[:0], v)
	if !ok {
		return v
	}
	byValue := in.vals[a]
	if shared, ok := byValue[string(key)]; ok {
		return shared
	}
	if in.n >= maxInterned {
		return v
	}
	if in.vals == nil {
		in.vals = map[*schema.Attribute]map[string]any{}
	}
	if byValue == nil {
		byValue = map[string]any{}
		in.vals[a] = byValue
	}
	byValue[string(key)] = v
	in.n++
	return v
}

// internKey appends to b what identifies a shareable value, or reports
// that v is not one.
func internKey(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case string:
		if len(x) > 128 {
			return nil, false
		}
		return append(b, x...), true
	case map[string]any:
		if len(x) > 4 {
			return nil, false
		}
		var names [4]string
		n := 0
		for k := range x {
			names[n] = k
			n++
		}
		for i := 1; i < n; i++ { // a few names: insertion sort
			for j := i; j > 0 && names[j] < names[j-1]; j-- {
				names[j], names[j-1] = names[j-1], names[j]
			}
		}
		for _, k := range names[:n] {
			s, ok := x[k].(string)
			if !ok || len(s) > 128 {
				return nil, false
			}
			b = append(b, 0)
			b = append(b, k...)
			b = append(b, 1)
			b = append(b, s...)
		}
		return b, true
	}
	return nil, false
}
