package document_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

// FuzzDecode feeds arbitrary bodies to Decode and ValidateCreate. Neither may
// panic; every rejection must be a *schema.Error with status 400; and what is
// accepted must encode to valid JSON that decodes back to the same resource
// (less "password", which is never returned).
func FuzzDecode(f *testing.F) {
	f.Add([]byte(fullUser))
	f.Add([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","active":"True","emails":[{"value":"a","primary":"true"}]}`))
	f.Add([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","` + ent + `":{"manager":"m"}}`))
	f.Add([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"USERNAME":"u","` + ent + `:department":"d","x509Certificates":[{"value":"aGk="}]}`))
	f.Add([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","emails":[null]}`))
	f.Add([]byte(`[1, {"a": 1e999}]`))
	f.Add([]byte("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"\\u0000\xff\"}"))
	users := schema.Users()
	f.Fuzz(func(t *testing.T, body []byte) {
		if err := document.CheckJSON(body, 32); err != nil {
			mustBeSCIM400(t, err)
		}
		for _, strict := range []bool{false, true} {
			opts := document.DecodeOptions{Strict: strict}
			r, err := document.Decode(users, body, opts)
			if err != nil {
				mustBeSCIM400(t, err)
				continue
			}
			v, err := document.ValidateCreate(users, r)
			if err != nil {
				mustBeSCIM400(t, err)
				continue
			}
			out := document.AppendJSON(nil, users, v, nil)
			if !json.Valid(out) {
				t.Fatalf("invalid JSON from %q: %s", body, out)
			}
			back, err := document.Decode(users, out, document.DecodeOptions{Strict: true})
			if err != nil {
				t.Fatalf("re-decoding %s: %v", out, err)
			}
			back, err = document.ValidateCreate(users, back)
			if err != nil {
				t.Fatalf("re-validating %s: %v", out, err)
			}
			want := v.Clone()
			delete(want.Attributes, "password")
			if !equalResources(users, want, back) {
				t.Fatalf("round trip changed the resource:\n in: %#v\nout: %#v", want.Attributes, back.Attributes)
			}
		}
	})
}

func mustBeSCIM400(t *testing.T, err error) {
	t.Helper()
	se, ok := err.(*schema.Error)
	if !ok || se.Status != 400 || se.Type == "" || se.Detail == "" {
		t.Fatalf("rejection is not a SCIM 400 error with a scimType and detail: %#v", err)
	}
}

func equalResources(rt *schema.ResourceType, a, b *schema.Resource) bool {
	if a.ExternalID != b.ExternalID {
		return false
	}
	eq := func(s *schema.Schema, x, y map[string]any) bool {
		for _, attr := range s.Attributes {
			xv, xok := x[attr.Name]
			yv, yok := y[attr.Name]
			if xok != yok || (xok && !document.Equal(&schema.Attribute{Name: attr.Name, Type: attr.Type, MultiValued: attr.MultiValued,
				CaseExact: true, SubAttributes: caseExactSubs(attr)}, xv, yv)) {
				return false
			}
		}
		return true
	}
	if !eq(rt.Schema, a.Attributes, b.Attributes) {
		return false
	}
	for _, e := range rt.Extensions {
		x, _ := a.Attributes[e.Schema.ID].(map[string]any)
		y, _ := b.Attributes[e.Schema.ID].(map[string]any)
		if !eq(e.Schema, x, y) {
			return false
		}
	}
	return true
}

func caseExactSubs(a *schema.Attribute) []*schema.Attribute {
	var out []*schema.Attribute
	for _, s := range a.SubAttributes {
		c := *s
		c.CaseExact = true
		out = append(out, &c)
	}
	return out
}

// FuzzParseJSON checks the hand-written JSON parser against encoding/json:
// the same value for every valid document, an error for every invalid one.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{fullUser, `{"a":[1,-0.5e+3,true,false,null,"x\u00e9\ud83d\ude00\n"]}`, `"\ud800"`, `[]`, `{}`, ` 1 `, `01`, `{"a":1,}`, `[1,]`, `"\x01"`, `1e`, `-`, `{"a" 1}`, `nul`, `"\u12"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8.Valid(data) {
			return // ParseJSON refuses it before parsing
		}
		got, err := document.ParseJSON(data)
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want any
		wantErr := dec.Decode(&want)
		if wantErr == nil {
			if _, tokErr := dec.Token(); tokErr != io.EOF {
				wantErr = errors.New("trailing data")
			}
		}
		switch {
		case (err == nil) != (wantErr == nil):
			t.Fatalf("%q: ParseJSON error %v, encoding/json error %v", data, err, wantErr)
		case err != nil:
			mustBeSCIM400(t, err)
		case !reflect.DeepEqual(got, want):
			t.Fatalf("%q: ParseJSON %#v, encoding/json %#v", data, got, want)
		}
	})
}

// decodeGeneric is the generic path of Decode: ParseJSON, then
// DecodeObject.
func decodeGeneric(rt *schema.ResourceType, data []byte, opts document.DecodeOptions) (*schema.Resource, error) {
	v, err := document.ParseJSON(data)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not an object")
	}
	return document.DecodeObject(rt, obj, opts)
}

// directSeeds are bodies for FuzzDecodeDirect: what Entra ID and Okta
// send, their quirks, and the repetitions and escapes that the direct
// decoder leaves to the generic path.
var directSeeds = []string{
	fullUser,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"e1","userName":"u@x","active":true,"displayName":"U","title":"T","name":{"givenName":"G","familyName":"F","formatted":"G F"},"emails":[{"value":"u@x","type":"work","primary":true}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1","department":"D","manager":{"value":"m"}}}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","active":"True","emails":[{"value":"a","primary":"true"}]}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"m","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"d"}}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":["m"]}}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"USERNAME":"u","urn:ietf:params:scim:schemas:core:2.0:User:displayName":"d","x509Certificates":[{"value":"aGk="}]}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","UserName":"b"}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":null,"userName":"b","schemas":[]}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","name":{"givenName":"a","givenname":"b"},"emails":[null]}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","emails":[],"phoneNumbers":[{}],"name":{},"nickName":""}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"\u0075serName":"u\u00e9","ſchemas":1,"id":"x","meta":{"a":[1,2]},"shoe":{"size":9}}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","active":1,"emails":"a","name":"n"}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","password":"p","groups":[{"value":"g"}],"addresses":[{"type":"work","primary":true,"postalCode":"1"}]}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u"} x`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u",}`,
	`[]`,
	// "schemas" read without allocating: cases, escapes, other URIs,
	// extensions listed or not.
	`{"schemas":["URN:IETF:params:scim:schemas:core:2.0:user"],"userName":"u"}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:\u0055ser"],"userName":"u"}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:other"],"userName":"u"}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"d"}}`,
	`{"schemas":["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"d"}}`,
	`{"schemas":[],"userName":"u"}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",1],"userName":"u"}`,
	`{"schemas":"urn:ietf:params:scim:schemas:core:2.0:User","userName":"u"}`,
	`{"schemas":[ "urn:ietf:params:scim:schemas:core:2.0:User" , "urn:ietf:params:scim:schemas:core:2.0:Group" ],"userName":"u"}`,
}

// FuzzDecodeDirect checks that Decode, which reads common bodies straight
// into canonical values, answers exactly what its generic path (ParseJSON,
// then DecodeObject) answers: the same resource, or the same error.
func FuzzDecodeDirect(f *testing.F) {
	for _, s := range directSeeds {
		f.Add([]byte(s), false)
	}
	users, groups := schema.Users(), schema.Groups()
	f.Fuzz(func(t *testing.T, body []byte, strict bool) {
		opts := document.DecodeOptions{Strict: strict}
		for _, rt := range []*schema.ResourceType{users, groups} {
			got, err := document.Decode(rt, body, opts)
			want, wantErr := decodeGeneric(rt, body, opts)
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("%s %q: Decode error %v, generic error %v", rt.Name, body, err, wantErr)
			}
			if err == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %q:\nDecode  %#v\ngeneric %#v", rt.Name, body, got, want)
			}
		}
	})
}
