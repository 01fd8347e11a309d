package handler_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/memory"
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

// TestKeysetCursor follows nextCursor through a list in id order, which
// pages by key (RFC 9865): every user once, in id order, the total the
// first page counted on every page, no previousCursor (optional in RFC
// 9865), and a user created past the cursor between pages is found.
func TestKeysetCursor(t *testing.T) {
	s := newServer(t, "/scim/v2", nil)
	for i := range 25 {
		s.create("/Users", user(fmt.Sprintf("k%02d", i)))
	}
	s.create("/Users", user("x-skip"))
	const query = "filter=" + "userName%20sw%20%22k%22" + "&count=4"
	var ids []string
	cursor, late := "", ""
	for page := 1; ; page++ {
		require.Less(t, page, 12, "the cursors end")
		r := s.do(http.MethodGet, "/Users?"+query+"&cursor="+url.QueryEscape(cursor), "")
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
		for _, x := range r.body["Resources"].([]any) {
			ids = append(ids, x.(map[string]any)["id"].(string))
		}
		assert.Equal(t, float64(25), r.body["totalResults"], "page %d", page)
		assert.NotContains(t, r.body, "startIndex")
		assert.NotContains(t, r.body, "previousCursor")
		next, ok := r.body["nextCursor"].(string)
		if !ok {
			break
		}
		if page == 2 {
			// A user whose id comes after the page's last one.
			for i := 0; late == ""; i++ {
				if id := s.create("/Users", user(fmt.Sprintf("k-late%d", i))); id > ids[len(ids)-1] {
					late = id
				}
			}
		}
		cursor = next
	}
	assert.True(t, slices.IsSorted(ids), "id order")
	assert.Equal(t, len(ids), len(slices.Compact(slices.Clone(ids))), "each once")
	assert.Contains(t, ids, late)
	assert.GreaterOrEqual(t, len(ids), 26)

	// A keyset cursor belongs to its query, and to an unsorted one.
	first := s.do(http.MethodGet, "/Users?count=2&cursor=", "")
	c := url.QueryEscape(first.body["nextCursor"].(string))
	wantError(t, s.do(http.MethodGet, "/Users?count=2&sortBy=userName&cursor="+c, ""), http.StatusBadRequest, schema.ScimInvalidCursor)
	wantError(t, s.do(http.MethodGet, "/Users?count=2&filter=userName%20pr&cursor="+c, ""), http.StatusBadRequest, schema.ScimInvalidCursor)
	second := s.do(http.MethodGet, "/Users?count=2&cursor="+c, "")
	assert.Len(t, second.body["Resources"], 2)
}

// TestWalkByStartIndex walks a list in id order by startIndex, as Okta's
// import does (RFC 7644 §3.4.2.4): every page is what an index page
// answers, and after the first the store is asked for the results past
// the page before's last id (store.Query.After) rather than to skip the
// results before it, and the total is the page before's, not counted
// again. A write in the tenant starts the walk again from the index.
func TestWalkByStartIndex(t *testing.T) {
	users, groups := schema.Users(), schema.Groups()
	us := &recordingStore{Store: memory.New(users, memory.Options{})}
	s := newServer(t, "", func(c *handler.Config) {
		c.Endpoints = []handler.Endpoint{{Type: users, Store: us}, {Type: groups, Store: memory.New(groups, memory.Options{})}}
	})
	for i := range 20 {
		s.create("/Users", user(fmt.Sprintf("w%02d", i)))
	}
	all := s.do(http.MethodGet, "/Users?count=100&attributes=id", "")
	var want []string
	for _, x := range all.body["Resources"].([]any) {
		want = append(want, x.(map[string]any)["id"].(string))
	}
	require.Len(t, want, 20)
	total := 20
	page := func(start int) []string {
		t.Helper()
		us.mu.Lock()
		us.queries = nil
		us.mu.Unlock()
		r := s.do(http.MethodGet, fmt.Sprintf("/Users?startIndex=%d&count=3&attributes=id", start), "")
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
		assert.Equal(t, float64(total), r.body["totalResults"])
		assert.Equal(t, float64(start), r.body["startIndex"])
		var ids []string
		for _, x := range r.body["Resources"].([]any) {
			ids = append(ids, x.(map[string]any)["id"].(string))
		}
		return ids
	}
	after := func() string {
		us.mu.Lock()
		defer us.mu.Unlock()
		for _, q := range us.queries {
			if q.After != "" {
				return q.After
			}
		}
		return ""
	}
	var got []string
	for start := 1; start <= 20; start += 3 {
		ids := page(start)
		if start > 1 {
			assert.Equal(t, got[len(got)-1], after(), "page %d read past the page before", start)
			us.mu.Lock()
			assert.Len(t, us.queries, 1, "page %d: one query, and the total of the page before (nothing was written)", start)
			us.mu.Unlock()
		}
		got = append(got, ids...)
	}
	assert.Equal(t, want, got)

	// A write: the next page is read by index again, and is the index's.
	page(1)
	page(4)
	s.create("/Users", user("w-new"))
	total = 21
	ids := page(7)
	assert.Empty(t, after(), "after a write, the page is read by index")
	all = s.do(http.MethodGet, "/Users?startIndex=7&count=3&attributes=id", "")
	var index []string
	for _, x := range all.body["Resources"].([]any) {
		index = append(index, x.(map[string]any)["id"].(string))
	}
	assert.Equal(t, index, ids)
}
