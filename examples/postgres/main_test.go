package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
	"github.com/scimkit/scimkit/store/sqltable"
	"github.com/scimkit/scimkit/store/storetest"
)

var dialects = []sqltable.Dialect{sqltable.PostgreSQL, sqltable.MySQL}

// newDB returns a database of the test's own, on the dialect's test
// server, dropped when the test ends.
func newDB(t *testing.T, d sqltable.Dialect, prefix string) *sql.DB {
	if d == sqltable.MySQL {
		return sqltest.MySQL(t, prefix)
	}
	return sqltest.Postgres(t, prefix)
}

// TestExistingSchema serves the host's tables through the handler, in a
// database of the test's own, on PostgreSQL and on MySQL/MariaDB.
func TestExistingSchema(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) { testExistingSchema(t, d) })
	}
}

func testExistingSchema(t *testing.T, d sqltable.Dialect) {
	ctx := context.Background()
	h, err := newHandler(ctx, newDB(t, d, "scimkit_example_"), d)
	require.NoError(t, err)
	check, err := handler.BearerToken("tok")
	require.NoError(t, err)
	srv := httptest.NewServer(handler.Authenticate(h, check))
	defer srv.Close()

	do := func(method, path, body string) (int, map[string]any) {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer tok")
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if len(raw) > 0 {
			require.NoError(t, json.Unmarshal(raw, &m), "%s", raw)
		}
		return resp.StatusCode, m
	}
	status, u := do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Ada@example.com","name":{"givenName":"Ada","familyName":"Lovelace"},"externalId":"ignored"}`)
	require.Equal(t, 201, status, "%v", u)
	uid := u["id"].(string)
	assert.Equal(t, true, u["active"])
	status, _ = do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@EXAMPLE.com"}`)
	assert.Equal(t, 409, status, "users.email is unique case-insensitively")

	status, list := do("GET", `/Users?filter=userName%20eq%20%22ADA@example.com%22%20and%20name.familyName%20sw%20%22Love%22`, "")
	require.Equal(t, 200, status)
	assert.Equal(t, float64(1), list["totalResults"])
	status, list = do("GET", `/Users?filter=externalId%20eq%20%22ignored%22`, "")
	require.Equal(t, 200, status, "an attribute kept in the scim column can be filtered on")
	assert.Equal(t, float64(1), list["totalResults"])

	status, u = do("PATCH", "/Users/"+uid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)
	require.Equal(t, 200, status, "%v", u)
	assert.Equal(t, false, u["active"])

	status, g := do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Analysts","members":[{"value":"`+uid+`"}]}`)
	require.Equal(t, 201, status, "%v", g)
	gid := g["id"].(string)
	status, _ = do("PATCH", "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"999999"}]}]}`)
	assert.Equal(t, 400, status, "a member must be a user of the service")
	status, list = do("GET", `/Groups?filter=members.value%20eq%20%22`+uid+`%22`, "")
	require.Equal(t, 200, status)
	assert.Equal(t, float64(1), list["totalResults"])
	status, g = do("GET", "/Groups/"+gid, "")
	require.Equal(t, 200, status)
	before := g["meta"].(map[string]any)["version"]
	status, _ = do("DELETE", "/Users/"+uid, "")
	assert.Equal(t, 204, status)
	status, g = do("GET", "/Groups/"+gid, "")
	require.Equal(t, 200, status)
	assert.NotContains(t, g, "members", "deleting a user removes its memberships")
	assert.NotEqual(t, before, g["meta"].(map[string]any)["version"], "and changes the team's version, so that If-None-Match does not answer 304 with the old members (issue 20)")

	// What has no column of its own is kept in the scim column.
	status, u = do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"grace@example.com","title":"Admiral"}`)
	require.Equal(t, 201, status, "%v", u)
	status, u = do("PATCH", "/Users/"+u["id"].(string), `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"Rear Admiral"}]}`)
	require.Equal(t, 200, status, "%v", u)
	assert.Equal(t, "Rear Admiral", u["title"])
	status, list = do("GET", `/Users?filter=title%20eq%20%22rear%20admiral%22`, "")
	require.Equal(t, 200, status)
	assert.Equal(t, float64(1), list["totalResults"])
}

// TestStoreKit runs the store conformance kit against the example's two
// stores, each in a database of its own, on PostgreSQL and on
// MySQL/MariaDB, saying what the host's tables keep: every attribute (in
// a column or in the scim column), no tenants, and teams whose members
// must be users.
func TestStoreKit(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			users := map[store.Store]store.Store{} // a groups store's users
			storetest.Run(t, func(t *testing.T, rt *schema.ResourceType) store.Store {
				u, g := newStores(t, d)
				users[g] = u
				if rt.Name == "Group" {
					return g
				}
				return u
			}, storetest.Options{
				NoTenants: true,
				Member: func(ctx context.Context, t *testing.T, groups store.Store, i int) string {
					r, err := users[groups].Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": fmt.Sprintf("member%d@example.com", i)}})
					require.NoError(t, err)
					return r.ID
				},
			})
		})
	}
}

// newStores returns the example's stores over a database of the test's own.
func newStores(t *testing.T, d sqltable.Dialect) (users, teams store.Store) {
	ctx := context.Background()
	db := newDB(t, d, "scimkit_kit_")
	_, err := newHandler(ctx, db, d) // creates the tables
	require.NoError(t, err)
	tables, err := sqltable.New(ctx, db, d)
	require.NoError(t, err)
	u, err := tables.Store(schema.Users(), usersTable)
	require.NoError(t, err)
	g, err := tables.Store(schema.Groups(), teamsTable)
	require.NoError(t, err)
	return u, g
}

// TestSortLikeTheMemoryStore checks that sortBy=userName orders users as
// the memory store does (RFC 7644 §3.4.2.3; userName is not caseExact, so
// case is ignored, and the order is by code point), for mixed-case and
// non-ASCII names, not by the database's collation ("Bob" before "amy").
func TestSortLikeTheMemoryStore(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			ctx := context.Background()
			rt := schema.Users()
			db, _ := newStores(t, d)
			mem := memory.New(rt, memory.Options{})
			for _, name := range []string{"Bob", "zed", "amy", "Émile", "éclair", "Zoë", "anne-Marie", "ANNE"} {
				for _, s := range []store.Store{db, mem} {
					_, err := s.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": name + "@example.com"}})
					require.NoError(t, err)
				}
			}
			userNames := func(s store.Store, order string) []string {
				sorter, err := filter.NewSorter(rt, "userName", order)
				require.NoError(t, err)
				page, err := store.Search(ctx, s, &store.Query{Sort: sorter, Count: 100})
				require.NoError(t, err)
				var out []string
				for _, r := range page.Resources {
					out = append(out, r.Attributes["userName"].(string))
				}
				return out
			}
			for _, order := range []string{"ascending", "descending"} {
				want := userNames(mem, order)
				require.Len(t, want, 8)
				assert.Equal(t, want, userNames(db, order), order)
			}
		})
	}
}
