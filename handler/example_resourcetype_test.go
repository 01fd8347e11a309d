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

// Serve a resource type of the host's own beside Users: devices with an
// immutable serial number that must be unique. Filters, PATCH, ETags and
// /Schemas work for it as for the core types.
func Example_customResourceType() {
	devices := &schema.ResourceType{
		Name: "Device", Endpoint: "/Devices", Description: "A laptop or phone issued to a user",
		Schema: &schema.Schema{ID: "urn:example:scim:schemas:Device", Name: "Device", Attributes: []*schema.Attribute{
			{Name: "serialNumber", Required: true, CaseExact: true, Mutability: schema.Immutable, Uniqueness: schema.UniquenessServer},
			{Name: "model"},
			{Name: "owner", Type: schema.Reference, ReferenceTypes: []string{"User"}},
			{Name: "retired", Type: schema.Boolean},
		}},
	}
	users := schema.Users()
	h, err := handler.New(handler.Config{Endpoints: []handler.Endpoint{
		{Type: users, Store: memory.New(users, memory.Options{})},
		{Type: devices, Store: memory.New(devices, memory.Options{})},
	}})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	send := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, _ := send(http.MethodPost, "/Devices", `{"schemas":["urn:example:scim:schemas:Device"],"serialNumber":"C02XK1","model":"MacBook Pro"}`)
	fmt.Println("create:", status)
	status, _ = send(http.MethodPost, "/Devices", `{"schemas":["urn:example:scim:schemas:Device"],"serialNumber":"C02XK1"}`)
	fmt.Println("same serial:", status)
	status, body := send(http.MethodGet, `/Devices?filter=model%20sw%20%22macbook%22&attributes=serialNumber`, "")
	fmt.Println("search:", status, strings.Contains(body, `"totalResults":1`))
	status, _ = send(http.MethodGet, "/Schemas/urn:example:scim:schemas:Device", "")
	fmt.Println("schema:", status)
	// Output:
	// create: 201
	// same serial: 409
	// search: 200 true
	// schema: 200
}
