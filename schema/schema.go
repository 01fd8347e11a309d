package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// URNs of the core schemas of RFC 7643 §8.7.1.
const (
	UserSchema           = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchema          = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseUserSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

// URNs of the discovery schemas of RFC 7643 §8.7.2.
const (
	serviceProviderConfigSchema = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	resourceTypeSchema          = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	schemaSchema                = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// Attribute describes one attribute or sub-attribute with every
// characteristic of RFC 7643 §7. The zero value of each characteristic is
// the RFC §2.2 default (type string, readWrite, returned default, uniqueness
// none, not required, not caseExact), so a struct literal means what the
// RFC means. Its JSON form is the RFC 7643 §7 representation.
//
// Attributes are treated as immutable once they are part of a ResourceType
// in use: the library reads them from many goroutines.
type Attribute struct {
	Name            string
	Type            Type
	MultiValued     bool
	Description     string
	Required        bool
	CanonicalValues []string // advisory (§7): never enforced
	CaseExact       bool
	Mutability      Mutability
	Returned        Returned
	Uniqueness      Uniqueness
	ReferenceTypes  []string     // for Type Reference: "User", "external", "uri", ...
	SubAttributes   []*Attribute // for Type Complex
}

// attributeJSON is the RFC 7643 §7 representation of an attribute.
type attributeJSON struct {
	Name            string       `json:"name"`
	Type            string       `json:"type"`
	MultiValued     bool         `json:"multiValued"`
	Description     string       `json:"description,omitempty"`
	Required        bool         `json:"required"`
	CanonicalValues []string     `json:"canonicalValues,omitempty"`
	CaseExact       bool         `json:"caseExact"`
	Mutability      string       `json:"mutability"`
	Returned        string       `json:"returned"`
	Uniqueness      string       `json:"uniqueness"`
	ReferenceTypes  []string     `json:"referenceTypes,omitempty"`
	SubAttributes   []*Attribute `json:"subAttributes,omitempty"`
}

// MarshalJSON writes the RFC 7643 §7 representation of the attribute, with
// every characteristic spelled out. It fails for a characteristic no
// constant of this package has.
func (a *Attribute) MarshalJSON() ([]byte, error) {
	v := attributeJSON{
		Name: a.Name, MultiValued: a.MultiValued, Description: a.Description, Required: a.Required,
		CanonicalValues: a.CanonicalValues, CaseExact: a.CaseExact,
		ReferenceTypes: a.ReferenceTypes, SubAttributes: a.SubAttributes,
	}
	var err [4]error
	v.Type, err[0] = enumText(typeNames[:], uint8(a.Type), "type")
	v.Mutability, err[1] = enumText(mutabilityNames[:], uint8(a.Mutability), "mutability")
	v.Returned, err[2] = enumText(returnedNames[:], uint8(a.Returned), "returned")
	v.Uniqueness, err[3] = enumText(uniquenessNames[:], uint8(a.Uniqueness), "uniqueness")
	if err := errors.Join(err[:]...); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads the RFC 7643 §7 representation of an attribute.
// Characteristic names match case-insensitively (RFC 7643 §2.1), and absent
// ones take their RFC defaults.
func (a *Attribute) UnmarshalJSON(b []byte) error {
	var v attributeJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*a = Attribute{
		Name: v.Name, MultiValued: v.MultiValued, Description: v.Description, Required: v.Required,
		CanonicalValues: v.CanonicalValues, CaseExact: v.CaseExact,
		ReferenceTypes: v.ReferenceTypes, SubAttributes: v.SubAttributes,
	}
	var n [4]uint8
	var err [4]error
	n[0], err[0] = enumParse(typeNames[:], v.Type, "type")
	n[1], err[1] = enumParse(mutabilityNames[:], v.Mutability, "mutability")
	n[2], err[2] = enumParse(returnedNames[:], v.Returned, "returned")
	n[3], err[3] = enumParse(uniquenessNames[:], v.Uniqueness, "uniqueness")
	a.Type, a.Mutability, a.Returned, a.Uniqueness = Type(n[0]), Mutability(n[1]), Returned(n[2]), Uniqueness(n[3])
	return errors.Join(err[:]...)
}

// SubAttribute returns the sub-attribute whose name matches name
// case-insensitively (RFC 7643 §2.1), or nil.
func (a *Attribute) SubAttribute(name string) *Attribute { return findAttr(a.SubAttributes, name) }

// Unique reports whether the attribute's values must be unique (server or global).
func (a *Attribute) Unique() bool { return a.Uniqueness != UniquenessNone }

func findAttr(attrs []*Attribute, name string) *Attribute {
	for _, a := range attrs {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// Schema is a set of attributes identified by a URN: a resource's core
// schema or a schema extension (RFC 7643 §2, §7). Its JSON form is the
// RFC 7643 §7 representation without "meta", which the handler adds.
type Schema struct {
	ID          string       // the schema URN
	Name        string       // human-readable name, such as "User"
	Description string       // human-readable description
	Attributes  []*Attribute // in the order responses write them
}

// Attribute returns the top-level attribute whose name matches name
// case-insensitively, or nil.
func (s *Schema) Attribute(name string) *Attribute { return findAttr(s.Attributes, name) }

type schemaJSON struct {
	Schemas     []string     `json:"schemas,omitempty"`
	ID          string       `json:"id"`
	Name        string       `json:"name,omitempty"`
	Description string       `json:"description,omitempty"`
	Attributes  []*Attribute `json:"attributes"`
}

// MarshalJSON writes the RFC 7643 §7 representation of the schema.
func (s *Schema) MarshalJSON() ([]byte, error) {
	attrs := s.Attributes
	if attrs == nil {
		attrs = []*Attribute{}
	}
	return json.Marshal(schemaJSON{[]string{schemaSchema}, s.ID, s.Name, s.Description, attrs})
}

// UnmarshalJSON reads the RFC 7643 §7 representation of a schema; "schemas"
// and "meta" are ignored. Absent characteristics take their RFC defaults.
func (s *Schema) UnmarshalJSON(b []byte) error {
	var v schemaJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Schema{ID: v.ID, Name: v.Name, Description: v.Description, Attributes: v.Attributes}
	return nil
}

// Validate checks that the schema is well formed: it has an id, its
// attribute names are non-empty and distinct (case-insensitively), complex
// attributes have sub-attributes and sub-attributes are not complex
// (RFC 7643 §2.3.8).
func (s *Schema) Validate() error {
	if s.ID == "" {
		return errors.New("schema: schema has no id")
	}
	return validateAttrs(s.ID, s.Attributes, 0)
}

func validateAttrs(where string, attrs []*Attribute, depth int) error {
	seen := make(map[string]bool, len(attrs))
	for _, a := range attrs {
		if a == nil || a.Name == "" {
			return fmt.Errorf("schema: %s: attribute with no name", where)
		}
		if int(a.Type) >= len(typeNames) || int(a.Mutability) >= len(mutabilityNames) ||
			int(a.Returned) >= len(returnedNames) || int(a.Uniqueness) >= len(uniquenessNames) {
			return fmt.Errorf("schema: %s: attribute %q has an invalid characteristic", where, a.Name)
		}
		k := strings.ToLower(a.Name)
		if seen[k] {
			return fmt.Errorf("schema: %s: duplicate attribute %q", where, a.Name)
		}
		seen[k] = true
		switch {
		case a.Type == Complex && depth > 0:
			return fmt.Errorf("schema: %s: sub-attribute %q is complex (RFC 7643 §2.3.8 forbids it)", where, a.Name)
		case a.Type == Complex && len(a.SubAttributes) == 0:
			return fmt.Errorf("schema: %s: complex attribute %q has no sub-attributes", where, a.Name)
		case a.Type != Complex && len(a.SubAttributes) > 0:
			return fmt.Errorf("schema: %s: attribute %q of type %s has sub-attributes", where, a.Name, a.Type)
		}
		if a.Type == Complex {
			if err := validateAttrs(where+":"+a.Name, a.SubAttributes, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// Extension is a schema extension of a resource type (RFC 7643 §6).
type Extension struct {
	Schema   *Schema
	Required bool // resources of the type must carry the extension
}

// ResourceType binds a core schema and its extensions to an HTTP endpoint
// (RFC 7643 §6). It is the unit that decoding, validation, filtering and
// PATCH work against. A ResourceType must not be changed once in use.
type ResourceType struct {
	ID          string // defaults to Name
	Name        string // such as "User"
	Description string
	Endpoint    string // such as "/Users"
	Schema      *Schema
	Extensions  []Extension
	dropped     map[string]bool // what Keep left out (see Dropped)
}

// Extension returns the extension whose URN matches urn case-insensitively,
// or nil.
func (rt *ResourceType) Extension(urn string) *Extension {
	for i := range rt.Extensions {
		if strings.EqualFold(rt.Extensions[i].Schema.ID, urn) {
			return &rt.Extensions[i]
		}
	}
	return nil
}

// Attribute returns the attribute named name in the schema identified by
// urn. An empty urn or the core schema's URN means the core schema and the
// common attributes (id, externalId, meta; RFC 7643 §3.1); an extension URN
// means that extension's attributes. ext is the extension the attribute
// belongs to, nil for the core schema. Names and URNs match
// case-insensitively.
func (rt *ResourceType) Attribute(urn, name string) (attr *Attribute, ext *Extension) {
	if urn == "" || strings.EqualFold(urn, rt.Schema.ID) {
		if a := rt.Schema.Attribute(name); a != nil {
			return a, nil
		}
		return findAttr(commonAttrs, name), nil
	}
	if e := rt.Extension(urn); e != nil {
		return e.Schema.Attribute(name), e
	}
	return nil, nil
}

// Validate checks that the resource type is well formed: it has a name, an
// endpoint starting with "/", a valid core schema, and valid, distinct
// extensions whose URNs differ from the core schema's.
func (rt *ResourceType) Validate() error {
	if rt.Name == "" {
		return errors.New("schema: resource type has no name")
	}
	if !strings.HasPrefix(rt.Endpoint, "/") || len(rt.Endpoint) < 2 || strings.Contains(rt.Endpoint[1:], "/") {
		return fmt.Errorf("schema: resource type %s: endpoint %q must be one path segment such as \"/Users\"", rt.Name, rt.Endpoint)
	}
	if rt.Schema == nil {
		return fmt.Errorf("schema: resource type %s has no schema", rt.Name)
	}
	if err := rt.Schema.Validate(); err != nil {
		return err
	}
	seen := map[string]bool{strings.ToLower(rt.Schema.ID): true}
	for _, e := range rt.Extensions {
		if e.Schema == nil {
			return fmt.Errorf("schema: resource type %s has an extension with no schema", rt.Name)
		}
		if seen[strings.ToLower(e.Schema.ID)] {
			return fmt.Errorf("schema: resource type %s: schema %s appears twice", rt.Name, e.Schema.ID)
		}
		seen[strings.ToLower(e.Schema.ID)] = true
		if err := e.Schema.Validate(); err != nil {
			return err
		}
	}
	return nil
}

type extensionJSON struct {
	Schema   string `json:"schema"`
	Required bool   `json:"required"`
}

type resourceTypeJSON struct {
	Schemas          []string        `json:"schemas,omitempty"`
	ID               string          `json:"id,omitempty"`
	Name             string          `json:"name"`
	Description      string          `json:"description,omitempty"`
	Endpoint         string          `json:"endpoint"`
	Schema           string          `json:"schema"`
	SchemaExtensions []extensionJSON `json:"schemaExtensions,omitempty"`
}

// MarshalJSON writes the RFC 7643 §6 representation, without "meta".
func (rt *ResourceType) MarshalJSON() ([]byte, error) {
	v := resourceTypeJSON{
		Schemas: []string{resourceTypeSchema}, ID: rt.ID, Name: rt.Name,
		Description: rt.Description, Endpoint: rt.Endpoint,
	}
	if v.ID == "" {
		v.ID = rt.Name
	}
	if rt.Schema != nil {
		v.Schema = rt.Schema.ID
	}
	for _, e := range rt.Extensions {
		v.SchemaExtensions = append(v.SchemaExtensions, extensionJSON{e.Schema.ID, e.Required})
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads the RFC 7643 §6 representation. The schemas it names
// are placeholders holding only their URN until Resolve links them.
func (rt *ResourceType) UnmarshalJSON(b []byte) error {
	var v resourceTypeJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*rt = ResourceType{ID: v.ID, Name: v.Name, Description: v.Description, Endpoint: v.Endpoint, Schema: &Schema{ID: v.Schema}}
	for _, e := range v.SchemaExtensions {
		rt.Extensions = append(rt.Extensions, Extension{Schema: &Schema{ID: e.Schema}, Required: e.Required})
	}
	return nil
}

// Resolve replaces the resource type's schemas with those in schemas that
// have the same URN, as needed after UnmarshalJSON. It fails when a schema
// the resource type names is not among them.
func (rt *ResourceType) Resolve(schemas ...*Schema) error {
	find := func(id string) (*Schema, error) {
		for _, s := range schemas {
			if strings.EqualFold(s.ID, id) {
				return s, nil
			}
		}
		return nil, fmt.Errorf("schema: resource type %s names schema %q, which is not declared", rt.Name, id)
	}
	if rt.Schema == nil {
		return fmt.Errorf("schema: resource type %s has no schema", rt.Name)
	}
	s, err := find(rt.Schema.ID)
	if err != nil {
		return err
	}
	exts := make([]Extension, len(rt.Extensions))
	for i, e := range rt.Extensions {
		if exts[i].Schema, err = find(e.Schema.ID); err != nil {
			return err
		}
		exts[i].Required = e.Required
	}
	rt.Schema, rt.Extensions = s, exts
	return nil
}
