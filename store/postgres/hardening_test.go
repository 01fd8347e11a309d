package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/postgres"
)

// pgServer serves Users and Groups on PostgreSQL stores, with the tenant
// taken from X-Tenant.
type pgServer struct {
	t             *testing.T
	h             http.Handler
	users, groups store.Store
}

func newPGServer(t *testing.T) *pgServer {
	db := newTestDB(t)
	users, groups := schema.Users(), schema.Groups()
	s := &pgServer{t: t, users: db.store(t, users, postgres.Options{}), groups: db.store(t, groups, postgres.Options{})}
	h, err := handler.New(handler.Config{
		Endpoints: []handler.Endpoint{{Type: users, Store: s.users}, {Type: groups, Store: s.groups}},
		Tenant:    func(r *http.Request) (string, error) { return r.Header.Get("X-Tenant"), nil },
	})
	require.NoError(t, err)
	s.h = h
	return s
}

func (s *pgServer) do(tenant, method, target, body string) (int, map[string]any) {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("X-Tenant", tenant)
	req.Header.Set("Content-Type", "application/scim+json")
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, req)
	var m map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &m)
	return w.Code, m
}

const patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[%s]}`

func userBody(name string, extra ...string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + name + `"` + strings.Join(extra, "") + `}`
}

// TestClientMistakesAre4xx replays what PostgreSQL answered with 500 and an
// ERROR log line (issue 18, finding 7): values too long for a btree index,
// ids and filter literals PostgreSQL's text cannot hold. Each gets the RFC
// 7644 §3.12 error with a 4xx status.
func TestClientMistakesAre4xx(t *testing.T) {
	s := newPGServer(t)
	long := strings.Repeat("x", 3000)
	status, body := s.do("", http.MethodPost, "/Users", userBody("ok"))
	require.Equal(t, http.StatusCreated, status, "%v", body)
	id := body["id"].(string)
	status, body = s.do("", http.MethodPost, "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"g"}`)
	require.Equal(t, http.StatusCreated, status, "%v", body)
	gid := body["id"].(string)
	for _, tt := range []struct {
		name, method, target, body string
		status                     int
	}{
		{"a userName over the btree limit", http.MethodPost, "/Users", userBody(long), 400},
		{"an externalId over the btree limit", http.MethodPost, "/Users", userBody("e", `,"externalId":"`+long+`"`), 400},
		{"a userName over the limit by PUT", http.MethodPut, "/Users/" + id, userBody(long), 400},
		{"a userName over the limit by PATCH", http.MethodPatch, "/Users/" + id, fmt.Sprintf(patchOp, `{"op":"replace","path":"userName","value":"`+long+`"}`), 400},
		{"a member value over the limit", http.MethodPatch, "/Groups/" + gid, fmt.Sprintf(patchOp, `{"op":"add","path":"members","value":[{"value":"`+long+`"}]}`), 400},
		{"a member value over the limit by POST", http.MethodPost, "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"h","members":[{"value":"` + long + `"}]}`, 400},
		{"NUL in an id", http.MethodGet, "/Users/%00", "", 400},
		{"invalid UTF-8 in an id", http.MethodGet, "/Users/%ff", "", 400},
		{"NUL in a filter literal", http.MethodGet, "/Users?filter=" + strings.ReplaceAll(`userName eq "a\u0000"`, " ", "%20"), "", 400},
		{"a long filter literal is only compared", http.MethodGet, "/Users?filter=userName%20eq%20%22" + long + "%22", "", 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := s.do("", tt.method, tt.target, tt.body)
			assert.Equal(t, tt.status, status, "%v", body)
			if tt.status >= 400 {
				assert.Equal(t, fmt.Sprint(tt.status), body["status"], "an RFC 7644 §3.12 body")
			}
		})
	}
	// The store itself refuses what no stored resource can be.
	ctx := context.Background()
	for _, bad := range []string{"\x00", "\xff", "a\x00b"} {
		_, err := s.users.Get(ctx, bad)
		assert.ErrorIs(t, err, store.ErrNotFound, "%q", bad)
		assert.ErrorIs(t, s.users.Delete(ctx, bad, ""), store.ErrNotFound, "%q", bad)
	}
	_, err := s.users.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": long}})
	var se *schema.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, schema.ScimInvalidValue, se.Type)
}

// TestSwappedNamesNeverFail renames two users into each other's names at
// once, many times: the unique index makes the two transactions wait for
// each other, and PostgreSQL breaks the deadlock by failing one (3 of 40
// rounds answered 500 before). The store retries it, so every answer is
// 200 or 409 uniqueness.
func TestSwappedNamesNeverFail(t *testing.T) {
	s := newPGServer(t)
	ids := make([]string, 2)
	for i := range ids {
		status, body := s.do("", http.MethodPost, "/Users", userBody(fmt.Sprintf("swap%d", i)))
		require.Equal(t, http.StatusCreated, status, "%v", body)
		ids[i] = body["id"].(string)
	}
	for round := range 40 {
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each takes the other's current name, and a fresh one.
				other := fmt.Sprintf("swap%d", 1-i)
				if round%2 == 1 {
					other = fmt.Sprintf("r%d-%d", round, 1-i)
				}
				statuses[i], _ = s.do("", http.MethodPut, "/Users/"+ids[i], userBody(other, `,"displayName":"`+fmt.Sprint(round)+`"`))
			}()
		}
		wg.Wait()
		for _, st := range statuses {
			assert.Contains(t, []int{200, 409}, st, "round %d", round)
		}
		// Reset the names for the next round.
		for i := range 2 {
			s.do("", http.MethodPut, "/Users/"+ids[i], userBody(fmt.Sprintf("tmp%d-%d", round, i)))
		}
		for i := range 2 {
			s.do("", http.MethodPut, "/Users/"+ids[i], userBody(fmt.Sprintf("swap%d", i)))
		}
	}
}

// TestVersionsRevealNothingAcrossTenants checks that one tenant's ETags do
// not tell how much another tenant writes (issue 18, finding 7): versions
// count each resource's own writes.
func TestVersionsRevealNothingAcrossTenants(t *testing.T) {
	s := newPGServer(t)
	status, body := s.do("acme", http.MethodPost, "/Users", userBody("a"))
	require.Equal(t, http.StatusCreated, status)
	aid := body["id"].(string)
	first := body["meta"].(map[string]any)["version"]
	for i := range 20 {
		status, _ := s.do("globex", http.MethodPost, "/Users", userBody(fmt.Sprintf("g%d", i)))
		require.Equal(t, http.StatusCreated, status)
	}
	status, body = s.do("acme", http.MethodPost, "/Users", userBody("b"))
	require.Equal(t, http.StatusCreated, status)
	assert.Equal(t, first, body["meta"].(map[string]any)["version"], "globex's 20 writes do not show in acme's versions")
	status, body = s.do("acme", http.MethodPatch, "/Users/"+aid, fmt.Sprintf(patchOp, `{"op":"replace","path":"displayName","value":"A"}`))
	require.Equal(t, http.StatusOK, status, "%v", body)
	assert.Equal(t, `W/"2"`, body["meta"].(map[string]any)["version"])
}

// TestDuplicateMembersAnsweredAsStored checks that a group created with a
// member named twice is answered with the members that were stored
// (issue 18, finding 7: 201 listed four while two were stored).
func TestDuplicateMembersAnsweredAsStored(t *testing.T) {
	s := newPGServer(t)
	var ids []string
	for _, name := range []string{"a", "b"} {
		status, body := s.do("", http.MethodPost, "/Users", userBody(name)) // members must exist (RFC 7643 §4.2)
		require.Equal(t, http.StatusCreated, status, "%v", body)
		ids = append(ids, body["id"].(string))
	}
	a, b := ids[0], ids[1]
	status, body := s.do("", http.MethodPost, "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"dups",
		"members":[{"value":"`+a+`"},{"value":"`+a+`"},{"value":"`+b+`"},{"value":"`+strings.ToUpper(b)+`"}]}`)
	require.Equal(t, http.StatusCreated, status, "%v", body)
	assert.Len(t, body["members"], 2, "members.value is not caseExact: b and B are one member")
	status, got := s.do("", http.MethodGet, "/Groups/"+body["id"].(string), "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, body["members"], got["members"])
}

// TestDeadlockRetried makes a Replace deadlock with another transaction
// for certain: the other transaction renames user b (so the Replace, which
// takes b's name, waits for it), then writes the Replace's row. PostgreSQL
// aborts the Replace, which waited first (40P01); the store retries it once
// the other transaction has committed, and it succeeds.
func TestDeadlockRetried(t *testing.T) {
	db := newTestDB(t)
	users := schema.Users()
	s := db.store(t, users, postgres.Options{})
	ctx := context.Background()
	a, err := s.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": "a"}})
	require.NoError(t, err)
	b, err := s.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": "b"}})
	require.NoError(t, err)

	tx, err := db.pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit it is a no-op
	// The deadlock is found by whichever waiter checks first, after its
	// deadlock_timeout: this transaction checks late, so that the Replace
	// is the one aborted even on a loaded machine.
	_, err = tx.Exec(ctx, `SET LOCAL deadlock_timeout = '20s'`)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `UPDATE `+postgres.Table(s)+` SET data = jsonb_set(data, '{userName}', '"c"') WHERE id = $1`, b.ID)
	require.NoError(t, err)

	done := make(chan error, 1)
	go func() {
		next := a.Clone()
		next.Attributes["userName"] = "b"
		_, err := s.Replace(ctx, next, "")
		done <- err
	}()
	// Wait until the Replace waits for the transaction's lock: a backend
	// waiting on a lock while running an UPDATE of this test's table (other
	// tests share the database).
	require.Eventually(t, func() bool {
		var n int
		err := db.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND datname = current_database() AND query LIKE '%' || $1 || '%'`, db.schema).Scan(&n)
		return err == nil && n > 0
	}, 10*time.Second, 10*time.Millisecond)
	// Now wait for the Replace's row: a deadlock, which PostgreSQL breaks.
	_, err = tx.Exec(ctx, `UPDATE `+postgres.Table(s)+` SET last_modified = now() WHERE id = $1`, a.ID)
	require.NoError(t, err, "PostgreSQL aborted the Replace, which waited first")
	require.NoError(t, tx.Commit(ctx))
	require.NoError(t, <-done, "the Replace was retried after the deadlock")
	got, err := s.Get(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "b", got.Attributes["userName"])
}
