package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/scimkit/scimkit/internal/elements"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// Patch applies ops to resource id in one transaction that locks its row,
// so concurrent PATCHes, from any number of replicas, apply one after the
// other and none is lost. When every operation on the members names the
// members it touches (add of a value array, remove of members[value eq
// "x"] or of a value array), only those members are read and written: one
// row per member, however large the group; with opts.MetaOnly, the
// resource is then not read back, and the result holds its ID and Meta.
func (s *pgStore) Patch(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts store.PatchOptions) (*schema.Resource, error) {
	r, m, err := s.patch(ctx, id, ops, ifVersion, opts.Options, !opts.MetaOnly)
	if err != nil {
		return nil, err
	}
	if r == nil {
		r = &schema.Resource{ID: id, Meta: m}
	}
	return r, nil
}

// patch applies ops; it reads the whole resource back only when want, and
// returns a nil resource when it has only part of it.
func (s *pgStore) patch(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts patch.Options, want bool) (*schema.Resource, schema.Meta, error) {
	values, partial := s.touchedMembers(ops)
	var out *schema.Resource
	var meta schema.Meta
	if !validID(id) {
		return nil, schema.Meta{}, store.ErrNotFound
	}
	err := s.transact(ctx, func(tx pgx.Tx) error {
		cur, err := s.lockForPatch(ctx, tx, id, values, partial)
		if err != nil {
			return err
		}
		if ifVersion != "" && cur.Meta.Version != ifVersion {
			return store.ErrVersionMismatch
		}
		next, changed, err := patch.Apply(ctx, s.rt, cur, ops, opts)
		if err != nil {
			return err
		}
		if !changed {
			meta = cur.Meta
			if partial && want {
				out, err = s.get(ctx, tx, id, "")
				return err
			}
			out = cur
			return nil
		}
		if err := s.checkIndexed(next); err != nil {
			return err
		}
		data, after, err := s.split(next)
		if err != nil {
			return err
		}
		if meta, err = s.bump(ctx, tx, id, "", `, external_id = $4, data = $5`, nullable(next.ExternalID), data); err != nil {
			return err
		}
		var before []member
		if s.members != nil {
			if before, err = members(cur.Attributes[s.members.Name]); err != nil {
				return err
			}
		}
		if err := s.syncMembers(ctx, tx, id, before, after); err != nil {
			return err
		}
		if partial && want {
			out, err = s.get(ctx, tx, id, "")
			return err
		}
		out = next
		out.Meta = meta
		return nil
	})
	if err != nil {
		return nil, schema.Meta{}, s.mapError(err)
	}
	if partial && !want {
		out = nil // it holds only the members touched
	}
	return out, meta, nil
}

// lockForPatch reads resource id under a row lock: with every member, or
// with only the members whose values are listed when partial.
func (s *pgStore) lockForPatch(ctx context.Context, tx pgx.Tx, id string, values []string, partial bool) (*schema.Resource, error) {
	if !partial || s.mtable == "" {
		return s.get(ctx, tx, id, " FOR UPDATE")
	}
	cols := strings.Replace(s.cols, "WHERE m.resource_id = r.id)", "WHERE m.resource_id = r.id AND m.value = ANY($2))", 1)
	var rw row
	err := tx.QueryRow(ctx, `SELECT `+cols+` FROM `+s.table+` r WHERE r.id = $1 AND r.tenant = $3 FOR UPDATE`, id, values, store.Tenant(ctx)).Scan(rw.targets()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, s.missing(ctx, tx, id)
	}
	if err != nil {
		return nil, err
	}
	return s.resource(&rw)
}

// touchedMembers returns the member values ops name, and whether the ops
// can be applied to the resource with only those members (partial).
func (s *pgStore) touchedMembers(ops []patch.Operation) (values []string, partial bool) {
	if s.members == nil {
		return nil, false
	}
	return elements.ValuesTouched(s.rt, s.members, ops)
}

// syncMembers writes the difference between two lists of members.
func (s *pgStore) syncMembers(ctx context.Context, tx pgx.Tx, id string, before, after []member) error {
	if s.mtable == "" {
		return nil
	}
	old := make(map[string][]byte, len(before))
	for _, m := range before {
		old[m.value] = m.elem
	}
	var upsert []member
	for _, m := range after {
		if e, ok := old[m.value]; !ok || !sameJSON(e, m.elem) {
			upsert = append(upsert, m)
		}
		delete(old, m.value)
	}
	if len(old) > 0 {
		gone := make([]string, 0, len(old))
		for v := range old {
			gone = append(gone, v)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM `+s.mtable+` WHERE resource_id = $1 AND value = ANY($2)`, id, gone); err != nil {
			return err
		}
	}
	return s.insertMembers(ctx, tx, id, upsert)
}

func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}
