package patch

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/internal/document"
)

// decodeCases are PatchOp bodies for the fast reader and encoding/json: the
// shapes IdPs send, and what ParsePatchOp leaves to encoding/json.
var decodeCases = []struct {
	body string
	fast bool // document.ParsePatchOp reads it
}{
	{`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"N"},{"op":"replace","path":"title","value":"T"}]}`, true},
	{` { "Operations" : [ { "op" : "Add" , "path" : "members" , "value" : [ {"value": "1"} ] } ] , "schemas" : [ "urn:ietf:params:scim:api:messages:2.0:PatchOp" ] } `, true},
	{`{"SCHEMAS":["x"],"operations":[{"OP":"remove","PATH":"emails[type eq \"work\"]"},{"Op":"replace","Value":null},{"op":"add","value":{"a":[1,2.5e3,true,false,null]}}],"extra":{"a":[{}]}}`, true},
	{`{"schemas":[],"Operations":[]}`, true},
	{`{"schemas":["a\u00e9\ud83d\ude00\ud800"],"Operations":[{"op":"x","path":"p","value":"\u0000"}]}`, true},
	{`{"schemas":null,"Operations":[{"op":"add"}]}`, false},
	{`{"schemas":["a"],"Operations":[{"op":null}]}`, false},
	{`{"schemas":["a"],"Operations":[{"path":"x"}]}`, false},
	{`{"schemas":["a"],"Operations":[{"op":1}]}`, false},
	{`{"schemas":["a"],"schemas":["b"],"Operations":[]}`, false},
	{`{"schemas":["a"],"Operations":[{"op":"add","op":"remove"}]}`, false},
	{`{"ſchemas":["a"],"Operations":[]}`, false},
	{`{"schemas":["a"],"Operations":[]} x`, false},
	{`{"schemas":["a"],"Operations":[{"op":"add","value":01}]}`, false},
	{`[]`, false},
	{`{"schemas":["a"],"Operations":[{"op":"add","value":"x"},]}`, false},
	// Values skipped without being built: strings with every escape,
	// numbers; what encoding/json refuses, refused.
	{`{"schemas":["a"],"Operations":[{"op":"add","value":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800z"},{"op":"add","value":-1.5e+3},{"op":"add","value":0}]}`, true},
	{`{"schemas":["a"],"Operations":[{"op":"add","value":"\x"}]}`, false},
	{`{"schemas":["a"],"Operations":[{"op":"add","value":"\u12"}]}`, false},
	{`{"schemas":["a"],"Operations":[{"op":"add","value":"a` + "\n" + `"}]}`, false},
	{`{"schemas":["a"],"Operations":[{"op":"add","value":"tab` + "	" + `"}]}`, false},
	{`{"schemas":["a"],"Operations":[{"op":"add","value":1.}]}`, false},
	{`{"schemas":["a"],"Operations":[{"op":"add","value":-}]}`, false},
	{`{"schemas":["a"],"Operations":[{"op":"add","value":"unterminated}]}`, false},
}

// TestParsePatchOp checks document.ParsePatchOp against encoding/json on
// the cases: where it reads a body, it reads what encoding/json reads.
func TestParsePatchOp(t *testing.T) {
	for _, c := range decodeCases {
		_, _, ok := document.ParsePatchOp([]byte(c.body))
		assert.Equal(t, c.fast, ok, c.body)
		checkParse(t, []byte(c.body))
	}
}

// FuzzParsePatchOp checks document.ParsePatchOp against encoding/json
// (RFC 7644 §3.5.2 bodies): wherever the fast reader answers, it answers
// what encoding/json answers.
func FuzzParsePatchOp(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c.body))
	}
	f.Fuzz(checkParse)
}

func checkParse(t *testing.T, data []byte) {
	if !utf8.Valid(data) {
		return // Decode refuses it before reading it
	}
	schemas, ops, ok := document.ParsePatchOp(data)
	if !ok {
		return
	}
	wantSchemas, wantOps, err := decodeStd(data)
	require.NoError(t, err, "encoding/json refuses what ParsePatchOp reads: %q", data)
	assert.Equal(t, len(wantSchemas), len(schemas), "%q", data)
	for i := range min(len(schemas), len(wantSchemas)) {
		assert.Equal(t, wantSchemas[i], schemas[i], "%q", data)
	}
	require.Equal(t, len(wantOps), len(ops), "%q", data)
	for i, w := range wantOps {
		g := ops[i]
		assert.Equal(t, w.Op, g.Op, "%q", data)
		assert.Equal(t, w.HasOp, g.HasOp, "%q", data)
		assert.Equal(t, w.Path, g.Path, "%q", data)
		assert.Equal(t, w.HasPath, g.HasPath, "%q", data)
		assert.Equal(t, string(w.Value), string(g.Value), "%q", data)
		assert.Equal(t, w.Value == nil, g.Value == nil, "%q", data)
	}
}
