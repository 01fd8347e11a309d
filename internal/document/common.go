package document

import "github.com/scimkit/scimkit/schema"

// commonAttrs are the attributes every resource has (RFC 7643 §3.1), in the
// order id, externalId, meta. They are the very values that
// schema.ResourceType.Attribute returns, so comparing pointers works.
var commonAttrs = func() []*schema.Attribute {
	rt := &schema.ResourceType{Schema: &schema.Schema{}}
	var attrs []*schema.Attribute
	for _, name := range []string{"id", "externalId", "meta"} {
		a, _ := rt.Attribute("", name)
		attrs = append(attrs, a)
	}
	return attrs
}()
