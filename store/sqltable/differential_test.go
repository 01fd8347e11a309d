package sqltable

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/pgtest"
	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// FuzzSearchDifferential answers fuzzed filters from the mapped tables in
// SQL (Search) and in memory (store.Evaluate over Scan) and checks the two
// agree, on PostgreSQL and MySQL/MariaDB: the translation to SQL must not
// change a filter's meaning (RFC 7644 §3.4.2.2). It needs the test servers
// (see TestStoretest) and skips without them.
func FuzzSearchDifferential(f *testing.F) {
	for _, s := range []string{
		`userName sw "u"`, `title eq "engineer"`, `name.familyName gt "J"`, `emails[type eq "work"].value co "1"`,
		`active eq false or displayName ew "7"`, `not (title pr) and userName lt "user2"`, `externalId eq "ext-1"`,
		`(id eq "3" or active eq true) and userName eq "USER03@example.com"`, `meta.version gt "1"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "rnd"`,
	} {
		f.Add(s)
	}
	ctx := context.Background()
	users := schema.Users()
	var stores []*Store
	for _, d := range dialects {
		db := fuzzDB(f, d)
		if db == nil {
			continue
		}
		if _, err := db.db.Exec("ALTER TABLE accounts ALTER COLUMN org SET DEFAULT ''"); err != nil {
			f.Fatal(err)
		}
		decl := accounts()
		decl.Tenant = ""
		decl.Columns = append(decl.Columns, Column{Attr: "emails.value", Name: "work_email", Value: map[string]any{"type": "work", "primary": true}})
		s, err := db.Store(users, decl)
		if err != nil {
			f.Fatal(err)
		}
		for i := range 30 {
			attrs := map[string]any{
				"userName":                  fmt.Sprintf("user%02d@example.com", i),
				"active":                    i%3 != 0,
				"displayName":               fmt.Sprintf("User %d", i),
				"name":                      map[string]any{"familyName": []string{"Jensen", "smith", "Åsa", "jones"}[i%4], "givenName": fmt.Sprintf("G%d", i%5)},
				schema.EnterpriseUserSchema: map[string]any{"department": []string{"RnD", "Sales", "Ops"}[i%3]},
			}
			if i%6 == 0 {
				attrs["userName"] = fmt.Sprintf("USER%02d@Example.com", i)
			}
			if i%2 == 0 {
				attrs["title"] = []string{"Engineer", "engineer", "Ärztin"}[i%3]
				attrs["emails"] = []any{map[string]any{"value": fmt.Sprintf("u%d@work.example.com", i), "type": "work"}}
			}
			r := &schema.Resource{Attributes: attrs}
			if i%4 == 1 {
				r.ExternalID = fmt.Sprintf("ext-%d", i%8)
			}
			if _, err := s.Create(ctx, r); err != nil {
				f.Fatal(err)
			}
		}
		stores = append(stores, s)
	}
	if len(stores) == 0 {
		f.Skip("needs the test servers: set SCIMKIT_TEST_POSTGRES and SCIMKIT_TEST_MYSQL (.ci/run does)")
	}
	f.Fuzz(func(t *testing.T, in string) {
		e, err := filter.Parse(in)
		if err != nil {
			return
		}
		m, err := filter.Compile(users, e)
		if err != nil {
			return
		}
		for _, s := range stores {
			q := &store.Query{Filter: m, Count: 100}
			got, err := s.Search(ctx, q)
			if err != nil {
				continue // not translatable here (400 invalidFilter): nothing to compare
			}
			want, err := store.Evaluate(ctx, s.Scan(ctx), q)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Resources) != len(want.Resources) || got.Total != want.Total {
				t.Fatalf("%v: %q: SQL found %d (total %d), memory %d (total %d)", s.d, in, len(got.Resources), got.Total, len(want.Resources), want.Total)
			}
			for i := range got.Resources {
				if got.Resources[i].ID != want.Resources[i].ID {
					t.Fatalf("%v: %q: result %d is %s in SQL, %s in memory", s.d, in, i, got.Resources[i].ID, want.Resources[i].ID)
				}
			}
		}
	})
}

// fuzzDB is open for a fuzz target: nil when the dialect's test server
// is not configured.
func fuzzDB(f *testing.F, d Dialect) *DB {
	env := pgtest.Env
	if d == MySQL {
		env = sqltest.MySQLEnv
	}
	if os.Getenv(env) == "" {
		return nil
	}
	return open(f, d)
}
