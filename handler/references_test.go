package handler_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/memory"
)

// serverOn returns a test server of Users and Groups on backend
// ("memory" or "postgres"), configured further by configure.
func serverOn(t *testing.T, backend string, configure func(*handler.Config)) *server {
	t.Helper()
	return newServer(t, "", func(c *handler.Config) {
		users, groups := schema.Users(), schema.Groups()
		us, gs := idpStores(t, backend, users, groups)
		c.Endpoints = []handler.Endpoint{{Type: users, Store: us}, {Type: groups, Store: gs}}
		if configure != nil {
			configure(c)
		}
	})
}

// groupOf returns the body of a group named name with the members.
func groupOf(name string, members ...string) string {
	list := make([]string, len(members))
	for i, m := range members {
		list[i] = `{"value":"` + m + `"}`
	}
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"` + name + `","members":[` + strings.Join(list, ",") + `]}`
}

// TestDeleteRemovesReferences checks that deleting a resource removes it
// from every group of the same tenant that lists it (RFC 7643 §4.2: members
// are resources of the service provider), on the memory and PostgreSQL
// stores: each such group gets a new version and lastModified, so a client
// holding its old ETag reads it again, and other tenants' groups are left
// alone.
func TestDeleteRemovesReferences(t *testing.T) {
	for _, backend := range []string{"memory", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			s := serverOn(t, backend, func(c *handler.Config) {
				c.Tenant = func(r *http.Request) (string, error) { return r.Header.Get("X-Tenant"), nil }
			})
			in := func(tenant string) []string { return []string{"X-Tenant", tenant} }
			create := func(tenant, path, body string) string {
				r := s.do(http.MethodPost, path, body, in(tenant)...)
				require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
				return r.body["id"].(string)
			}
			group := groupOf
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
			ub := create("b", "/Users", user("u1"))
			other := create("b", "/Groups", group("other", ub))
			otherTag := s.do(http.MethodGet, "/Groups/"+other, "", in("b")...).header.Get("ETag")
			before := s.do(http.MethodGet, "/Groups/"+g1, "", in("a")...)
			etag := before.header.Get("ETag")

			require.Equal(t, http.StatusNoContent, s.do(http.MethodDelete, "/Users/"+u1, "", in("a")...).status)
			assert.Equal(t, []string{u2}, members("a", g1))
			assert.Empty(t, members("a", g2))
			assert.Equal(t, []string{g1, u2}, members("a", g3))
			assert.Equal(t, otherTag, s.do(http.MethodGet, "/Groups/"+other, "", in("b")...).header.Get("ETag"), "another tenant's group is not touched")
			after := s.do(http.MethodGet, "/Groups/"+g1, "", append(in("a"), "If-None-Match", etag)...)
			assert.Equal(t, http.StatusOK, after.status, "RFC 7644 §3.14: the group's version changed")
			assert.NotEqual(t, before.body["meta"].(map[string]any)["lastModified"], after.body["meta"].(map[string]any)["lastModified"])

			// A deleted group leaves the groups that nest it.
			require.Equal(t, http.StatusNoContent, s.do(http.MethodDelete, "/Groups/"+g1, "", in("a")...).status)
			assert.Equal(t, []string{u2}, members("a", g3))
		})
	}
}

// TestMembersMustExist checks that a reference list names resources of the
// request's tenant (RFC 7643 §4.2: members are resources of the service
// provider), on POST, PUT, PATCH and Bulk, on the memory and PostgreSQL
// stores: a value that names none is refused with 400 invalidValue naming
// it, and nothing is written; another tenant's id names none. With
// Config.DropUnknownMembers such values are dropped and logged instead.
func TestMembersMustExist(t *testing.T) {
	for _, backend := range []string{"memory", "postgres"} {
		for _, drop := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/drop=%v", backend, drop), func(t *testing.T) {
				s := serverOn(t, backend, func(c *handler.Config) {
					c.Tenant = func(r *http.Request) (string, error) { return r.Header.Get("X-Tenant"), nil }
					c.DropUnknownMembers = drop
					c.Bulk = handler.BulkConfig{MaxOperations: 10}
				})
				in := func(tenant string) []string { return []string{"X-Tenant", tenant} }
				create := func(tenant, path, body string) *response {
					return s.do(http.MethodPost, path, body, in(tenant)...)
				}
				u := create("a", "/Users", user("u")).body["id"].(string)
				elsewhere := create("b", "/Users", user("v")).body["id"].(string)
				body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"` + u + `"},{"value":"nobody"},{"value":"` + elsewhere + `"}]}`
				refused := func(r *response) {
					t.Helper()
					require.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
					assert.Equal(t, "invalidValue", r.body["scimType"])
					assert.Contains(t, r.body["detail"], `"nobody"`)
					assert.Contains(t, r.body["detail"], `"`+elsewhere+`"`, "another tenant's user is no member of this one's")
				}
				kept := func(r *response, want ...string) {
					t.Helper()
					require.Less(t, r.status, 300, "%s", r.raw)
					assert.Equal(t, want, memberIDs(r))
				}
				r := create("a", "/Groups", body)
				var gid string
				if drop {
					kept(r, u)
					gid = r.body["id"].(string)
					assert.Contains(t, s.logs.String(), "nobody")
				} else {
					refused(r)
					assert.Equal(t, float64(0), s.do(http.MethodGet, "/Groups", "", in("a")...).body["totalResults"], "nothing was written")
					gid = create("a", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G"}`).body["id"].(string)
				}
				put := s.do(http.MethodPut, "/Groups/"+gid, body, in("a")...)
				add := s.do(http.MethodPatch, "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"nobody"},{"value":"`+u+`"}]}]}`, in("a")...)
				noPath := s.do(http.MethodPatch, "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"members":[{"value":"nobody"}]}}]}`, in("a")...)
				bulk := s.do(http.MethodPost, "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Groups","bulkId":"x","data":`+strings.Replace(body, `"G"`, `"H"`, 1)+`}]}`, in("a")...)
				if drop {
					kept(put, u)
					kept(add, u)
					kept(noPath, u)
					assert.Equal(t, "201", bulk.body["Operations"].([]any)[0].(map[string]any)["status"])
					return
				}
				refused(put)
				for _, r := range []*response{add, noPath} {
					require.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
					assert.Contains(t, r.body["detail"], `"nobody"`)
				}
				assert.Empty(t, memberIDs(s.do(http.MethodGet, "/Groups/"+gid, "", in("a")...)), "nothing was written")
				op := bulk.body["Operations"].([]any)[0].(map[string]any)
				assert.Equal(t, "400", op["status"])
			})
		}
	}
}

// TestMembersOfTypesNotServed checks that a reference list that may name a
// resource type the handler does not serve (Groups served without Users:
// the users live elsewhere) is not checked, since its values may name
// resources the handler cannot see.
func TestMembersOfTypesNotServed(t *testing.T) {
	groups := schema.Groups()
	h, err := handler.New(handler.Config{Endpoints: []handler.Endpoint{{Type: groups, Store: memory.New(groups, memory.Options{})}}})
	require.NoError(t, err)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/Groups", strings.NewReader(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"kept-elsewhere"}]}`)))
	assert.Equal(t, http.StatusCreated, w.Code, "%s", w.Body)
}

// TestUserGroups checks User.groups (RFC 7643 §4.1.2, readOnly: "the list
// of groups to which the user belongs, either through direct membership,
// through nested groups"), filled on every read on the memory and
// PostgreSQL stores: direct and indirect memberships with value, $ref,
// display and type, each group once even when groups nest each other,
// honouring attributes and excludedAttributes, in lists too.
func TestUserGroups(t *testing.T) {
	for _, backend := range []string{"memory", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			s := serverOn(t, backend, nil)
			group := func(name string, members ...string) string { return s.create("/Groups", groupOf(name, members...)) }
			u := s.create("/Users", user("u"))
			lonely := s.create("/Users", user("lonely"))
			sales := group("Sales", u)
			emea := group("EMEA", sales)  // u is in EMEA through Sales
			world := group("World", emea) // and in World through EMEA
			// A loop: World also holds... a group that holds World.
			loop := group("Loop", world)
			require.Equal(t, http.StatusOK, s.do(http.MethodPatch, "/Groups/"+world, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"`+loop+`"}]}]}`).status)

			r := s.do(http.MethodGet, "/Users/"+u, "")
			require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
			got := map[string]map[string]any{}
			for _, g := range r.body["groups"].([]any) {
				m := g.(map[string]any)
				got[m["display"].(string)] = m
			}
			require.Len(t, got, 4, "%v", r.body["groups"])
			assert.Equal(t, map[string]any{"value": sales, "$ref": s.url("/Groups/" + sales), "display": "Sales", "type": "direct"}, got["Sales"])
			for _, name := range []string{"EMEA", "World", "Loop"} {
				assert.Equal(t, "indirect", got[name]["type"], name)
			}
			assert.Equal(t, emea, got["EMEA"]["value"])

			assert.NotContains(t, s.do(http.MethodGet, "/Users/"+lonely, "").body, "groups", "no group: no attribute (RFC 7643 §2.5)")
			assert.NotContains(t, s.do(http.MethodGet, "/Users/"+u+"?excludedAttributes=groups", "").body, "groups")
			only := s.do(http.MethodGet, "/Users/"+u+"?attributes=groups.value", "").body
			require.Len(t, only["groups"], 4)
			assert.Equal(t, map[string]any{"value": sales}, only["groups"].([]any)[0], "only the sub-attribute asked for")
			list := s.do(http.MethodGet, "/Users?filter=userName%20eq%20%22u%22", "")
			require.Equal(t, http.StatusOK, list.status)
			assert.Len(t, list.body["Resources"].([]any)[0].(map[string]any)["groups"], 4, "lists carry groups too")

			// Leaving a group shows at once.
			require.Equal(t, http.StatusOK, s.do(http.MethodPatch, "/Groups/"+sales, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"`+u+`\"]"}]}`).status)
			assert.NotContains(t, s.do(http.MethodGet, "/Users/"+u, "").body, "groups")
		})
	}
}

// TestFilterByGroups checks that User.groups filters like any attribute
// (RFC 7644 §3.4.2.2) although no store keeps it: by value and display,
// directly and through nested groups, under not, or and value filters, on
// the memory and PostgreSQL stores; its other sub-attributes are refused
// with 400 invalidFilter.
func TestFilterByGroups(t *testing.T) {
	for _, backend := range []string{"memory", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			s := serverOn(t, backend, nil)
			group := func(name string, members ...string) string { return s.create("/Groups", groupOf(name, members...)) }
			ann, bob, cy := s.create("/Users", user("ann")), s.create("/Users", user("bob")), s.create("/Users", user("cy"))
			sales := group("Sales", ann)
			group("EMEA", sales, bob)
			find := func(f string) []string {
				t.Helper()
				r := s.do(http.MethodGet, "/Users?sortBy=userName&filter="+url.QueryEscape(f), "")
				require.Equal(t, http.StatusOK, r.status, "%s: %s", f, r.raw)
				var out []string
				for _, x := range r.body["Resources"].([]any) {
					out = append(out, x.(map[string]any)["userName"].(string))
				}
				return out
			}
			assert.Equal(t, []string{"ann"}, find(`groups.value eq "`+sales+`"`))
			assert.Equal(t, []string{"ann", "bob"}, find(`groups.display eq "emea"`), "through Sales, and case-insensitively as displayName compares")
			assert.Equal(t, []string{"ann", "bob"}, find(`groups[display sw "E"]`))
			assert.Equal(t, []string{"cy"}, find(`not (groups pr)`))
			assert.Equal(t, []string{"ann", "cy"}, find(`groups.value eq "`+sales+`" or userName eq "cy"`))
			assert.Empty(t, find(`groups.display eq "Nobody"`))
			r := s.do(http.MethodGet, "/Users?filter="+url.QueryEscape(`groups.type eq "direct"`), "")
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Equal(t, "invalidFilter", r.body["scimType"])
			_ = cy
		})
	}
}

// TestMemberDisplayFollowsRenames checks that a member's display, which the
// service provider keeps (RFC 7643 §2.4: readOnly), follows its resource:
// renaming a user by PATCH or PUT, or a nested group, updates the members
// that name it, on the memory and PostgreSQL stores.
func TestMemberDisplayFollowsRenames(t *testing.T) {
	for _, backend := range []string{"memory", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			s := serverOn(t, backend, nil)
			u := s.create("/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@example.com","displayName":"Ann"}`)
			plain := s.create("/Users", user("bob@example.com")) // no displayName: its userName shows
			inner := s.create("/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Inner","members":[{"value":"`+u+`"}]}`)
			outer := s.create("/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Outer","members":[{"value":"`+u+`","display":"what the client says"},{"value":"`+plain+`"},{"value":"`+inner+`"}]}`)
			display := func(group, member string) any {
				t.Helper()
				r := s.do(http.MethodGet, "/Groups/"+group, "")
				require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
				for _, m := range r.body["members"].([]any) {
					if m.(map[string]any)["value"] == member {
						return m.(map[string]any)["display"]
					}
				}
				return nil
			}
			assert.Equal(t, "Ann", display(outer, u), "the member's displayName, not the client's")
			assert.Equal(t, "bob@example.com", display(outer, plain), "else its userName")
			assert.Equal(t, "Inner", display(outer, inner))

			require.Equal(t, http.StatusOK, s.do(http.MethodPatch, "/Users/"+u, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Ann Smith"}]}`).status)
			assert.Equal(t, "Ann Smith", display(outer, u))
			assert.Equal(t, "Ann Smith", display(inner, u))
			require.Equal(t, http.StatusOK, s.do(http.MethodPut, "/Users/"+plain, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bob@example.com","displayName":"Bob"}`).status)
			assert.Equal(t, "Bob", display(outer, plain))
			require.Equal(t, http.StatusOK, s.do(http.MethodPatch, "/Groups/"+inner, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"displayName":"Renamed"}}]}`).status)
			assert.Equal(t, "Renamed", display(outer, inner))
		})
	}
}
