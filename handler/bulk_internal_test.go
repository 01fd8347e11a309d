package handler

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestBulkRefs checks which strings are bulkId references (RFC 7644
// §3.7.2): whole string values, not keys, not escaped text, not prose.
func TestBulkRefs(t *testing.T) {
	tests := []struct {
		path string
		data string
		want []string
	}{
		{"/Users/bulkId:a", ``, []string{"a"}},
		{"Groups/bulkId:a/", ``, []string{"a"}},
		{"/Users/xbulkId:a", ``, nil},
		{"/Users", `{"members":[{"value":"bulkId:a"},{"value" : "bulkId:b"},{"value":"bulkId:a"}]}`, []string{"a", "b"}},
		{"/Users", `{"bulkId:key":"x","v":"bulkId:"}`, nil},
		{"/Users", `{"v":"bulkId:a b","w":"bulkId:c\"d","x":"\"bulkId:e\""}`, nil},
		{"/Users", `{"v":"say \"bulkId:a\" here","w":["bulkId:z"]}`, []string{"z"}},
		{"/Users", `{"v":"unterminated bulkId:a`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.data, func(t *testing.T) {
			assert.Equal(t, tt.want, bulkRefs(tt.path, []byte(tt.data)))
		})
	}
}

// TestBulkResolve checks that references are replaced by ids and the rest
// of the text is left as it was.
func TestBulkResolve(t *testing.T) {
	j := &bulkJob{ids: map[string]string{"a": "id-1", "b": "id-2"}}
	got, err := j.resolve([]byte(`{"members":[{"value":"bulkId:a"}, {"value":"bulkId:b","display":"bulkId:a b"}]}`), false)
	assert.NoError(t, err)
	assert.Equal(t, `{"members":[{"value":"id-1"}, {"value":"id-2","display":"bulkId:a b"}]}`, string(got))
	got, err = j.resolve([]byte(`/Users/bulkId:b`), true)
	assert.NoError(t, err)
	assert.Equal(t, `/Users/id-2`, string(got))
	_, err = j.resolve([]byte(`["bulkId:c"]`), false)
	assert.ErrorContains(t, err, `bulkId "c" does not resolve`)
}
