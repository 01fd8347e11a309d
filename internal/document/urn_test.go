package document_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

// TestSplitURN checks fully qualified attribute names (RFC 7644 §3.10):
// the URN of one of the resource type's schemas, matched
// case-insensitively, then ":" and the attribute path.
func TestSplitURN(t *testing.T) {
	users := schema.Users()
	urn, rest, ok := document.SplitURN(users, schema.EnterpriseUserSchema+":manager.value")
	assert.True(t, ok)
	assert.Equal(t, schema.EnterpriseUserSchema, urn)
	assert.Equal(t, "manager.value", rest)
	urn, rest, ok = document.SplitURN(users, "urn:ietf:params:scim:schemas:core:2.0:user:name.givenName")
	assert.True(t, ok, "URNs match case-insensitively")
	assert.Equal(t, schema.UserSchema, urn)
	assert.Equal(t, "name.givenName", rest)
	_, rest, ok = document.SplitURN(users, "name.givenName")
	assert.False(t, ok)
	assert.Equal(t, "name.givenName", rest)
	_, _, ok = document.SplitURN(users, "urn:other:thing:attr")
	assert.False(t, ok)
}
