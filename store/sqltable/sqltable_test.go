package sqltable

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/storetest"
)

// The tables of a product that predates SCIM: accounts with an
// organization (the tenant), teams and their members; people keeps what
// has no column in a JSON column.
var ddl = map[Dialect]string{
	PostgreSQL: `
CREATE TABLE accounts (
	id bigserial PRIMARY KEY,
	org text NOT NULL,
	email text NOT NULL,
	given text, family text, display text, title text,
	disabled_at timestamptz,
	external_id text,
	employee_number text, department text, work_email text,
	created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
CREATE UNIQUE INDEX accounts_email ON accounts (org, scimkit_fold(email));
CREATE TABLE teams (
	id bigserial PRIMARY KEY,
	org text NOT NULL,
	name text NOT NULL,
	version bigint NOT NULL,
	created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE team_members (
	team_id bigint NOT NULL REFERENCES teams (id),
	account_id bigint NOT NULL REFERENCES accounts (id),
	PRIMARY KEY (team_id, account_id));
CREATE TABLE people (
	id uuid PRIMARY KEY,
	email text NOT NULL,
	given text NOT NULL DEFAULT '',
	attrs jsonb,
	version bigint NOT NULL,
	created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
CREATE UNIQUE INDEX people_email ON people (scimkit_fold(email));`,
	MySQL: `
CREATE TABLE accounts (
	id BIGINT AUTO_INCREMENT PRIMARY KEY,
	org VARCHAR(64) NOT NULL,
	email VARCHAR(255) NOT NULL,
	given VARCHAR(255), family VARCHAR(255), display VARCHAR(255), title VARCHAR(255),
	disabled_at DATETIME(6),
	external_id VARCHAR(255),
	employee_number VARCHAR(255), department VARCHAR(255), work_email VARCHAR(255),
	created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL,
	UNIQUE KEY accounts_email (org, email)
) CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_as_ci;
CREATE TABLE teams (
	id BIGINT AUTO_INCREMENT PRIMARY KEY,
	org VARCHAR(64) NOT NULL,
	name VARCHAR(255) NOT NULL,
	version BIGINT NOT NULL,
	created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL
) CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_as_ci;
CREATE TABLE team_members (
	team_id BIGINT NOT NULL,
	account_id BIGINT NOT NULL,
	PRIMARY KEY (team_id, account_id),
	KEY (account_id),
	FOREIGN KEY (team_id) REFERENCES teams (id),
	FOREIGN KEY (account_id) REFERENCES accounts (id));
CREATE TABLE people (
	id CHAR(36) PRIMARY KEY,
	email VARCHAR(255) NOT NULL,
	given VARCHAR(255) NOT NULL DEFAULT '',
	attrs LONGTEXT,
	version BIGINT NOT NULL,
	created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL,
	UNIQUE KEY people_email (email)
) CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_as_ci;`,
}

// accounts maps the accounts table.
func accounts() Table {
	return Table{
		Name: "accounts", IDs: Serial, Tenant: "org", UpdatedAt: "updated_at", CreatedAt: "created_at",
		Rest: Ignore,
		Columns: []Column{
			{Attr: "userName", Name: "email"},
			{Attr: "name.givenName", Name: "given"},
			{Attr: "name.familyName", Name: "family"},
			{Attr: "displayName", Name: "display"},
			{Attr: "title", Name: "title"},
			{Attr: "externalId", Name: "external_id"},
			DisabledAt("disabled_at"),
			{Attr: schema.EnterpriseUserSchema + ":employeeNumber", Name: "employee_number"},
			{Attr: schema.EnterpriseUserSchema + ":department", Name: "department"},
		},
	}
}

// teams maps the teams table and its members.
func teams() Table {
	return Table{
		Name: "teams", IDs: Serial, Tenant: "org", Version: "version", UpdatedAt: "updated_at", CreatedAt: "created_at",
		Columns: []Column{{Attr: "displayName", Name: "name"}},
		Members: &Members{Table: "team_members", Group: "team_id", Member: "account_id", Type: "User", Of: "accounts"},
	}
}

// people maps the people table: what has no column is kept as JSON.
func people() Table {
	return Table{
		Name: "people", IDs: UUID, Version: "version", CreatedAt: "created_at", UpdatedAt: "updated_at", JSON: "attrs",
		Columns: []Column{
			{Attr: "userName", Name: "email"},
			{Attr: "name.givenName", Name: "given", NotNull: true},
		},
	}
}

// database returns a fresh database of the dialect, dropped when t ends.
func database(t testing.TB, d Dialect, prefix string) *sql.DB {
	if d == PostgreSQL {
		return sqltest.Postgres(t, prefix)
	}
	return sqltest.MySQL(t, prefix)
}

// open returns a DB on a fresh database of the dialect with the tables.
func open(t testing.TB, d Dialect) *DB {
	db := database(t, d, "scimkit_sqltable_")
	out, err := New(context.Background(), db, d) // before the indexes that use scimkit_fold
	require.NoError(t, err)
	for stmt := range strings.SplitSeq(ddl[d], ";") {
		if strings.TrimSpace(stmt) != "" {
			_, err := db.Exec(stmt)
			require.NoError(t, err, stmt)
		}
	}
	return out
}

var dialects = []Dialect{PostgreSQL, MySQL}

// TestStoretest runs the conformance kit against the mapped accounts and
// teams tables.
func TestStoretest(t *testing.T) {
	for _, tc := range []struct {
		d      Dialect
		counts bool // the tables' counts kept by KeepCounts
	}{{PostgreSQL, false}, {PostgreSQL, true}, {MySQL, false}} {
		name := tc.d.String()
		if tc.counts {
			name += "/counts"
		}
		t.Run(name, func(t *testing.T) {
			d := tc.d
			storetest.Run(t, func(t *testing.T, rt *schema.ResourceType) store.Store {
				db := open(t, d)
				users, err := db.Store(schema.Users(), accounts())
				require.NoError(t, err)
				s := users
				if rt.Name == "Group" {
					s, err = db.Store(rt, teams())
					require.NoError(t, err)
				}
				if tc.counts {
					require.NoError(t, s.KeepCounts(context.Background(), s.t.Name+"_counts"))
				}
				return s
			}, storetest.Options{
				Attributes: map[string][]string{"User": {
					"userName", "name.givenName", "name.familyName", "displayName", "title", "externalId", "active",
					schema.EnterpriseUserSchema + ":employeeNumber", schema.EnterpriseUserSchema + ":department",
				}},
				Member: func(ctx context.Context, t *testing.T, groups store.Store, i int) string {
					users := groups.(*Store).db.table("accounts")
					r, err := users.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": fmt.Sprintf("member%d@example.com", i)}})
					require.NoError(t, err)
					return r.ID
				},
			})
		})
	}
}

// TestStoretestJSON runs the kit against a table that keeps what has no
// column in a JSON column: every attribute round-trips.
func TestStoretestJSON(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, rt *schema.ResourceType) store.Store {
				s, err := open(t, d).Store(rt, people())
				require.NoError(t, err)
				return s
			}, storetest.Options{NoTenants: true, NoGroups: true})
		})
	}
}
