package handler

import (
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"
)

// Identity providers import a tenant by walking its list with startIndex
// (Okta: startIndex=1, 101, 201, ... with count=100), and a store answers
// a page at startIndex n by reading and skipping the n-1 results before it
// (PostgreSQL's OFFSET), so a walk costs as the square of the tenant. The
// handler remembers, for a little while, the id that ended each page of a
// list in id order; when the next page of the same query is asked for, it
// reads the results past that id instead (store.Query.After, a range of
// the id order), which is the same page as long as nothing was written in
// between. Any write the handler serves in the tenant forgets its walks,
// and so does time (walkTTL): a write made elsewhere (another replica, the
// host's own code) can make a page answered within walkTTL of it the page
// of the tenant as it was when the walk's previous page was read.

// walkTTL is how long the end of a page is remembered.
const walkTTL = time.Minute

// maxWalks bounds the page ends remembered.
const maxWalks = 4096

// walks remembers where pages of lists in id order ended.
type walks struct {
	mu      sync.Mutex
	entries map[walkKey]walkEnd
	gens    [256]atomic.Uint64 // write generations, by hash of the tenant
}

// walkKey is the page of a query that starts at start.
type walkKey struct {
	tenant, endpoint, digest string
	count, start             int
}

// walkEnd is the id the page before ended with, and the total it
// answered.
type walkEnd struct {
	id    string
	total int
	gen   uint64
	at    time.Time
}

// gen returns the tenant's write generation.
func (w *walks) gen(tenant string) *atomic.Uint64 {
	f := fnv.New32a()
	f.Write([]byte(tenant))
	return &w.gens[f.Sum32()%uint32(len(w.gens))]
}

// wrote forgets the tenant's walks: a write may move any result.
func (w *walks) wrote(tenant string) { w.gen(tenant).Add(1) }

// after returns the id the page before k ended with and the total it
// answered, if they are known and nothing was written in the tenant
// since: the total is then the same, and need not be counted again.
func (w *walks) after(k walkKey, now time.Time) (id string, total int, ok bool) {
	w.mu.Lock()
	e, ok := w.entries[k]
	w.mu.Unlock()
	if !ok || e.gen != w.gen(k.tenant).Load() || now.Sub(e.at) > walkTTL {
		return "", 0, false
	}
	return e.id, e.total, true
}

// ended remembers that the page before k ended with id and answered
// total, as of write generation gen.
func (w *walks) ended(k walkKey, id string, total int, gen uint64, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.entries == nil {
		w.entries = map[walkKey]walkEnd{}
	}
	if len(w.entries) >= maxWalks {
		for old, e := range w.entries {
			if now.Sub(e.at) > walkTTL || len(w.entries) >= maxWalks {
				delete(w.entries, old)
			}
		}
	}
	w.entries[k] = walkEnd{id: id, total: total, gen: gen, at: now}
}
