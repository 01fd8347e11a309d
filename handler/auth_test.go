package handler_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/memory"
)

type callerKey struct{}

// TestAuthenticate checks the bearer-token middleware and a custom Check:
// SCIM error bodies (RFC 7644 §3.12) with 401 and a challenge (RFC 6750 §3),
// 403 as the check says, and the check's request reaching the handler.
func TestAuthenticate(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, _ := r.Context().Value(callerKey{}).(string)
		w.Header().Set("X-Caller", caller)
		w.WriteHeader(http.StatusNoContent)
	})
	check, err := handler.BearerToken("tenant-a-token", "tenant-b-token")
	require.NoError(t, err)
	bearer := handler.Authenticate(echo, check)
	custom := handler.Authenticate(echo, func(r *http.Request) (*http.Request, error) {
		switch r.Header.Get("Authorization") {
		case "Bearer jwt-ok":
			return r.WithContext(context.WithValue(r.Context(), callerKey{}, "alice")), nil
		case "Bearer jwt-readonly":
			return nil, &schema.Error{Status: http.StatusForbidden, Detail: "this token may not provision"}
		}
		return nil, handler.ErrNoCredentials
	})
	tests := []struct {
		name   string
		h      http.Handler
		auth   string
		status int
		caller string
	}{
		{"first token", bearer, "Bearer tenant-a-token", 204, ""},
		{"second token", bearer, "Bearer tenant-b-token", 204, ""},
		{"wrong token", bearer, "Bearer tenant-c-token", 401, ""},
		{"prefix of a token", bearer, "Bearer tenant-a", 401, ""},
		{"Okta's HTTP Header mode: the token alone", bearer, "tenant-a-token", 204, ""},
		{"the token alone, wrong", bearer, "tenant-c-token", 401, ""},
		{"another scheme", bearer, "Token tenant-a-token", 401, ""},
		{"the scheme alone", bearer, "Bearer", 401, ""},
		{"RFC 9110 §11.1: the scheme in lower case", bearer, "bearer tenant-a-token", 204, ""},
		{"the scheme in upper case", bearer, "BEARER tenant-b-token", 204, ""},
		{"spaces after the scheme", bearer, "Bearer   tenant-a-token", 204, ""},
		{"no space after the scheme", bearer, "Bearertenant-a-token", 401, ""},
		{"a token followed by U+00A0", bearer, "Bearer tenant-a-token\u00a0", 401, ""},
		{"U+00A0 before the token", bearer, "Bearer \u00a0tenant-a-token", 401, ""},
		{"a token with a space inside", bearer, "Bearer tenant-a-token x", 401, ""},
		{"basic", bearer, "Basic dXNlcjpwYXNz", 401, ""},
		{"no header", bearer, "", 401, ""},
		{"custom check passes the caller on", custom, "Bearer jwt-ok", 204, "alice"},
		{"custom check forbids", custom, "Bearer jwt-readonly", 403, ""},
		{"custom check refuses", custom, "Bearer nope", 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/Users", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			w := httptest.NewRecorder()
			tt.h.ServeHTTP(w, req)
			assert.Equal(t, tt.status, w.Code)
			assert.Equal(t, tt.caller, w.Header().Get("X-Caller"))
			if tt.status >= 400 {
				assert.Equal(t, "application/scim+json", w.Header().Get("Content-Type"))
				assert.Contains(t, w.Body.String(), `"status":"`+strconv.Itoa(tt.status)+`"`)
				assert.Contains(t, w.Body.String(), document.ErrorSchema)
			}
			if tt.status == 401 {
				assert.Equal(t, `Bearer realm="scim"`, w.Header().Get("WWW-Authenticate"))
			}
		})
	}
}

// TestBearerTokenFailsClosed checks that BearerToken refuses, where it is
// built, a configuration under which a request could pass without knowing
// a secret: no token, an empty one (an unset environment variable), or one
// that holds whitespace, which the presented token can never equal.
func TestBearerTokenFailsClosed(t *testing.T) {
	for _, tokens := range [][]string{nil, {""}, {"ok", ""}, {"\u00a0"}, {" "}, {"tok "}, {"a\tb"}, {"é"}} {
		c, err := handler.BearerToken(tokens...)
		assert.Error(t, err, "%q", tokens)
		assert.Nil(t, c)
	}
	// The request the issue reproduced: with SCIM_TOKEN unset, a U+00A0
	// token passed. Now no Check exists to pass it.
	_, err := handler.BearerToken("")
	require.Error(t, err)
	c, err := handler.BearerToken("eyJhbGciOi.JIUzI1-NiJ9_~+/==")
	require.NoError(t, err, "every b64token character (RFC 6750 §2.1)")
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer eyJhbGciOi.JIUzI1-NiJ9_~+/==")
	_, err = c(r)
	assert.NoError(t, err)
}

// TestAuthenticateCouldNotCheck checks that a Check that fails for a reason
// other than bad credentials (its database is down) is answered 503 and
// logged with the request id, not 401, which an identity provider takes
// for a revoked token.
func TestAuthenticateCouldNotCheck(t *testing.T) {
	var logs bytes.Buffer
	users := schema.Users()
	h, err := handler.New(handler.Config{
		Endpoints: []handler.Endpoint{{Type: users, Store: memory.New(users, memory.Options{})}},
		Logger:    slog.New(slog.NewTextHandler(&logs, nil)),
	})
	require.NoError(t, err)
	down := errors.New("token table: connection refused")
	srv := handler.Authenticate(h, func(r *http.Request) (*http.Request, error) {
		switch r.Header.Get("Authorization") {
		case "Bearer wrapped-bad":
			return nil, fmt.Errorf("token expired: %w", handler.ErrNoCredentials)
		case "Bearer down":
			return nil, down
		}
		return nil, handler.ErrNoCredentials
	})
	for _, tt := range []struct {
		auth   string
		status int
	}{{"Bearer down", 503}, {"Bearer wrapped-bad", 401}, {"Bearer other", 401}} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/Users", nil)
		r.Header.Set("Authorization", tt.auth)
		r.Header.Set("X-Request-Id", "req-42")
		srv.ServeHTTP(w, r)
		assert.Equal(t, tt.status, w.Code, tt.auth)
		assert.Equal(t, tt.status == 401, w.Header().Get("WWW-Authenticate") != "", tt.auth)
		assert.Contains(t, w.Body.String(), document.ErrorSchema)
	}
	assert.Contains(t, logs.String(), "connection refused")
	assert.Contains(t, logs.String(), "request_id=req-42")
	assert.Equal(t, 1, strings.Count(logs.String(), "could not check"), "only the failure to check is logged")
}
