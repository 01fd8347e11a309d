package bench_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/memory"
)

// The benchmarks run each workload twice in one run: through the Handler
// ("scimkit") and through a bare net/http handler that writes the same
// bytes with the same headers ("floor"). The ratio of the two is what
// scimkit costs on top of serving the bytes at all. Both write into the
// same discarding ResponseWriter, so neither pays for a network.

// typicalUser is shaped like what Entra ID provisions: core attributes,
// one work email, and the enterprise extension with a manager.
func typicalUser(i int) string {
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
"externalId":"5f2a8c1e-0000-4000-8000-%012d","userName":"user%07d@contoso.example.com","active":true,
"displayName":"User %07d","title":"Software Engineer",
"name":{"givenName":"Given","familyName":"Family%07d","formatted":"Given Family%07d"},
"emails":[{"value":"user%07d@contoso.example.com","type":"work","primary":true}],
"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"%07d","department":"Engineering","manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d"}}}`,
		i, i, i, i, i, i, i)
}

// dataset is a handler over memory stores holding users typical users and
// groups of 10, 10,000 and 100,000 members (the first users), and one more
// user in no group, answering PATCH with 204 as Entra ID advises for
// groups.
type dataset struct {
	h      *handler.Handler
	groups map[int]string // size -> group id
}

var datasets sync.Map // users -> func() (*dataset, error)

// load returns the dataset of n users, built once per run: a million
// users take most of a minute.
func load(b *testing.B, n int) *dataset {
	f, _ := datasets.LoadOrStore(n, sync.OnceValues(func() (*dataset, error) {
		users, groups := schema.Users(), schema.Groups()
		// Users are member-0000000, member-0000001, ... in the order
		// created, so that groups can name members that exist (RFC 7643
		// §4.2).
		next := 0
		memberID := func() string { next++; return fmt.Sprintf("member-%07d", next-1) }
		us, gs := memory.New(users, memory.Options{NewID: memberID}), memory.New(groups, memory.Options{})
		ctx := context.Background()
		create := func(i int) error {
			r, err := document.Decode(users, []byte(typicalUser(i)), document.DecodeOptions{})
			if err == nil {
				r, err = document.ValidateCreate(users, r)
			}
			if err == nil {
				_, err = us.Create(ctx, r)
			}
			return err
		}
		for i := range n {
			if err := create(i); err != nil {
				return nil, err
			}
		}
		d := &dataset{groups: map[int]string{}}
		for _, size := range []int{10, 10_000, 100_000} {
			members := make([]any, size)
			for i := range members {
				members[i] = map[string]any{"value": fmt.Sprintf("member-%07d", i), "type": "User"}
			}
			g, err := gs.Create(ctx, &schema.Resource{Attributes: map[string]any{"displayName": fmt.Sprintf("Group of %d", size), "members": members}})
			if err != nil {
				return nil, err
			}
			d.groups[size] = g.ID
		}
		// One more user, in no group: member-<n>.
		if err := create(n); err != nil {
			return nil, err
		}
		var err error
		d.h, err = handler.New(handler.Config{
			Endpoints:      []handler.Endpoint{{Type: users, Store: us}, {Type: groups, Store: gs}},
			PatchNoContent: true,
			// No audit log: what a log costs depends on where it goes.
			Logger: slog.New(slog.DiscardHandler),
		})
		return d, err
	}))
	d, err := f.(func() (*dataset, error))()
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// sink is a ResponseWriter that keeps only the status and the length.
type sink struct {
	h      http.Header
	status int
	n      int
}

func newSink() *sink                         { return &sink{h: http.Header{}} }
func (s *sink) Header() http.Header          { return s.h }
func (s *sink) WriteHeader(status int)       { s.status = status }
func (s *sink) Write(p []byte) (int, error)  { s.n += len(p); return len(p), nil }
func (s *sink) reset()                       { clear(s.h); s.status, s.n = 0, 0 }
func (s *sink) check(b *testing.B, want int) { checkStatus(b, s.status, want) }
func checkStatus(b *testing.B, got, want int) {
	if got != want {
		b.Fatalf("status %d, want %d", got, want)
	}
}

// floor returns a bare handler that answers what rec recorded.
func floor(rec *httptest.ResponseRecorder) http.Handler {
	body := rec.Body.Bytes()
	status := rec.Code
	etag, location := rec.Header().Get("ETag"), rec.Header().Get("Location")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
		}
		h := w.Header()
		h.Set("Content-Type", "application/scim+json")
		if etag != "" {
			h.Set("ETag", etag)
		}
		if location != "" {
			h.Set("Location", location)
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

// run serves newReq's requests with both handlers, twice: in process,
// where the ratio is scimkit's own cost, and over loopback HTTP/1.1 with
// keep-alive, where the ratio is what a client sees. newReq(i) must
// return a request for the handler's own path ("/Users..."), fit to reuse
// when the workload does not change.
func run(b *testing.B, h http.Handler, status int, newReq func(i int) *http.Request, peers ...peer) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, newReq(-1))
	if rec.Code != status {
		b.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	all := append([]peer{{"scimkit", h, status}}, peers...)
	all = append(all, peer{"floor", floor(rec), status})
	for _, c := range all {
		status := c.status
		b.Run("inproc/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			w := newSink()
			i := 0
			for b.Loop() {
				w.reset()
				c.h.ServeHTTP(w, newReq(i))
				i++
			}
			w.check(b, status)
			b.SetBytes(int64(w.n))
		})
	}
	for _, c := range all {
		status := c.status
		b.Run("http/"+c.name, func(b *testing.B) {
			srv := httptest.NewServer(c.h)
			defer srv.Close()
			client := srv.Client()
			target, err := url.Parse(srv.URL)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			var n int64
			for b.Loop() {
				r := newReq(i).Clone(context.Background())
				r.RequestURI = ""
				r.URL.Scheme, r.URL.Host, r.Host = target.Scheme, target.Host, target.Host
				resp, err := client.Do(r)
				if err != nil {
					b.Fatal(err)
				}
				n, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				checkStatus(b, resp.StatusCode, status)
				i++
			}
			b.SetBytes(n)
		})
	}
}

// peer is another server run on a workload: its name, its handler and
// the status it answers with.
type peer struct {
	name   string
	h      http.Handler
	status int
}

var elimityServers sync.Map // users -> func() (http.Handler, error)

// elimity returns the elimity-com/scim peer over n typical users, built
// once per run, answering with status.
func elimity(b *testing.B, n, status int) peer {
	f, _ := elimityServers.LoadOrStore(n, sync.OnceValues(func() (http.Handler, error) { return newElimity(n) }))
	h, err := f.(func() (http.Handler, error))()
	if err != nil {
		b.Fatal(err)
	}
	return peer{"elimity", h, status}
}

// get returns a request for the handler's own path.
func get(target string) func(int) *http.Request {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	return func(int) *http.Request { return req }
}

// withBody returns requests with the body body(i) for request i.
func withBody(method, target string, body func(i int) string) func(int) *http.Request {
	return func(i int) *http.Request {
		r := httptest.NewRequest(method, target, strings.NewReader(body(i)))
		r.Header.Set("Content-Type", "application/scim+json")
		return r
	}
}

// idOf finds the id of userName through the handler.
func idOf(b *testing.B, h http.Handler, userName string) string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/Users?attributes=id&filter="+url.QueryEscape(`userName eq "`+userName+`"`), nil))
	_, rest, ok := strings.Cut(rec.Body.String(), `"id":"`)
	if !ok {
		b.Fatalf("no %s: %s", userName, rec.Body)
	}
	id, _, _ := strings.Cut(rest, `"`)
	return id
}

// BenchmarkGet is GET /Users/{id} among 100,000 users.
func BenchmarkGet(b *testing.B) {
	d := load(b, 100_000)
	run(b, d.h, http.StatusOK, get("/Users/"+idOf(b, d.h, "user0050000@contoso.example.com")), elimity(b, 100_000, http.StatusOK))
}

// BenchmarkPost is POST /Users of a typical user into 100,000 users.
func BenchmarkPost(b *testing.B) {
	d := load(b, 100_000)
	// Every request is a new user; the floor gets the same bodies.
	parts := strings.Split(typicalUser(0), "user0000000@")
	next := 0
	run(b, d.h, http.StatusCreated, withBody(http.MethodPost, "/Users", func(int) string {
		next++
		n := "post" + strconv.Itoa(next) + "@"
		return parts[0] + n + parts[1] + n + parts[2]
	}), elimity(b, 100_000, http.StatusCreated))
}

// BenchmarkUserNameEq is the lookup every identity provider makes before
// it provisions: GET /Users?filter=userName eq "...", at 100,000 and
// 1,000,000 users.
func BenchmarkUserNameEq(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			d := load(b, n)
			run(b, d.h, http.StatusOK, get("/Users?filter="+url.QueryEscape(`userName eq "User0050000@contoso.example.com"`)), elimity(b, n, http.StatusOK))
		})
	}
}

// BenchmarkPatchReplace is a PATCH replacing two attributes of a user,
// answered 200 with the user: one in no group, and one in the group of
// 100,000 members, whose element for the user takes the new displayName
// (RFC 7643 §4.2: members' display).
func BenchmarkPatchReplace(b *testing.B) {
	d := load(b, 100_000)
	body := func(i int) string {
		return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Name %d"},{"op":"replace","path":"title","value":"Title %d"}]}`, i, i)
	}
	b.Run("groups=0", func(b *testing.B) {
		id := idOf(b, d.h, "user0100000@contoso.example.com")
		run(b, d.h, http.StatusOK, withBody(http.MethodPatch, "/Users/"+id+"?attributes=displayName,title", body), elimity(b, 100_000, http.StatusOK))
	})
	b.Run("groups=1", func(b *testing.B) {
		id := idOf(b, d.h, "user0060000@contoso.example.com")
		run(b, d.h, http.StatusOK, withBody(http.MethodPatch, "/Users/"+id+"?attributes=displayName,title", body))
	})
}

// BenchmarkAddMember is a PATCH adding one member, a user that exists and
// is not yet a member, to a group of 10, 10,000 and 100,000 members,
// answered 204.
func BenchmarkAddMember(b *testing.B) {
	const users = 200_000
	d := load(b, users)
	for _, size := range []int{10, 10_000, 100_000} {
		b.Run(fmt.Sprintf("members=%d", size), func(b *testing.B) {
			added := 0
			run(b, d.h, http.StatusNoContent, withBody(http.MethodPatch, "/Groups/"+d.groups[size], func(int) string {
				// The next user not yet in the group; past the last, the
				// adds name members again and change nothing.
				added++
				return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"member-%07d"}]}]}`, size+(added-1)%(users-size))
			}))
		})
	}
}

// BenchmarkPage is a page of 100 users with attributes=userName.
func BenchmarkPage(b *testing.B) {
	d := load(b, 100_000)
	run(b, d.h, http.StatusOK, get("/Users?startIndex=1001&count=100&attributes=userName"), elimity(b, 100_000, http.StatusOK))
}
