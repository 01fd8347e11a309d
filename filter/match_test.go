package filter_test

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/valuekey"
	"github.com/scimkit/scimkit/schema"
)

const ent = schema.EnterpriseUserSchema

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 4, 42, 34, 0, time.UTC) }

// fixtureUsers are the users every evaluation test filters.
func fixtureUsers() []*schema.Resource {
	return []*schema.Resource{{
		ID: "u1", ExternalID: "ext-1",
		Meta: schema.Meta{ResourceType: "User", Created: day(2010, 1, 23), LastModified: day(2011, 5, 13), Version: `W/"1"`},
		Attributes: map[string]any{
			"userName": "bjensen@example.com",
			"name":     map[string]any{"familyName": "Jensen", "givenName": "Barbara"},
			"title":    "Tour Guide", "userType": "Employee", "active": true,
			"emails": []any{
				map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
				map[string]any{"value": "babs@jensen.org", "type": "home"},
			},
			"x509Certificates": []any{map[string]any{"value": "aGVsbG8="}},
			ent:                map[string]any{"employeeNumber": "701984", "department": "Tour Operations", "manager": map[string]any{"value": "u3"}},
		},
	}, {
		ID:   "u2",
		Meta: schema.Meta{ResourceType: "User", Created: day(2012, 1, 1), LastModified: day(2012, 1, 1), Version: `W/"7"`},
		Attributes: map[string]any{
			"userName": "jsmith",
			"name":     map[string]any{"familyName": "Smith"},
			"userType": "Intern", "active": false,
			"emails": []any{map[string]any{"value": "John@Example.org", "type": "work"}},
		},
	}, {
		ID:   "u3",
		Meta: schema.Meta{ResourceType: "User", Created: day(2009, 6, 1), LastModified: day(2009, 6, 1)},
		Attributes: map[string]any{
			"userName": "Åsa@Example.COM", "nickName": "ÅSA", "active": true,
			ent: map[string]any{"department": "RnD"},
		},
	}}
}

func matching(t *testing.T, rt *schema.ResourceType, rs []*schema.Resource, f string) []string {
	t.Helper()
	e, err := filter.Parse(f)
	require.NoError(t, err)
	m, err := filter.Compile(rt, e)
	require.NoError(t, err)
	ids := []string{}
	for _, r := range rs {
		if m.Match(r) {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// evalCases is shared by the in-memory and the SQL tests: each filter and
// the fixture users it matches.
var evalCases = []struct {
	name, filter string
	want         []string
}{
	{"§3.4.2.2 eq, case-insensitive value for caseExact=false", `userName eq "BJENSEN@example.com"`, []string{"u1"}},
	{"§3.4.2.2 attribute names are case-insensitive", `USERNAME Eq "jsmith"`, []string{"u2"}},
	{"non-ASCII case folding", `userName eq "åsa@example.com"`, []string{"u3"}},
	{"§3.4.2.2 ne (absent counts as not equal)", `title ne "Tour Guide"`, []string{"u2", "u3"}},
	{"§3.4.2.2 co", `userName co "JENSEN"`, []string{"u1"}},
	{"§3.4.2.2 sw", `userName sw "J"`, []string{"u2"}},
	{"§3.4.2.2 ew", `userName ew ".COM"`, []string{"u1", "u3"}},
	{"non-ASCII sw", `nickName sw "å"`, []string{"u3"}},
	{"§3.4.2.2 pr", `title pr`, []string{"u1"}},
	{"§3.4.2.2 pr on multi-valued", `emails pr`, []string{"u1", "u2"}},
	{"§3.4.2.2 gt on strings is lexicographic (by code point after folding)", `userName gt "j"`, []string{"u2", "u3"}},
	{"§3.4.2.2 le on strings", `userName le "bjensen@example.com"`, []string{"u1"}},
	{"§3.4.2.2 dateTime gt is chronological", `meta.lastModified gt "2011-05-13T04:42:34Z"`, []string{"u2"}},
	{"§3.4.2.2 dateTime ge", `meta.lastModified ge "2011-05-13T04:42:34Z"`, []string{"u1", "u2"}},
	{"§3.4.2.2 dateTime lt with another offset", `meta.created lt "2010-01-23T06:42:34+02:00"`, []string{"u3"}},
	{"§3.4.2.2 dateTime le", `meta.created le "2010-01-23T04:42:34Z"`, []string{"u1", "u3"}},
	{"meta.resourceType", `meta.resourceType eq "User"`, []string{"u1", "u2", "u3"}},
	{"meta.version is caseExact", `meta.version eq "W/\"7\""`, []string{"u2"}},
	{"id is caseExact", `id eq "U1"`, []string{}},
	{"id", `id eq "u1"`, []string{"u1"}},
	{"externalId", `externalId eq "ext-1"`, []string{"u1"}},
	{"externalId pr", `externalId pr`, []string{"u1"}},
	{"boolean eq", `active eq true`, []string{"u1", "u3"}},
	{"boolean eq false", `active eq false`, []string{"u2"}},
	{"boolean given as a string (IdP dialect)", `active eq "False"`, []string{"u2"}},
	{"sub-attribute", `name.familyName eq "smith"`, []string{"u2"}},
	{"§3.4.2.2 multi-valued: any value matches", `emails.value eq "babs@jensen.org"`, []string{"u1"}},
	{"§3.4.2.2 complex multi-valued without sub-attribute compares value", `emails co "example"`, []string{"u1", "u2"}},
	{"multi-valued sub-attribute", `emails.type eq "home"`, []string{"u1"}},
	{"§3.4.2.2 value path", `emails[type eq "work" and value co "@example.com"]`, []string{"u1"}},
	{"value path: both conditions on one element", `emails[type eq "home" and value co "@example.com"]`, []string{}},
	{"value path with not", `emails[not (type eq "work")]`, []string{"u1"}},
	{"value path ne inside", `emails[type ne "work"]`, []string{"u1"}},
	{"Entra ID: value path with sub-attribute compared", `emails[type eq "work"].value eq "john@example.org"`, []string{"u2"}},
	{"Entra ID: value path selects the element", `emails[type eq "home"].value eq "bjensen@example.com"`, []string{}},
	{"§3.4.2.2 ne on a value path: some selected value differs", `emails[type eq "work"].value ne "john@example.org"`, []string{"u1"}},
	{"§3.4.2.2 ne on a multi-valued attribute: any value differs", `emails.type ne "home"`, []string{"u1", "u2"}},
	{"§3.4.2.2 ne on a multi-valued attribute: every value equal", `emails.type ne "work"`, []string{"u1"}},
	{"§3.4.2.2 not (eq) keeps the old reading", `not (emails.type eq "home")`, []string{"u2", "u3"}},
	{"ne null on a multi-valued attribute is pr", `emails.type ne null`, []string{"u1", "u2"}},
	{"extension attribute", ent + `:employeeNumber eq "701984"`, []string{"u1"}},
	{"extension URN is case-insensitive", `URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:department eq "rnd"`, []string{"u3"}},
	{"extension sub-attribute", ent + `:manager.value eq "u3"`, []string{"u1"}},
	{"core URN-qualified", `urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bj"`, []string{"u1"}},
	{"core and extension mixed", `active eq true and ` + ent + `:department pr`, []string{"u1", "u3"}},
	{"§3.4.2.2 precedence: and before or", `userName eq "jsmith" or active eq true and title pr`, []string{"u1", "u2"}},
	{"parentheses", `(userName eq "jsmith" or active eq true) and title pr`, []string{"u1"}},
	{"§3.4.2.2 not", `not (active eq true)`, []string{"u2"}},
	{"not of an absent attribute's comparison", `not (title eq "Tour Guide")`, []string{"u2", "u3"}},
	{"eq null means absent", `title eq null`, []string{"u2", "u3"}},
	{"ne null means present", `title ne null`, []string{"u1"}},
	{"binary eq", `x509Certificates.value eq "aGVsbG8="`, []string{"u1"}},
	{"nothing matches", `userName eq "nobody"`, []string{}},
}

func TestMatch(t *testing.T) {
	users := schema.Users()
	rs := fixtureUsers()
	for _, tt := range evalCases {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, matching(t, users, rs, tt.filter))
		})
	}
}

// deviceType has one attribute of each RFC 7643 §2.3 type.
func deviceType() *schema.ResourceType {
	return &schema.ResourceType{Name: "Device", Endpoint: "/Devices", Schema: &schema.Schema{
		ID: "urn:example:Device",
		Attributes: []*schema.Attribute{
			{Name: "serial", CaseExact: true},
			{Name: "floor", Type: schema.Integer},
			{Name: "weight", Type: schema.Decimal},
			{Name: "sealed", Type: schema.Boolean},
			{Name: "blob", Type: schema.Binary},
			{Name: "seen", Type: schema.DateTime},
			{Name: "tags", MultiValued: true},
			{Name: "ports", Type: schema.Integer, MultiValued: true},
			{Name: "site", Type: schema.Complex, SubAttributes: []*schema.Attribute{{Name: "city"}, {Name: "rooms", MultiValued: true}}},
		},
	}}
}

func fixtureDevices() []*schema.Resource {
	return []*schema.Resource{
		{ID: "d1", Attributes: map[string]any{"serial": "SN-a", "floor": int64(3), "weight": 2.5, "sealed": true, "blob": "aGk=",
			"seen": "2020-01-01T00:00:00Z", "tags": []any{"red", "big"}, "ports": []any{int64(80), int64(443)},
			"site": map[string]any{"city": "Oslo", "rooms": []any{"A1", "B2"}}}},
		{ID: "d2", Attributes: map[string]any{"serial": "SN-A", "floor": int64(-1), "weight": 10.0, "sealed": false,
			"seen": "2021-06-01T12:00:00+02:00", "tags": []any{"blue"}, "ports": []any{int64(22)}}},
		{ID: "d3", Attributes: map[string]any{"floor": int64(9007199254740993)}},
	}
}

func TestMatchTypes(t *testing.T) {
	rt := deviceType()
	rs := fixtureDevices()
	tests := []struct {
		filter string
		want   []string
	}{
		{`serial eq "SN-a"`, []string{"d1"}},
		{`serial eq "sn-a"`, []string{}},
		{`serial co "N-"`, []string{"d1", "d2"}},
		{`serial sw "SN-A"`, []string{"d2"}},
		{`serial ew "a"`, []string{"d1"}},
		{`serial gt "SN-A"`, []string{"d1"}},
		{`floor gt 0`, []string{"d1", "d3"}},
		{`floor le -1`, []string{"d2"}},
		{`floor eq 3`, []string{"d1"}},
		{`floor eq 3.0`, []string{"d1"}},
		{`floor eq 9007199254740993`, []string{"d3"}},
		{`floor lt 2.5`, []string{"d2"}},
		{`weight ge 2.5`, []string{"d1", "d2"}},
		{`weight lt 3`, []string{"d1"}},
		{`sealed eq false`, []string{"d2"}},
		{`blob eq "aGk="`, []string{"d1"}},
		{`blob pr`, []string{"d1"}},
		{`seen gt "2021-06-01T09:59:59Z"`, []string{"d2"}},
		{`seen lt "2021-06-01T10:00:01Z"`, []string{"d1", "d2"}},
		{`tags eq "BIG"`, []string{"d1"}},
		{`tags ne "blue"`, []string{"d1"}}, // RFC 7644 §3.4.2.2: some tag is not blue
		{`tags ne "red"`, []string{"d1", "d2"}},
		{`ports eq 22`, []string{"d2"}},
		{`ports gt 100`, []string{"d1"}},
		{`site.city eq "oslo"`, []string{"d1"}},
		{`site.rooms eq "b2"`, []string{"d1"}},
		{`site[city eq "Oslo"]`, []string{"d1"}},
		{`site pr`, []string{"d1"}},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			assert.Equal(t, tt.want, matching(t, rt, rs, tt.filter))
		})
	}
}

func TestCompileErrors(t *testing.T) {
	users, devices := schema.Users(), deviceType()
	tests := []struct {
		name   string
		rt     *schema.ResourceType
		filter string
		detail string
	}{
		{"unknown attribute", users, `shoeSize eq 9`, `no attribute "shoeSize"`},
		{"unknown sub-attribute", users, `name.nick eq "x"`, `no sub-attribute "nick"`},
		{"sub-attribute of a simple attribute", users, `userName.x eq "x"`, `no sub-attribute`},
		{"unknown schema URN", users, `urn:example:Other:attr eq "x"`, `not a schema of resource type User`},
		{"extension attribute without its URN", users, `employeeNumber eq "1"`, `no attribute "employeeNumber"`},
		{"RFC 7644 §3.4.2.2: gt on a boolean", users, `active gt true`, "does not apply"},
		{"RFC 7644 §3.4.2.2: lt on binary", users, `x509Certificates.value lt "a"`, "does not apply"},
		{"co on a number", devices, `floor co 1`, "applies only to strings"},
		{"sw on a dateTime", devices, `seen sw "2020"`, "applies only to strings"},
		{"string value for a number", devices, `floor eq "3"`, "compare it with a number"},
		{"number value for a string", users, `userName eq 3`, "compare it with a string"},
		{"number value for a boolean", users, `active eq 1`, "true or false"},
		{"string value for a boolean", users, `active eq "yes"`, "true or false"},
		{"bad dateTime", users, `meta.created gt "yesterday"`, "not an xsd:dateTime"},
		{"number value for a dateTime", users, `meta.created gt 5`, "dateTime"},
		{"gt null", users, `title gt null`, "only eq and ne"},
		{"out of range number", devices, `weight eq 1e999`, "out of range"},
		{"single-valued complex compared", users, `name eq "x"`, "is complex"},
		{"value filter on a simple attribute", users, `userName[value eq "x"]`, "not a complex attribute"},
		{"value filter naming a sub-attribute path", users, `emails[emails.type eq "work"]`, "sub-attribute of emails alone"},
		{"value filter naming an unknown sub-attribute", users, `emails[kind eq "work"]`, `no sub-attribute "kind"`},
		{"Entra form on a simple attribute", users, `userName[type eq "x"].value eq "y"`, "not a complex attribute"},
		{"error inside the right of a logical", users, `userName pr and nope pr`, `no attribute "nope"`},
		{"error inside not", users, `not (nope pr)`, `no attribute "nope"`},
		{"error inside a value filter", users, `emails[type gt true]`, "compare it with a string"},
		{"RFC 7643 §4.1.1: password is never returned, so never compared", users, `password sw "s"`, `"password" is never returned`},
		{"password pr", users, `password pr`, `"password" is never returned`},
		{"password by its URN", users, `urn:ietf:params:scim:schemas:core:2.0:User:password eq "x"`, `is never returned`},
		{"password beside a valid term", users, `userName eq "a" or password lt "m"`, `is never returned`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := filter.Parse(tt.filter)
			require.NoError(t, err)
			_, err = filter.Compile(tt.rt, e)
			var se *schema.Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, schema.ScimInvalidFilter, se.Type)
			assert.Contains(t, se.Detail, tt.detail)
		})
	}
}

func TestCompileElement(t *testing.T) {
	users := schema.Users()
	p, err := filter.ParsePath(`members[value eq "u2"]`)
	require.NoError(t, err)
	members := schema.Group().Attribute("members")
	m, err := filter.CompileElement(members, p.Filter)
	require.NoError(t, err)
	assert.True(t, m(map[string]any{"value": "u2", "display": "J"}))
	assert.True(t, m(map[string]any{"value": "U2"}), "RFC 7643 §8.7.1: members.value is caseExact false")
	assert.False(t, m(map[string]any{"value": "u3"}))
	_, err = filter.CompileElement(users.Schema.Attribute("userName"), p.Filter)
	assert.Error(t, err)
	_, err = filter.CompileElement(members, &filter.Compare{Path: filter.Path{Name: "nope"}, Op: filter.Pr})
	assert.Error(t, err)

	mm, err := filter.Compile(users, &filter.Compare{Path: filter.Path{Name: "userName"}, Op: filter.Pr})
	require.NoError(t, err)
	assert.Equal(t, users, mm.ResourceType())
	assert.Equal(t, "userName pr", mm.Expr().String())
}

// TestNeverReturnedRefused checks that a "returned": "never" attribute or
// sub-attribute cannot be compared in a value filter or sorted by (RFC 7643
// §7), so that no filter reveals a secret a bit at a time.
func TestNeverReturnedRefused(t *testing.T) {
	keys := &schema.Attribute{Name: "keys", Type: schema.Complex, MultiValued: true, SubAttributes: []*schema.Attribute{
		{Name: "value"}, {Name: "secret", Returned: schema.ReturnedNever},
	}}
	rt := &schema.ResourceType{Name: "Robot", Endpoint: "/Robots", Schema: &schema.Schema{
		ID: "urn:example:Robot", Attributes: []*schema.Attribute{{Name: "name"}, keys},
	}}
	require.NoError(t, rt.Validate())
	for _, f := range []string{`keys[secret eq "x"]`, `keys[value eq "a" and secret sw "x"]`, `keys.secret pr`, `keys[value eq "a"].secret eq "x"`} {
		e, err := filter.Parse(f)
		require.NoError(t, err)
		_, err = filter.Compile(rt, e)
		var se *schema.Error
		require.ErrorAs(t, err, &se, f)
		assert.Equal(t, schema.ScimInvalidFilter, se.Type, f)
		assert.Contains(t, se.Detail, "secret", f)
	}
	p, err := filter.ParsePath(`keys[secret eq "x"]`)
	require.NoError(t, err)
	_, err = filter.CompileElement(keys, p.Filter)
	assert.ErrorContains(t, err, "never returned", "a PATCH path's value filter")
	for _, sortBy := range []string{"keys.secret"} {
		_, err := filter.NewSorter(rt, sortBy, "")
		assert.ErrorContains(t, err, "never returned", sortBy)
	}
	_, err = filter.NewSorter(schema.Users(), "password", "descending")
	assert.ErrorContains(t, err, `"password" is never returned`)
	_, err = filter.NewSorter(rt, "keys.value", "")
	assert.NoError(t, err, "a sub-attribute that is returned sorts")
}

func TestSorter(t *testing.T) {
	users := schema.Users()
	ids := func(rs []*schema.Resource) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	tests := []struct {
		sortBy, order string
		want          []string
	}{
		{"userName", "", []string{"u1", "u2", "u3"}},
		{"userName", "descending", []string{"u3", "u2", "u1"}},
		{"USERNAME", "Ascending", []string{"u1", "u2", "u3"}},
		{"title", "ascending", []string{"u1", "u2", "u3"}},  // missing sort last, ties by id
		{"title", "descending", []string{"u1", "u2", "u3"}}, // missing still last
		{"emails", "ascending", []string{"u1", "u2", "u3"}}, // by primary (else first) value
		{"emails.type", "ascending", []string{"u1", "u2", "u3"}},
		{"meta.lastModified", "descending", []string{"u2", "u1", "u3"}},
		{"meta.created", "", []string{"u3", "u1", "u2"}},
		{"active", "", []string{"u2", "u1", "u3"}},
		{ent + ":department", "", []string{"u3", "u1", "u2"}},
		{"name.familyName", "descending", []string{"u2", "u1", "u3"}},
		{"id", "descending", []string{"u3", "u2", "u1"}},
	}
	for _, tt := range tests {
		t.Run(tt.sortBy+" "+tt.order, func(t *testing.T) {
			s, err := filter.NewSorter(users, tt.sortBy, tt.order)
			require.NoError(t, err)
			rs := fixtureUsers()
			slices.SortFunc(rs, s.Compare)
			assert.Equal(t, tt.want, ids(rs))
			// Compare agrees with Sort.
			rs2 := fixtureUsers()
			sort.SliceStable(rs2, func(i, j int) bool { return s.Compare(rs2[i], rs2[j]) < 0 })
			assert.Equal(t, tt.want, ids(rs2))
		})
	}
	devices := deviceType()
	for _, tt := range []struct {
		sortBy string
		want   []string
	}{
		{"floor", []string{"d2", "d1", "d3"}},
		{"weight", []string{"d1", "d2", "d3"}},
		{"seen", []string{"d1", "d2", "d3"}},
		{"serial", []string{"d2", "d1", "d3"}},
		{"site.rooms", []string{"d1", "d2", "d3"}},
		{"tags", []string{"d2", "d1", "d3"}},
	} {
		s, err := filter.NewSorter(devices, tt.sortBy, "")
		require.NoError(t, err)
		rs := fixtureDevices()
		slices.SortFunc(rs, s.Compare)
		assert.Equal(t, tt.want, ids(rs), tt.sortBy)
	}
	s, err := filter.NewSorter(users, "emails", "descending")
	require.NoError(t, err)
	assert.True(t, s.Descending())
	assert.Equal(t, "emails.value", s.Attr().String())

	for _, bad := range []struct{ by, order string }{{"nope", ""}, {"name", ""}, {`emails[type eq "work"]`, ""}, {"", ""}, {"userName", "sideways"}} {
		_, err := filter.NewSorter(users, bad.by, bad.order)
		var se *schema.Error
		assert.ErrorAs(t, err, &se, bad)
	}
}

func BenchmarkMatch(b *testing.B) {
	users := schema.Users()
	rs := fixtureUsers()
	for _, f := range []string{simpleFilter, `emails[type eq "work"].value eq "john@example.org"`, complexFilter} {
		e, err := filter.Parse(f)
		require.NoError(b, err)
		m, err := filter.Compile(users, e)
		require.NoError(b, err)
		b.Run(f, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range rs {
					m.Match(r)
				}
			}
		})
	}
}

// TestSchemasFilter checks that a filter may name "schemas" (RFC 7644
// §3.4.2.2, Figure 2: filter=schemas eq "urn:...:User"): the core schema
// and each extension a resource holds.
func TestSchemasFilter(t *testing.T) {
	users := schema.Users()
	rs := fixtureUsers()
	for _, tt := range []struct {
		filter string
		want   []string
	}{
		{`schemas eq "` + ent + `"`, []string{"u1", "u3"}},
		{`SCHEMAS eq "` + strings.ToUpper(ent) + `"`, []string{"u1", "u3"}},
		{`schemas eq "urn:ietf:params:scim:schemas:core:2.0:User"`, []string{"u1", "u2", "u3"}},
		{`not (schemas eq "` + ent + `")`, []string{"u2"}},
		{`schemas co "enterprise"`, []string{"u1", "u3"}},
	} {
		assert.Equal(t, tt.want, matching(t, users, rs, tt.filter), tt.filter)
	}
	_, err := filter.NewSorter(users, "schemas", "")
	assert.NoError(t, err)
}

// TestOneFoldingRule checks issue 24's item 7: caseExact=false strings
// compare by one case folding (valuekey.Fold) for every operator and for
// sorting (RFC 7643 §2.3.1). For a stored ſtefan, eq, sw and co "STEFAN"
// all match; for İnce, eq "ince" does not, and neither do co, or ge and le
// together.
func TestOneFoldingRule(t *testing.T) {
	users := schema.Users()
	stored := []string{"ſtefan", "İnce", "ınce", "Σοφίας", "σοφίαϲ", "\u212aarl", "Åsa", "Ǆemal", "plain"}
	literals := []string{"STEFAN", "stefan", "ince", "İNCE", "ΣΟΦΊΑΣ", "σοφίας", "KARL", "åsa", "ǅEMAL", "ǆ", "ste", "NCE", "ας"}
	rs := make([]*schema.Resource, len(stored))
	for i, s := range stored {
		rs[i] = &schema.Resource{ID: fmt.Sprint(i), Attributes: map[string]any{"nickName": s}}
	}
	has := func(f string, id string) bool { return slices.Contains(matching(t, users, rs, f), id) }
	for i, s := range stored {
		id := fmt.Sprint(i)
		for _, w := range literals {
			q := strconv.Quote(w)
			eq, ge, le := has("nickName eq "+q, id), has("nickName ge "+q, id), has("nickName le "+q, id)
			assert.Equal(t, eq, ge && le, "%q vs %q: eq is ge and le", s, w)
			assert.Equal(t, eq, strings.EqualFold(s, w), "%q vs %q: eq is strings.EqualFold", s, w)
			assert.Equal(t, strings.HasPrefix(fold(s), fold(w)), has("nickName sw "+q, id), "%q sw %q", s, w)
			assert.Equal(t, strings.Contains(fold(s), fold(w)), has("nickName co "+q, id), "%q co %q", s, w)
			assert.Equal(t, strings.HasSuffix(fold(s), fold(w)), has("nickName ew "+q, id), "%q ew %q", s, w)
			if eq {
				assert.True(t, has("nickName sw "+q, id) && has("nickName co "+q, id) && has("nickName ew "+q, id), "%q vs %q", s, w)
			}
		}
	}
	assert.True(t, has(`nickName sw "STEFAN"`, "0"), "ſtefan starts with STEFAN")
	assert.False(t, has(`nickName co "ince"`, "1"), "İnce does not fold to ince")
	sorter, err := filter.NewSorter(users, "nickName", "")
	require.NoError(t, err)
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, sorter.Compare)
	for i := 1; i < len(sorted); i++ {
		a, b := sorted[i-1].Attributes["nickName"].(string), sorted[i].Attributes["nickName"].(string)
		assert.LessOrEqual(t, strings.Compare(fold(a), fold(b)), 0, "sorted by the same folding: %q before %q", a, b)
	}
}

// fold is the folding the library documents: Fold(a) == Fold(b) exactly
// when strings.EqualFold(a, b), each rune mapped alike.
var fold = valuekey.Fold
