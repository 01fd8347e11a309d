package filter_test

import (
	"fmt"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// Parse a filter once, compile it for the User resource type, and match
// resources with it.
func Example() {
	users := schema.Users()
	e, err := filter.Parse(`emails[type eq "work"].value eq "BJensen@Example.com" and active eq true`)
	if err != nil {
		panic(err)
	}
	m, err := filter.Compile(users, e)
	if err != nil {
		panic(err)
	}
	r := &schema.Resource{ID: "1", Attributes: map[string]any{
		"userName": "bjensen",
		"active":   true,
		"emails":   []any{map[string]any{"value": "bjensen@example.com", "type": "work"}},
	}}
	fmt.Println(m.Match(r))

	_, err = filter.Parse(`userName eq`)
	fmt.Println(err)
	// Output:
	// true
	// scim 400 invalidFilter: invalid filter "userName eq": at offset 11: expected a value (a string in double quotes, a number, true, false or null), found end of input
}

// Translate a filter to a parameterised WHERE clause for a table whose
// columns the Mapper names.
func ExampleToSQL() {
	users := schema.Users()
	e, _ := filter.Parse(`userName sw "J" and active eq true`)
	m, _ := filter.Compile(users, e)
	where, args, err := filter.ToSQL(m, func(a filter.Attr) (filter.Column, bool) {
		switch a.String() {
		case "userName":
			return filter.Column{Expr: "u.user_name"}, true
		case "active":
			return filter.Column{Expr: "u.is_active"}, true
		}
		return filter.Column{}, false
	}, 1)
	fmt.Println(where, args, err)
	// Output:
	// (lower(u.user_name) LIKE $1 ESCAPE '\' AND u.is_active = $2) [j% true] <nil>
}
