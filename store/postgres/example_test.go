package postgres_test

import (
	"context"
	"net/http"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/postgres"
)

// Serve Users and Groups from PostgreSQL: one store per resource type on a
// shared pool; New creates the tables at start-up (idempotent, safe from
// several replicas at once).
func ExampleNew() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://postgres@127.0.0.1:5432/app")
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	users, groups := schema.Users(), schema.Groups()
	var types []handler.Endpoint
	for _, rt := range []*schema.ResourceType{users, groups} {
		s, err := postgres.New(ctx, pool, rt, postgres.Options{})
		if err != nil {
			panic(err)
		}
		types = append(types, handler.Endpoint{Type: rt, Store: s})
	}
	h, err := handler.New(handler.Config{Endpoints: types, PatchNoContent: true})
	if err != nil {
		panic(err)
	}
	auth, err := handler.BearerToken(os.Getenv("SCIM_TOKEN"))
	if err != nil {
		panic(err) // no token configured: refuse to serve
	}
	http.Handle("/scim/v2/", http.StripPrefix("/scim/v2", handler.Authenticate(h, auth)))
}
