package schema_test

import (
	"errors"
	"fmt"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

// A host declares its own extension of the User resource type: a badge
// number that must be unique and an office floor. Characteristics left out
// take the RFC 7643 §2.2 defaults.
func Example_customExtension() {
	badge := &schema.Schema{
		ID:   "urn:example:params:scim:schemas:extension:badge:2.0:User",
		Name: "Badge",
		Attributes: []*schema.Attribute{
			{Name: "badgeNumber", Required: true, Uniqueness: schema.UniquenessServer},
			{Name: "floor", Type: schema.Integer},
		},
	}
	users := schema.Users()
	users.Extensions = append(users.Extensions, schema.Extension{Schema: badge, Required: true})
	if err := users.Validate(); err != nil {
		panic(err)
	}

	body := `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
	              "urn:example:params:scim:schemas:extension:badge:2.0:User"],
	  "userName": "bjensen",
	  "urn:example:params:scim:schemas:extension:badge:2.0:User": {"BadgeNumber": "B-7", "floor": 3}
	}`
	r, err := document.Decode(users, []byte(body), document.DecodeOptions{})
	if err != nil {
		panic(err)
	}
	r, err = document.ValidateCreate(users, r)
	if err != nil {
		panic(err)
	}
	r.ID = "42"
	fmt.Println(r.String(badge.ID + ":badgeNumber"))
	fmt.Println(string(document.AppendJSON(nil, users, r, nil)))

	// A user without the required extension is rejected with a SCIM error.
	missing, _ := document.Decode(users, []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"}`), document.DecodeOptions{})
	_, err = document.ValidateCreate(users, missing)
	var se *schema.Error
	if errors.As(err, &se) {
		fmt.Println(se.Status, se.Type)
	}
	// Output:
	// B-7
	// {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:params:scim:schemas:extension:badge:2.0:User"],"id":"42","userName":"bjensen","urn:example:params:scim:schemas:extension:badge:2.0:User":{"badgeNumber":"B-7","floor":3}}
	// 400 invalidValue
}

// Decoding accepts what Entra ID sends: a string boolean and a bare manager id.
func ExampleDecode() {
	body := `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
	  "userName": "bjensen@example.com",
	  "active": "False",
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": "26118915"}
	}`
	r, err := document.Decode(schema.Users(), []byte(body), document.DecodeOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Attributes["active"], r.String(schema.EnterpriseUserSchema+":manager.value"))

	_, err = document.Decode(schema.Users(), []byte(body), document.DecodeOptions{Strict: true})
	fmt.Println(err)
	// Output:
	// false 26118915
	// scim 400 invalidValue: attribute "active" must be a boolean, not the string "False"
}

// A projection applies the "attributes" parameter of RFC 7644 §3.4.2.5; "id"
// is always returned.
func ExampleNewProjection() {
	users := schema.Users()
	r := &schema.Resource{ID: "42", Attributes: map[string]any{
		"userName": "bjensen",
		"password": "secret",
		"name":     map[string]any{"givenName": "Barbara", "familyName": "Jensen"},
	}}
	p := document.NewProjection(users, []string{"name.givenName", "password"}, nil)
	fmt.Println(string(document.AppendJSON(nil, users, r, p)))
	// Output:
	// {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"42","name":{"givenName":"Barbara"}}
}

// A store over a users table with an email, two names and a flag serves a
// User type trimmed to those: discovery advertises nothing else, and what
// an identity provider sends for the other attributes is dropped.
func ExampleResourceType_Keep() {
	users, err := schema.Users().Keep("userName", "name.givenName", "name.familyName", "emails", "active")
	if err != nil {
		panic(err)
	}
	for _, a := range users.Schema.Attributes {
		fmt.Print(a.Name, " ")
	}
	fmt.Println(len(users.Extensions))
	fmt.Println(users.Dropped("", "title", ""), users.Dropped("", "name", "formatted"), users.Dropped("", "bogus", ""))
	// Output:
	// userName name active emails 0
	// true true false
}
