package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

// pg returns the store of s, a store New made.
func pg(s store.Store) *pgStore {
	if soft, ok := s.(softStore); ok {
		return soft.pgStore
	}
	return s.(*pgStore)
}

// Table returns the table of s, a store New made, quoted and qualified.
func Table(s store.Store) string { return pg(s).table }

// Mapper returns the filter.Mapper of s, a store New made, over its table
// aliased r.
func Mapper(s store.Store) filter.Mapper { return pg(s).column }

// CountsTable returns the table of per-tenant counts of s, quoted and
// qualified.
func CountsTable(s store.Store) string { return pg(s).counts }

// ExplainSearch returns PostgreSQL's plan for the page of q on s.
func ExplainSearch(t *testing.T, s store.Store, q *store.Query) string {
	t.Helper()
	_, list, args, err := pg(s).searchSQL(context.Background(), q)
	require.NoError(t, err)
	return Explain(t, s, list, append(args, max(q.Count, 0), max(q.StartIndex, 1)-1)...)
}

// Explain returns PostgreSQL's plan for sql with args, on s's pool.
func Explain(t *testing.T, s store.Store, sql string, args ...any) string {
	t.Helper()
	rows, err := pg(s).pool.Query(context.Background(), "EXPLAIN "+sql, args...)
	require.NoError(t, err)
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		require.NoError(t, rows.Scan(&line))
		b.WriteString(line + "\n")
	}
	require.NoError(t, rows.Err())
	return b.String()
}
