package valuekey_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/scimkit/scimkit/internal/valuekey"
)

// lookupKey is the key a lookup builds on the stack for value v of
// attribute a, as a string: it must equal the key the index stores.
func lookupKey(caseExact bool, v any) string {
	var buf [128]byte
	return string(valuekey.Append(buf[:0], caseExact, v))
}

// FuzzFold checks that Fold agrees with strings.EqualFold, and that
// the key a lookup builds on the stack is the key the index stores.
func FuzzFold(f *testing.F) {
	f.Add("User0000001@Contoso.example.com", "user0000001@contoso.example.com")
	f.Add("Straße\u212a", "STRASSEk")
	f.Add("\xff", "\ufffd")
	f.Fuzz(func(t *testing.T, a, b string) {
		assert.Equal(t, strings.EqualFold(a, b), valuekey.Fold(a) == valuekey.Fold(b), "%q %q", a, b)
		for _, caseExact := range []bool{true, false} {
			assert.Equal(t, valuekey.Of(caseExact, a), lookupKey(caseExact, a), "%q", a)
			assert.Equal(t, caseExact && a != b || !caseExact && !strings.EqualFold(a, b), valuekey.Of(caseExact, a) != valuekey.Of(caseExact, b), "%q %q", a, b)
		}
		assert.Equal(t, valuekey.Of(false, int64(len(a))), lookupKey(false, int64(len(a))))
	})
}

func TestFoldAgreesWithEqualFold(t *testing.T) {
	words := []string{"abc", "ABC", "aBc", "Straße", "STRASSE", "straße", "ſ", "s", "S", "K", "k", "\u212a",
		"ΟΔΥΣΣΕΥΣ", "οδυσσευς", "οδυσσευσ", "İ", "i", "ı", "I", "Åsa", "åSA", "Ǆ", "ǅ", "ǆ", "", "x\u0301"}
	for _, a := range words {
		for _, b := range words {
			assert.Equal(t, strings.EqualFold(a, b), valuekey.Fold(a) == valuekey.Fold(b), "%q %q", a, b)
		}
	}
}
