package handler_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/memory"
)

// FuzzBulk sends arbitrary bodies to /Bulk: the answer is always a
// BulkResponse or an RFC 7644 §3.12 error body, never a panic.
func FuzzBulk(f *testing.F) {
	f.Add([]byte(thousandBody(3)))
	f.Add([]byte(bulkBody("1", `{"method":"POST","path":"/Users","bulkId":"a","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"}}`,
		`{"method":"PATCH","path":"/Users/bulkId:a","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"nickName","value":"bulkId:a"}]}}`,
		`{"method":"DELETE","path":"/Users/bulkId:a","version":"W/\"1\""}`)))
	f.Add([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"PUT","path":"/Groups/bulkId:x","data":null}]}`))
	users, groups := schema.Users(), schema.Groups()
	f.Fuzz(func(t *testing.T, body []byte) {
		h, err := handler.New(handler.Config{
			ResourceTypes: []handler.ResourceType{{Type: users, Store: memory.New(users)}, {Type: groups, Store: memory.New(groups)}},
			Bulk:          handler.BulkConfig{MaxOperations: 50},
		})
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/Bulk", bytes.NewReader(body))
		h.ServeHTTP(w, req)
		var out struct {
			Schemas []string `json:"schemas"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Schemas) != 1 {
			t.Fatalf("status %d, body not a SCIM message: %s", w.Code, w.Body)
		}
		switch {
		case w.Code == http.StatusOK && out.Schemas[0] == schema.BulkResponseSchema:
		case w.Code >= 400 && w.Code < 500 && out.Schemas[0] == schema.ErrorSchema:
		default:
			t.Fatalf("status %d with %s", w.Code, w.Body)
		}
	})
}
