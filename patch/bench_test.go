package patch_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
)

func groupWithMembers(n int) *schema.Resource {
	members := make([]any, n)
	for i := range members {
		members[i] = map[string]any{"value": fmt.Sprintf("2819c223-7f76-453a-919d-%012d", i), "display": fmt.Sprintf("user %d", i)}
	}
	return &schema.Resource{ID: "g", Attributes: map[string]any{"displayName": "Everyone", "members": members}}
}

// BenchmarkAddMember adds one member to groups of 10 and 10,000 members
// through the generic path (copy, apply, validate).
func BenchmarkAddMember(b *testing.B) {
	groups := schema.Groups()
	ops, err := patch.Decode([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"add","path":"members","value":[{"value":"new-member-id"}]}]}`), patch.Options{})
	require.NoError(b, err)
	for _, n := range []int{10, 10000} {
		g := groupWithMembers(n)
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, changed, err := patch.Apply(context.Background(), groups, g, ops, patch.Options{})
				if err != nil || !changed || len(out.Attributes["members"].([]any)) != n+1 {
					b.Fatal(err, changed)
				}
			}
		})
	}
}

// BenchmarkEntraUserUpdate applies a typical Entra ID user update: capitalised
// ops, a string boolean, a value-path email and a path-less replace with
// dotted and URN keys.
func BenchmarkEntraUserUpdate(b *testing.B) {
	users := schema.Users()
	r := resource(b, users, baseUser)
	body := []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
		{"op":"Replace","path":"emails[type eq \"work\"].value","value":"new@work.com"},
		{"op":"Replace","path":"active","value":"False"},
		{"op":"Add","path":"title","value":"Manager"},
		{"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq"}}]}`)
	b.ReportAllocs()
	for b.Loop() {
		ops, err := patch.Decode(body, patch.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := patch.Apply(context.Background(), users, r, ops, patch.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// memberValues is a JSON array of k members with fresh ids.
func memberValues(k int, prefix string) []byte {
	b := []byte{'['}
	for i := range k {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"value":"%s-%08d"}`, prefix, i)
	}
	return append(b, ']')
}

// BenchmarkAddManyMembers adds k members in one operation to a group of k
// members (issue 18: PATCH cost must be linear, so ns/member stays flat
// as k grows), and removes them again in one Entra ID style operation.
func BenchmarkAddManyMembers(b *testing.B) {
	groups := schema.Groups()
	for _, k := range []int{1000, 10000, 100000} {
		g := groupWithMembers(k)
		add, err := patch.Decode(fmt.Appendf(nil, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"add","path":"members","value":%s}]}`, memberValues(k, "new")), patch.Options{})
		require.NoError(b, err)
		b.Run(fmt.Sprintf("add/members=%d", k), func(b *testing.B) {
			for b.Loop() {
				out, _, err := patch.Apply(context.Background(), groups, g, add, patch.Options{})
				if err != nil || len(out.Attributes["members"].([]any)) != 2*k {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*k), "ns/member")
		})
		remove, err := patch.Decode(fmt.Appendf(nil, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"remove","path":"members","value":%s}]}`, memberValues(k, "new")), patch.Options{})
		require.NoError(b, err)
		full, _, err := patch.Apply(context.Background(), groups, g, add, patch.Options{})
		require.NoError(b, err)
		b.Run(fmt.Sprintf("remove/members=%d", k), func(b *testing.B) {
			for b.Loop() {
				out, _, err := patch.Apply(context.Background(), groups, full, remove, patch.Options{})
				if err != nil || len(out.Attributes["members"].([]any)) != k {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*k), "ns/member")
		})
	}
}

// BenchmarkFilteredRemoves applies 1,000 operations that each remove the
// members a filter on "display" selects from a group of 100,000: the
// worst a PatchOp of the default size can ask, one pass over the members
// per operation (issue 18 measured 5 s).
func BenchmarkFilteredRemoves(b *testing.B) {
	groups := schema.Groups()
	g := groupWithMembers(100_000)
	body := []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`)
	for i := range maxOperations {
		if i > 0 {
			body = append(body, ',')
		}
		body = fmt.Appendf(body, `{"op":"remove","path":"members[display eq \"user %d\"]"}`, i*100)
	}
	ops, err := patch.Decode(append(body, "]}"...), patch.Options{})
	require.NoError(b, err)
	for b.Loop() {
		out, _, err := patch.Apply(context.Background(), groups, g, ops, patch.Options{})
		if err != nil || len(out.Attributes["members"].([]any)) != 100_000-maxOperations {
			b.Fatal(err)
		}
	}
}
