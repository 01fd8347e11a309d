package filter_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// TestParseRFCExamples parses every filter example of RFC 7644 §3.4.2.2
// (Figure 2 and the surrounding text) and checks its canonical form.
func TestParseRFCExamples(t *testing.T) {
	tests := []struct{ in, want string }{
		{`userName Eq "john"`, `userName eq "john"`},
		{`Username eq "john"`, `Username eq "john"`},
		{`userName eq "bjensen"`, `userName eq "bjensen"`},
		{`name.familyName co "O'Malley"`, `name.familyName co "O'Malley"`},
		{`userName sw "J"`, `userName sw "J"`},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`, `urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`},
		{`title pr`, `title pr`},
		{`meta.lastModified gt "2011-05-13T04:42:34Z"`, `meta.lastModified gt "2011-05-13T04:42:34Z"`},
		{`meta.lastModified ge "2011-05-13T04:42:34Z"`, `meta.lastModified ge "2011-05-13T04:42:34Z"`},
		{`meta.lastModified lt "2011-05-13T04:42:34Z"`, `meta.lastModified lt "2011-05-13T04:42:34Z"`},
		{`meta.lastModified le "2011-05-13T04:42:34Z"`, `meta.lastModified le "2011-05-13T04:42:34Z"`},
		{`title pr and userType eq "Employee"`, `title pr and userType eq "Employee"`},
		{`title pr or userType eq "Intern"`, `title pr or userType eq "Intern"`},
		{`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`, `schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`},
		{`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
			`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`},
		{`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
			`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`},
		{`userType eq "Employee" and (emails.type eq "work")`, `userType eq "Employee" and emails.type eq "work"`},
		{`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`,
			`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`},
		{`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
			`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := filter.Parse(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, e.String())
			back, err := filter.Parse(e.String())
			require.NoError(t, err)
			assert.True(t, filter.Equal(e, back), "String() parses back to the same tree")
		})
	}
}

func TestParseForms(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"RFC 7644 §3.4.2.2: keywords and operators are case-insensitive", `a EQ "x" AND NOT (b PR) OR c Pr`, `a eq "x" and not (b pr) or c pr`},
		{"precedence: and binds tighter than or", `a pr or b pr and c pr`, `a pr or b pr and c pr`},
		{"parentheses override precedence", `(a pr or b pr) and c pr`, `(a pr or b pr) and c pr`},
		{"left associativity is kept", `a pr and (b pr and c pr)`, `a pr and (b pr and c pr)`},
		{"redundant parentheses are dropped", `((a pr))`, `a pr`},
		{"not binds to its group", `not (a pr) and b pr`, `not (a pr) and b pr`},
		{"repeated and surrounding whitespace", "  a   eq\t\"x\"\n and  b pr  ", `a eq "x" and b pr`},
		{"no space before a quoted value", `a eq"x"`, `a eq "x"`},
		{"true false null in any case", `a eq TRUE or b eq False or c eq null`, `a eq true or b eq false or c eq null`},
		{"numbers", `a eq 10 or b gt -1.5e3 or c lt 0`, `a eq 10 or b gt -1.5e3 or c lt 0`},
		{"JSON string escapes", `a eq "q\" b\\ s\/ \u00e9 \ud83d\ude00 \n"`, `a eq "q\" b\\ s/ é 😀 \n"`},
		{"Entra ID: value path with a sub-attribute compared", `emails[type eq "work"].value eq "x@example.com"`, `emails[type eq "work"].value eq "x@example.com"`},
		{"extension URN with a sub-attribute", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m"`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m"`},
		{"$ref sub-attribute", `members.$ref pr`, `members.$ref pr`},
		{"an attribute named like a keyword", `not eq "x"`, `not eq "x"`},
		{"value path inside logic inside a value path's sibling", `members[value eq "1" or value eq "2"] and displayName sw "G"`, `members[value eq "1" or value eq "2"] and displayName sw "G"`},
		{"not inside a value filter", `emails[not (type eq "work")]`, `emails[not (type eq "work")]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := filter.Parse(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, e.String())
			back, err := filter.Parse(e.String())
			require.NoError(t, err)
			assert.True(t, filter.Equal(e, back))
		})
	}
}

func TestParseAST(t *testing.T) {
	e, err := filter.Parse(`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m" and not (emails[type eq "work"])`)
	require.NoError(t, err)
	l, ok := e.(*filter.Logical)
	require.True(t, ok)
	assert.Equal(t, filter.And, l.Op)
	c := l.Left.(*filter.Compare)
	assert.Equal(t, filter.Path{URN: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", Name: "manager", Sub: "value"}, c.Path)
	assert.Equal(t, filter.Eq, c.Op)
	assert.Equal(t, "m", c.Value)
	vp := l.Right.(*filter.Not).Expr.(*filter.ValuePath)
	assert.Equal(t, "emails", vp.Path.Name)
	assert.Equal(t, `type eq "work"`, vp.Filter.String())

	var kinds []string
	filter.Walk(e, func(x filter.Expr) bool {
		switch x.(type) {
		case *filter.Logical:
			kinds = append(kinds, "logical")
		case *filter.Compare:
			kinds = append(kinds, "compare")
		case *filter.Not:
			kinds = append(kinds, "not")
		case *filter.ValuePath:
			kinds = append(kinds, "valuePath")
		}
		return true
	})
	assert.Equal(t, []string{"logical", "compare", "not", "valuePath", "compare"}, kinds)

	n, err := filter.Parse(`a gt 1.50`)
	require.NoError(t, err)
	assert.Equal(t, json.Number("1.50"), n.(*filter.Compare).Value, "numbers are kept exactly")
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		offset int
		msg    string
	}{
		{"empty", ``, 0, "found end of input"},
		{"only spaces", `   `, 3, "found end of input"},
		{"missing value", `userName eq`, 11, "expected a value"},
		{"unterminated string", `userName eq "unterminated`, 12, "unterminated string"},
		{"unknown operator", `userName is "x"`, 9, "expected an operator"},
		{"missing operator", `userName`, 8, "expected an operator"},
		{"bare word value", `userName eq bjensen`, 12, "expected a value"},
		{"bad number", `a eq 01`, 5, "not a JSON number"},
		{"bad number exponent", `a eq 1e`, 5, "not a JSON number"},
		{"dangling and", `a pr and`, 8, "found end of input"},
		{"unbalanced parenthesis", `(a pr`, 5, `expected ")"`},
		{"extra parenthesis", `a pr)`, 4, "after a complete filter"},
		{"not without parentheses", `not a pr`, 4, "expected an operator"},
		{"unclosed value filter", `emails[type eq "work"`, 21, `expected "]"`},
		{"nested value filter", `emails[type[value pr] pr]`, 11, "cannot be nested"},
		{"attribute name starting with a digit", `1abc pr`, 0, "not an attribute name"},
		{"empty sub-attribute", `name. pr`, 5, "not a sub-attribute name"},
		{"sub-attribute of a $ alone", `a.$ eq "x"`, 2, "not a sub-attribute name"},
		{"attribute name of $ then a digit", `$1 pr`, 0, "not an attribute name"},
		{"two sub-attributes", `a.b.c pr`, 2, "not a sub-attribute name"},
		{"empty URN", `:userName pr`, 0, "empty schema URN"},
		{"URN without a scheme", `!:userName pr`, 0, "is not a schema URI"},
		{"URN of a scheme alone", `urn:userName pr`, 0, "is not a schema URI"},
		{"value filter after a sub-attribute", `name.givenName[x pr]`, 14, "must follow an attribute"},
		{"bad sub-attribute after value filter", `emails[type pr].1x eq "a"`, 16, "sub-attribute name"},
		{"control character in string", "a eq \"x\ty\"", 7, "control character"},
		{"bad escape", `a eq "\x"`, 6, "invalid escape"},
		{"bad unicode escape", `a eq "\u12"`, 6, "invalid \\u escape"},
		{"garbage after filter", `a pr b pr`, 5, "after a complete filter"},
		{"invalid UTF-8 in a string", "a eq \"x\xe5\"", 7, "invalid UTF-8"},
		{"U+0000 escaped in a string", `a eq "x\u0000y"`, 7, "U+0000 is not allowed"},
		{"U+0000 in a value filter", `emails[value eq "\u0000"]`, 17, "U+0000 is not allowed"},
		{"U+0000 as a raw byte", "a eq \"x\x00\"", 7, "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := filter.Parse(tt.in)
			var se *schema.Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, 400, se.Status)
			assert.Equal(t, schema.ScimInvalidFilter, se.Type, "RFC 7644 §3.12: invalidFilter")
			var syn *filter.SyntaxError
			require.ErrorAs(t, err, &syn)
			assert.Equal(t, tt.offset, syn.Offset)
			assert.Contains(t, syn.Msg, tt.msg)
			assert.Contains(t, se.Detail, "offset")
		})
	}
}

func TestParseLimits(t *testing.T) {
	deep := strings.Repeat("(", 40) + "a pr" + strings.Repeat(")", 40)
	_, err := filter.Parse(deep)
	var syn *filter.SyntaxError
	require.ErrorAs(t, err, &syn)
	assert.Contains(t, syn.Msg, "nesting deeper than 32")

	_, err = filter.Limits{MaxDepth: 50}.Parse(deep)
	assert.NoError(t, err)

	long := `a eq "` + strings.Repeat("x", 9000) + `"`
	_, err = filter.Parse(long)
	require.ErrorAs(t, err, &syn)
	assert.Contains(t, syn.Msg, "limit is 8192")
	_, err = filter.Limits{MaxLength: 10000}.Parse(long)
	assert.NoError(t, err)

	nots := strings.Repeat("not (", 33) + "a pr" + strings.Repeat(")", 33)
	_, err = filter.Parse(nots)
	assert.Error(t, err, "not counts toward depth")

	// A long flat chain is bounded by length, not depth.
	chain := "a pr" + strings.Repeat(" and a pr", 800)
	_, err = filter.Parse(chain)
	assert.NoError(t, err)
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		in   string
		want filter.Path
	}{
		{`members`, filter.Path{Name: "members"}},
		{`name.familyName`, filter.Path{Name: "name", Sub: "familyName"}},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`, filter.Path{URN: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", Name: "manager"}},
		{`emails[type eq "work"].value`, filter.Path{Name: "emails", Sub: "value"}},
		{`members[value eq "2819c223-7f76-453a-919d-413861904646"]`, filter.Path{Name: "members"}},
		{` addresses[type eq "work"].streetAddress `, filter.Path{Name: "addresses", Sub: "streetAddress"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := filter.ParsePath(tt.in)
			require.NoError(t, err)
			f := p.Filter
			p.Filter = nil
			assert.Equal(t, tt.want, p)
			if strings.Contains(tt.in, "[") {
				require.NotNil(t, f)
				p.Filter = f
				assert.Equal(t, strings.TrimSpace(tt.in), p.String())
			}
		})
	}
	for _, bad := range []string{``, "na\xffme", `members[value eq`, `a b`, `emails[type eq "work"] eq "x"`, `1x`} {
		_, err := filter.ParsePath(bad)
		var se *schema.Error
		require.ErrorAs(t, err, &se, bad)
		assert.Equal(t, schema.ScimInvalidPath, se.Type, "RFC 7644 §3.5.2: a bad path is invalidPath")
		assert.True(t, errors.As(err, new(*filter.SyntaxError)))
	}
	_, err := filter.Limits{MaxLength: 4}.ParsePath("members")
	assert.Error(t, err)
}

func TestOpStrings(t *testing.T) {
	assert.Equal(t, "le", filter.Le.String())
	assert.Equal(t, "op?", filter.Op(0).String())
	assert.Equal(t, "or", filter.Or.String())
}

const (
	simpleFilter  = `userName eq "bjensen"`
	complexFilter = `emails[type eq "work" and value co "@example.com"] or (name.familyName sw "J" and not (title pr))`
)

func BenchmarkParseSimple(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := filter.Parse(simpleFilter); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseComplex(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := filter.Parse(complexFilter); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseAllocs guards the allocation budget of the common lookup filter.
func TestParseAllocs(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() { _, _ = filter.Parse(simpleFilter) })
	assert.LessOrEqual(t, allocs, 4.0)
}
