package memory_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/memory"
)

// thing is a resource type with an attribute of every type, and values
// the default projection leaves out (returned "never" and "request", also
// as sub-attributes), for the round trips through the stored JSON.
func thing() *schema.ResourceType {
	return &schema.ResourceType{Name: "Thing", Endpoint: "/Things",
		Schema: &schema.Schema{ID: "urn:example:Thing", Attributes: []*schema.Attribute{
			{Name: "name", Uniqueness: schema.UniquenessServer},
			{Name: "count", Type: schema.Integer},
			{Name: "ratio", Type: schema.Decimal},
			{Name: "flag", Type: schema.Boolean},
			{Name: "at", Type: schema.DateTime},
			{Name: "blob", Type: schema.Binary},
			{Name: "link", Type: schema.Reference, ReferenceTypes: []string{"external"}},
			{Name: "tags", MultiValued: true},
			{Name: "secret", Returned: schema.ReturnedNever},
			{Name: "extra", Returned: schema.ReturnedRequest},
			{Name: "parts", Type: schema.Complex, MultiValued: true, SubAttributes: []*schema.Attribute{
				{Name: "value"}, {Name: "weight", Type: schema.Decimal}, {Name: "key", Returned: schema.ReturnedNever},
			}},
		}},
		Extensions: []schema.Extension{{Schema: &schema.Schema{ID: "urn:example:Extra", Attributes: []*schema.Attribute{
			{Name: "note"}, {Name: "pin", Returned: schema.ReturnedNever},
		}}}},
	}
}

// FuzzCompact checks the round trip through the stored JSON: whatever a body
// decodes to, stored by the handler's path (CreateAdopted) or a host's
// (Create), reads back through Get as the write returned it, and GetJSON
// writes the JSON AppendJSON writes for it.
func FuzzCompact(f *testing.F) {
	f.Add(`{"schemas":["urn:example:Thing","urn:example:Extra"],"name":"a","count":-7,"ratio":0.1,"flag":true,"at":"2024-01-02T03:04:05.5+01:00",
"blob":"aGk=","link":"https://x/y","tags":["t1","t2"],"secret":"s","extra":"e","parts":[{"value":"p","weight":1e21,"key":"k"},{"value":"q"}],
"urn:example:Extra":{"note":"n\u00e9\"\\","pin":"1234"}}`, 0)
	f.Add(`{"schemas":["urn:example:Thing"],"name":"b","parts":[{"key":"only hidden"}],"urn:example:Extra":{"pin":"1"}}`, 1)
	f.Add(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"U","password":"p","name":{"givenName":"\u2028"},
"emails":[{"value":"u@x","type":"work","primary":true}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m"}}}`, 2)
	f.Add(`{"schemas":["urn:example:Thing"],"ratio":1.0,"count":9007199254740993}`, 3)
	types := []*schema.ResourceType{thing(), schema.Users(), schema.Groups()}
	f.Fuzz(func(t *testing.T, body string, pick int) {
		rt := types[uint(pick)%uint(len(types))]
		r, err := document.Decode(rt, []byte(body), document.DecodeOptions{})
		if err != nil {
			return
		}
		ctx := context.Background()
		for _, adopted := range []bool{true, false} {
			s := memory.New(rt, memory.Options{})
			in := r.Clone()
			var out *schema.Resource
			if adopted {
				out, err = memory.Fast(s).CreateAdopted(ctx, in)
			} else {
				out, err = s.Create(ctx, in)
				assert.Equal(t, r, in, "Create leaves its input alone")
			}
			require.NoError(t, err)
			got, err := s.Get(ctx, out.ID)
			require.NoError(t, err)
			assert.Equal(t, out, got, "Get returns what the write returned")
			want := r.Clone()
			want.ID, want.Meta = out.ID, out.Meta
			assert.Equal(t, want, got, "what was stored is what was given")
			enc, err := memory.Fast(s).GetJSON(ctx, out.ID)
			if rt.Name == "Group" {
				assert.ErrorIs(t, err, errors.ErrUnsupported, "the stored JSON leaves the members out")
				continue
			}
			require.NoError(t, err)
			for _, p := range projections(rt) {
				if p.Requests() {
					continue // not in the JSON: the handler reads through Get
				}
				want := string(document.AppendJSON(nil, rt, got, p))
				assert.Equal(t, want, string(document.AppendEncoded(nil, rt, &enc, p)), "projection %v", p)
				part, err := document.DecodeEncoded(rt, &enc, p)
				require.NoError(t, err)
				assert.Equal(t, want, string(document.AppendJSON(nil, rt, part, p)), "DecodeEncoded, projection %v", p)
			}
		}
	})
}

// projections returns the default projection and others that name
// attributes, sub-attributes, extensions and common attributes of rt.
func projections(rt *schema.ResourceType) []*document.Projection {
	out := []*document.Projection{nil}
	var names []string
	add := func(prefix string, s *schema.Schema) {
		for _, a := range s.Attributes {
			names = append(names, prefix+a.Name)
			for _, sub := range a.SubAttributes {
				names = append(names, prefix+a.Name+"."+sub.Name)
			}
		}
	}
	add("", rt.Schema)
	for _, e := range rt.Extensions {
		names = append(names, e.Schema.ID)
		add(e.Schema.ID+":", e.Schema)
	}
	names = append(names, "id", "externalId", "meta", "meta.version", "schemas")
	for i, n := range names {
		out = append(out, document.NewProjection(rt, []string{n}, nil), document.NewProjection(rt, nil, []string{n}))
		if i > 0 {
			out = append(out, document.NewProjection(rt, []string{names[i-1], n}, nil), document.NewProjection(rt, nil, []string{names[i-1], n}))
		}
	}
	return out
}

// TestCompactRefusesWhatItCannotKeep checks that a host's resource whose
// values do not read back from JSON is refused, and nothing is stored.
func TestCompactRefusesWhatItCannotKeep(t *testing.T) {
	ctx := context.Background()
	s := memory.New(thing(), memory.Options{})
	_, err := s.Create(ctx, &schema.Resource{Attributes: map[string]any{"name": "a", "count": "seven"}})
	assert.ErrorContains(t, err, "cannot be stored")
	assert.Equal(t, 0, memory.Len(s))
	// Canonical values of another Go type read back canonical.
	r, err := s.Create(ctx, &schema.Resource{Attributes: map[string]any{"name": "a", "count": 7, "undefined": "x"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"name": "a", "count": int64(7)}, r.Attributes)
}

// TestProjectionRequests checks which projections name what the compact
// form's JSON does not hold: attributes returned only on request.
func TestProjectionRequests(t *testing.T) {
	rt := thing()
	for _, tt := range []struct {
		attrs, excluded []string
		want            bool
	}{
		{nil, nil, false},
		{[]string{"extra"}, nil, true},
		{[]string{"name", "EXTRA"}, nil, true},
		{[]string{"name"}, nil, false},
		{[]string{"secret"}, nil, false}, // never returned: never written
		{nil, []string{"name"}, false},
		{nil, []string{"extra"}, false},
	} {
		assert.Equal(t, tt.want, document.NewProjection(rt, tt.attrs, tt.excluded).Requests(), "%v %v", tt.attrs, tt.excluded)
	}
}

// TestKeysFollowTheJSON checks that after a write no index keeps the old
// version's JSON alive: the id and userName keys share the new version's
// JSON, so replacing every user with a large new value leaves the live
// heap at one version per user, not two.
func TestKeysFollowTheJSON(t *testing.T) {
	ctx := context.Background()
	users := schema.Users()
	s := memory.New(users, memory.Options{})
	const n, size = 64, 256 << 10
	live := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base := live()
	var ids []string
	for i := range n {
		r, err := s.Create(ctx, &schema.Resource{Attributes: map[string]any{
			"userName": fmt.Sprintf("user%03d", i), "title": strings.Repeat("a", size)}})
		require.NoError(t, err)
		ids = append(ids, r.ID)
	}
	one := live() - base
	require.Greater(t, one, uint64(n*size), "the users are held")
	for i, id := range ids {
		_, err := s.Replace(ctx, &schema.Resource{ID: id, Attributes: map[string]any{
			"userName": fmt.Sprintf("user%03d", i), "title": strings.Repeat("b", size)}}, "")
		require.NoError(t, err)
	}
	after := live() - base
	assert.Less(t, after, one+one/4, "the old versions are collected (%d bytes after create, %d after replace)", one, after)
	assert.Greater(t, after, uint64(n*size), "the new versions are held")
	runtime.KeepAlive(s)
}
