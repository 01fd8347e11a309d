package patch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
)

const ent = schema.EnterpriseUserSchema

const baseUser = `{
  "userName": "bjensen",
  "name": {"givenName": "Barbara", "familyName": "Jensen"},
  "displayName": "Babs",
  "title": "Tour Guide",
  "active": true,
  "password": "secret",
  "emails": [{"value": "bj@work.com", "type": "work", "primary": true}, {"value": "bj@home.com", "type": "home"}],
  "phoneNumbers": [{"value": "555-1", "type": "work"}],
  "groups": [{"value": "g1", "display": "Guides"}],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "1", "department": "Tours", "manager": {"value": "m1", "displayName": "Boss"}}
}`

const baseGroup = `{"displayName": "Admins", "members": [{"value": "u1", "display": "One"}, {"value": "u2", "type": "User"}]}`

// resource builds a stored resource from JSON attributes, keeping numbers
// as canonical int64/float64 by decoding through the schema.
func resource(t testing.TB, rt *schema.ResourceType, attrs string) *schema.Resource {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(attrs), &m))
	urns := []any{rt.Schema.ID}
	for _, e := range rt.Extensions {
		urns = append(urns, e.Schema.ID)
	}
	m["schemas"] = urns
	body, err := json.Marshal(m)
	require.NoError(t, err)
	r, err := document.Decode(rt, body, document.DecodeOptions{Strict: true})
	require.NoError(t, err)
	// Keep readOnly values (groups, manager.displayName) as a store would hold them.
	r.ID, r.ExternalID = "42", "ext-42"
	return r
}

type patchCase struct {
	name   string
	group  bool   // the Group resource type instead of User
	strict bool   // strict mode
	ops    string // the Operations array
	set    string // top-level attributes whose values change (JSON object)
	unset  []string
	extID  *string // the expected externalId, when it changes
	err    schema.ScimType
	same   bool // nothing changes
}

func str(s string) *string { return &s }

var patchCases = []patchCase{
	// RFC 7644 §3.5.2.1 add
	{name: "§3.5.2.1 add a simple attribute", ops: `[{"op":"add","path":"nickName","value":"Babs"}]`, set: `{"nickName":"Babs"}`},
	{name: "§3.5.2.1 add replaces a single-valued attribute", ops: `[{"op":"add","path":"title","value":"Boss"}]`, set: `{"title":"Boss"}`},
	{name: "§3.5.2.1 add a sub-attribute", ops: `[{"op":"add","path":"name.middleName","value":"Jane"}]`,
		set: `{"name":{"givenName":"Barbara","familyName":"Jensen","middleName":"Jane"}}`},
	{name: "§3.5.2.1 add a complex value merges sub-attributes", ops: `[{"op":"add","path":"name","value":{"middleName":"J","givenName":"B"}}]`,
		set: `{"name":{"givenName":"B","familyName":"Jensen","middleName":"J"}}`},
	{name: "§3.5.2.1 add to a multi-valued attribute appends", ops: `[{"op":"add","path":"phoneNumbers","value":[{"value":"555-2","type":"home"}]}]`,
		set: `{"phoneNumbers":[{"value":"555-1","type":"work"},{"value":"555-2","type":"home"}]}`},
	{name: "§3.5.2.1 add a new multi-valued attribute", ops: `[{"op":"add","path":"ims","value":[{"value":"bj","type":"xmpp"}]}]`,
		set: `{"ims":[{"value":"bj","type":"xmpp"}]}`},
	{name: "§3.5.2.1 add a value already present does not duplicate it", ops: `[{"op":"add","path":"emails","value":[{"value":"BJ@work.com","type":"work"}]}]`,
		set: `{"emails":[{"value":"BJ@work.com","type":"work","primary":true},{"value":"bj@home.com","type":"home"}]}`},
	{name: "§3.5.2.1 add with primary true clears the other primary (RFC 7643 §2.4)", ops: `[{"op":"add","path":"emails","value":[{"value":"new@x.com","type":"other","primary":true}]}]`,
		set: `{"emails":[{"value":"bj@work.com","type":"work","primary":false},{"value":"bj@home.com","type":"home"},{"value":"new@x.com","type":"other","primary":true}]}`},
	{name: "§3.5.2.1 add without a path merges the value object", ops: `[{"op":"add","value":{"nickName":"B","emails":[{"value":"x@y.z","type":"other"}]}}]`,
		set: `{"nickName":"B","emails":[{"value":"bj@work.com","type":"work","primary":true},{"value":"bj@home.com","type":"home"},{"value":"x@y.z","type":"other"}]}`},
	{name: "§3.5.2.1 add an extension attribute by URN path", ops: `[{"op":"add","path":"` + ent + `:costCenter","value":"4130"}]`,
		set: `{"` + ent + `":{"employeeNumber":"1","department":"Tours","costCenter":"4130","manager":{"value":"m1","displayName":"Boss"}}}`},
	{name: "§3.5.2.1 add an extension object without a path", ops: `[{"op":"add","value":{"` + ent + `":{"division":"Parks"}}}]`,
		set: `{"` + ent + `":{"employeeNumber":"1","department":"Tours","division":"Parks","manager":{"value":"m1","displayName":"Boss"}}}`},
	{name: "§3.5.2.1 add to a value path merges into matches", ops: `[{"op":"add","path":"emails[type eq \"home\"]","value":{"display":"Home"}}]`,
		set: `{"emails":[{"value":"bj@work.com","type":"work","primary":true},{"value":"bj@home.com","type":"home","display":"Home"}]}`},
	{name: "§3.5.2.1 add externalId", ops: `[{"op":"add","path":"externalId","value":"new-ext"}]`, extID: str("new-ext")},
	{name: "§3.5.2.1 add the whole extension by URN", ops: `[{"op":"add","path":"` + ent + `","value":{"organization":"U"}}]`,
		set: `{"` + ent + `":{"employeeNumber":"1","department":"Tours","organization":"U","manager":{"value":"m1","displayName":"Boss"}}}`},
	{name: "§3.5.2.1 add an integer-valued string to a string attribute is rejected", ops: `[{"op":"add","path":"nickName","value":5}]`, err: schema.ScimInvalidValue},
	{name: "§3.5.2.1 add to a multi-valued attribute needs an array (strict)", strict: true, ops: `[{"op":"add","path":"emails","value":{"value":"x@y.z"}}]`, err: schema.ScimInvalidValue},
	{name: "Okta: add one member object where an array belongs", group: true, ops: `[{"op":"add","path":"members","value":{"value":"u3"}}]`,
		set: `{"members":[{"value":"u1","display":"One"},{"value":"u2","type":"User"},{"value":"u3"}]}`},
	{name: "§3.5.2.1 add empty array changes nothing", ops: `[{"op":"add","path":"emails","value":[]}]`, same: true},

	// RFC 7644 §3.5.2.2 remove
	{name: "§3.5.2.2 remove a simple attribute", ops: `[{"op":"remove","path":"title"}]`, unset: []string{"title"}},
	{name: "§3.5.2.2 remove a sub-attribute", ops: `[{"op":"remove","path":"name.givenName"}]`, set: `{"name":{"familyName":"Jensen"}}`},
	{name: "§3.5.2.2 remove the last sub-attribute removes the attribute", ops: `[{"op":"remove","path":"name.givenName"},{"op":"remove","path":"name.familyName"}]`, unset: []string{"name"}},
	{name: "§3.5.2.2 remove a whole multi-valued attribute", ops: `[{"op":"remove","path":"emails"}]`, unset: []string{"emails"}},
	{name: "§3.5.2.2 remove values selected by a filter", ops: `[{"op":"remove","path":"emails[type eq \"home\"]"}]`,
		set: `{"emails":[{"value":"bj@work.com","type":"work","primary":true}]}`},
	{name: "§3.5.2.2 remove the only value selected removes the attribute", ops: `[{"op":"remove","path":"phoneNumbers[type eq \"work\"]"}]`, unset: []string{"phoneNumbers"}},
	{name: "§3.5.2.2 remove a sub-attribute of selected values", ops: `[{"op":"remove","path":"emails[type eq \"work\"].primary"}]`,
		set: `{"emails":[{"value":"bj@work.com","type":"work"},{"value":"bj@home.com","type":"home"}]}`},
	{name: "§3.5.2.2 remove a sub-attribute of every value", ops: `[{"op":"remove","path":"emails.type"}]`, err: schema.ScimInvalidPath},
	{name: "§3.5.2.2 remove with a filter matching nothing changes nothing", ops: `[{"op":"remove","path":"emails[type eq \"other\"]"}]`, same: true},
	{name: "§3.5.2.2 remove an absent attribute changes nothing", ops: `[{"op":"remove","path":"nickName"}]`, same: true},
	{name: "§3.5.2.2 remove a member by filter", group: true, ops: `[{"op":"remove","path":"members[value eq \"u1\"]"}]`,
		set: `{"members":[{"value":"u2","type":"User"}]}`},
	{name: "§3.5.2.2 remove all members", group: true, ops: `[{"op":"remove","path":"members"}]`, unset: []string{"members"}},
	{name: "§3.5.2.2 remove an extension attribute", ops: `[{"op":"remove","path":"` + ent + `:department"}]`,
		set: `{"` + ent + `":{"employeeNumber":"1","manager":{"value":"m1","displayName":"Boss"}}}`},
	{name: "§3.5.2.2 remove the whole extension", ops: `[{"op":"remove","path":"` + ent + `"}]`, unset: []string{ent}},
	{name: "§3.5.2.2 remove the manager", ops: `[{"op":"remove","path":"` + ent + `:manager"}]`,
		set: `{"` + ent + `":{"employeeNumber":"1","department":"Tours"}}`},
	{name: "§3.5.2.2 remove a required attribute is mutability", ops: `[{"op":"remove","path":"userName"}]`, err: schema.ScimMutability},
	{name: "§3.5.2.2 replace a required attribute with null is mutability", ops: `[{"op":"replace","path":"userName","value":null}]`, err: schema.ScimMutability},
	{name: "§3.5.2.2 replace a required attribute with an empty string is mutability", ops: `[{"op":"replace","path":"userName","value":""}]`, err: schema.ScimMutability},
	{name: "§3.5.2.3 replace a complex attribute with {} leaves it unchanged", ops: `[{"op":"replace","path":"name","value":{}}]`, same: true},
	{name: "§3.5.2.1 add {} to a complex attribute leaves it unchanged", ops: `[{"op":"add","path":"name","value":{}}]`, same: true},
	{name: "§3.5.2.3 a sub-attribute given as null is cleared, the others kept", ops: `[{"op":"replace","path":"name","value":{"givenName":null,"middleName":"M"}}]`,
		set: `{"name":{"familyName":"Jensen","middleName":"M"}}`},
	{name: "§3.5.2.3 add {} to the enterprise manager leaves it unchanged", ops: `[{"op":"add","path":"` + ent + `:manager","value":{}}]`, same: true},
	{name: "strict: §3.5.2.3 {} leaves a complex attribute unchanged", strict: true, ops: `[{"op":"replace","path":"name","value":{}}]`, same: true},
	{name: "strict: RFC 7643 §2.3.1 \"\" is a string, not unassigned", strict: true, ops: `[{"op":"replace","path":"displayName","value":""}]`,
		set: `{"displayName":""}`},
	{name: "strict: \"\" in a sub-attribute is a string", strict: true, ops: `[{"op":"replace","path":"name.givenName","value":""}]`,
		set: `{"name":{"familyName":"Jensen","givenName":""}}`},
	{name: "RFC 7643 §2.4: two primaries added in one operation", ops: `[{"op":"add","path":"emails","value":[{"value":"a@x","primary":true},{"value":"b@x","primary":true}]}]`, err: schema.ScimInvalidValue},
	{name: "RFC 7643 §2.4: two primaries replacing in one operation", ops: `[{"op":"replace","path":"emails","value":[{"value":"a@x","primary":true},{"value":"b@x","primary":true}]}]`, err: schema.ScimInvalidValue},
	{name: "RFC 7644 §3.5.2: one primary added demotes the stored one", ops: `[{"op":"add","path":"emails","value":[{"value":"a@x","primary":true}]}]`,
		set: `{"emails":[{"value":"bj@work.com","type":"work","primary":false},{"value":"bj@home.com","type":"home"},{"value":"a@x","primary":true}]}`},
	{name: "§3.5.2.2 remove the writeOnly password", ops: `[{"op":"remove","path":"password"}]`, unset: []string{"password"}},
	{name: "§3.5.2.2 remove externalId", ops: `[{"op":"remove","path":"externalId"}]`, extID: str("")},
	{name: "Entra ID: remove members listed in the value", group: true, ops: `[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"u1"}]}]`,
		set: `{"members":[{"value":"u2","type":"User"}]}`},
	{name: "Entra ID: remove members listed as one object", group: true, ops: `[{"op":"remove","path":"members","value":{"value":"u2"}}]`,
		set: `{"members":[{"value":"u1","display":"One"}]}`},
	{name: "Entra ID: remove the last listed member", group: true, ops: `[{"op":"remove","path":"members","value":[{"value":"u1"},{"value":"u2"}]}]`, unset: []string{"members"}},
	{name: "Entra ID: remove a member not present changes nothing", group: true, ops: `[{"op":"remove","path":"members","value":[{"value":"u9"}]}]`, same: true},
	{name: "strict: remove with a value is rejected", group: true, strict: true, ops: `[{"op":"remove","path":"members","value":[{"value":"u1"}]}]`, err: schema.ScimInvalidSyntax},
	{name: "§3.5.2.2 remove with a null value removes all", group: true, ops: `[{"op":"remove","path":"members","value":null}]`, unset: []string{"members"}},

	// RFC 7644 §3.5.2.3 replace
	{name: "§3.5.2.3 replace a simple attribute", ops: `[{"op":"replace","path":"displayName","value":"Barbara"}]`, set: `{"displayName":"Barbara"}`},
	{name: "§3.5.2.3 replace adds an absent attribute", ops: `[{"op":"replace","path":"nickName","value":"B"}]`, set: `{"nickName":"B"}`},
	{name: "§3.5.2.3 replace a complex value keeps unspecified sub-attributes", ops: `[{"op":"replace","path":"name","value":{"givenName":"New"}}]`,
		set: `{"name":{"givenName":"New","familyName":"Jensen"}}`},
	{name: "§3.5.2.3 replace a sub-attribute", ops: `[{"op":"replace","path":"name.familyName","value":"J"}]`, set: `{"name":{"givenName":"Barbara","familyName":"J"}}`},
	{name: "§3.5.2.3 replace a multi-valued attribute replaces all values", ops: `[{"op":"replace","path":"emails","value":[{"value":"only@x.com"}]}]`,
		set: `{"emails":[{"value":"only@x.com"}]}`},
	{name: "§3.5.2.3 replace values selected by a filter", ops: `[{"op":"replace","path":"emails[type eq \"home\"]","value":{"value":"new@home.com","type":"home"}}]`,
		set: `{"emails":[{"value":"bj@work.com","type":"work","primary":true},{"value":"new@home.com","type":"home"}]}`},
	{name: "§3.5.2.3 replace a sub-attribute of selected values", ops: `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@work.com"}]`,
		set: `{"emails":[{"value":"new@work.com","type":"work","primary":true},{"value":"bj@home.com","type":"home"}]}`},
	{name: "§3.5.2.3 replace with a compound filter", ops: `[{"op":"replace","path":"emails[type eq \"work\" and primary eq true].display","value":"W"}]`,
		set: `{"emails":[{"value":"bj@work.com","type":"work","primary":true,"display":"W"},{"value":"bj@home.com","type":"home"}]}`},
	{name: "§3.5.2.3 replace a value path making it primary clears the others", ops: `[{"op":"replace","path":"emails[type eq \"home\"].primary","value":true}]`,
		set: `{"emails":[{"value":"bj@work.com","type":"work","primary":false},{"value":"bj@home.com","type":"home","primary":true}]}`},
	{name: "§3.5.2.3 replace without a path", ops: `[{"op":"replace","value":{"displayName":"X","title":"Y"}}]`, set: `{"displayName":"X","title":"Y"}`},
	{name: "§3.5.2.3 replace without a path replaces multi-valued values", ops: `[{"op":"replace","value":{"phoneNumbers":[{"value":"1"}]}}]`, set: `{"phoneNumbers":[{"value":"1"}]}`},
	{name: "§3.5.2.3 replace an extension attribute by URN path", ops: `[{"op":"replace","path":"` + ent + `:department","value":"Parks"}]`,
		set: `{"` + ent + `":{"employeeNumber":"1","department":"Parks","manager":{"value":"m1","displayName":"Boss"}}}`},
	{name: "§3.5.2.3 replace an extension sub-attribute", ops: `[{"op":"replace","path":"` + ent + `:manager.value","value":"m2"}]`,
		set: `{"` + ent + `":{"employeeNumber":"1","department":"Tours","manager":{"value":"m2","displayName":"Boss"}}}`},
	{name: "§3.5.2.3 replace the extension object without a path", ops: `[{"op":"replace","value":{"` + ent + `":{"employeeNumber":"N-9"},"displayName":"D"}}]`,
		set: `{"displayName":"D","` + ent + `":{"employeeNumber":"N-9","department":"Tours","manager":{"value":"m1","displayName":"Boss"}}}`},
	{name: "§3.5.2.3 replace the whole extension by URN merges like a complex value", ops: `[{"op":"replace","path":"` + ent + `","value":{"division":"D","department":null}}]`,
		set: `{"` + ent + `":{"employeeNumber":"1","division":"D","manager":{"value":"m1","displayName":"Boss"}}}`},
	{name: "§3.5.2.3 replace members", group: true, ops: `[{"op":"replace","path":"members","value":[{"value":"u3"},{"value":"u4"}]}]`,
		set: `{"members":[{"value":"u3"},{"value":"u4"}]}`},
	{name: "§3.5.2.3 replace a boolean", ops: `[{"op":"replace","path":"active","value":false}]`, set: `{"active":false}`},
	{name: "§3.5.2.3 replace with the same value changes nothing", ops: `[{"op":"replace","path":"displayName","value":"Babs"}]`, same: true},
	{name: "strict: §3.5.2.3 replace on a filter matching nothing is noTarget", strict: true, ops: `[{"op":"replace","path":"emails[type eq \"other\"].value","value":"o@x.com"}]`, err: schema.ScimNoTarget},
	{name: "strict: add on a filter matching nothing is noTarget", strict: true, ops: `[{"op":"add","path":"emails[type eq \"other\"]","value":{"display":"x"}}]`, err: schema.ScimNoTarget},
	{name: "§3.5.2.3 replace with a value of the wrong type", ops: `[{"op":"replace","path":"active","value":"maybe"}]`, err: schema.ScimInvalidValue},
	{name: "§3.5.2.3 replace a complex with a number", ops: `[{"op":"replace","path":"name","value":5}]`, err: schema.ScimInvalidValue},
	{name: "§3.5.2.3 replace leaving two primaries fails validation (RFC 7643 §2.4)", ops: `[{"op":"replace","path":"emails","value":[{"value":"a","primary":true},{"value":"b","primary":true}]}]`, err: schema.ScimInvalidValue},

	// Mutability (RFC 7643 §7, RFC 7644 §3.5.2)
	{name: "§3.5.2 replace id is a mutability error", ops: `[{"op":"replace","path":"id","value":"new"}]`, err: schema.ScimMutability},
	{name: "§3.5.2 add to readOnly groups is a mutability error", ops: `[{"op":"add","path":"groups","value":[{"value":"g2"}]}]`, err: schema.ScimMutability},
	{name: "§3.5.2 replace meta is a mutability error", ops: `[{"op":"replace","path":"meta.version","value":"1"}]`, err: schema.ScimMutability},
	{name: "§3.5.2 a readOnly sub-attribute is a mutability error", ops: `[{"op":"replace","path":"` + ent + `:manager.displayName","value":"X"}]`, err: schema.ScimMutability},
	{name: "§3.5.2 readOnly sub-attributes inside a value are ignored", ops: `[{"op":"replace","path":"` + ent + `:manager","value":{"value":"m2","displayName":"Ignored"}}]`,
		set: `{"` + ent + `":{"employeeNumber":"1","department":"Tours","manager":{"value":"m2","displayName":"Boss"}}}`},
	{name: "§3.5.2 path-less value changing id is a mutability error", ops: `[{"op":"replace","value":{"id":"other","displayName":"x"}}]`, err: schema.ScimMutability},
	{name: "§3.5.2 path-less value ignores schemas and meta", ops: `[{"op":"replace","value":{"schemas":["x"],"meta":{"version":"1"},"title":"T"}}]`, set: `{"title":"T"}`},
	{name: "§3.5.2 immutable member value cannot be changed in place", group: true, ops: `[{"op":"replace","path":"members[value eq \"u1\"].value","value":"u9"}]`,
		set: `{"members":[{"value":"u9","display":"One"},{"value":"u2","type":"User"}]}`},

	// Errors in paths (RFC 7644 §3.5.2, §3.12)
	{name: "§3.12 unknown attribute is invalidPath", ops: `[{"op":"replace","path":"noSuchAttr","value":"x"}]`, err: schema.ScimInvalidPath},
	{name: "§3.12 unknown sub-attribute is invalidPath", ops: `[{"op":"replace","path":"name.nick","value":"x"}]`, err: schema.ScimInvalidPath},
	{name: "§3.12 unknown extension attribute is invalidPath", ops: `[{"op":"replace","path":"` + ent + `:shoeSize","value":"x"}]`, err: schema.ScimInvalidPath},
	{name: "§3.12 unknown schema URN is invalidPath", ops: `[{"op":"replace","path":"urn:example:Other:attr","value":"x"}]`, err: schema.ScimInvalidPath},
	{name: "§3.12 a filter naming an unknown sub-attribute is invalidPath", ops: `[{"op":"remove","path":"emails[kind eq \"work\"]"}]`, err: schema.ScimInvalidPath},
	{name: "§3.12 a filter on a simple attribute is invalidPath", ops: `[{"op":"remove","path":"title[value eq \"x\"]"}]`, err: schema.ScimInvalidPath},
	{name: "path-less add needs an object", ops: `[{"op":"add","value":"x"}]`, err: schema.ScimInvalidValue},
	{name: "path-less unknown attributes are ignored", ops: `[{"op":"replace","value":{"shoeSize":9,"title":"T"}}]`, set: `{"title":"T"}`},
	{name: "strict: path-less unknown attributes are invalidPath", strict: true, ops: `[{"op":"replace","value":{"shoeSize":9}}]`, err: schema.ScimInvalidPath},
	{name: "a failing second operation applies nothing", ops: `[{"op":"replace","path":"title","value":"T"},{"op":"replace","path":"nope","value":1}]`, err: schema.ScimInvalidPath},

	// Entra ID dialect (QUIRKS.md §1.2, DESIGN.md "IdP dialects")
	{name: "Entra ID: capitalised op", ops: `[{"op":"Replace","path":"title","value":"T"}]`, set: `{"title":"T"}`},
	{name: "Entra ID: string boolean", ops: `[{"op":"Replace","path":"active","value":"False"}]`, set: `{"active":false}`},
	{name: "Entra ID: path-less replace with dotted and URN keys", ops: `[{"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua","` + ent + `:employeeNumber":"Aklq"}}]`,
		set: `{"displayName":"Bjfe","name":{"givenName":"Kkom","familyName":"Unua"},"` + ent + `":{"employeeNumber":"Aklq","department":"Tours","manager":{"value":"m1","displayName":"Boss"}}}`},
	{name: "strict: dotted keys in a path-less value are invalidPath", strict: true, ops: `[{"op":"replace","value":{"name.givenName":"K"}}]`, err: schema.ScimInvalidPath},
	{name: "Entra ID: replace a work email that does not exist adds it", ops: `[{"op":"replace","path":"phoneNumbers[type eq \"mobile\"].value","value":"555-9"}]`,
		set: `{"phoneNumbers":[{"value":"555-1","type":"work"},{"value":"555-9","type":"mobile"}]}`},
	{name: "Entra ID: upsert into an absent attribute", ops: `[{"op":"replace","path":"ims[type eq \"xmpp\"].value","value":"bj@jabber"}]`,
		set: `{"ims":[{"value":"bj@jabber","type":"xmpp"}]}`},
	{name: "Entra ID: upsert with an empty value does nothing", ops: `[{"op":"replace","path":"ims[type eq \"xmpp\"].value","value":""}]`, same: true},
	{name: "upsert impossible from an or filter", ops: `[{"op":"replace","path":"ims[type eq \"a\" or type eq \"b\"].value","value":"x"}]`, err: schema.ScimNoTarget},
	{name: "Entra ID: manager as an array under the unqualified path", ops: `[{"op":"Add","path":"manager","value":[{"$ref":"../Users/m2","value":"m2"}]}]`,
		set: `{"` + ent + `":{"employeeNumber":"1","department":"Tours","manager":{"value":"m2","$ref":"../Users/m2","displayName":"Boss"}}}`},
	{name: "Entra ID: manager as a bare string under the URN path", ops: `[{"op":"add","path":"` + ent + `:manager","value":"m3"}]`,
		set: `{"` + ent + `":{"employeeNumber":"1","department":"Tours","manager":{"value":"m3","displayName":"Boss"}}}`},
	{name: "Entra ID: replace manager with an empty value clears it", ops: `[{"op":"Replace","path":"manager","value":""}]`,
		set: `{"` + ent + `":{"employeeNumber":"1","department":"Tours"}}`},
	{name: "Entra ID: replace manager with an empty object value clears it", ops: `[{"op":"Replace","path":"manager","value":{"value":""}}]`,
		set: `{"` + ent + `":{"employeeNumber":"1","department":"Tours"}}`},
	{name: "strict: unqualified extension attribute is invalidPath", strict: true, ops: `[{"op":"add","path":"manager","value":{"value":"m"}}]`, err: schema.ScimInvalidPath},
	{name: "Entra ID: null update with empty strings", ops: `[{"op":"replace","path":"displayName","value":""},{"op":"replace","path":"title","value":""}]`,
		unset: []string{"displayName", "title"}},
	{name: "Entra ID: null update with nulls", ops: `[{"op":"replace","path":"displayName","value":null},{"op":"replace","path":"title","value":null}]`,
		unset: []string{"displayName", "title"}},
	{name: "Entra ID: add several members in one op, skipping one present", group: true, ops: `[{"op":"Add","path":"members","value":[{"$ref":null,"value":"u3"},{"value":"u1"},{"value":"u4"}]}]`,
		set: `{"members":[{"value":"u1","display":"One"},{"value":"u2","type":"User"},{"value":"u3"},{"value":"u4"}]}`},
	{name: "Entra ID: rename, add and remove in one request", group: true, ops: `[{"op":"Replace","path":"displayName","value":"Ops"},{"op":"Add","path":"members","value":[{"value":"u5"}]},{"op":"Remove","path":"members","value":[{"value":"u2"}]}]`,
		set: `{"displayName":"Ops","members":[{"value":"u1","display":"One"},{"value":"u5"}]}`},

	// More path forms
	{name: "§3.5.2.3 replace a sub-attribute with an empty value removes it", ops: `[{"op":"replace","path":"name.givenName","value":""}]`, set: `{"name":{"familyName":"Jensen"}}`},
	{name: "§3.5.2.3 clearing the last sub-attribute removes the attribute", ops: `[{"op":"replace","path":"name","value":null}]`, unset: []string{"name"}},
	{name: "§3.5.2.3 replace a multi-valued attribute with null removes it", ops: `[{"op":"replace","path":"emails","value":null}]`, unset: []string{"emails"}},
	{name: "§3.5.2.3 replace a sub-attribute of an absent complex attribute creates it", ops: `[{"op":"remove","path":"name"},{"op":"replace","path":"name.givenName","value":"G"}]`, set: `{"name":{"givenName":"G"}}`},
	{name: "§3.5.2.3 a value filter on a single-valued complex attribute", ops: `[{"op":"replace","path":"name[givenName eq \"Barbara\"].familyName","value":"J2"}]`,
		set: `{"name":{"givenName":"Barbara","familyName":"J2"}}`},
	{name: "§3.5.2.2 remove a single-valued complex attribute by filter", ops: `[{"op":"remove","path":"name[givenName eq \"Barbara\"]"}]`, unset: []string{"name"}},
	{name: "§3.5.2.2 remove by filter on an absent attribute changes nothing", ops: `[{"op":"remove","path":"ims[type eq \"aim\"]"}]`, same: true},
	{name: "§3.5.2.2 remove an extension attribute when the extension is absent", group: false, ops: `[{"op":"remove","path":"` + ent + `"},{"op":"remove","path":"` + ent + `:department"}]`, unset: []string{ent}},
	{name: "§3.5.2.1 add null to the whole extension changes nothing", ops: `[{"op":"add","path":"` + ent + `","value":null}]`, same: true},
	{name: "§3.5.2.3 replace the whole extension with null removes it", ops: `[{"op":"replace","path":"` + ent + `","value":null}]`, unset: []string{ent}},
	{name: "§3.5.2.3 the whole extension needs an object", ops: `[{"op":"replace","path":"` + ent + `","value":"x"}]`, err: schema.ScimInvalidValue},
	{name: "path-less extension object with an unknown attribute is ignored", ops: `[{"op":"add","value":{"` + ent + `":{"shoeSize":9,"division":"D"}}}]`,
		set: `{"` + ent + `":{"employeeNumber":"1","department":"Tours","division":"D","manager":{"value":"m1","displayName":"Boss"}}}`},
	{name: "strict: path-less extension object with an unknown attribute is invalidPath", strict: true, ops: `[{"op":"add","value":{"` + ent + `":{"shoeSize":9}}}]`, err: schema.ScimInvalidPath},
	{name: "externalId must be a string", ops: `[{"op":"replace","path":"externalId","value":7}]`, err: schema.ScimInvalidValue},
	{name: "Entra ID: upsert seeds booleans from the filter", ops: `[{"op":"replace","path":"phoneNumbers[type eq \"fax\" and primary eq false].value","value":"555-3"}]`,
		set: `{"phoneNumbers":[{"value":"555-1","type":"work"},{"value":"555-3","type":"fax","primary":false}]}`},
	{name: "Entra ID: upsert of a whole value", ops: `[{"op":"replace","path":"ims[type eq \"aim\"]","value":{"value":"bj"}}]`,
		set: `{"ims":[{"value":"bj","type":"aim"}]}`},
	{name: "upsert impossible from a not filter", ops: `[{"op":"replace","path":"ims[not (type eq \"a\")].value","value":"x"}]`, err: schema.ScimNoTarget},
	{name: "upsert impossible from a pr filter", ops: `[{"op":"replace","path":"ims[type pr].value","value":"x"}]`, err: schema.ScimNoTarget},
	{name: "upsert of a primary value clears the other primaries", ops: `[{"op":"replace","path":"emails[type eq \"other\"]","value":{"value":"o@x","primary":true}}]`,
		set: `{"emails":[{"value":"bj@work.com","type":"work","primary":false},{"value":"bj@home.com","type":"home"},{"value":"o@x","type":"other","primary":true}]}`},
	{name: "upsert into a single-valued complex attribute", ops: `[{"op":"remove","path":"name"},{"op":"replace","path":"name[givenName eq \"A\"].familyName","value":"B"}]`,
		set: `{"name":{"givenName":"A","familyName":"B"}}`},
	{name: "a value filter with a bad value type is invalidPath", ops: `[{"op":"remove","path":"emails[primary eq \"maybe\"]"}]`, err: schema.ScimInvalidPath},

	// Okta dialect (QUIRKS.md §2)
	{name: "Okta: path-less replace deactivates", ops: `[{"op":"replace","value":{"active":false}}]`, set: `{"active":false}`},
	{name: "Okta: rename repeating the unchanged id", group: true, ops: `[{"op":"replace","value":{"id":"42","displayName":"Renamed"}}]`, set: `{"displayName":"Renamed"}`},
	{name: "Okta: remove by filter and add in one request", group: true, ops: `[{"op":"remove","path":"members[value eq \"u1\"]"},{"op":"add","path":"members","value":[{"value":"u3","display":"Three"}]}]`,
		set: `{"members":[{"value":"u2","type":"User"},{"value":"u3","display":"Three"}]}`},
	{name: "Okta: password sync", ops: `[{"op":"replace","path":"password","value":"n3w"}]`, set: `{"password":"n3w"}`},
	{name: "Okta: group displayName is required (§3.5.2.2: mutability)", group: true, ops: `[{"op":"remove","path":"displayName"}]`, err: schema.ScimMutability},
}

func TestApply(t *testing.T) {
	require.GreaterOrEqual(t, len(patchCases), 80)
	for _, tt := range patchCases {
		t.Run(tt.name, func(t *testing.T) {
			rt, base := schema.Users(), baseUser
			if tt.group {
				rt, base = schema.Groups(), baseGroup
			}
			r := resource(t, rt, base)
			before := r.Clone()
			opts := patch.Options{Strict: tt.strict}
			body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":` + tt.ops + `}`
			ops, err := patch.Decode([]byte(body), opts)
			if err == nil {
				var out *schema.Resource
				var changed bool
				out, changed, err = patch.Apply(context.Background(), rt, r, ops, opts)
				assert.Equal(t, before, r, "Apply never modifies its input")
				if err == nil {
					want := map[string]any{}
					require.NoError(t, json.Unmarshal([]byte(base), &want))
					if tt.set != "" {
						var set map[string]any
						require.NoError(t, json.Unmarshal([]byte(tt.set), &set))
						for k, v := range set {
							want[k] = v
						}
					}
					for _, k := range tt.unset {
						delete(want, k)
					}
					got, jerr := json.Marshal(out.Attributes)
					require.NoError(t, jerr)
					wantJSON, _ := json.Marshal(want)
					assert.JSONEq(t, string(wantJSON), string(got))
					wantExt := "ext-42"
					if tt.extID != nil {
						wantExt = *tt.extID
					}
					assert.Equal(t, wantExt, out.ExternalID)
					assert.Equal(t, "42", out.ID)
					assert.Equal(t, !tt.same, changed, "changed")
				}
			}
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			var se *schema.Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.err, se.Type, se.Detail)
			if oe := (*patch.OpError)(nil); errors.As(err, &oe) {
				assert.Contains(t, se.Detail, "operation ", "the detail names the operation")
			} else {
				// Only the final validation of the whole result fails without naming one operation.
				assert.Contains(t, []schema.ScimType{schema.ScimInvalidValue, schema.ScimMutability}, se.Type, se.Detail)
			}
		})
	}
}

// TestApplyStopsWhenCancelled checks that Apply stops working once the
// request's context is done, and changes nothing.
func TestApplyStopsWhenCancelled(t *testing.T) {
	groups := schema.Groups()
	g := groupWithMembers(3)
	ops, err := patch.Decode([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"remove","path":"members[display eq \"user 1\"]"},{"op":"replace","path":"displayName","value":"x"}]}`), patch.Options{})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out, changed, err := patch.Apply(ctx, groups, g, ops, patch.Options{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, out)
	assert.False(t, changed)
	assert.Len(t, g.Attributes["members"], 3, "the input is untouched")
}

// TestApplyManyValues checks that adding and removing many values at once
// keeps RFC 7644 §3.5.2.1 and §3.5.2.2 semantics, now that values are
// found through a key set: duplicates within the request and against the
// current values are not added twice, a value differing only in case is
// the same member (members.value is not caseExact), and a remove list
// removes exactly the values it names.
func TestApplyManyValues(t *testing.T) {
	groups := schema.Groups()
	g := groupWithMembers(1000)
	op := func(o string, vals ...string) []patch.Operation {
		b := []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"` + o + `","path":"members","value":[`)
		for i, v := range vals {
			if i > 0 {
				b = append(b, ',')
			}
			b = fmt.Appendf(b, `{"value":%q}`, v)
		}
		ops, err := patch.Decode(append(b, "]}]}"...), patch.Options{})
		require.NoError(t, err)
		return ops
	}
	existing := "2819C223-7F76-453A-919D-000000000007" // member 7, upper-cased
	out, changed, err := patch.Apply(context.Background(), groups, g, op("add", "n1", "n2", "N1", existing), patch.Options{})
	require.NoError(t, err)
	assert.True(t, changed)
	members := out.Attributes["members"].([]any)
	require.Len(t, members, 1002)
	assert.Equal(t, "N1", members[1000].(map[string]any)["value"], "N1 is n1, merged into it")
	assert.Equal(t, "n2", members[1001].(map[string]any)["value"])

	out, _, err = patch.Apply(context.Background(), groups, out, op("remove", "N2", existing, "absent"), patch.Options{})
	require.NoError(t, err)
	members = out.Attributes["members"].([]any)
	require.Len(t, members, 1000)
	for _, m := range members {
		v := m.(map[string]any)["value"]
		assert.NotEqual(t, "n2", v)
		assert.NotEqual(t, strings.ToLower(existing), v)
	}
}

// TestRemoveRunAgreesOneByOne checks that a run of filtered removes, which
// Apply carries out in one pass, removes exactly what the operations
// applied one at a time remove (RFC 7644 §3.5.2.2), whatever the filters,
// letter cases, repeats, and other operations between them.
func TestRemoveRunAgreesOneByOne(t *testing.T) {
	groups := schema.Groups()
	g := groupWithMembers(50)
	g.Attributes["members"] = append(g.Attributes["members"].([]any), map[string]any{"value": "no-display"}, map[string]any{"value": "TYPED", "type": "User", "display": "user 3"})
	r := rand.New(rand.NewPCG(7, 11))
	ops := []string{
		`{"op":"remove","path":"members[display eq \"user %d\"]"}`,
		`{"op":"remove","path":"members[display eq \"USER %d\"]"}`,
		`{"op":"remove","path":"members[value eq \"2819c223-7f76-453a-919d-%012d\"]"}`,
		`{"op":"remove","path":"members[value eq \"2819C223-7F76-453A-919D-%012d\"]"}`,
		`{"op":"remove","path":"members[type eq \"User\"]"}`,
		`{"op":"remove","path":"members[display sw \"user %d\"]"}`,
		`{"op":"remove","path":"members[display eq \"user %d\"].display"}`,
		`{"op":"replace","path":"displayName","value":"n%d"}`,
		`{"op":"add","path":"members","value":[{"value":"v%d","display":"user 7"}]}`,
	}
	for round := range 300 {
		var body []string
		for range 1 + r.IntN(8) {
			op := ops[r.IntN(len(ops))]
			if strings.Contains(op, "%") {
				op = fmt.Sprintf(op, r.IntN(12))
			}
			body = append(body, op)
		}
		decode := func(ops ...string) []patch.Operation {
			out, err := patch.Decode([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+strings.Join(ops, ",")+`]}`), patch.Options{})
			require.NoError(t, err, "%v", ops)
			return out
		}
		ctx := context.Background()
		together, _, err := patch.Apply(ctx, groups, g, decode(body...), patch.Options{})
		require.NoError(t, err, "%v", body)
		one := g
		for _, op := range body {
			one, _, err = patch.Apply(ctx, groups, one, decode(op), patch.Options{})
			require.NoError(t, err, op)
		}
		assert.Equal(t, one.Attributes, together.Attributes, "round %d: %v", round, body)
	}
	assert.Len(t, g.Attributes["members"], 52, "the input is untouched")
}
