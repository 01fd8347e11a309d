package document

import (
	"strings"

	"github.com/scimkit/scimkit/schema"
)

// URNs of the protocol messages of RFC 7644 and of the service provider
// configuration schema (RFC 7643 §5), which the handler writes.
const (
	ServiceProviderConfigSchema = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ErrorSchema                 = "urn:ietf:params:scim:api:messages:2.0:Error"
	ListResponseSchema          = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	PatchOpSchema               = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	SearchRequestSchema         = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	BulkRequestSchema           = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	BulkResponseSchema          = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
)

// SplitURN splits a fully qualified attribute name such as
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"
// into the URN of one of rt's schemas and the rest
// ("manager.value"). It reports false when s starts with none of them.
func SplitURN(rt *schema.ResourceType, s string) (urn, rest string, ok bool) {
	if len(s) < 4 || !strings.EqualFold(s[:4], "urn:") {
		return "", s, false
	}
	try := func(id string) bool {
		if len(s) > len(id) && strings.EqualFold(s[:len(id)], id) && s[len(id)] == ':' {
			urn, rest, ok = id, s[len(id)+1:], true
			return true
		}
		return false
	}
	// Extensions first: an extension URN may extend the core URN textually.
	for _, e := range rt.Extensions {
		if try(e.Schema.ID) {
			return urn, rest, ok
		}
	}
	try(rt.Schema.ID)
	return urn, rest, ok
}
