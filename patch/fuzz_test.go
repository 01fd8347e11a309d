package patch_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
)

// FuzzApply decodes and applies random operations to a rich user and a
// group. Nothing may panic; the input resource is never modified; every
// error is a SCIM 400; and a result is a valid resource that encodes to
// valid JSON.
func FuzzApply(f *testing.F) {
	for _, c := range patchCases {
		f.Add(c.ops, c.strict, c.group)
	}
	f.Add(`[{"op":"add","value":{"name.givenName":"x","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"m"}}]`, false, false)
	users, groups := schema.Users(), schema.Groups()
	baseU := resource(f, users, baseUser)
	baseG := resource(f, groups, baseGroup)
	f.Fuzz(func(t *testing.T, opsJSON string, strict, group bool) {
		rt, r := users, baseU
		if group {
			rt, r = groups, baseG
		}
		before := r.Clone()
		opts := patch.Options{Strict: strict}
		ops, err := patch.Decode([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+opsJSON+`}`), opts)
		if err != nil {
			mustBe400(t, err)
			return
		}
		out, _, err := patch.Apply(context.Background(), rt, r, ops, opts)
		if !reflect.DeepEqual(before, r) {
			t.Fatalf("Apply modified its input: %s", opsJSON)
		}
		if err != nil {
			mustBe400(t, err)
			return
		}
		if _, err := document.ValidatePatch(rt, r, out); err != nil {
			t.Fatalf("result does not validate: %v\nops: %s", err, opsJSON)
		}
		if b := document.AppendJSON(nil, rt, out, nil); !json.Valid(b) {
			t.Fatalf("result encodes to invalid JSON: %s", b)
		}
		// Removals commute: applied one at a time they remove what they
		// remove together (Apply does runs of them in one pass).
		one := r
		for i := range ops {
			if ops[i].Op != patch.Remove {
				return
			}
			if one, _, err = patch.Apply(context.Background(), rt, one, ops[i:i+1], opts); err != nil {
				return
			}
		}
		if !reflect.DeepEqual(one.Attributes, out.Attributes) {
			t.Fatalf("removes applied together differ from one at a time: %s", opsJSON)
		}
	})
}

// mustBe400 checks that err is a SCIM 400 with a scimType, or the 413
// tooMany of a PatchOp over Options.MaxOperations.
func mustBe400(t *testing.T, err error) {
	t.Helper()
	var se *schema.Error
	if !errors.As(err, &se) || se.Type == "" || se.Status != 400 && (se.Status != 413 || se.Type != schema.ScimTooMany) {
		t.Fatalf("error is not a SCIM 400 with a scimType: %#v", err)
	}
}
