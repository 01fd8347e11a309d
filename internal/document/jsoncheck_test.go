package document_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/scimkit/scimkit/internal/document"
)

// TestCheckJSON checks depth, duplicate names and UTF-8 (RFC 8259 §4: names
// SHOULD be unique; RFC 7643 §2.1: attribute names are case-insensitive).
func TestCheckJSON(t *testing.T) {
	var many strings.Builder
	many.WriteString("{")
	for i := range 100 {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString(`"k` + strings.Repeat("x", i) + `":1`)
	}
	tests := []struct {
		name, body string
		ok         bool
	}{
		{"ordinary", `{"schemas":["a"],"userName":"u","name":{"givenName":"g"},"emails":[{"value":"v","type":"work"},{"value":"w","type":"home"}]}`, true},
		{"same name in sibling objects", `[{"value":"a"},{"value":"b"}]`, true},
		{"name-like strings in values", `{"a":"b","c":["a","a"],"d":"a"}`, true},
		{"escaped quotes", `{"a":"x\"y","b":"\\","c":"\\\""}`, true},
		{"depth at the limit", strings.Repeat("[", 8) + strings.Repeat("]", 8), true},
		{"depth over the limit", strings.Repeat("[", 9) + strings.Repeat("]", 9), false},
		{"10,000-deep arrays", strings.Repeat("[", 10000), false},
		{"duplicate name", `{"userName":"a","userName":"b"}`, false},
		{"duplicate name in another case", `{"userName":"a","USERNAME":"b"}`, false},
		{"duplicate name with an escape", `{"userName":"a","user\u004eame":"b"}`, false},
		{"duplicate nested", `{"name":{"givenName":"a","givenname":"b"}}`, false},
		{"many names, no duplicate", many.String() + "}", true},
		{"many names and a duplicate", many.String() + `,"K":2,"k":3}`, false},
		{"invalid UTF-8", "{\"userName\":\"\xff\"}", false},
		{"truncated", `{"a":"b`, true}, // the decoder reports it
		{"escaped backslash before u0000", `{"a":"\\u0000"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := document.CheckJSON([]byte(tt.body), 8)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, document.InvalidSyntaxError(""))
		})
	}
	t.Run("NUL", func(t *testing.T) {
		err := document.CheckJSON([]byte(`{"userName":"a\u0000b"}`), 8)
		assert.ErrorIs(t, err, document.InvalidValueError(""))
	})
}

// BenchmarkCheckJSON checks a typical Entra create body, and one object
// with 100,000 members, which must stay linear.
func BenchmarkCheckJSON(b *testing.B) {
	body := []byte(fullUser)
	b.Run("user", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := document.CheckJSON(body, 32); err != nil {
				b.Fatal(err)
			}
		}
	})
	var many strings.Builder
	many.WriteString("{")
	for i := range 100_000 {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `"k%d":1`, i)
	}
	many.WriteString("}")
	wide := []byte(many.String())
	b.Run("100k-members", func(b *testing.B) {
		for b.Loop() {
			if err := document.CheckJSON(wide, 32); err != nil {
				b.Fatal(err)
			}
		}
	})
}
