package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/pgtest"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/postgres"
	"github.com/scimkit/scimkit/store/storetest"
)

// testDB is a PostgreSQL schema of the test's own, dropped afterwards.
type testDB struct {
	pool   *pgxpool.Pool
	schema string
	tables atomic.Int64
}

// newTestDB connects to SCIMKIT_TEST_POSTGRES, or skips the test.
func newTestDB(t testing.TB) *testDB {
	t.Helper()
	pool, _, name := pgtest.Schema(t, "scimkit_test_")
	return &testDB{pool: pool, schema: name}
}

// store returns a migrated store on a table of its own.
func (db *testDB) store(t testing.TB, rt *schema.ResourceType, opts postgres.Options) store.Store {
	t.Helper()
	opts.Schema = db.schema
	if opts.Table == "" {
		opts.Table = fmt.Sprintf("t%d_%s", db.tables.Add(1), rt.Name)
	}
	_, err := postgres.New(context.Background(), db.pool, rt, opts)
	require.NoError(t, err)
	s, err := postgres.New(context.Background(), db.pool, rt, opts)
	require.NoError(t, err, "creating the tables is idempotent")
	return s
}

// TestStoretest runs the store conformance kit against PostgreSQL.
func TestStoretest(t *testing.T) {
	db := newTestDB(t)
	storetest.Run(t, func(t *testing.T, rt *schema.ResourceType) store.Store {
		return db.store(t, rt, postgres.Options{})
	}, storetest.Options{})
}

// TestStoretestSoftDelete runs the store conformance kit against a
// PostgreSQL store that keeps what it deletes (store.Trash).
func TestStoretestSoftDelete(t *testing.T) {
	db := newTestDB(t)
	storetest.Run(t, func(t *testing.T, rt *schema.ResourceType) store.Store {
		return db.store(t, rt, postgres.Options{SoftDelete: true})
	}, storetest.Options{})
}

// TestIndexesUsed checks with EXPLAIN that the lookups every identity
// provider makes before provisioning, userName eq and externalId eq, use an
// index on a table of 20,000 users.
func TestIndexesUsed(t *testing.T) {
	db := newTestDB(t)
	users := schema.Users()
	s := db.store(t, users, postgres.Options{})
	ctx := context.Background()
	_, err := db.pool.Exec(ctx, `INSERT INTO `+postgres.Table(s)+` (id, external_id, version, created, last_modified, data)
		SELECT 'id-' || i, 'ext-' || i, i, now(), now(), jsonb_build_object('userName', 'user' || i || '@example.com', 'active', true)
		FROM generate_series(1, 20000) AS i`)
	require.NoError(t, err)
	_, err = db.pool.Exec(ctx, `ANALYZE `+postgres.Table(s))
	require.NoError(t, err)
	for _, tt := range []struct{ filter, index string }{
		{`userName eq "USER77@example.com"`, "_tf0_username"},
		{`externalId eq "ext-77"`, "_tenant_external_id"},
	} {
		e, err := filter.Parse(tt.filter)
		require.NoError(t, err)
		m, err := filter.Compile(users, e)
		require.NoError(t, err)
		plan := explain(t, db, s, m)
		assert.Contains(t, plan, tt.index, "%s:\n%s", tt.filter, plan)
		assert.NotContains(t, plan, "Seq Scan", tt.filter)
		page, err := s.(store.Searcher).Search(ctx, &store.Query{Filter: m, Count: 10})
		require.NoError(t, err)
		require.Equal(t, 1, page.Total, tt.filter)
		assert.Equal(t, "id-77", page.Resources[0].ID)
	}
}

// TestMemberLookupUsesIndex checks with EXPLAIN that members.value eq "x",
// which groups hold x (how a user's groups and the references to a deleted
// resource are found, RFC 7643 §4.1.2, §4.2), finds the member rows from
// an index and then their groups, on 2,000 groups of 50 members, instead
// of testing every group's members.
func TestMemberLookupUsesIndex(t *testing.T) {
	db := newTestDB(t)
	groups := schema.Groups()
	s := db.store(t, groups, postgres.Options{})
	ctx := context.Background()
	members := postgres.Table(s)[:len(postgres.Table(s))-1] + `_members"`
	_, err := db.pool.Exec(ctx, `INSERT INTO `+postgres.Table(s)+` (id, external_id, version, created, last_modified, data)
		SELECT 'g-' || i, NULL, 1, now(), now(), jsonb_build_object('displayName', 'group ' || i)
		FROM generate_series(1, 2000) AS i`)
	require.NoError(t, err)
	_, err = db.pool.Exec(ctx, `INSERT INTO `+members+` (resource_id, value, elem)
		SELECT 'g-' || i, 'u-' || (i * 50 + j), jsonb_build_object('value', 'u-' || (i * 50 + j))
		FROM generate_series(1, 2000) AS i, generate_series(0, 49) AS j`)
	require.NoError(t, err)
	_, err = db.pool.Exec(ctx, `ANALYZE `+postgres.Table(s)+`; ANALYZE `+members)
	require.NoError(t, err)
	e, err := filter.Parse(`members.value eq "U-7777"`)
	require.NoError(t, err)
	m, err := filter.Compile(groups, e)
	require.NoError(t, err)
	plan := explain(t, db, s, m)
	assert.Contains(t, plan, "_members_fvalue", plan)
	assert.NotContains(t, plan, "SubPlan", "not a test of every group's members:\n%s", plan)
	page, err := s.(store.Searcher).Search(ctx, &store.Query{Filter: m, Count: 10})
	require.NoError(t, err)
	require.Equal(t, 1, page.Total)
	assert.Equal(t, "g-155", page.Resources[0].ID)
}

// explain returns PostgreSQL's plan for the rows of s that m selects in the
// tenant "", as Search would select them.
func explain(t *testing.T, db *testDB, s store.Store, m *filter.Matcher) string {
	t.Helper()
	where, args, err := filter.ToSQL(m, postgres.Mapper(s), 2)
	require.NoError(t, err)
	return postgres.Explain(t, s, `SELECT r.id FROM `+postgres.Table(s)+` r WHERE r.tenant = $1 AND `+where, append([]any{""}, args...)...)
}
