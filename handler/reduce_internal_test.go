package handler

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// TestReduce checks RFC 7644 §3.4.2.1: in a search across resource types,
// an attribute a type does not have is treated as having no value.
func TestReduce(t *testing.T) {
	groups := schema.Groups()
	tests := []struct {
		in     string
		want   string // "" when decided
		always bool
	}{
		{`displayName eq "x"`, `displayName eq "x"`, false},
		{`userName eq "x"`, "", false},
		{`userName pr`, "", false},
		{`userName ne "x"`, "", true},
		{`not (userName eq "x")`, "", true},
		{`userName eq "x" or displayName eq "y"`, `displayName eq "y"`, false},
		{`displayName eq "y" or userName eq "x"`, `displayName eq "y"`, false},
		{`userName eq "x" and displayName eq "y"`, "", false},
		{`userName ne "x" and displayName eq "y"`, `displayName eq "y"`, false},
		{`userName ne "x" or displayName eq "y"`, "", true},
		{`userName eq "x" or title eq "y"`, "", false},
		{`userName ne "x" and title ne "y"`, "", true},
		{`not (userName eq "x" or displayName eq "y")`, `not (displayName eq "y")`, false},
		{`emails[type eq "work"]`, "", false},
		{`emails[type eq "work"].value eq "a"`, "", false},
		{`members[value eq "1"] or emails[type eq "work"]`, `members[value eq "1"]`, false},
		{`members[value eq "1"].nosuch eq "a"`, "", false},
		{`members.value eq "1" and name.givenName pr`, "", false},
		{`members.nosuch eq "1"`, "", false},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"`, "", false},
		{`meta.lastModified gt "2020-01-01T00:00:00Z"`, `meta.lastModified gt "2020-01-01T00:00:00Z"`, false},
		{`displayName eq 5`, `displayName eq 5`, false}, // left for Compile to reject
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := filter.Parse(tt.in)
			require.NoError(t, err)
			got, always := reduceFilter(groups, e)
			if tt.want == "" {
				assert.Nil(t, got)
				assert.Equal(t, tt.always, always)
				return
			}
			require.NotNil(t, got)
			assert.Equal(t, tt.want, got.String())
			assert.False(t, always)
		})
	}
	t.Run("unchanged expressions are returned as they are", func(t *testing.T) {
		e, err := filter.Parse(`displayName eq "a" and not (members pr)`)
		require.NoError(t, err)
		got, _ := reduceFilter(groups, e)
		assert.Same(t, e, got)
	})
}
