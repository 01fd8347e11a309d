package handler_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
)

type tenantKey struct{}

// TestTenants runs two tenants, told apart by their tokens, on one handler
// and one pair of stores: neither can read, find, change or delete the
// other's resources, through any endpoint, filters and Bulk included.
func TestTenants(t *testing.T) {
	tokens := map[string]string{"Bearer token-acme": "acme", "Bearer token-globex": "globex"}
	s := newServer(t, "/scim/v2", func(c *handler.Config) {
		c.BaseURL = "https://{tenant}.example.com/scim/v2"
		c.Bulk = handler.BulkConfig{MaxOperations: 10}
		c.Tenant = func(r *http.Request) (string, error) {
			tenant, ok := r.Context().Value(tenantKey{}).(string)
			if !ok {
				return "", &schema.Error{Status: http.StatusUnauthorized, Detail: "no tenant"}
			}
			return tenant, nil
		}
	})
	// Authentication resolves the tenant from the token, as a host would.
	inner := s.srv.Config.Handler
	s.srv.Config.Handler = handler.Authenticate(inner, func(r *http.Request) (*http.Request, error) {
		tenant, ok := tokens[r.Header.Get("Authorization")]
		if !ok {
			return nil, handler.ErrNoCredentials
		}
		return r.WithContext(context.WithValue(r.Context(), tenantKey{}, tenant)), nil
	})
	as := func(tenant string) []string { return []string{"Authorization", "Bearer token-" + tenant} }

	r := s.do(http.MethodPost, "/Users", user("same@example.com"), as("acme")...)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	acmeID := r.body["id"].(string)
	assert.Equal(t, "https://acme.example.com/scim/v2/Users/"+acmeID, r.header.Get("Location"), "Location carries the tenant's base URL")
	r = s.do(http.MethodPost, "/Users", user("same@example.com"), as("globex")...)
	require.Equal(t, http.StatusCreated, r.status, "uniqueness is per tenant: %s", r.raw)
	globexID := r.body["id"].(string)
	wantError(t, s.do(http.MethodPost, "/Users", user("SAME@example.com"), as("acme")...), http.StatusConflict, schema.ScimUniqueness)

	const patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"stolen"}]}`
	for _, req := range []struct{ method, path, body string }{
		{http.MethodGet, "/Users/" + globexID, ""},
		{http.MethodPut, "/Users/" + globexID, user("same@example.com")},
		{http.MethodPatch, "/Users/" + globexID, patchOp},
		{http.MethodDelete, "/Users/" + globexID, ""},
	} {
		wantError(t, s.do(req.method, req.path, req.body, as("acme")...), http.StatusNotFound, "")
	}
	for _, q := range []string{"/Users?filter=userName%20eq%20%22same@example.com%22", "/Users", "/?filter=userName%20pr",
		"/Users?filter=id%20eq%20%22" + globexID + "%22"} {
		r = s.do(http.MethodGet, q, "", as("acme")...)
		require.Equal(t, http.StatusOK, r.status)
		assert.NotContains(t, string(r.raw), globexID, q)
	}
	r = s.do(http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"title pr or userName pr"}`, as("acme")...)
	assert.Equal(t, float64(1), r.body["totalResults"])
	r = s.do(http.MethodPost, "/Bulk", bulkBody("",
		`{"method":"PATCH","path":"/Users/`+globexID+`","data":`+patchOp+`}`,
		`{"method":"DELETE","path":"/Users/`+globexID+`"}`,
		`{"method":"POST","path":"/Groups","bulkId":"g","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"`+acmeID+`"}]}}`), as("acme")...)
	ops := results(t, r)
	assert.Equal(t, []any{"404", "404", "201"}, []any{ops[0]["status"], ops[1]["status"], ops[2]["status"]})
	assert.True(t, strings.HasPrefix(ops[2]["location"].(string), "https://acme.example.com/scim/v2/Groups/"))

	g := s.do(http.MethodGet, "/Users/"+globexID, "", as("globex")...)
	require.Equal(t, http.StatusOK, g.status, "globex's user is untouched")
	assert.NotContains(t, g.body, "title")
	assert.Equal(t, float64(0), s.do(http.MethodGet, "/Groups", "", as("globex")...).body["totalResults"])
	wantError(t, s.do(http.MethodGet, "/Users", "", "Authorization", "Bearer token-nobody"), http.StatusUnauthorized, "")
}
