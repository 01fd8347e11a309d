package handler_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/memory"
)

// TestKeptAttributes serves users whose store keeps only some attributes
// (schema.ResourceType.Keep): /Schemas advertises only those (RFC 7644
// §4: the attributes the service provider supports), what an identity
// provider sends for the others is dropped, by POST and by PATCH, a
// filter on them is 400 invalidFilter, and a strict handler refuses them.
func TestKeptAttributes(t *testing.T) {
	users, err := schema.Users().Keep("userName", "name.givenName", "emails", "active")
	require.NoError(t, err)
	serve := func(strict bool) *server {
		return newServer(t, "", func(c *handler.Config) {
			c.Endpoints = []handler.Endpoint{{Type: users, Store: memory.New(users, memory.Options{})}}
			c.Strict = strict
		})
	}
	s := serve(false)
	r := s.do(http.MethodGet, "/Schemas/"+schema.UserSchema, "")
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	var advertised []string
	for _, a := range r.body["attributes"].([]any) {
		advertised = append(advertised, a.(map[string]any)["name"].(string))
	}
	assert.Equal(t, []string{"userName", "name", "active", "emails"}, advertised)

	id := s.create("/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","title":"Boss",
		"name":{"givenName":"Barbara","familyName":"Jensen"},"emails":[{"value":"b@example.com","type":"work"}]}`)
	got := s.do(http.MethodGet, "/Users/"+id, "")
	assert.NotContains(t, got.body, "title", "dropped")
	assert.Equal(t, map[string]any{"givenName": "Barbara"}, got.body["name"])

	// Entra ID and Okta PATCH what they map, kept or not.
	r = s.do(http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
		{"op":"replace","path":"title","value":"CEO"},
		{"op":"replace","path":"name.familyName","value":"J"},
		{"op":"replace","path":"name.givenName","value":"Babs"},
		{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Sales"}]}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, map[string]any{"givenName": "Babs"}, r.body["name"])
	assert.NotContains(t, r.body, "title")

	r = s.do(http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"bogus","value":1}]}`)
	wantError(t, r, http.StatusBadRequest, schema.ScimInvalidPath) // never an attribute of User
	wantError(t, s.do(http.MethodGet, `/Users?filter=title%20eq%20%22CEO%22`, ""), http.StatusBadRequest, schema.ScimInvalidFilter)

	strict := serve(true)
	r = strict.do(http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x","title":"Boss"}`)
	assert.Equal(t, http.StatusBadRequest, r.status, "strict: an attribute the service provider does not support (RFC 7644 §3.3)")
	uid := strict.create("/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"y"}`)
	r = strict.do(http.MethodPatch, "/Users/"+uid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"CEO"}]}`)
	wantError(t, r, http.StatusBadRequest, schema.ScimInvalidPath)
}
