package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/postgres"
)

// TestTenantCounts checks the count a list without a filter answers
// (RFC 7644 §3.4.2: totalResults) from the per-tenant table the trigger
// keeps, against count(*), through creates in two tenants, deletes, soft
// deletes, rows written by other SQL (one at a time and many in one
// statement), a truncate, a table made before the counts existed, and the
// triggers of earlier versions.
func TestTenantCounts(t *testing.T) {
	db := newTestDB(t)
	users := schema.Users()
	bg := context.Background()
	s := db.store(t, users, postgres.Options{SoftDelete: true, Table: "counted"})
	table := postgres.Table(s)
	check := func(msg string) {
		t.Helper()
		for _, tenant := range []string{"a", "b", "c"} {
			ctx := store.WithTenant(bg, tenant)
			var want int
			require.NoError(t, db.pool.QueryRow(bg, `SELECT count(*) FROM `+table+` WHERE tenant = $1`, tenant).Scan(&want))
			page, err := store.Search(ctx, s, &store.Query{Count: 1})
			require.NoError(t, err)
			assert.Equal(t, want, page.Total, "%s: tenant %s", msg, tenant)
		}
	}
	var ids []string
	for i := range 6 {
		tenant := []string{"a", "b"}[i%2]
		r, err := s.Create(store.WithTenant(bg, tenant), &schema.Resource{Attributes: map[string]any{"userName": fmt.Sprint("u", i)}})
		require.NoError(t, err)
		ids = append(ids, r.ID)
	}
	check("after creates")
	require.NoError(t, s.Delete(store.WithTenant(bg, "a"), ids[0], ""))
	check("after a soft delete")
	_, err := s.Create(store.WithTenant(bg, "a"), &schema.Resource{Attributes: map[string]any{"userName": "u0"}})
	require.NoError(t, err)
	_, err = db.pool.Exec(bg, `DELETE FROM `+table+` WHERE id = $1`, ids[1])
	require.NoError(t, err)
	_, err = db.pool.Exec(bg, `INSERT INTO `+table+` (id, tenant, version, created, last_modified, data) VALUES ('raw', 'c', 1, now(), now(), '{"userName":"raw"}')`)
	require.NoError(t, err)
	check("after SQL of the host's own")

	// Rows loaded in one statement are counted once, by the statement's
	// trigger.
	_, err = db.pool.Exec(bg, `INSERT INTO `+table+` (id, tenant, version, created, last_modified, data)
		SELECT 'bulk' || i, 'c', 1, now(), now(), jsonb_build_object('userName', 'bulk' || i) FROM generate_series(1, 5000) i`)
	require.NoError(t, err)
	_, err = db.pool.Exec(bg, `DELETE FROM `+table+` WHERE id LIKE 'bulk1%'`)
	require.NoError(t, err)
	check("after a load and a delete of many rows in one statement each")

	// A table made before the counts: the next New fills them.
	for _, trigger := range []string{"scimkit_count_insert", "scimkit_count_delete", "scimkit_count_truncate"} {
		_, err = db.pool.Exec(bg, `DROP TRIGGER `+trigger+` ON `+table)
		require.NoError(t, err)
	}
	_, err = db.pool.Exec(bg, `DROP TABLE `+postgres.CountsTable(s))
	require.NoError(t, err)
	s = db.store(t, users, postgres.Options{SoftDelete: true, Table: "counted"})
	check("after the counts were made from the table")

	// The per-row trigger of an earlier version is replaced by the
	// statement ones (this stand-in refuses every write, so that a write
	// it still saw would fail).
	for _, trigger := range []string{"scimkit_count_insert", "scimkit_count_delete"} {
		_, err = db.pool.Exec(bg, `DROP TRIGGER `+trigger+` ON `+table)
		require.NoError(t, err)
	}
	oldCount := table[:strings.LastIndexByte(table, '.')+1] + "old_count" // in the test's schema
	_, err = db.pool.Exec(bg, `CREATE FUNCTION `+oldCount+`() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE 'the per-row trigger ran'; END $$;
		CREATE TRIGGER scimkit_count AFTER INSERT OR DELETE ON `+table+` FOR EACH ROW EXECUTE FUNCTION `+oldCount+`()`)
	require.NoError(t, err)
	s = db.store(t, users, postgres.Options{SoftDelete: true, Table: "counted"})
	_, err = s.Create(store.WithTenant(bg, "c"), &schema.Resource{Attributes: map[string]any{"userName": "after-upgrade"}})
	require.NoError(t, err)
	check("after the per-row trigger was replaced")

	// A counts table of one row per tenant, as an earlier version made
	// it: replaced, and filled from the table.
	for _, trigger := range []string{"scimkit_count_insert", "scimkit_count_delete"} {
		_, err = db.pool.Exec(bg, `DROP TRIGGER `+trigger+` ON `+table)
		require.NoError(t, err)
	}
	_, err = db.pool.Exec(bg, `DROP TABLE `+postgres.CountsTable(s))
	require.NoError(t, err)
	_, err = db.pool.Exec(bg, `CREATE TABLE `+postgres.CountsTable(s)+` (tenant text PRIMARY KEY, n bigint NOT NULL); INSERT INTO `+postgres.CountsTable(s)+` VALUES ('a', 99)`)
	require.NoError(t, err)
	s = db.store(t, users, postgres.Options{SoftDelete: true, Table: "counted"})
	check("after an earlier counts table was replaced")

	// Concurrent creates and deletes in one tenant, spread over the
	// count's stripes.
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := store.WithTenant(bg, "b")
			r, err := s.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": fmt.Sprint("c", i)}})
			if err == nil && i%3 == 0 {
				err = s.Delete(ctx, r.ID, "")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	check("after concurrent creates and deletes")

	_, err = db.pool.Exec(bg, `TRUNCATE `+table+` CASCADE`)
	require.NoError(t, err)
	check("after a truncate")
}

// TestKeysetPageIsARangeScan checks that a keyset page (Query.After, RFC
// 9865 cursors) reads the (tenant, id) index from the cursor, not every
// row of the tenant: PostgreSQL's plan for it at depth has no sort and
// reads as many rows as the page holds.
func TestKeysetPageIsARangeScan(t *testing.T) {
	db := newTestDB(t)
	users := schema.Users()
	bg := context.Background()
	s := db.store(t, users, postgres.Options{})
	table := postgres.Table(s)
	_, err := db.pool.Exec(bg, `INSERT INTO `+table+` (id, tenant, version, created, last_modified, data)
		SELECT lpad(i::text, 6, '0'), '', 1, now(), now(), jsonb_build_object('userName', 'u' || i) FROM generate_series(1, 20000) i;
		ANALYZE `+table)
	require.NoError(t, err)
	past := &filter.Compare{Path: filter.Path{Name: "id"}, Op: filter.Gt, Value: "015000"}
	m, err := filter.Compile(users, past)
	require.NoError(t, err)
	q := &store.Query{Filter: m, After: "015000", NoTotal: true, Count: 101}
	page, err := store.Search(bg, s, q)
	require.NoError(t, err)
	require.Len(t, page.Resources, 101)
	assert.Equal(t, "015001", page.Resources[0].ID)
	assert.Equal(t, "015101", page.Resources[100].ID)

	plan := postgres.ExplainSearch(t, s, q)
	assert.Contains(t, plan, "tenant_id", "the (tenant, id) index: %s", plan)
	assert.NotContains(t, plan, "Sort", "no sort of the tenant: %s", plan)
	assert.NotContains(t, plan, "Aggregate", "no count: %s", plan)
}
