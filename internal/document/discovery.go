package document

import (
	_ "embed"
	"encoding/json"

	"github.com/scimkit/scimkit/schema"
)

// discoveryJSON holds the schemas of RFC 7643 §8.7.2 (ServiceProviderConfig,
// ResourceType, Schema) in their §7 representation, with what RFC 7643 §5
// defines beside them: "etag", and the authentication schemes' "type" and
// "primary". schema's TestCoreSchemasMatchRFC checks it against the RFC.
//
//go:embed discovery.json
var discoveryJSON []byte

// DiscoverySchemas returns the schemas of the discovery resources (RFC 7643
// §8.7.2), fresh values on each call.
func DiscoverySchemas() []*schema.Schema {
	var out []*schema.Schema
	if err := json.Unmarshal(discoveryJSON, &out); err != nil {
		panic("document: discovery.json: " + err.Error()) // embedded and tested: never
	}
	return out
}
