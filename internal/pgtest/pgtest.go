// Package pgtest gives scimkit's tests a PostgreSQL schema of their own on
// the server SCIMKIT_TEST_POSTGRES names, or skips them, saying how to run
// them. It is for tests only.
package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/store"
)

// Env is the variable that holds the DSN of the test server.
const Env = "SCIMKIT_TEST_POSTGRES"

// Schema connects to the server Env names and creates a schema named
// prefix and a random suffix, dropped with the pool closed when t ends. It
// skips t when Env is unset.
func Schema(t testing.TB, prefix string) (pool *pgxpool.Pool, dsn, name string) {
	t.Helper()
	dsn = os.Getenv(Env)
	if dsn == "" {
		t.Skip("PostgreSQL tests need a server: set " + Env + ", e.g. " + Env + "=postgres://postgres@127.0.0.1:5432/test (.ci/run does)")
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	name = prefix + store.NewID()[:8]
	_, err = pool.Exec(ctx, "CREATE SCHEMA "+name)
	require.NoError(t, err, Env+" is set but the server cannot be used")
	t.Cleanup(func() {
		_, err := pool.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE")
		require.NoError(t, err)
	})
	return pool, dsn, name
}
