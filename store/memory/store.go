package memory

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/fastpath"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// Options holds a store's optional settings. The zero value gives the
// defaults.
type Options struct {
	// Now returns the time written to meta.created and meta.lastModified;
	// nil means time.Now. Tests inject a fixed clock to keep output stable.
	Now func() time.Time
	// NewID returns a new resource id; nil means a random UUID (version 4).
	// It must not return an id in use.
	NewID func() string
	// SoftDelete keeps what Delete deletes, out of every read and search
	// and with its unique values freed, until purged: the store is then a
	// store.Trash.
	SoftDelete bool
}

// memStore is the store New returns: a partition per tenant.
type memStore struct {
	tmpl  part // the settings every new partition copies
	mu    sync.RWMutex
	parts map[string]*part // by tenant
}

var (
	_ store.Searcher    = (*memStore)(nil)
	_ store.Patcher     = (*memStore)(nil)
	_ store.Trash       = softStore{}
	_ fastpath.Provider = (*memStore)(nil)
)

// errLists declines JSON reads of a type with reference lists, which the
// stored JSON does not hold.
var errLists = fmt.Errorf("memory: the stored JSON leaves out the reference lists: %w", errors.ErrUnsupported)

// New returns an empty store for resource type rt. It is a store.Searcher
// and a store.Patcher too (see the package documentation), and a
// store.Trash with Options.SoftDelete. The zero Options give the defaults.
func New(rt *schema.ResourceType, opts Options) store.Store {
	s := &memStore{tmpl: part{rt: rt, now: opts.Now, newID: opts.NewID, soft: opts.SoftDelete, spanner: document.NewSpanner(rt)}, parts: map[string]*part{}}
	if s.tmpl.now == nil {
		s.tmpl.now = time.Now
	}
	if s.tmpl.newID == nil {
		s.tmpl.newID, s.tmpl.safeIDs = store.NewID, true
	}
	add := func(ext string, attrs []*schema.Attribute) {
		for _, a := range attrs {
			switch {
			case !writtenInFull(a):
				s.tmpl.beside = append(s.tmpl.beside, besideAttr{ext: ext, attr: a})
			case document.IsReferenceList(a):
				s.tmpl.beside = append(s.tmpl.beside, besideAttr{ext: ext, attr: a, list: true})
				s.tmpl.lists++
			}
		}
	}
	add("", rt.Schema.Attributes)
	for _, e := range rt.Extensions {
		add(e.Schema.ID, e.Schema.Attributes)
	}
	if opts.SoftDelete {
		return softStore{s}
	}
	return s
}

// writtenInFull reports whether the default projection writes every value
// of a, sub-attributes included.
func writtenInFull(a *schema.Attribute) bool {
	var def *document.Projection
	if !def.Includes(nil, nil, a) {
		return false
	}
	for _, sub := range a.SubAttributes {
		if !def.Includes(nil, a, sub) {
			return false
		}
	}
	return true
}

// part returns the partition of ctx's tenant, making it on first use.
func (s *memStore) part(ctx context.Context) *part {
	tenant := store.Tenant(ctx)
	s.mu.RLock()
	p := s.parts[tenant]
	s.mu.RUnlock()
	if p != nil {
		return p
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p = s.parts[tenant]; p == nil {
		p = s.tmpl.fresh()
		s.parts[tenant] = p
	}
	return p
}

// Create implements store.Store.
func (s *memStore) Create(ctx context.Context, r *schema.Resource) (*schema.Resource, error) {
	p := s.part(ctx)
	c, err := p.own(r)
	if err != nil {
		return nil, err
	}
	return p.create(ctx, c)
}

// Get implements store.Store.
func (s *memStore) Get(ctx context.Context, id string) (*schema.Resource, error) {
	return s.part(ctx).get(ctx, id)
}

// Replace implements store.Store.
func (s *memStore) Replace(ctx context.Context, r *schema.Resource, ifVersion string) (*schema.Resource, error) {
	p := s.part(ctx)
	c, err := p.own(r)
	if err != nil {
		return nil, err
	}
	return p.replace(ctx, c, ifVersion)
}

// Delete implements store.Store.
func (s *memStore) Delete(ctx context.Context, id, ifVersion string) error {
	return s.part(ctx).delete(ctx, id, ifVersion)
}

// Patch implements store.Patcher.
func (s *memStore) Patch(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts store.PatchOptions) (*schema.Resource, error) {
	return s.part(ctx).patch(ctx, id, ops, ifVersion, opts.Options, opts.MetaOnly)
}

// Scan implements store.Store. It yields the tenant's resources as they
// were when Scan started, in id order.
func (s *memStore) Scan(ctx context.Context) iter.Seq2[*schema.Resource, error] {
	return s.part(ctx).scan(ctx)
}

// softStore is the store New returns with Options.SoftDelete: a
// store.Trash too.
type softStore struct{ *memStore }

// Deleted implements store.Trash.
func (s softStore) Deleted(ctx context.Context) iter.Seq2[*schema.Resource, error] {
	return s.part(ctx).deleted(ctx)
}

// Purge implements store.Trash.
func (s softStore) Purge(ctx context.Context, id string) error {
	return s.part(ctx).purge(ctx, id)
}

// Search implements store.Searcher.
func (s *memStore) Search(ctx context.Context, q *store.Query) (*store.Page, error) {
	return s.part(ctx).search(ctx, q)
}

// Fastpath implements fastpath.Provider: scimkit's handler reads
// resources through it as the JSON the store keeps, and hands it request
// bodies without a copy.
func (s *memStore) Fastpath() fastpath.Store { return (*fast)(s) }

// fast is the store's fast paths (fastpath.Store).
type fast memStore

// Holders answers from the index of the reference list attr.
func (f *fast) Holders(ctx context.Context, attr, value string) ([]fastpath.Holder, bool, error) {
	return (*memStore)(f).part(ctx).holders(ctx, attr, value)
}

// GetJSON declines (errors.ErrUnsupported) for resource types with
// reference lists, which the stored JSON leaves out.
func (f *fast) GetJSON(ctx context.Context, id string) (document.Encoded, error) {
	return (*memStore)(f).part(ctx).getJSON(ctx, id)
}

// SearchJSON declines as GetJSON does.
func (f *fast) SearchJSON(ctx context.Context, q *store.Query, dst []document.Encoded) ([]document.Encoded, int, error) {
	return (*memStore)(f).part(ctx).searchJSON(ctx, q, dst)
}

// PatchJSON is Patch answering the resource as its stored JSON; it
// declines as GetJSON does.
func (f *fast) PatchJSON(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts patch.Options) (document.Encoded, error) {
	return (*memStore)(f).part(ctx).patchJSON(ctx, id, ops, ifVersion, opts)
}

// CreateAdopted is Create without copying r.
func (f *fast) CreateAdopted(ctx context.Context, r *schema.Resource) (*schema.Resource, error) {
	return (*memStore)(f).part(ctx).create(ctx, adopt(r))
}

// ReplaceAdopted is Replace without copying r.
func (f *fast) ReplaceAdopted(ctx context.Context, r *schema.Resource, ifVersion string) (*schema.Resource, error) {
	return (*memStore)(f).part(ctx).replace(ctx, adopt(r), ifVersion)
}

// CreateJSON stores the resource c describes, answering it as GetJSON
// would; it declines for resource types with reference lists.
func (f *fast) CreateJSON(ctx context.Context, c *document.Creation) (document.Encoded, error) {
	return (*memStore)(f).part(ctx).createJSON(ctx, c)
}
