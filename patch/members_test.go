package patch_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/internal/elements"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
)

// TestValuesTouched checks which member operations name their members by
// value, and that applying them to a group holding only those members
// changes them as applying them to the whole group does (RFC 7644
// §3.5.2.1, §3.5.2.2 and the Entra ID remove-by-value dialect).
func TestValuesTouched(t *testing.T) {
	groups := schema.Groups()
	members := groups.Schema.Attribute("members")
	full := resource(t, groups, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G",
		"members":[{"value":"a","display":"A"},{"value":"b"},{"value":"c"},{"value":"d"}]}`)
	tests := []struct {
		ops    string
		values []string // nil: not by value
	}{
		{`[{"op":"add","path":"members","value":[{"value":"e"},{"value":"a","display":"A2"}]}]`, []string{"e", "a"}},
		{`[{"op":"remove","path":"members[value eq \"b\"]"}]`, []string{"b"}},
		{`[{"op":"Remove","path":"members","value":[{"value":"c"},{"value":"zz"}]}]`, []string{"c", "zz"}},
		{`[{"op":"replace","path":"displayName","value":"H"},{"op":"add","path":"members","value":[{"value":"f"}]}]`, []string{"f"}},
		{`[{"op":"replace","value":{"displayName":"H"}},{"op":"remove","path":"members[value eq \"a\"]"}]`, []string{"a"}},
		{`[{"op":"replace","path":"displayName","value":"H"}]`, []string{}},
		{`[{"op":"remove","path":"members"}]`, nil},
		{`[{"op":"replace","path":"members","value":[{"value":"x"}]}]`, nil},
		{`[{"op":"remove","path":"members[display eq \"A\"]"}]`, nil},
		{`[{"op":"remove","path":"members[value eq \"a\" or value eq \"b\"]"}]`, nil},
		{`[{"op":"replace","path":"members[value eq \"a\"].display","value":"X"}]`, []string{"a"}}, // a renamed member's display
		{`[{"op":"add","path":"members","value":{"value":"x"}}]`, nil},
		{`[{"op":"add","value":{"members":[{"value":"x"}]}}]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.ops, func(t *testing.T) {
			ops, err := patch.Decode([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+tt.ops+`}`), patch.Options{})
			require.NoError(t, err)
			values, ok := elements.ValuesTouched(groups, members, ops)
			if tt.values == nil {
				assert.False(t, ok)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tt.values, values)

			whole, _, err := patch.Apply(context.Background(), groups, full, ops, patch.Options{})
			require.NoError(t, err)
			sparse := full.Clone()
			var kept []any
			for _, m := range full.Attributes["members"].([]any) {
				for _, v := range values {
					if m.(map[string]any)["value"] == v {
						kept = append(kept, m)
					}
				}
			}
			sparse.Attributes["members"] = kept
			if kept == nil {
				delete(sparse.Attributes, "members")
			}
			part, _, err := patch.Apply(context.Background(), groups, sparse, ops, patch.Options{})
			require.NoError(t, err)
			assert.Equal(t, whole.Attributes["displayName"], part.Attributes["displayName"])
			touched := func(r *schema.Resource) map[string]any {
				out := map[string]any{}
				list, _ := r.Attributes["members"].([]any)
				for _, m := range list {
					v := m.(map[string]any)["value"].(string)
					for _, x := range values {
						if v == x {
							out[v] = m
						}
					}
				}
				return out
			}
			assert.Equal(t, touched(whole), touched(part), "the touched members agree")
		})
	}
}
