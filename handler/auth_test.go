package handler_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
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
	bearer := handler.Authenticate(echo, handler.BearerToken("tenant-a-token", "tenant-b-token"))
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
		{"no scheme", bearer, "tenant-a-token", 401, ""},
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
				assert.Contains(t, w.Body.String(), schema.ErrorSchema)
			}
			if tt.status == 401 {
				assert.Equal(t, `Bearer realm="scim"`, w.Header().Get("WWW-Authenticate"))
			}
		})
	}
	assert.Equal(t, 401, func() int {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer ")
		handler.Authenticate(echo, handler.BearerToken()).ServeHTTP(w, r)
		return w.Code
	}(), "no tokens configured: nothing passes")
}
