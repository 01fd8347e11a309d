package document

import (
	"encoding/json"
	"strings"
	"testing"
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
