package postgres_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
	"github.com/scimkit/scimkit/store/postgres"
)

// TestMemberPatches applies the member PATCHes identity providers send
// (RFC 7644 §3.5.2 and the Entra ID and Okta forms) to a group in
// PostgreSQL and in the memory store: the results agree after every step,
// whether the store takes its row-by-row path or reads the whole group.
func TestMemberPatches(t *testing.T) {
	db := newTestDB(t)
	groups := schema.Groups()
	pg := db.store(t, groups, postgres.Options{})
	mem := memory.New(groups, memory.Options{})
	ctx := context.Background()
	in, err := document.Decode(groups, []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"a","display":"A"},{"value":"b"}]}`), document.DecodeOptions{})
	require.NoError(t, err)
	gp, err := pg.Create(ctx, in)
	require.NoError(t, err)
	gm, err := mem.Create(ctx, in)
	require.NoError(t, err)
	steps := []string{
		`{"op":"add","path":"members","value":[{"value":"c","display":"C"},{"value":"d"}]}`,
		`{"op":"Add","path":"members","value":[{"value":"a","display":"A"}]}`,
		`{"op":"remove","path":"members[value eq \"b\"]"}`,
		`{"op":"Remove","path":"members","value":[{"value":"c"},{"value":"nosuch"}]}`,
		`{"op":"replace","value":{"id":"{id}","displayName":"Renamed"}},{"op":"remove","path":"members[value eq \"a\"]"},{"op":"add","path":"members","value":[{"value":"e","display":"E"}]}`,
		`{"op":"replace","path":"members[value eq \"e\"].display","value":"Eve"}`,
		`{"op":"remove","path":"members[display eq \"Eve\"]"}`,
		`{"op":"replace","path":"members","value":[{"value":"x"},{"value":"y"}]}`,
		`{"op":"add","path":"members","value":[{"value":"z"}]},{"op":"replace","path":"displayName","value":"Last"}`,
		`{"op":"remove","path":"members"}`,
	}
	for i, ops := range steps {
		body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`
		decoded := func(id string) []patch.Operation {
			o, err := patch.Decode([]byte(strings.ReplaceAll(body, "{id}", id)), patch.Options{})
			require.NoError(t, err, "step %d", i)
			return o
		}
		rp, errP := store.Patch(ctx, pg, groups, gp.ID, decoded(gp.ID), "", store.PatchOptions{})
		rm, errM := store.Patch(ctx, mem, groups, gm.ID, decoded(gm.ID), "", store.PatchOptions{})
		require.Equal(t, errM == nil, errP == nil, "step %d: memory %v, postgres %v", i, errM, errP)
		if errM != nil {
			continue
		}
		assert.Equal(t, rm.Attributes["displayName"], rp.Attributes["displayName"], "step %d", i)
		assert.ElementsMatch(t, rm.Attributes["members"], rp.Attributes["members"], "step %d: %s", i, ops)
		got, err := pg.Get(ctx, gp.ID)
		require.NoError(t, err)
		assert.ElementsMatch(t, rm.Attributes["members"], got.Attributes["members"], "step %d: stored", i)
		assert.Equal(t, rp.Meta.Version, got.Meta.Version)
	}
}

// TestPatchMeta checks that Patch with MetaOnly writes what Patch writes
// and returns the meta the stored resource then has.
func TestPatchMeta(t *testing.T) {
	db := newTestDB(t)
	groups := schema.Groups()
	pg := db.store(t, groups, postgres.Options{})
	ctx := context.Background()
	in, err := document.Decode(groups, []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"a"}]}`), document.DecodeOptions{})
	require.NoError(t, err)
	g, err := pg.Create(ctx, in)
	require.NoError(t, err)
	ops, err := patch.Decode([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"b"}]},{"op":"replace","path":"displayName","value":"H"}]}`), patch.Options{})
	require.NoError(t, err)
	r, err := pg.(store.Patcher).Patch(ctx, g.ID, ops, g.Meta.Version, store.PatchOptions{MetaOnly: true})
	require.NoError(t, err)
	got, err := pg.Get(ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, got.Meta, r.Meta)
	assert.Equal(t, "H", got.Attributes["displayName"])
	assert.Len(t, got.Attributes["members"], 2)
	_, err = pg.(store.Patcher).Patch(ctx, g.ID, ops, g.Meta.Version, store.PatchOptions{MetaOnly: true})
	assert.ErrorIs(t, err, store.ErrVersionMismatch)
	_, err = pg.(store.Patcher).Patch(ctx, "nosuch", ops, "", store.PatchOptions{MetaOnly: true})
	assert.ErrorIs(t, err, store.ErrNotFound)
}

// TestTwoReplicas runs two handlers, each with its own connection pool, on
// one database, as two replicas behind a load balancer, and has 100
// concurrent PATCHes add distinct members to one group through both: all
// 100 are present.
func TestTwoReplicas(t *testing.T) {
	db := newTestDB(t)
	groups := schema.Groups()
	table := "replicated_groups"
	var servers []*httptest.Server
	for range 2 {
		pool, err := pgxpool.New(context.Background(), db.pool.Config().ConnString())
		require.NoError(t, err)
		t.Cleanup(pool.Close)
		s, err := postgres.New(context.Background(), pool, groups, postgres.Options{Schema: db.schema, Table: table})
		require.NoError(t, err)
		h, err := handler.New(handler.Config{Endpoints: []handler.Endpoint{{Type: groups, Store: s}}, PatchNoContent: true})
		require.NoError(t, err)
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		servers = append(servers, srv)
	}
	resp, err := http.Post(servers[0].URL+"/Groups", "application/scim+json", strings.NewReader(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Replicated"}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", body)
	loc := resp.Header.Get("Location")
	id := loc[strings.LastIndexByte(loc, '/')+1:]

	const n = 100
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPatch, servers[i%2].URL+"/Groups/"+id, strings.NewReader(fmt.Sprintf(
				`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"user-%03d"}]}]}`, i)))
			req.Header.Set("Content-Type", "application/scim+json")
			resp, err := http.DefaultClient.Do(req)
			if assert.NoError(t, err) {
				resp.Body.Close()
				assert.Equal(t, http.StatusNoContent, resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	for _, srv := range servers {
		resp, err := http.Get(srv.URL + "/Groups/" + id)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for i := range n {
			assert.Contains(t, string(body), fmt.Sprintf(`"value":"user-%03d"`, i))
		}
		assert.Equal(t, n, strings.Count(string(body), `"value":"user-`))
	}
}

// TestHandlerOnPostgres pages with cursors (RFC 9865) and keeps tenants
// apart through the handler on PostgreSQL stores.
func TestHandlerOnPostgres(t *testing.T) {
	do := newPGServer(t).do
	for _, tenant := range []string{"acme", "globex"} {
		for i := range 5 {
			status, _ := do(tenant, http.MethodPost, "/Users", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u%d"}`, i))
			require.Equal(t, http.StatusCreated, status)
		}
	}
	var names []string
	cursor := ""
	for range 4 {
		status, page := do("acme", http.MethodGet, "/Users?sortBy=userName&count=2&cursor="+url.QueryEscape(cursor), "")
		require.Equal(t, http.StatusOK, status, "%v", page)
		assert.Equal(t, float64(5), page["totalResults"], "only acme's users")
		for _, r := range page["Resources"].([]any) {
			names = append(names, r.(map[string]any)["userName"].(string))
		}
		next, ok := page["nextCursor"].(string)
		if !ok {
			break
		}
		cursor = next
	}
	assert.Equal(t, []string{"u0", "u1", "u2", "u3", "u4"}, names)
}
