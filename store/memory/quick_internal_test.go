package memory

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/internal/fastpath"
	"github.com/scimkit/scimkit/internal/valuekey"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// quickType is the User resource type with EnterpriseUser and an
// extension whose schema requires one of its two attributes, so that the
// quick path meets an object it may not create alone.
func quickType() *schema.ResourceType {
	rt := schema.Users()
	rt.Extensions = append(rt.Extensions, schema.Extension{Schema: &schema.Schema{
		ID: "urn:example:params:scim:schemas:extension:badge:2.0:User", Name: "Badge",
		Attributes: []*schema.Attribute{
			{Name: "number", Type: schema.String, Required: true},
			{Name: "color", Type: schema.String},
		},
	}})
	return rt
}

// quickStart are the users a quick PATCH is tried on: bare, and with the
// attributes the quick path writes into.
var quickStart = []string{
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bare"}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:example:params:scim:schemas:extension:badge:2.0:User"],
	  "userName":"full","externalId":"x-1","displayName":"Full \u00e9","title":"Engineer","active":true,"nickName":"f",
	  "name":{"familyName":"Jensen","givenName":"Barbara"},"emails":[{"value":"f@example.com","type":"work","primary":true}],
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"7","department":"R&D","manager":{"value":"m1"}},
	  "urn:example:params:scim:schemas:extension:badge:2.0:User":{"number":"12"}}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Esc\"aped","title":"T"}`, // an escape, a value not folded: the index keys are decoded
}

// checkQuick applies body to each of quickStart with part.quickPatch and,
// where it applies, checks that the result is patch.Apply's, stored as
// the general path stores it: the same error (none), the same change or
// none, and the same JSON and spans. It returns how many starts the quick
// path took.
func checkQuick(t *testing.T, body string, strict bool) (took int) {
	t.Helper()
	opts := patch.Options{Strict: strict}
	ops, err := patch.Decode([]byte(body), opts)
	if err != nil {
		return 0
	}
	ctx := context.Background()
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := created
	rt := quickType()
	n := 0
	s := New(rt, Options{Now: func() time.Time { return now }, NewID: func() string { n++; return "id-" + strconv.Itoa(n) }}).(*memStore)
	p := s.part(ctx)
	for _, start := range quickStart {
		var obj map[string]any
		require.NoError(t, json.Unmarshal([]byte(start), &obj))
		delete(obj, "schemas")
		r := &schema.Resource{Attributes: obj}
		if x, ok := obj["externalId"].(string); ok {
			r.ExternalID = x
			delete(obj, "externalId")
		}
		c, err := s.Create(ctx, r)
		require.NoError(t, err)
		now = now.Add(time.Second)
		cur, err := p.get(ctx, c.ID)
		require.NoError(t, err)
		want, changed, applyErr := patch.Apply(ctx, rt, cur, ops, opts)
		before, err := p.at(c.ID, "")
		require.NoError(t, err)
		old := before.st
		st, ok, err := p.quickPatch(ctx, c.ID, ops, "", opts)
		if !ok {
			continue
		}
		took++
		require.NoError(t, err, body)
		require.NoError(t, applyErr, "the quick path took a PATCH that patch.Apply refuses: %s", body)
		if !changed {
			assert.Equal(t, cur.Meta.Version, st.version(), "a PATCH that changes nothing keeps the version: %s", body)
			continue
		}
		assert.NotEqual(t, cur.Meta.Version, st.version(), body)
		assert.Equal(t, string(p.encode(nil, want, c.ID, cur.Meta.Created, now)), st.enc(), "the JSON the general path stores: %s", body)
		assert.Equal(t, string(p.spanner.AppendSpans(nil, st.enc())), st.spans(), body)
		got, err := p.resource(st)
		require.NoError(t, err)
		assert.Equal(t, want.Attributes, got.Attributes, body)
		assert.Equal(t, c.ExternalID, got.ExternalID)
		e, err := p.at(c.ID, "")
		require.NoError(t, err)
		assert.Same(t, st, e.st)
		if u, ok := cur.Attributes["userName"].(string); ok {
			assert.Same(t, e, p.unique[0].keys[valuekey.Of(false, u)], "still indexed by userName")
		}
		if c.ExternalID != "" {
			assert.Same(t, e, p.byExt[c.ExternalID], "still indexed by externalId")
		}
		for k, holder := range p.unique[0].keys {
			assert.False(t, holder == e && shares(old.blob, k), "an index key keeps the old JSON alive")
		}
		for k, holder := range p.byExt {
			assert.False(t, holder == e && shares(old.blob, k), "an externalId key keeps the old JSON alive")
		}
	}
	return took
}

// shares reports whether s's bytes are inside blob's memory.
func shares(blob, s string) bool {
	if s == "" || blob == "" {
		return false
	}
	b, p := uintptr(unsafe.Pointer(unsafe.StringData(blob))), uintptr(unsafe.Pointer(unsafe.StringData(s)))
	return p >= b && p < b+uintptr(len(blob))
}

func patchBody(ops ...string) string {
	b := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`
	for i, o := range ops {
		if i > 0 {
			b += ","
		}
		b += o
	}
	return b + "]}"
}

// TestQuickPatch checks which PATCHes the memory store writes straight
// into the stored JSON (RFC 7644 §3.5.2.1 add and §3.5.2.3 replace of
// single-valued attributes) and that each gives what patch.Apply gives.
func TestQuickPatch(t *testing.T) {
	tests := []struct {
		name string
		op   []string
		took int // how many of quickStart the quick path takes
	}{
		{"Entra ID's title and displayName", []string{
			`{"op":"Replace","path":"displayName","value":"Name 1"}`,
			`{"op":"Replace","path":"title","value":"Title \"1\" <b>"}`}, 3},
		{"Okta's deactivation", []string{`{"op":"replace","path":"active","value":false}`}, 3},
		{"Entra ID's boolean as a string", []string{`{"op":"Replace","path":"active","value":"False"}`}, 3},
		{"the same value: no change", []string{`{"op":"replace","path":"nickName","value":"f"}`}, 3},
		{"add to a single-valued attribute replaces", []string{`{"op":"add","path":"nickName","value":"g"}`}, 3},
		{"a sub-attribute", []string{`{"op":"replace","path":"name.givenName","value":"Babs"}`}, 3},
		{"sub-attributes in order", []string{
			`{"op":"replace","path":"name.middleName","value":"J"}`,
			`{"op":"replace","path":"name.honorificPrefix","value":"Ms"}`,
			`{"op":"replace","path":"name.formatted","value":"Ms Babs J Jensen"}`}, 3},
		{"a qualified path", []string{`{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:title","value":"T"}`}, 3},
		{"an extension attribute", []string{`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Sales"}`}, 3},
		{"extension attributes in order", []string{
			`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization","value":"O"}`,
			`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter","value":"C"}`,
			`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"8"}`}, 3},
		{"the last of two sets wins", []string{
			`{"op":"replace","path":"title","value":"A"}`,
			`{"op":"replace","path":"title","value":"B"}`}, 3},
		{"an extension whose schema requires another attribute: only where it is", []string{
			`{"op":"replace","path":"urn:example:params:scim:schemas:extension:badge:2.0:User:color","value":"red"}`}, 1},
		{"an extension's required attribute", []string{
			`{"op":"replace","path":"urn:example:params:scim:schemas:extension:badge:2.0:User:number","value":"13"}`}, 3},
		{"a remove", []string{`{"op":"remove","path":"title"}`}, 0},
		{"one remove among sets", []string{`{"op":"replace","path":"title","value":"A"}`, `{"op":"remove","path":"nickName"}`}, 0},
		{"a unique attribute", []string{`{"op":"replace","path":"userName","value":"u"}`}, 0},
		{"externalId", []string{`{"op":"replace","path":"externalId","value":"e"}`}, 0},
		{"a value filter", []string{`{"op":"replace","path":"emails[type eq \"work\"].value","value":"g@example.com"}`}, 0},
		{"a multi-valued attribute", []string{`{"op":"add","path":"emails","value":[{"value":"g@example.com"}]}`}, 0},
		{"a complex attribute", []string{`{"op":"replace","path":"name","value":{"givenName":"B"}}`}, 0},
		{"a complex extension attribute", []string{`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"m2"}}`}, 0},
		{"an unqualified extension attribute (Entra ID)", []string{`{"op":"replace","path":"department","value":"Sales"}`}, 0},
		{"a readOnly attribute", []string{`{"op":"replace","path":"groups","value":"x"}`}, 0},
		{"a password (returned never)", []string{`{"op":"replace","path":"password","value":"hunter22"}`}, 0},
		{"an empty string (unassigned)", []string{`{"op":"replace","path":"title","value":""}`}, 0},
		{"null", []string{`{"op":"replace","path":"title","value":null}`}, 0},
		{"the wrong type", []string{`{"op":"replace","path":"active","value":"yes"}`}, 0},
		{"a path-less value", []string{`{"op":"replace","value":{"title":"x"}}`}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.took, checkQuick(t, patchBody(tc.op...), false))
		})
	}
}

// FuzzQuickPatch checks the quick path against patch.Apply for fuzzed
// operations: wherever it applies, its result is patch.Apply's.
func FuzzQuickPatch(f *testing.F) {
	f.Add("replace", "displayName", `"x"`, "replace", "title", `"y"`, false)
	f.Add("Replace", "active", `"False"`, "add", "name.givenName", `"B"`, false)
	f.Add("replace", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", `"D"`, "replace", "urn:example:params:scim:schemas:extension:badge:2.0:User:color", `"c"`, true)
	f.Add("add", "nickName", `"\u0000\ud83d\ude00"`, "replace", "profileUrl", `"https://example.com/a"`, false)
	f.Add("replace", "name.givenName", `1`, "replace", "preferredLanguage", `"en-US"`, false)
	f.Fuzz(func(t *testing.T, op1, path1, value1, op2, path2, value2 string, strict bool) {
		ops := []map[string]any{
			{"op": op1, "path": path1, "value": json.RawMessage(value1)},
			{"op": op2, "path": path2, "value": json.RawMessage(value2)},
		}
		body, err := json.Marshal(map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": ops})
		if err != nil {
			return // a value that is not JSON
		}
		checkQuick(t, string(body), strict)
	})
}

// TestQuickPatchGroup checks a group renamed by the quick path (RFC 7644
// §3.5.2.3 replace of displayName): its members, kept beside the JSON,
// stay, and so does the index that finds the groups of a member.
func TestQuickPatchGroup(t *testing.T) {
	ctx := context.Background()
	s := New(schema.Groups(), Options{}).(*memStore)
	g, err := s.Create(ctx, &schema.Resource{Attributes: map[string]any{
		"displayName": "Before",
		"members":     []any{map[string]any{"value": "u1", "display": "One"}, map[string]any{"value": "u2"}},
	}})
	require.NoError(t, err)
	ops, err := patch.Decode([]byte(patchBody(`{"op":"replace","path":"displayName","value":"After"}`)), patch.Options{})
	require.NoError(t, err)
	p := s.part(ctx)
	st, ok, err := p.quickPatch(ctx, g.ID, ops, "", patch.Options{})
	require.NoError(t, err)
	require.True(t, ok, "a rename takes the quick path")
	assert.NotEqual(t, g.Meta.Version, st.version())

	got, err := s.Get(ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, "After", got.Attributes["displayName"])
	assert.Equal(t, g.Attributes["members"], got.Attributes["members"])
	holders, ok, err := Fast(s).Holders(ctx, "members", "u2")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, []fastpath.Holder{{ID: g.ID, DisplayName: "After"}}, holders)
}

// TestQuickPatchPreconditions checks the quick path's answers for a
// resource that is not there and for an If-Match version that is not the
// resource's (RFC 7644 §3.14: 412), before it writes anything.
func TestQuickPatchPreconditions(t *testing.T) {
	ctx := context.Background()
	s := New(schema.Users(), Options{}).(*memStore)
	u, err := s.Create(ctx, &schema.Resource{Attributes: map[string]any{"userName": "u", "title": "A"}})
	require.NoError(t, err)
	ops, err := patch.Decode([]byte(patchBody(`{"op":"replace","path":"title","value":"B"}`)), patch.Options{})
	require.NoError(t, err)
	p := s.part(ctx)

	_, ok, err := p.quickPatch(ctx, "missing", ops, "", patch.Options{})
	assert.True(t, ok)
	assert.ErrorIs(t, err, store.ErrNotFound)

	_, ok, err = p.quickPatch(ctx, u.ID, ops, u.Meta.Version+"x", patch.Options{})
	assert.True(t, ok)
	assert.ErrorIs(t, err, store.ErrVersionMismatch)
	got, err := s.Get(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "A", got.Attributes["title"], "nothing written")

	st, ok, err := p.quickPatch(ctx, u.ID, ops, u.Meta.Version, patch.Options{})
	require.NoError(t, err)
	assert.True(t, ok)
	got, err = s.Get(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "B", got.Attributes["title"])
	assert.Equal(t, st.version(), got.Meta.Version)

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, ok, err = p.quickPatch(canceled, u.ID, ops, "", patch.Options{})
	assert.True(t, ok)
	assert.ErrorIs(t, err, context.Canceled)
}
