package postgres_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/postgres"
)

// TestMetaFiltersOnPostgres checks issue 24's items 6 and 8 through the
// SQL translation: meta.version compared as the ETag clients see (RFC 7643
// §3.1), meta.location as the resource's URL, and ne on a multi-valued
// attribute matching when some value differs (RFC 7644 §3.4.2.2).
func TestMetaFiltersOnPostgres(t *testing.T) {
	s := newPGServer(t)
	status, body := s.do("", http.MethodPost, "/Users", userBody("a", `,"emails":[{"value":"a@w","type":"work"},{"value":"a@h","type":"home"}]`))
	require.Equal(t, http.StatusCreated, status, "%v", body)
	meta := body["meta"].(map[string]any)
	status, _ = s.do("", http.MethodPost, "/Users", userBody("b", `,"emails":[{"value":"b@h","type":"home"}]`))
	require.Equal(t, http.StatusCreated, status)
	total := func(f string) int {
		status, body := s.do("", http.MethodGet, "/Users?filter="+url.QueryEscape(f), "")
		require.Equal(t, http.StatusOK, status, "%s: %v", f, body)
		return int(body["totalResults"].(float64))
	}
	assert.Equal(t, 2, total(`meta.version eq `+strconv.Quote(meta["version"].(string))), "both are at version 1: W/\"1\"")
	assert.Equal(t, 1, total(`meta.location eq `+strconv.Quote(meta["location"].(string))))
	assert.Equal(t, 2, total(`meta.location pr`))
	assert.Equal(t, 1, total(`emails.type ne "home"`), "a has a work email")
	assert.Equal(t, 1, total(`not (emails.type eq "work")`))
}

// TestEmptyStringStored checks that a "" a strict service stores reads
// back as "" (issue 24, item 1): the store decodes what it wrote keeping
// empty strings.
func TestEmptyStringStored(t *testing.T) {
	db := newTestDB(t)
	users := schema.Users()
	s := db.store(t, users, postgres.Options{})
	ctx := context.Background()
	created, err := s.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": "e", "title": ""}})
	require.NoError(t, err)
	got, err := s.Get(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, "", got.Attributes["title"])
	assert.Contains(t, got.Attributes, "title")
}
