// Command postgres puts SCIM in front of tables that predate it: the
// host's own users, teams and team_members tables are served as SCIM
// Users and Groups by store/sqltable, from one declaration of where each
// attribute lives. The same declaration serves PostgreSQL and MySQL or
// MariaDB.
//
//	$ go run ./examples/postgres -postgres postgres://postgres@127.0.0.1:5432/test -token s3cr3t
//	$ go run ./examples/postgres -mysql 'root@tcp(127.0.0.1:3306)/test' -token s3cr3t
//	scimkit over an existing schema listening url=http://127.0.0.1:8080/scim/v2
//
// The tables are created when missing, so the example runs on an empty
// database. userName is users.email, name.givenName and name.familyName
// its first_name and last_name, active is held as users.disabled_at; a
// team's displayName is teams.name and its members are team_members. The
// one column added for SCIM on each table, scim, keeps every other
// attribute an identity provider sends, as JSON. A host that wants to
// keep only what its columns hold leaves that column out: the resource
// types are then trimmed to the columns (sqltable.Store.Type), so
// discovery advertises nothing else, and Table.Rest says whether what an
// identity provider sends beyond them is refused or dropped.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql" // database/sql driver "mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/sqltable"
)

// The host's tables, as they were before SCIM came along, with what SCIM
// adds: a scim column each for the attributes without a column of their
// own, and an index on scimkit_fold(email), which userName lookups use.
var hostSchema = map[sqltable.Dialect]string{
	sqltable.PostgreSQL: `
CREATE TABLE IF NOT EXISTS users (id bigserial PRIMARY KEY, email text NOT NULL, first_name text, last_name text, scim jsonb,
	disabled_at timestamptz, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users (scimkit_fold(email));
CREATE TABLE IF NOT EXISTS teams (id bigserial PRIMARY KEY, name text NOT NULL, scim jsonb,
	created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS team_members (team_id bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE, PRIMARY KEY (team_id, user_id))`,
	sqltable.MySQL: `
CREATE TABLE IF NOT EXISTS users (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE, first_name VARCHAR(255),
	last_name VARCHAR(255), scim JSON, disabled_at DATETIME(6), created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL) CHARACTER SET utf8mb4;
CREATE TABLE IF NOT EXISTS teams (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(255) NOT NULL, scim JSON,
	created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL) CHARACTER SET utf8mb4;
CREATE TABLE IF NOT EXISTS team_members (team_id BIGINT NOT NULL, user_id BIGINT NOT NULL, PRIMARY KEY (team_id, user_id), KEY (user_id),
	FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE, FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE)`,
}

// The declaration: where each attribute lives.
var (
	usersTable = sqltable.Table{Name: "users", IDs: sqltable.Serial, CreatedAt: "created_at", UpdatedAt: "updated_at", JSON: "scim",
		Columns: []sqltable.Column{
			{Attr: "userName", Name: "email"},
			{Attr: "name.givenName", Name: "first_name"},
			{Attr: "name.familyName", Name: "last_name"},
			sqltable.DisabledAt("disabled_at"),
		}}
	teamsTable = sqltable.Table{Name: "teams", IDs: sqltable.Serial, CreatedAt: "created_at", UpdatedAt: "updated_at", JSON: "scim",
		Columns: []sqltable.Column{{Attr: "displayName", Name: "name"}},
		Members: &sqltable.Members{Table: "team_members", Group: "team_id", Member: "user_id", Type: "User", Of: "users"}}
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	pg := flag.String("postgres", os.Getenv("DATABASE_URL"), "the host's PostgreSQL database (default $DATABASE_URL)")
	my := flag.String("mysql", "", "the host's MySQL or MariaDB database, such as 'root@tcp(127.0.0.1:3306)/test'")
	token := flag.String("token", os.Getenv("SCIMKIT_TOKEN"), "bearer token clients must send (default $SCIMKIT_TOKEN)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	driver, dsn, dialect := "pgx", *pg, sqltable.PostgreSQL
	if *my != "" {
		driver, dsn, dialect = "mysql", *my, sqltable.MySQL
	}
	if dsn == "" || *token == "" {
		log.Error("a database (-postgres, DATABASE_URL or -mysql) and -token (or SCIMKIT_TOKEN) are needed")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log, *addr, driver, dsn, dialect, *token); err != nil {
		log.Error("failed", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, addr, driver, dsn string, dialect sqltable.Dialect, token string) error {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	h, err := newHandler(ctx, db, dialect)
	check, err2 := handler.BearerToken(token)
	if err = errors.Join(err, err2); err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", handler.Authenticate(h, check)))
	srv := &http.Server{Addr: addr, Handler: mux,
		// A slow or silent client cannot hold a connection.
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	context.AfterFunc(ctx, func() { // on SIGINT or SIGTERM, finish what is in flight, for up to 10 seconds
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	})
	log.Info("scimkit over an existing schema listening", "url", "http://"+addr+"/scim/v2")
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHandler creates the host's tables when missing and serves them.
func newHandler(ctx context.Context, db *sql.DB, dialect sqltable.Dialect) (*handler.Handler, error) {
	tables, err := sqltable.New(ctx, db, dialect)
	if err != nil {
		return nil, err
	}
	for stmt := range strings.SplitSeq(hostSchema[dialect], ";") {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return nil, err
		}
	}
	users, err := tables.Store(schema.Users(), usersTable)
	if err != nil {
		return nil, err
	}
	teams, err := tables.Store(schema.Groups(), teamsTable)
	if err != nil {
		return nil, err
	}
	if dialect == sqltable.PostgreSQL {
		// Lists read each tenant's row count from a table triggers keep,
		// instead of counting the tenant (MySQL counts).
		if err := users.KeepCounts(ctx, "users_counts"); err != nil {
			return nil, err
		}
	}
	return handler.New(handler.Config{Endpoints: []handler.Endpoint{
		{Type: users.Type(), Store: users}, {Type: teams.Type(), Store: teams},
	}, Bulk: handler.BulkConfig{MaxOperations: 1000, MaxPayloadBytes: 4 << 20}})
}
