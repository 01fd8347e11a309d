package handler_test

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
)

// TestRateLimit checks Config.RateLimit: each tenant may burst, then gets
// 429 with an integer Retry-After (RFC 9110 §10.2.3, which Entra ID and
// Okta honour) and the SCIM error body (RFC 7644 §3.12); tenants do not
// share a bucket; and under concurrency exactly the burst gets through.
func TestRateLimit(t *testing.T) {
	s := newServer(t, "", func(c *handler.Config) {
		c.RateLimit = handler.RateLimit{PerSecond: 0.001, Burst: 3}
		c.Tenant = func(r *http.Request) (string, error) { return r.Header.Get("X-Tenant"), nil }
	})
	as := func(tenant string) []string { return []string{"X-Tenant", tenant} }
	for range 3 {
		require.Equal(t, http.StatusOK, s.do(http.MethodGet, "/Users", "", as("acme")...).status)
	}
	r := s.do(http.MethodGet, "/Users", "", as("acme")...)
	require.Equal(t, http.StatusTooManyRequests, r.status)
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After is whole seconds: %q", r.header.Get("Retry-After"))
	assert.Positive(t, secs)
	assert.Equal(t, "429", r.body["status"])
	assert.Equal(t, []any{"urn:ietf:params:scim:api:messages:2.0:Error"}, r.body["schemas"])
	assert.Equal(t, http.StatusOK, s.do(http.MethodGet, "/Users", "", as("globex")...).status, "another tenant has its own bucket")

	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.do(http.MethodGet, "/Users", "", as("initech")...).status == http.StatusOK {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(3), ok.Load(), "exactly the burst, under concurrency")
}
