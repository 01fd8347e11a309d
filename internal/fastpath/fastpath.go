// Package fastpath holds the store capabilities that only scimkit's own
// stores implement and only its handler uses: reading resources as the JSON
// a store keeps, and handing over decoded request bodies without a copy.
// They are not part of the store contract a host implements (package
// store): they exist for the memory store's speed, and their types are the
// engine's (document.Encoded).
//
// Like store.Search, the read helpers look along a store's Unwrap chain, so
// a decorator keeps them; the write helpers use only the outer store, so a
// decorator sees every write.
package fastpath

import (
	"context"
	"errors"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// Provider is a store with fast paths: Fastpath returns them. The memory
// store is one; its Fastpath method is the only trace of this package in
// scimkit's exported API.
type Provider interface {
	Fastpath() Store
}

// Store is the fast paths of one store.
//
// GetJSON and SearchJSON read resources as the JSON the store keeps,
// neither decoding nor encoding them. The handler reads through them unless
// the request names attributes returned only on request
// (document.Projection.Requests), and answers a write that returns the
// resource from GetJSON when it holds the version written; so GetJSON
// should cost less than encoding a resource. GetJSON answers what Get
// answers, and SearchJSON what store.Search answers (the page's resources
// and the total), encoded; storetest checks it. Either may decline a call
// by returning an error wrapping errors.ErrUnsupported.
//
// CreateAdopted and ReplaceAdopted are Create and Replace for a resource
// that the caller hands over with every map and slice in it: no one else
// holds any of them (in particular, none is shared with a resource a store
// returned), and the caller never uses them again, whatever the outcome.
// The store may keep them and change them.
type Store interface {
	// Holders returns the resources whose reference list attr (of the
	// core schema) holds value, as `attr.value eq "value"` finds them,
	// each with its id and displayName only; it declines (ok false) when
	// the store keeps no index of attr.
	Holders(ctx context.Context, attr, value string) (holders []Holder, ok bool, err error)
	GetJSON(ctx context.Context, id string) (document.Encoded, error)
	// SearchJSON appends the page to dst (which it may reuse) and returns it.
	SearchJSON(ctx context.Context, q *store.Query, dst []document.Encoded) (page []document.Encoded, total int, err error)
	// PatchJSON is store.Patcher's Patch answering the resource written
	// (or, when nothing changed, read) as GetJSON would; it may decline
	// as GetJSON does, having done nothing.
	PatchJSON(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts patch.Options) (document.Encoded, error)
	// CreateJSON is Create for the resource c describes, answering it as
	// GetJSON would; it may decline as GetJSON does, having done nothing.
	CreateJSON(ctx context.Context, c *document.Creation) (document.Encoded, error)
	CreateAdopted(ctx context.Context, r *schema.Resource) (*schema.Resource, error)
	ReplaceAdopted(ctx context.Context, r *schema.Resource, ifVersion string) (*schema.Resource, error)
}

// Holder is a resource that holds a value in a reference list: a group
// of a member.
type Holder struct {
	ID, DisplayName string
}

// Holders is Store.Holders through the first Provider along s's Unwrap
// chain; ok is false when there is none or it declines.
func Holders(ctx context.Context, s store.Store, attr, value string) ([]Holder, bool, error) {
	fp, found := Reader(s)
	if !found {
		return nil, false, nil
	}
	return fp.Holders(ctx, attr, value)
}

// Reader returns the fast paths of the first Provider along s's Unwrap
// chain.
func Reader(s store.Store) (Store, bool) {
	for s != nil {
		if p, ok := s.(Provider); ok {
			return p.Fastpath(), true
		}
		u, ok := s.(interface{ Unwrap() store.Store })
		if !ok {
			return nil, false
		}
		s = u.Unwrap()
	}
	return nil, false
}

// GetJSON reads resource id as the JSON s keeps. ok is false when no store
// along s's Unwrap chain is a Provider or it declines, and then err is
// nil; otherwise err is the reader's.
func GetJSON(ctx context.Context, s store.Store, id string) (enc document.Encoded, ok bool, err error) {
	jr, found := Reader(s)
	if !found {
		return document.Encoded{}, false, nil
	}
	enc, err = jr.GetJSON(ctx, id)
	if errors.Is(err, errors.ErrUnsupported) {
		return document.Encoded{}, false, nil
	}
	return enc, true, err
}

// SearchJSON answers q as the JSON s keeps, appended to dst, with ok as in
// GetJSON.
func SearchJSON(ctx context.Context, s store.Store, q *store.Query, dst []document.Encoded) (page []document.Encoded, total int, ok bool, err error) {
	jr, found := Reader(s)
	if !found {
		return nil, 0, false, nil
	}
	page, total, err = jr.SearchJSON(ctx, q, dst)
	if errors.Is(err, errors.ErrUnsupported) {
		return nil, 0, false, nil
	}
	return page, total, true, err
}

// Create is s.Create for a resource the caller hands over (see Store):
// through CreateAdopted when s itself is a Provider. A decorator's writes
// are its own, so this does not look along the Unwrap chain.
func Create(ctx context.Context, s store.Store, r *schema.Resource) (*schema.Resource, error) {
	if p, ok := s.(Provider); ok {
		return p.Fastpath().CreateAdopted(ctx, r)
	}
	return s.Create(ctx, r)
}

// Replace is s.Replace for a resource the caller hands over (see Store):
// through ReplaceAdopted when s itself is a Provider.
func Replace(ctx context.Context, s store.Store, r *schema.Resource, ifVersion string) (*schema.Resource, error) {
	if p, ok := s.(Provider); ok {
		return p.Fastpath().ReplaceAdopted(ctx, r, ifVersion)
	}
	return s.Replace(ctx, r, ifVersion)
}

// Patch is store.Patch answering the resource as the JSON s keeps (see
// Store.PatchJSON), when s itself is a Provider that does not decline;
// otherwise ok is false and nothing was done.
func Patch(ctx context.Context, s store.Store, id string, ops []patch.Operation, ifVersion string, opts patch.Options) (enc document.Encoded, ok bool, err error) {
	p, isProvider := s.(Provider)
	if !isProvider {
		return document.Encoded{}, false, nil
	}
	enc, err = p.Fastpath().PatchJSON(ctx, id, ops, ifVersion, opts)
	if errors.Is(err, errors.ErrUnsupported) {
		return document.Encoded{}, false, nil
	}
	return enc, true, err
}

// CreateJSON is s.Create for the resource c describes, answering it as
// the JSON s keeps (see Store.CreateJSON), when s itself is a Provider
// that does not decline; otherwise ok is false and nothing was done.
func CreateJSON(ctx context.Context, s store.Store, c *document.Creation) (enc document.Encoded, ok bool, err error) {
	p, isProvider := s.(Provider)
	if !isProvider {
		return document.Encoded{}, false, nil
	}
	enc, err = p.Fastpath().CreateJSON(ctx, c)
	if errors.Is(err, errors.ErrUnsupported) {
		return document.Encoded{}, false, nil
	}
	return enc, true, err
}
