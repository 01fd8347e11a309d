package store_test

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/storetest"
)

// mapStore is the smallest store.Store: a map under a mutex, for one
// tenant. A real adapter maps resources onto the host's own tables
// instead, and runs storetest.Run against itself, as TestMapStore does.
type mapStore struct {
	rt   *schema.ResourceType
	mu   sync.Mutex
	next int
	byID map[string]*schema.Resource
}

func newMapStore(rt *schema.ResourceType) *mapStore {
	return &mapStore{rt: rt, byID: map[string]*schema.Resource{}}
}

// taken reports whether another resource has r's userName, which is unique
// and not caseExact (RFC 7643 §4.1.1).
func (s *mapStore) taken(r *schema.Resource) bool {
	name, _ := r.Attributes["userName"].(string)
	for id, o := range s.byID {
		if other, _ := o.Attributes["userName"].(string); name != "" && id != r.ID && strings.EqualFold(other, name) {
			return true
		}
	}
	return false
}

func (s *mapStore) Create(_ context.Context, r *schema.Resource) (*schema.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := r.Clone()
	c.ID = ""
	if s.taken(c) {
		return nil, &store.ConflictError{Attribute: "userName"}
	}
	s.next++
	now := time.Now()
	c.ID = strconv.Itoa(s.next)
	c.Meta = schema.Meta{ResourceType: s.rt.Name, Created: now, LastModified: now, Version: strconv.Itoa(s.next)}
	s.byID[c.ID] = c
	return c, nil
}

func (s *mapStore) Get(_ context.Context, id string) (*schema.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byID[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	return r, nil // stored resources are replaced, never changed: sharing is safe
}

func (s *mapStore) Replace(_ context.Context, r *schema.Resource, ifVersion string) (*schema.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.byID[r.ID]
	switch {
	case !ok:
		return nil, store.ErrNotFound
	case ifVersion != "" && old.Meta.Version != ifVersion:
		return nil, store.ErrVersionMismatch
	case s.taken(r):
		return nil, &store.ConflictError{Attribute: "userName"}
	}
	s.next++
	c := r.Clone()
	c.Meta = old.Meta
	c.Meta.LastModified, c.Meta.Version = time.Now(), strconv.Itoa(s.next)
	s.byID[c.ID] = c
	return c, nil
}

func (s *mapStore) Delete(_ context.Context, id, ifVersion string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.byID[id]
	switch {
	case !ok:
		return store.ErrNotFound
	case ifVersion != "" && old.Meta.Version != ifVersion:
		return store.ErrVersionMismatch
	}
	delete(s.byID, id)
	return nil
}

func (s *mapStore) Scan(context.Context) iter.Seq2[*schema.Resource, error] {
	s.mu.Lock()
	snapshot := slices.Collect(maps.Values(s.byID))
	s.mu.Unlock()
	return func(yield func(*schema.Resource, error) bool) {
		for _, r := range snapshot {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// A store needs only the five methods of store.Store: scimkit filters,
// sorts, pages and patches over Scan and Get/Replace until the store
// implements store.Searcher and store.Patcher itself.
func Example_customStore() {
	ctx := context.Background()
	users := schema.Users()
	var s store.Store = newMapStore(users)
	for _, name := range []string{"bjensen", "jsmith", "adoe"} {
		if _, err := s.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": name, "active": name != "jsmith"}}); err != nil {
			panic(err)
		}
	}
	_, err := s.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": "BJENSEN"}})
	fmt.Println(err)

	e, _ := filter.Parse(`active eq true`)
	m, _ := filter.Compile(users, e)
	sort, _ := filter.NewSorter(users, "userName", "")
	page, err := store.Search(ctx, s, &store.Query{Filter: m, Sort: sort, StartIndex: 1, Count: 10})
	if err != nil {
		panic(err)
	}
	for _, r := range page.Resources {
		fmt.Println(r.Attributes["userName"])
	}
	// Output:
	// store: uniqueness conflict: the userName is already taken
	// adoe
	// bjensen
}

// TestMapStore runs the conformance kit against the example's store, as a
// host runs it against its adapter: a store of one tenant says so.
func TestMapStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, rt *schema.ResourceType) store.Store {
		return newMapStore(rt)
	}, storetest.Options{NoTenants: true})
}
