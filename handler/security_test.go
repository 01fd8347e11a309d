package handler_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/fastpath"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// TestNoPasswordOracle checks that an attribute whose "returned" is
// "never" (RFC 7643 §4.1.1 password) cannot be filtered on or sorted by,
// wherever a filter or a sort can appear: otherwise `password sw "s"`
// answers whether the password starts with "s" (RFC 7644 §7.5.2).
func TestNoPasswordOracle(t *testing.T) {
	s := newServer(t, "/scim/v2", nil)
	id := s.create("/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice","password":"Secr3t",
		"emails":[{"value":"a@example.com","type":"work"}]}`)
	q := url.QueryEscape
	for _, f := range []string{`password sw "s"`, `password sw "x"`, `password gt "a"`, `password pr`, `PASSWORD eq "Secr3t"`,
		`urn:ietf:params:scim:schemas:core:2.0:User:password co "e"`, `userName eq "alice" and password sw "S"`, `not (password lt "T")`} {
		t.Run(f, func(t *testing.T) {
			r := s.do(http.MethodGet, "/Users?filter="+q(f), "")
			wantError(t, r, http.StatusBadRequest, schema.ScimInvalidFilter)
			assert.Contains(t, r.body["detail"], "password")
			wantError(t, s.do(http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":`+jsonString(f)+`}`), http.StatusBadRequest, schema.ScimInvalidFilter)
			wantError(t, s.do(http.MethodGet, "/?filter="+q(f), ""), http.StatusBadRequest, schema.ScimInvalidFilter)
		})
	}
	for _, sortBy := range []string{"password", "Password"} {
		r := s.do(http.MethodGet, "/Users?sortBy="+sortBy, "")
		wantError(t, r, http.StatusBadRequest, schema.ScimInvalidFilter)
		wantError(t, s.do(http.MethodPost, "/Users/.search", `{"sortBy":"`+sortBy+`"}`), http.StatusBadRequest, schema.ScimInvalidFilter)
	}
	// A filter that names no secret still works.
	r := s.do(http.MethodGet, "/Users?filter="+q(`userName eq "alice"`), "")
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.EqualValues(t, 1, r.body["totalResults"])
	// A PATCH path's value filter is checked too.
	r = s.do(http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"replace","path":"password","value":"N3w"}]}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.NotContains(t, string(r.raw), "N3w")
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// storedPassword reads the password the users store keeps for id.
func storedPassword(t *testing.T, s *server, id string) (string, bool) {
	t.Helper()
	res, err := s.users.Get(context.Background(), id)
	require.NoError(t, err)
	p, ok := res.Attributes["password"].(string)
	return p, ok
}

// assertHashOf checks that stored is HashPassword's hash of plain.
func assertHashOf(t *testing.T, stored, plain string) {
	t.Helper()
	assert.True(t, strings.HasPrefix(stored, "$pbkdf2-sha256$i=600000$"), "stored: %q", stored)
	ok, err := handler.VerifyPassword(stored, plain)
	require.NoError(t, err)
	assert.True(t, ok, "the stored hash verifies the password")
	assert.NotContains(t, stored, plain)
}

// TestPasswordsHashed checks that a password (RFC 7643 §4.1.1, writeOnly)
// reaches neither the store nor OnChange in clear, whichever request
// writes it: POST, PUT, each PATCH form Entra ID and Okta send, and Bulk.
func TestPasswordsHashed(t *testing.T) {
	rec := &recorder{}
	s := newServer(t, "/scim/v2", func(c *handler.Config) {
		c.OnChange = rec.hook
		c.Bulk = handler.BulkConfig{MaxOperations: 10}
	})
	const patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`
	id := s.create("/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice","password":"Secr3t-1"}`)
	p, ok := storedPassword(t, s, id)
	require.True(t, ok)
	assertHashOf(t, p, "Secr3t-1")
	for _, c := range rec.take() {
		assert.NotContains(t, fmt.Sprint(c.After), "Secr3t", "OnChange sees no password in clear")
	}

	put := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice","password":"Secr3t-2"}`
	r := s.do(http.MethodPut, "/Users/"+id, put)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	p, _ = storedPassword(t, s, id)
	assertHashOf(t, p, "Secr3t-2")
	rec.take()
	// Okta repeats the password in every PUT: the same one keeps its hash,
	// so OnChange does not hear of a password change.
	r = s.do(http.MethodPut, "/Users/"+id, put)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	again, _ := storedPassword(t, s, id)
	assert.Equal(t, p, again, "an unchanged password keeps its hash")
	changes := rec.take()
	require.Len(t, changes, 1)
	assert.False(t, changes[0].Has("password"), "changed: %v", changes[0].Changed)

	for i, op := range []string{
		`{"op":"replace","path":"password","value":"Secr3t-%d"}`,
		`{"op":"Replace","path":"Password","value":"Secr3t-%d"}`,
		`{"op":"add","path":"urn:ietf:params:scim:schemas:core:2.0:User:password","value":"Secr3t-%d"}`,
		`{"op":"replace","value":{"password":"Secr3t-%d","active":true}}`,
		`{"op":"replace","value":{"PASSWORD":"Secr3t-%d"}}`,
		`{"op":"replace","value":{"urn:ietf:params:scim:schemas:core:2.0:User:password":"Secr3t-%d"}}`,
	} {
		plain := fmt.Sprintf("Secr3t-%d", 10+i)
		r := s.do(http.MethodPatch, "/Users/"+id, patchOp+fmt.Sprintf(op, 10+i)+`]}`)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", op, r.raw)
		assert.NotContains(t, string(r.raw), plain)
		p, _ := storedPassword(t, s, id)
		assertHashOf(t, p, plain)
		for _, c := range rec.take() {
			assert.NotContains(t, fmt.Sprint(c.Before, c.After), plain, op)
		}
	}

	r = s.do(http.MethodPost, "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
		{"method":"POST","path":"/Users","bulkId":"b","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bob","password":"Bulk-1"}},
		{"method":"PATCH","path":"/Users/`+id+`","data":`+patchOp+`{"op":"replace","path":"password","value":"Bulk-2"}]}}]}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	p, _ = storedPassword(t, s, id)
	assertHashOf(t, p, "Bulk-2")
	bob := s.do(http.MethodGet, "/Users?filter="+url.QueryEscape(`userName eq "bob"`), "")
	require.EqualValues(t, 1, bob.body["totalResults"], "%s", bob.raw)
	p, _ = storedPassword(t, s, bob.body["Resources"].([]any)[0].(map[string]any)["id"].(string))
	assertHashOf(t, p, "Bulk-1")
}

// TestPasswordPolicies checks Config.PasswordHash and Config.DropPasswords,
// and that /ServiceProviderConfig stays truthful (RFC 7643 §5).
func TestPasswordPolicies(t *testing.T) {
	const body = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice","password":"Secr3t"}`
	const patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`
	t.Run("drop", func(t *testing.T) {
		s := newServer(t, "", func(c *handler.Config) { c.DropPasswords = true })
		id := s.create("/Users", body)
		_, ok := storedPassword(t, s, id)
		assert.False(t, ok, "no password is kept")
		r := s.do(http.MethodPatch, "/Users/"+id, patchOp+`{"op":"replace","path":"password","value":"x"},{"op":"replace","value":{"password":"y","displayName":"A"}}]}`)
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
		assert.Equal(t, "A", r.body["displayName"])
		_, ok = storedPassword(t, s, id)
		assert.False(t, ok)
		assert.Contains(t, string(s.do(http.MethodGet, "/ServiceProviderConfig", "").raw), `"changePassword":{"supported":false}`)
	})
	t.Run("the host's own", func(t *testing.T) {
		var handed []string
		s := newServer(t, "", func(c *handler.Config) {
			c.PasswordHash = func(_ context.Context, p string) (string, error) {
				handed = append(handed, p)
				if p == "elsewhere" {
					return "", nil // kept by the host's credential system
				}
				return "hashed:" + strings.ToUpper(p), nil
			}
		})
		id := s.create("/Users", body)
		p, _ := storedPassword(t, s, id)
		assert.Equal(t, "hashed:SECR3T", p)
		r := s.do(http.MethodPatch, "/Users/"+id, patchOp+`{"op":"replace","path":"password","value":"elsewhere"}]}`)
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
		p, _ = storedPassword(t, s, id)
		assert.Equal(t, "hashed:SECR3T", p, "a password the host keeps elsewhere leaves the store as it was")
		assert.Equal(t, []string{"Secr3t", "elsewhere"}, handed)
		assert.Contains(t, string(s.do(http.MethodGet, "/ServiceProviderConfig", "").raw), `"changePassword":{"supported":true}`)
	})
	t.Run("a hasher that fails", func(t *testing.T) {
		s := newServer(t, "", func(c *handler.Config) {
			c.PasswordHash = func(context.Context, string) (string, error) { return "", errors.New("kms down") }
		})
		wantError(t, s.do(http.MethodPost, "/Users", body), http.StatusInternalServerError, "")
		r := s.do(http.MethodGet, "/Users", "")
		assert.EqualValues(t, 0, r.body["totalResults"], "nothing was written")
	})
}

// TestVerifyPassword checks the hash format HashPassword writes and that
// VerifyPassword refuses what it did not write.
func TestVerifyPassword(t *testing.T) {
	h1, err := handler.HashPassword("correct horse")
	require.NoError(t, err)
	h2, err := handler.HashPassword("correct horse")
	require.NoError(t, err)
	assert.NotEqual(t, h1, h2, "salted: the same password hashes differently")
	assert.Regexp(t, `^\$pbkdf2-sha256\$i=600000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`, h1)
	for _, h := range []string{h1, h2} {
		ok, err := handler.VerifyPassword(h, "correct horse")
		assert.True(t, ok)
		assert.NoError(t, err)
		ok, err = handler.VerifyPassword(h, "correct horse ")
		assert.False(t, ok)
		assert.NoError(t, err)
	}
	for _, bad := range []string{"", "correct horse", "$pbkdf2-sha256$", "$pbkdf2-sha256$i=0$AAAA$AAAA",
		"$pbkdf2-sha256$i=999999999$AAAA$AAAA", "$pbkdf2-sha256$i=1$!!$AAAA", "$pbkdf2-sha256$i=1$AAAA$", "$bcrypt$x"} {
		ok, err := handler.VerifyPassword(bad, "correct horse")
		assert.False(t, ok, bad)
		assert.ErrorIs(t, err, handler.ErrUnknownHash, bad)
	}
}

// TestNULRefused checks that U+0000 and invalid UTF-8 are refused wherever
// input enters (issue 18, finding 6): ids in the URL, filter literals, and
// a PATCH path's value filter, whose "eq" terms seed a new value when
// nothing matches (Entra ID's emails[type eq "work"].value form).
func TestNULRefused(t *testing.T) {
	s := newServer(t, "/scim/v2", nil)
	id := s.create("/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"nul"}`)
	const patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`
	// The filter's own escape: the JSON string holds \u0000 as six characters.
	r := s.do(http.MethodPatch, "/Users/"+id, patchOp+`{"op":"replace","path":"emails[value eq \"evil\\u0000@x.com\"].type","value":"work"}]}`)
	wantError(t, r, http.StatusBadRequest, schema.ScimInvalidPath)
	// A NUL the JSON itself carries.
	r = s.do(http.MethodPatch, "/Users/"+id, patchOp+`{"op":"replace","path":"emails[value eq \"evil\u0000@x.com\"].type","value":"work"}]}`)
	wantError(t, r, http.StatusBadRequest, schema.ScimInvalidValue)
	res, err := s.users.Get(context.Background(), id)
	require.NoError(t, err)
	assert.NotContains(t, res.Attributes, "emails", "nothing was seeded")

	for _, p := range []string{"/Users/%00", "/Users/%ff", "/Users/a%00b", "/Users/%C3%28", "/Users/%7f"} {
		for _, m := range []string{http.MethodGet, http.MethodDelete, http.MethodPut, http.MethodPatch} {
			r := s.do(m, p, `{}`)
			wantError(t, r, http.StatusBadRequest, schema.ScimInvalidValue)
		}
	}
	for _, f := range []string{`userName eq "a\u0000"`, "userName eq \"a\xff\""} {
		wantError(t, s.do(http.MethodGet, "/Users?filter="+url.QueryEscape(f), ""), http.StatusBadRequest, schema.ScimInvalidFilter)
	}
}

// TestEntityTagLists checks that If-Match and If-None-Match honour lists
// of entity tags (RFC 9110 §13.1.1, §13.1.2; RFC 7644 §3.14), and that
// answers carrying resources say Cache-Control: no-store.
func TestEntityTagLists(t *testing.T) {
	s := newServer(t, "/scim/v2", nil)
	id := s.create("/Users", user("etags"))
	r := s.do(http.MethodGet, "/Users/"+id, "")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	assert.Equal(t, "no-store", s.do(http.MethodGet, "/Users", "").header.Get("Cache-Control"))
	cur := r.header.Get("ETag")
	require.NotEmpty(t, cur)

	for _, inm := range []string{`W/"nope", ` + cur, cur + `,W/"nope"`, `"a,b", ` + cur, `*`} {
		assert.Equal(t, http.StatusNotModified, s.do(http.MethodGet, "/Users/"+id, "", "If-None-Match", inm).status, inm)
	}
	for _, inm := range []string{`W/"nope", W/"other"`, `W/"a,` + strings.Trim(cur, `W/"`) + `"`} {
		assert.Equal(t, http.StatusOK, s.do(http.MethodGet, "/Users/"+id, "", "If-None-Match", inm).status, inm)
	}

	const patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"%s"}]}`
	wantError(t, s.do(http.MethodPatch, "/Users/"+id, fmt.Sprintf(patchOp, "a"), "If-Match", `W/"nope", W/"other"`), http.StatusPreconditionFailed, "")
	wantError(t, s.do(http.MethodPatch, "/Users/"+id, fmt.Sprintf(patchOp, "a"), "If-Match", cur+`x`), http.StatusPreconditionFailed, "")
	r = s.do(http.MethodPatch, "/Users/"+id, fmt.Sprintf(patchOp, "b"), "If-Match", `W/"nope", `+cur)
	require.Equal(t, http.StatusOK, r.status, "the second tag of the list is current: %s", r.raw)
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	next := r.header.Get("ETag")
	r = s.do(http.MethodPut, "/Users/"+id, user("etags"), "If-Match", cur+", "+next)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	wantError(t, s.do(http.MethodDelete, "/Users/"+id, "", "If-Match", cur+", "+next), http.StatusPreconditionFailed, "")
	assert.Equal(t, http.StatusNoContent, s.do(http.MethodDelete, "/Users/"+id, "", "If-Match", cur+", "+r.header.Get("ETag")).status)
}

// TestPatchOperationLimit checks Config.MaxPatchOperations: a PATCH over
// it, and a Bulk request whose PATCHes hold more together, get 413
// tooMany (RFC 7644 §3.7.4) and change nothing.
func TestPatchOperationLimit(t *testing.T) {
	s := newServer(t, "", func(c *handler.Config) {
		c.MaxPatchOperations = 3
		c.Bulk = handler.BulkConfig{MaxOperations: 10}
	})
	id := s.create("/Users", user("limits"))
	ops := func(n int) string {
		o := strings.Repeat(`{"op":"replace","path":"displayName","value":"changed"},`, n)
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.TrimSuffix(o, ",") + `]}`
	}
	require.Equal(t, http.StatusOK, s.do(http.MethodPatch, "/Users/"+id, ops(3)).status)
	wantError(t, s.do(http.MethodPatch, "/Users/"+id, ops(4)), http.StatusRequestEntityTooLarge, schema.ScimTooMany)
	bulk := func(a, b int) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
			{"method":"PATCH","path":"/Users/` + id + `","data":` + ops(a) + `},
			{"method":"patch","path":"/Users/` + id + `","data":` + ops(b) + `}]}`
	}
	before := s.do(http.MethodGet, "/Users/"+id, "").header.Get("ETag")
	wantError(t, s.do(http.MethodPost, "/Bulk", bulk(2, 2)), http.StatusRequestEntityTooLarge, schema.ScimTooMany)
	assert.Equal(t, before, s.do(http.MethodGet, "/Users/"+id, "").header.Get("ETag"), "no operation ran")
	assert.Equal(t, http.StatusOK, s.do(http.MethodPost, "/Bulk", bulk(1, 2)).status)
}

// recordingStore records the queries its Search is asked.
type recordingStore struct {
	store.Store
	mu      sync.Mutex
	queries []store.Query
}

func (s *recordingStore) Search(ctx context.Context, q *store.Query) (*store.Page, error) {
	s.mu.Lock()
	s.queries = append(s.queries, *q)
	s.mu.Unlock()
	return s.Store.(store.Searcher).Search(ctx, q)
}

func (s *recordingStore) Fastpath() fastpath.Store {
	return recordingFast{s.Store.(fastpath.Provider).Fastpath(), s}
}

// recordingFast records the queries of the memory store's fast path.
type recordingFast struct {
	fastpath.Store
	s *recordingStore
}

func (f recordingFast) SearchJSON(ctx context.Context, q *store.Query, dst []document.Encoded) ([]document.Encoded, int, error) {
	f.s.mu.Lock()
	f.s.queries = append(f.s.queries, *q)
	f.s.mu.Unlock()
	return f.Store.SearchJSON(ctx, q, dst)
}

// TestRootQueryReadsOnlyThePage checks that a search across all resource
// types (RFC 7644 §3.4.2.1) asks each store only for the part of the page
// that falls in its results (issue 18, finding 5: startIndex=2147483647
// made every store return every resource), and still pages exactly.
func TestRootQueryReadsOnlyThePage(t *testing.T) {
	users, groups := schema.Users(), schema.Groups()
	us, gs := &recordingStore{Store: memory.New(users, memory.Options{})}, &recordingStore{Store: memory.New(groups, memory.Options{})}
	s := newServer(t, "", func(c *handler.Config) {
		c.Endpoints = []handler.Endpoint{{Type: users, Store: us}, {Type: groups, Store: gs}}
	})
	for i := range 3 {
		s.create("/Users", user(fmt.Sprintf("u%d", i)))
		s.create("/Groups", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"g%d"}`, i))
	}
	names := func(r *response) (out []string) {
		for _, x := range r.body["Resources"].([]any) {
			m := x.(map[string]any)
			out = append(out, fmt.Sprint(m["userName"], m["displayName"]))
		}
		return out
	}
	all := names(s.do(http.MethodGet, "/?sortBy=userName", ""))
	require.Len(t, all, 6)
	for _, tt := range []struct {
		query string
		want  []string
		users []int // the StartIndex and Count the users store was asked
		grps  []int
	}{
		{"startIndex=2147483647&count=1", nil, []int{2147483647, 1}, []int{2147483644, 1}},
		{"startIndex=2&count=3", all[1:4], []int{2, 3}, []int{1, 1}},
		{"startIndex=5&count=10", all[4:], []int{5, 10}, []int{2, 10}},
		{"count=2", all[:2], []int{1, 2}, []int{1, 0}},
	} {
		us.queries, gs.queries = nil, nil
		r := s.do(http.MethodGet, "/?sortBy=userName&"+tt.query, "")
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
		assert.EqualValues(t, 6, r.body["totalResults"], tt.query)
		assert.Equal(t, tt.want, names(r), tt.query)
		for _, q := range us.queries {
			assert.Equal(t, tt.users, []int{q.StartIndex, q.Count}, tt.query)
		}
		for _, q := range gs.queries { // SearchJSON declines for groups, then Search
			if q.Filter != nil {
				continue // a user's groups (RFC 7643 §4.1.2), not the page
			}
			assert.Equal(t, tt.grps, []int{q.StartIndex, q.Count}, tt.query)
		}
		assert.NotEmpty(t, us.queries)
		assert.NotEmpty(t, gs.queries)
	}
}

// TestDuplicateMembers checks that a member named twice is kept once by
// every write (POST, PUT, PATCH replace), so that every store keeps and
// every answer lists the same members (issue 18, finding 7: PostgreSQL
// kept two of a,a,b,b while the answer listed four).
func TestDuplicateMembers(t *testing.T) {
	s := newServer(t, "", func(c *handler.Config) {
		// The members must exist (RFC 7643 §4.2): users a and b, group b.
		c.Endpoints[0].Store = memory.New(c.Endpoints[0].Type, memory.Options{NewID: ids("a", "b")})
		c.Endpoints[1].Store = memory.New(c.Endpoints[1].Type, memory.Options{NewID: ids("b")})
	})
	s.create("/Users", user("a"))
	s.create("/Users", user("b"))
	s.create("/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"b"}`)
	const dups = `[{"value":"a"},{"value":"a"},{"value":"b","type":"User"},{"value":"B","type":"User"},{"value":"b","type":"Group"}]`
	group := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"dups","members":` + dups + `}`
	r := s.do(http.MethodPost, "/Groups", group)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	// Each member is described by the service provider (RFC 7643 §2.4:
	// display is readOnly): its type, display and $ref.
	want := []any{
		map[string]any{"value": "a", "type": "User", "display": "a", "$ref": s.url("/Users/a")},
		map[string]any{"value": "b", "type": "User", "display": "b", "$ref": s.url("/Users/b")},
		map[string]any{"value": "b", "type": "Group", "display": "b", "$ref": s.url("/Groups/b")},
	}
	assert.Equal(t, want, r.body["members"], "members.value is not caseExact; a different type is a different member")
	id := r.body["id"].(string)
	r = s.do(http.MethodPut, "/Groups/"+id, group)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, want, r.body["members"])
	r = s.do(http.MethodPatch, "/Groups/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"members","value":`+dups+`}]}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, want, r.body["members"])
	assert.Equal(t, want, s.do(http.MethodGet, "/Groups/"+id, "").body["members"])
}
