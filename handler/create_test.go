package handler_test

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/fastpath"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// countingStore is a store with fast paths that counts the creates it
// takes from JSON (fastpath.Store.CreateJSON).
type countingStore struct {
	store.Store
	fromJSON atomic.Int64
}

func (c *countingStore) Unwrap() store.Store { return c.Store }

func (c *countingStore) Fastpath() fastpath.Store {
	return countingFast{c.Store.(fastpath.Provider).Fastpath(), &c.fromJSON}
}

type countingFast struct {
	fastpath.Store
	n *atomic.Int64
}

func (f countingFast) CreateJSON(ctx context.Context, c *document.Creation) (document.Encoded, error) {
	enc, err := f.Store.CreateJSON(ctx, c)
	if err == nil {
		f.n.Add(1)
	}
	return enc, err
}

// generalStore hides a store's fast paths from the handler's writes.
type generalStore struct{ store.Store }

func (g generalStore) Unwrap() store.Store { return g.Store }

// TestCreateFromJSON checks that a POST the handler serves from the body's
// JSON (document.PrepareCreate, fastpath.Store.CreateJSON) answers exactly
// as the general path does (RFC 7644 §3.3: 201 with the resource, its
// ETag and Location; 409 uniqueness), under attributes and
// excludedAttributes (RFC 7644 §3.9), and that the fast path is taken
// where it should be and only there.
func TestCreateFromJSON(t *testing.T) {
	const entra = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"externalId":"0a21f0f2","userName":"Test_User_ab6490ee@contoso.com","active":true,"displayName":"BobIsAmazing",` +
		`"emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b@contoso.com"}],"meta":{"resourceType":"User"},` +
		`"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1","department":"Eng"}}`
	const okta = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"isaac.brock@example.com",` +
		`"name":{"givenName":"Isaac","familyName":"Brock"},"emails":[{"primary":true,"value":"isaac.brock@example.com","type":"work"}],` +
		`"displayName":"Isaac Brock","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}`
	steps := []struct {
		name, path, body string
		fromJSON         bool
	}{
		{"Entra ID's create", "/Users", entra, true},
		{"the same userName in another case", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"TEST_user_ab6490ee@contoso.com"}`, false},
		{"attributes", "/Users?attributes=userName", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"}`, true},
		{"excludedAttributes", "/Users?excludedAttributes=emails,name", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"b","name":{"givenName":"B"},"emails":[{"value":"b@x"}]}`, true},
		{"Okta's create, with a password", "/Users", okta, false},
		{"a body in error", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"displayName":"no userName"}`, false},
		{"a group", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"g"}`, false},
	}
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	serve := func(wrap func(store.Store) store.Store) *server {
		n := 0
		opts := memory.Options{Now: func() time.Time { return now }, NewID: func() string { n++; return "id-" + strconv.Itoa(n) }}
		return newServer(t, "/scim/v2", func(c *handler.Config) {
			c.BaseURL = "https://scim.example.com/scim/v2" // the same Location from both servers
			c.Endpoints[0].Store = wrap(memory.New(c.Endpoints[0].Type, opts))
			c.Endpoints[1].Store = memory.New(c.Endpoints[1].Type, opts)
		})
	}
	var counting *countingStore
	fast := serve(func(s store.Store) store.Store { counting = &countingStore{Store: s}; return counting })
	general := serve(func(s store.Store) store.Store { return generalStore{s} })
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before := counting.fromJSON.Load()
			want := general.do(http.MethodPost, st.path, st.body)
			got := fast.do(http.MethodPost, st.path, st.body)
			assert.Equal(t, want.status, got.status)
			assert.Equal(t, string(want.raw), string(got.raw))
			for _, h := range []string{"Content-Type", "ETag", "Location"} {
				assert.Equal(t, want.header.Get(h), got.header.Get(h), h)
			}
			took := counting.fromJSON.Load() > before
			assert.Equal(t, st.fromJSON, took, "served from the body's JSON")
		})
	}
	// What the fast path stored is found as the general path's is.
	for _, q := range []string{`externalId%20eq%20%220a21f0f2%22`, `userName%20eq%20%22TEST_USER_ab6490ee@contoso.com%22`} {
		want, got := general.do(http.MethodGet, "/Users?filter="+q, ""), fast.do(http.MethodGet, "/Users?filter="+q, "")
		require.Equal(t, http.StatusOK, got.status)
		assert.Equal(t, float64(1), got.body["totalResults"], q)
		assert.Equal(t, string(want.raw), string(got.raw), q)
	}
}

// TestCreateFromJSONHooks: with OnChange or BeforeWrite set, which are
// handed the resource, a POST takes the general path and the hooks see
// it.
func TestCreateFromJSONHooks(t *testing.T) {
	var changes, approvals atomic.Int64
	var counting *countingStore
	s := newServer(t, "", func(c *handler.Config) {
		counting = &countingStore{Store: c.Endpoints[0].Store}
		c.Endpoints[0].Store = counting
		c.OnChange = func(ctx context.Context, ch handler.Change) error {
			assert.Equal(t, "u", ch.After.Attributes["userName"])
			changes.Add(1)
			return nil
		}
		c.BeforeWrite = func(ctx context.Context, ch handler.Change) error {
			approvals.Add(1)
			return nil
		}
	})
	s.create("/Users", `{"schemas":["`+schema.UserSchema+`"],"userName":"u"}`)
	assert.Equal(t, int64(1), changes.Load())
	assert.Equal(t, int64(1), approvals.Load())
	assert.Zero(t, counting.fromJSON.Load())
}
