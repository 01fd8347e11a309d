package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/schema"
)

func names(attrs []*schema.Attribute) []string {
	out := []string{}
	for _, a := range attrs {
		out = append(out, a.Name)
	}
	return out
}

// TestKeep checks ResourceType.Keep: the copy holds the attributes named,
// whole or in part, in the schema's order, and the extensions they belong
// to; it knows what it left out; and the original is unchanged.
func TestKeep(t *testing.T) {
	users := schema.Users()
	before := len(users.Schema.Attributes)
	kept, err := users.Keep("userName", "NAME.givenName", "emails", "active", "externalId",
		schema.EnterpriseUserSchema+":manager")
	require.NoError(t, err)
	assert.Equal(t, []string{"userName", "name", "active", "emails"}, names(kept.Schema.Attributes))
	assert.Equal(t, []string{"givenName"}, names(kept.Schema.Attribute("name").SubAttributes))
	require.Len(t, kept.Extensions, 1)
	assert.Equal(t, []string{"manager"}, names(kept.Extensions[0].Schema.Attributes))
	assert.Equal(t, users.Schema.ID, kept.Schema.ID, "the same schema, fewer attributes (RFC 7643 §7)")

	for _, c := range []struct {
		urn, name, sub string
		want           bool
	}{
		{"", "title", "", true},
		{"", "Title", "", true},
		{"", "name", "familyName", true},
		{"", "name", "givenName", false},
		{"", "userName", "", false},
		{"", "costCenter", "", true}, // the enterprise extension's, sent unqualified
		{schema.EnterpriseUserSchema, "department", "", true},
		{schema.EnterpriseUserSchema, "manager", "", false},
		{"", "bogus", "", false}, // never defined
	} {
		assert.Equal(t, c.want, kept.Dropped(c.urn, c.name, c.sub), "%s %s %s", c.urn, c.name, c.sub)
	}
	assert.False(t, users.Dropped("", "title", ""), "the original left nothing out")
	assert.Len(t, users.Schema.Attributes, before, "the original is unchanged")
	assert.Len(t, users.Schema.Attribute("name").SubAttributes, 6)

	again, err := kept.Keep("userName")
	require.NoError(t, err)
	assert.True(t, again.Dropped("", "title", ""), "what an earlier Keep left out stays left out")
	assert.True(t, again.Dropped("", "emails", ""))

	for _, bad := range [][]string{
		{"userName", "bogus"},
		{"userName", "name.bogus"},
		{"emails"}, // userName is required (RFC 7643 §4.1.1)
	} {
		_, err := users.Keep(bad...)
		assert.Error(t, err, "%v", bad)
	}
}
