package handler_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/schema"
)

// TestCursorPaging follows nextCursor through a sorted, filtered list
// (RFC 9865), by GET and by POST .search, and checks the errors.
func TestCursorPaging(t *testing.T) {
	s := newServer(t, "/scim/v2", nil)
	for _, n := range []string{"g", "c", "e", "a", "f", "b", "d", "x-skip"} {
		s.create("/Users", user(n))
	}
	const query = "filter=" + "not%20(userName%20sw%20%22x-%22)" + "&sortBy=userName&sortOrder=descending&count=3"
	var names []string
	cursor := ""
	for page := 1; ; page++ {
		require.Less(t, page, 5, "the cursors end")
		r := s.do(http.MethodGet, "/Users?"+query+"&cursor="+url.QueryEscape(cursor), "")
		names = append(names, listNames(t, r)...)
		assert.Equal(t, float64(7), r.body["totalResults"])
		assert.NotContains(t, r.body, "startIndex", "cursor pages have no index")
		if page > 1 {
			assert.Contains(t, r.body, "previousCursor")
		}
		next, ok := r.body["nextCursor"].(string)
		if !ok {
			break
		}
		cursor = next
	}
	assert.Equal(t, []string{"g", "f", "e", "d", "c", "b", "a"}, names)

	// POST /.search takes the cursor in the body.
	first := s.do(http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"sortBy":"userName","count":4,"cursor":""}`)
	assert.Equal(t, []string{"a", "b", "c", "d"}, listNames(t, first))
	second := s.do(http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"sortBy":"userName","count":4,"cursor":"`+first.body["nextCursor"].(string)+`"}`)
	assert.Equal(t, []string{"e", "f", "g", "x-skip"}, listNames(t, second))
	assert.NotContains(t, second.body, "nextCursor", "the last page has no next cursor")

	// A cursor belongs to its query.
	c := first.body["nextCursor"].(string)
	wantError(t, s.do(http.MethodGet, "/Users?sortBy=displayName&count=4&cursor="+url.QueryEscape(c), ""), http.StatusBadRequest, schema.ScimInvalidCursor)
	wantError(t, s.do(http.MethodGet, "/Users?cursor=not-a-cursor", ""), http.StatusBadRequest, schema.ScimInvalidCursor)
	wantError(t, s.do(http.MethodGet, "/Users?cursor=&startIndex=2", ""), http.StatusBadRequest, schema.ScimInvalidValue)
	wantError(t, s.do(http.MethodGet, "/?cursor=", ""), http.StatusBadRequest, schema.ScimInvalidValue)
	wantError(t, s.do(http.MethodGet, "/Users?cursor=&count=0", ""), http.StatusBadRequest, schema.ScimInvalidCount)
	wantError(t, s.do(http.MethodGet, "/Users?cursor=&count=-3", ""), http.StatusBadRequest, schema.ScimInvalidCount)
	r := s.do(http.MethodGet, "/Users?cursor=&count=100000", "")
	assert.Len(t, listNames(t, r), 8, "a count above the maximum is capped, not refused")

	spc := s.do(http.MethodGet, "/ServiceProviderConfig", "")
	assert.Equal(t, map[string]any{"cursor": true, "index": true, "defaultPaginationMethod": "index", "defaultPageSize": float64(200), "maxPageSize": float64(200)}, spc.body["pagination"])
}
