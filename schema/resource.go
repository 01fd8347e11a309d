package schema

import (
	"strings"
	"time"

	"github.com/scimkit/scimkit/internal/clone"
)

// Resource is one SCIM resource: a User, a Group, or any configured type.
//
// Attributes holds the core schema's attributes keyed by their canonical
// names (the schema's spelling); an extension's attributes live in a nested
// map[string]any under the extension's URN, as in the JSON form. Values are
// canonical Go values:
//
//	string          string, reference, binary (base64 text), dateTime (xsd:dateTime text)
//	bool            boolean
//	int64           integer
//	float64         decimal
//	map[string]any  complex
//	[]any           multi-valued
//
// An unassigned attribute is absent from the map (RFC 7643 §2.5); the
// library never stores nil, "" or empty slices and maps.
//
// The library never changes a Resource it did not create: it copies first.
// Stores may therefore hand out shared values.
type Resource struct {
	ID         string         // assigned by the store; readOnly for clients
	ExternalID string         // the client's identifier for the resource
	Meta       Meta           // assigned by the store and the handler
	Attributes map[string]any // see the type documentation
}

// Meta is the resource metadata of RFC 7643 §3.1.
type Meta struct {
	ResourceType string    // the resource type's name, such as "User"
	Created      time.Time // when the resource was created
	LastModified time.Time // when it last changed
	Location     string    // the resource's URI; set by the handler
	Version      string    // opaque, changes on every write; the ETag's value
}

// Clone returns a deep copy of r.
func (r *Resource) Clone() *Resource {
	if r == nil {
		return nil
	}
	c := *r
	c.Attributes = clone.Map(r.Attributes)
	return &c
}

// Get returns the value at path and whether it is assigned. A path is an
// attribute name, optionally followed by "." and a sub-attribute name
// ("name.givenName"), optionally prefixed by a schema URN and ":"
// ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value").
// "id", "externalId" and "meta.version" (and the other meta sub-attributes)
// are answered from the Resource's fields. Names match case-insensitively.
// A sub-attribute of a multi-valued attribute yields a []any of the values
// present.
func (r *Resource) Get(path string) (any, bool) {
	attrs := r.Attributes
	if strings.HasPrefix(strings.ToLower(path), "urn:") {
		var ok bool
		if attrs, path, ok = r.splitURN(path); !ok {
			return nil, false
		}
	} else if v, ok := r.common(path); ok {
		return v, v != ""
	}
	name, sub, _ := strings.Cut(path, ".")
	v, ok := lookup(attrs, name)
	if !ok || sub == "" {
		return v, ok
	}
	switch v := v.(type) {
	case map[string]any:
		return lookup(v, sub)
	case []any:
		var out []any
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				if sv, ok := lookup(m, sub); ok {
					out = append(out, sv)
				}
			}
		}
		return out, len(out) > 0
	}
	return nil, false
}

// String returns the string value at path (see Get), or "" when it is
// unassigned or not a string.
func (r *Resource) String(path string) string {
	v, _ := r.Get(path)
	s, _ := v.(string)
	return s
}

// Bool returns the boolean value at path (see Get), or false when it is
// unassigned or not a boolean.
func (r *Resource) Bool(path string) bool {
	v, _ := r.Get(path)
	b, _ := v.(bool)
	return b
}

// common answers the common attributes (RFC 7643 §3.1) from r's fields.
func (r *Resource) common(path string) (string, bool) {
	switch strings.ToLower(path) {
	case "id":
		return r.ID, true
	case "externalid":
		return r.ExternalID, true
	case "meta.resourcetype":
		return r.Meta.ResourceType, true
	case "meta.location":
		return r.Meta.Location, true
	case "meta.version":
		return r.Meta.Version, true
	case "meta.created":
		return formatTime(r.Meta.Created), true
	case "meta.lastmodified":
		return formatTime(r.Meta.LastModified), true
	}
	return "", false
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// splitURN finds the attribute map a URN-qualified path refers to: the
// extension map stored under the URN, or the core attributes when the URN
// is not an extension's.
func (r *Resource) splitURN(path string) (map[string]any, string, bool) {
	best := ""
	for k := range r.Attributes {
		if len(k) > len(best) && len(path) > len(k) && path[len(k)] == ':' && strings.EqualFold(path[:len(k)], k) {
			best = k
		}
	}
	if best != "" {
		m, _ := r.Attributes[best].(map[string]any)
		return m, path[len(best)+1:], m != nil
	}
	// Not an extension: the core schema's URN. Attribute names never contain
	// ':' (RFC 7643 §2.1), so the attribute starts after the last one.
	i := strings.LastIndexByte(path, ':')
	return r.Attributes, path[i+1:], true
}

// lookup finds key in m, exactly first and then case-insensitively.
func lookup(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}
