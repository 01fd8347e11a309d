package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// column maps attributes to SQL over the store's table aliased r, as
// Search uses it with filter.ToSQL.
func (s *pgStore) column(a filter.Attr) (filter.Column, bool) {
	c, ok := s.columnOf(a)
	c.Fold = s.fold
	return c, ok
}

// columnOf is column without the fold function.
func (s *pgStore) columnOf(a filter.Attr) (filter.Column, bool) {
	if a.Common {
		switch a.String() {
		case "id":
			return filter.Column{Expr: "r.id"}, true
		case "externalId":
			return filter.Column{Expr: "r.external_id"}, true
		case "meta.created":
			return filter.Column{Expr: "r.created"}, true
		case "meta.lastModified":
			return filter.Column{Expr: "r.last_modified"}, true
		case "meta.version":
			return filter.Column{Expr: "r.version::text"}, true
		}
		return filter.Column{}, false
	}
	doc := "r.data"
	if a.Ext != nil {
		doc += "->" + quote(a.Ext.Schema.ID)
	}
	name := quote(a.Attr.Name)
	switch {
	// By name: the filter may have been compiled for an equal resource
	// type built separately.
	case s.members != nil && a.Ext == nil && !a.Common && strings.EqualFold(a.Attr.Name, s.members.Name):
		// The member rows are found from their value's index, then the
		// groups that hold them, not the other way round.
		elems, join := s.mtable+" AS e", "e.resource_id = r.id"
		if a.Sub == nil || a.Sub.Name == "value" {
			return filter.Column{Elements: elems, Join: join, Expr: "e.value"}, true
		}
		return filter.Column{Elements: elems, Join: join, Expr: cast("e.elem->>"+quote(a.Sub.Name), a.Sub.Type)}, true
	case a.Attr.MultiValued && a.Sub != nil:
		if a.Sub.MultiValued {
			return filter.Column{}, false
		}
		return filter.Column{Elements: "jsonb_array_elements(CASE jsonb_typeof(" + doc + "->" + name + ") WHEN 'array' THEN " + doc + "->" + name + " END) AS e",
			Expr: cast("e->>"+quote(a.Sub.Name), a.Sub.Type)}, true
	case a.Attr.MultiValued:
		return filter.Column{Elements: "jsonb_array_elements_text(CASE jsonb_typeof(" + doc + "->" + name + ") WHEN 'array' THEN " + doc + "->" + name + " END) AS e(v)",
			Expr: cast("e.v", a.Attr.Type)}, true
	case a.Sub != nil:
		return filter.Column{Expr: cast(doc+"->"+name+"->>"+quote(a.Sub.Name), a.Sub.Type)}, true
	}
	return filter.Column{Expr: cast(doc+"->>"+name, a.Attr.Type)}, true
}

// cast gives a text expression the SQL type filter.ToSQL expects.
func cast(expr string, t schema.Type) string {
	switch t {
	case schema.Boolean:
		return "(" + expr + ")::boolean"
	case schema.Integer, schema.Decimal:
		return "(" + expr + ")::numeric"
	case schema.DateTime:
		return "(" + expr + ")::timestamptz"
	}
	return expr
}

// Search runs q in the database: filter, order (with the id as the last
// key, as store.Evaluate orders), count and page. It declines with
// errors.ErrUnsupported, for store.Search to evaluate in memory, when the
// filter or the sort names something it cannot express in SQL, such as
// meta.location or a sort on a multi-valued attribute.
func (s *pgStore) Search(ctx context.Context, q *store.Query) (*store.Page, error) {
	total, list, args, err := s.searchSQL(ctx, q)
	if err != nil {
		return nil, err
	}
	page := &store.Page{}
	start, count := max(q.StartIndex, 1), max(q.Count, 0)
	if total != "" {
		if err := s.pool.QueryRow(ctx, total, args...).Scan(&page.Total); err != nil {
			return nil, s.mapError(err)
		}
		if start > page.Total {
			return page, nil
		}
	}
	if count == 0 {
		return page, nil
	}
	rows, err := s.pool.Query(ctx, list, append(args, count, start-1)...)
	if err != nil {
		return nil, s.mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var rw row
		if err := rows.Scan(rw.targets()...); err != nil {
			return nil, err
		}
		r, err := s.resource(&rw)
		if err != nil {
			return nil, err
		}
		page.Resources = append(page.Resources, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.mapError(err)
	}
	return page, nil
}

// searchSQL writes the statements that answer q: the count ("" when q
// needs none) and the page, whose last two parameters, after args, are
// the LIMIT and the OFFSET.
func (s *pgStore) searchSQL(ctx context.Context, q *store.Query) (total, list string, args []any, err error) {
	where := "r.tenant = $1"
	args = []any{store.Tenant(ctx)}
	if q.Filter != nil {
		w, a, err := filter.ToSQL(q.Filter, s.column, 2)
		if err != nil {
			return "", "", nil, err
		}
		where, args = where+" AND "+w, append(args, a...)
	}
	order, err := s.orderBy(q.Sort)
	if err != nil {
		return "", "", nil, err
	}
	if q.After != "" && q.Sort == nil {
		// A keyset page: a range scan of the (tenant, id) index from
		// After (the filter also holds id > After, as the fallback).
		args = append(args, q.After)
		where += ` AND r.id COLLATE "C" > $` + strconv.Itoa(len(args))
	}
	switch {
	case q.NoTotal:
	case q.Filter == nil && q.After == "":
		// The tenant's count, kept by a trigger: no count of its rows.
		total = `SELECT coalesce(sum(n), 0)::bigint FROM ` + s.counts + ` WHERE tenant = $1`
	default:
		total = `SELECT count(*) FROM ` + s.table + ` r WHERE ` + where
	}
	n := len(args)
	list = `SELECT ` + s.cols + ` FROM ` + s.table + ` r WHERE ` + where + ` ORDER BY ` + order +
		` LIMIT $` + strconv.Itoa(n+1) + ` OFFSET $` + strconv.Itoa(n+2)
	return total, list, args, nil
}

// orderBy writes the ORDER BY of a sort: values missing last in both
// directions, strings compared as filter.Sorter compares them (bytewise,
// folded unless caseExact), then the id.
func (s *pgStore) orderBy(srt *filter.Sorter) (string, error) {
	const byID = `r.id COLLATE "C"`
	if srt == nil {
		return byID, nil
	}
	a := srt.Attr()
	col, ok := s.column(a)
	if !ok || col.Elements != "" {
		return "", errors.ErrUnsupported
	}
	key := col.Expr
	if t := a.Target(); isText(t.Type) {
		key = "NULLIF(" + key + ", '')"
		if !t.CaseExact {
			key = s.fold + "(" + key + ")"
		}
		key += ` COLLATE "C"`
	}
	dir := " ASC"
	if srt.Descending() {
		dir = " DESC"
	}
	var b strings.Builder
	b.WriteString(key + dir + " NULLS LAST, " + byID)
	return b.String(), nil
}
