package handler_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
)

// TestObserve checks the metrics hook: one observation per request, with
// the route (never an id), the status and a duration.
func TestObserve(t *testing.T) {
	var mu sync.Mutex
	var seen []handler.Observation
	s := newServer(t, "/scim/v2", func(c *handler.Config) {
		c.Observe = func(_ context.Context, o handler.Observation) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, o)
		}
	})
	id := s.create("/Users", user("observed@example.com"))
	s.do(http.MethodGet, "/Users/"+id, "")
	s.do(http.MethodGet, "/Users/nosuch", "")
	s.do(http.MethodGet, "/Users?filter=userName%20pr", "")
	s.do(http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}`)
	s.do(http.MethodGet, "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "")
	s.do(http.MethodGet, "/ServiceProviderConfig", "")
	s.do(http.MethodDelete, "/Users", "")
	s.do(http.MethodGet, "/Nope/1/2", "")
	s.do(http.MethodPost, "/Bulk", `{}`)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 10)
	type row struct {
		method, endpoint string
		status           int
	}
	var got []row
	for _, o := range seen {
		got = append(got, row{o.Method, o.Endpoint, o.Status})
		assert.Positive(t, o.Duration)
	}
	assert.Equal(t, []row{
		{"POST", "/Users", 201}, {"GET", "/Users/{id}", 200}, {"GET", "/Users/{id}", 404},
		{"GET", "/Users", 200}, {"POST", "/Users/.search", 200}, {"GET", "/Schemas/{id}", 200},
		{"GET", "/ServiceProviderConfig", 200}, {"DELETE", "/Users", 405}, {"GET", "other", 404},
		{"POST", "/Bulk", 501},
	}, got)
}
