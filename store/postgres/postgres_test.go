package postgres_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

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
	dsn := os.Getenv("SCIMKIT_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("PostgreSQL tests need a server: set SCIMKIT_TEST_POSTGRES, e.g. SCIMKIT_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test (.ci/run does)")
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	db := &testDB{pool: pool, schema: fmt.Sprintf("scimkit_test_%s", store.NewID()[:8])}
	_, err = pool.Exec(ctx, `CREATE SCHEMA `+db.schema)
	require.NoError(t, err, "SCIMKIT_TEST_POSTGRES is set but the server cannot be used")
	t.Cleanup(func() {
		_, err := pool.Exec(context.Background(), `DROP SCHEMA `+db.schema+` CASCADE`)
		require.NoError(t, err)
	})
	return db
}

// store returns a migrated store on a table of its own.
func (db *testDB) store(t testing.TB, rt *schema.ResourceType, opts postgres.Options) *postgres.Store {
	t.Helper()
	opts.Schema = db.schema
	if opts.Table == "" {
		opts.Table = fmt.Sprintf("t%d_%s", db.tables.Add(1), rt.Name)
	}
	s, err := postgres.New(db.pool, rt, opts)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(context.Background()))
	require.NoError(t, s.Migrate(context.Background()), "Migrate is idempotent")
	return s
}

// TestStoretest runs the store conformance kit against PostgreSQL.
func TestStoretest(t *testing.T) {
	db := newTestDB(t)
	storetest.Run(t, func(t *testing.T, rt *schema.ResourceType) store.Store {
		return db.store(t, rt, postgres.Options{})
	})
}
