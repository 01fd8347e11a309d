package schema

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
