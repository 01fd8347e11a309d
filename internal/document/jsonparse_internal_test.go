package document

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// TestParserSkip: skip takes exactly the values value takes (RFC 8259), ending
// where value ends.
func TestParserSkip(t *testing.T) {
	for _, in := range []string{
		`{}`, `[]`, `{"a":[1,{"b":null}],"c":"\u00e9\n"}`, ` [ true , false , null , -1.5e+3 ] `,
		`{"a":1,}`, `[1,]`, `{"a" 1}`, `{1:2}`, `[1 2]`, `{"a":tru}`, `[`, `{"a":`, `"\x"`, `01`, `-`, `nul`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	} {
		checkSkip(t, []byte(in))
	}
}

// FuzzParserSkip is TestParserSkip for any input.
func FuzzParserSkip(f *testing.F) {
	f.Add([]byte(`{"schemas":["x"],"emails":[{"value":"a","primary":true}],"n":-0.5E-2}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		if utf8.Valid(in) { // as every caller has checked
			checkSkip(t, in)
		}
	})
}

func checkSkip(t *testing.T, in []byte) {
	t.Helper()
	v := parser{data: in}
	_, err := v.value()
	s := parser{data: in}
	ok := s.skip()
	if assert.Equal(t, err == nil, ok, "%q", in) && ok {
		assert.Equal(t, v.i, s.i, "%q", in)
		assert.Zero(t, s.depth, "%q", in)
	}
}
