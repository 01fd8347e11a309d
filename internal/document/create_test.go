package document_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

// createMeta is the meta a store gives the resources of these tests.
var createMeta = schema.Meta{ResourceType: "User",
	Created:      time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC),
	LastModified: time.Date(2026, 11, 26, 9, 0, 0, 5, time.UTC)}

// generalCreate is what PrepareCreate must equal: the JSON a store keeps
// for body by the general path (Decode, ValidateCreateOwned, AppendJSON
// with the default projection), as resource "id-1", and its externalId.
func generalCreate(rt *schema.ResourceType, body []byte, opts document.DecodeOptions) ([]byte, string, error) {
	r, err := document.Decode(rt, body, opts)
	if err != nil {
		return nil, "", err
	}
	if r, err = document.ValidateCreateOwned(rt, r); err != nil {
		return nil, "", err
	}
	r.ID, r.Meta = "id-1", createMeta
	return document.AppendJSON(nil, rt, r, nil), r.ExternalID, nil
}

// checkPrepareCreate compares PrepareCreate with the general path for
// body and returns whether PrepareCreate took it.
func checkPrepareCreate(t *testing.T, rt *schema.ResourceType, body []byte) bool {
	t.Helper()
	opts := document.DecodeOptions{ValidUTF8: true}
	junk := []byte("junk")
	c, dst, ok := document.PrepareCreate(junk, rt, body, opts)
	if !ok {
		return false
	}
	require.True(t, bytes.HasPrefix(dst, junk), "PrepareCreate changed what dst held")
	want, ext, err := generalCreate(rt, body, opts)
	require.NoError(t, err, "PrepareCreate took a body the general path refuses: %s", body)
	got := c.Append(nil, "id-1", createMeta)
	require.Equal(t, string(want), string(got), "body %s", body)
	require.Equal(t, ext, c.ExternalID)
	return true
}

// TestPrepareCreate checks that PrepareCreate writes what the general path
// writes for the bodies it takes (RFC 7644 §3.3: the resource created is
// the one the body describes, readOnly values ignored, RFC 7644 §3.5.1),
// and that it leaves the rest to the general path.
func TestPrepareCreate(t *testing.T) {
	const core = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],`
	const both = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + ent + `"],`
	cases := []struct {
		name string
		body string
		took bool // PrepareCreate takes it (else the general path does)
	}{
		{"Entra ID's create", both + `"externalId":"0a21f0f2","userName":"Test_User_ab6490ee@contoso.com","active":true,` +
			`"displayName":"BobIsAmazing","emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b@contoso.com"}],` +
			`"meta":{"resourceType":"User"},"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},` +
			`"title":"Engineer","` + ent + `":{"employeeNumber":"1","department":"Eng","manager":{"value":"m-1"}}}`, true},
		{"Okta's create", core + `"userName":"isaac.brock@example.com","name":{"givenName":"Isaac","familyName":"Brock"},` +
			`"emails":[{"primary":true,"value":"isaac.brock@example.com","type":"work"}],"displayName":"Isaac Brock","locale":"en-US",` +
			`"externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}`, false},
		{"minimal", core + `"userName":"u"}`, true},
		{"names in any case, members in any order", `{"USERNAME":"u","Active":false,"schemas":["URN:ietf:params:scim:schemas:core:2.0:User"],"NAME":{"GivenName":"g"}}`, true},
		{"id and meta ignored", core + `"id":"x","meta":{"created":"yesterday"},"userName":"u"}`, true},
		{"unknown members skipped", core + `"userName":"u","nickname2":{"a":[1,2]},"name":{"x":1,"givenName":"g"}}`, true},
		{"two emails, one primary", core + `"userName":"u","emails":[{"value":"a@x","type":"work","primary":true},{"value":"a@x","type":"home"}]}`, true},
		{"the same email twice", core + `"userName":"u","emails":[{"value":"a@x","type":"work"},{"value":"A@X","type":"WORK"}]}`, false},
		{"the same email with and without a type", core + `"userName":"u","emails":[{"value":"a@x","type":"work"},{"value":"a@x"}]}`, true},
		{"two primaries", core + `"userName":"u","emails":[{"value":"a","primary":true},{"value":"b","primary":true}]}`, false},
		{"extension listed but absent", both + `"userName":"u"}`, true},
		{"extension present but not listed", core + `"userName":"u","` + ent + `":{"department":"d"}}`, true},
		{"an empty extension", both + `"userName":"u","` + ent + `":{}}`, false},
		{"an extension of unknown members", both + `"userName":"u","` + ent + `":{"x":"d"}}`, false},
		{"no userName", core + `"displayName":"d"}`, false},
		{"no schemas", `{"userName":"u"}`, false},
		{"no core schema", `{"schemas":["` + ent + `"],"userName":"u"}`, false},
		{"an unknown schema listed", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:x"],"userName":"u"}`, true},
		{"repeated member", core + `"userName":"u","userName":"v"}`, false},
		{"repeated extension", both + `"userName":"u","` + ent + `":{"department":"d"},"` + ent + `":{"division":"v"}}`, false},
		{"repeated externalId", core + `"userName":"u","externalId":"a","externalId":"b"}`, false},
		{"escapes", core + `"userName":"u\u0041"}`, false},
		{"non-ASCII", core + `"userName":"José","name":{"familyName":"Ørsted 日本"}}`, true},
		{"U+2028, which AppendJSON escapes", core + "\"userName\":\"a\u2028b\"}", false},
		{"U+2029", core + "\"userName\":\"u\",\"title\":\"a\u2029\"}", false},
		{"two emails not in ASCII", core + `"userName":"u","emails":[{"value":"é@x"},{"value":"É@x"}]}`, false},
		{"empty string", core + `"userName":"u","title":""}`, false},
		{"empty externalId", core + `"userName":"u","externalId":""}`, false},
		{"null", core + `"userName":"u","title":null}`, false},
		{"Entra ID's boolean string", core + `"userName":"u","active":"True"}`, false},
		{"a number for a string", core + `"userName":1}`, false},
		{"an empty array", core + `"userName":"u","emails":[]}`, false},
		{"an empty object", core + `"userName":"u","name":{}}`, false},
		{"an empty element", core + `"userName":"u","emails":[{}]}`, false},
		{"a null element", core + `"userName":"u","emails":[null]}`, false},
		{"a single value for a multi-valued attribute", core + `"userName":"u","emails":{"value":"a"}}`, false},
		{"readOnly attribute", core + `"userName":"u","groups":[{"value":"g"}]}`, false},
		{"readOnly sub-attribute", both + `"userName":"u","` + ent + `":{"manager":{"value":"m","displayName":"M"}}}`, false},
		{"writeOnly attribute", core + `"userName":"u","password":"p"}`, false},
		{"qualified name", core + `"urn:ietf:params:scim:schemas:core:2.0:User:userName":"u"}`, false},
		{"binary", core + `"userName":"u","x509Certificates":[{"value":"aGk="}]}`, false},
		{"trailing data", core + `"userName":"u"} {}`, false},
		{"not an object", `["userName"]`, false},
	}
	users := schema.Users()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.True(t, len(tc.body) > 0)
			assert.Equal(t, tc.took, checkPrepareCreate(t, users, []byte(tc.body)))
		})
	}
}

// TestPrepareCreateStrict: a strict service's rules are the general
// path's alone.
func TestPrepareCreateStrict(t *testing.T) {
	body := []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u"}`)
	_, _, ok := document.PrepareCreate(nil, schema.Users(), body, document.DecodeOptions{Strict: true})
	assert.False(t, ok)
	_, _, ok = document.PrepareCreate(nil, schema.Users(), body, document.DecodeOptions{})
	assert.True(t, ok)
}

// TestPrepareCreateRequiredExtension: a required extension the body lacks
// is an error of the general path.
func TestPrepareCreateRequiredExtension(t *testing.T) {
	rt := schema.Users()
	rt.Extensions[0].Required = true
	body := []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u"}`)
	assert.False(t, checkPrepareCreate(t, rt, body))
	body = []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","` + ent + `":{"division":"d"}}`)
	assert.True(t, checkPrepareCreate(t, rt, body))
}

// FuzzPrepareCreate: wherever PrepareCreate takes a body, the general path
// takes it too and writes the same JSON.
func FuzzPrepareCreate(f *testing.F) {
	f.Add([]byte(fullUser))
	f.Add([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + ent + `"],"externalId":"e","userName":"u","active":true,` +
		`"emails":[{"primary":true,"type":"work","value":"a@x"},{"value":"b@x","type":"home"}],"name":{"givenName":"g","familyName":"f"},` +
		`"` + ent + `":{"employeeNumber":"1","manager":{"value":"m"}}}`))
	f.Add([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","phoneNumbers":[{"value":"1","type":"work"},{"value":"1","type":"Work"}]}`))
	users := schema.Users()
	f.Fuzz(func(t *testing.T, body []byte) {
		if document.CheckJSON(body, 32) != nil {
			return // the handler reads only bodies CheckJSON takes
		}
		checkPrepareCreate(t, users, body)
	})
}
