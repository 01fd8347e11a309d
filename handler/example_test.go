package handler_test

import (
	"context"
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
	h, err := handler.New(handler.Config{Endpoints: []handler.Endpoint{
		{Type: users, Store: memory.New(users, memory.Options{})},
		{Type: groups, Store: memory.New(groups, memory.Options{})},
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

// Revoke a user's sessions the moment the identity provider deactivates
// them: OnChange hears every committed write with what changed.
func ExampleConfig_onChange() {
	users := schema.Users()
	h, err := handler.New(handler.Config{
		Endpoints: []handler.Endpoint{{Type: users, Store: memory.New(users, memory.Options{})}},
		OnChange: func(ctx context.Context, c handler.Change) error {
			if c.Has("active") && c.After != nil && c.After.Attributes["active"] == false {
				fmt.Println("revoke the sessions of", c.After.Attributes["userName"])
			}
			return nil
		},
	})
	if err != nil {
		panic(err)
	}
	auth, err := handler.BearerToken("s3cr3t")
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(handler.Authenticate(h, auth))
	defer srv.Close()
	send := func(method, path, body string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer s3cr3t")
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := send(http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","active":true}`)
	loc := resp.Header.Get("Location")
	id := loc[strings.LastIndexByte(loc, '/')+1:]
	// Entra ID's default dialect: a capitalised op and a string boolean.
	resp = send(http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	fmt.Println(resp.StatusCode)
	// Output:
	// revoke the sessions of bjensen
	// 200
}
