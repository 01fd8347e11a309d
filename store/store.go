// Package store defines the storage interface a host implements to put its
// own tables behind scimkit, the optional capabilities that let a store do
// more of the work itself, and the generic code the handler falls back on.
//
// # The contract
//
// A [Store] holds the resources of one resource type. It is small on
// purpose: Create, Get, Replace, Delete and Scan. The store assigns ids and
// versions, enforces uniqueness atomically, and reports what went wrong with
// the sentinel errors of this package; it knows nothing of HTTP. The handler
// maps ErrNotFound to 404, ErrConflict to 409 uniqueness, ErrVersionMismatch
// to 412 and ErrScanLimit to 400 tooMany.
//
// # Capabilities
//
// A store may also implement [Searcher] (filter, sort and page itself, for
// example in SQL) and [Patcher] (apply PATCH natively, for example adding
// one group member without loading the group). The handler never checks for
// them itself: it calls the package functions [Search] and [Patch], which
// use a capability when the store has it and fall back on the generic path
// otherwise, also when the capability declines a call by returning an error
// that wraps errors.ErrUnsupported. This is how io/fs grows: add an
// interface, never a method.
//
// # Decorators
//
// A store that wraps another (for tracing, metrics or policy) keeps the
// read capabilities of what it wraps by implementing
//
//	Unwrap() Store
//
// returning the wrapped store: [Search] then uses the first Searcher along
// the Unwrap chain, so a tracing decorator does not turn every search into
// a Scan. Writes are never taken from the wrapped store: [Patch] uses only
// the outer store's own Patcher, so a decorator that audits or refuses
// writes sees every write. A decorator that wants native PATCH implements
// Patcher and forwards. The conformance kit in store/storetest checks both.
//
// [Evaluate] is the generic path of Search, exported for stores that push
// down only part of a query. storetest checks that a store's answers equal
// the generic ones.
package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/topk"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
)

// Sentinel errors. Stores return them, possibly wrapped; callers test with
// errors.Is.
var (
	// ErrNotFound: no resource has the id.
	ErrNotFound = errors.New("store: resource not found")
	// ErrVersionMismatch: the resource's version is not the one expected.
	ErrVersionMismatch = errors.New("store: version mismatch")
	// ErrConflict: a value that must be unique is taken. Stores return a
	// *ConflictError, which matches it.
	ErrConflict = errors.New("store: uniqueness conflict")
	// ErrScanLimit: answering the query would scan more resources than
	// Query.MaxScan allows.
	ErrScanLimit = errors.New("store: query would scan too many resources")
)

// ConflictError reports a uniqueness violation (RFC 7643 §7 "uniqueness")
// and names the attribute. errors.Is(err, ErrConflict) holds for it.
type ConflictError struct {
	Attribute string // the attribute's path, such as "userName"
}

// Error names the attribute.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("store: uniqueness conflict: the %s is already taken", e.Attribute)
}

// Is reports whether target is ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Store holds the resources of one resource type. Implementations must be
// safe for concurrent use. Every method receives the request's context,
// which carries what the host put there (a tenant, a principal).
//
// Resources passed in stay the caller's: a store must not keep a reference
// to a resource it is given. Resources returned are
// read-only: a store may share them with its own state (the memory store
// does for groups, so a read costs no copy), so callers must not change
// them (Clone first), and a store must never change a resource once it has
// returned it. scimkit never changes a resource a store returns.
type Store interface {
	// Create stores a new resource and returns it as stored. The store
	// assigns ID (ignoring r.ID), Meta.Version, Meta.Created and
	// Meta.LastModified, and sets Meta.ResourceType. If a value of an
	// attribute whose uniqueness is server or global is already taken
	// (case-insensitively unless the attribute is caseExact), Create
	// stores nothing and returns a *ConflictError, atomically.
	Create(ctx context.Context, r *schema.Resource) (*schema.Resource, error)

	// Get returns the resource with the id, or ErrNotFound.
	Get(ctx context.Context, id string) (*schema.Resource, error)

	// Replace stores r, the complete new state of the resource r.ID, and
	// returns it as stored, with a new Meta.Version and Meta.LastModified;
	// Meta.Created is kept. If ifVersion is not empty and the stored
	// version differs, Replace stores nothing and returns
	// ErrVersionMismatch; the check and the write are atomic. It returns
	// ErrNotFound for an unknown id and a *ConflictError as Create does.
	Replace(ctx context.Context, r *schema.Resource, ifVersion string) (*schema.Resource, error)

	// Delete removes the resource, or returns ErrNotFound. If ifVersion is
	// not empty and differs from the stored version, Delete removes nothing
	// and returns ErrVersionMismatch, atomically.
	Delete(ctx context.Context, id, ifVersion string) error

	// Scan yields every resource, in any order. It is the generic path for
	// searches, and is read for small collections only (see Query.MaxScan).
	// A failure is yielded as an error, after which Scan stops.
	Scan(ctx context.Context) iter.Seq2[*schema.Resource, error]
}

// Searcher is a Store that filters, sorts and pages itself. Search must
// answer exactly what Evaluate answers over Scan; storetest checks it. A
// Searcher that cannot answer a query (a filter on an attribute it cannot
// express, say) returns an error wrapping errors.ErrUnsupported and the
// generic path answers instead.
type Searcher interface {
	Search(ctx context.Context, q *Query) (*Page, error)
}

// Patcher is a Store that applies PATCH operations natively. Patch must
// behave as patch.Apply followed by Replace: all operations or none, the
// same errors, the same result, with ifVersion as in Replace. With
// opts.MetaOnly, the result may hold only the resource's ID and Meta. A
// Patcher may decline operations it does not handle by returning an error
// wrapping errors.ErrUnsupported.
type Patcher interface {
	Patch(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts PatchOptions) (*schema.Resource, error)
}

// Trash is a Store that keeps what it deletes (a soft delete): a deleted
// resource is out of every read and search (Get answers ErrNotFound) and
// its unique values are free for a new resource, but the record stays,
// for audit, billing or restoring its owner's data, until purged. The
// memory and PostgreSQL stores are Trashes when their options ask for it.
type Trash interface {
	// Deleted yields the tenant's deleted resources, in id order, each as
	// it was when deleted.
	Deleted(ctx context.Context) iter.Seq2[*schema.Resource, error]
	// Purge removes deleted resource id for good; ErrNotFound when there
	// is none.
	Purge(ctx context.Context, id string) error
}

// PatchOptions are the options of a PATCH.
type PatchOptions struct {
	patch.Options
	// MetaOnly tells a Patcher that the caller reads only the ID and Meta
	// of the result (a handler answering 204, RFC 7644 §3.5.2), so that it
	// need not read the resource back: adding one member to a group of
	// 100,000 then reads and writes one member, not all.
	MetaOnly bool
}

// DefaultMaxScan is the number of resources the generic search path reads at
// most when Query.MaxScan is zero.
const DefaultMaxScan = 100_000

// Query is a search (RFC 7644 §3.4.2).
type Query struct {
	// Filter selects resources; nil selects all.
	Filter *filter.Matcher
	// Sort orders the results; nil orders them by id.
	Sort *filter.Sorter
	// StartIndex is the 1-based position of the first result returned;
	// values below 1 mean 1 (RFC 7644 §3.4.2.4).
	StartIndex int
	// Count is the most results returned; 0 returns none, only the total.
	// Negative values mean 0.
	Count int
	// MaxScan bounds the resources the generic path reads; 0 means
	// DefaultMaxScan. Stores that search themselves may ignore it.
	MaxScan int
	// After, when not "", is the id the results come after, for keyset
	// paging (RFC 9865 cursors): the Filter then also holds `id gt After`
	// and Sort is nil, so the results are those in id order past After. A
	// store that keeps resources in id order may start there instead of
	// reading the ones before it; one that ignores After still answers
	// right, through the filter.
	After string
	// NoTotal says the caller does not read Page.Total: a store may leave
	// it 0 instead of counting every match, and stop reading once it has
	// the page.
	NoTotal bool
}

// Page is the answer to a Query.
type Page struct {
	Resources []*schema.Resource // at most Query.Count, in order
	Total     int                // how many resources matched in all
}

// Search answers q from s: through the first Searcher along s's Unwrap
// chain (s itself first) that does not decline, otherwise by Evaluate over
// s.Scan.
func Search(ctx context.Context, s Store, q *Query) (*Page, error) {
	for c := Store(s); c != nil; c = unwrap(c) {
		if se, ok := c.(Searcher); ok {
			p, err := se.Search(ctx, q)
			if !errors.Is(err, errors.ErrUnsupported) {
				return p, err
			}
			break
		}
	}
	return Evaluate(ctx, s.Scan(ctx), q)
}

// unwrap returns the store s wraps, or nil.
func unwrap(s Store) Store {
	if u, ok := s.(interface{ Unwrap() Store }); ok {
		return u.Unwrap()
	}
	return nil
}

// Evaluate filters, sorts and pages resources in memory: the generic path
// of Search. It reads at most q.MaxScan resources (DefaultMaxScan when zero)
// and returns ErrScanLimit beyond that. Ties in the sort order, and the
// whole order when q.Sort is nil, are broken by id, so pages are stable.
// It holds at most StartIndex-1+Count resources at once, whatever the
// number that match, and none for a page past MaxScan.
func Evaluate(ctx context.Context, resources iter.Seq2[*schema.Resource, error], q *Query) (*Page, error) {
	limit := q.MaxScan
	if limit <= 0 {
		limit = DefaultMaxScan
	}
	start, count := max(q.StartIndex, 1), max(q.Count, 0)
	keep := 0
	if start <= limit { // a page past limit is empty or an error: keep none
		keep = start - 1 + count
	}
	order := func(a, b *schema.Resource) int { return strings.Compare(a.ID, b.ID) }
	if q.Sort != nil {
		order = q.Sort.Compare
	}
	first := topk.New(keep, order)
	matched := 0
	n := 0
	for r, err := range resources {
		if err != nil {
			return nil, err
		}
		if n++; n > limit {
			return nil, fmt.Errorf("%w: more than %d; narrow the filter", ErrScanLimit, limit)
		}
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if q.Filter == nil || q.Filter.Match(r) {
			matched++
			first.Push(r)
		}
	}
	return &Page{Resources: topk.Page(first.Sorted(), start, count), Total: matched}, nil
}

// maxPatchAttempts bounds how often Patch tries a PATCH without If-Match
// that keeps losing races with other writes; it waits a growing random time
// between attempts.
const maxPatchAttempts = 16

// Patch applies PATCH operations to the resource id of s, whose resource
// type is rt: through s.Patch when s is a Patcher that does not decline,
// otherwise by Get, patch.Apply and Replace. Only s's own Patcher is used,
// never one along its Unwrap chain (see Decorators). The generic path replaces with
// the version it read, so a concurrent write is never lost: without
// ifVersion it retries on ErrVersionMismatch (up to 16
// times); with ifVersion it fails with ErrVersionMismatch unless the
// resource is at that version. A PATCH that changes nothing writes nothing
// and returns the resource as it is.
func Patch(ctx context.Context, s Store, rt *schema.ResourceType, id string, ops []patch.Operation, ifVersion string, opts PatchOptions) (*schema.Resource, error) {
	if p, ok := s.(Patcher); ok {
		r, err := p.Patch(ctx, id, ops, ifVersion, opts)
		if !errors.Is(err, errors.ErrUnsupported) {
			return r, err
		}
	}
	var out *schema.Resource
	_, err := Update(ctx, s, id, ifVersion, func(cur *schema.Resource) error {
		next, changed, err := patch.Apply(ctx, rt, cur, ops, opts.Options)
		if err != nil || !changed {
			out = cur
			return err
		}
		out, err = s.Replace(ctx, next, cur.Meta.Version)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Update reads resource id of s and calls write with it; write stores the
// new state at cur.Meta.Version, so that a concurrent write is never lost.
// With ifVersion (If-Match), a resource at another version fails with
// ErrVersionMismatch and there is one try; without, a write that loses a
// race (returns ErrVersionMismatch) reads again after a growing random
// wait, up to 16 times. Update returns the resource read
// last, which the write replaced when it succeeded, and write's error.
func Update(ctx context.Context, s Store, id, ifVersion string, write func(cur *schema.Resource) error) (*schema.Resource, error) {
	for attempt := 1; ; attempt++ {
		cur, err := s.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if ifVersion != "" && cur.Meta.Version != ifVersion {
			return nil, ErrVersionMismatch
		}
		err = write(cur)
		if !errors.Is(err, ErrVersionMismatch) || ifVersion != "" || attempt == maxPatchAttempts {
			return cur, err
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// backoff waits a random time that grows with the attempt (up to about
// 100 ms), so that writers racing for one resource spread out, even when
// each attempt is a database round trip.
func backoff(ctx context.Context, attempt int) error {
	limit := time.Duration(100<<min(attempt, 10)) * time.Microsecond
	t := time.NewTimer(rand.N(limit))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
