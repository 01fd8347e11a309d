package sqltable

import (
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// narrow returns a condition that the rows matching e all pass, written so
// that the database can find them from an index, or "" when it has none:
// `id eq "42"` becomes r.id = 42 on the id column itself (the handler
// looks up members this way), and on MySQL `userName eq "x"` also becomes
// r.email = 'x' in the column's case-insensitive collation. Search ANDs it
// with the exact condition, which decides.
func (s *Store) narrow(q *sqlBuilder, e filter.Expr) string {
	switch e := e.(type) {
	case *filter.Logical:
		l, r := s.narrow(q, e.Left), s.narrow(q, e.Right)
		switch {
		case e.Op == filter.And && l != "" && r != "":
			return "(" + l + " AND " + r + ")"
		case e.Op == filter.And && l != "":
			return l
		case e.Op == filter.And:
			return r
		case l != "" && r != "":
			return "(" + l + " OR " + r + ")"
		}
		return "" // an OR is narrowed only when both sides are
	case *filter.Compare:
		v, ok := e.Value.(string)
		if e.Op != filter.Eq || !ok || e.Path.Filter != nil || e.Path.URN != "" {
			return ""
		}
		if e.Path.Sub == "" && strings.EqualFold(e.Path.Name, "id") {
			arg, ok := s.idArg(v)
			if !ok {
				return "1 = 0" // no row has such an id
			}
			return q.placeholder("r."+s.t.ID+" = ", arg)
		}
		if s.d != MySQL {
			return "" // PostgreSQL uses an index on the folded column as it is
		}
		path := e.Path.Name
		if e.Path.Sub != "" {
			path += "." + e.Path.Sub
		}
		for _, c := range s.cols {
			t := c.attr.Target()
			if c.Read == nil && c.attr.Ext == nil && !c.attr.Attr.MultiValued && strings.EqualFold(c.attr.String(), path) &&
				t.Type == schema.String && !t.CaseExact {
				return q.placeholder("r."+c.Name+" = ", v)
			}
		}
	}
	return ""
}
