package handler_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
)

// TestQueryDetails checks issue 24's query items: an empty filter is not a
// filter (RFC 7644 §3.4.2.2: at least one expression), and a malformed
// attribute list is refused (RFC 7644 §3.4.2.5, §3.10), by GET and by
// POST /.search.
func TestQueryDetails(t *testing.T) {
	s := newServer(t, "", nil)
	id := s.create("/Users", user("details"))
	for _, tt := range []struct {
		name, query string
		status      int
		scimType    schema.ScimType
	}{
		{"RFC 7644 §3.4.2.2: empty filter", "filter=", 400, schema.ScimInvalidFilter},
		{"a filter of spaces", "filter=%20%20", 400, schema.ScimInvalidFilter},
		{"RFC 7644 §3.4.2.5: malformed attributes", "attributes=" + url.QueryEscape("name[[["), 400, schema.ScimInvalidPath},
		{"malformed excludedAttributes", "excludedAttributes=" + url.QueryEscape("emails[type eq \"work\"]"), 400, schema.ScimInvalidPath},
		{"a bad name among good ones", "attributes=userName," + url.QueryEscape("a b"), 400, schema.ScimInvalidPath},
		{"good names", "attributes=userName,name.givenName,urn:ietf:params:scim:schemas:core:2.0:User:emails", 200, ""},
		{"unknown names are ignored", "attributes=shoeSize", 200, ""},
		{"no filter", "", 200, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/Users?", "/Users/" + id + "?", "/?"} {
				if path == "/Users/"+id+"?" && tt.scimType == schema.ScimInvalidFilter {
					continue // a read by id takes no filter
				}
				r := s.do(http.MethodGet, path+tt.query, "")
				if tt.status == 200 {
					assert.Equal(t, 200, r.status, "%s%s: %s", path, tt.query, r.raw)
				} else {
					wantError(t, r, tt.status, tt.scimType)
				}
			}
		})
	}
	wantError(t, s.do(http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":""}`), 400, schema.ScimInvalidFilter)
	wantError(t, s.do(http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"attributes":["name[[["]}`), 400, schema.ScimInvalidPath)
	assert.Equal(t, 200, s.do(http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":null}`).status)
}

// TestFilterBySchemas checks RFC 7644 §3.4.2.2's own example, Figure 2:
// filter=schemas eq "urn:...:enterprise:2.0:User" (it was 400).
func TestFilterBySchemas(t *testing.T) {
	s := newServer(t, "", nil)
	s.create("/Users", bjensen)
	s.create("/Users", user("plain"))
	s.create("/Groups", group)
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	for _, path := range []string{"/Users", "/"} {
		r := s.do(http.MethodGet, path+"?filter="+url.QueryEscape(`schemas eq "`+ent+`"`), "")
		assert.Equal(t, 200, r.status, "%s", r.raw)
		assert.EqualValues(t, 1, r.body["totalResults"], path)
	}
	r := s.do(http.MethodGet, "/?filter="+url.QueryEscape(`schemas eq "urn:ietf:params:scim:schemas:core:2.0:Group"`), "")
	assert.EqualValues(t, 1, r.body["totalResults"], "%s", r.raw)
}

// TestMetaFiltersAsClientsSeeThem checks that meta.version and
// meta.location are filtered as clients see them (RFC 7643 §3.1): the
// version as the ETag they were given, the location as the resource's URL.
func TestMetaFiltersAsClientsSeeThem(t *testing.T) {
	for _, prefix := range prefixes {
		t.Run(prefix, func(t *testing.T) {
			s := newServer(t, prefix, nil)
			r := s.do(http.MethodPost, "/Users", user("meta1"))
			require.Equal(t, 201, r.status)
			loc, etag := r.header.Get("Location"), r.header.Get("ETag")
			s.create("/Users", user("meta2"))
			s.create("/Groups", group)
			count := func(path, f string) any {
				r := s.do(http.MethodGet, path+"?filter="+url.QueryEscape(f), "")
				require.Equal(t, 200, r.status, "%s: %s", f, r.raw)
				return r.body["totalResults"]
			}
			for _, tt := range []struct {
				filter string
				users  int
			}{
				{`meta.version eq ` + jsonString(etag), 1}, // the ETag the client was given
				{`meta.location eq ` + jsonString(loc), 1},
				{`meta.location eq ` + jsonString(strings.ToUpper(loc[:len(loc)-36])+loc[len(loc)-36:]), 1},
				{`meta.location ne ` + jsonString(loc), 1},
				{`meta.location pr`, 2},
				{`meta.location eq null`, 0},
				{`meta.location eq "https://elsewhere.example/Users/x"`, 0},
				{`userName eq "meta1" and meta.location eq ` + jsonString(loc), 1},
			} {
				assert.EqualValues(t, tt.users, count("/Users", tt.filter), tt.filter)
			}
			assert.EqualValues(t, 3, count("/", `meta.location pr`), "across types, each type's own URLs")
			wantError(t, s.do(http.MethodGet, "/Users?filter="+url.QueryEscape(`meta.location co "Users"`), ""), 400, schema.ScimInvalidFilter)
		})
	}
}

// TestEmptyStringInStrictMode checks issue 24's item 1: "" is a string
// (RFC 7643 §2.3.1) and not unassigned (§2.5 names null and [] only), so
// Strict keeps it, from the request through the store and back; the
// default dialect reads it as unassigned, as Entra ID means it.
func TestEmptyStringInStrictMode(t *testing.T) {
	const patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":""}]}`
	for _, strict := range []bool{true, false} {
		s := newServer(t, "", func(c *handler.Config) { c.Strict = strict })
		id := s.create("/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"e","title":"","displayName":"D"}`)
		r := s.do(http.MethodPatch, "/Users/"+id, patchOp)
		require.Equal(t, 200, r.status, "%s", r.raw)
		got := s.do(http.MethodGet, "/Users/"+id, "")
		for _, name := range []string{"displayName", "title"} {
			v, ok := got.body[name]
			if strict {
				assert.True(t, ok, "strict keeps %s: %s", name, got.raw)
				assert.Equal(t, "", v)
			} else {
				assert.False(t, ok, "the default reads \"\" as unassigned: %s", got.raw)
			}
		}
	}
}
