package handler

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadAll checks readAll against bodies shorter than, as long as and
// longer than their Content-Length, and of unknown length.
func TestReadAll(t *testing.T) {
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 100_000} {
		body := strings.Repeat("x", n)
		for _, size := range []int64{-1, 0, int64(n) / 2, int64(n), int64(n) + 10} {
			got, err := readAll(iotest.OneByteReader(strings.NewReader(body)), size)
			require.NoError(t, err)
			assert.Equal(t, n, len(got), "n=%d size=%d", n, size)
			got, err = readAll(strings.NewReader(body), size)
			require.NoError(t, err)
			assert.True(t, bytes.Equal([]byte(body), got), "n=%d size=%d", n, size)
		}
	}
	boom := errors.New("boom")
	_, err := readAll(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), 3)
	assert.ErrorIs(t, err, boom)
}

// FuzzReadParams checks readParams, the handler's one reader of query
// strings, against url.ParseQuery: the same errors, and for every SCIM
// parameter the same first value and presence.
func FuzzReadParams(f *testing.F) {
	for _, s := range []string{"", "filter=userName%20eq%20%22a%22&count=5", "count=1&count=2", "cursor", "cursor=&startIndex=3", "f%69lter=x", "filter=a+b", "a;b", "x=%zz&filter=1", "%zz=1", "attributes=a,b&excludedAttributes=c", "sortBy=name.familyName&sortOrder=descending"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := readParams(raw)
		want, wantErr := url.ParseQuery(raw)
		require.Equal(t, wantErr == nil, err == nil, "%q: %v, url.ParseQuery: %v", raw, err, wantErr)
		if err != nil {
			return
		}
		for i, name := range paramNames {
			assert.Equal(t, want.Get(name), got.get(i), "%q: %s", raw, name)
			assert.Equal(t, want.Has(name), got.has(i), "%q: %s", raw, name)
		}
	})
}

// FuzzQueryUnescape checks queryUnescape against url.QueryUnescape, and
// lowerKey against strings.ToLower.
func FuzzQueryUnescape(f *testing.F) {
	for _, s := range []string{"", "userName+eq+%22User%40X%22", "%", "%4", "%zz", "a+b", "%C3%A9", "%ff", "Users", "SCHEMAS", "İx", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := queryUnescape(s)
		want, wantErr := url.QueryUnescape(s)
		assert.Equal(t, wantErr, err, "%q", s)
		assert.Equal(t, want, got, "%q", s)
		var buf [8]byte
		assert.Equal(t, strings.ToLower(s), string(lowerKey(buf[:0], s)), "%q", s)
	})
}
