package patch_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
)

const patchOp = `"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`

func TestDecode(t *testing.T) {
	ops, err := patch.Decode([]byte(`{`+patchOp+`,"operations":[
		{"OP":"Add","Path":"members","Value":[{"value":"1"}]},
		{"op":"remove","path":"emails[type eq \"work\"]"},
		{"op":"replace","path":"  ","value":{"active":false}}]}`), patch.Options{})
	require.NoError(t, err)
	require.Len(t, ops, 3)
	assert.Equal(t, patch.Add, ops[0].Op, "RFC 7644 §3.5.2: member names and (by default) op values are case-insensitive")
	assert.Equal(t, "members", ops[0].Path.String())
	assert.JSONEq(t, `[{"value":"1"}]`, string(ops[0].Value), "the value is kept raw until applied")
	assert.Equal(t, patch.Remove, ops[1].Op)
	assert.Equal(t, `emails[type eq "work"]`, ops[1].Path.String())
	assert.Nil(t, ops[1].Value)
	assert.Equal(t, patch.Replace, ops[2].Op)
	assert.Nil(t, ops[2].Path, "a blank path is no path")
	assert.Equal(t, "add remove replace op?", strings.Join([]string{patch.Add.String(), patch.Remove.String(), patch.Replace.String(), patch.Op(0).String()}, " "))
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		strict bool
		typ    schema.ScimType
		detail string
	}{
		{"invalid JSON", `{"schemas":`, false, schema.ScimInvalidSyntax, "JSON"},
		{"invalid UTF-8", "{\"schemas\":[\"\xff\"]}", false, schema.ScimInvalidSyntax, "UTF-8"},
		{"not an object", `[1]`, false, schema.ScimInvalidSyntax, "PatchOp"},
		{"wrong type for Operations", `{` + patchOp + `,"Operations":{}}`, false, schema.ScimInvalidSyntax, "wrong JSON type"},
		{"RFC 7644 §3.5.2: schemas missing", `{"Operations":[{"op":"add","path":"nickName","value":"x"}]}`, false, schema.ScimInvalidSyntax, "PatchOp"},
		{"RFC 7644 §3.5.2: wrong schema", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"Operations":[{"op":"add","path":"a","value":1}]}`, false, schema.ScimInvalidSyntax, "PatchOp"},
		{"RFC 7644 §3.5.2: no operations", `{` + patchOp + `,"Operations":[]}`, false, schema.ScimInvalidSyntax, "at least one"},
		{"operation without op", `{` + patchOp + `,"Operations":[{"path":"a"}]}`, false, schema.ScimInvalidSyntax, `no "op"`},
		{"unknown op", `{` + patchOp + `,"Operations":[{"op":"frobnicate","path":"a","value":1}]}`, false, schema.ScimInvalidSyntax, "frobnicate"},
		{"strict: capitalised op", `{` + patchOp + `,"Operations":[{"op":"Add","path":"a","value":1}]}`, true, schema.ScimInvalidSyntax, "Add"},
		{"RFC 7644 §3.5.2: bad path is invalidPath", `{` + patchOp + `,"Operations":[{"op":"add","path":"a[b","value":1}]}`, false, schema.ScimInvalidPath, "operation 0 (add a[b)"},
		{"RFC 7644 §3.5.2.1: add without value", `{` + patchOp + `,"Operations":[{"op":"add","path":"a"}]}`, false, schema.ScimInvalidSyntax, "needs a \"value\""},
		{"RFC 7644 §3.5.2.2: remove without path is noTarget", `{` + patchOp + `,"Operations":[{"op":"add","path":"a","value":1},{"op":"remove"}]}`, false, schema.ScimNoTarget, "operation 1 (remove)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := patch.Decode([]byte(tt.body), patch.Options{Strict: tt.strict})
			var se *schema.Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, 400, se.Status)
			assert.Equal(t, tt.typ, se.Type)
			assert.Contains(t, se.Detail, tt.detail)
		})
	}
	// Limits reach the path parser.
	_, err := patch.Decode([]byte(`{`+patchOp+`,"Operations":[{"op":"remove","path":"members"}]}`), patch.Options{Limits: filterLimits(3)})
	assert.ErrorIs(t, err, &schema.Error{Status: 400, Type: schema.ScimInvalidPath})
}

func TestOpError(t *testing.T) {
	users := schema.Users()
	r := resource(t, users, baseUser)
	ops := []patch.Operation{
		{Op: patch.Replace, Path: mustPath(t, "title"), Value: json.RawMessage(`"x"`)},
		{Op: patch.Replace, Path: mustPath(t, "id"), Value: json.RawMessage(`"y"`)},
	}
	_, _, err := patch.Apply(context.Background(), users, r, ops, patch.Options{})
	var oe *patch.OpError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, 1, oe.Index)
	assert.Equal(t, patch.Replace, oe.Op)
	assert.Equal(t, "id", oe.Path)
	assert.Equal(t, `scim 400 mutability: operation 1 (replace id): attribute "id" is readOnly`, oe.Error())
	assert.ErrorIs(t, err, &schema.Error{Status: 400, Type: schema.ScimMutability})

	// Operations built in code get the same checks as decoded ones.
	_, _, err = patch.Apply(context.Background(), users, r, []patch.Operation{{Op: patch.Remove}}, patch.Options{})
	assert.ErrorIs(t, err, &schema.Error{Status: 400, Type: schema.ScimNoTarget})
	_, _, err = patch.Apply(context.Background(), users, r, []patch.Operation{{Op: patch.Add, Path: mustPath(t, "title"), Value: json.RawMessage(`{bad`)}}, patch.Options{})
	assert.ErrorIs(t, err, &schema.Error{Status: 400, Type: schema.ScimInvalidSyntax})
	assert.True(t, errors.As(err, &oe))

	// A resource with no attributes at all.
	out, changed, err := patch.Apply(context.Background(), users, &schema.Resource{ID: "1"}, []patch.Operation{{Op: patch.Add, Path: mustPath(t, "userName"), Value: json.RawMessage(`"u"`)}}, patch.Options{})
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, "u", out.String("userName"))
}

// TestDecodeMaxOperations checks the bound on operations per PatchOp
// (issue 18: a PATCH's work is bounded by the request): 413 tooMany, as
// RFC 7644 §3.7.4 answers a Bulk request over maxOperations.
func TestDecodeMaxOperations(t *testing.T) {
	body := func(n int) []byte {
		ops := strings.Repeat(`{"op":"remove","path":"title"},`, n)
		return []byte(`{` + patchOp + `,"Operations":[` + strings.TrimSuffix(ops, ",") + `]}`)
	}
	ops, err := patch.Decode(body(maxOperations), patch.Options{})
	require.NoError(t, err)
	assert.Len(t, ops, maxOperations)
	for _, tt := range []struct{ n, limit int }{{maxOperations + 1, 0}, {4, 3}} {
		_, err := patch.Decode(body(tt.n), patch.Options{MaxOperations: tt.limit})
		var se *schema.Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 413, se.Status)
		assert.Equal(t, schema.ScimTooMany, se.Type)
	}
}

// maxOperations is the number of operations Decode accepts with zero
// Options (RFC 7644 §3.5.2 sets none; the limit bounds a PATCH's work).
const maxOperations = 1000
