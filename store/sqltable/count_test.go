package sqltable

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// TestKeepCounts checks the counts KeepCounts keeps (RFC 7644 §3.4.2:
// totalResults) against count(*) through every kind of write, the store's
// and the host's own SQL, and that an unfiltered list reads them.
func TestKeepCounts(t *testing.T) {
	db := open(t, PostgreSQL)
	s, err := db.Store(schema.Users(), accounts())
	require.NoError(t, err)
	raw := db.db
	bg := context.Background()
	acme, globex := store.WithTenant(bg, "acme"), store.WithTenant(bg, "globex")
	insert := func(org string, n int) {
		_, err := raw.Exec(`INSERT INTO accounts (org, email, created_at, updated_at)
			SELECT $1, $1 || '-' || g || '-' || random() || '@example.com', now(), now() FROM generate_series(1, $2) g`, org, n)
		require.NoError(t, err)
	}
	insert("acme", 5) // before: KeepCounts fills the counts from the table
	insert("globex", 2)
	require.NoError(t, s.KeepCounts(bg, "accounts_counts"))
	require.NoError(t, s.KeepCounts(bg, "accounts_counts"), "a second call changes nothing")

	check := func(step string) {
		t.Helper()
		for _, ctx := range []context.Context{acme, globex, bg} {
			var want int
			require.NoError(t, raw.QueryRow(`SELECT count(*) FROM accounts WHERE org = $1`, store.Tenant(ctx)).Scan(&want))
			page, err := s.Search(ctx, &store.Query{StartIndex: 1, Count: 1})
			require.NoError(t, err)
			assert.Equal(t, want, page.Total, "%s: tenant %q", step, store.Tenant(ctx))
		}
	}
	check("filled")
	r, err := s.Create(acme, &schema.Resource{Attributes: map[string]any{"userName": "new@example.com"}})
	require.NoError(t, err)
	check("a create")
	insert("acme", 1000)
	check("an insert of many rows")
	require.NoError(t, s.Delete(acme, r.ID, ""))
	check("a delete")
	_, err = raw.Exec(`DELETE FROM accounts WHERE org = 'acme' AND id % 3 = 0`)
	require.NoError(t, err)
	check("a delete of many rows")
	_, err = raw.Exec(`UPDATE accounts SET org = 'globex' WHERE org = 'acme' AND id % 5 = 0`)
	require.NoError(t, err)
	check("rows moved to another tenant")
	_, err = raw.Exec(`UPDATE accounts SET title = 'x'`)
	require.NoError(t, err)
	check("an update")
	_, err = raw.Exec(`TRUNCATE accounts CASCADE`)
	require.NoError(t, err)
	check("a truncate")
	insert("globex", 3)
	check("an insert after the truncate")

	// Counted afresh: the counts table dropped, the triggers left.
	_, err = raw.Exec(`DROP TABLE accounts_counts`)
	require.NoError(t, err)
	require.NoError(t, s.KeepCounts(bg, "accounts_counts"))
	check("counted afresh")
	insert("globex", 1)
	_, err = raw.Exec(`DELETE FROM accounts WHERE org = 'globex' AND id = (SELECT max(id) FROM accounts)`)
	require.NoError(t, err)
	check("the triggers after counting afresh")

	// The total is read from the counts: a count changed behind the
	// store's back shows.
	_, err = raw.Exec(`UPDATE accounts_counts SET n = n + 1000 WHERE tenant = 'globex' AND stripe = (SELECT min(stripe) FROM accounts_counts WHERE tenant = 'globex')`)
	require.NoError(t, err)
	page, err := s.Search(globex, &store.Query{StartIndex: 1, Count: 1})
	require.NoError(t, err)
	assert.Equal(t, 1003, page.Total)
}

// TestKeepCountsRefused checks what KeepCounts refuses: MySQL, and a name
// it cannot derive its function's and triggers' names from.
func TestKeepCountsRefused(t *testing.T) {
	my, err := (&DB{dialect: MySQL}).Store(schema.Users(), accounts())
	require.NoError(t, err)
	assert.ErrorContains(t, my.KeepCounts(context.Background(), "accounts_counts"), "PostgreSQL")
	pg, err := (&DB{dialect: PostgreSQL}).Store(schema.Users(), accounts())
	require.NoError(t, err)
	for _, name := range []string{"", "a b", `"quoted"`, "a;drop table x", "a.b.c"} {
		assert.ErrorContains(t, pg.KeepCounts(context.Background(), name), "plain table name", name)
	}
}
