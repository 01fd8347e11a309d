package schema_test

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

// characteristicDefaults are the RFC 7643 §2.2 defaults of characteristics
// that the §8.7 representation sometimes leaves out.
var characteristicDefaults = map[string]any{
	"type": "string", "multiValued": false, "required": false, "caseExact": false,
	"mutability": "readWrite", "returned": "default", "uniqueness": "none",
	"canonicalValues": []any{}, "referenceTypes": []any{}, "description": "",
}

// diffSchemas compares two schema representations attribute by attribute
// and returns one line per difference.
func diffSchemas(t *testing.T, want, got []map[string]any) []string {
	t.Helper()
	var diffs []string
	byID := func(list []map[string]any) map[string]map[string]any {
		m := map[string]map[string]any{}
		for _, s := range list {
			m[s["id"].(string)] = s
		}
		return m
	}
	gotByID := byID(got)
	for _, ws := range want {
		id := ws["id"].(string)
		gs, ok := gotByID[id]
		if !ok {
			diffs = append(diffs, id+": missing schema")
			continue
		}
		for _, k := range []string{"name", "description"} {
			if ws[k] != gs[k] {
				diffs = append(diffs, fmt.Sprintf("%s: %s %q, want %q", id, k, gs[k], ws[k]))
			}
		}
		diffs = append(diffs, diffAttrs(id, list(ws["attributes"]), list(gs["attributes"]))...)
	}
	return diffs
}

func list(v any) []map[string]any {
	var out []map[string]any
	for _, e := range v.([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

func diffAttrs(where string, want, got []map[string]any) []string {
	var diffs []string
	find := func(list []map[string]any, name string) map[string]any {
		for _, a := range list {
			if a["name"] == name {
				return a
			}
		}
		return nil
	}
	for _, wa := range want {
		name := wa["name"].(string)
		path := where + ":" + name
		ga := find(got, name)
		if ga == nil {
			diffs = append(diffs, path+": missing")
			continue
		}
		for k, def := range characteristicDefaults {
			wv, ok := wa[k]
			if !ok {
				wv = def
			}
			gv, ok := ga[k]
			if !ok {
				gv = def
			}
			if !reflect.DeepEqual(wv, gv) {
				diffs = append(diffs, fmt.Sprintf("%s: %s is %v, RFC has %v", path, k, gv, wv))
			}
		}
		if ws, ok := wa["subAttributes"]; ok {
			gs, _ := ga["subAttributes"].([]any)
			if gs == nil {
				gs = []any{}
			}
			diffs = append(diffs, diffAttrs(path, list(ws), list(gs))...)
		}
	}
	for _, ga := range got {
		if find(want, ga["name"].(string)) == nil {
			diffs = append(diffs, where+":"+ga["name"].(string)+": not in the RFC representation")
		}
	}
	return diffs
}

func loadJSONList(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var v []any
	require.NoError(t, json.Unmarshal(b, &v))
	return list(v)
}

func marshalList(t *testing.T, schemas ...*schema.Schema) []map[string]any {
	t.Helper()
	b, err := json.Marshal(schemas)
	require.NoError(t, err)
	var v []any
	require.NoError(t, json.Unmarshal(b, &v))
	return list(v)
}

// TestCoreSchemasMatchRFC checks every attribute and characteristic of the
// built-in schemas against the representation of RFC 7643 §8.7.1 and §8.7.2
// (transcribed in testdata). The only differences allowed are those where
// scimkit follows the RFC's normative prose (§4, §5) over §8.7, listed here.
func TestCoreSchemasMatchRFC(t *testing.T) {
	tests := []struct {
		name       string
		golden     string
		schemas    []*schema.Schema
		deviations []string
	}{{
		name:    "RFC 7643 §8.7.1 resource schemas",
		golden:  "testdata/rfc7643-8.7.1.json",
		schemas: []*schema.Schema{schema.User(), schema.Group(), schema.EnterpriseUser()},
		deviations: []string{
			// §4.2: "displayName ... REQUIRED."
			"urn:ietf:params:scim:schemas:core:2.0:Group:displayName: required is true, RFC has false",
			// §8.4's group members carry "display"; Entra ID and Okta send it.
			"urn:ietf:params:scim:schemas:core:2.0:Group:members:display: not in the RFC representation",
			// §4.1.2 gives addresses a "primary" sub-attribute.
			"urn:ietf:params:scim:schemas:core:2.0:User:addresses:primary: not in the RFC representation",
		},
	}, {
		name:    "RFC 7643 §8.7.2 service provider schemas",
		golden:  "testdata/rfc7643-8.7.2.json",
		schemas: document.DiscoverySchemas(),
		deviations: []string{
			// §5 defines "etag" and the authentication schemes' "type" and "primary".
			"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig:authenticationSchemes:primary: not in the RFC representation",
			"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig:authenticationSchemes:type: not in the RFC representation",
			"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig:etag: not in the RFC representation",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := loadJSONList(t, tt.golden)
			got := marshalList(t, tt.schemas...)
			diffs := diffSchemas(t, want, got)
			slices.Sort(diffs)
			assert.Equal(t, tt.deviations, diffs)
		})
	}
}

// TestSchemaJSONRoundTrip checks that the RFC 7643 §7 representation
// unmarshals into a Schema that marshals back to the same attributes.
func TestSchemaJSONRoundTrip(t *testing.T) {
	for _, golden := range []string{"testdata/rfc7643-8.7.1.json", "testdata/rfc7643-8.7.2.json"} {
		b, err := os.ReadFile(golden)
		require.NoError(t, err)
		var schemas []*schema.Schema
		require.NoError(t, json.Unmarshal(b, &schemas))
		want := loadJSONList(t, golden)
		got := marshalList(t, schemas...)
		assert.Empty(t, diffSchemas(t, want, got), golden)
		for i, s := range got {
			assert.Equal(t, []any{"urn:ietf:params:scim:schemas:core:2.0:Schema"}, s["schemas"])
			assert.Equal(t, want[i]["attributes"], s["attributes"], "attributes of %s marshal exactly as read", s["id"])
		}
	}
}

func TestCoreSchemasAreValidAndFresh(t *testing.T) {
	for _, rt := range []*schema.ResourceType{schema.Users(), schema.Groups()} {
		assert.NoError(t, rt.Validate(), rt.Name)
	}
	// No package-level mutable state: changing one caller's schema leaves the next one's alone.
	u := schema.User()
	u.Attribute("userName").Required = false
	u.Attributes = u.Attributes[:1]
	assert.True(t, schema.User().Attribute("userName").Required)
	assert.Len(t, schema.User().Attributes, 21)
	// RFC 7643 §3.1 common attributes.
	var common []*schema.Attribute
	for _, name := range []string{"id", "externalId", "meta"} {
		a, ext := schema.Users().Attribute("", name)
		require.NotNil(t, a, name)
		assert.Nil(t, ext)
		common = append(common, a)
	}
	assert.Equal(t, schema.ReturnedAlways, common[0].Returned, "id is always returned")
	assert.Equal(t, schema.ReadOnly, common[0].Mutability, "id is readOnly")
	assert.True(t, common[1].CaseExact, "externalId is caseExact")
	assert.Equal(t, schema.ReadOnly, common[2].Mutability, "meta is readOnly")
}

func TestResourceTypeJSON(t *testing.T) {
	rt := schema.Users()
	b, err := json.Marshal(rt)
	require.NoError(t, err)
	// RFC 7643 §8.6 representation.
	assert.JSONEq(t, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
		"id": "User", "name": "User", "description": "User Account", "endpoint": "/Users",
		"schema": "urn:ietf:params:scim:schemas:core:2.0:User",
		"schemaExtensions": [{"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "required": false}]
	}`, string(b))

	var back schema.ResourceType
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, "/Users", back.Endpoint)
	require.Error(t, back.Resolve(schema.User()), "the enterprise extension is not among the schemas")
	require.NoError(t, back.Resolve(schema.User(), schema.EnterpriseUser()))
	assert.NotNil(t, back.Schema.Attribute("userName"))
	require.NotNil(t, back.Extension("URN:ietf:params:scim:schemas:extension:enterprise:2.0:user"), "URNs match case-insensitively")
	assert.NotNil(t, back.Extension(schema.EnterpriseUserSchema).Schema.Attribute("manager"))
	assert.NoError(t, back.Validate())
}

func TestValidateConfiguration(t *testing.T) {
	ok := func() *schema.ResourceType {
		return &schema.ResourceType{Name: "Device", Endpoint: "/Devices", Schema: &schema.Schema{
			ID: "urn:example:Device", Attributes: []*schema.Attribute{{Name: "serial"}},
		}}
	}
	tests := []struct {
		name   string
		change func(rt *schema.ResourceType)
		errs   bool
	}{
		{"valid", func(*schema.ResourceType) {}, false},
		{"no name", func(rt *schema.ResourceType) { rt.Name = "" }, true},
		{"endpoint without slash", func(rt *schema.ResourceType) { rt.Endpoint = "Devices" }, true},
		{"endpoint with two segments", func(rt *schema.ResourceType) { rt.Endpoint = "/a/b" }, true},
		{"no schema", func(rt *schema.ResourceType) { rt.Schema = nil }, true},
		{"schema without id", func(rt *schema.ResourceType) { rt.Schema.ID = "" }, true},
		{"duplicate attribute (case-insensitive, RFC 7643 §2.1)", func(rt *schema.ResourceType) {
			rt.Schema.Attributes = append(rt.Schema.Attributes, &schema.Attribute{Name: "Serial"})
		}, true},
		{"attribute without name", func(rt *schema.ResourceType) {
			rt.Schema.Attributes = append(rt.Schema.Attributes, &schema.Attribute{})
		}, true},
		{"complex without sub-attributes", func(rt *schema.ResourceType) {
			rt.Schema.Attributes = append(rt.Schema.Attributes, &schema.Attribute{Name: "x", Type: schema.Complex})
		}, true},
		{"nested complex (RFC 7643 §2.3.8)", func(rt *schema.ResourceType) {
			rt.Schema.Attributes = append(rt.Schema.Attributes, &schema.Attribute{Name: "x", Type: schema.Complex,
				SubAttributes: []*schema.Attribute{{Name: "y", Type: schema.Complex, SubAttributes: []*schema.Attribute{{Name: "z"}}}}})
		}, true},
		{"sub-attributes on a simple type", func(rt *schema.ResourceType) {
			rt.Schema.Attributes[0].SubAttributes = []*schema.Attribute{{Name: "y"}}
		}, true},
		{"invalid characteristic", func(rt *schema.ResourceType) { rt.Schema.Attributes[0].Mutability = 9 }, true},
		{"extension repeats the core schema", func(rt *schema.ResourceType) {
			rt.Extensions = []schema.Extension{{Schema: rt.Schema}}
		}, true},
		{"extension without schema", func(rt *schema.ResourceType) { rt.Extensions = []schema.Extension{{}} }, true},
		{"invalid extension", func(rt *schema.ResourceType) {
			rt.Extensions = []schema.Extension{{Schema: &schema.Schema{}}}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := ok()
			tt.change(rt)
			if tt.errs {
				assert.Error(t, rt.Validate())
			} else {
				assert.NoError(t, rt.Validate())
			}
		})
	}
}

// TestCharacteristicsText checks the names of RFC 7643 §7's characteristics
// in an attribute's JSON form, read back case-insensitively (§2.1).
func TestCharacteristicsText(t *testing.T) {
	for _, tt := range []struct {
		v    fmt.Stringer
		text string
	}{
		{schema.DateTime, "dateTime"}, {schema.Reference, "reference"}, {schema.Complex, "complex"},
		{schema.ReadWrite, "readWrite"}, {schema.WriteOnly, "writeOnly"}, {schema.Immutable, "immutable"},
		{schema.ReturnedRequest, "request"}, {schema.ReturnedNever, "never"},
		{schema.UniquenessGlobal, "global"}, {schema.UniquenessServer, "server"},
	} {
		assert.Equal(t, tt.text, tt.v.String())
	}
	assert.Equal(t, "9", schema.Returned(9).String())

	a := &schema.Attribute{Name: "badge", Type: schema.DateTime, Mutability: schema.WriteOnly, Returned: schema.ReturnedRequest, Uniqueness: schema.UniquenessGlobal}
	b, err := json.Marshal(a)
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"badge","type":"dateTime","multiValued":false,"required":false,"caseExact":false,"mutability":"writeOnly","returned":"request","uniqueness":"global"}`, string(b))
	var back schema.Attribute
	require.NoError(t, json.Unmarshal([]byte(`{"name":"badge","type":"DATETIME","mutability":"WRITEONLY","returned":"Request","uniqueness":"global"}`), &back))
	assert.Equal(t, *a, back)
	_, err = json.Marshal(&schema.Attribute{Name: "x", Mutability: schema.Mutability(9)})
	assert.Error(t, err, "a characteristic no constant has")
	assert.Error(t, json.Unmarshal([]byte(`{"name":"badge","mutability":"sometimes"}`), &back))

	// An attribute declared in JSON with characteristics left out takes the RFC defaults.
	var d schema.Attribute
	require.NoError(t, json.Unmarshal([]byte(`{"name":"badge"}`), &d))
	assert.Equal(t, schema.Attribute{Name: "badge"}, d)
	assert.Error(t, json.Unmarshal([]byte(`{"name":"badge","type":"float"}`), &d))
}

func TestResourceTypeLookups(t *testing.T) {
	users := schema.Users()
	require.Len(t, users.Extensions, 1)
	assert.Equal(t, schema.UserSchema, users.Schema.ID)
	assert.Equal(t, schema.EnterpriseUserSchema, users.Extensions[0].Schema.ID)
	assert.True(t, users.Schema.Attribute("userName").Unique(), "RFC 7643 §4.1.1: userName uniqueness server")
	assert.False(t, users.Schema.Attribute("displayName").Unique())

	a, ext := users.Attribute("", "ID")
	require.NotNil(t, a, "common attributes resolve without a URN (RFC 7643 §3.1)")
	assert.Equal(t, "id", a.Name)
	assert.Nil(t, ext)
	a, ext = users.Attribute(schema.EnterpriseUserSchema, "MANAGER")
	require.NotNil(t, a)
	require.NotNil(t, ext)
	assert.Equal(t, schema.EnterpriseUserSchema, ext.Schema.ID)
	a, _ = users.Attribute("urn:unknown", "x")
	assert.Nil(t, a)

}
