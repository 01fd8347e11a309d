// Package sqltest gives scimkit's tests a database/sql handle on a
// database of their own, on the PostgreSQL server SCIMKIT_TEST_POSTGRES
// names or the MySQL/MariaDB server SCIMKIT_TEST_MYSQL names, or skips
// them, saying how to run them. It is for tests only.
package sqltest

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/internal/pgtest"
	"github.com/scimkit/scimkit/store"
)

// MySQLEnv is the variable that holds the DSN of the MySQL/MariaDB test
// server, in go-sql-driver/mysql's form.
const MySQLEnv = "SCIMKIT_TEST_MYSQL"

// Postgres returns a handle whose connections work in a PostgreSQL schema
// of the test's own (named prefix and a random suffix), dropped when t
// ends. It skips t when pgtest.Env is unset.
func Postgres(t testing.TB, prefix string) *sql.DB {
	t.Helper()
	_, dsn, name := pgtest.Schema(t, prefix)
	cfg, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	cfg.RuntimeParams["search_path"] = name
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// MySQL returns a handle on a MySQL/MariaDB database of the test's own
// (named prefix and a random suffix), dropped when t ends. It skips t
// when MySQLEnv is unset.
func MySQL(t testing.TB, prefix string) *sql.DB {
	t.Helper()
	dsn := os.Getenv(MySQLEnv)
	if dsn == "" {
		t.Skip("MySQL/MariaDB tests need a server: set " + MySQLEnv + ", e.g. " + MySQLEnv + "='root@tcp(127.0.0.1:3306)/test' (.ci/run does)")
	}
	cfg, err := mysql.ParseDSN(dsn)
	require.NoError(t, err)
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() })
	name := prefix + store.NewID()[:8]
	ctx := context.Background()
	_, err = admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4")
	require.NoError(t, err, MySQLEnv+" is set but the server cannot be used")
	cfg.DBName = name
	db, err := sql.Open("mysql", cfg.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = db.Close()
		_, err := admin.ExecContext(context.Background(), "DROP DATABASE "+name)
		require.NoError(t, err)
	})
	return db
}
