package handler_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/memory"
)

// Mount the handler under /scim/v2 with in-memory stores, create a user and
// find it again by userName, as Entra ID does before provisioning.
func ExampleNew() {
	users, groups := schema.Users(), schema.Groups()
	h, err := handler.New(handler.Config{ResourceTypes: []handler.ResourceType{
		{Type: users, Store: memory.New(users)},
		{Type: groups, Store: memory.New(groups)},
	}})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/scim/v2/Users", "application/scim+json", strings.NewReader(
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen@example.com","active":true}`))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, strings.HasPrefix(resp.Header.Get("Location"), srv.URL+"/scim/v2/Users/"))

	resp, err = http.Get(srv.URL + `/scim/v2/Users?filter=userName%20eq%20%22BJENSEN@example.com%22&attributes=userName`)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	fmt.Println(strings.Contains(string(body), `"totalResults":1`), strings.Contains(string(body), `"userName":"bjensen@example.com"`))
	// Output:
	// 201 true
	// 200 application/scim+json
	// true true
}
