package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTenants(t *testing.T) {
	got, err := parseTenants("acme=t1, globex=t2")
	assert.NoError(t, err)
	assert.Equal(t, map[string]string{"t1": "acme", "t2": "globex"}, got)
	got, err = parseTenants("")
	assert.NoError(t, err)
	assert.Nil(t, got)
	for _, bad := range []string{"acme", "acme=", "=t1", "a=t,b=t"} {
		_, err := parseTenants(bad)
		assert.Error(t, err, bad)
	}
}

// TestHTTPServerTimeouts checks that the example server cannot be held by
// clients that stop sending (issue 18, finding 8): the zero http.Server
// waits forever for a header or a body that never comes.
func TestHTTPServerTimeouts(t *testing.T) {
	srv := httpServer(http.NotFoundHandler())
	assert.Positive(t, srv.ReadHeaderTimeout)
	assert.LessOrEqual(t, srv.ReadHeaderTimeout, 10*time.Second)
	assert.Positive(t, srv.ReadTimeout, "a body that stops arriving is cut off")
	assert.LessOrEqual(t, srv.ReadTimeout, 30*time.Second)
	assert.Positive(t, srv.WriteTimeout)
	assert.Positive(t, srv.IdleTimeout)
	assert.Positive(t, srv.MaxHeaderBytes)
	assert.Less(t, srv.MaxHeaderBytes, http.DefaultMaxHeaderBytes)
}

// TestRunRefusesBadToken checks that the example server does not start
// with a token that a request could match without knowing it.
func TestRunRefusesBadToken(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tok := range []string{" ", "\u00a0", "a b"} {
		assert.ErrorContains(t, run(log, options{addr: "127.0.0.1:0", token: tok}), "token", "%q", tok)
	}
	assert.ErrorContains(t, run(log, options{addr: "127.0.0.1:0", tenants: "acme=\u00a0"}), "acme")
	assert.ErrorContains(t, run(log, options{addr: "127.0.0.1:0", tenants: "acme=t0123456789abcdef", oauth: true}), "-oauth needs -token")
}

// serve returns a test server for the example server's handler with o.
func serve(t *testing.T, o options) (*httptest.Server, string) {
	t.Helper()
	o.token = "t0123456789abcdef"
	h, closeFn, err := serverHandler(slog.New(slog.NewTextHandler(io.Discard, nil)), &o)
	require.NoError(t, err)
	t.Cleanup(closeFn)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, o.token
}

// send sends a request with the bearer token and returns its status and
// its body's scimType.
func send(t *testing.T, srv *httptest.Server, token, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+"/scim/v2"+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out struct {
		ScimType string `json:"scimType"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.ScimType
}

// create posts body to /Users, requires 201 and returns the new id.
func create(t *testing.T, srv *httptest.Server, token, body, msg string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/scim/v2/Users", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var created struct{ ID string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&created))
	require.Equal(t, http.StatusCreated, resp.StatusCode, msg)
	return created.ID
}

// TestGroupNamesAreUnique checks that the example server, which exists to
// be pointed at Entra ID, answers a second group of the same displayName
// with 409 uniqueness (RFC 7644 §3.3), as Entra ID expects.
func TestGroupNamesAreUnique(t *testing.T) {
	srv, token := serve(t, options{})
	group := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Sales"}`
	status, _ := send(t, srv, token, http.MethodPost, "/Groups", group)
	require.Equal(t, http.StatusCreated, status)
	status, scimType := send(t, srv, token, http.MethodPost, "/Groups", strings.Replace(group, "Sales", "SALES", 1))
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, "uniqueness", scimType)
}

// TestStrictFlag checks -strict: a body in a dialect Entra ID sends (a
// PATCH op written "Replace", RFC 7644 §3.5.2 spells it "replace") is
// accepted by default and refused with 400 invalidSyntax when strict.
func TestStrictFlag(t *testing.T) {
	user := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}`
	op := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"B"}]}`
	for _, tt := range []struct {
		strict bool
		want   int
	}{{false, http.StatusOK}, {true, http.StatusBadRequest}} {
		srv, token := serve(t, options{strict: tt.strict})
		id := create(t, srv, token, user, "")
		status, scimType := send(t, srv, token, http.MethodPatch, "/Users/"+id, op)
		assert.Equal(t, tt.want, status, "strict %v", tt.strict)
		if tt.strict {
			assert.Equal(t, "invalidSyntax", scimType)
		}
	}
}

// TestRateFlag checks -rate: past the burst, requests get 429 with an
// integer Retry-After.
func TestRateFlag(t *testing.T) {
	srv, token := serve(t, options{rate: 5})
	var limited *http.Response
	for range 20 {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/scim/v2/Users", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			limited = resp
			break
		}
	}
	require.NotNil(t, limited, "a burst of 20 at 5 per second is limited")
	assert.Regexp(t, `^[1-9][0-9]*$`, limited.Header.Get("Retry-After"))
}

// TestMaxUsersFlag checks -max-users: with 3, the fourth active user is
// refused, and so is reactivating a user past the limit.
func TestMaxUsersFlag(t *testing.T) {
	srv, token := serve(t, options{maxUsers: 3})
	body := func(name string, active bool) string {
		return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"active":%v}`, name, active)
	}
	for i := range 3 {
		status, _ := send(t, srv, token, http.MethodPost, "/Users", body(fmt.Sprintf("u%d", i), true))
		require.Equal(t, http.StatusCreated, status)
	}
	status, _ := send(t, srv, token, http.MethodPost, "/Users", body("u3", true))
	assert.Equal(t, http.StatusForbidden, status, "the fourth seat")
	idle := create(t, srv, token, body("idle", false), "an inactive user takes no seat")
	status, _ = send(t, srv, token, http.MethodPatch, "/Users/"+idle, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}`)
	assert.Equal(t, http.StatusForbidden, status, "a reactivation past the limit")
}

// TestSoftDeleteFlag checks -soft-delete: a deleted user's userName can
// be created again while the old record stays in the store.
func TestSoftDeleteFlag(t *testing.T) {
	users, groups := schema.Users(), schema.Groups()
	us, _, closeFn, err := stores(slog.New(slog.NewTextHandler(io.Discard, nil)), "", true, users, groups)
	require.NoError(t, err)
	defer closeFn()
	ctx := context.Background()
	old, err := us.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": "ann"}})
	require.NoError(t, err)
	require.NoError(t, us.Delete(ctx, old.ID, ""))
	_, err = us.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": "ann"}})
	require.NoError(t, err, "the userName is free again")
	var kept []string
	for r, err := range us.(store.Trash).Deleted(ctx) {
		require.NoError(t, err)
		kept = append(kept, r.ID)
	}
	assert.Equal(t, []string{old.ID}, kept, "the old record stays")

	srv, token := serve(t, options{softDelete: true})
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bob"}`
	id := create(t, srv, token, body, "")
	status, _ := send(t, srv, token, http.MethodDelete, "/Users/"+id, "")
	require.Equal(t, http.StatusNoContent, status)
	status, _ = send(t, srv, token, http.MethodGet, "/Users/"+id, "")
	assert.Equal(t, http.StatusNotFound, status)
	status, _ = send(t, srv, token, http.MethodPost, "/Users", body)
	assert.Equal(t, http.StatusCreated, status)
}
