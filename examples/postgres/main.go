// Command postgres puts SCIM in front of a users table that predates it:
// the host's own users, teams and team_members tables are served as SCIM
// Users and Groups by a hand-written store (store.go) that pushes filters
// down to SQL with filter.ToSQL and a column mapping.
//
//	$ go run ./examples/postgres -postgres postgres://postgres@127.0.0.1:5432/test -token s3cr3t
//	scimkit over an existing schema listening url=http://127.0.0.1:8080/scim/v2
//
// The tables are created when missing, so the example runs on an empty
// database. Only what the tables hold is kept: userName and the work email
// (users.email), name.givenName and name.familyName, active; a group's
// displayName and members. The resource types are trimmed to those
// (schema.ResourceType.Keep), so discovery advertises nothing else and
// what an identity provider sends for other attributes is dropped. A
// filter on anything else, such as externalId, gets 400 invalidFilter
// naming the attribute, rather than a table scan.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	dsn := flag.String("postgres", os.Getenv("DATABASE_URL"), "the host's PostgreSQL database (default $DATABASE_URL)")
	token := flag.String("token", os.Getenv("SCIMKIT_TOKEN"), "bearer token clients must send (default $SCIMKIT_TOKEN)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if *dsn == "" || *token == "" {
		log.Error("both -postgres (or DATABASE_URL) and -token (or SCIMKIT_TOKEN) are needed")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log, *addr, *dsn, *token); err != nil {
		log.Error("failed", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, addr, dsn, token string) error {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	h, err := newHandler(ctx, pool)
	if err != nil {
		return err
	}
	check, err := handler.BearerToken(token)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", handler.Authenticate(h, check)))
	srv := &http.Server{
		Addr: addr, Handler: mux,
		// A slow or silent client cannot hold a connection.
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("scimkit over an existing schema listening", "url", "http://"+addr+"/scim/v2")
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHandler creates the host's tables when missing and serves them.
func newHandler(ctx context.Context, pool *pgxpool.Pool) (*handler.Handler, error) {
	if _, err := pool.Exec(ctx, hostSchema); err != nil {
		return nil, err
	}
	// Only what the tables hold: discovery advertises nothing else, and
	// what an identity provider sends for other attributes is dropped.
	userType, err := schema.Users().Keep("userName", "name.givenName", "name.familyName", "emails", "active")
	if err != nil {
		return nil, err
	}
	groupType, err := schema.Groups().Keep("displayName", "members")
	if err != nil {
		return nil, err
	}
	return handler.New(handler.Config{Endpoints: []handler.Endpoint{
		{Type: userType, Store: users(pool, userType)},
		{Type: groupType, Store: teams(pool, groupType)},
	}})
}
