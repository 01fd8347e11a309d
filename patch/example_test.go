package patch_test

import (
	"context"
	"fmt"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
)

// Apply the request Entra ID sends to disable a user and change their work
// email, including its capitalised ops and string boolean.
func ExampleApply() {
	users := schema.Users()
	stored := &schema.Resource{ID: "42", Attributes: map[string]any{
		"userName": "bjensen",
		"active":   true,
		"emails":   []any{map[string]any{"value": "bjensen@example.com", "type": "work"}},
	}}
	ops, err := patch.Decode([]byte(`{
	  "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	  "Operations": [
	    {"op": "Replace", "path": "active", "value": "False"},
	    {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "babs@example.com"}
	  ]}`), patch.Options{})
	if err != nil {
		panic(err)
	}
	updated, changed, err := patch.Apply(context.Background(), users, stored, ops, patch.Options{})
	if err != nil {
		panic(err)
	}
	emails, _ := updated.Get("emails.value")
	fmt.Println(changed, updated.Attributes["active"], emails, stored.Attributes["active"])

	// Writing a readOnly attribute fails, naming the operation.
	ops, _ = patch.Decode([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	  "Operations":[{"op":"replace","path":"id","value":"x"}]}`), patch.Options{})
	_, _, err = patch.Apply(context.Background(), users, stored, ops, patch.Options{})
	fmt.Println(err)
	// Output:
	// true false [babs@example.com] true
	// scim 400 mutability: operation 0 (replace id): attribute "id" is readOnly
}
