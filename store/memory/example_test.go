package memory_test

import (
	"context"
	"fmt"

	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// A memory store keeps resources of one type, with uniqueness enforced
// and each tenant apart.
func ExampleNew() {
	ctx := context.Background()
	users := memory.New(schema.Users(), memory.Options{})
	u, err := users.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": "bjensen"}})
	if err != nil {
		panic(err)
	}
	got, _ := users.Get(ctx, u.ID)
	fmt.Println(got.Attributes["userName"], got.Meta.Version != "")

	_, err = users.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": "BJensen"}})
	fmt.Println(err)

	other := store.WithTenant(ctx, "another-customer")
	_, err = users.Get(other, u.ID)
	fmt.Println(err)
	// Output:
	// bjensen true
	// store: uniqueness conflict: the userName is already taken
	// store: resource not found
}
