package handler

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/memory"
)

// TestMatch checks the routing table (RFC 7644 §3.2, §3.4.2.1, §3.4.3, §3.7,
// §3.11, §4): each path's route, and that its pattern, the label Observe
// reports, depends on the configuration only, never on the case or the
// ids a client sends.
func TestMatch(t *testing.T) {
	users, groups := schema.Users(), schema.Groups()
	h, err := New(Config{Endpoints: []Endpoint{{Type: users, Store: memory.New(users, memory.Options{})}, {Type: groups, Store: memory.New(groups, memory.Options{})}}})
	require.NoError(t, err)
	for _, tt := range []struct {
		path      string
		kind      routeKind
		pattern   string
		discovery bool
	}{
		{"/", routeRoot, "/", false},
		{"/.search", routeRootSearch, "/.search", false},
		{"/Users", routeList, "/Users", false},
		{"/users", routeList, "/Users", false},
		{"/USERS/.search", routeSearch, "/Users/.search", false},
		{"/Users/2819c223", routeResource, "/Users/{id}", false},
		{"/Groups/x", routeResource, "/Groups/{id}", false},
		{"/Users/a/b", routeNone, "other", false},
		{"/Nope", routeNone, "other", false},
		{"/ServiceProviderConfig", routeServiceProviderConfig, "/ServiceProviderConfig", true},
		{"/serviceproviderconfig/x", routeNone, "other", true},
		{"/ResourceTypes", routeResourceTypes, "/ResourceTypes", true},
		{"/resourcetypes/User", routeResourceTypes, "/ResourceTypes/{id}", true},
		{"/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", routeSchemas, "/Schemas/{id}", true},
		{"/schemas/a/b", routeNone, "other", true},
		{"/Bulk", routeBulk, "/Bulk", false},
		{"/bulk/x", routeNone, "other", false},
		{"/Me", routeMe, "/Me", false},
	} {
		r := h.match(splitPath(tt.path))
		assert.Equal(t, tt.kind, r.kind, tt.path)
		assert.Equal(t, tt.pattern, r.pattern, tt.path)
		assert.Equal(t, tt.discovery, r.discovery, tt.path)
	}
	_, err = New(Config{Endpoints: []Endpoint{{Type: &schema.ResourceType{Name: "S", Endpoint: "/.search", Schema: users.Schema}, Store: memory.New(users, memory.Options{})}}})
	assert.ErrorContains(t, err, "reserved", "an endpoint may not take a protocol route")
}
