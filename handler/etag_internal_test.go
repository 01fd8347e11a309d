package handler

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// tags returns every value eachTag reads from header.
func tags(header string) []string {
	var out []string
	eachTag(header, func(v string) bool { out = append(out, v); return false })
	return out
}

// TestEachTag checks the entity-tag lists of If-Match and If-None-Match
// (RFC 9110 §8.8.3, §13.1.1).
func TestEachTag(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   []string
	}{
		{``, nil},
		{`*`, []string{"*"}},
		{`W/"1"`, []string{"1"}},
		{`"1", W/"2" ,"3"`, []string{"1", "2", "3"}},
		{`"a,b", "c"`, []string{"a,b", "c"}},
		{`1, 2`, []string{"1", "2"}},
		{`W/"1"x`, []string{`W/"1"x`}},
		{`"1`, []string{`"1`}},
		{`,, "1" ,`, []string{"1"}},
	} {
		assert.Equal(t, tt.want, tags(tt.header), "%q", tt.header)
	}
	assert.Equal(t, "2", versionOf(`W/"2", W/"3"`), "versionOf takes the first")
	assert.Equal(t, "", versionOf(`*`))
}

// FuzzEachTag checks that a list of quoted entity tags reads back as its
// tags, and that no header makes eachTag panic or loop.
func FuzzEachTag(f *testing.F) {
	f.Add("1", "2", true)
	f.Add("a,b", "", false)
	f.Fuzz(func(t *testing.T, a, b string, weak bool) {
		_ = tags(a + b) // any header
		if strings.ContainsAny(a+b, "\"") || a == "" || b == "" {
			return
		}
		w := ""
		if weak {
			w = "W/"
		}
		assert.Equal(t, []string{a, b}, tags(w+`"`+a+`", `+w+`"`+b+`"`))
	})
}
