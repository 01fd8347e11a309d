package sqltable

import (
	"context"
	"database/sql"

	"github.com/scimkit/scimkit/internal/elements"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// Patch applies ops to row id in one transaction that locks the row, so
// concurrent PATCHes apply one after the other and none is lost. When
// every operation on the members names the members it touches (add of a
// value array, remove of members[value eq "x"] or of a value array), only
// those member rows are read and written, however large the group; with
// opts.MetaOnly the group is then not read back, and the result holds its
// ID and Meta.
func (s *Store) Patch(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts store.PatchOptions) (*schema.Resource, error) {
	if err := s.tenantless(ctx); err != nil {
		return nil, err
	}
	var touched []string
	partial := false
	if s.members != nil {
		touched, partial = elements.ValuesTouched(s.rt, s.members, ops)
	}
	if _, ok := s.idArg(id); !ok {
		return nil, store.ErrNotFound
	}
	var out *schema.Resource
	err := s.transact(ctx, func(tx *sql.Tx) error {
		cur, err := s.lock(ctx, tx, id, touched, partial)
		if err != nil {
			return err
		}
		if ifVersion != "" && cur.Meta.Version != ifVersion {
			return store.ErrVersionMismatch
		}
		next, changed, err := patch.Apply(ctx, s.kept, cur, ops, opts.Options)
		if err != nil {
			return err
		}
		if !changed {
			out = cur
		} else {
			vals, err := s.values(next)
			if err != nil {
				return err
			}
			m, err := s.update(ctx, tx, id, vals, "", &cur.Meta) // locked by s.lock
			if err != nil {
				return err
			}
			after, err := s.memberValues(next)
			if err != nil {
				return err
			}
			if err := s.applyMembers(ctx, tx, id, cur, after); err != nil {
				return err
			}
			out = s.written(next, vals, after)
			out.ID, out.Meta = id, m
		}
		if partial && !opts.MetaOnly {
			m := out.Meta
			if out, err = s.get(ctx, tx, id, "", nil); err != nil {
				return err
			}
			out.Meta = m
		}
		return nil
	})
	if err != nil {
		return nil, s.mapError(err)
	}
	if partial && opts.MetaOnly {
		out = &schema.Resource{ID: id, Meta: out.Meta} // it holds only the members touched
	}
	return out, nil
}

// lock reads row id under a row lock: with every member, or only with
// those among touched when partial.
func (s *Store) lock(ctx context.Context, tx *sql.Tx, id string, touched []string, partial bool) (*schema.Resource, error) {
	if !partial {
		touched = nil
	} else if touched == nil {
		touched = []string{}
	}
	return s.get(ctx, tx, id, " FOR UPDATE", touched)
}

// applyMembers writes the difference between cur's members and after.
func (s *Store) applyMembers(ctx context.Context, tx *sql.Tx, id string, cur *schema.Resource, after []string) error {
	if s.members == nil {
		return nil
	}
	before, err := s.memberValues(cur)
	if err != nil {
		return err
	}
	had := make(map[string]bool, len(before))
	for _, v := range before {
		had[v] = true
	}
	var add []string
	for _, v := range after {
		if !had[v] {
			add = append(add, v)
		}
		delete(had, v)
	}
	if len(had) > 0 {
		gone := make([]string, 0, len(had))
		for _, v := range before {
			if had[v] {
				gone = append(gone, v)
			}
		}
		if err := s.removeMembers(ctx, tx, id, gone); err != nil {
			return err
		}
	}
	return s.addMembers(ctx, tx, id, add)
}
