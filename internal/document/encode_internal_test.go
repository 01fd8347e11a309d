package document

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scimkit/scimkit/schema"
)

// FuzzAppendString checks appendString against encoding/json: the output
// is valid JSON that reads back as the string encoding/json writes, and
// printable ASCII without quotes or backslashes is written as it is.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "user0000001@contoso.example.com", `a"b\c`, "tab\there", "\x00\x1f\x7f", "é\u2028\u2029", "\xff\xfe", "12345678\"", "1234567\\8", "abcdefgh\x01ijklmnop", "ĀāĂă"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := appendString(nil, s)
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q: invalid JSON %s: %v", s, out, err)
		}
		ref, _ := json.Marshal(s)
		var want string
		if err := json.Unmarshal(ref, &want); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%q: wrote %s, reads %q; encoding/json reads %q", s, out, got, want)
		}
		plain := !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r >= 0x7f || r == '"' || r == '\\' })
		if plain && string(out) != `"`+s+`"` {
			t.Fatalf("%q: plain text written as %s", s, out)
		}
	})
}

// FuzzSkipJSON checks that skipJSON finds the end of JSON values without
// white space, whatever their strings hold.
func FuzzSkipJSON(f *testing.F) {
	for _, s := range []string{"", `"`, `\`, `\\"`, `a\"b`, "\u2028", "}]", `{"a":[1,"]"]}`,
		// skipString reads 16 bytes one by one, then uses IndexByte:
		// escapes on either side of the 16th byte.
		`aaaaaaaaaaaaaa\"`, `aaaaaaaaaaaaaaa\"`, `aaaaaaaaaaaaaaa\\`, `aaaaaaaaaaaaaa\\"x`, `aaaaaaaaaaaaaaaa"`, strings.Repeat(`\`, 20)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range []any{s, []any{s, 1.5, true, nil}, map[string]any{"k": s, "l": []any{map[string]any{s: s}}}} {
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			for _, next := range []string{",", "}"} {
				if got := skipJSON(string(b)+next, 0); got != len(b) {
					t.Fatalf("skipJSON(%s%s) = %d, want %d", b, next, got, len(b))
				}
			}
		}
	})
}

// FuzzSpans checks that AppendEncoded writes the same bytes from a
// resource's member spans (Encoded.Spans, as the memory store keeps them)
// as from scanning its JSON, for any string values and under projections
// that take and leave whole attributes, sub-attributes and extensions.
func FuzzSpans(f *testing.F) {
	for _, s := range []string{"", "bjensen", `a"b\c`, "é\u2028", strings.Repeat("x", 300)} {
		f.Add(s)
	}
	rt := schema.Users()
	projections := [][2][]string{
		{{"userName"}, nil},
		{{"userName", "emails"}, nil},
		{{"name.givenName"}, nil},
		{{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}, nil},
		{{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}, nil},
		{{"meta.version", "externalId"}, nil},
		{nil, {"emails", "meta"}},
		{nil, {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}},
		{nil, {"id"}},
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		r := &schema.Resource{ID: "id-" + s, ExternalID: s, Meta: schema.Meta{ResourceType: "User", Version: "3", Location: "https://x/Users/1"},
			Attributes: map[string]any{
				"userName": "u" + s, "displayName": s, "active": true,
				"name":   map[string]any{"givenName": s, "familyName": "F"},
				"emails": []any{map[string]any{"value": s + "@example.com", "type": "work", "primary": true}},
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"department": s, "employeeNumber": "7"},
			}}
		enc := string(AppendJSON(nil, rt, r, nil))
		spans := string(NewSpanner(rt).AppendSpans(nil, enc))
		if len(enc) > 0xffff {
			if spans != "" {
				t.Fatalf("spans for JSON of %d bytes", len(enc))
			}
			return
		}
		if spans == "" {
			t.Fatalf("no spans for JSON of %d bytes", len(enc))
		}
		for _, pr := range projections {
			p := NewProjection(rt, pr[0], pr[1])
			scanned := AppendEncoded(nil, rt, &Encoded{ID: r.ID, Meta: r.Meta, JSON: enc}, p)
			spanned := AppendEncoded(nil, rt, &Encoded{ID: r.ID, Meta: r.Meta, JSON: enc, Spans: spans}, NewProjection(rt, pr[0], pr[1]))
			if string(scanned) != string(spanned) {
				t.Fatalf("projection %v: from spans\n%s\nscanning\n%s", pr, spanned, scanned)
			}
		}
	})
}

// TestSpansLimits checks that a resource whose JSON is too long for the
// spans' 16-bit offsets, or not as AppendJSON writes it, has none.
func TestSpansLimits(t *testing.T) {
	rt := schema.Users()
	long := string(AppendJSON(nil, rt, &schema.Resource{ID: "1", Attributes: map[string]any{"userName": strings.Repeat("x", 70_000)}}, nil))
	sp := NewSpanner(rt)
	if len(sp.AppendSpans(nil, long)) != 0 {
		t.Error("spans for JSON over 65,535 bytes")
	}
	if got := sp.AppendSpans([]byte("x"), `["not an object"]`); string(got) != "x" {
		t.Error("spans for JSON that is not an object")
	}
	odd := `{"userName":"a","x-unknown":1}`
	got := sp.AppendSpans(nil, odd)
	if len(got) != 12 || got[10] != 0xff || got[11] != 0xff {
		t.Errorf("an unknown member's place: %q", got)
	}
	// A member whose place the spans do not know: the JSON is scanned.
	p := NewProjection(rt, []string{"userName"}, nil)
	scanned := AppendEncoded(nil, rt, &Encoded{ID: "1", JSON: odd}, p)
	spanned := AppendEncoded(nil, rt, &Encoded{ID: "1", JSON: odd, Spans: string(got)}, NewProjection(rt, []string{"userName"}, nil))
	if string(scanned) != string(spanned) {
		t.Errorf("from spans %s, scanning %s", spanned, scanned)
	}
}
