package filter_test

import (
	"errors"
	"testing"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// FuzzParse checks that no input panics the parser, the compiler, the
// evaluator or the SQL translator; that every rejection is a SCIM
// invalidFilter error; and that whatever parses round-trips through String.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		simpleFilter, complexFilter,
		`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
		`emails[type eq "work"].value eq "x@example.com"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m"`,
		`meta.lastModified gt "2011-05-13T04:42:34Z" and not (active eq false)`,
		`a eq "q\" \u00e9 \ud83d\ude00" or b gt -1.5e3 or c eq null`,
		`((a pr))`, `not (x pr)`, `members[value eq "1" or value eq "2"]`,
	} {
		f.Add(s)
	}
	users := schema.Users()
	rs := fixtureUsers()
	f.Fuzz(func(t *testing.T, s string) {
		e, err := filter.Parse(s)
		if err != nil {
			var se *schema.Error
			if !errors.As(err, &se) || se.Type != schema.ScimInvalidFilter || se.Status != 400 {
				t.Fatalf("Parse(%q): error is not a 400 invalidFilter: %#v", s, err)
			}
			return
		}
		text := e.String()
		back, err := filter.Parse(text)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q, which does not parse: %v", s, text, err)
		}
		if !filter.Equal(e, back) {
			t.Fatalf("round trip changed the tree: %q -> %q -> %q", s, text, back.String())
		}
		if back.String() != text {
			t.Fatalf("String is not canonical: %q -> %q", text, back.String())
		}
		m, err := filter.Compile(users, e)
		if err != nil {
			var se *schema.Error
			if !errors.As(err, &se) || se.Type != schema.ScimInvalidFilter {
				t.Fatalf("Compile(%q): error is not invalidFilter: %#v", s, err)
			}
			return
		}
		for _, r := range rs {
			m.Match(r)
		}
		if _, _, err := filter.ToSQL(m, jsonbMapper, 1); err != nil {
			t.Fatalf("ToSQL(%q) failed for a filter that compiled: %v", s, err)
		}
	})
}

// FuzzParsePath checks PATCH path parsing the same way.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{`members`, `name.familyName`, `emails[type eq "work"].value`,
		`members[value eq "2819c223"]`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := filter.ParsePath(s)
		if err != nil {
			var se *schema.Error
			if !errors.As(err, &se) || se.Type != schema.ScimInvalidPath {
				t.Fatalf("ParsePath(%q): error is not invalidPath: %#v", s, err)
			}
			return
		}
		back, err := filter.ParsePath(p.String())
		if err != nil {
			t.Fatalf("ParsePath(%q).String() = %q, which does not parse: %v", s, p.String(), err)
		}
		if back.String() != p.String() {
			t.Fatalf("round trip changed the path: %q -> %q", p.String(), back.String())
		}
	})
}
