package sqltable

import (
	"strings"
	"testing"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// FuzzFilterSQL translates any filter the parser accepts for the mapped
// accounts table, in both dialects, and checks the placeholders: every
// argument has exactly one, in order, and none is left in PostgreSQL's
// form on MySQL, so that a value can never be read as SQL nor land in the
// wrong place. The narrowing condition is checked the same way.
func FuzzFilterSQL(f *testing.F) {
	for _, s := range []string{
		`userName eq "a'b"`, `userName sw "x%_\\"`, `id eq "12" or id eq "abc"`,
		`emails[type eq "work"].value co "$1"`, `title pr and not (displayName eq "?")`,
		`name.givenName gt "m" and active eq false`, `meta.lastModified gt "2024-01-01T00:00:00Z"`,
		`externalId eq "$12" or userName ew "'$3'"`,
		`(id eq "7" or active eq true) and userName eq "y" and id eq "8"`,
	} {
		f.Add(s)
	}
	db := &DB{dialect: PostgreSQL}
	t := accounts()
	t.Columns = append(t.Columns, Column{Attr: "emails.value", Name: "work_email", Value: map[string]any{"type": "work"}})
	var stores []*Store
	for _, d := range dialects {
		db.dialect = d
		for _, decl := range []Table{t, people()} { // columns; a JSON column
			s, err := db.Store(schema.Users(), decl)
			if err != nil {
				f.Fatal(err)
			}
			stores = append(stores, s)
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		e, err := filter.Parse(in)
		if err != nil {
			return
		}
		m, err := filter.Compile(schema.Users(), e)
		if err != nil {
			return
		}
		for _, s := range stores {
			d := s.d
			where, args, err := s.filter(m)
			if err != nil {
				continue
			}
			nb := &sqlBuilder{d: d}
			narrow := s.narrow(nb, e)
			for _, part := range []struct {
				sql  string
				args int
			}{{where, len(args)}, {narrow, len(nb.args)}} {
				text := withoutLiterals(part.sql)
				if d == MySQL {
					if strings.Count(text, "?") != part.args || strings.Contains(text, "$") {
						t.Fatalf("%v: %q: %d arguments for %q", d, in, part.args, part.sql)
					}
					continue
				}
				for n := 1; n <= part.args; n++ {
					if !strings.Contains(text, s.d.arg(n)) {
						t.Fatalf("%v: %q: no placeholder %d of %d in %q", d, in, n, part.args, part.sql)
					}
				}
				if strings.Contains(text, s.d.arg(part.args+1)) {
					t.Fatalf("%v: %q: a placeholder past the %d arguments in %q", d, in, part.args, part.sql)
				}
			}
		}
	})
}

// withoutLiterals removes the SQL string literals of s, which the store
// writes itself (such as 'work'), leaving the placeholders.
func withoutLiterals(s string) string {
	var b strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			quoted = !quoted
			continue
		}
		if !quoted {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
