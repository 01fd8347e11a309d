package sqltable

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// Get reads row id.
func (s *Store) Get(ctx context.Context, id string) (*schema.Resource, error) {
	if err := s.tenantless(ctx); err != nil {
		return nil, err
	}
	return s.get(ctx, s.db.db, id, "", nil)
}

// get reads row id, with suffix (" FOR UPDATE") after the statement,
// and its members: all of them, or those among only when not nil.
func (s *Store) get(ctx context.Context, db querier, id, suffix string, only []string) (*schema.Resource, error) {
	arg, ok := s.idArg(id)
	if !ok {
		return nil, store.ErrNotFound
	}
	q := &sqlBuilder{d: s.d}
	q.str("SELECT ", s.selects, " FROM ", s.t.Name, " r WHERE ")
	s.key(ctx, q, arg)
	q.str(suffix)
	rw := s.newRow()
	err := db.QueryRowContext(ctx, q.String(), q.args...).Scan(rw.dests...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	r, err := s.resource(rw)
	if err != nil || s.members == nil {
		return r, err
	}
	members, err := s.loadMembers(ctx, db, []string{r.ID}, only)
	if err != nil {
		return nil, err
	}
	s.setMembers(r, members[r.ID])
	return r, nil
}

// loadMembers reads the members of the groups ids, all of them or, when
// only is not nil, those among only; each group's in id order.
func (s *Store) loadMembers(ctx context.Context, db querier, ids []string, only []string) (map[string][]string, error) {
	out := make(map[string][]string, len(ids))
	if s.members == nil || len(ids) == 0 {
		return out, nil
	}
	m := s.t.Members
	q := &sqlBuilder{d: s.d}
	q.str("SELECT ", s.d.text("m."+m.Group), ", ", s.d.text("m."+m.Member), " FROM ", m.Table, " m WHERE m.", m.Group, " IN (")
	for i, id := range ids {
		if i > 0 {
			q.str(", ")
		}
		a, _ := s.idArg(id)
		q.arg(a)
	}
	q.str(")")
	if only != nil {
		if len(only) == 0 {
			return out, nil
		}
		q.str(" AND m.", m.Member, " IN (")
		args, err := s.memberArgs(only)
		if err != nil {
			return nil, err
		}
		for i, a := range args {
			if i > 0 {
				q.str(", ")
			}
			q.arg(a)
		}
		q.str(")")
	}
	q.str(" ORDER BY 1, ", s.d.bytewise(s.d.text("m."+m.Member)))
	rows, err := db.QueryContext(ctx, q.String(), q.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var g, v string
		if err := rows.Scan(&g, &v); err != nil {
			return nil, err
		}
		out[g] = append(out[g], v)
	}
	return out, rows.Err()
}

// scanBatch is how many rows Scan reads at a time.
const scanBatch = 500

// Scan yields every row of the request's tenant, in the order of the id
// column (store.Scan's order is free). It reads them scanBatch at a time,
// each batch past the last id of the one before on the primary key, so
// that it holds one batch however large the table, and no connection
// while the caller works.
func (s *Store) Scan(ctx context.Context) iter.Seq2[*schema.Resource, error] {
	return func(yield func(*schema.Resource, error) bool) {
		var last any
		if err := s.tenantless(ctx); err != nil {
			yield(nil, err)
			return
		}
		for {
			q := &sqlBuilder{d: s.d}
			where, args := "", []any(nil)
			if last != nil {
				where, args = "r."+s.t.ID+" > "+s.d.arg(1), []any{last}
			}
			s.list(ctx, q, where, args, "r."+s.t.ID, scanBatch, 0)
			list, err := s.query(ctx, q)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, r := range list {
				if !yield(r, nil) {
					return
				}
			}
			if len(list) < scanBatch {
				return
			}
			last, _ = s.idArg(list[len(list)-1].ID)
		}
	}
}

// idOrder orders rows as scimkit orders resources without a sortBy: by id
// as a string, bytewise.
func (s *Store) idOrder() string {
	if s.t.IDs == UUID && s.d == PostgreSQL {
		return "r." + s.t.ID // a uuid orders as its text does
	}
	return s.d.bytewise(s.idText())
}

// idText is the row's id as text.
func (s *Store) idText() string {
	if s.t.IDs == Serial || s.t.IDs == UUID && s.d == PostgreSQL {
		return s.d.text("r." + s.t.ID)
	}
	return "r." + s.t.ID
}

// list writes a SELECT of the rows passing where (the tenant's rows when
// "") in order, limit of them past offset.
func (s *Store) list(ctx context.Context, q *sqlBuilder, where string, args []any, order string, limit, offset int) {
	q.str("SELECT ", s.selects, " FROM ", s.t.Name, " r WHERE ")
	s.where(ctx, q, where, args)
	q.str(" ORDER BY ", order, " LIMIT ").arg(limit)
	if offset > 0 {
		q.str(" OFFSET ").arg(offset)
	}
}

// where writes the tenant's condition and where.
func (s *Store) where(ctx context.Context, q *sqlBuilder, where string, args []any) {
	if s.t.Tenant != "" {
		q.str("r.", s.t.Tenant, " = ").arg(store.Tenant(ctx))
	} else {
		q.str("1 = 1")
	}
	if where != "" {
		// where's placeholders, numbered from 1, follow q's.
		q.str(" AND (", s.renumber(where, len(q.args)+1), ")")
		q.args = append(q.args, args...)
	}
}

// query runs a SELECT of s.selects and reads the resources, with their
// members.
func (s *Store) query(ctx context.Context, q *sqlBuilder) ([]*schema.Resource, error) {
	rows, err := s.db.db.QueryContext(ctx, q.String(), q.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*schema.Resource
	for rows.Next() {
		rw := s.newRow()
		if err := rows.Scan(rw.dests...); err != nil {
			return nil, err
		}
		r, err := s.resource(rw)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if s.members != nil && len(out) > 0 {
		for chunk := range slices.Chunk(out, 500) {
			ids := make([]string, len(chunk))
			for i, r := range chunk {
				ids[i] = r.ID
			}
			members, err := s.loadMembers(ctx, s.db.db, ids, nil)
			if err != nil {
				return nil, err
			}
			for _, r := range chunk {
				s.setMembers(r, members[r.ID])
			}
		}
	}
	return out, nil
}

// mapper tells filter.ToSQL where each attribute is.
func (s *Store) mapper(a filter.Attr) (filter.Column, bool) {
	switch {
	case a.Common && a.Attr.Name == "id":
		return s.textColumn(s.idText()), true
	case a.Common && a.Attr.Name == "meta" && a.Sub != nil:
		switch a.Sub.Name {
		case "created":
			return filter.Column{Expr: "r." + s.t.CreatedAt}, s.t.CreatedAt != ""
		case "lastModified":
			return filter.Column{Expr: "r." + s.t.UpdatedAt}, s.t.UpdatedAt != ""
		case "resourceType":
			return filter.Column{Expr: s.d.literal(s.rt.Name)}, true
		case "version":
			return s.textColumn(s.versionExpr()), true
		}
		return filter.Column{}, false
	case s.members != nil && a.Ext == nil && a.Attr.Name == s.members.Name && (a.Sub == nil || a.Sub.Name == "value" || a.Sub.Name == "type"):
		m := s.t.Members
		col := filter.Column{Elements: m.Table + " e", Join: "e." + m.Group + " = r." + s.t.ID}
		if a.Sub != nil && a.Sub.Name == "type" {
			col.Expr = s.d.literal(m.Type)
			if m.Type == "" {
				col.Expr = "NULL"
			}
		} else {
			col.Expr = s.d.text("e." + m.Member)
		}
		return col, true
	}
	c := s.byAttr[a.String()]
	if c == nil {
		// The other sub-attributes of a value held in a column are the
		// column's constants.
		mc := s.multi[a.Attr.Name]
		if mc != nil && a.Sub == nil && sameExt(a, mc.attr) {
			return filter.Column{Expr: "NULLIF(" + mc.expr + ", '')"}, true // the one value, for pr
		}
		if mc != nil && a.Sub != nil && sameExt(a, mc.attr) {
			// Only where the column holds a value is there one.
			v, ok := mc.Value[a.Sub.Name]
			lit := "NULL"
			switch v := v.(type) {
			case string:
				lit = s.d.literal(v)
			case bool:
				lit = map[bool]string{true: "(1 = 1)", false: "(1 = 0)"}[v]
			}
			return filter.Column{Expr: "(CASE WHEN " + mc.expr + " IS NULL OR " + mc.expr + " = '' THEN NULL ELSE " + lit + " END)"}, ok || lit == "NULL"
		}
		return s.jsonColumn(a)
	}
	t := c.attr.Target()
	if c.Read == nil && (t.Type == schema.String || t.Type == schema.Reference || t.Type == schema.Binary) {
		return s.textColumn(c.expr), true
	}
	return filter.Column{Expr: c.expr}, true
}

// versionExpr is the row's meta.version in SQL, as text.
func (s *Store) versionExpr() string {
	if s.t.Version != "" {
		return s.d.text("r." + s.t.Version)
	}
	if s.d == MySQL {
		return s.d.text("TIMESTAMPDIFF(MICROSECOND, '1970-01-01', r." + s.t.UpdatedAt + ")")
	}
	return "(extract(epoch FROM r." + s.t.UpdatedAt + ") * 1000000)::bigint::text"
}

// textColumn is a text expression compared as scimkit compares strings.
func (s *Store) textColumn(expr string) filter.Column {
	if s.d == MySQL {
		// lower() of the bytewise collation, compared bytewise.
		return filter.Column{Expr: s.d.bytewise(expr)}
	}
	// With a Fold, ToSQL compares case-insensitive strings folded as
	// scimkit folds them, and orders every string bytewise (COLLATE "C").
	return filter.Column{Expr: expr, Fold: foldFunction}
}

// Search answers q in SQL.
func (s *Store) Search(ctx context.Context, q *store.Query) (*store.Page, error) {
	if err := s.tenantless(ctx); err != nil {
		return nil, err
	}
	where, args, err := s.filter(q.Filter)
	if err != nil {
		return nil, err
	}
	if q.Filter != nil {
		nb := &sqlBuilder{d: s.d}
		if n := s.narrow(nb, q.Filter.Expr()); n != "" {
			where = n + " AND (" + s.renumber(where, len(nb.args)+1) + ")"
			args = append(nb.args, args...)
		}
	}
	order := s.idOrder()
	if q.Sort != nil {
		if order, err = s.order(q.Sort); err != nil {
			return nil, err
		}
	}
	page := &store.Page{}
	start := max(q.StartIndex, 1)
	if !q.NoTotal {
		c := &sqlBuilder{d: s.d}
		if where != "" || !s.countAll(ctx, c) {
			c.str("SELECT count(*) FROM ", s.t.Name, " r WHERE ")
			s.where(ctx, c, where, args)
		}
		if err := s.db.db.QueryRowContext(ctx, c.String(), c.args...).Scan(&page.Total); err != nil {
			return nil, err
		}
		if start > page.Total {
			return page, nil
		}
	}
	if q.Count <= 0 {
		return page, nil
	}
	l := &sqlBuilder{d: s.d}
	s.list(ctx, l, where, args, order, q.Count, start-1)
	page.Resources, err = s.query(ctx, l)
	return page, err
}

// filter translates m into a WHERE fragment with $1-numbered arguments
// (PostgreSQL) or ? (MySQL).
func (s *Store) filter(m *filter.Matcher) (string, []any, error) {
	if m == nil {
		return "", nil, nil
	}
	where, args, err := filter.ToSQL(m, s.mapper, 1)
	var unmapped *filter.UnmappedError
	if errors.As(err, &unmapped) {
		if s.t.JSON != "" {
			return "", nil, err // the attribute may be in the JSON column: the generic path answers
		}
		return "", nil, schema.NewError(http.StatusBadRequest, schema.ScimInvalidFilter, "this service cannot filter on %q", unmapped.Attr.String())
	}
	if err != nil {
		return "", nil, err
	}
	where, args = s.d.rewrite(where, args, 1)
	return where, args, nil
}

// renumber moves the $n placeholders of a fragment numbered from 1 to
// start from first (PostgreSQL); MySQL's ? need nothing.
func (s *Store) renumber(where string, first int) string {
	if s.d == MySQL || first == 1 || where == "" {
		return where
	}
	var b strings.Builder
	for i := 0; i < len(where); i++ {
		if where[i] == '$' {
			j := i + 1
			n := 0
			for j < len(where) && where[j] >= '0' && where[j] <= '9' {
				n = n*10 + int(where[j]-'0')
				j++
			}
			if j > i+1 {
				b.WriteString(s.d.arg(n + first - 1))
				i = j - 1
				continue
			}
		}
		b.WriteByte(where[i])
	}
	return b.String()
}

// order is the ORDER BY of a sortBy: absent values last in either order,
// strings as scimkit compares them, ties by id.
func (s *Store) order(so *filter.Sorter) (string, error) {
	a := so.Attr()
	col, ok := s.mapper(a)
	if a.Attr.MultiValued && a.Sub == nil && a.Attr.Type == schema.Complex {
		col, ok = s.mapper(filter.Attr{Ext: a.Ext, Attr: a.Attr, Sub: a.Attr.SubAttribute("value")})
	}
	if !ok || col.Elements != "" {
		if s.t.JSON != "" {
			return "", fmt.Errorf("sqltable: sorting by %s: %w", a, errors.ErrUnsupported)
		}
		return "", schema.NewError(http.StatusBadRequest, schema.ScimInvalidFilter, "this service cannot sort by %q", a.String())
	}
	key := col.Expr
	absent := key + " IS NULL"
	if t := a.Target(); t.Type == schema.String || t.Type == schema.Reference || t.Type == schema.Binary {
		absent = "(" + key + " IS NULL OR " + key + " = '')"
		if !t.CaseExact {
			if s.d == MySQL {
				key = "lower(" + key + ")" // of a bytewise collation
			} else {
				key = s.d.bytewise(foldFunction + "(" + key + ")")
			}
		} else if s.d == PostgreSQL {
			key = s.d.bytewise(key)
		}
	}
	dir := " ASC"
	if so.Descending() {
		dir = " DESC"
	}
	return absent + ", " + key + dir + ", " + s.idOrder(), nil
}

// sameExt reports whether a and b are attributes of the same schema, of
// whichever resource type they were resolved against.
func sameExt(a, b filter.Attr) bool {
	if a.Ext == nil || b.Ext == nil {
		return a.Ext == b.Ext
	}
	return strings.EqualFold(a.Ext.Schema.ID, b.Ext.Schema.ID)
}

// jsonColumn tells where an attribute kept in the JSON column is, on
// PostgreSQL (a jsonb column): filters on it then run in SQL too. On
// MySQL, and for an attribute part of which has a column, it reports
// false, and the generic path answers.
func (s *Store) jsonColumn(a filter.Attr) (filter.Column, bool) {
	if s.t.JSON == "" || s.d != PostgreSQL || s.members != nil && a.Ext == nil && strings.EqualFold(a.Attr.Name, s.members.Name) {
		return filter.Column{}, false
	}
	if s.multi[a.Attr.Name] != nil && a.Ext == nil {
		return filter.Column{}, false
	}
	for _, c := range s.cols {
		if sameExt(a, c.attr) && c.attr.Attr.Name == a.Attr.Name && (a.Sub == nil || c.attr.Sub == nil) {
			return filter.Column{}, false // a part of it has a column
		}
	}
	doc := "r." + s.t.JSON
	if a.Ext != nil {
		doc += "->" + s.d.literal(a.Ext.Schema.ID)
	}
	key := a.Attr.Name
	if a.Common {
		key = "externalId" // id and meta have columns of their own
		if a.Attr.Name != "externalId" {
			return filter.Column{}, false
		}
	}
	node := doc + "->" + s.d.literal(key)
	col := filter.Column{}
	if a.Attr.MultiValued {
		// One row per value; each value's sub-attributes are its members.
		col.Elements = "jsonb_array_elements(CASE WHEN jsonb_typeof(" + node + ") = 'array' THEN " + node + " END) AS e"
		node = "e"
	}
	if a.Sub != nil {
		node += "->" + s.d.literal(a.Sub.Name)
	}
	t := a.Target()
	text := "(" + node + " #>> '{}')"
	switch t.Type {
	case schema.String, schema.Reference, schema.Binary:
		c := s.textColumn(text)
		c.Elements = col.Elements
		return c, true
	case schema.Boolean:
		col.Expr = "(CASE WHEN jsonb_typeof(" + node + ") = 'boolean' THEN " + text + "::boolean END)"
	case schema.Integer, schema.Decimal:
		col.Expr = "(CASE WHEN jsonb_typeof(" + node + ") = 'number' THEN " + text + "::numeric END)"
	case schema.DateTime:
		col.Expr = "(CASE WHEN jsonb_typeof(" + node + ") = 'string' THEN " + text + "::timestamptz END)"
	case schema.Complex:
		col.Expr = "NULLIF(" + node + ", 'null'::jsonb)"
	default:
		return filter.Column{}, false
	}
	return col, true
}
