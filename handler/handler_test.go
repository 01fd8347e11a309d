package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// prefixes are the mount points every end-to-end test runs under: the
// handler must not care where it is mounted.
var prefixes = []string{"", "/scim/v2", "/tenant/x/scim"}

// server is a handler mounted under a prefix of an httptest.Server.
type server struct {
	t      *testing.T
	srv    *httptest.Server
	prefix string
	users  store.Store
	groups store.Store
	logs   *bytes.Buffer
}

// newServer serves Users (with the EnterpriseUser extension) and Groups on
// memory stores under prefix. configure, when not nil, edits the Config
// before New.
func newServer(t *testing.T, prefix string, configure func(*handler.Config)) *server {
	t.Helper()
	users, groups := schema.Users(), schema.Groups()
	s := &server{t: t, prefix: prefix, users: memory.New(users, memory.Options{}), groups: memory.New(groups, memory.Options{}), logs: &bytes.Buffer{}}
	cfg := handler.Config{
		Endpoints: []handler.Endpoint{{Type: users, Store: s.users}, {Type: groups, Store: s.groups}},
		Logger:    slog.New(slog.NewTextHandler(s.logs, nil)),
	}
	if configure != nil {
		configure(&cfg)
	}
	h, err := handler.New(cfg)
	require.NoError(t, err)
	mux := http.NewServeMux()
	if prefix == "" {
		mux.Handle("/", h)
	} else {
		mux.Handle(prefix+"/", http.StripPrefix(prefix, h))
	}
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// response is an answer with its body decoded when it is JSON.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// do sends a request to path (relative to the mount point). hdr holds
// header name/value pairs; a body without a Content-Type header is sent
// as application/scim+json.
func (s *server) do(method, path, body string, hdr ...string) *response {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.srv.URL+s.prefix+path, rd)
	require.NoError(s.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := s.srv.Client().Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	out := &response{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		require.NoError(s.t, json.Unmarshal(raw, &out.body), "body: %s", raw)
		assert.Equal(s.t, "application/scim+json", resp.Header.Get("Content-Type"), "RFC 7644 §3.1: every body is application/scim+json")
	}
	return out
}

// url is the absolute URL of path under the mount point.
func (s *server) url(path string) string { return s.srv.URL + s.prefix + path }

// create POSTs a user and returns its id.
func (s *server) create(endpoint, body string) string {
	s.t.Helper()
	r := s.do(http.MethodPost, endpoint, body)
	require.Equal(s.t, http.StatusCreated, r.status, "%s", r.raw)
	id, _ := r.body["id"].(string)
	require.NotEmpty(s.t, id)
	return id
}

// wantError checks an RFC 7644 §3.12 error body.
func wantError(t *testing.T, r *response, status int, scimType schema.ScimType) {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.raw)
	assert.Equal(t, []any{document.ErrorSchema}, r.body["schemas"], "RFC 7644 §3.12: error schemas")
	assert.Equal(t, float64(status), asNumber(r.body["status"]), "RFC 7644 §3.12: status is the HTTP status")
	if scimType == "" {
		assert.NotContains(t, r.body, "scimType")
	} else {
		assert.Equal(t, string(scimType), r.body["scimType"])
	}
	assert.NotEmpty(t, r.body["detail"])
}

// asNumber reads a JSON status, which RFC 7644 §3.12 writes as a string.
func asNumber(v any) float64 {
	var f float64
	switch v := v.(type) {
	case string:
		_ = json.Unmarshal([]byte(v), &f)
	case float64:
		f = v
	}
	return f
}

const (
	bjensen = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"userName":"bjensen@example.com","externalId":"e-1","password":"t1meMachine","active":true,
		"name":{"givenName":"Barbara","familyName":"Jensen"},
		"emails":[{"value":"bjensen@example.com","type":"work","primary":true}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","department":"Tour Operations"}}`
	group = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Tour Guides"}`
)

// ids returns a NewID for memory.Options that gives the listed ids, then
// random ones, so that a test can name members that exist.
func ids(list ...string) func() string {
	var mu sync.Mutex
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		if len(list) == 0 {
			return store.NewID()
		}
		id := list[0]
		list = list[1:]
		return id
	}
}

// numbered returns the ids fmt.Sprintf(format, i) for i from 0 to n-1.
func numbered(format string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i)
	}
	return out
}

func user(name string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + name + `"}`
}

// TestLifecycle walks a user through every resource endpoint: RFC 7644
// §3.3 (create), §3.4.1 (get), §3.5.1 (replace), §3.5.2 (modify), §3.6
// (delete) and §3.14 (versions).
func TestLifecycle(t *testing.T) {
	for _, prefix := range prefixes {
		t.Run("mount="+prefix, func(t *testing.T) {
			s := newServer(t, prefix, nil)

			// §3.3: 201, Location, ETag, the resource as stored.
			r := s.do(http.MethodPost, "/Users", bjensen)
			require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
			id := r.body["id"].(string)
			loc := s.url("/Users/" + id)
			assert.Equal(t, loc, r.header.Get("Location"), "§3.3: Location")
			meta := r.body["meta"].(map[string]any)
			assert.Equal(t, loc, meta["location"], "§3.1: meta.location equals Location")
			assert.Equal(t, "User", meta["resourceType"])
			assert.NotEmpty(t, meta["created"])
			assert.Equal(t, r.header.Get("ETag"), meta["version"], "§3.14: meta.version equals ETag")
			assert.True(t, strings.HasPrefix(r.header.Get("ETag"), `W/"`), "§3.14: weak ETag")
			assert.NotContains(t, r.body, "password", "RFC 7643 §4.1.1: password is returned never")
			assert.Equal(t, "e-1", r.body["externalId"])
			assert.Equal(t, "701984", r.body[schema.EnterpriseUserSchema].(map[string]any)["employeeNumber"])
			etag1 := r.header.Get("ETag")

			// §3.4.1 and §3.14: GET, then a conditional GET.
			r = s.do(http.MethodGet, "/Users/"+id, "")
			require.Equal(t, http.StatusOK, r.status)
			assert.Equal(t, etag1, r.header.Get("ETag"))
			assert.Equal(t, "bjensen@example.com", r.body["userName"])
			r = s.do(http.MethodGet, "/Users/"+id, "", "If-None-Match", etag1)
			assert.Equal(t, http.StatusNotModified, r.status)
			assert.Empty(t, r.raw)
			r = s.do(http.MethodGet, "/Users/"+id, "", "If-None-Match", `W/"other"`)
			assert.Equal(t, http.StatusOK, r.status)

			// §3.5.1: PUT replaces; readOnly values sent are ignored.
			r = s.do(http.MethodPut, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
				"id":"ignored","userName":"bjensen@example.com","displayName":"Babs","meta":{"created":"2000-01-01T00:00:00Z"}}`,
				"If-Match", etag1)
			require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
			assert.Equal(t, id, r.body["id"])
			assert.Equal(t, "Babs", r.body["displayName"])
			assert.NotContains(t, r.body, "name", "§3.5.1: attributes left out are cleared")
			assert.NotContains(t, r.body, "externalId")
			assert.Equal(t, meta["created"], r.body["meta"].(map[string]any)["created"])
			etag2 := r.header.Get("ETag")
			assert.NotEqual(t, etag1, etag2, "§3.14: a change changes the version")

			// §3.14: a stale If-Match fails every write with 412.
			wantError(t, s.do(http.MethodPut, "/Users/"+id, user("bjensen@example.com"), "If-Match", etag1), http.StatusPreconditionFailed, "")
			wantError(t, s.do(http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`, "If-Match", etag1), http.StatusPreconditionFailed, "")
			wantError(t, s.do(http.MethodDelete, "/Users/"+id, "", "If-Match", etag1), http.StatusPreconditionFailed, "")

			// §3.5.2: PATCH answers 200 with the resource.
			r = s.do(http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
				"Operations":[{"op":"replace","path":"active","value":false},{"op":"add","path":"emails","value":[{"value":"b@example.com","type":"home"}]}]}`,
				"If-Match", etag2)
			require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
			assert.Equal(t, false, r.body["active"])
			assert.Len(t, r.body["emails"], 1)
			etag3 := r.header.Get("ETag")
			assert.NotEqual(t, etag2, etag3)

			// §3.6: DELETE, then 404 for the id.
			r = s.do(http.MethodDelete, "/Users/"+id, "", "If-Match", etag3)
			assert.Equal(t, http.StatusNoContent, r.status)
			assert.Empty(t, r.raw)
			wantError(t, s.do(http.MethodGet, "/Users/"+id, ""), http.StatusNotFound, "")
			wantError(t, s.do(http.MethodDelete, "/Users/"+id, ""), http.StatusNotFound, "")
			wantError(t, s.do(http.MethodPut, "/Users/"+id, user("x")), http.StatusNotFound, "")
			wantError(t, s.do(http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}`), http.StatusNotFound, "")
		})
	}
}

// TestErrors checks the status and scimType of every failure the handler
// answers (RFC 7644 §3.12), under every mount point.
func TestErrors(t *testing.T) {
	const patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`
	tests := []struct {
		name     string
		method   string
		path     string // "{id}" is replaced by an existing user's id
		body     string
		hdr      []string
		status   int
		scimType schema.ScimType
	}{
		{"§3.12 invalidSyntax: not JSON", http.MethodPost, "/Users", `{"userName":`, nil, 400, schema.ScimInvalidSyntax},
		{"§3.12 invalidSyntax: not an object", http.MethodPost, "/Users", `["userName"]`, nil, 400, schema.ScimInvalidSyntax},
		{"§3.12 invalidValue: required userName missing", http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"displayName":"x"}`, nil, 400, schema.ScimInvalidValue},
		{"§3.12 invalidValue: wrong type", http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x","emails":"notalist"}`, nil, 400, schema.ScimInvalidValue},
		{"§3.12 uniqueness: userName taken", http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"TAKEN@example.com"}`, nil, 409, schema.ScimUniqueness},
		{"§3.12 uniqueness: PUT to a taken userName", http.MethodPut, "/Users/{id}", user("taken@example.com"), nil, 409, schema.ScimUniqueness},
		{"§3.12 invalidValue: PUT without userName", http.MethodPut, "/Users/{id}", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}`, nil, 400, schema.ScimInvalidValue},
		{"§3.12 invalidSyntax: PUT not JSON", http.MethodPut, "/Users/{id}", `nope`, nil, 400, schema.ScimInvalidSyntax},
		{"§3.12 invalidFilter: bad filter", http.MethodGet, "/Users?filter=userName%20eq", "", nil, 400, schema.ScimInvalidFilter},
		{"§3.12 invalidFilter: unknown operator", http.MethodGet, "/Users?filter=userName%20xx%20%22a%22", "", nil, 400, schema.ScimInvalidFilter},
		{"§3.12 invalidFilter: .search body", http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq"}`, nil, 400, schema.ScimInvalidFilter},
		{"§3.12 invalidFilter: root search", http.MethodGet, "/?filter=(", "", nil, 400, schema.ScimInvalidFilter},
		{"§3.4.2.4 invalidValue: count not an integer", http.MethodGet, "/Users?count=ten", "", nil, 400, schema.ScimInvalidValue},
		{"§3.4.2.4 invalidValue: startIndex not an integer", http.MethodGet, "/Users?startIndex=x", "", nil, 400, schema.ScimInvalidValue},
		{"§3.4.3 invalidValue: count a string", http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"count":"10"}`, nil, 400, schema.ScimInvalidValue},
		{"§3.4.3 invalidSyntax: SearchRequest not an object", http.MethodPost, "/.search", `[]`, nil, 400, schema.ScimInvalidSyntax},
		{"§3.12 invalidPath: bad PATCH path", http.MethodPatch, "/Users/{id}", patchOp + `{"op":"replace","path":"emails[type eq","value":"x"}]}`, nil, 400, schema.ScimInvalidPath},
		{"§3.12 invalidPath: unknown attribute", http.MethodPatch, "/Users/{id}", patchOp + `{"op":"replace","path":"nosuch","value":"x"}]}`, nil, 400, schema.ScimInvalidPath},
		{"§3.12 noTarget: remove without path", http.MethodPatch, "/Users/{id}", patchOp + `{"op":"remove"}]}`, nil, 400, schema.ScimNoTarget},
		{"§3.12 mutability: replace id", http.MethodPatch, "/Users/{id}", patchOp + `{"op":"replace","path":"id","value":"x"}]}`, nil, 400, schema.ScimMutability},
		{"§3.12 invalidValue: PATCH wrong type", http.MethodPatch, "/Users/{id}", patchOp + `{"op":"replace","path":"active","value":"maybe"}]}`, nil, 400, schema.ScimInvalidValue},
		{"§3.12 invalidSyntax: PATCH without Operations", http.MethodPatch, "/Users/{id}", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, nil, 400, schema.ScimInvalidSyntax},
		{"§3.12 invalidSyntax: PATCH unknown op", http.MethodPatch, "/Users/{id}", patchOp + `{"op":"move","path":"active","value":true}]}`, nil, 400, schema.ScimInvalidSyntax},
		{"§3.12 invalidValue: PATCH removes required userName", http.MethodPatch, "/Users/{id}", patchOp + `{"op":"remove","path":"userName"}]}`, nil, 400, ""},
		{"§3.2 404: unknown endpoint", http.MethodGet, "/Widgets", "", nil, 404, ""},
		{"§3.2 404: too deep", http.MethodGet, "/Users/{id}/emails", "", nil, 404, ""},
		{"§3.4.1 404: unknown id", http.MethodGet, "/Users/no-such-id", "", nil, 404, ""},
		{"§3.4.1 404: a User id under /Groups", http.MethodGet, "/Groups/{id}", "", nil, 404, ""},
		{"§4 404: unknown schema", http.MethodGet, "/Schemas/urn:nope", "", nil, 404, ""},
		{"§4 404: unknown resource type", http.MethodGet, "/ResourceTypes/Widget", "", nil, 404, ""},
		{"§4 404: under ServiceProviderConfig", http.MethodGet, "/ServiceProviderConfig/x", "", nil, 404, ""},
		{"§3.2 405: DELETE a collection", http.MethodDelete, "/Users", "", nil, 405, ""},
		{"§3.2 405: PUT a collection", http.MethodPut, "/Users", user("x"), nil, 405, ""},
		{"§3.2 405: POST to a resource", http.MethodPost, "/Users/{id}", user("x"), nil, 405, ""},
		{"§4 405: POST ServiceProviderConfig", http.MethodPost, "/ServiceProviderConfig", `{}`, nil, 405, ""},
		{"§4 405: DELETE a schema", http.MethodDelete, "/Schemas/" + schema.UserSchema, "", nil, 405, ""},
		{"§4 405: PUT a resource type", http.MethodPut, "/ResourceTypes/User", `{}`, nil, 405, ""},
		{"§3.4.3 405: GET .search", http.MethodGet, "/Users/.search", "", nil, 405, ""},
		{"§3.4.3 405: GET root .search", http.MethodGet, "/.search", "", nil, 405, ""},
		{"§3.12 413: body too large", http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + strings.Repeat("x", 2048) + `"}`, nil, 413, ""},
		{"§3.1 415: text/plain", http.MethodPost, "/Users", user("plain"), []string{"Content-Type", "text/plain"}, 415, ""},
		{"§3.1 415: form", http.MethodPatch, "/Users/{id}", `a=b`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, ""},
		{"§3.7 501: Bulk not supported", http.MethodPost, "/Bulk", `{}`, nil, 501, ""},
		{"§3.11 501: Me not supported", http.MethodGet, "/Me", "", nil, 501, ""},
	}
	for _, prefix := range prefixes {
		t.Run("mount="+prefix, func(t *testing.T) {
			s := newServer(t, prefix, func(c *handler.Config) { c.MaxBodyBytes = 1024 })
			s.create("/Users", user("taken@example.com"))
			id := s.create("/Users", user("someone@example.com"))
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					before := s.do(http.MethodGet, "/Users/"+id, "")
					r := s.do(tt.method, strings.ReplaceAll(tt.path, "{id}", id), tt.body, tt.hdr...)
					status := tt.status
					if tt.scimType == "" && status == 400 {
						// Any 400 will do, as long as it is an error body.
						require.Equal(t, status, r.status, "%s", r.raw)
						assert.NotEmpty(t, r.body["detail"])
						return
					}
					wantError(t, r, status, tt.scimType)
					if status == http.StatusMethodNotAllowed {
						assert.NotEmpty(t, r.header.Get("Allow"), "RFC 9110 §15.5.6: 405 lists the allowed methods")
						assert.NotContains(t, r.header.Get("Allow"), tt.method)
					}
					// Never a partial write.
					after := s.do(http.MethodGet, "/Users/"+id, "")
					assert.Equal(t, before.header.Get("ETag"), after.header.Get("ETag"), "a failed request left the resource alone")
				})
			}
		})
	}
}

// failingStore fails or panics on every call, to check 500 answers.
type failingStore struct{ panics bool }

func (f failingStore) fail() error {
	if f.panics {
		panic("store exploded")
	}
	return errors.New("database is down")
}

func (f failingStore) Create(context.Context, *schema.Resource) (*schema.Resource, error) {
	return nil, f.fail()
}
func (f failingStore) Get(context.Context, string) (*schema.Resource, error) { return nil, f.fail() }
func (f failingStore) Replace(context.Context, *schema.Resource, string) (*schema.Resource, error) {
	return nil, f.fail()
}
func (f failingStore) Delete(context.Context, string, string) error { return f.fail() }
func (f failingStore) Scan(context.Context) iter.Seq2[*schema.Resource, error] {
	return func(yield func(*schema.Resource, error) bool) { yield(nil, f.fail()) }
}

// TestServerErrors checks that a failing or panicking store gets a 500
// error body that says nothing of the cause, and a log record that does
// (RFC 7644 §3.12).
func TestServerErrors(t *testing.T) {
	for _, panics := range []bool{false, true} {
		t.Run(map[bool]string{false: "error", true: "panic"}[panics], func(t *testing.T) {
			s := newServer(t, "/scim/v2", func(c *handler.Config) {
				c.Endpoints[0].Store = failingStore{panics}
			})
			for _, req := range []struct{ method, path, body string }{
				{http.MethodPost, "/Users", user("a")},
				{http.MethodGet, "/Users/1", ""},
				{http.MethodPut, "/Users/1", user("a")},
				{http.MethodPatch, "/Users/1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}`},
				{http.MethodDelete, "/Users/1", ""},
				{http.MethodGet, "/Users?filter=userName%20eq%20%22a%22", ""},
				{http.MethodGet, "/?filter=displayName%20pr", ""},
			} {
				s.logs.Reset()
				r := s.do(req.method, req.path, req.body)
				wantError(t, r, http.StatusInternalServerError, "")
				assert.NotContains(t, string(r.raw), "database is down", "the cause stays in the log")
				assert.NotContains(t, string(r.raw), "exploded")
				want := map[bool]string{false: "database is down", true: "store exploded"}[panics]
				assert.Contains(t, s.logs.String(), want, "%s %s: the cause is logged", req.method, req.path)
			}
		})
	}
}

// scanOnly hides the memory store's Searcher and Patcher, so the handler
// falls back to Scan and to Get/Apply/Replace.
type scanOnly struct{ store.Store }

// TestScanLimit checks that a store that cannot search gets 400 tooMany
// once a search would read more than MaxScan resources (RFC 7644 §3.12).
func TestScanLimit(t *testing.T) {
	s := newServer(t, "", func(c *handler.Config) {
		c.MaxScan = 3
		c.Endpoints[0].Store = scanOnly{c.Endpoints[0].Store}
	})
	for _, n := range []string{"a", "b", "c"} {
		s.create("/Users", user(n))
	}
	r := s.do(http.MethodGet, "/Users?filter=userName%20eq%20%22a%22", "")
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, float64(1), r.body["totalResults"])
	s.create("/Users", user("d"))
	wantError(t, s.do(http.MethodGet, "/Users?filter=userName%20eq%20%22a%22", ""), http.StatusBadRequest, schema.ScimTooMany)
}

// TestContentTypes checks RFC 7644 §3.1 and §8.1: application/json is
// accepted as well as application/scim+json (with parameters), and a body
// without a Content-Type is read as JSON.
func TestContentTypes(t *testing.T) {
	s := newServer(t, "", nil)
	for i, ct := range []string{"application/json", "application/scim+json; charset=utf-8", "Application/JSON;charset=UTF-8"} {
		r := s.do(http.MethodPost, "/Users", user("u"+string(rune('a'+i))), "Content-Type", ct)
		assert.Equal(t, http.StatusCreated, r.status, "%s: %s", ct, r.raw)
	}
	req, err := http.NewRequest(http.MethodPost, s.url("/Users"), strings.NewReader(user("nocontenttype")))
	require.NoError(t, err)
	resp, err := s.srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
}

// TestHead checks that HEAD is served wherever GET is (RFC 9110 §9.3.2).
func TestHead(t *testing.T) {
	s := newServer(t, "", nil)
	id := s.create("/Users", user("head"))
	for _, path := range []string{"/Users/" + id, "/Users", "/ServiceProviderConfig", "/Schemas"} {
		r := s.do(http.MethodHead, path, "")
		assert.Equal(t, http.StatusOK, r.status, path)
		assert.Empty(t, r.raw)
	}
}

// TestDiscovery checks RFC 7644 §4 and RFC 7643 §5–§7: the endpoints are
// generated from the configuration and never claim a feature that is off.
func TestDiscovery(t *testing.T) {
	for _, prefix := range prefixes {
		t.Run("mount="+prefix, func(t *testing.T) {
			s := newServer(t, prefix, func(c *handler.Config) {
				c.MaxResults = 50
				c.DocumentationURI = "https://example.com/scim"
			})
			r := s.do(http.MethodGet, "/ServiceProviderConfig", "")
			require.Equal(t, http.StatusOK, r.status)
			assert.Equal(t, []any{document.ServiceProviderConfigSchema}, r.body["schemas"])
			assert.Equal(t, true, r.body["patch"].(map[string]any)["supported"])
			assert.Equal(t, false, r.body["bulk"].(map[string]any)["supported"], "Bulk is not served, so it is not claimed")
			assert.Equal(t, true, r.body["filter"].(map[string]any)["supported"])
			assert.Equal(t, float64(50), r.body["filter"].(map[string]any)["maxResults"], "maxResults is the configured MaxResults")
			assert.Equal(t, true, r.body["etag"].(map[string]any)["supported"])
			assert.Equal(t, true, r.body["sort"].(map[string]any)["supported"])
			assert.Equal(t, true, r.body["changePassword"].(map[string]any)["supported"], "User.password is writable")
			assert.Equal(t, "https://example.com/scim", r.body["documentationUri"])
			schemes := r.body["authenticationSchemes"].([]any)
			require.Len(t, schemes, 1, "RFC 7643 §5: the bearer token is advertised by default")
			assert.Equal(t, "oauthbearertoken", schemes[0].(map[string]any)["type"])
			assert.Equal(t, "https://www.rfc-editor.org/rfc/rfc6750", schemes[0].(map[string]any)["specUri"])
			assert.Equal(t, s.url("/ServiceProviderConfig"), r.body["meta"].(map[string]any)["location"])

			r = s.do(http.MethodGet, "/ResourceTypes", "")
			require.Equal(t, http.StatusOK, r.status)
			assert.Equal(t, float64(2), r.body["totalResults"])
			types := r.body["Resources"].([]any)
			require.Len(t, types, 2)
			u := types[0].(map[string]any)
			assert.Equal(t, "User", u["name"])
			assert.Equal(t, "/Users", u["endpoint"])
			assert.Equal(t, schema.UserSchema, u["schema"])
			assert.Equal(t, []any{map[string]any{"schema": schema.EnterpriseUserSchema, "required": false}}, u["schemaExtensions"])
			assert.Equal(t, s.url("/ResourceTypes/User"), u["meta"].(map[string]any)["location"])

			r = s.do(http.MethodGet, "/ResourceTypes/Group", "")
			require.Equal(t, http.StatusOK, r.status)
			assert.Equal(t, "/Groups", r.body["endpoint"])

			r = s.do(http.MethodGet, "/Schemas", "")
			require.Equal(t, http.StatusOK, r.status)
			var ids []string
			for _, x := range r.body["Resources"].([]any) {
				ids = append(ids, x.(map[string]any)["id"].(string))
			}
			assert.ElementsMatch(t, []string{schema.UserSchema, schema.EnterpriseUserSchema, schema.GroupSchema,
				"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig", "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
				"urn:ietf:params:scim:schemas:core:2.0:Schema"}, ids, "RFC 7643 §8.7: the resource schemas and the discovery schemas")
			assert.Equal(t, float64(6), r.body["totalResults"])
			r = s.do(http.MethodGet, "/Schemas/urn:ietf:params:scim:schemas:core:2.0:ResourceType", "")
			require.Equal(t, http.StatusOK, r.status)
			assert.Equal(t, "ResourceType", r.body["name"])
			assert.Equal(t, s.url("/Schemas/urn:ietf:params:scim:schemas:core:2.0:ResourceType"), r.body["meta"].(map[string]any)["location"])

			r = s.do(http.MethodGet, "/Schemas/"+schema.EnterpriseUserSchema, "")
			require.Equal(t, http.StatusOK, r.status)
			assert.Equal(t, "EnterpriseUser", r.body["name"])
			assert.Equal(t, s.url("/Schemas/"+schema.EnterpriseUserSchema), r.body["meta"].(map[string]any)["location"])
			r = s.do(http.MethodGet, "/Schemas/"+strings.ToUpper(schema.UserSchema), "")
			assert.Equal(t, http.StatusOK, r.status, "schema URNs are case-insensitive")

			// §4: a filter is refused rather than silently ignored.
			for _, p := range []string{"/ServiceProviderConfig", "/ResourceTypes", "/Schemas"} {
				wantError(t, s.do(http.MethodGet, p+"?filter=name%20eq%20%22User%22", ""), http.StatusForbidden, "")
			}
		})
	}
}

// TestChangePasswordOff checks that /ServiceProviderConfig does not claim
// changePassword when no resource type has a writable password.
func TestChangePasswordOff(t *testing.T) {
	groups := schema.Groups()
	h, err := handler.New(handler.Config{Endpoints: []handler.Endpoint{{Type: groups, Store: memory.New(groups, memory.Options{})}}})
	require.NoError(t, err)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/ServiceProviderConfig", nil))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), `"changePassword":{"supported":false}`)
}

// TestNewErrors checks that New reports configuration mistakes.
func TestNewErrors(t *testing.T) {
	users, groups := schema.Users(), schema.Groups()
	noSchema := &schema.ResourceType{Name: "Thing", Endpoint: "/Things"}
	badExt := &schema.ResourceType{Name: "Thing", Endpoint: "/Things", Schema: users.Schema, Extensions: []schema.Extension{{}}}
	otherUser := *users.Schema
	clash := &schema.ResourceType{Name: "Other", Endpoint: "/Others", Schema: &otherUser}
	reserved := &schema.ResourceType{Name: "Bulky", Endpoint: "/Bulk", Schema: groups.Schema}
	sameEndpoint := &schema.ResourceType{Name: "People", Endpoint: "/users", Schema: users.Schema}
	sameName := &schema.ResourceType{Name: "user", Endpoint: "/People", Schema: users.Schema}
	tests := []struct {
		name string
		cfg  handler.Config
		want string
	}{
		{"no resource types", handler.Config{}, "Endpoints is empty"},
		{"no store", handler.Config{Endpoints: []handler.Endpoint{{Type: users}}}, "needs a Type and a Store"},
		{"no type", handler.Config{Endpoints: []handler.Endpoint{{Store: memory.New(users, memory.Options{})}}}, "needs a Type and a Store"},
		{"no schema", handler.Config{Endpoints: []handler.Endpoint{{Type: noSchema, Store: memory.New(users, memory.Options{})}}}, "schema"},
		{"extension without a schema", handler.Config{Endpoints: []handler.Endpoint{{Type: badExt, Store: memory.New(users, memory.Options{})}}}, "xtension"},
		{"duplicate endpoint", handler.Config{Endpoints: []handler.Endpoint{{Type: users, Store: memory.New(users, memory.Options{})}, {Type: sameEndpoint, Store: memory.New(users, memory.Options{})}}}, "used twice"},
		{"duplicate name", handler.Config{Endpoints: []handler.Endpoint{{Type: users, Store: memory.New(users, memory.Options{})}, {Type: sameName, Store: memory.New(users, memory.Options{})}}}, "name:user"},
		{"reserved endpoint", handler.Config{Endpoints: []handler.Endpoint{{Type: reserved, Store: memory.New(groups, memory.Options{})}}}, "reserved"},
		{"two schemas with one id", handler.Config{Endpoints: []handler.Endpoint{{Type: users, Store: memory.New(users, memory.Options{})}, {Type: clash, Store: memory.New(users, memory.Options{})}}}, "two different schemas"},
		{"relative BaseURL", handler.Config{BaseURL: "/scim/v2", Endpoints: []handler.Endpoint{{Type: users, Store: memory.New(users, memory.Options{})}}}, "absolute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := handler.New(tt.cfg)
			require.Error(t, err)
			assert.Nil(t, h)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestBaseURL checks that a configured BaseURL is used for Location and
// meta.location whatever the request's host (RFC 7644 §3.3).
func TestBaseURL(t *testing.T) {
	s := newServer(t, "/scim/v2", func(c *handler.Config) { c.BaseURL = "https://idp-facing.example.com/scim/v2/" })
	r := s.do(http.MethodPost, "/Users", user("base"))
	require.Equal(t, http.StatusCreated, r.status)
	want := "https://idp-facing.example.com/scim/v2/Users/" + r.body["id"].(string)
	assert.Equal(t, want, r.header.Get("Location"))
	assert.Equal(t, want, r.body["meta"].(map[string]any)["location"])
}

// listIDs returns the userName (or displayName) of each listed resource.
func listNames(t *testing.T, r *response) []string {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	res, ok := r.body["Resources"].([]any)
	require.True(t, ok, "RFC 7644 §3.4.2: Resources is an array, even when empty: %s", r.raw)
	names := []string{}
	for _, x := range res {
		m := x.(map[string]any)
		if n, ok := m["userName"].(string); ok {
			names = append(names, n)
		} else if n, ok := m["displayName"].(string); ok {
			names = append(names, n)
		}
	}
	assert.Equal(t, float64(len(res)), r.body["itemsPerPage"], "§3.4.2: itemsPerPage is the number returned")
	assert.Equal(t, []any{document.ListResponseSchema}, r.body["schemas"])
	return names
}

// TestList checks GET /{endpoint} and POST /{endpoint}/.search: filter,
// sort, paging and projection (RFC 7644 §3.4.2, §3.4.3).
func TestList(t *testing.T) {
	s := newServer(t, "/scim/v2", func(c *handler.Config) { c.MaxResults = 3 })
	for _, n := range []string{"dave", "alice", "carol", "bob", "erin"} {
		s.create("/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"`+n+`","title":"T-`+n+`","password":"secret"}`)
	}
	s.create("/Groups", group)
	tests := []struct {
		name  string
		query string
		body  string // a SearchRequest for POST /Users/.search
		total int
		want  []string
	}{
		{"§3.4.2.2 eq is case-insensitive for userName", "filter=userName%20eq%20%22ALICE%22", `{"filter":"userName eq \"ALICE\""}`, 1, []string{"alice"}},
		{"§3.4.2.2 no match is 200 with no Resources", "filter=userName%20eq%20%22zed%22", `{"filter":"userName eq \"zed\""}`, 0, []string{}},
		{"§3.4.2.3 sortBy ascending", "sortBy=userName&count=10", `{"sortBy":"userName","count":10}`, 5, []string{"alice", "bob", "carol"}},
		{"§3.4.2.3 sortBy descending", "sortBy=userName&sortOrder=descending", `{"sortBy":"userName","sortOrder":"descending"}`, 5, []string{"erin", "dave", "carol"}},
		{"§3.4.2.4 startIndex and count", "sortBy=userName&startIndex=2&count=2", `{"sortBy":"userName","startIndex":2,"count":2}`, 5, []string{"bob", "carol"}},
		{"§3.4.2.4 startIndex below 1 is 1", "sortBy=userName&startIndex=-4&count=1", `{"sortBy":"userName","startIndex":-4,"count":1}`, 5, []string{"alice"}},
		{"§3.4.2.4 count 0 returns only totalResults", "count=0", `{"count":0}`, 5, []string{}},
		{"§3.4.2.4 negative count is 0", "count=-1", `{"count":-1}`, 5, []string{}},
		{"§3.4.2.4 count capped at MaxResults", "sortBy=userName&count=1000", `{"sortBy":"userName","count":1000}`, 5, []string{"alice", "bob", "carol"}},
		{"§3.4.2.4 startIndex past the end", "startIndex=99", `{"startIndex":99}`, 5, []string{}},
		{"§3.4.2.2 or, and, co", "filter=userName%20co%20%22a%22%20and%20not%20(userName%20eq%20%22dave%22)&sortBy=userName", `{"filter":"userName co \"a\" and not (userName eq \"dave\")","sortBy":"userName"}`, 2, []string{"alice", "carol"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			get := s.do(http.MethodGet, "/Users?"+tt.query, "")
			assert.Equal(t, tt.want, listNames(t, get))
			assert.Equal(t, float64(tt.total), get.body["totalResults"])
			body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],` + strings.TrimPrefix(tt.body, "{")
			post := s.do(http.MethodPost, "/Users/.search", body)
			assert.Equal(t, tt.want, listNames(t, post), "§3.4.3: POST .search answers as GET does")
			assert.Equal(t, get.body["totalResults"], post.body["totalResults"])
			assert.Equal(t, get.body["startIndex"], post.body["startIndex"])
		})
	}

	t.Run("§3.4.2.5 attributes", func(t *testing.T) {
		r := s.do(http.MethodGet, "/Users?filter=userName%20eq%20%22bob%22&attributes=title", "")
		listNames(t, r)
		got := r.body["Resources"].([]any)[0].(map[string]any)
		assert.ElementsMatch(t, []string{"schemas", "id", "title"}, keys(got), "RFC 7643 §7: id and schemas are returned always")
	})
	t.Run("§3.4.2.5 excludedAttributes", func(t *testing.T) {
		r := s.do(http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \"bob\"","excludedAttributes":["title","meta"]}`)
		listNames(t, r)
		got := r.body["Resources"].([]any)[0].(map[string]any)
		assert.ElementsMatch(t, []string{"schemas", "id", "userName"}, keys(got), "userName is returned by default; password never")
	})
	t.Run("§3.4.2.1 GET / searches every type", func(t *testing.T) {
		r := s.do(http.MethodGet, "/?filter=userName%20eq%20%22bob%22%20or%20displayName%20eq%20%22Tour%20Guides%22&count=10", "")
		assert.ElementsMatch(t, []string{"bob", "Tour Guides"}, listNames(t, r))
		assert.Equal(t, float64(2), r.body["totalResults"])
		types := map[string]bool{}
		for _, x := range r.body["Resources"].([]any) {
			types[x.(map[string]any)["meta"].(map[string]any)["resourceType"].(string)] = true
		}
		assert.Equal(t, map[string]bool{"User": true, "Group": true}, types)
	})
	t.Run("§3.4.2.1 GET / sorts each type, those without the attribute last", func(t *testing.T) {
		r := s.do(http.MethodGet, "/?sortBy=userName&sortOrder=descending&startIndex=4&count=3", "")
		assert.Equal(t, []string{"bob", "alice", "Tour Guides"}, listNames(t, r))
		assert.Equal(t, float64(6), r.body["totalResults"])
	})
	t.Run("§3.4.2.1 GET / refuses an attribute no type has", func(t *testing.T) {
		wantError(t, s.do(http.MethodGet, "/?filter=userName%20eq%20%22bob%22%20or%20nosuch%20pr", ""), http.StatusBadRequest, schema.ScimInvalidFilter)
		wantError(t, s.do(http.MethodGet, "/?sortBy=nosuch", ""), http.StatusBadRequest, schema.ScimInvalidFilter)
	})
	t.Run("§3.4.3 POST /.search searches every type", func(t *testing.T) {
		r := s.do(http.MethodPost, "/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"displayName pr"}`)
		assert.Equal(t, []string{"Tour Guides"}, listNames(t, r))
		r = s.do(http.MethodPost, "/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"startIndex":2,"count":3}`)
		assert.Len(t, listNames(t, r), 3)
		assert.Equal(t, float64(6), r.body["totalResults"])
	})
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestWriteProjection checks that attributes and excludedAttributes shape
// the resource answered by POST, PUT and PATCH too (RFC 7644 §3.9).
func TestWriteProjection(t *testing.T) {
	s := newServer(t, "", nil)
	r := s.do(http.MethodPost, "/Users?attributes=userName", bjensen)
	require.Equal(t, http.StatusCreated, r.status)
	assert.ElementsMatch(t, []string{"schemas", "id", "userName"}, keys(r.body))
	id := r.body["id"].(string)
	r = s.do(http.MethodPut, "/Users/"+id+"?excludedAttributes=meta,name,emails,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", bjensen)
	require.Equal(t, http.StatusOK, r.status)
	assert.ElementsMatch(t, []string{"schemas", "id", "userName", "externalId", "active"}, keys(r.body))
	r = s.do(http.MethodPatch, "/Users/"+id+"?attributes=active", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, map[string]any{"schemas": r.body["schemas"], "id": id, "active": false}, r.body)
	r = s.do(http.MethodGet, "/Users/"+id+"?attributes=password", "")
	assert.NotContains(t, r.body, "password", "RFC 7643 §7: returned never wins over attributes")
}

// TestPatchNoContent checks Config.PatchNoContent: 204 and the new ETag,
// except when the request asks for attributes (RFC 7644 §3.5.2).
func TestPatchNoContent(t *testing.T) {
	s := newServer(t, "", func(c *handler.Config) { c.PatchNoContent = true })
	id := s.create("/Groups", group)
	const op = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Guides"}]}`
	r := s.do(http.MethodPatch, "/Groups/"+id, op)
	assert.Equal(t, http.StatusNoContent, r.status)
	assert.Empty(t, r.raw)
	got := s.do(http.MethodGet, "/Groups/"+id, "")
	assert.Equal(t, "Guides", got.body["displayName"])
	assert.Equal(t, got.header.Get("ETag"), r.header.Get("ETag"), "§3.14: the 204 carries the new version")
	for _, q := range []string{"?attributes=displayName", "?excludedAttributes=members"} {
		r = s.do(http.MethodPatch, "/Groups/"+id+q, op)
		assert.Equal(t, http.StatusOK, r.status, q)
		assert.Equal(t, "Guides", r.body["displayName"])
	}
}

// TestStrict checks that the identity provider dialects are accepted by
// default and refused with the RFC's errors when Config.Strict is set.
func TestStrict(t *testing.T) {
	dialects := []struct {
		name, method, path, body string
		scimType                 schema.ScimType
	}{
		{"Entra ID capitalised op and string boolean (QUIRKS)", http.MethodPatch, "/Users/{id}",
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`, schema.ScimInvalidValue},
		{"SearchRequest without schemas", http.MethodPost, "/Users/.search", `{"filter":"userName pr"}`, schema.ScimInvalidSyntax},
	}
	for _, strict := range []bool{false, true} {
		s := newServer(t, "", func(c *handler.Config) { c.Strict = strict })
		id := s.create("/Users", user("strict"))
		for _, d := range dialects {
			t.Run(d.name+map[bool]string{false: " lenient", true: " strict"}[strict], func(t *testing.T) {
				r := s.do(d.method, strings.ReplaceAll(d.path, "{id}", id), d.body)
				if !strict {
					assert.Equal(t, http.StatusOK, r.status, "%s", r.raw)
					return
				}
				require.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
				assert.NotEmpty(t, r.body["scimType"])
			})
		}
	}
}

// TestCustomResourceType checks mutability over HTTP with a resource type
// of the host's own: immutable values are set once (RFC 7643 §7, RFC 7644
// §3.5.1), readOnly values sent by clients are ignored, writeOnly values
// are never returned.
func TestCustomResourceType(t *testing.T) {
	devices := &schema.ResourceType{Name: "Device", Endpoint: "/Devices", Schema: &schema.Schema{
		ID: "urn:example:scim:schemas:Device", Name: "Device",
		Attributes: []*schema.Attribute{
			{Name: "serial", Required: true, Mutability: schema.Immutable, Uniqueness: schema.UniquenessServer},
			{Name: "label"},
			{Name: "owner", Mutability: schema.ReadOnly},
			{Name: "pin", Mutability: schema.WriteOnly, Returned: schema.ReturnedNever},
		},
	}}
	h, err := handler.New(handler.Config{Endpoints: []handler.Endpoint{{Type: devices, Store: memory.New(devices, memory.Options{})}}})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s := &server{t: t, srv: srv}

	r := s.do(http.MethodPost, "/Devices", `{"schemas":["urn:example:scim:schemas:Device"],"serial":"S-1","label":"a","owner":"mallory","pin":"1234"}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.NotContains(t, r.body, "owner", "readOnly values from the client are ignored")
	assert.NotContains(t, r.body, "pin", "writeOnly values are never returned")
	id := r.body["id"].(string)

	r = s.do(http.MethodPut, "/Devices/"+id, `{"schemas":["urn:example:scim:schemas:Device"],"serial":"S-1","label":"b"}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "b", r.body["label"])
	wantError(t, s.do(http.MethodPut, "/Devices/"+id, `{"schemas":["urn:example:scim:schemas:Device"],"serial":"S-2","label":"b"}`), http.StatusBadRequest, schema.ScimMutability)
	wantError(t, s.do(http.MethodPatch, "/Devices/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"serial","value":"S-3"}]}`), http.StatusBadRequest, schema.ScimMutability)
	wantError(t, s.do(http.MethodPost, "/Devices", `{"schemas":["urn:example:scim:schemas:Device"],"serial":"S-1"}`), http.StatusConflict, schema.ScimUniqueness)
	r = s.do(http.MethodGet, "/Devices?filter=serial%20eq%20%22S-1%22", "")
	assert.Equal(t, float64(1), r.body["totalResults"])
}

// TestReturnedRequestFromCompactStore checks that an attribute returned
// only on request (RFC 7643 §7) is written when named, and only then, by
// a store that keeps resources as JSON without it (the memory store).
func TestReturnedRequestFromCompactStore(t *testing.T) {
	users := schema.Users()
	users.Schema.Attributes = append(users.Schema.Attributes, &schema.Attribute{Name: "recoveryHint", Returned: schema.ReturnedRequest})
	h, err := handler.New(handler.Config{Endpoints: []handler.Endpoint{{Type: users, Store: memory.New(users, memory.Options{})}}})
	require.NoError(t, err)
	serve := func(method, target, body string) map[string]any {
		t.Helper()
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/scim+json")
		h.ServeHTTP(rec, req)
		require.Less(t, rec.Code, 300, rec.Body.String())
		var out map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		return out
	}
	created := serve(http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","recoveryHint":"blue","password":"p4ss!word"}`)
	id, _ := created["id"].(string)
	require.NotEmpty(t, id)
	assert.NotContains(t, serve(http.MethodGet, "/Users/"+id, ""), "recoveryHint", "not returned by default")
	assert.Equal(t, "blue", serve(http.MethodGet, "/Users/"+id+"?attributes=recoveryHint", "")["recoveryHint"])
	got := serve(http.MethodGet, "/Users/"+id+"?attributes=userName", "")
	assert.Equal(t, "u", got["userName"])
	assert.NotContains(t, got, "recoveryHint")
	list := serve(http.MethodGet, "/Users?attributes=recoveryHint,userName", "")
	require.Len(t, list["Resources"], 1)
	assert.Equal(t, "blue", list["Resources"].([]any)[0].(map[string]any)["recoveryHint"])
	list = serve(http.MethodGet, "/Users?excludedAttributes=userName", "")
	require.Len(t, list["Resources"], 1)
	assert.NotContains(t, list["Resources"].([]any)[0], "recoveryHint")
	assert.NotContains(t, list["Resources"].([]any)[0], "userName")
	assert.NotContains(t, list["Resources"].([]any)[0], "password", "never returned")
}

// TestAuthenticationSchemesConfigured checks RFC 7643 §5
// authenticationSchemes: the configured list replaces the default bearer
// token, and an empty one advertises none.
func TestAuthenticationSchemesConfigured(t *testing.T) {
	for _, tt := range []struct {
		name    string
		schemes []handler.AuthenticationScheme
		want    []string
	}{
		{"empty", []handler.AuthenticationScheme{}, nil},
		{"own", []handler.AuthenticationScheme{{Type: "httpbasic", Name: "HTTP Basic", Description: "basic"}}, []string{"httpbasic"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, "", func(c *handler.Config) { c.AuthenticationSchemes = tt.schemes })
			r := s.do(http.MethodGet, "/ServiceProviderConfig", "")
			require.Equal(t, http.StatusOK, r.status)
			var got []string
			for _, sc := range r.body["authenticationSchemes"].([]any) {
				got = append(got, sc.(map[string]any)["type"].(string))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
