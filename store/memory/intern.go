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
	mu   sync.Mutex
	vals map[string]any
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
		path := prefix + ":" + a.Name
		switch {
		case shareable(a) && !a.MultiValued:
			m[a.Name] = in.value(path, v)
		case a.Type == schema.Complex && a.MultiValued:
			list, _ := v.([]any)
			for _, e := range list {
				if em, ok := e.(map[string]any); ok {
					in.attrs(path, a.SubAttributes, em)
				}
			}
		case a.Type == schema.Complex:
			if sm, ok := v.(map[string]any); ok {
				in.attrs(path, a.SubAttributes, sm)
			}
		}
	}
}

// value returns the stored value equal to v, storing v when there is none:
// a string, or a complex value of a few string members (a manager).
func (in *interner) value(path string, v any) any {
	key, ok := internKey(path, v)
	if !ok {
		return v
	}
	if shared, ok := in.vals[key]; ok {
		return shared
	}
	if in.vals == nil {
		in.vals = map[string]any{}
	}
	if len(in.vals) < maxInterned {
		in.vals[key] = v
	}
	return v
}

// internKey identifies a shareable value, or reports that v is not one.
func internKey(path string, v any) (string, bool) {
	switch x := v.(type) {
	case string:
		if len(x) > 128 {
			return "", false
		}
		return path + "\x00" + x, true
	case map[string]any:
		if len(x) > 4 {
			return "", false
		}
		var b strings.Builder
		b.WriteString(path)
		for _, k := range sortedNames(x) {
			s, ok := x[k].(string)
			if !ok || len(s) > 128 {
				return "", false
			}
			b.WriteString("\x00" + k + "\x01" + s)
		}
		return b.String(), true
	}
	return "", false
}

func sortedNames(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ { // a few names: insertion sort
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
