package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// Patch applies ops to resource id in one transaction that locks its row,
// so concurrent PATCHes, from any number of replicas, apply one after the
// other and none is lost. When every operation on the members names the
// members it touches (add of a value array, remove of members[value eq
// "x"] or of a value array), only those members are read and written: one
// row per member, however large the group.
func (s *Store) Patch(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts patch.Options) (*schema.Resource, error) {
	r, _, err := s.patch(ctx, id, ops, ifVersion, opts, true)
	return r, err
}

// PatchMeta is Patch without reading the resource back: it returns only
// the new meta, so adding one member to a huge group reads and writes one
// member row.
func (s *Store) PatchMeta(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts patch.Options) (schema.Meta, error) {
	_, m, err := s.patch(ctx, id, ops, ifVersion, opts, false)
	return m, err
}

// patch applies ops; it reads the whole resource back only when want.
func (s *Store) patch(ctx context.Context, id string, ops []patch.Operation, ifVersion string, opts patch.Options, want bool) (*schema.Resource, schema.Meta, error) {
	values, partial := s.touchedMembers(ops)
	var out *schema.Resource
	var meta schema.Meta
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := s.lockForPatch(ctx, tx, id, values, partial)
		if err != nil {
			return err
		}
		if ifVersion != "" && cur.Meta.Version != ifVersion {
			return store.ErrVersionMismatch
		}
		next, changed, err := patch.Apply(s.rt, cur, ops, opts)
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
		data, after, err := s.split(next)
		if err != nil {
			return err
		}
		if meta, err = s.bump(ctx, tx, id, "", `, external_id = $4, data = $5`, nullable(next.ExternalID), data); err != nil {
			return err
		}
		_, before, err := s.split(cur)
		if err != nil {
			return err
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
	return out, meta, nil
}

// lockForPatch reads resource id under a row lock: with every member, or
// with only the members whose values are listed when partial.
func (s *Store) lockForPatch(ctx context.Context, tx pgx.Tx, id string, values []string, partial bool) (*schema.Resource, error) {
	if !partial || s.mtable == "" {
		return s.get(ctx, tx, id, " FOR UPDATE")
	}
	cols := strings.Replace(s.cols, "WHERE m.resource_id = r.id)", "WHERE m.resource_id = r.id AND m.value = ANY($2))", 1)
	var rw row
	err := tx.QueryRow(ctx, `SELECT `+cols+` FROM `+s.table+` r WHERE r.id = $1 FOR UPDATE`, id, values).Scan(rw.targets()...)
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
func (s *Store) touchedMembers(ops []patch.Operation) (values []string, partial bool) {
	if s.members == nil {
		return nil, false
	}
	values = []string{}
	for _, op := range ops {
		p := op.Path
		if p == nil {
			if op.Op != patch.Remove && mentionsMembers(op.Value, s.members.Name) {
				return nil, false
			}
			continue
		}
		if !strings.EqualFold(p.Name, s.members.Name) || (p.URN != "" && !strings.EqualFold(p.URN, s.rt.Schema.ID)) {
			continue
		}
		switch {
		case p.Sub != "":
			return nil, false
		case op.Op == patch.Add && p.Filter == nil:
			vs, ok := valueList(op.Value)
			if !ok {
				return nil, false
			}
			values = append(values, vs...)
		case op.Op == patch.Remove && p.Filter != nil:
			c, ok := p.Filter.(*filter.Compare)
			if !ok {
				return nil, false
			}
			v, isString := c.Value.(string)
			if c.Op != filter.Eq || !strings.EqualFold(c.Path.Name, "value") || c.Path.Sub != "" || c.Path.Filter != nil || !isString {
				return nil, false
			}
			values = append(values, v)
		case op.Op == patch.Remove && len(op.Value) > 0:
			vs, ok := valueList(op.Value)
			if !ok {
				return nil, false
			}
			values = append(values, vs...)
		default:
			return nil, false
		}
	}
	return values, true
}

// valueList reads the values of a JSON array of members.
func valueList(raw json.RawMessage) ([]string, bool) {
	var elems []map[string]any
	if json.Unmarshal(raw, &elems) != nil || len(elems) == 0 {
		return nil, false
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		v, ok := e["value"].(string)
		if !ok {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

// mentionsMembers reports whether a path-less value may write the member
// attribute.
func mentionsMembers(raw json.RawMessage, name string) bool {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return true // let the full path decide, and fail
	}
	for k := range obj {
		if strings.EqualFold(k, name) || strings.Contains(strings.ToLower(k), strings.ToLower(name)) {
			return true
		}
	}
	return false
}

// syncMembers writes the difference between two lists of members.
func (s *Store) syncMembers(ctx context.Context, tx pgx.Tx, id string, before, after []member) error {
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
