package document

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/scimkit/scimkit/schema"
)

// TestDirectDecoderTakesCommonBodies checks that the bodies identity
// providers send every day are read by the direct decoder, not handed to
// the generic path (which would still answer correctly, only slower).
func TestDirectDecoderTakesCommonBodies(t *testing.T) {
	users, groups := schema.Users(), schema.Groups()
	tests := []struct {
		name string
		rt   *schema.ResourceType
		body string
	}{
		{"Entra ID user", users, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"e1","userName":"u@x","active":true,"displayName":"U","title":"T","name":{"givenName":"G","familyName":"F","formatted":"G F"},"emails":[{"value":"u@x","type":"work","primary":true}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1","department":"D","manager":{"value":"m"}}}`},
		{"Entra ID's manager as a string", users, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"m"}`},
		{"Okta user with password, id and meta", users, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"1","userName":"u","password":"p","name":{"givenName":"G","familyName":"F"},"emails":[{"primary":true,"value":"u@x","type":"work"}],"displayName":"G F","locale":"en-US","externalId":"00u1","groups":[],"active":true,"meta":{"resourceType":"User"}}`},
		{"group with members", groups, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"1","display":"a"},{"value":"2"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := directDecoder{parser: parser{data: []byte(tt.body)}, rt: tt.rt}
			r, ok := d.resource()
			assert.True(t, ok, "the direct decoder declined")
			assert.NotNil(t, r)
		})
	}
}

// FuzzFoldEqual checks foldEqual against strings.EqualFold.
func FuzzFoldEqual(f *testing.F) {
	for _, p := range [][2]string{{"userName", "USERNAME"}, {"userName", "userNam"}, {"\u212Aey", "key"}, {"ſchemas", "schemas"}, {"a@", "A`"}, {"[", "{"}, {"", ""}, {"é", "É"}} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := foldEqual([]byte(a), b), strings.EqualFold(a, b); got != want {
			t.Fatalf("foldEqual(%q, %q) = %v, strings.EqualFold says %v", a, b, got, want)
		}
	})
}
