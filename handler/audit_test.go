package handler_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
)

// TestAuditRecord checks the audit record of every request (Observe): its
// request id, tenant, route, resource type, id, operation, status,
// scimType and detail, 4xx included, and never a password.
func TestAuditRecord(t *testing.T) {
	var mu sync.Mutex
	var seen []handler.Observation
	s := newServer(t, "", func(c *handler.Config) {
		c.Tenant = func(r *http.Request) (string, error) { return r.Header.Get("X-Tenant"), nil }
		c.Bulk = handler.BulkConfig{MaxOperations: 10}
		c.Observe = func(_ context.Context, o handler.Observation) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, o)
		}
	})
	hdr := []string{"X-Tenant", "acme", "X-Request-Id", "req-1"}
	const secret = "S3cret-Passw0rd!"
	r := s.do(http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann","password":"`+secret+`"}`, hdr...)
	require.Equal(t, http.StatusCreated, r.status)
	id := r.body["id"].(string)
	s.do(http.MethodGet, "/Users/"+id, "", hdr...)
	s.do(http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ANN","password":"`+secret+`"}`, hdr...)
	s.do(http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"nosuch","value":"x"}]}`, hdr...)
	s.do(http.MethodGet, "/Users?filter=userName%20eq%20%22ann%22", "", hdr...)
	s.do(http.MethodPost, "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[]}`, hdr...)
	s.do(http.MethodGet, "/Schemas", "", hdr...)
	s.do(http.MethodDelete, "/Users/"+id, "", hdr...)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 8)
	type row struct{ op, endpoint, rt, id string }
	var rows []row
	for _, o := range seen {
		assert.Equal(t, "req-1", o.RequestID)
		assert.Equal(t, "acme", o.Tenant)
		assert.NotContains(t, o.Detail, secret)
		rows = append(rows, row{o.Operation, o.Endpoint, o.ResourceType, o.ID})
	}
	assert.Equal(t, []row{
		{"create", "/Users", "User", id}, {"read", "/Users/{id}", "User", id}, {"create", "/Users", "User", ""},
		{"patch", "/Users/{id}", "User", id}, {"search", "/Users", "User", ""}, {"bulk", "/Bulk", "", ""},
		{"discovery", "/Schemas", "", ""}, {"delete", "/Users/{id}", "User", id},
	}, rows)
	assert.Equal(t, http.StatusConflict, seen[2].Status)
	assert.Equal(t, "uniqueness", seen[2].ScimType, "4xx are recorded with their scimType")
	assert.NotEmpty(t, seen[2].Detail)
	assert.Equal(t, http.StatusBadRequest, seen[3].Status)
	assert.Equal(t, "invalidPath", seen[3].ScimType)
	assert.Empty(t, seen[1].ScimType)
}

// TestAuditLog checks the audit record's default: without Observe, one
// "scim request" line per request through Logger at level Info, and none
// when the Logger leaves Info out.
func TestAuditLog(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelWarn} {
		var buf bytes.Buffer
		s := newServer(t, "", func(c *handler.Config) {
			c.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: level}))
		})
		s.do(http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann","password":"hunter2-secret"}`, "X-Request-Id", "r-9")
		s.do(http.MethodGet, "/Users/nosuch", "")
		out := buf.String()
		if level == slog.LevelWarn {
			assert.NotContains(t, out, "scim request")
			continue
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		require.Len(t, lines, 2, out)
		assert.Contains(t, lines[0], `msg="scim request" request_id=r-9`)
		assert.Contains(t, lines[0], "operation=create status=201")
		assert.Contains(t, lines[1], "endpoint=/Users/{id} resource_type=User id=nosuch operation=read status=404")
		assert.NotContains(t, out, "hunter2-secret")
	}
}
