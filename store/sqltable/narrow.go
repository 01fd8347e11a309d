package sqltable

import (
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// narrow returns a condition that the rows matching e all pass, written so
// that the database can find them from an index, or "" when it has none:
// `id eq "42"` becomes r.id = 42 on the id column itself (the handler
// looks up members this way), `id gt "<uuid>"` (a keyset page) a range of
// a PostgreSQL uuid key, and on MySQL `userName eq "x"` also becomes
// r.email = 'x' in the column's case-insensitive collation. Search ANDs it
// with the exact condition, which decides. Its arguments are added to q.
func (s *Store) narrow(q *sqlBuilder, e filter.Expr) string {
	cond, args := s.narrowExpr(e)
	if cond == "" {
		return ""
	}
	// The conditions hold no literals: each ? is an argument.
	var b strings.Builder
	for i := range len(cond) {
		if cond[i] == '?' {
			b.WriteString(q.placeholder("", args[0]))
			args = args[1:]
			continue
		}
		b.WriteByte(cond[i])
	}
	return b.String()
}

// narrowExpr is narrow with ? for each argument.
func (s *Store) narrowExpr(e filter.Expr) (string, []any) {
	switch e := e.(type) {
	case *filter.Logical:
		l, la := s.narrowExpr(e.Left)
		r, ra := s.narrowExpr(e.Right)
		switch {
		case e.Op == filter.And && l != "" && r != "":
			return "(" + l + " AND " + r + ")", append(la, ra...)
		case e.Op == filter.And && l != "":
			return l, la
		case e.Op == filter.And:
			return r, ra
		case l != "" && r != "":
			return "(" + l + " OR " + r + ")", append(la, ra...)
		}
		return "", nil // an OR is narrowed only when both sides are
	case *filter.Compare:
		v, ok := e.Value.(string)
		if !ok || e.Path.Filter != nil || e.Path.URN != "" {
			return "", nil
		}
		isID := e.Path.Sub == "" && strings.EqualFold(e.Path.Name, "id")
		if (e.Op == filter.Gt || e.Op == filter.Ge) && isID && s.t.IDs == UUID && s.d == PostgreSQL && validUUID(v) {
			// A uuid orders as its text does: the keyset page past v is a
			// range of the primary key.
			return "r." + s.t.ID + map[filter.Op]string{filter.Gt: " > ?", filter.Ge: " >= ?"}[e.Op], []any{v}
		}
		if e.Op != filter.Eq {
			return "", nil
		}
		if isID {
			arg, ok := s.idArg(v)
			if !ok {
				return "1 = 0", nil // no row has such an id
			}
			return "r." + s.t.ID + " = ?", []any{arg}
		}
		if s.d != MySQL {
			return "", nil // PostgreSQL uses an index on the folded column as it is
		}
		path := e.Path.Name
		if e.Path.Sub != "" {
			path += "." + e.Path.Sub
		}
		for _, c := range s.cols {
			t := c.attr.Target()
			if c.Read == nil && c.attr.Ext == nil && !c.attr.Attr.MultiValued && strings.EqualFold(c.attr.String(), path) &&
				t.Type == schema.String && !t.CaseExact {
				return "r." + c.Name + " = ?", []any{v}
			}
		}
	}
	return "", nil
}
