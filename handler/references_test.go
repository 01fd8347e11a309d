package handler_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
)

// TestDeleteRemovesReferences checks that deleting a resource removes it
// from every group of the same tenant that lists it (RFC 7643 §4.2: members
// are resources of the service provider), on the memory and PostgreSQL
// stores: each such group gets a new version and lastModified, so a client
// holding its old ETag reads it again, and other tenants' groups are left
// alone.
func TestDeleteRemovesReferences(t *testing.T) {
	for _, backend := range []string{"memory", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			s := newServer(t, "", func(c *handler.Config) {
				users, groups := schema.Users(), schema.Groups()
				us, gs := idpStores(t, backend, users, groups)
				c.Endpoints = []handler.Endpoint{{Type: users, Store: us}, {Type: groups, Store: gs}}
				c.Tenant = func(r *http.Request) (string, error) { return r.Header.Get("X-Tenant"), nil }
			})
			in := func(tenant string) []string { return []string{"X-Tenant", tenant} }
			create := func(tenant, path, body string) string {
				r := s.do(http.MethodPost, path, body, in(tenant)...)
				require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
				return r.body["id"].(string)
			}
			group := func(name string, members ...string) string {
				body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"` + name + `","members":[`
				for i, m := range members {
					if i > 0 {
						body += ","
					}
					body += `{"value":"` + m + `"}`
				}
				return body + `]}`
			}
			members := func(tenant, id string) []string {
				r := s.do(http.MethodGet, "/Groups/"+id, "", in(tenant)...)
				require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
				var out []string
				list, _ := r.body["members"].([]any)
				for _, m := range list {
					out = append(out, m.(map[string]any)["value"].(string))
				}
				return out
			}
			u1, u2 := create("a", "/Users", user("u1")), create("a", "/Users", user("u2"))
			g1 := create("a", "/Groups", group("g1", u1, u2))
			g2 := create("a", "/Groups", group("g2", u1))
			g3 := create("a", "/Groups", group("g3", g1, u2))
			other := create("b", "/Groups", group("other", u1)) // another tenant's group naming the same id
			before := s.do(http.MethodGet, "/Groups/"+g1, "", in("a")...)
			etag := before.header.Get("ETag")

			require.Equal(t, http.StatusNoContent, s.do(http.MethodDelete, "/Users/"+u1, "", in("a")...).status)
			assert.Equal(t, []string{u2}, members("a", g1))
			assert.Empty(t, members("a", g2))
			assert.Equal(t, []string{g1, u2}, members("a", g3))
			assert.Equal(t, []string{u1}, members("b", other), "another tenant's group is not touched")
			after := s.do(http.MethodGet, "/Groups/"+g1, "", append(in("a"), "If-None-Match", etag)...)
			assert.Equal(t, http.StatusOK, after.status, "RFC 7644 §3.14: the group's version changed")
			assert.NotEqual(t, before.body["meta"].(map[string]any)["lastModified"], after.body["meta"].(map[string]any)["lastModified"])

			// A deleted group leaves the groups that nest it.
			require.Equal(t, http.StatusNoContent, s.do(http.MethodDelete, "/Groups/"+g1, "", in("a")...).status)
			assert.Equal(t, []string{u2}, members("a", g3))
		})
	}
}
