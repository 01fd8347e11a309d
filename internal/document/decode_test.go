package document_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

const ent = schema.EnterpriseUserSchema

func TestDecode(t *testing.T) {
	users := schema.Users()
	tests := []struct {
		name   string
		body   string
		strict bool
		want   map[string]any // expected Attributes
		extID  string
	}{{
		name: "RFC 7643 §2.1: attribute names are case-insensitive and stored with the schema's spelling",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"USERNAME":"bjensen","Name":{"GIVENNAME":"Barbara"},"eMails":[{"Value":"b@example.com","TYPE":"work"}]}`,
		want: map[string]any{"userName": "bjensen", "name": map[string]any{"givenName": "Barbara"},
			"emails": []any{map[string]any{"value": "b@example.com", "type": "work"}}},
	}, {
		name: "RFC 7643 §2.5: null, empty array and empty object mean unassigned",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","nickName":null,"emails":[],"name":{},"phoneNumbers":[{}],"title":""}`,
		want: map[string]any{"userName": "u"},
	}, {
		name: "RFC 7644 §3.5.1: id and meta are readOnly and ignored; externalId is kept",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"client-chosen","meta":{"version":"x"},"externalId":"E-1","userName":"u"}`,
		want: map[string]any{"userName": "u"}, extID: "E-1",
	}, {
		name: "RFC 7643 §3.3: extension attributes live under the extension URN",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + ent + `"],"userName":"u","` + ent + `":{"employeeNumber":"701984","manager":{"value":"26118915"}}}`,
		want: map[string]any{"userName": "u", ent: map[string]any{"employeeNumber": "701984", "manager": map[string]any{"value": "26118915"}}},
	}, {
		name: "extension URN keys match case-insensitively",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","URN:IETF:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tour"}}`,
		want: map[string]any{"userName": "u", ent: map[string]any{"department": "Tour"}},
	}, {
		name: "full URN attribute keys, core and extension",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"urn:ietf:params:scim:schemas:core:2.0:User:userName":"u","` + ent + `:department":"Tour"}`,
		want: map[string]any{"userName": "u", ent: map[string]any{"department": "Tour"}},
	}, {
		name: "Entra ID: manager as a bare id string (IdP dialect)",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","` + ent + `":{"manager":"m-1"}}`,
		want: map[string]any{"userName": "u", ent: map[string]any{"manager": map[string]any{"value": "m-1"}}},
	}, {
		name: "Entra ID: manager as a one-element array (IdP dialect)",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","` + ent + `":{"manager":[{"value":"m-1"}]}}`,
		want: map[string]any{"userName": "u", ent: map[string]any{"manager": map[string]any{"value": "m-1"}}},
	}, {
		name: "Entra ID: booleans as strings in any case (IdP dialect)",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","active":"False","emails":[{"value":"a@b","primary":"True"}]}`,
		want: map[string]any{"userName": "u", "active": false, "emails": []any{map[string]any{"value": "a@b", "primary": true}}},
	}, {
		name: "Entra ID: extra schema URIs are ignored (IdP dialect)",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/User"],"userName":"u"}`,
		want: map[string]any{"userName": "u"},
	}, {
		name: "RFC 7644 §3.3: unknown attributes are ignored by default",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","favouriteColour":"blue","name":{"nick":"x","givenName":"g"},"` + ent + `":{"shoeSize":9}}`,
		want: map[string]any{"userName": "u", "name": map[string]any{"givenName": "g"}},
	}, {
		name: "RFC 7643 §2.3.5, §2.3.6: dateTime and binary values are kept as sent",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","x509Certificates":[{"value":"TUlJRERqQ0NBZmFnQXdJQkFnSUJBREFO"}]}`,
		want: map[string]any{"userName": "u", "x509Certificates": []any{map[string]any{"value": "TUlJRERqQ0NBZmFnQXdJQkFnSUJBREFO"}}},
	}, {
		name:   "strict mode accepts an RFC-only body",
		strict: true,
		body:   `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + ent + `"],"userName":"u","active":true,"` + ent + `":{"manager":{"value":"m"}}}`,
		want:   map[string]any{"userName": "u", "active": true, ent: map[string]any{"manager": map[string]any{"value": "m"}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := document.Decode(users, []byte(tt.body), document.DecodeOptions{Strict: tt.strict})
			require.NoError(t, err)
			assert.Equal(t, tt.want, r.Attributes)
			assert.Equal(t, tt.extID, r.ExternalID)
			assert.Empty(t, r.ID, "id is never taken from the client")
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	users := schema.Users()
	const core = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]`
	tests := []struct {
		name     string
		body     string
		strict   bool
		scimType schema.ScimType
		detail   string // a fragment of the detail
	}{
		{"invalid JSON (RFC 7644 §3.12 invalidSyntax)", `{"schemas": [`, false, schema.ScimInvalidSyntax, "truncated"},
		{"syntax error reports the offset", `{"schemas": x}`, false, schema.ScimInvalidSyntax, "at byte"},
		{"empty body", ``, false, schema.ScimInvalidSyntax, "empty"},
		{"trailing data", `{` + core + `,"userName":"u"} {}`, false, schema.ScimInvalidSyntax, "after the JSON value"},
		{"invalid UTF-8", "{" + core + ",\"userName\":\"\xff\"}", false, schema.ScimInvalidSyntax, "UTF-8"},
		{"body is not an object", `["a"]`, false, schema.ScimInvalidSyntax, "JSON object"},
		{"RFC 7643 §3: schemas missing", `{"userName":"u"}`, false, schema.ScimInvalidSyntax, "schemas"},
		{"RFC 7643 §3: schemas not an array", `{"schemas":"urn:ietf:params:scim:schemas:core:2.0:User"}`, false, schema.ScimInvalidSyntax, "array"},
		{"RFC 7643 §3: schemas holds a number", `{"schemas":[1]}`, false, schema.ScimInvalidSyntax, "array"},
		{"RFC 7643 §3: schemas lacks the core schema", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"u"}`, false, schema.ScimInvalidSyntax, "must contain"},
		{"RFC 7643 §2.3.2: boolean given a string", `{` + core + `,"active":"maybe"}`, false, schema.ScimInvalidValue, "boolean"},
		{"RFC 7643 §2.3.2: strict rejects string booleans", `{` + core + `,"active":"true"}`, true, schema.ScimInvalidValue, "boolean"},
		{"RFC 7643 §2.3.1: string given a number", `{` + core + `,"userName":42}`, false, schema.ScimInvalidValue, "string"},
		{"RFC 7643 §2.4: multi-valued given a string", `{` + core + `,"emails":"not-a-list"}`, false, schema.ScimInvalidValue, "multi-valued"},
		{"RFC 7643 §2.4: null element", `{` + core + `,"emails":[null]}`, false, schema.ScimInvalidValue, "null element"},
		{"RFC 7643 §2.3.8: complex given a number", `{` + core + `,"name":5}`, false, schema.ScimInvalidValue, "object"},
		{"RFC 7643 §2.3.8: multi-valued complex element given a string", `{` + core + `,"emails":["a@b"]}`, false, schema.ScimInvalidValue, "object"},
		{"strict: manager as a bare string", `{` + core + `,"` + ent + `":{"manager":"m"}}`, true, schema.ScimInvalidValue, "object"},
		{"strict: manager as an array", `{` + core + `,"` + ent + `":{"manager":[{"value":"m"}]}}`, true, schema.ScimInvalidValue, "object"},
		{"extension given a string", `{` + core + `,"` + ent + `":"x"}`, false, schema.ScimInvalidValue, "object"},
		{"strict: unknown attribute", `{` + core + `,"shoeSize":9}`, true, schema.ScimInvalidSyntax, "not defined"},
		{"strict: unknown extension attribute", `{` + core + `,"` + ent + `":{"shoeSize":9}}`, true, schema.ScimInvalidSyntax, "not defined"},
		{"strict: unknown sub-attribute", `{` + core + `,"name":{"nick":"x"}}`, true, schema.ScimInvalidSyntax, "sub-attribute"},
		{"strict: unknown schema URI", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:x"]}`, true, schema.ScimInvalidSyntax, "urn:x"},
		{"strict: extension present but not listed in schemas", `{` + core + `,"` + ent + `":{"department":"d"}}`, true, schema.ScimInvalidSyntax, "does not list"},
		{"invalid sub-attribute type reports its path", `{` + core + `,"emails":[{"value":"a"},{"primary":3}]}`, false, schema.ScimInvalidValue, `emails[1].primary`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := document.Decode(users, []byte(tt.body), document.DecodeOptions{Strict: tt.strict})
			var se *schema.Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, 400, se.Status)
			assert.Equal(t, tt.scimType, se.Type)
			assert.Contains(t, se.Detail, tt.detail)
		})
	}
}

// TestDecodeValueTypes covers each RFC 7643 §2.3 data type through a custom schema.
func TestDecodeValueTypes(t *testing.T) {
	attr := func(typ schema.Type) *schema.Attribute { return &schema.Attribute{Name: "x", Type: typ} }
	tests := []struct {
		name string
		attr *schema.Attribute
		in   string // JSON
		want any
		err  bool
	}{
		{"§2.3.4 integer", attr(schema.Integer), `42`, int64(42), false},
		{"§2.3.4 integer, exponent form of a whole number", attr(schema.Integer), `1e3`, int64(1000), false},
		{"§2.3.4 integer, int64 max is exact", attr(schema.Integer), `9223372036854775807`, int64(9223372036854775807), false},
		{"§2.3.4 integer rejects a fraction", attr(schema.Integer), `1.5`, nil, true},
		{"§2.3.4 integer rejects out of range", attr(schema.Integer), `1e30`, nil, true},
		{"§2.3.4 integer rejects a string", attr(schema.Integer), `"1"`, nil, true},
		{"§2.3.3 decimal", attr(schema.Decimal), `3.25`, 3.25, false},
		{"§2.3.3 decimal accepts an integer", attr(schema.Decimal), `3`, 3.0, false},
		{"§2.3.3 decimal rejects out of range", attr(schema.Decimal), `1e999`, nil, true},
		{"§2.3.3 decimal rejects a boolean", attr(schema.Decimal), `true`, nil, true},
		{"§2.3.5 dateTime with Z", attr(schema.DateTime), `"2008-01-23T04:56:22Z"`, "2008-01-23T04:56:22Z", false},
		{"§2.3.5 dateTime with offset and fraction", attr(schema.DateTime), `"2008-01-23T04:56:22.123+02:00"`, "2008-01-23T04:56:22.123+02:00", false},
		{"§2.3.5 dateTime without a zone", attr(schema.DateTime), `"2008-01-23T04:56:22"`, "2008-01-23T04:56:22", false},
		{"§2.3.5 dateTime rejects a date alone", attr(schema.DateTime), `"2008-01-23"`, nil, true},
		{"§2.3.5 dateTime rejects a number", attr(schema.DateTime), `20080123`, nil, true},
		{"§2.3.6 binary", attr(schema.Binary), `"aGVsbG8="`, "aGVsbG8=", false},
		{"§2.3.6 binary without padding", attr(schema.Binary), `"aGVsbG8"`, "aGVsbG8", false},
		{"§2.3.6 binary rejects non-base64", attr(schema.Binary), `"not base64!"`, nil, true},
		{"§2.3.6 binary rejects a number", attr(schema.Binary), `1`, nil, true},
		{"§2.3.7 reference", attr(schema.Reference), `"https://example.com/Users/1"`, "https://example.com/Users/1", false},
		{"§2.3.7 reference rejects an object", attr(schema.Reference), `{}`, nil, true},
		{"§2.3.5 dateTime empty is unassigned", attr(schema.DateTime), `""`, nil, false},
		{"§2.3.6 binary empty is unassigned", attr(schema.Binary), `""`, nil, false},
		{"multi-valued strings", &schema.Attribute{Name: "x", MultiValued: true}, `["a","b"]`, []any{"a", "b"}, false},
		{"multi-valued drops empty strings", &schema.Attribute{Name: "x", MultiValued: true}, `["", "b"]`, []any{"b"}, false},
		{"complex with a bare value and no value sub-attribute", &schema.Attribute{Name: "x", Type: schema.Complex,
			SubAttributes: []*schema.Attribute{{Name: "a"}}}, `"v"`, nil, true},
		{"unknown type", &schema.Attribute{Name: "x", Type: 99}, `"v"`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := document.ParseJSON([]byte(tt.in))
			require.NoError(t, err)
			got, err := document.DecodeValue(tt.attr, v, document.DecodeOptions{})
			if tt.err {
				var se *schema.Error
				require.ErrorAs(t, err, &se)
				assert.Equal(t, schema.ScimInvalidValue, se.Type)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	// Go numbers are accepted too, for values built in code.
	for _, in := range []any{int64(7), 7, 7.0} {
		got, err := document.DecodeValue(attr(schema.Integer), in, document.DecodeOptions{})
		require.NoError(t, err)
		assert.Equal(t, int64(7), got)
		got, err = document.DecodeValue(attr(schema.Decimal), in, document.DecodeOptions{})
		require.NoError(t, err)
		assert.Equal(t, 7.0, got)
	}
	_, err := document.DecodeValue(attr(schema.Integer), 7.5, document.DecodeOptions{})
	assert.Error(t, err)
}

func TestErrorType(t *testing.T) {
	err := document.UniquenessError("userName %q is taken", "bjensen")
	assert.Equal(t, 409, err.Status)
	assert.Equal(t, `scim 409 uniqueness: userName "bjensen" is taken`, err.Error())
	b, jerr := json.Marshal(err)
	require.NoError(t, jerr)
	// RFC 7644 §3.12: status is a string.
	assert.JSONEq(t, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"userName \"bjensen\" is taken"}`, string(b))

	wrapped := errors.Join(errors.New("context"), err)
	assert.ErrorIs(t, wrapped, &schema.Error{Status: 409, Type: schema.ScimUniqueness})
	assert.NotErrorIs(t, wrapped, &schema.Error{Status: 400, Type: schema.ScimUniqueness})

	cause := errors.New("disk full")
	e := &schema.Error{Status: 500, Detail: "store failed", Err: cause}
	assert.ErrorIs(t, e, cause)
	assert.Equal(t, "scim 500: store failed", e.Error())

	for _, tt := range []struct {
		err    *schema.Error
		status int
		typ    schema.ScimType
	}{
		{document.InvalidFilterError("x"), 400, schema.ScimInvalidFilter},
		{document.TooManyError("x"), 400, schema.ScimTooMany},
		{document.MutabilityError("x"), 400, schema.ScimMutability},
		{document.InvalidSyntaxError("x"), 400, schema.ScimInvalidSyntax},
		{document.InvalidPathError("x"), 400, schema.ScimInvalidPath},
		{document.NoTargetError("x"), 400, schema.ScimNoTarget},
		{document.InvalidValueError("x"), 400, schema.ScimInvalidValue},
		{document.InvalidVersError("x"), 400, schema.ScimInvalidVers},
		{document.SensitiveError("x"), 400, schema.ScimSensitive},
	} {
		assert.Equal(t, tt.status, tt.err.Status, tt.typ)
		assert.Equal(t, tt.typ, tt.err.Type)
		assert.True(t, strings.HasPrefix(tt.err.Error(), "scim 400 "+string(tt.typ)))
	}
}
