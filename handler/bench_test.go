package handler_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/memory"
)

// The benchmarks run each workload twice in one run: through the Handler
// ("scimkit") and through a bare net/http handler that writes the same
// bytes with the same headers ("floor"). The ratio of the two is what
// scimkit costs on top of serving the bytes at all. Both write into the
// same discarding ResponseWriter, so neither pays for a network.

const benchUsers = 100_000

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

// benchHandler is a Handler over a memory store of benchUsers typical
// users, built once: building it takes seconds.
var benchHandler = sync.OnceValues(func() (*handler.Handler, error) {
	users := schema.Users()
	s := memory.New(users)
	for i := range benchUsers {
		r, err := schema.Decode(users, []byte(typicalUser(i)), schema.DecodeOptions{})
		if err == nil {
			r, err = schema.ValidateCreate(users, r)
		}
		if err == nil {
			_, err = s.Create(context.Background(), r)
		}
		if err != nil {
			return nil, err
		}
	}
	return handler.New(handler.Config{ResourceTypes: []handler.ResourceType{{Type: users, Store: s}}})
})

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
func run(b *testing.B, h http.Handler, status int, newReq func(i int) *http.Request) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, newReq(-1))
	if rec.Code != status {
		b.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"scimkit", h}, {"floor", floor(rec)}} {
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
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"scimkit", h}, {"floor", floor(rec)}} {
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

func mustHandler(b *testing.B) *handler.Handler {
	h, err := benchHandler()
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// BenchmarkGet is GET /Users/{id} of one of 100,000 users.
func BenchmarkGet(b *testing.B) {
	h := mustHandler(b)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/Users?filter=userName%20eq%20%22user0050000@contoso.example.com%22&attributes=id", nil))
	id := bytes.SplitN(bytes.SplitN(rec.Body.Bytes(), []byte(`"id":"`), 2)[1], []byte(`"`), 2)[0]
	req := httptest.NewRequest(http.MethodGet, "/Users/"+string(id), nil)
	run(b, h, http.StatusOK, func(int) *http.Request { return req })
}

// BenchmarkList is GET /Users?filter=userName eq "..." among 100,000
// users, the lookup every identity provider makes before it provisions.
func BenchmarkList(b *testing.B) {
	h := mustHandler(b)
	req := httptest.NewRequest(http.MethodGet, "/Users?filter=userName%20eq%20%22User0050000@contoso.example.com%22", nil)
	run(b, h, http.StatusOK, func(int) *http.Request { return req })
}

// BenchmarkPost is POST /Users of a typical user into a store of 100,000.
func BenchmarkPost(b *testing.B) {
	h := mustHandler(b)
	// Every request is a new user; the floor gets the same bodies.
	parts := strings.Split(typicalUser(0), "user0000000@")
	var buf []byte
	next := benchUsers + 1
	run(b, h, http.StatusCreated, func(int) *http.Request {
		n := strconv.Itoa(next)
		next++
		buf = append(buf[:0], parts[0]...)
		for _, p := range parts[1:] {
			buf = append(buf, "post"...)
			buf = append(buf, n...)
			buf = append(buf, '@')
			buf = append(buf, p...)
		}
		r := httptest.NewRequest(http.MethodPost, "/Users", bytes.NewReader(buf))
		r.Header.Set("Content-Type", "application/scim+json")
		return r
	})
}

// BenchmarkBulkThousand is one Bulk request creating 1,000 users and a
// group that refers to all of them by bulkId, on empty memory stores.
func BenchmarkBulkThousand(b *testing.B) {
	users, groups := schema.Users(), schema.Groups()
	body := []byte(thousandBody(1000))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		b.StopTimer()
		h, err := handler.New(handler.Config{
			ResourceTypes: []handler.ResourceType{{Type: users, Store: memory.New(users)}, {Type: groups, Store: memory.New(groups)}},
			Bulk:          handler.BulkConfig{MaxOperations: 1001, MaxPayloadBytes: 4 << 20},
		})
		if err != nil {
			b.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/Bulk", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/scim+json")
		w := newSink()
		b.StartTimer()
		h.ServeHTTP(w, req)
		w.check(b, http.StatusOK)
	}
}
