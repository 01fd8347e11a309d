package document

import (
	"slices"
	"strings"

	"github.com/scimkit/scimkit/schema"
)

// IsReferenceList reports whether a is a reference list that clients
// write: a multi-valued complex attribute with "value" and "$ref"
// sub-attributes that is not readOnly, such as a Group's "members"
// (RFC 7643 §4.2). Its values are the ids of other resources.
func IsReferenceList(a *schema.Attribute) bool {
	return a.MultiValued && a.Type == schema.Complex && a.Mutability != schema.ReadOnly &&
		a.SubAttribute("value") != nil && a.SubAttribute("$ref") != nil
}

// References reports whether reference list a may name resources of the
// type called name: its "$ref" lists the type among its referenceTypes
// (RFC 7643 §7), or lists no resource type at all.
func References(a *schema.Attribute, name string) bool {
	ref := a.SubAttribute("$ref")
	if ref == nil {
		return false
	}
	some := false
	for _, t := range ref.ReferenceTypes {
		if t == "external" || t == "uri" {
			continue
		}
		some = true
		if strings.EqualFold(t, name) {
			return true
		}
	}
	return !some && !slices.Contains(ref.ReferenceTypes, "external")
}
