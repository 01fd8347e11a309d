package memory_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// typicalUser is shaped like what Entra ID provisions: core attributes, one
// work email, and the enterprise extension with a manager.
func typicalUser(i int) *schema.Resource {
	return &schema.Resource{
		ExternalID: fmt.Sprintf("5f2a8c1e-0000-4000-8000-%012d", i),
		Attributes: map[string]any{
			"userName":    fmt.Sprintf("user%07d@contoso.example.com", i),
			"active":      true,
			"displayName": fmt.Sprintf("User %07d", i),
			"title":       "Software Engineer",
			"name":        map[string]any{"givenName": "Given", "familyName": fmt.Sprintf("Family%07d", i), "formatted": fmt.Sprintf("Given Family%07d", i)},
			"emails":      []any{map[string]any{"value": fmt.Sprintf("user%07d@contoso.example.com", i), "type": "work", "primary": true}},
			schema.EnterpriseUserSchema: map[string]any{
				"employeeNumber": fmt.Sprintf("%07d", i),
				"department":     "Engineering",
				"manager":        map[string]any{"value": "26118915-6090-4610-87e4-49d8ca9f808d"},
			},
		},
	}
}

var (
	populatedMu sync.Mutex
	populated   = map[int]store.Store{}
)

// storeWith returns a memory store of n typical users, built once per n.
func storeWith(b *testing.B, n int) store.Store {
	populatedMu.Lock()
	defer populatedMu.Unlock()
	if s, ok := populated[n]; ok {
		return s
	}
	s := memory.New(schema.Users(), memory.Options{})
	for i := range n {
		if _, err := s.Create(context.Background(), typicalUser(i)); err != nil {
			b.Fatal(err)
		}
	}
	populated[n] = s
	return s
}

var sizes = []int{1_000, 1_000_000}

func BenchmarkGet(b *testing.B) {
	for _, n := range sizes {
		s := storeWith(b, n)
		r, err := s.Create(context.Background(), typicalUser(n+1))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Get(context.Background(), r.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
		if err := s.Delete(context.Background(), r.ID, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCreate(b *testing.B) {
	for _, n := range sizes {
		s := storeWith(b, n)
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var created []string
			i := 0
			for b.Loop() {
				i++
				r, err := s.Create(context.Background(), typicalUser(10_000_000+i))
				if err != nil {
					b.Fatal(err)
				}
				created = append(created, r.ID)
			}
			b.StopTimer()
			for _, id := range created {
				_ = s.Delete(context.Background(), id, "")
			}
		})
	}
}

// BenchmarkSearchUserNameEq is Entra ID's lookup before each create.
func BenchmarkSearchUserNameEq(b *testing.B) {
	users := schema.Users()
	for _, n := range sizes {
		s := storeWith(b, n)
		e, err := filter.Parse(fmt.Sprintf(`userName eq "USER%07d@contoso.example.com"`, n/2))
		if err != nil {
			b.Fatal(err)
		}
		m, err := filter.Compile(users, e)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := s.(store.Searcher).Search(context.Background(), &store.Query{Filter: m, StartIndex: 1, Count: 100})
				if err != nil || p.Total != 1 {
					b.Fatal(err, p)
				}
			}
		})
	}
}

// BenchmarkMemoryPerUser reports the heap held per typical user in a store
// of 100,000, and the heap objects (what the garbage collector scans),
// measured once; the timed loop reads one of them. "copied" stores users
// through Create, which copies them; "decoded" stores what the handler
// hands over: bodies decoded by document.Decode and validated, through
// CreateAdopted.
func BenchmarkMemoryPerUser(b *testing.B) {
	users := schema.Users()
	for _, way := range []string{"copied", "decoded"} {
		b.Run(way, func(b *testing.B) {
			const n = 100_000
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			s := memory.New(users, memory.Options{})
			var last *schema.Resource
			for i := range n {
				in := typicalUser(i)
				var err error
				if way == "decoded" {
					in, err = document.Decode(users, document.AppendJSON(nil, users, in, nil), document.DecodeOptions{})
					if err == nil {
						in, err = document.ValidateCreate(users, in)
					}
					if err == nil {
						last, err = memory.Fast(s).CreateAdopted(context.Background(), in)
					}
				} else {
					last, err = s.Create(context.Background(), in)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			for b.Loop() {
				if _, err := s.Get(context.Background(), last.ID); err != nil {
					b.Fatal(err)
				}
			}
			// After the loop: the first call to b.Loop resets reported metrics.
			b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/n, "bytes/user")
			b.ReportMetric(float64(int64(after.HeapObjects)-int64(before.HeapObjects))/n, "objects/user")
		})
	}
}

// BenchmarkSearchScan is a filter no index answers, which reads every
// user: each user read is decoded from its JSON first.
func BenchmarkSearchScan(b *testing.B) {
	users := schema.Users()
	s := storeWith(b, 100_000)
	e, err := filter.Parse(`displayName sw "User 00012" and title eq "Software Engineer"`)
	if err != nil {
		b.Fatal(err)
	}
	m, err := filter.Compile(users, e)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		p, err := s.(store.Searcher).Search(context.Background(), &store.Query{Filter: m, StartIndex: 1, Count: 100})
		if err != nil || p.Total != 100 {
			b.Fatal(err, p.Total)
		}
	}
}
