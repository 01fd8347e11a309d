package document_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/internal/clone"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

func decodeUser(t *testing.T, body string) *schema.Resource {
	t.Helper()
	r, err := document.Decode(schema.Users(), []byte(body), document.DecodeOptions{})
	require.NoError(t, err)
	return r
}

func TestValidateCreate(t *testing.T) {
	users := schema.Users()
	tests := []struct {
		name     string
		in       *schema.Resource
		want     map[string]any // nil when an error is expected
		scimType schema.ScimType
	}{{
		name: "RFC 7644 §3.3: readOnly values are ignored (groups, manager.displayName)",
		in: &schema.Resource{ID: "client", Attributes: map[string]any{
			"userName": "u",
			"groups":   []any{map[string]any{"value": "g1"}},
			ent:        map[string]any{"manager": map[string]any{"value": "m", "displayName": "Boss"}},
		}},
		want: map[string]any{"userName": "u", ent: map[string]any{"manager": map[string]any{"value": "m"}}},
	}, {
		name: "readOnly sub-attribute that was the only one leaves nothing",
		in: &schema.Resource{Attributes: map[string]any{
			"userName": "u", ent: map[string]any{"manager": map[string]any{"displayName": "Boss"}},
		}},
		want: map[string]any{"userName": "u", ent: map[string]any{}},
	}, {
		name:     "RFC 7643 §4.1.1: userName is required",
		in:       &schema.Resource{Attributes: map[string]any{"displayName": "x"}},
		scimType: schema.ScimInvalidValue,
	}, {
		name: "RFC 7643 §2.4: two primary values",
		in: &schema.Resource{Attributes: map[string]any{"userName": "u", "emails": []any{
			map[string]any{"value": "a", "primary": true}, map[string]any{"value": "b", "primary": true},
		}}},
		scimType: schema.ScimInvalidValue,
	}, {
		name: "RFC 7643 §2.4: one primary value is fine",
		in: &schema.Resource{Attributes: map[string]any{"userName": "u", "emails": []any{
			map[string]any{"value": "a", "primary": true}, map[string]any{"value": "b", "primary": false},
		}}},
		want: map[string]any{"userName": "u", "emails": []any{
			map[string]any{"value": "a", "primary": true}, map[string]any{"value": "b", "primary": false},
		}},
	}, {
		name:     "a Go value of the wrong type (built by a host)",
		in:       &schema.Resource{Attributes: map[string]any{"userName": "u", "active": "yes"}},
		scimType: schema.ScimInvalidValue,
	}, {
		name:     "a multi-valued attribute holding a single value",
		in:       &schema.Resource{Attributes: map[string]any{"userName": "u", "emails": map[string]any{"value": "a"}}},
		scimType: schema.ScimInvalidValue,
	}, {
		name:     "an attribute the schema does not define",
		in:       &schema.Resource{Attributes: map[string]any{"userName": "u", "shoeSize": int64(9)}},
		scimType: schema.ScimInvalidValue,
	}, {
		name:     "an attribute not spelled as the schema spells it",
		in:       &schema.Resource{Attributes: map[string]any{"username": "u"}},
		scimType: schema.ScimInvalidValue,
	}, {
		name:     "an unknown sub-attribute",
		in:       &schema.Resource{Attributes: map[string]any{"userName": "u", "name": map[string]any{"nick": "x"}}},
		scimType: schema.ScimInvalidValue,
	}, {
		name:     "an unknown extension attribute",
		in:       &schema.Resource{Attributes: map[string]any{"userName": "u", ent: map[string]any{"shoeSize": "9"}}},
		scimType: schema.ScimInvalidValue,
	}, {
		name:     "an extension that is not an object",
		in:       &schema.Resource{Attributes: map[string]any{"userName": "u", ent: "x"}},
		scimType: schema.ScimInvalidValue,
	}, {
		name:     "RFC 7643 §2.3.5: a bad dateTime set in code",
		in:       &schema.Resource{Attributes: map[string]any{"userName": "u", "x509Certificates": []any{map[string]any{"value": "!!"}}}},
		scimType: schema.ScimInvalidValue,
	}, {
		name:     "an empty multi-valued required attribute",
		in:       &schema.Resource{Attributes: map[string]any{"userName": "u", "emails": []any{}}},
		want:     map[string]any{"userName": "u"},
		scimType: "",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := clone.Map(tt.in.Attributes)
			out, err := document.ValidateCreate(users, tt.in)
			assert.Equal(t, before, tt.in.Attributes, "the input is never modified")
			if tt.want == nil {
				var se *schema.Error
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tt.scimType, se.Type)
				return
			}
			require.NoError(t, err)
			if m, ok := tt.want[ent].(map[string]any); ok && len(m) == 0 {
				delete(tt.want, ent)
				if m, ok := out.Attributes[ent].(map[string]any); ok && len(m) == 0 {
					delete(out.Attributes, ent)
				}
			}
			assert.Equal(t, tt.want, out.Attributes)
			assert.Empty(t, out.ID)
		})
	}
}

// TestValidateCreateSharesValues checks that ValidateCreate copies only
// the values it changes (RFC 7644 §3.3: readOnly values are ignored): the
// elements of a multi-valued attribute without a readOnly sub-attribute are
// shared with the input, the ones with one are copied without it, and the
// input is left as it was.
func TestValidateCreateSharesValues(t *testing.T) {
	rt := schema.Users()
	roles := rt.Schema.Attribute("roles")
	require.NotNil(t, roles)
	roles.SubAttribute("display").Mutability = schema.ReadOnly
	plain := map[string]any{"value": "admin"}
	withRO := map[string]any{"value": "auditor", "display": "set by the server"}
	onlyRO := map[string]any{"display": "nothing else"}
	name := map[string]any{"givenName": "Barbara"}
	in := &schema.Resource{Attributes: map[string]any{"userName": "u", "name": name, "roles": []any{plain, withRO, onlyRO}}}
	before := clone.Map(in.Attributes)

	out, err := document.ValidateCreate(rt, in)
	require.NoError(t, err)
	assert.Equal(t, before, in.Attributes, "the input is never modified")
	got := out.Attributes["roles"].([]any)
	assert.Equal(t, []any{map[string]any{"value": "admin"}, map[string]any{"value": "auditor"}}, got)
	got[0].(map[string]any)["value"] = "changed"
	assert.Equal(t, "changed", plain["value"], "an untouched element is shared, not copied")
	out.Attributes["name"].(map[string]any)["familyName"] = "Jensen"
	assert.Equal(t, "Jensen", name["familyName"], "an untouched complex value is shared, not copied")
}

func TestValidateCreateRequiredExtension(t *testing.T) {
	rt := schema.Users()
	rt.Extensions[0].Required = true
	rt.Extensions[0].Schema.Attribute("employeeNumber").Required = true
	_, err := document.ValidateCreate(rt, &schema.Resource{Attributes: map[string]any{"userName": "u"}})
	assert.ErrorContains(t, err, "requires the extension", "RFC 7643 §6: a required extension must be present")
	_, err = document.ValidateCreate(rt, &schema.Resource{Attributes: map[string]any{"userName": "u", ent: map[string]any{"department": "d"}}})
	assert.ErrorContains(t, err, "employeeNumber", "RFC 7643 §6: and carry its required attributes")
	_, err = document.ValidateCreate(rt, &schema.Resource{Attributes: map[string]any{"userName": "u", ent: map[string]any{"employeeNumber": "1"}}})
	assert.NoError(t, err)
}

func TestValidateReplace(t *testing.T) {
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	old := &schema.Resource{
		ID: "42", ExternalID: "old-ext", Meta: schema.Meta{ResourceType: "User", Created: created, Version: "v1"},
		Attributes: map[string]any{
			"userName": "bjensen",
			"password": "secret",
			"groups":   []any{map[string]any{"value": "g1", "display": "Admins"}},
			ent:        map[string]any{"manager": map[string]any{"value": "m1", "displayName": "Boss"}},
		},
	}
	users := schema.Users()

	t.Run("RFC 7644 §3.5.1: readOnly values come from the stored resource; writeOnly kept when omitted", func(t *testing.T) {
		// Okta's full PUT: id, meta and "groups": [] are readOnly and ignored.
		in := decodeUser(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"other","userName":"bjensen","groups":[],"meta":{"resourceType":"User"},"displayName":"Babs",
			"`+ent+`":{"manager":{"value":"m2","displayName":"Not Boss"}}}`)
		out, err := document.ValidateReplace(users, old, in)
		require.NoError(t, err)
		assert.Equal(t, "42", out.ID)
		assert.Equal(t, old.Meta, out.Meta)
		assert.Equal(t, "", out.ExternalID, "externalId is readWrite: omitted means cleared")
		assert.Equal(t, map[string]any{
			"userName":    "bjensen",
			"displayName": "Babs",
			"password":    "secret",
			"groups":      []any{map[string]any{"value": "g1", "display": "Admins"}},
			ent:           map[string]any{"manager": map[string]any{"value": "m2", "displayName": "Boss"}},
		}, out.Attributes)
	})
	t.Run("a new password replaces the old one", func(t *testing.T) {
		in := decodeUser(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","password":"new"}`)
		out, err := document.ValidateReplace(users, old, in)
		require.NoError(t, err)
		assert.Equal(t, "new", out.Attributes["password"])
	})
	t.Run("dropping the extension's last readWrite value removes it", func(t *testing.T) {
		in := decodeUser(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}`)
		o := old.Clone()
		delete(o.Attributes[ent].(map[string]any)["manager"].(map[string]any), "displayName")
		out, err := document.ValidateReplace(users, o, in)
		require.NoError(t, err)
		assert.NotContains(t, out.Attributes, ent)
	})
	t.Run("RFC 7644 §3.5.1: required still enforced", func(t *testing.T) {
		in := decodeUser(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"displayName":"x"}`)
		_, err := document.ValidateReplace(users, old, in)
		assert.ErrorIs(t, err, &schema.Error{Status: 400, Type: schema.ScimInvalidValue})
	})

	device := &schema.ResourceType{Name: "Device", Endpoint: "/Devices", Schema: &schema.Schema{
		ID: "urn:example:Device",
		Attributes: []*schema.Attribute{
			{Name: "serial", Mutability: schema.Immutable},
			{Name: "hw", Type: schema.Complex, SubAttributes: []*schema.Attribute{{Name: "model", Mutability: schema.Immutable}, {Name: "colour"}}},
			{Name: "ports", Type: schema.Complex, MultiValued: true, SubAttributes: []*schema.Attribute{{Name: "id", Mutability: schema.Immutable}, {Name: "seen", Mutability: schema.ReadOnly}}},
		},
	}}
	stored := &schema.Resource{ID: "d1", Attributes: map[string]any{
		"serial": "SN-1", "hw": map[string]any{"model": "M1", "colour": "red"},
	}}
	immutableTests := []struct {
		name  string
		attrs map[string]any
		want  map[string]any
		err   bool
	}{
		{"RFC 7644 §3.5.1: immutable repeated unchanged", map[string]any{"serial": "SN-1"},
			map[string]any{"serial": "SN-1", "hw": map[string]any{"model": "M1"}}, false},
		{"RFC 7644 §3.5.1: immutable changed is a mutability error", map[string]any{"serial": "SN-2"}, nil, true},
		{"RFC 7644 §3.5.1: immutable omitted keeps the stored value", map[string]any{"hw": map[string]any{"colour": "blue"}},
			map[string]any{"serial": "SN-1", "hw": map[string]any{"model": "M1", "colour": "blue"}}, false},
		{"immutable sub-attribute of a single-valued complex changed", map[string]any{"hw": map[string]any{"model": "M2"}}, nil, true},
		{"multi-valued elements may be added; readOnly sub-attributes are dropped", map[string]any{
			"ports": []any{map[string]any{"id": "p1", "seen": "yes"}}},
			map[string]any{"serial": "SN-1", "hw": map[string]any{"model": "M1"}, "ports": []any{map[string]any{"id": "p1"}}}, false},
	}
	for _, tt := range immutableTests {
		t.Run(tt.name, func(t *testing.T) {
			in := &schema.Resource{Attributes: tt.attrs}
			before := in.Clone()
			out, err := document.ValidateReplace(device, stored, in)
			assert.Equal(t, before, in, "the input is never modified")
			if tt.err {
				assert.ErrorIs(t, err, &schema.Error{Status: 400, Type: schema.ScimMutability})
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, out.Attributes)
		})
	}
	t.Run("RFC 7644 §3.5.1: immutable with no stored value may be set", func(t *testing.T) {
		out, err := document.ValidateReplace(device, &schema.Resource{ID: "d2", Attributes: map[string]any{}},
			&schema.Resource{Attributes: map[string]any{"serial": "SN-9"}})
		require.NoError(t, err)
		assert.Equal(t, "SN-9", out.Attributes["serial"])
	})
}

func TestEqual(t *testing.T) {
	ci := &schema.Attribute{Name: "s"}
	ce := &schema.Attribute{Name: "s", CaseExact: true}
	dt := &schema.Attribute{Name: "d", Type: schema.DateTime}
	multi := &schema.Attribute{Name: "m", MultiValued: true}
	cx := &schema.Attribute{Name: "c", Type: schema.Complex, SubAttributes: []*schema.Attribute{{Name: "a"}, {Name: "b", Type: schema.Integer}}}
	assert.True(t, document.Equal(ci, "ABC", "abc"), "RFC 7643 §2.3.1: caseExact false compares case-insensitively")
	assert.False(t, document.Equal(ce, "ABC", "abc"))
	assert.True(t, document.Equal(dt, "2008-01-23T04:56:22Z", "2008-01-23T06:56:22+02:00"), "dateTimes compare as instants")
	assert.True(t, document.Equal(multi, []any{"a", "B"}, []any{"A", "b"}))
	assert.False(t, document.Equal(multi, []any{"a"}, []any{"a", "b"}))
	assert.False(t, document.Equal(multi, "a", []any{"a"}))
	assert.True(t, document.Equal(cx, map[string]any{"a": "X", "b": int64(1)}, map[string]any{"a": "x", "b": int64(1)}))
	assert.False(t, document.Equal(cx, map[string]any{"a": "X"}, map[string]any{"a": "X", "b": int64(1)}))
	assert.False(t, document.Equal(&schema.Attribute{Name: "i", Type: schema.Integer}, int64(1), int64(2)))
}

func TestResourceAccessors(t *testing.T) {
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	r := &schema.Resource{
		ID: "42", ExternalID: "e-1",
		Meta: schema.Meta{ResourceType: "User", Created: created, Version: `W/"1"`, Location: "https://x/Users/42"},
		Attributes: map[string]any{
			"userName": "bjensen", "active": true,
			"name":   map[string]any{"givenName": "Barbara"},
			"emails": []any{map[string]any{"value": "a@x", "type": "work"}, map[string]any{"type": "home"}, map[string]any{"value": "b@x"}},
			ent:      map[string]any{"employeeNumber": "701984", "manager": map[string]any{"value": "m1"}},
		},
	}
	tests := []struct {
		path string
		want any
		ok   bool
	}{
		{"userName", "bjensen", true},
		{"USERNAME", "bjensen", true},
		{"name.givenName", "Barbara", true},
		{"name.GIVENNAME", "Barbara", true},
		{"name.familyName", nil, false},
		{"emails.value", []any{"a@x", "b@x"}, true},
		{"emails.display", []any(nil), false},
		{"userName.x", nil, false},
		{"id", "42", true},
		{"externalId", "e-1", true},
		{"meta.version", `W/"1"`, true},
		{"meta.resourceType", "User", true},
		{"meta.location", "https://x/Users/42", true},
		{"meta.created", "2024-01-02T03:04:05Z", true},
		{"meta.lastModified", "", false},
		{ent + ":employeeNumber", "701984", true},
		{ent + ":manager.value", "m1", true},
		{"URN:IETF:params:scim:schemas:extension:enterprise:2.0:User:manager.value", "m1", true},
		{"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName", "Barbara", true},
		{"urn:ietf:params:scim:schemas:core:2.0:User:userName", "bjensen", true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, ok := r.Get(tt.path)
			assert.Equal(t, tt.ok, ok)
			if tt.ok {
				assert.Equal(t, tt.want, got)
			}
		})
	}
	assert.Equal(t, "bjensen", r.String("userName"))
	assert.Equal(t, "", r.String("active"))
	assert.True(t, r.Bool("active"))
	assert.False(t, r.Bool("userName"))

	c := r.Clone()
	c.Attributes["name"].(map[string]any)["givenName"] = "Babs"
	c.Attributes["emails"].([]any)[0].(map[string]any)["value"] = "changed"
	assert.Equal(t, "Barbara", r.String("name.givenName"), "Clone is deep")
	assert.Equal(t, "a@x", r.Attributes["emails"].([]any)[0].(map[string]any)["value"])
	assert.Nil(t, (*schema.Resource)(nil).Clone())
	assert.Nil(t, clone.Map(nil))
}

func TestValidateNullsInSharedValues(t *testing.T) {
	users := schema.Users()
	old := &schema.Resource{ID: "1", Attributes: map[string]any{"userName": "u"}}
	// Top-level nulls are dropped; nested ones are reported, since the
	// validator copies on write and does not own nested maps.
	out, err := document.ValidateReplace(users, old, &schema.Resource{Attributes: map[string]any{"userName": "u", "title": nil, "emails": []any{}}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"userName": "u"}, out.Attributes)
	_, err = document.ValidateReplace(users, old, &schema.Resource{Attributes: map[string]any{"userName": "u", "name": map[string]any{"givenName": nil}}})
	assert.ErrorContains(t, err, "is null")
	rt := deviceTypeWithRooms()
	_, err = document.ValidateReplace(rt, &schema.Resource{}, &schema.Resource{Attributes: map[string]any{"site": map[string]any{"rooms": []any{}}}})
	assert.ErrorContains(t, err, "empty array")
}

func deviceTypeWithRooms() *schema.ResourceType {
	return &schema.ResourceType{Name: "Device", Endpoint: "/Devices", Schema: &schema.Schema{
		ID:         "urn:example:Device",
		Attributes: []*schema.Attribute{{Name: "site", Type: schema.Complex, SubAttributes: []*schema.Attribute{{Name: "rooms", MultiValued: true}}}},
	}}
}

func TestValidatePatch(t *testing.T) {
	users := schema.Users()
	old := &schema.Resource{ID: "1", Attributes: map[string]any{
		"userName": "u", "password": "secret", "groups": []any{map[string]any{"value": "g"}},
	}}
	// RFC 7644 §3.5.2.2: a removed writeOnly value stays removed (PUT would keep it).
	out, err := document.ValidatePatch(users, old, &schema.Resource{Attributes: map[string]any{"userName": "u"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"userName": "u", "groups": []any{map[string]any{"value": "g"}}}, out.Attributes, "readOnly still comes from the stored resource")

	device := &schema.ResourceType{Name: "Device", Endpoint: "/Devices", Schema: &schema.Schema{
		ID: "urn:example:Device",
		Attributes: []*schema.Attribute{
			{Name: "serial", Mutability: schema.Immutable},
			{Name: "hw", Type: schema.Complex, SubAttributes: []*schema.Attribute{{Name: "model", Mutability: schema.Immutable}, {Name: "colour"}}},
		},
	}}
	stored := &schema.Resource{ID: "d", Attributes: map[string]any{"serial": "S", "hw": map[string]any{"model": "M", "colour": "red"}}}
	for _, tt := range []struct {
		name  string
		attrs map[string]any
		err   bool
	}{
		{"RFC 7644 §3.5.2: removing an immutable value", map[string]any{"hw": map[string]any{"model": "M"}}, true},
		{"removing a complex attribute with an immutable sub-attribute", map[string]any{"serial": "S"}, true},
		{"removing an immutable sub-attribute", map[string]any{"serial": "S", "hw": map[string]any{"colour": "red"}}, true},
		{"changing a readWrite sub-attribute", map[string]any{"serial": "S", "hw": map[string]any{"model": "M", "colour": "blue"}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := document.ValidatePatch(device, stored, &schema.Resource{Attributes: tt.attrs})
			if tt.err {
				assert.ErrorIs(t, err, &schema.Error{Status: 400, Type: schema.ScimMutability})
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

func TestChanged(t *testing.T) {
	members := []any{map[string]any{"value": "1"}}
	a := &schema.Resource{ExternalID: "e", Attributes: map[string]any{"displayName": "G", "members": members}}
	assert.False(t, document.Changed(a, a.Clone()), "equal copies")
	shared := &schema.Resource{ExternalID: "e", Attributes: map[string]any{"displayName": "G", "members": members}}
	assert.False(t, document.Changed(a, shared), "shared storage")
	b := a.Clone()
	b.Attributes["members"] = append(b.Attributes["members"].([]any), map[string]any{"value": "2"})
	assert.True(t, document.Changed(a, b))
	c := a.Clone()
	c.ExternalID = "f"
	assert.True(t, document.Changed(a, c))
	d := a.Clone()
	delete(d.Attributes, "displayName")
	d.Attributes["title"] = "x"
	assert.True(t, document.Changed(a, d))
	e := a.Clone()
	e.Attributes["displayName"] = "H"
	assert.True(t, document.Changed(a, e))
}

// TestValidateUpdateChecksOnlyChanges: values that share storage with the
// stored resource were checked when it was stored and are not checked
// again, while new values are.
func TestValidateUpdateChecksOnlyChanges(t *testing.T) {
	groups := schema.Groups()
	members := []any{map[string]any{"value": "1"}, map[string]any{"value": int64(2)}} // the second is invalid
	old := &schema.Resource{ID: "g", Attributes: map[string]any{"displayName": "G", "members": members}}
	appended := append(members[:2:2], map[string]any{"value": "3"})
	_, err := document.ValidatePatch(groups, old, &schema.Resource{Attributes: map[string]any{"displayName": "G", "members": appended}})
	assert.NoError(t, err, "the stored values are not re-checked")
	bad := append(members[:2:2], map[string]any{"value": int64(4)})
	_, err = document.ValidatePatch(groups, old, &schema.Resource{Attributes: map[string]any{"displayName": "G", "members": bad}})
	assert.ErrorIs(t, err, &schema.Error{Status: 400, Type: schema.ScimInvalidValue}, "a new value is checked")
	fresh := []any{map[string]any{"value": "1"}, map[string]any{"value": int64(2)}}
	_, err = document.ValidatePatch(groups, old, &schema.Resource{Attributes: map[string]any{"displayName": "G", "members": fresh}})
	assert.Error(t, err, "equal but not shared values are checked")
}

// TestChangedAttributes checks the attribute list OnChange hooks get:
// exact comparison, extensions by URN, nil for a missing resource.
func TestChangedAttributes(t *testing.T) {
	users := schema.Users()
	ent := schema.EnterpriseUserSchema
	emails := []any{map[string]any{"value": "a@x"}}
	a := &schema.Resource{ExternalID: "e1", Attributes: map[string]any{"userName": "bob", "active": true, "emails": emails,
		ent: map[string]any{"department": "R&D"}}}
	b := &schema.Resource{ExternalID: "e1", Attributes: map[string]any{"userName": "Bob", "active": true, "emails": emails,
		ent: map[string]any{"department": "Sales"}, "title": "Boss"}}
	assert.Equal(t, []string{"userName", "title", ent + ":department"}, document.ChangedAttributes(users, a, b),
		"a change of case is a change; shared emails are not")
	assert.Empty(t, document.ChangedAttributes(users, a, a.Clone()))
	assert.Equal(t, []string{"externalId", "userName", "active", "emails", ent + ":department"}, document.ChangedAttributes(users, nil, a))
	assert.Equal(t, []string{"externalId", "userName", "active", "emails", ent + ":department"}, document.ChangedAttributes(users, a, nil))
}
