package document_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// fullUser is the RFC 7643 §8.2 full User representation, with a password.
const fullUser = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "id": "2819c223-7f76-453a-919d-413861904646",
  "externalId": "701984",
  "userName": "bjensen@example.com",
  "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara",
    "middleName": "Jane", "honorificPrefix": "Ms.", "honorificSuffix": "III"},
  "displayName": "Babs Jensen",
  "nickName": "Babs",
  "profileUrl": "https://login.example.com/bjensen",
  "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
    {"value": "babs@jensen.org", "type": "home"}],
  "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood",
    "region": "CA", "postalCode": "91608", "country": "US",
    "formatted": "100 Universal City Plaza\nHollywood, CA 91608 US", "primary": true}],
  "phoneNumbers": [{"value": "555-555-5555", "type": "work"}, {"value": "555-555-4444", "type": "mobile"}],
  "ims": [{"value": "someaimhandle", "type": "aim"}],
  "photos": [{"value": "https://photos.example.com/profilephoto/72930000000Ccne/F", "type": "photo"}],
  "userType": "Employee",
  "title": "Tour Guide",
  "preferredLanguage": "en-US",
  "locale": "en-US",
  "timezone": "America/Los_Angeles",
  "active": true,
  "password": "t1meMa$heen",
  "x509Certificates": [{"value": "TUlJRERqQ0NBZmFnQXdJQkFnSUJBREFO"}],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
    "employeeNumber": "701984", "costCenter": "4130", "organization": "Universal Studios",
    "division": "Theme Park", "department": "Tour Operations",
    "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "$ref": "../Users/26118915-6090-4610-87e4-49d8ca9f808d"}
  }
}`

func storedFullUser(t *testing.T) *schema.Resource {
	t.Helper()
	r := decodeUser(t, fullUser)
	r, err := document.ValidateCreate(schema.Users(), r)
	require.NoError(t, err)
	r.ID = "2819c223-7f76-453a-919d-413861904646"
	r.Meta = schema.Meta{
		ResourceType: "User",
		Created:      time.Date(2010, 1, 23, 4, 56, 22, 0, time.UTC),
		LastModified: time.Date(2011, 5, 13, 4, 42, 34, 0, time.UTC),
		Location:     "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
		Version:      `W/"a330bc54f0671c9"`,
	}
	r.Attributes["groups"] = []any{map[string]any{"value": "e9e30dba-f08f-4109-8486-d5c6a331660a",
		"$ref": "https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a", "display": "Tour Guides"}}
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var indented bytes.Buffer
	require.NoError(t, json.Indent(&indented, got, "", "  "), "output is valid JSON: %s", got)
	indented.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, indented.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/document -update to create it")
	assert.Equal(t, string(want), indented.String())
}

func TestAppendJSONGolden(t *testing.T) {
	users := schema.Users()
	r := storedFullUser(t)
	tests := []struct {
		golden             string
		attributes, exclud []string
	}{
		{"user-full.json", nil, nil},
		{"user-attributes.json", []string{"userName", "name.givenName", "emails.value", "URN:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}, nil},
		{"user-excluded.json", nil, []string{"emails", "name.formatted", "meta", "id", ent + ":department", "password"}},
		{"user-attributes-extension.json", []string{ent, "meta.version"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			p := document.NewProjection(users, tt.attributes, tt.exclud)
			out := document.AppendJSON(nil, users, r, p)
			golden(t, tt.golden, out)
			// The encoder agrees with Projection.Apply.
			var got map[string]any
			require.NoError(t, json.Unmarshal(out, &got))
			applied := p.Apply(users, r)
			for k := range applied.Attributes {
				assert.Contains(t, got, k)
			}
			for k := range got {
				if k != "schemas" && k != "id" && k != "externalId" && k != "meta" {
					assert.Contains(t, applied.Attributes, k)
				}
			}
		})
	}
}

func TestProjectionRules(t *testing.T) {
	users := schema.Users()
	r := storedFullUser(t)
	encode := func(attributes, excluded []string) map[string]any {
		var m map[string]any
		require.NoError(t, json.Unmarshal(document.AppendJSON(nil, users, r, document.NewProjection(users, attributes, excluded)), &m))
		return m
	}
	t.Run("RFC 7643 §7: returned never is never written", func(t *testing.T) {
		assert.NotContains(t, encode(nil, nil), "password")
		assert.NotContains(t, encode([]string{"password"}, nil), "password")
	})
	t.Run("RFC 7644 §3.4.2.5: id is always returned", func(t *testing.T) {
		assert.Equal(t, r.ID, encode([]string{"userName"}, nil)["id"])
		assert.Equal(t, r.ID, encode(nil, []string{"id"})["id"])
	})
	t.Run("RFC 7644 §3.4.2.5: attributes limits the response", func(t *testing.T) {
		m := encode([]string{"userName"}, nil)
		assert.ElementsMatch(t, []string{"schemas", "id", "userName"}, keys(m))
	})
	t.Run("RFC 7644 §3.4.2.5: excludedAttributes removes attributes", func(t *testing.T) {
		m := encode(nil, []string{"emails", "NAME"})
		assert.NotContains(t, m, "emails")
		assert.NotContains(t, m, "name")
		assert.Contains(t, m, "userName")
	})
	t.Run("RFC 7644 §3.4.2.5: excludedAttributes removes a whole extension", func(t *testing.T) {
		m := encode(nil, []string{schema.EnterpriseUserSchema})
		assert.NotContains(t, m, schema.EnterpriseUserSchema)
		assert.NotContains(t, m["schemas"], schema.EnterpriseUserSchema, "RFC 7643 §3: schemas lists what the resource carries")
		assert.Contains(t, m, "userName")
	})
	t.Run("attributes wins over excludedAttributes", func(t *testing.T) {
		m := encode([]string{"emails"}, []string{"emails"})
		assert.Contains(t, m, "emails")
	})
	t.Run("unknown names are ignored", func(t *testing.T) {
		m := encode([]string{"shoeSize", "name.nick", "urn:x:y"}, nil)
		assert.ElementsMatch(t, []string{"schemas", "id"}, keys(m))
	})
	t.Run("RFC 7643 §7: returned request is written only when named", func(t *testing.T) {
		rt := schema.Users()
		rt.Schema.Attribute("nickName").Returned = schema.ReturnedRequest
		var m map[string]any
		require.NoError(t, json.Unmarshal(document.AppendJSON(nil, rt, r, nil), &m))
		assert.NotContains(t, m, "nickName")
		require.NoError(t, json.Unmarshal(document.AppendJSON(nil, rt, r, document.NewProjection(rt, nil, []string{"title"})), &m))
		assert.NotContains(t, m, "nickName")
		m = nil
		require.NoError(t, json.Unmarshal(document.AppendJSON(nil, rt, r, document.NewProjection(rt, []string{"nickName"}, nil)), &m))
		assert.Equal(t, "Babs", m["nickName"])
	})
	t.Run("the default projection is nil", func(t *testing.T) {
		assert.Nil(t, document.NewProjection(users, nil, nil))
	})
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestAppendJSONValues(t *testing.T) {
	rt := &schema.ResourceType{Name: "Thing", Endpoint: "/Things", Schema: &schema.Schema{
		ID: "urn:example:Thing",
		Attributes: []*schema.Attribute{
			{Name: "s"}, {Name: "i", Type: schema.Integer}, {Name: "d", Type: schema.Decimal},
			{Name: "b", Type: schema.Boolean}, {Name: "n", Type: schema.Integer},
			{Name: "tags", MultiValued: true},
			{Name: "c", Type: schema.Complex, SubAttributes: []*schema.Attribute{{Name: "x"}, {Name: "secret", Returned: schema.ReturnedNever}}},
		},
	}}
	r := &schema.Resource{ID: "1", Attributes: map[string]any{
		"s":     "quote\" backslash\\ nl\n tab\t cr\r nul\x00 <html>& \u2028 é bad\xff",
		"i":     int64(-42),
		"d":     1.5e-7,
		"b":     false,
		"n":     json.Number("12"),
		"tags":  []any{"a", 3, 2.5e21, 100.25},
		"c":     map[string]any{"secret": "s"}, // only a never-returned sub-attribute: written as nothing
		"other": "not in the schema",
	}}
	out := document.AppendJSON(nil, rt, r, nil)
	require.True(t, json.Valid(out), "%s", out)
	var m map[string]any
	require.NoError(t, json.Unmarshal(out, &m))
	assert.Equal(t, "quote\" backslash\\ nl\n tab\t cr\r nul\x00 <html>& \u2028 é bad\ufffd", m["s"])
	assert.Contains(t, string(out), `<html>&`, "no HTML escaping")
	assert.Contains(t, string(out), `\u2028`)
	assert.Equal(t, -42.0, m["i"])
	assert.Equal(t, 1.5e-7, m["d"])
	assert.Equal(t, false, m["b"])
	assert.Equal(t, 12.0, m["n"])
	assert.Equal(t, []any{"a", 3.0, 2.5e21, 100.25}, m["tags"])
	assert.NotContains(t, m, "c")
	assert.NotContains(t, m, "other")
	assert.True(t, strings.HasPrefix(string(out), `{"schemas":["urn:example:Thing"],"id":"1",`))
}

func TestSchemasListsOnlyWrittenExtensions(t *testing.T) {
	users := schema.Users()
	r := storedFullUser(t)
	var m map[string]any
	require.NoError(t, json.Unmarshal(document.AppendJSON(nil, users, r, document.NewProjection(users, []string{"userName"}, nil)), &m))
	assert.Equal(t, []any{schema.UserSchema}, m["schemas"])
}

// BenchmarkAppendJSON encodes a typical Entra ID user, as GET answers it.
func BenchmarkAppendJSON(b *testing.B) {
	users := schema.Users()
	r, err := document.Decode(users, []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
"externalId":"5f2a8c1e-0000-4000-8000-000000000001","userName":"user0000001@contoso.example.com","active":true,
"displayName":"User 0000001","title":"Software Engineer",
"name":{"givenName":"Given","familyName":"Family0000001","formatted":"Given Family0000001"},
"emails":[{"value":"user0000001@contoso.example.com","type":"work","primary":true}],
"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"0000001","department":"Engineering","manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d"}}}`), document.DecodeOptions{})
	require.NoError(b, err)
	r.ID = "2819c223-7f76-453a-919d-413861904646"
	r.Meta = schema.Meta{ResourceType: "User", Created: time.Now(), LastModified: time.Now(), Location: "https://example.com/scim/v2/Users/2819c223-7f76-453a-919d-413861904646", Version: `W/"12"`}
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = document.AppendJSON(buf[:0], users, r, nil)
	}
	b.SetBytes(int64(len(buf)))
}

// TestAppendEncoded checks that AppendEncoded, given what AppendJSON wrote
// without Location and Version, writes what AppendJSON writes with them,
// whether or not the kept JSON has a meta object, and whether or not it
// ends with an extension's object.
func TestAppendEncoded(t *testing.T) {
	users := schema.Users()
	at := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("x", 3600))
	ext := map[string]any{"userName": "u", schema.EnterpriseUserSchema: map[string]any{"department": "D"}}
	plain := map[string]any{"userName": "u\"\u00e9"}
	for _, attrs := range []map[string]any{ext, plain} {
		for _, m := range []schema.Meta{
			{ResourceType: "User", Created: at, LastModified: at, Location: "https://x/Users/1", Version: `W/"3"`},
			{ResourceType: "User", Location: "https://x/Users/1"},
			{Created: at, Version: `W/"3"`},
			{Location: "https://x/Users/1", Version: `W/"3"`},
			{Version: `W/"3"`},
			{ResourceType: "User", LastModified: at},
			{},
		} {
			r := &schema.Resource{ID: "1", ExternalID: "e", Attributes: attrs, Meta: m}
			kept := *r
			kept.Meta.Location, kept.Meta.Version = "", ""
			enc := string(document.AppendJSON(nil, users, &kept, nil))
			want := string(document.AppendJSON(nil, users, r, nil))
			e := &document.Encoded{ID: "1", Meta: m, JSON: enc}
			assert.Equal(t, want, string(document.AppendEncoded(nil, users, e, nil)), "meta %+v", m)
			for _, p := range []*document.Projection{
				document.NewProjection(users, []string{"userName"}, nil),
				document.NewProjection(users, []string{schema.EnterpriseUserSchema + ":department", "meta.version"}, nil),
				document.NewProjection(users, nil, []string{"userName", "meta.created"}),
				document.NewProjection(users, nil, []string{schema.EnterpriseUserSchema}),
			} {
				assert.Equal(t, string(document.AppendJSON(nil, users, r, p)), string(document.AppendEncoded(nil, users, e, p)), "meta %+v", m)
			}
		}
	}
	// JSON that AppendJSON did not write is written as it is.
	assert.Equal(t, `{}x`, string(document.AppendEncoded([]byte(`{}`), users, &document.Encoded{JSON: "x", Meta: schema.Meta{Version: "1"}}, nil)))
	assert.Equal(t, `{}x`, string(document.AppendEncoded([]byte(`{}`), users, &document.Encoded{JSON: "x"}, document.NewProjection(users, []string{"userName"}, nil))))
}
