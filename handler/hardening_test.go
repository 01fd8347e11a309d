package handler_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/internal/fastpath"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// widgets is a resource type with an attribute of every RFC 7643 §2.3
// type, to send each the wrong JSON type.
func widgets() *schema.ResourceType {
	return &schema.ResourceType{Name: "Widget", Endpoint: "/Widgets", Schema: &schema.Schema{
		ID: "urn:example:Widget", Name: "Widget",
		Attributes: []*schema.Attribute{
			{Name: "s", Required: true},
			{Name: "b", Type: schema.Boolean},
			{Name: "d", Type: schema.Decimal},
			{Name: "n", Type: schema.Integer},
			{Name: "t", Type: schema.DateTime},
			{Name: "r", Type: schema.Reference, ReferenceTypes: []string{"external"}},
			{Name: "bin", Type: schema.Binary},
			{Name: "c", Type: schema.Complex, SubAttributes: []*schema.Attribute{{Name: "x"}}},
			{Name: "m", MultiValued: true},
		},
	}}
}

// TestMalformedInput sends hostile and broken requests; each gets the
// documented status and scimType (RFC 7644 §3.12), never a 500, and the
// server keeps serving.
func TestMalformedInput(t *testing.T) {
	w := widgets()
	s := newServer(t, "/scim/v2", func(c *handler.Config) {
		c.Endpoints = append(c.Endpoints, handler.Endpoint{Type: w, Store: memory.New(w, memory.Options{})})
		c.MaxAttributes = 5
		c.MaxBodyBytes = 512 << 10
	})
	id := s.create("/Users", user("victim@example.com"))
	widget := func(attr string) string {
		return `{"schemas":["urn:example:Widget"],"s":"ok",` + attr + `}`
	}
	const patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	tests := []struct {
		name     string
		method   string
		path     string
		body     string
		status   int
		scimType schema.ScimType
	}{
		{"invalid JSON", http.MethodPost, "/Users", `{"userName":"x",}`, 400, schema.ScimInvalidSyntax},
		{"empty body", http.MethodPost, "/Users", ` `, 400, schema.ScimInvalidSyntax},
		{"trailing data", http.MethodPost, "/Users", user("t") + `{}`, 400, schema.ScimInvalidSyntax},
		{"string attribute given a number", http.MethodPost, "/Widgets", `{"schemas":["urn:example:Widget"],"s":5}`, 400, schema.ScimInvalidValue},
		{"boolean given a number", http.MethodPost, "/Widgets", widget(`"b":1`), 400, schema.ScimInvalidValue},
		{"boolean given an object", http.MethodPost, "/Widgets", widget(`"b":{}`), 400, schema.ScimInvalidValue},
		{"decimal given a string", http.MethodPost, "/Widgets", widget(`"d":"1.5"`), 400, schema.ScimInvalidValue},
		{"integer given a fraction", http.MethodPost, "/Widgets", widget(`"n":1.5`), 400, schema.ScimInvalidValue},
		{"integer given a string", http.MethodPost, "/Widgets", widget(`"n":"1"`), 400, schema.ScimInvalidValue},
		{"integer out of range", http.MethodPost, "/Widgets", widget(`"n":99999999999999999999999`), 400, schema.ScimInvalidValue},
		{"dateTime not xsd:dateTime", http.MethodPost, "/Widgets", widget(`"t":"yesterday"`), 400, schema.ScimInvalidValue},
		{"dateTime given a number", http.MethodPost, "/Widgets", widget(`"t":1700000000`), 400, schema.ScimInvalidValue},
		{"reference given a number", http.MethodPost, "/Widgets", widget(`"r":7`), 400, schema.ScimInvalidValue},
		{"binary not base64", http.MethodPost, "/Widgets", widget(`"bin":"not base64!"`), 400, schema.ScimInvalidValue},
		{"complex given a string", http.MethodPost, "/Widgets", widget(`"c":"x"`), 400, schema.ScimInvalidValue},
		{"complex given an array of numbers", http.MethodPost, "/Widgets", widget(`"c":[1,2]`), 400, schema.ScimInvalidValue},
		{"multi-valued given an object", http.MethodPost, "/Widgets", widget(`"m":{"a":"b"}`), 400, schema.ScimInvalidValue},
		{"multi-valued given nested arrays", http.MethodPost, "/Widgets", widget(`"m":[["a"]]`), 400, schema.ScimInvalidValue},
		{"invalid UTF-8", http.MethodPost, "/Users", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"\xc3\x28\"}", 400, schema.ScimInvalidSyntax},
		{"raw NUL byte", http.MethodPost, "/Users", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"a\x00b\"}", 400, schema.ScimInvalidSyntax},
		{"escaped NUL", http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a\u0000b"}`, 400, schema.ScimInvalidValue},
		{"1 MB string over a 512 KiB body limit", http.MethodPost, "/Users", user(strings.Repeat("x", 1<<20)), 413, ""},
		{"10,000-deep arrays", http.MethodPost, "/Users", deep, 400, schema.ScimInvalidSyntax},
		{"10,000-deep arrays in PATCH", http.MethodPatch, "/Users/" + id, patchOp + `{"op":"add","path":"title","value":` + deep + `}]}`, 400, schema.ScimInvalidSyntax},
		{"10,000-deep arrays in .search", http.MethodPost, "/Users/.search", deep, 400, schema.ScimInvalidSyntax},
		{"duplicate keys", http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","userName":"b"}`, 400, schema.ScimInvalidSyntax},
		{"duplicate keys differing in case", http.MethodPut, "/Users/" + id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","USERNAME":"b"}`, 400, schema.ScimInvalidSyntax},
		{"duplicate PATCH members", http.MethodPatch, "/Users/" + id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[],"operations":[{"op":"remove","path":"title"}]}`, 400, schema.ScimInvalidSyntax},
		{"schemas missing", http.MethodPost, "/Users", `{"userName":"noschemas"}`, 400, schema.ScimInvalidSyntax},
		{"schemas not an array", http.MethodPost, "/Users", `{"schemas":"urn:ietf:params:scim:schemas:core:2.0:User","userName":"x"}`, 400, schema.ScimInvalidSyntax},
		{"schemas of another type", http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"x"}`, 400, schema.ScimInvalidSyntax},
		{"PatchOp schemas missing", http.MethodPatch, "/Users/" + id, `{"Operations":[{"op":"remove","path":"title"}]}`, 400, schema.ScimInvalidSyntax},
		{"unknown resource type", http.MethodPost, "/Gadgets", `{}`, 404, ""},
		{"unknown resource type, deeper", http.MethodGet, "/Gadgets/1/2", "", 404, ""},
		{"bad percent-encoding in the query", http.MethodGet, "/Users?filter=userName%20eq%20%22x%zz%22", "", 400, schema.ScimInvalidValue},
		{"bad percent-encoding in attributes", http.MethodGet, "/Users/" + id + "?attributes=%", "", 400, schema.ScimInvalidValue},
		{"too many attributes", http.MethodGet, "/Users?attributes=a,b,c,d,e,f", "", 400, schema.ScimInvalidValue},
		{"too many excludedAttributes on a write", http.MethodPut, "/Users/" + id + "?excludedAttributes=a,b,c,d,e,f", user("victim@example.com"), 400, schema.ScimInvalidValue},
		{"too many attributes in .search", http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"attributes":["a","b","c","d","e","f"]}`, 400, schema.ScimInvalidValue},
		{"filter too long", http.MethodGet, "/Users?filter=" + strings.Repeat("userName%20pr%20and%20", 700) + "userName%20pr", "", 400, schema.ScimInvalidFilter},
		{"filter too deep", http.MethodGet, "/Users?filter=" + strings.Repeat("(", 100) + "userName%20pr" + strings.Repeat(")", 100), "", 400, schema.ScimInvalidFilter},
		{"startIndex not a number", http.MethodGet, "/Users?startIndex=1e3", "", 400, schema.ScimInvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.do(http.MethodGet, "/Users/"+id, "")
			r := s.do(tt.method, tt.path, tt.body)
			wantError(t, r, tt.status, tt.scimType)
			after := s.do(http.MethodGet, "/Users/"+id, "")
			assert.Equal(t, before.header.Get("ETag"), after.header.Get("ETag"), "no partial write")
		})
	}
	t.Run("paging values out of range are clamped (RFC 7644 §3.4.2.4)", func(t *testing.T) {
		for _, q := range []string{"startIndex=-5&count=-5", "startIndex=0&count=0", "startIndex=99999999999999999999&count=99999999999999999999",
			"startIndex=-99999999999999999999&count=-99999999999999999999", "startIndex=2147483648&count=2147483647"} {
			r := s.do(http.MethodGet, "/Users?"+q, "")
			require.Equal(t, http.StatusOK, r.status, "%s: %s", q, r.raw)
			assert.Equal(t, float64(1), r.body["totalResults"], q)
			assert.GreaterOrEqual(t, r.body["startIndex"], float64(1), q)
		}
	})
	assert.Equal(t, http.StatusOK, s.do(http.MethodGet, "/Users/"+id, "").status, "the server keeps serving")
	assert.NotContains(t, s.logs.String(), "level=ERROR", "no request was the server's fault")
}

// TestConcurrentMembers has 100 goroutines each add a distinct member to
// one group with PATCH (RFC 7644 §3.5.2): none is lost, whether the store
// patches natively or the handler retries Get, Apply and Replace.
func TestConcurrentMembers(t *testing.T) {
	for _, native := range []bool{true, false} {
		t.Run(fmt.Sprintf("native=%v", native), func(t *testing.T) {
			const n = 100
			s := newServer(t, "", func(c *handler.Config) {
				c.Endpoints[0].Store = memory.New(c.Endpoints[0].Type, memory.Options{NewID: ids(numbered("member-%03d", n)...)})
				if !native {
					c.Endpoints[1].Store = scanOnly{c.Endpoints[1].Store}
				}
			})
			for i := range n {
				s.create("/Users", user(fmt.Sprintf("u%d", i))) // the members must exist (RFC 7643 §4.2)
			}
			gid := s.create("/Groups", group)
			var wg sync.WaitGroup
			statuses := make([]int, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := s.do(http.MethodPatch, "/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"member-%03d"}]}]}`, i))
					statuses[i] = r.status
				}()
			}
			wg.Wait()
			for i, st := range statuses {
				assert.Equal(t, http.StatusOK, st, "PATCH %d", i)
			}
			g := s.do(http.MethodGet, "/Groups/"+gid, "")
			ids := memberIDs(g)
			assert.Len(t, ids, n)
			for i := range n {
				assert.Contains(t, ids, fmt.Sprintf("member-%03d", i))
			}
		})
	}
}

// TestConcurrentIfMatch races PUTs with the same If-Match: exactly one
// wins each version, the others get 412 (RFC 7644 §3.14).
func TestConcurrentIfMatch(t *testing.T) {
	s := newServer(t, "", nil)
	id := s.create("/Users", user("race@example.com"))
	for round := range 5 {
		v := s.do(http.MethodGet, "/Users/"+id, "").header.Get("ETag")
		const n = 20
		var wins, lost atomic.Int32
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"race@example.com","title":"round %d writer %d"}`, round, i)
				switch r := s.do(http.MethodPut, "/Users/"+id, body, "If-Match", v); r.status {
				case http.StatusOK:
					wins.Add(1)
				case http.StatusPreconditionFailed:
					lost.Add(1)
				default:
					t.Errorf("status %d: %s", r.status, r.raw)
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, int32(1), wins.Load(), "round %d: one winner per version", round)
		assert.Equal(t, int32(n-1), lost.Load(), "round %d", round)
	}
}

// TestConcurrentCreates races creates of one userName: exactly one 201,
// the rest 409 uniqueness (RFC 7644 §3.3).
func TestConcurrentCreates(t *testing.T) {
	s := newServer(t, "", nil)
	const n = 50
	var created, conflicts atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		name := "same@example.com"
		if i%2 == 1 {
			name = "SAME@example.com" // userName is caseExact false
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch r := s.do(http.MethodPost, "/Users", user(name)); r.status {
			case http.StatusCreated:
				created.Add(1)
			case http.StatusConflict:
				conflicts.Add(1)
				assert.Equal(t, "uniqueness", r.body["scimType"])
			default:
				t.Errorf("status %d: %s", r.status, r.raw)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), created.Load())
	assert.Equal(t, int32(n-1), conflicts.Load())
	assert.Equal(t, float64(1), s.do(http.MethodGet, "/Users?count=0", "").body["totalResults"])
}

// TestPanicIsolated checks that a panicking store gets a 500 with a SCIM
// body naming the request id, that the log carries the same id, and that
// requests to other types, served meanwhile, are unaffected.
func TestPanicIsolated(t *testing.T) {
	s := newServer(t, "", func(c *handler.Config) {
		// Widgets, which no user's groups depend on, panic.
		c.Endpoints = append(c.Endpoints, handler.Endpoint{Type: widgets(), Store: failingStore{panics: true}})
	})
	uid := s.create("/Users", user("calm@example.com"))
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				r := s.do(http.MethodGet, "/Widgets/x", "", "X-Request-Id", fmt.Sprintf("req-%d", i))
				assert.Equal(t, http.StatusInternalServerError, r.status)
				assert.Equal(t, fmt.Sprintf("internal error (request id req-%d)", i), r.body["detail"])
				return
			}
			assert.Equal(t, http.StatusOK, s.do(http.MethodGet, "/Users/"+uid, "").status)
		}()
	}
	wg.Wait()
	logs := s.logs.String()
	for i := 0; i < 20; i += 2 {
		assert.Contains(t, logs, fmt.Sprintf("request_id=req-%d", i))
	}
	r := s.do(http.MethodGet, "/Widgets/x", "")
	detail, _ := r.body["detail"].(string)
	id := strings.TrimSuffix(strings.TrimPrefix(detail, "internal error (request id "), ")")
	require.NotEmpty(t, id)
	assert.Contains(t, s.logs.String(), "request_id="+id, "a generated request id is logged too")
}

// TestInternalErrorNamesRequestID checks the 500 body of a store error
// outside any server: it names a generated request id.
func TestInternalErrorNamesRequestID(t *testing.T) {
	users := schema.Users()
	h, err := handler.New(handler.Config{Endpoints: []handler.Endpoint{{Type: users, Store: failingStore{}}}})
	require.NoError(t, err)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/Users/1", nil))
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Contains(t, w.Body.String(), "internal error (request id ")
}

// spoilingStore is a memory store whose first ReplaceAdopted (its fast
// path) changes the values it was handed, as an adopting store may, and
// then loses a version race.
type spoilingStore struct {
	store.Store
	spoiled atomic.Int32
}

func (s *spoilingStore) Fastpath() fastpath.Store {
	return spoilingFast{s.Store.(fastpath.Provider).Fastpath(), s}
}

type spoilingFast struct {
	fastpath.Store
	s *spoilingStore
}

func (f spoilingFast) ReplaceAdopted(ctx context.Context, r *schema.Resource, ifVersion string) (*schema.Resource, error) {
	if f.s.spoiled.Add(1) == 1 {
		r.Attributes["title"] = "spoiled"
		r.Attributes["emails"].([]any)[0].(map[string]any)["value"] = "spoiled@example.com"
		return nil, store.ErrVersionMismatch
	}
	return f.Store.ReplaceAdopted(ctx, r, ifVersion)
}

// TestReplaceRetryDecodesAfresh: a PUT without If-Match that loses a race
// tries again (RFC 7644 §3.5.1 replaces the whole resource, whatever its
// version); the values the first attempt handed to the store are not used
// again.
func TestReplaceRetryDecodesAfresh(t *testing.T) {
	users := schema.Users()
	st := &spoilingStore{Store: memory.New(users, memory.Options{})}
	h, err := handler.New(handler.Config{Endpoints: []handler.Endpoint{{Type: users, Store: st}}})
	require.NoError(t, err)
	srv := &server{t: t, srv: httptest.NewServer(h), logs: &bytes.Buffer{}}
	t.Cleanup(srv.srv.Close)
	id := srv.create("/Users", user("retry@example.com"))

	r := srv.do(http.MethodPut, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"retry@example.com","title":"Boss","emails":[{"value":"retry@example.com"}]}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, int32(2), st.spoiled.Load(), "the first attempt lost the race")
	assert.Equal(t, "Boss", r.body["title"])
	got := srv.do(http.MethodGet, "/Users/"+id, "")
	assert.Equal(t, "Boss", got.body["title"])
	assert.Equal(t, []any{map[string]any{"value": "retry@example.com"}}, got.body["emails"])
}
