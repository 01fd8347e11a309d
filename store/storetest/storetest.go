// Package storetest checks that a store.Store keeps the contract of package
// store, the way testing/fstest checks an fs.FS. Every store in scimkit runs
// it, and a host runs it against its own adapter:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, rt *schema.ResourceType) store.Store {
//			return mystore.New(t, rt) // empty, for resource type rt
//		})
//	}
//
// Run builds a fresh store for each subtest, for the User resource type
// (schema.Users(), with the EnterpriseUser extension) and, for membership
// tests, the Group resource type (schema.Groups()). It checks create, read,
// replace and delete round trips (also through store.CreateAdopted and
// store.ReplaceAdopted), not-found, version mismatches, uniqueness
// conflicts, that Search (when the store is a store.Searcher) answers
// exactly what store.Evaluate answers over Scan for a table of filters,
// sorts and pages, and concurrent writers: one winner per version and no
// lost update. A store.JSONReader's answers must equal Get's and Search's,
// encoded.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// NewStore returns an empty store for resource type rt.
type NewStore func(t *testing.T, rt *schema.ResourceType) store.Store

// Run runs the conformance suite against the stores newStore returns.
func Run(t *testing.T, newStore NewStore) {
	t.Run("CRUD", func(t *testing.T) { testCRUD(t, newStore) })
	t.Run("Copies", func(t *testing.T) { testCopies(t, newStore) })
	t.Run("Adopt", func(t *testing.T) { testAdopt(t, newStore) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, newStore) })
	t.Run("Versions", func(t *testing.T) { testVersions(t, newStore) })
	t.Run("Uniqueness", func(t *testing.T) { testUniqueness(t, newStore) })
	t.Run("Scan", func(t *testing.T) { testScan(t, newStore) })
	t.Run("Search", func(t *testing.T) { testSearch(t, newStore) })
	t.Run("ConcurrentReplace", func(t *testing.T) { testConcurrentReplace(t, newStore) })
	t.Run("ConcurrentPatch", func(t *testing.T) { testConcurrentPatch(t, newStore, false) })
	t.Run("ConcurrentPatchGeneric", func(t *testing.T) { testConcurrentPatch(t, newStore, true) })
	t.Run("ConcurrentCreate", func(t *testing.T) { testConcurrentCreate(t, newStore) })
	t.Run("Tenants", func(t *testing.T) { testTenants(t, newStore) })
	t.Run("JSON", func(t *testing.T) { testJSON(t, newStore) })
}

const ent = schema.EnterpriseUserSchema

func user(name string, extra map[string]any) *schema.Resource {
	attrs := map[string]any{"userName": name}
	for k, v := range extra {
		attrs[k] = v
	}
	return &schema.Resource{Attributes: attrs}
}

func create(t *testing.T, s store.Store, r *schema.Resource) *schema.Resource {
	t.Helper()
	out, err := s.Create(context.Background(), r)
	require.NoError(t, err)
	return out
}

func testCRUD(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	users := schema.Users()
	s := newStore(t, users)
	before := time.Now().Add(-time.Second)
	in := user("bjensen@example.com", map[string]any{
		"name":   map[string]any{"givenName": "Barbara", "familyName": "Jensen"},
		"active": true,
		"emails": []any{map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true}},
		ent:      map[string]any{"employeeNumber": "701984", "manager": map[string]any{"value": "m1"}},
	})
	in.ID = "client-chosen"
	in.ExternalID = "ext-1"
	created := create(t, s, in)
	assert.NotEmpty(t, created.ID, "the store assigns the id")
	assert.NotEqual(t, "client-chosen", created.ID, "the store ignores r.ID on create")
	assert.NotEmpty(t, created.Meta.Version, "the store assigns a version")
	assert.Equal(t, "User", created.Meta.ResourceType)
	assert.False(t, created.Meta.Created.IsZero())
	assert.True(t, created.Meta.Created.After(before), "meta.created is the time of the create")
	assert.Equal(t, created.Meta.Created, created.Meta.LastModified)
	assert.Equal(t, "ext-1", created.ExternalID)
	assert.Equal(t, in.Attributes, created.Attributes)

	got, err := s.Get(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, created, got, "Get returns what Create stored")

	next := got.Clone()
	next.Attributes["displayName"] = "Babs"
	next.Attributes["active"] = false
	next.ExternalID = ""
	replaced, err := s.Replace(ctx, next, "")
	require.NoError(t, err)
	assert.NotEqual(t, created.Meta.Version, replaced.Meta.Version, "every write changes the version")
	assert.Equal(t, created.Meta.Created, replaced.Meta.Created, "meta.created is kept")
	assert.False(t, replaced.Meta.LastModified.Before(created.Meta.LastModified))
	assert.Equal(t, next.Attributes, replaced.Attributes)
	assert.Equal(t, "", replaced.ExternalID)
	got, err = s.Get(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, replaced, got)

	require.NoError(t, s.Delete(ctx, created.ID, ""))
	_, err = s.Get(ctx, created.ID)
	assert.ErrorIs(t, err, store.ErrNotFound, "a deleted resource is gone")

	// A second resource gets a different id.
	a := create(t, s, user("a@example.com", nil))
	b := create(t, s, user("b@example.com", nil))
	assert.NotEqual(t, a.ID, b.ID)
	// Versions are per resource: two resources may share one (a store
	// whose versions count each resource's writes reveals nothing of the
	// others), and an ETag is compared only with the same resource's.
}

func testCopies(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t, schema.Users())
	in := user("copy@example.com", map[string]any{"name": map[string]any{"givenName": "A"}, "emails": []any{map[string]any{"value": "x@y"}}})
	created := create(t, s, in)
	// Changing what was passed in does not change what is stored.
	in.Attributes["userName"] = "changed"
	in.Attributes["name"].(map[string]any)["givenName"] = "changed"
	in.Attributes["emails"].([]any)[0].(map[string]any)["value"] = "changed"
	got, err := s.Get(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, "copy@example.com", got.String("userName"))
	assert.Equal(t, "A", got.String("name.givenName"))
	assert.Equal(t, []any{"x@y"}, must(got.Get("emails.value")))
	// What was handed out is never changed by later writes, which may
	// share its values.
	next := got.Clone()
	next.Attributes["name"].(map[string]any)["givenName"] = "B"
	next.Attributes["emails"] = append(next.Attributes["emails"].([]any), map[string]any{"value": "z@y"})
	_, err = s.Replace(ctx, next, "")
	require.NoError(t, err)
	_, err = store.Patch(ctx, s, schema.Users(), created.ID, []patch.Operation{{Op: patch.Add, Path: &filter.Path{Name: "emails"}, Value: []byte(`[{"value":"w@y"}]`)}}, "", patch.Options{})
	require.NoError(t, err)
	assert.Equal(t, "A", got.String("name.givenName"), "a returned resource is never changed")
	assert.Equal(t, []any{"x@y"}, must(got.Get("emails.value")))
	assert.Equal(t, "A", created.String("name.givenName"))
}

func must(v any, _ bool) any { return v }

// testAdopt checks that store.CreateAdopted and store.ReplaceAdopted (the
// store's own methods when it is a store.Adopter) keep the contract of
// Create and Replace: what was handed over is what is stored, versions and
// uniqueness are checked, and a failed write stores nothing.
func testAdopt(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t, schema.Users())
	in := user("adopt@example.com", map[string]any{
		"name":   map[string]any{"givenName": "A"},
		"emails": []any{map[string]any{"value": "adopt@example.com", "type": "work"}},
		ent:      map[string]any{"department": "Sales", "manager": map[string]any{"value": "m1"}},
	})
	want := schema.CloneMap(in.Attributes)
	created, err := store.CreateAdopted(ctx, s, in)
	require.NoError(t, err)
	assert.NotEmpty(t, created.ID)
	assert.NotEmpty(t, created.Meta.Version)
	assert.Equal(t, want, created.Attributes)
	got, err := s.Get(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, created, got, "Get returns what CreateAdopted stored")

	_, err = store.CreateAdopted(ctx, s, user("ADOPT@example.com", nil))
	assert.ErrorIs(t, err, store.ErrConflict, "RFC 7643 §4.1.1: userName is unique")

	next := &schema.Resource{ID: created.ID, Attributes: map[string]any{"userName": "adopt@example.com", "displayName": "Adopted"}}
	_, err = store.ReplaceAdopted(ctx, s, next, "not-"+created.Meta.Version)
	assert.ErrorIs(t, err, store.ErrVersionMismatch)
	next = &schema.Resource{ID: created.ID, Attributes: map[string]any{"userName": "adopt@example.com", "displayName": "Adopted"}}
	replaced, err := store.ReplaceAdopted(ctx, s, next, created.Meta.Version)
	require.NoError(t, err)
	assert.NotEqual(t, created.Meta.Version, replaced.Meta.Version)
	assert.Equal(t, map[string]any{"userName": "adopt@example.com", "displayName": "Adopted"}, replaced.Attributes)
	assert.Equal(t, "A", created.String("name.givenName"), "a returned resource is never changed")

	other := create(t, s, user("other@example.com", nil))
	_, err = store.ReplaceAdopted(ctx, s, &schema.Resource{ID: other.ID, Attributes: map[string]any{"userName": "Adopt@Example.com"}}, "")
	assert.ErrorIs(t, err, store.ErrConflict)
	got, err = s.Get(ctx, other.ID)
	require.NoError(t, err)
	assert.Equal(t, other, got, "a failed ReplaceAdopted stores nothing")
	_, err = store.ReplaceAdopted(ctx, s, &schema.Resource{ID: "no-such-id", Attributes: map[string]any{"userName": "x@example.com"}}, "")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testNotFound(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t, schema.Users())
	_, err := s.Get(ctx, "no-such-id")
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Replace(ctx, &schema.Resource{ID: "no-such-id", Attributes: map[string]any{"userName": "x"}}, "")
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.ErrorIs(t, s.Delete(ctx, "no-such-id", ""), store.ErrNotFound)
}

func testVersions(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t, schema.Users())
	r := create(t, s, user("v@example.com", nil))
	v1 := r.Meta.Version
	next := r.Clone()
	next.Attributes["title"] = "one"
	r2, err := s.Replace(ctx, next, v1)
	require.NoError(t, err, "the current version matches")
	stale := r.Clone()
	stale.Attributes["title"] = "stale"
	_, err = s.Replace(ctx, stale, v1)
	assert.ErrorIs(t, err, store.ErrVersionMismatch, "RFC 7644 §3.14: a stale version fails")
	got, err := s.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, "one", got.String("title"), "a failed replace stores nothing")
	assert.ErrorIs(t, s.Delete(ctx, r.ID, v1), store.ErrVersionMismatch)
	_, err = s.Get(ctx, r.ID)
	assert.NoError(t, err, "a failed delete removes nothing")
	assert.NoError(t, s.Delete(ctx, r.ID, r2.Meta.Version))
}

func testUniqueness(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t, schema.Users())
	a := create(t, s, user("bjensen@example.com", nil))
	_, err := s.Create(ctx, user("BJensen@Example.COM", nil))
	require.ErrorIs(t, err, store.ErrConflict, "RFC 7643 §4.1.1: userName is unique and not caseExact")
	var ce *store.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "userName", ce.Attribute)

	b := create(t, s, user("other@example.com", nil))
	taken := b.Clone()
	taken.Attributes["userName"] = "BJENSEN@example.com"
	_, err = s.Replace(ctx, taken, "")
	assert.ErrorIs(t, err, store.ErrConflict, "replace cannot take another's unique value")
	got, err := s.Get(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, "other@example.com", got.String("userName"), "a conflicting replace stores nothing")

	same := a.Clone()
	same.Attributes["userName"] = "BJENSEN@EXAMPLE.COM"
	_, err = s.Replace(ctx, same, "")
	assert.NoError(t, err, "a resource may keep its own value in another case")

	require.NoError(t, s.Delete(ctx, a.ID, ""))
	_, err = s.Create(ctx, user("bjensen@example.com", nil))
	assert.NoError(t, err, "a deleted resource's value is free again")

	// Renaming frees the old value.
	renamed := b.Clone()
	renamed.Attributes["userName"] = "renamed@example.com"
	_, err = s.Replace(ctx, renamed, "")
	require.NoError(t, err)
	_, err = s.Create(ctx, user("other@example.com", nil))
	assert.NoError(t, err)
}

func testScan(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t, schema.Users())
	var want []string
	for i := range 25 {
		want = append(want, create(t, s, user(fmt.Sprintf("scan%02d@example.com", i), nil)).ID)
	}
	require.NoError(t, s.Delete(ctx, want[3], ""))
	want = slices.Delete(want, 3, 4)
	var got []string
	for r, err := range s.Scan(ctx) {
		require.NoError(t, err)
		got = append(got, r.ID)
	}
	assert.ElementsMatch(t, want, got)
	n := 0
	for range s.Scan(ctx) {
		if n++; n == 2 {
			break // stopping early is allowed
		}
	}
	assert.Equal(t, 2, n)
}

// seedUsers creates a varied population for the search table.
func seedUsers(t *testing.T, s store.Store) {
	titles := []any{"Engineer", "Tour Guide", nil, "engineer", "Ärztin"}
	for i := range 40 {
		extra := map[string]any{
			"active":      i%3 != 0,
			"displayName": fmt.Sprintf("User %d", 40-i),
			"name":        map[string]any{"familyName": []string{"Jensen", "Smith", "Åsa", "jones"}[i%4], "givenName": fmt.Sprintf("G%d", i%7)},
		}
		if t := titles[i%5]; t != nil {
			extra["title"] = t
		}
		// Names whose case folding differs between libraries (issue 24):
		// the long s and the Kelvin sign fold to ASCII, dotted and dotless
		// i do not, final and medial sigma are one letter.
		extra["nickName"] = []string{"ſtefan", "STEFAN", "İnce", "ınce", "ince", "Σοφίας", "ΣΟΦΊΑΣ", "σοφίας", "\u212aarl", "karl", "Åsa", "åsa", "Ǆemal", "ǆemal"}[i%14]
		if i%2 == 0 {
			extra["emails"] = []any{
				map[string]any{"value": fmt.Sprintf("u%d@work.example.com", i), "type": "work", "primary": i%4 == 0},
				map[string]any{"value": fmt.Sprintf("u%d@home.example.org", i), "type": "home"},
			}
		}
		if i%5 != 4 {
			extra[ent] = map[string]any{"employeeNumber": fmt.Sprintf("E%03d", (i*7)%40), "department": []string{"RnD", "Sales", "Ops"}[i%3]}
		}
		name := fmt.Sprintf("user%02d@example.com", i)
		if i%6 == 0 {
			name = fmt.Sprintf("USER%02d@Example.com", i)
		}
		r := user(name, extra)
		if i%4 == 1 {
			r.ExternalID = fmt.Sprintf("ext-%d", i%8)
		}
		create(t, s, r)
	}
}

// searchFilters are the filters of the Search table: indexed equalities and
// every operator, alone and combined.
var searchFilters = []string{
	"",
	`userName eq "user07@example.com"`,
	`userName eq "USER07@EXAMPLE.COM"`,
	`userName eq "user06@example.com"`,
	`userName eq "nobody@example.com"`,
	`externalId eq "ext-1"`,
	`externalId eq "EXT-1"`,
	`userName eq "user09@example.com" or userName eq "user10@example.com"`,
	`userName eq "user13@example.com" and active eq true`,
	`userName eq "user13@example.com" and active eq false`,
	`active eq true and userName eq "user14@example.com"`,
	`userName sw "USER1"`,
	`userName co "0@"`,
	`userName ew ".COM"`,
	`userName gt "user20"`,
	`userName le "user05@example.com"`,
	`title pr`,
	`not (title pr)`,
	`title eq "engineer"`,
	`title ne "Engineer"`,
	`emails[type eq "work" and primary eq true]`,
	`emails.value co "home"`,
	`emails[type eq "work"].value eq "u8@work.example.com"`,
	`emails.type ne "home"`, // RFC 7644 §3.4.2.2: any value differs
	`emails[type eq "work"].value ne "u8@work.example.com"`,
	`not (emails.type eq "home")`,
	`schemas eq "` + ent + `"`,  // RFC 7644 §3.4.2.2, Figure 2
	`meta.version eq "W/\"3\""`, // as clients see it (RFC 7643 §3.1)
	`meta.version eq "3"`,
	`nickName eq "stefan"`, // one case folding for every operator (filter.Fold)
	`nickName sw "STE"`,
	`nickName co "TEF"`,
	`nickName eq "ince"`,
	`nickName co "nce"`,
	`nickName ge "ince"`,
	`nickName lt "ince"`,
	`nickName eq "ΣΟΦΊΑΣ"`,
	`nickName ew "ίας"`,
	`nickName eq "KARL"`,
	`nickName sw "k"`,
	`nickName eq "ÅSA"`,
	`nickName gt "ǅ"`,
	`nickName eq "ǅEMAL"`,
	`not (schemas eq "` + ent + `")`,
	`name.familyName eq "åsa"`,
	`meta.resourceType eq "User"`,
	ent + `:department eq "rnd"`,
	ent + `:employeeNumber ge "E020"`,
	`active eq false or title eq "Tour Guide"`,
	`(active eq false or title pr) and not (emails pr)`,
}

// searchSorts are the sortBy/sortOrder pairs of the Search table.
var searchSorts = [][2]string{
	{"", ""},
	{"userName", "ascending"},
	{"userName", "descending"},
	{"title", ""},
	{"title", "descending"},
	{"emails", ""},
	{"name.familyName", "descending"},
	{"meta.created", ""},
	{ent + ":employeeNumber", ""},
	{"active", "descending"},
	{"nickName", ""},
	{"nickName", "descending"},
}

// searchPages are the startIndex/count pairs of the Search table.
var searchPages = [][2]int{{1, 100}, {1, 5}, {6, 5}, {39, 5}, {41, 5}, {0, 3}, {1, 0}, {3, -1}}

func testSearch(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	users := schema.Users()
	s := newStore(t, users)
	seedUsers(t, s)
	for _, f := range searchFilters {
		var m *filter.Matcher
		if f != "" {
			e, err := filter.Parse(f)
			require.NoError(t, err, f)
			m, err = filter.Compile(users, e)
			require.NoError(t, err, f)
		}
		for _, so := range searchSorts {
			var sorter *filter.Sorter
			if so[0] != "" {
				var err error
				sorter, err = filter.NewSorter(users, so[0], so[1])
				require.NoError(t, err)
			}
			for _, pg := range searchPages {
				q := &store.Query{Filter: m, Sort: sorter, StartIndex: pg[0], Count: pg[1]}
				want, err := store.Evaluate(ctx, s.Scan(ctx), q)
				require.NoError(t, err)
				got, err := store.Search(ctx, s, q)
				require.NoError(t, err, "filter %q sort %v page %v", f, so, pg)
				assert.Equal(t, want.Total, got.Total, "total: filter %q sort %v page %v", f, so, pg)
				assert.Equal(t, ids(want.Resources), ids(got.Resources), "filter %q sort %v page %v", f, so, pg)
				if len(got.Resources) > 0 {
					assert.Equal(t, want.Resources[0], got.Resources[0], "resources are returned whole")
				}
				checkSearchJSON(t, s, users, q, got, fmt.Sprintf("filter %q sort %v page %v", f, so, pg))
			}
		}
	}
}

// checkSearchJSON checks that a store.JSONReader's SearchJSON answers q
// as Search answered it (want), encoded.
func checkSearchJSON(t *testing.T, s store.Store, rt *schema.ResourceType, q *store.Query, want *store.Page, msg string) {
	t.Helper()
	jr, ok := s.(store.JSONReader)
	if !ok {
		return
	}
	encs, total, err := jr.SearchJSON(context.Background(), q)
	if errors.Is(err, errors.ErrUnsupported) {
		return
	}
	require.NoError(t, err, msg)
	assert.Equal(t, want.Total, total, "SearchJSON's total: %s", msg)
	require.Len(t, encs, len(want.Resources), "SearchJSON's page: %s", msg)
	for i, r := range want.Resources {
		checkEncoded(t, rt, r, encs[i], msg)
	}
}

// checkEncoded checks that enc is r as a store.JSONReader hands it out.
func checkEncoded(t *testing.T, rt *schema.ResourceType, r *schema.Resource, enc schema.Encoded, msg string) {
	t.Helper()
	assert.Equal(t, r.ID, enc.ID, msg)
	assert.Equal(t, r.Meta, enc.Meta, msg)
	assert.JSONEq(t, string(schema.AppendJSON(nil, rt, r, nil)), string(schema.AppendEncoded(nil, rt, &enc, nil)), msg)
	assert.Equal(t, string(schema.AppendJSON(nil, rt, r, nil)), string(schema.AppendEncoded(nil, rt, &enc, nil)), "byte for byte: %s", msg)
}

// testJSON checks a store.JSONReader's GetJSON against Get, through
// writes, and that values the default projection leaves out (password)
// stay readable through Get.
func testJSON(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	users := schema.Users()
	s := newStore(t, users)
	jr, ok := s.(store.JSONReader)
	if !ok {
		t.Skip("the store is not a store.JSONReader")
	}
	in := user("json@example.com", map[string]any{
		"password":    "t1meMachine!",
		"displayName": "Quote \" and \u00e9 and <tag>",
		"emails":      []any{map[string]any{"value": "json@example.com", "type": "work", "primary": true}},
		ent:           map[string]any{"employeeNumber": "7", "manager": map[string]any{"value": "m1"}},
	})
	in.ExternalID = "ext-json"
	created := create(t, s, in)
	check := func(msg string) *schema.Resource {
		t.Helper()
		r, err := s.Get(ctx, created.ID)
		require.NoError(t, err, msg)
		enc, err := jr.GetJSON(ctx, created.ID)
		if errors.Is(err, errors.ErrUnsupported) {
			t.Skip("the store declines GetJSON for users")
		}
		require.NoError(t, err, msg)
		checkEncoded(t, users, r, enc, msg)
		return r
	}
	got := check("after create")
	assert.Equal(t, "t1meMachine!", got.Attributes["password"], "a value never returned is kept")
	next := got.Clone()
	next.Attributes["title"] = "Engineer"
	delete(next.Attributes, ent)
	_, err := s.Replace(ctx, next, "")
	require.NoError(t, err)
	got = check("after replace")
	assert.Equal(t, "Engineer", got.Attributes["title"])
	assert.Nil(t, got.Attributes[ent])
	_, err = store.Patch(ctx, s, users, created.ID, []patch.Operation{{Op: patch.Replace, Path: &filter.Path{Name: "displayName"}, Value: []byte(`"Patched"`)}}, "", patch.Options{})
	require.NoError(t, err)
	got = check("after patch")
	assert.Equal(t, "Patched", got.Attributes["displayName"])
	assert.Equal(t, "t1meMachine!", got.Attributes["password"], "a patch keeps the password")
	require.NoError(t, s.Delete(ctx, created.ID, ""))
	_, err = jr.GetJSON(ctx, created.ID)
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func ids(rs []*schema.Resource) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// testConcurrentReplace has many writers replace one resource with the
// version they all read: exactly one wins each round.
func testConcurrentReplace(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t, schema.Users())
	r := create(t, s, user("race@example.com", nil))
	const writers, rounds = 16, 10
	for round := range rounds {
		cur, err := s.Get(ctx, r.ID)
		require.NoError(t, err)
		wins, losses := race(t, writers, store.ErrVersionMismatch, func(w int) error {
			next := cur.Clone()
			next.Attributes["title"] = fmt.Sprintf("round %d writer %d", round, w)
			_, err := s.Replace(ctx, next, cur.Meta.Version)
			return err
		})
		assert.Equal(t, 1, wins, "round %d: exactly one writer wins per version", round)
		assert.Equal(t, writers-1, losses)
	}
}

// plain hides a store's capabilities, so that the helpers take the generic
// path.
type plain struct{ store.Store }

// testConcurrentPatch adds distinct members to one group from many
// goroutines through store.Patch: none may be lost. With generic, the
// store's Patcher (if any) is hidden, to check Get, Apply and Replace.
func testConcurrentPatch(t *testing.T, newStore NewStore, generic bool) {
	ctx := context.Background()
	groups := schema.Groups()
	s := newStore(t, groups)
	if generic {
		s = plain{s}
	}
	g := create(t, s, &schema.Resource{Attributes: map[string]any{"displayName": "Everyone"}})
	const writers, each = 10, 5
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				ops := []patch.Operation{{Op: patch.Add, Path: &filter.Path{Name: "members"},
					Value: []byte(fmt.Sprintf(`[{"value":"member-%d-%d"}]`, w, i))}}
				_, err := store.Patch(ctx, s, groups, g.ID, ops, "", patch.Options{})
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	got, err := s.Get(ctx, g.ID)
	require.NoError(t, err)
	members, _ := got.Get("members.value")
	assert.Len(t, members, writers*each, "no concurrent PATCH is lost")
}

// testConcurrentCreate creates one userName from many goroutines: exactly
// one succeeds.
func testConcurrentCreate(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t, schema.Users())
	const writers = 16
	ok, conflicts := race(t, writers, store.ErrConflict, func(w int) error {
		name := "Same@Example.com"
		if w%2 == 0 {
			name = "same@example.com"
		}
		_, err := s.Create(ctx, user(name, nil))
		return err
	})
	assert.Equal(t, 1, ok, "exactly one create of a unique value succeeds")
	assert.Equal(t, writers-1, conflicts)
}

// race runs write from n goroutines at once and counts the writes that
// succeeded and those that failed with the expected error; any other error
// fails the test.
func race(t *testing.T, n int, expected error, write func(w int) error) (wins, losses int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := write(w)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, expected):
				losses++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	wg.Wait()
	return wins, losses
}

// testTenants checks that a store keeps tenants (store.WithTenant) apart:
// no read, write, search, patch or uniqueness check crosses them.
func testTenants(t *testing.T, newStore NewStore) {
	s := newStore(t, schema.Users())
	a := store.WithTenant(context.Background(), "tenant-a")
	b := store.WithTenant(context.Background(), "tenant-b")
	ra, err := s.Create(a, user("same@example.com", map[string]any{"title": "A"}))
	require.NoError(t, err)
	rb, err := s.Create(b, user("same@example.com", map[string]any{"title": "B"}))
	require.NoError(t, err, "uniqueness is per tenant")
	_, err = s.Create(a, user("SAME@example.com", nil))
	assert.ErrorIs(t, err, store.ErrConflict, "but holds within one")

	_, err = s.Get(b, ra.ID)
	assert.ErrorIs(t, err, store.ErrNotFound, "a tenant cannot read another's resource")
	next := ra.Clone()
	next.Attributes["title"] = "stolen"
	_, err = s.Replace(b, next, "")
	assert.ErrorIs(t, err, store.ErrNotFound, "nor replace it")
	_, err = store.Patch(b, s, schema.Users(), ra.ID, []patch.Operation{{Op: patch.Replace, Path: &filter.Path{Name: "title"}, Value: []byte(`"stolen"`)}}, "", patch.Options{})
	assert.ErrorIs(t, err, store.ErrNotFound, "nor patch it")
	assert.ErrorIs(t, s.Delete(b, ra.ID, ""), store.ErrNotFound, "nor delete it")
	got, err := s.Get(a, ra.ID)
	require.NoError(t, err)
	assert.Equal(t, "A", got.String("title"))

	users := schema.Users()
	for _, f := range []string{`userName eq "same@example.com"`, `title pr`, `id eq "` + ra.ID + `"`} {
		e, err := filter.Parse(f)
		require.NoError(t, err)
		m, err := filter.Compile(users, e)
		require.NoError(t, err)
		page, err := store.Search(b, s, &store.Query{Filter: m, StartIndex: 1, Count: 10})
		require.NoError(t, err)
		for _, r := range page.Resources {
			assert.Equal(t, rb.ID, r.ID, "%s: only tenant-b's resources", f)
		}
	}
	var ids []string
	for r, err := range s.Scan(b) {
		require.NoError(t, err)
		ids = append(ids, r.ID)
	}
	assert.Equal(t, []string{rb.ID}, ids, "Scan yields the tenant's resources only")
}
