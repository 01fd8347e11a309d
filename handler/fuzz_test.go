package handler_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
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
			Endpoints: []handler.Endpoint{{Type: users, Store: memory.New(users, memory.Options{})}, {Type: groups, Store: memory.New(groups, memory.Options{})}},
			Bulk:      handler.BulkConfig{MaxOperations: 50},
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
		case w.Code == http.StatusOK && out.Schemas[0] == document.BulkResponseSchema:
		case w.Code >= 400 && w.Code < 500 && out.Schemas[0] == document.ErrorSchema:
		default:
			t.Fatalf("status %d with %s", w.Code, w.Body)
		}
	})
}

var fuzzMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, "OPTIONS"}

// keysetCursor returns the cursor of a list without filter or sort whose
// page before ended at id, with total results: the handler's format,
// written again here so that the fuzzer starts from one that parses.
func keysetCursor(total int, id string) string {
	sum := sha256.Sum256([]byte("\x00\x00"))
	digest := base64.RawURLEncoding.EncodeToString(sum[:6])
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("k%d.%s.%s", total, digest, id)))
}

// FuzzHandler sends arbitrary methods, paths, queries and bodies to a
// handler holding a few users and a group. It never answers 5xx or panics,
// every body it writes is a SCIM JSON message, and what is stored
// afterwards still decodes and validates.
func FuzzHandler(f *testing.F) {
	for _, s := range []struct {
		method      uint8
		path, query string
		body        string
	}{
		{0, "/Users", "filter=userName%20eq%20%22a%22&attributes=userName,emails&sortBy=name.familyName", ""},
		{0, "/", "filter=displayName%20pr&count=2&startIndex=2", ""},
		{1, "/Users", "", user("fuzz")},
		{1, "/Users/.search", "", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"emails[type eq \"work\"].value co \"@\"","excludedAttributes":["meta"]}`},
		{1, "/Groups", "", group},
		{2, "/Users/{u}", "", bjensen},
		{3, "/Groups/{g}", "", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"value":"{u}"}]},{"op":"remove","path":"members[value eq \"{u}\"]"}]}`},
		{3, "/Users/{u}", "attributes=active", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":"False","name.givenName":"x","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"m"}}]}`},
		{4, "/Users/{u}", "", ""},
		{1, "/Bulk", "", bulkBody("1", `{"method":"POST","path":"/Users","bulkId":"a","data":`+user("b")+`}`, `{"method":"PATCH","path":"/Groups/{g}","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"bulkId:a"}]}]}}`)},
		{0, "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "", ""},
		{0, "/ResourceTypes", "", ""},
		{0, "/Users", "cursor=&count=1&sortBy=userName", ""},
		{0, "/Users", "cursor=MS5hYmM&count=1", ""},
		{0, "/Users", "cursor=" + keysetCursor(3, "zzz") + "&count=1", ""}, // a keyset cursor of the query without filter or sort
		{0, "/Users", "startIndex=2&count=1&attributes=id", ""},
		{1, "/Users/.search", "", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"cursor":"","count":1}`},
		{0, "/Me", "", ""},
	} {
		f.Add(s.method, s.path, s.query, []byte(s.body))
	}
	users, groups := schema.Users(), schema.Groups()
	seedUser := []byte(bjensen)
	f.Fuzz(func(t *testing.T, method uint8, path, query string, body []byte) {
		us, gs := memory.New(users, memory.Options{}), memory.New(groups, memory.Options{})
		var me string // the seeded user, once there is one
		h, err := handler.New(handler.Config{
			Endpoints: []handler.Endpoint{{Type: users, Store: us}, {Type: groups, Store: gs}},
			Bulk:      handler.BulkConfig{MaxOperations: 10},
			Me:        func(*http.Request) (string, string, error) { return "User", me, nil },
			Logger:    slog.New(slog.DiscardHandler),
			// A fast stand-in for the 80 ms PBKDF2 hash, which every
			// seeded user would pay: the protecting code still runs.
			PasswordHash: func(_ context.Context, p string) (string, error) {
				sum := sha256.Sum256([]byte(p))
				return "sha256:" + hex.EncodeToString(sum[:]), nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		uid := seed(t, h, "/Users", seedUser)
		me = uid
		gid := seed(t, h, "/Groups", []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"`+uid+`"}]}`))
		fill := strings.NewReplacer("{u}", uid, "{g}", gid)
		u := &url.URL{Path: fill.Replace(path), RawQuery: fill.Replace(query)}
		req := &http.Request{
			Method: fuzzMethods[int(method)%len(fuzzMethods)], URL: u, RequestURI: u.RequestURI(),
			Header: http.Header{}, Host: "example.com", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Body: io.NopCloser(bytes.NewReader([]byte(fill.Replace(string(body))))),
		}
		req = req.WithContext(context.Background())
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %s?%s: %d %s", req.Method, u.Path, u.RawQuery, w.Code, w.Body)
		}
		if w.Body.Len() > 0 {
			var msg struct {
				Schemas []string `json:"schemas"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &msg); err != nil || len(msg.Schemas) == 0 {
				t.Fatalf("%s %s: not a SCIM message: %s", req.Method, u.Path, w.Body)
			}
		}
		for _, c := range []struct {
			rt *schema.ResourceType
			s  store.Store
		}{{users, us}, {groups, gs}} {
			for r, err := range c.s.Scan(context.Background()) {
				if err != nil {
					t.Fatal(err)
				}
				out := document.AppendJSON(nil, c.rt, r, nil)
				back, err := document.Decode(c.rt, out, document.DecodeOptions{})
				if err == nil {
					_, err = document.ValidateCreate(c.rt, back)
				}
				if err != nil {
					t.Fatalf("after %s %s the store holds an invalid resource: %v\n%s", req.Method, u.Path, err, out)
				}
			}
		}
	})
}

// seed creates a resource through the handler and returns its id.
func seed(t *testing.T, h http.Handler, endpoint string, body []byte) string {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body)))
	var res struct {
		ID string `json:"id"`
	}
	if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &res) != nil {
		t.Fatalf("seeding %s: %d %s", endpoint, w.Code, w.Body)
	}
	return res.ID
}
