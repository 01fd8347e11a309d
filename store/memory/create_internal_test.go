package memory

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// createBodies are POST bodies that document.PrepareCreate takes.
var createBodies = []string{
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bare"}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	  "userName":"Full@Example.com","externalId":"x-1","displayName":"Full","title":"Engineer","active":true,
	  "name":{"familyName":"Jensen","givenName":"Barbara"},"emails":[{"value":"f@example.com","type":"work","primary":true},{"value":"g@example.com"}],
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"7","department":"R&D","manager":{"value":"m1"}}}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"badge","externalId":"x-1",
	  "urn:example:params:scim:schemas:extension:badge:2.0:User":{"number":"12"}}`,
}

// prepare is document.PrepareCreate for body, which it must take.
func prepare(t *testing.T, rt *schema.ResourceType, body string) *document.Creation {
	t.Helper()
	c, _, ok := document.PrepareCreate(nil, rt, []byte(body), document.DecodeOptions{})
	require.True(t, ok, body)
	return &c
}

// TestCreateJSON checks that part.createJSON stores what create stores
// for the same body decoded (RFC 7644 §3.3), and indexes it alike: the
// same JSON and spans, the same resource read back, found by userName
// (unique) and externalId, and the index keys inside the new JSON.
func TestCreateJSON(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rt := quickType()
	newStore := func() *part {
		n := 0
		s := New(rt, Options{Now: func() time.Time { return now }, NewID: func() string { n++; return "id-" + strconv.Itoa(n) }}).(*memStore)
		return s.part(ctx)
	}
	general, quick := newStore(), newStore()
	for _, body := range createBodies {
		r, err := document.Decode(rt, []byte(body), document.DecodeOptions{})
		require.NoError(t, err)
		r, err = document.ValidateCreateOwned(rt, r)
		require.NoError(t, err)
		want, err := general.create(ctx, r)
		require.NoError(t, err)

		enc, err := quick.createJSON(ctx, prepare(t, rt, body))
		require.NoError(t, err, body)
		assert.Equal(t, want.ID, enc.ID)
		assert.Equal(t, want.Meta, enc.Meta)
		ge, err := general.at(want.ID, "")
		require.NoError(t, err)
		qe, err := quick.at(want.ID, "")
		require.NoError(t, err)
		assert.Equal(t, ge.st.enc(), qe.st.enc(), body)
		assert.Equal(t, ge.st.spans(), qe.st.spans(), body)
		assert.Equal(t, ge.st.ext(), qe.st.ext())
		assert.Equal(t, qe.st.enc(), string(enc.JSON))
		got, err := quick.get(ctx, want.ID)
		require.NoError(t, err)
		assert.Equal(t, want, got)

		userName := want.Attributes["userName"].(string)
		holder, ok := quick.unique[0].holder(userName)
		assert.True(t, ok && holder == qe, "indexed by userName")
		for k, holder := range quick.unique[0].keys {
			if holder == qe && k == userName {
				assert.True(t, shares(qe.st.blob, k), "the userName key shares the JSON")
			}
		}
		if want.ExternalID != "" {
			page, err := quick.search(ctx, &store.Query{Filter: mustMatcher(t, rt, `externalId eq "`+want.ExternalID+`"`), Count: 10})
			require.NoError(t, err)
			assert.Contains(t, ids(page), want.ID, "found by externalId")
		}
	}
	assert.Equal(t, general.version, quick.version)
	assert.Len(t, quick.sorted, len(createBodies))
}

// mustMatcher compiles f for rt.
func mustMatcher(t *testing.T, rt *schema.ResourceType, f string) *filter.Matcher {
	t.Helper()
	e, err := filter.Parse(f)
	require.NoError(t, err)
	m, err := filter.Compile(rt, e)
	require.NoError(t, err)
	return m
}

// ids returns the ids of page's resources.
func ids(page *store.Page) []string {
	var out []string
	for _, r := range page.Resources {
		out = append(out, r.ID)
	}
	return out
}

// TestCreateJSONRefuses: a userName another user holds, in any case, is
// a conflict (RFC 7644 §3.3: 409 uniqueness) that writes nothing; a
// canceled context writes nothing; an id the host's NewID repeats is an
// error.
func TestCreateJSONRefuses(t *testing.T) {
	ctx := context.Background()
	rt := quickType()
	id := "a"
	s := New(rt, Options{NewID: func() string { return id }}).(*memStore)
	p := s.part(ctx)
	_, err := p.createJSON(ctx, prepare(t, rt, createBodies[1]))
	require.NoError(t, err)
	version := p.version

	id = "b"
	_, err = p.createJSON(ctx, prepare(t, rt, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"FULL@example.COM"}`))
	var conflict *store.ConflictError
	require.ErrorAs(t, err, &conflict)
	assert.Equal(t, "userName", conflict.Attribute)
	assert.ErrorIs(t, err, store.ErrConflict)

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = p.createJSON(canceled, prepare(t, rt, createBodies[0]))
	assert.ErrorIs(t, err, context.Canceled)

	id = "a"
	_, err = p.createJSON(ctx, prepare(t, rt, createBodies[0]))
	assert.ErrorContains(t, err, "in use")

	assert.Equal(t, version, p.version, "nothing written")
	assert.Len(t, p.byID, 1)
	assert.Len(t, p.unique[0].keys, 1)
	assert.Len(t, p.sorted, 1)

	// The store's own ids.
	own := New(rt, Options{}).(*memStore).part(ctx)
	enc, err := own.createJSON(ctx, prepare(t, rt, createBodies[0]))
	require.NoError(t, err)
	assert.Len(t, enc.ID, 36)
	got, err := own.get(ctx, enc.ID)
	require.NoError(t, err)
	assert.Equal(t, "bare", got.Attributes["userName"])
}

// TestCreateJSONDeclines: stores whose states keep more than the JSON,
// or whose unique values the JSON does not show as top-level strings,
// leave the create to the general path, having written nothing.
func TestCreateJSONDeclines(t *testing.T) {
	ctx := context.Background()
	groups := schema.Groups()
	g := New(groups, Options{}).(*memStore).part(ctx)
	c, _, ok := document.PrepareCreate(nil, groups, []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"g"}`), document.DecodeOptions{})
	require.True(t, ok)
	_, err := g.createJSON(ctx, &c)
	assert.ErrorIs(t, err, errors.ErrUnsupported, "reference lists")
	assert.Empty(t, g.byID)

	rt := quickType()
	rt.Extensions[1].Schema.Attribute("number").Uniqueness = schema.UniquenessServer
	u := New(rt, Options{}).(*memStore).part(ctx)
	_, err = u.createJSON(ctx, prepare(t, rt, createBodies[2]))
	assert.ErrorIs(t, err, errors.ErrUnsupported, "a unique attribute of an extension")
	assert.Empty(t, u.byID)
}
