package sqltable_test

import (
	"context"
	"database/sql"
	"log"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/sqltable"
)

// ExampleDB_Store serves a users table that predates SCIM: each
// attribute's column is declared once, and the store reads, writes,
// filters, sorts and patches from that. Store.Type is the resource type
// trimmed to the columns, for discovery.
func ExampleDB_Store() {
	ctx := context.Background()
	db, err := sql.Open("pgx", "postgres://postgres@127.0.0.1:5432/test")
	if err != nil {
		log.Fatal(err)
	}
	tables, err := sqltable.New(ctx, db, sqltable.PostgreSQL)
	if err != nil {
		log.Fatal(err)
	}
	users, err := tables.Store(schema.Users(), sqltable.Table{
		Name: "users", IDs: sqltable.Serial, CreatedAt: "created_at", UpdatedAt: "updated_at",
		Columns: []sqltable.Column{
			{Attr: "userName", Name: "email"},
			{Attr: "name.givenName", Name: "first_name"},
			{Attr: "name.familyName", Name: "last_name"},
			sqltable.DisabledAt("disabled_at"),
		},
		Rest: sqltable.Ignore, // drop what an identity provider sends beyond these
	})
	if err != nil {
		log.Fatal(err)
	}
	h, err := handler.New(handler.Config{Endpoints: []handler.Endpoint{{Type: users.Type(), Store: users}}})
	if err != nil {
		log.Fatal(err)
	}
	_ = h // mount it: mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", handler.Authenticate(h, check)))
}
