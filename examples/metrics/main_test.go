package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMetrics checks the example: requests show at /metrics by route
// pattern (never an id), method and status, with a latency histogram.
func TestMetrics(t *testing.T) {
	m := newMetrics()
	h, err := newServer("t0123456789abcdef", m)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	do := func(method, path, body string) int {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer t0123456789abcdef")
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusCreated, do(http.MethodPost, "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann"}`))
	require.Equal(t, http.StatusNotFound, do(http.MethodGet, "/scim/v2/Users/nosuch", ""))
	resp, err := http.Get(srv.URL + "/metrics")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	out := string(b)
	assert.Contains(t, out, `scim_requests_total{endpoint="/Users",method="POST",status="201"} 1`)
	assert.Contains(t, out, `scim_requests_total{endpoint="/Users/{id}",method="GET",status="404"} 1`)
	assert.Contains(t, out, `scim_request_duration_seconds_count{endpoint="/Users/{id}"} 1`)
	assert.NotContains(t, out, "nosuch", "ids never become labels")
}
