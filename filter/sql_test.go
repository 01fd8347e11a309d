package filter_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/valuekey"
	"github.com/scimkit/scimkit/schema"
)

// jsonbMapper maps User attributes to a table r(id, external_id, created,
// last_modified, version, data jsonb), the layout a jsonb store uses.
func jsonbMapper(a filter.Attr) (filter.Column, bool) {
	if a.Common {
		switch a.String() {
		case "id":
			return filter.Column{Expr: "r.id"}, true
		case "externalId":
			return filter.Column{Expr: "r.external_id"}, true
		case "meta.created":
			return filter.Column{Expr: "r.created"}, true
		case "meta.lastModified":
			return filter.Column{Expr: "r.last_modified"}, true
		}
		return filter.Column{}, false
	}
	doc := "r.data"
	if a.Ext != nil {
		doc += "->'" + strings.ReplaceAll(a.Ext.Schema.ID, "'", "''") + "'"
	}
	cast := func(expr string, t schema.Type) string {
		switch t {
		case schema.Boolean:
			return "(" + expr + ")::boolean"
		case schema.Integer, schema.Decimal:
			return "(" + expr + ")::numeric"
		case schema.DateTime:
			return "(" + expr + ")::timestamptz"
		}
		return expr
	}
	name := a.Attr.Name
	switch {
	case a.Attr.MultiValued && a.Sub != nil:
		return filter.Column{
			Elements: "jsonb_array_elements(" + doc + "->'" + name + "') AS e",
			Expr:     cast("e->>'"+a.Sub.Name+"'", a.Sub.Type),
		}, true
	case a.Attr.MultiValued:
		return filter.Column{Elements: "jsonb_array_elements_text(" + doc + "->'" + name + "') AS e", Expr: "e"}, true
	case a.Sub != nil:
		return filter.Column{Expr: cast(doc+"->'"+name+"'->>'"+a.Sub.Name+"'", a.Sub.Type)}, true
	}
	return filter.Column{Expr: cast(doc+"->>'"+name+"'", a.Attr.Type)}, true
}

func toSQL(t *testing.T, rt *schema.ResourceType, f string, mapper filter.Mapper) (string, []any, error) {
	t.Helper()
	e, err := filter.Parse(f)
	require.NoError(t, err)
	m, err := filter.Compile(rt, e)
	require.NoError(t, err)
	return filter.ToSQL(m, mapper, 1)
}

func TestToSQL(t *testing.T) {
	users := schema.Users()
	created := time.Date(2011, 5, 13, 4, 42, 34, 0, time.UTC)
	tests := []struct {
		name, filter, sql string
		args              []any
	}{
		{"eq on a case-insensitive string", `userName eq "BJensen"`,
			`lower(r.data->>'userName') = $1`, []any{"bjensen"}},
		{"eq on a caseExact attribute", `id eq "AbC"`, `r.id = $1`, []any{"AbC"}},
		{"co escapes LIKE wildcards", `userName co "50%_off\\"`,
			`lower(r.data->>'userName') LIKE $1 ESCAPE '\'`, []any{`%50\%\_off\\%`}},
		{"sw", `userName sw "J"`, `lower(r.data->>'userName') LIKE $1 ESCAPE '\'`, []any{"j%"}},
		{"ew", `externalId ew "x"`, `r.external_id LIKE $1 ESCAPE '\'`, []any{"%x"}},
		{"pr on a string", `title pr`, `(r.data->>'title' IS NOT NULL AND r.data->>'title' <> '')`, nil},
		{"pr on a boolean", `active pr`, `(r.data->>'active')::boolean IS NOT NULL`, nil},
		{"ne is null-safe", `title ne "x"`, `NOT COALESCE(lower(r.data->>'title') = $1, false)`, []any{"x"}},
		{"eq null", `title eq null`, `NOT COALESCE((r.data->>'title' IS NOT NULL AND r.data->>'title' <> ''), false)`, nil},
		{"boolean", `active eq true`, `(r.data->>'active')::boolean = $1`, []any{true}},
		{"boolean as a string", `active eq "False"`, `(r.data->>'active')::boolean = $1`, []any{false}},
		{"dateTime", `meta.lastModified gt "2011-05-13T04:42:34Z"`, `r.last_modified > $1`, []any{created}},
		{"ordering on a string", `userName le "M"`, `lower(r.data->>'userName') <= $1`, []any{"m"}},
		{"sub-attribute", `name.familyName eq "J"`, `lower(r.data->'name'->>'familyName') = $1`, []any{"j"}},
		{"multi-valued sub-attribute", `emails.value eq "a@b"`,
			`EXISTS (SELECT 1 FROM jsonb_array_elements(r.data->'emails') AS e WHERE lower(e->>'value') = $1)`, []any{"a@b"}},
		{"complex multi-valued compares value", `emails co "@x"`,
			`EXISTS (SELECT 1 FROM jsonb_array_elements(r.data->'emails') AS e WHERE lower(e->>'value') LIKE $1 ESCAPE '\')`, []any{"%@x%"}},
		{"value path: one element passes both", `emails[type eq "work" and value co "@x"]`,
			`EXISTS (SELECT 1 FROM jsonb_array_elements(r.data->'emails') AS e WHERE (lower(e->>'type') = $1 AND lower(e->>'value') LIKE $2 ESCAPE '\'))`, []any{"work", "%@x%"}},
		{"value path with ne inside", `emails[type ne "work"]`,
			`EXISTS (SELECT 1 FROM jsonb_array_elements(r.data->'emails') AS e WHERE NOT COALESCE(lower(e->>'type') = $1, false))`, []any{"work"}},
		{"Entra value path with sub-attribute", `emails[type eq "work"].value eq "x"`,
			`EXISTS (SELECT 1 FROM jsonb_array_elements(r.data->'emails') AS e WHERE (lower(e->>'type') = $1 AND lower(e->>'value') = $2))`, []any{"work", "x"}},
		{"RFC 7644 §3.4.2.2: ne on an Entra value path, some value differs", `emails[type eq "work"].value ne "x"`,
			`EXISTS (SELECT 1 FROM jsonb_array_elements(r.data->'emails') AS e WHERE (lower(e->>'type') = $1 AND ((e->>'value' IS NOT NULL AND e->>'value' <> '') AND NOT COALESCE(lower(e->>'value') = $2, false))))`, []any{"work", "x"}},
		{"RFC 7644 §3.4.2.2: ne on a multi-valued attribute, some value differs", `emails.type ne "home"`,
			`EXISTS (SELECT 1 FROM jsonb_array_elements(r.data->'emails') AS e WHERE ((e->>'type' IS NOT NULL AND e->>'type' <> '') AND NOT COALESCE(lower(e->>'type') = $1, false)))`, []any{"home"}},
		{"extension", ent + `:manager.value eq "m"`,
			`lower(r.data->'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'->'manager'->>'value') = $1`, []any{"m"}},
		{"logic and not", `userName sw "a" and not (active eq false or title pr)`,
			`(lower(r.data->>'userName') LIKE $1 ESCAPE '\' AND NOT COALESCE(((r.data->>'active')::boolean = $2 OR (r.data->>'title' IS NOT NULL AND r.data->>'title' <> '')), false))`,
			[]any{"a%", false}},
		{"single-valued complex value path", `name[givenName eq "B"]`, `lower(r.data->'name'->>'givenName') = $1`, []any{"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sql, args, err := toSQL(t, users, tt.filter, jsonbMapper)
			require.NoError(t, err)
			assert.Equal(t, tt.sql, sql)
			assert.Equal(t, tt.args, args)
		})
	}

	devices := deviceType()
	sql, args, err := toSQL(t, devices, `floor gt 3 and weight le 2.5 and ports eq 22 and tags eq "x"`, jsonbMapper)
	require.NoError(t, err)
	assert.Equal(t, `((((r.data->>'floor')::numeric > $1 AND (r.data->>'weight')::numeric <= $2) AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(r.data->'ports') AS e WHERE e = $3)) AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(r.data->'tags') AS e WHERE lower(e) = $4))`, sql)
	assert.Equal(t, []any{int64(3), 2.5, int64(22), "x"}, args)

	// Placeholders continue from firstArg.
	e, _ := filter.Parse(`userName eq "a"`)
	m, _ := filter.Compile(users, e)
	sql, _, err = filter.ToSQL(m, jsonbMapper, 4)
	require.NoError(t, err)
	assert.Equal(t, `lower(r.data->>'userName') = $4`, sql)
}

func TestToSQLUnmapped(t *testing.T) {
	users := schema.Users()
	only := func(allowed ...string) filter.Mapper {
		return func(a filter.Attr) (filter.Column, bool) {
			for _, s := range allowed {
				if a.String() == s {
					return jsonbMapper(a)
				}
			}
			return filter.Column{}, false
		}
	}
	for _, tt := range []struct{ filter, attr string }{
		{`title pr`, "title"},
		{`userName eq "a" or title pr`, "title"},
		{`emails[type eq "work"]`, "emails.value"},
		{`emails[type eq "work"].value eq "x"`, "emails.value"},
		{`meta.version eq "x"`, "meta.version"},
	} {
		_, _, err := toSQL(t, users, tt.filter, only("userName", "emails.type"))
		require.ErrorIs(t, err, errors.ErrUnsupported, tt.filter)
		var ue *filter.UnmappedError
		require.ErrorAs(t, err, &ue)
		if tt.filter != `emails[type eq "work"]` {
			assert.Equal(t, tt.attr, ue.Attr.String(), tt.filter)
		}
		assert.Contains(t, ue.Error(), "cannot be filtered in SQL")
	}
	// Sub-attributes of one attribute stored in different element sets cannot share one EXISTS.
	split := func(a filter.Attr) (filter.Column, bool) {
		c, ok := jsonbMapper(a)
		if a.Sub != nil && a.Sub.Name == "type" {
			c.Elements = "other AS e"
		}
		return c, ok
	}
	_, _, err := toSQL(t, users, `emails[value eq "x" and type eq "work"]`, split)
	assert.ErrorIs(t, err, errors.ErrUnsupported)
}

// TestToSQLInjection checks that hostile values reach the database only as
// parameters: the SQL text holds placeholders and the mapper's expressions,
// never any part of a value.
func TestToSQLInjection(t *testing.T) {
	users := schema.Users()
	hostile := []string{
		`x' OR '1'='1`,
		`'; DROP TABLE users; --`,
		`\'; SELECT pg_sleep(10); --`,
		`$1`,
		`") OR 1=1 --`,
		"x\u2028y",
		`%' OR data IS NOT NULL OR '%`,
		`' UNION SELECT password FROM users --`,
	}
	for _, v := range hostile {
		for _, op := range []string{"eq", "ne", "co", "sw", "ew", "gt", "le"} {
			f := `userName ` + op + ` ` + quote(v) + ` or emails[type eq ` + quote(v) + `].value ` + op + ` ` + quote(v)
			sql, args, err := toSQL(t, users, f, jsonbMapper)
			require.NoError(t, err, f)
			for _, frag := range []string{"DROP", "pg_sleep", "UNION", "1=1", "'1'", "IS NOT NULL OR"} {
				assert.NotContains(t, sql, frag, f)
			}
			assert.Len(t, args, 3, f)
			for _, a := range args {
				s, ok := a.(string)
				require.True(t, ok)
				assert.Contains(t, strings.ToLower(unescapeLike(s)), strings.ToLower(v), "the value travels whole as a parameter")
			}
		}
	}
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case 0:
			b.WriteString(`\u0000`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func unescapeLike(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\%`, `%`, `\_`, `_`).Replace(s)
}

// TestToSQLFold checks Column.Fold: case-insensitive strings compare
// through the named function with the literal folded by valuekey.Fold, and
// orderings bytewise (COLLATE "C"), as Matcher.Match compares them.
func TestToSQLFold(t *testing.T) {
	users := schema.Users()
	folding := func(a filter.Attr) (filter.Column, bool) {
		c, ok := jsonbMapper(a)
		c.Fold = "f"
		return c, ok
	}
	for _, tt := range []struct {
		filter, sql string
		args        []any
	}{
		{`userName eq "ſTEFAN"`, `f(r.data->>'userName') = $1`, []any{"stefan"}},
		{`userName sw "\u212aA"`, `f(r.data->>'userName') LIKE $1 ESCAPE '\'`, []any{"ka%"}},
		{`userName gt "Å"`, `f(r.data->>'userName') COLLATE "C" > $1`, []any{valuekey.Fold("Å")}},
		{`externalId eq "ſ"`, `r.external_id = $1`, []any{"ſ"}},             // caseExact: not folded
		{`externalId gt "B"`, `r.external_id COLLATE "C" > $1`, []any{"B"}}, // caseExact: bytewise, "a" after "B"
		{`id le "B"`, `r.id COLLATE "C" <= $1`, []any{"B"}},
	} {
		sql, args, err := toSQL(t, users, tt.filter, folding)
		require.NoError(t, err, tt.filter)
		assert.Equal(t, tt.sql, sql, tt.filter)
		assert.Equal(t, tt.args, args, tt.filter)
	}
}
