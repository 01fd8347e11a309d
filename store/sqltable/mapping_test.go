package sqltable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// search answers a filter through s.
func search(t *testing.T, s *Store, f string) []string {
	t.Helper()
	e, err := filter.Parse(f)
	require.NoError(t, err)
	m, err := filter.Compile(s.rt, e)
	require.NoError(t, err)
	page, err := s.Search(context.Background(), &store.Query{Filter: m, Count: 100})
	require.NoError(t, err, f)
	var out []string
	for _, r := range page.Resources {
		out = append(out, r.Attributes["userName"].(string))
	}
	assert.Equal(t, len(out), page.Total, f)
	return out
}

// TestValueInColumn maps one value of a multi-valued attribute (the work
// email) to a column, and userName and nothing else to another: the value
// kept is the work one, it reads back with the declared sub-attributes,
// and filters see exactly one value where the column holds one (RFC 7644
// §3.4.2.2: a value filter tests one value).
func TestValueInColumn(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			ctx := context.Background()
			s, err := open(t, d).Store(schema.Users(), Table{
				Name: "accounts", Tenant: "org", UpdatedAt: "updated_at", CreatedAt: "created_at",
				Columns: []Column{
					{Attr: "userName", Name: "email"},
					{Attr: "emails.value", Name: "work_email", Value: map[string]any{"type": "work", "primary": true}},
					DisabledAt("disabled_at"),
				},
			})
			require.NoError(t, err)
			a, err := s.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": "ann", "emails": []any{
				map[string]any{"value": "ann@home.example.org", "type": "home"},
				map[string]any{"value": "Ann@Work.example.com", "type": "work"},
			}}})
			require.NoError(t, err)
			want := []any{map[string]any{"value": "Ann@Work.example.com", "type": "work", "primary": true}}
			assert.Equal(t, want, a.Attributes["emails"], "the work value is the one kept")
			got, err := s.Get(ctx, a.ID)
			require.NoError(t, err)
			assert.Equal(t, a, got, "Create answers what Get reads")
			_, err = s.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": "bob", "active": false}})
			require.NoError(t, err)
			_, err = s.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": "cy", "emails": []any{
				map[string]any{"value": "cy@example.net"}, // no type: the first value is kept
			}}})
			require.NoError(t, err)

			assert.Equal(t, []string{"ann"}, search(t, s, `emails[type eq "work"].value eq "ann@work.EXAMPLE.com"`))
			assert.Equal(t, []string{"ann", "cy"}, search(t, s, `emails[type eq "work" and primary eq true]`), "bob has no email")
			assert.Equal(t, []string{"ann", "cy"}, search(t, s, `emails pr`))
			assert.Empty(t, search(t, s, `emails.type eq "home"`))
			assert.Equal(t, []string{"bob"}, search(t, s, `not (emails pr)`))
			assert.Equal(t, []string{"bob"}, search(t, s, `active eq false`), "active is held as disabled_at")
			assert.Equal(t, []string{"ann", "cy"}, search(t, s, `active eq true`))
			assert.Equal(t, []string{"bob"}, search(t, s, `(id eq "999" or active eq false) and userName eq "BOB"`),
				"a part of the filter that no index serves leaves no argument behind")
		})
	}
}

// TestRest checks what becomes of attributes without a column: refused
// with 400 naming them (the default), or dropped.
func TestRest(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			ctx := context.Background()
			db := open(t, d)
			decl := accounts()
			decl.Rest = Refuse
			refuse, err := db.Store(schema.Users(), decl)
			require.NoError(t, err)
			in := &schema.Resource{Attributes: map[string]any{
				"userName": "ann", "nickName": "A", "name": map[string]any{"givenName": "Ann", "middleName": "B"},
				schema.EnterpriseUserSchema: map[string]any{"department": "Ops", "costCenter": "7"},
			}}
			_, err = refuse.Create(ctx, in)
			var se *schema.Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, http.StatusBadRequest, se.Status)
			assert.Equal(t, schema.ScimInvalidValue, se.Type)
			assert.Contains(t, se.Detail, "name.middleName, nickName, "+schema.EnterpriseUserSchema+":costCenter")
			var n int
			require.NoError(t, db.db.QueryRow("SELECT count(*) FROM accounts").Scan(&n))
			assert.Zero(t, n, "nothing is written")

			decl.Rest = Ignore
			ignore, err := db.Store(schema.Users(), decl)
			require.NoError(t, err)
			out, err := ignore.Create(ctx, in)
			require.NoError(t, err)
			assert.Equal(t, map[string]any{
				"userName": "ann", "active": true, "name": map[string]any{"givenName": "Ann"},
				schema.EnterpriseUserSchema: map[string]any{"department": "Ops"},
			}, out.Attributes)
			kept := ignore.Type() // trimmed to the columns, for discovery
			assert.NotNil(t, kept.Schema.Attribute("title"))
			assert.Nil(t, kept.Schema.Attribute("nickName"))
			assert.Nil(t, kept.Schema.Attribute("name").SubAttribute("middleName"))
			assert.NotNil(t, kept.Schema.Attribute("name").SubAttribute("givenName"))
			assert.Nil(t, kept.Extension(schema.EnterpriseUserSchema).Schema.Attribute("costCenter"))
			assert.NotNil(t, schema.Users().Schema.Attribute("nickName"), "the type given is not changed")
		})
	}
}

// TestDeclarationErrors checks that a declaration that cannot work is
// refused when the store is made, naming what is wrong.
func TestDeclarationErrors(t *testing.T) {
	db := &DB{dialect: PostgreSQL}
	for _, tc := range []struct {
		name string
		t    Table
		want string
	}{
		{"no version", Table{Name: "u", Columns: []Column{{Attr: "userName", Name: "email"}}}, "neither a Version nor an UpdatedAt"},
		{"no name", Table{Version: "v", Columns: []Column{{Attr: "userName", Name: "email"}}}, "no table Name"},
		{"unknown attribute", Table{Name: "u", Version: "v", Columns: []Column{{Attr: "shoeSize", Name: "s"}}}, `no attribute "shoeSize"`},
		{"complex", Table{Name: "u", Version: "v", Columns: []Column{{Attr: "name", Name: "n"}}}, "map each sub-attribute"},
		{"multi-valued", Table{Name: "u", Version: "v", Columns: []Column{{Attr: "emails", Name: "e"}}}, "emails.value"},
		{"twice", Table{Name: "u", Version: "v", Columns: []Column{{Attr: "title", Name: "a"}, {Attr: "title", Name: "b"}}}, "two columns for title"},
		{"half a conversion", Table{Name: "u", Version: "v", Columns: []Column{{Attr: "active", Name: "a", Expr: "r.a"}}}, "Read, Write and Expr go together"},
		{"id", Table{Name: "u", Version: "v", Columns: []Column{{Attr: "id", Name: "a"}}}, "the store's to keep"},
		{"members", Table{Name: "u", Version: "v", Members: &Members{Table: "m", Group: "g", Member: "u"}}, "no multi-valued members"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.Store(schema.Users(), tc.t)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := New(context.Background(), nil, Dialect(9))
	assert.ErrorContains(t, err, "unknown dialect")
	assert.False(t, errors.Is(err, store.ErrNotFound))
}

// TestJSONFilters checks that on PostgreSQL a filter on attributes kept in
// the JSON column runs in SQL (jsonb), answering what the generic path
// answers, and that on MySQL, and for an attribute part of which has a
// column, the store declines it (errors.ErrUnsupported) so the generic
// path answers.
func TestJSONFilters(t *testing.T) {
	users := schema.Users()
	compile := func(f string) *filter.Matcher {
		e, err := filter.Parse(f)
		require.NoError(t, err)
		m, err := filter.Compile(users, e)
		require.NoError(t, err)
		return m
	}
	db := &DB{dialect: PostgreSQL}
	pg, err := db.Store(users, people())
	require.NoError(t, err)
	for _, f := range []string{
		`title eq "Boss"`, `externalId eq "x"`, `emails[type eq "work" and value co "@"]`, `emails.value ew ".org"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m1"`, `x509Certificates pr`,
		`addresses[primary eq true].postalCode sw "9"`, `name.formatted pr`,
	} {
		where, _, err := pg.filter(compile(f))
		require.NoError(t, err, f)
		assert.Contains(t, where, "r.attrs", f)
	}
	_, _, err = pg.filter(compile(`name pr`)) // name.givenName has a column
	assert.ErrorIs(t, err, errors.ErrUnsupported)

	db.dialect = MySQL
	my, err := db.Store(users, people())
	require.NoError(t, err)
	_, _, err = my.filter(compile(`title eq "Boss"`))
	assert.ErrorIs(t, err, errors.ErrUnsupported, "MySQL: the generic path answers")

	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			ctx := context.Background()
			s, err := open(t, d).Store(users, people())
			require.NoError(t, err)
			for i, title := range []string{"Boss", "boss", "Ärztin", ""} {
				attrs := map[string]any{"userName": fmt.Sprintf("u%d", i), "name": map[string]any{"givenName": "G", "formatted": "F"}}
				if title != "" {
					attrs["title"] = title
				}
				_, err := s.Create(ctx, &schema.Resource{Attributes: attrs})
				require.NoError(t, err)
			}
			for _, f := range []string{`title eq "BOSS"`, `title pr`, `not (title pr)`, `title gt "b"`, `title eq "ärztin"`, `name.formatted eq "f"`} {
				want, err := store.Evaluate(ctx, s.Scan(ctx), &store.Query{Filter: compile(f), Count: 10})
				require.NoError(t, err)
				got, err := store.Search(ctx, s, &store.Query{Filter: compile(f), Count: 10})
				require.NoError(t, err, f)
				assert.Equal(t, want, got, f)
			}
		})
	}
}

// TestScanInBatches checks that Scan yields every row once when the table
// holds more than one batch (scanBatch) and the rows are read batch by
// batch, and that it stops when the caller does.
func TestScanInBatches(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			ctx := context.Background()
			db := open(t, d)
			s, err := db.Store(schema.Users(), accounts())
			require.NoError(t, err)
			n := 2*scanBatch + 3
			insert := fmt.Sprintf(`INSERT INTO accounts (org, email, created_at, updated_at) SELECT '', 'u' || i, now(), now() FROM generate_series(1, %d) AS i`, n)
			if d == MySQL {
				insert = fmt.Sprintf(`INSERT INTO accounts (org, email, created_at, updated_at) SELECT '', CONCAT('u', seq), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_1_to_%d`, n)
			}
			_, err = db.db.ExecContext(ctx, insert)
			require.NoError(t, err)
			seen := map[string]bool{}
			for r, err := range s.Scan(ctx) {
				require.NoError(t, err)
				assert.False(t, seen[r.ID], "yielded once: %s", r.ID)
				seen[r.ID] = true
			}
			assert.Len(t, seen, n)
			i := 0
			for range s.Scan(ctx) {
				if i++; i == 3 {
					break
				}
			}
			assert.Equal(t, 3, i)
		})
	}
}

// TestTenantless checks that a store whose table keeps no tenants refuses
// a request made for one, rather than serve every tenant's rows.
func TestTenantless(t *testing.T) {
	s, err := (&DB{dialect: PostgreSQL}).Store(schema.Users(), people())
	require.NoError(t, err)
	ctx := store.WithTenant(context.Background(), "acme")
	_, err = s.Get(ctx, "x")
	assert.ErrorIs(t, err, ErrTenant)
	_, err = s.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": "a"}})
	assert.ErrorIs(t, err, ErrTenant)
	_, err = s.Search(ctx, &store.Query{Count: 1})
	assert.ErrorIs(t, err, ErrTenant)
	assert.ErrorIs(t, s.Delete(ctx, "x", ""), ErrTenant)
	for _, err := range s.Scan(ctx) {
		assert.ErrorIs(t, err, ErrTenant)
	}
}

// TestConflictNamesTheAttribute checks that a uniqueness violation names
// the attribute whose column the violated index holds (RFC 7644 §3.12,
// 409 uniqueness), here a group's displayName, as Entra ID expects of
// duplicate group names.
func TestConflictNamesTheAttribute(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			ctx := context.Background()
			db := open(t, d)
			index := `CREATE UNIQUE INDEX teams_name ON teams (org, name)`
			_, err := db.db.ExecContext(ctx, index)
			require.NoError(t, err)
			_, err = db.Store(schema.Users(), accounts())
			require.NoError(t, err)
			s, err := db.Store(schema.Groups(), teams())
			require.NoError(t, err)
			_, err = s.Create(ctx, &schema.Resource{Attributes: map[string]any{"displayName": "Ops"}})
			require.NoError(t, err)
			_, err = s.Create(ctx, &schema.Resource{Attributes: map[string]any{"displayName": "Ops"}})
			var ce *store.ConflictError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "displayName", ce.Attribute)
		})
	}
}

// TestNarrow checks the index-usable conditions Search adds: the id
// itself for id eq, a range of a PostgreSQL uuid key for a keyset page
// (RFC 9865 cursors), the case-insensitive column on MySQL for userName
// eq, and none where no index can serve.
func TestNarrow(t *testing.T) {
	const u = "0f6c1e2a-3b4c-4d5e-8f60-718293a4b5c6"
	for _, tc := range []struct {
		d      Dialect
		table  Table
		filter string
		want   string
		args   []any
	}{
		{PostgreSQL, accounts(), `id eq "42"`, "r.id = $1", []any{int64(42)}},
		{PostgreSQL, accounts(), `id eq "042"`, "1 = 0", nil},
		{PostgreSQL, accounts(), `id eq "7" or id eq "8"`, "(r.id = $1 OR r.id = $2)", []any{int64(7), int64(8)}},
		{PostgreSQL, accounts(), `id eq "7" or title eq "x"`, "", nil},
		{PostgreSQL, people(), `id gt "` + u + `"`, "r.id > $1", []any{u}},
		{PostgreSQL, people(), `id gt "0F6C"`, "", nil},
		{PostgreSQL, accounts(), `id gt "5"`, "", nil},
		{PostgreSQL, accounts(), `userName eq "x"`, "", nil},
		{MySQL, accounts(), `userName eq "X" and active eq true`, "r.email = ?", []any{"X"}},
		{MySQL, people(), `id gt "` + u + `"`, "", nil},
	} {
		s, err := (&DB{dialect: tc.d}).Store(schema.Users(), tc.table)
		require.NoError(t, err)
		e, err := filter.Parse(tc.filter)
		require.NoError(t, err)
		q := &sqlBuilder{d: tc.d}
		assert.Equal(t, tc.want, s.narrow(q, e), "%v %s", tc.d, tc.filter)
		assert.Equal(t, tc.args, q.args, "%v %s", tc.d, tc.filter)
	}
}

// TestNarrowArguments checks that a condition narrow leaves out leaves no
// argument behind: the arguments are exactly the placeholders', in order.
func TestNarrowArguments(t *testing.T) {
	for _, d := range dialects {
		s, err := (&DB{dialect: d}).Store(schema.Users(), accounts())
		require.NoError(t, err)
		e, err := filter.Parse(`(id eq "7" or active eq true) and userName eq "y" and id eq "8"`)
		require.NoError(t, err)
		q := &sqlBuilder{d: d}
		got := s.narrow(q, e)
		if d == MySQL {
			assert.Equal(t, "(r.email = ? AND r.id = ?)", got)
			assert.Equal(t, []any{"y", int64(8)}, q.args)
		} else {
			assert.Equal(t, "r.id = $1", got)
			assert.Equal(t, []any{int64(8)}, q.args)
		}
	}
}

// TestPatchDroppedAttribute checks that a PATCH of an attribute the table
// does not keep, through a handler serving Store.Type, is skipped as
// identity providers expect (they send what an administrator mapped), not
// refused by the store's Rest.
func TestPatchDroppedAttribute(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			db := open(t, d)
			decl := accounts()
			decl.Tenant, decl.Rest = "", Refuse
			_, err := db.db.Exec("ALTER TABLE accounts ALTER COLUMN org SET DEFAULT ''")
			require.NoError(t, err)
			s, err := db.Store(schema.Users(), decl)
			require.NoError(t, err)
			h, err := handler.New(handler.Config{Endpoints: []handler.Endpoint{{Type: s.Type(), Store: s}}, Logger: slog.New(slog.DiscardHandler)})
			require.NoError(t, err)
			do := func(method, path, body string) *httptest.ResponseRecorder {
				req := httptest.NewRequest(method, path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/scim+json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				return w
			}
			w := do(http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann","nickName":"A"}`)
			require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
			var u map[string]any
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &u))
			w = do(http.MethodPatch, "/Users/"+u["id"].(string), `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"replace","path":"nickName","value":"Annie"},{"op":"replace","path":"title","value":"Boss"}]}`)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Contains(t, w.Body.String(), `"title":"Boss"`)
			assert.NotContains(t, w.Body.String(), "nickName")
		})
	}
}
