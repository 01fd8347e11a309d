package handler_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

// bulkServer serves Users and Groups with /Bulk on.
func bulkServer(t *testing.T, prefix string, maxOps int) *server {
	return newServer(t, prefix, func(c *handler.Config) {
		c.Bulk = handler.BulkConfig{MaxOperations: maxOps, MaxPayloadBytes: 64 << 10}
	})
}

func bulkBody(failOnErrors string, ops ...string) string {
	f := ""
	if failOnErrors != "" {
		f = `"failOnErrors":` + failOnErrors + `,`
	}
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],` + f + `"Operations":[` + strings.Join(ops, ",") + `]}`
}

// results returns the Operations of a BulkResponse.
func results(t *testing.T, r *response) []map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, []any{document.BulkResponseSchema}, r.body["schemas"])
	var out []map[string]any
	for _, o := range r.body["Operations"].([]any) {
		out = append(out, o.(map[string]any))
	}
	return out
}

// TestBulkOperations follows RFC 7644 §3.7.1: one request holding POST,
// PUT, PATCH and DELETE, answered operation by operation with status,
// location and version.
func TestBulkOperations(t *testing.T) {
	for _, prefix := range prefixes {
		t.Run("mount="+prefix, func(t *testing.T) {
			s := bulkServer(t, prefix, 10)
			putID := s.create("/Users", user("put@example.com"))
			patchID := s.create("/Users", user("patch@example.com"))
			delID := s.create("/Users", user("delete@example.com"))
			v := s.do(http.MethodGet, "/Users/"+putID, "").header.Get("ETag")
			r := s.do(http.MethodPost, "/Bulk", bulkBody("",
				`{"method":"POST","path":"/Users","bulkId":"qwerty","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Alice"}}`,
				`{"method":"PUT","path":"/Users/`+putID+`","version":"`+strings.ReplaceAll(v, `"`, `\"`)+`","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"put@example.com","displayName":"Put"}}`,
				`{"method":"PATCH","path":"/Users/`+patchID+`","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"nickName","value":"Patchy"}]}}`,
				`{"method":"DELETE","path":"/Users/`+delID+`"}`,
			))
			ops := results(t, r)
			require.Len(t, ops, 4)
			for i, want := range []struct{ method, status string }{{"POST", "201"}, {"PUT", "200"}, {"PATCH", "200"}, {"DELETE", "204"}} {
				assert.Equal(t, want.method, ops[i]["method"])
				assert.Equal(t, want.status, ops[i]["status"], "operation %d: %v", i, ops[i])
				assert.NotContains(t, ops[i], "response", "a success carries no response")
			}
			assert.Equal(t, "qwerty", ops[0]["bulkId"])
			alice := s.do(http.MethodGet, strings.TrimPrefix(ops[0]["location"].(string), s.url("")), "")
			require.Equal(t, http.StatusOK, alice.status, "the location of a created resource is its URL: %v", ops[0]["location"])
			assert.Equal(t, "Alice", alice.body["userName"])
			assert.Equal(t, alice.header.Get("ETag"), ops[0]["version"])
			assert.Equal(t, s.url("/Users/"+putID), ops[1]["location"])
			assert.Equal(t, "Put", s.do(http.MethodGet, "/Users/"+putID, "").body["displayName"])
			assert.Equal(t, "Patchy", s.do(http.MethodGet, "/Users/"+patchID, "").body["nickName"])
			assert.Equal(t, s.url("/Users/"+delID), ops[3]["location"])
			assert.Equal(t, http.StatusNotFound, s.do(http.MethodGet, "/Users/"+delID, "").status)
		})
	}
}

// TestBulkReferences checks RFC 7644 §3.7.2: bulkId references in data and
// in paths, forwards and backwards, resolved in dependency order.
func TestBulkReferences(t *testing.T) {
	s := bulkServer(t, "/scim/v2", 20)
	const member = `{"type":"User","value":"bulkId:%s"}`
	r := s.do(http.MethodPost, "/Bulk", bulkBody("",
		// The group comes first and refers to users created after it.
		`{"method":"POST","path":"/Groups","bulkId":"g1","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Forward","members":[`+fmt.Sprintf(member, "u1")+`,`+fmt.Sprintf(member, "u2")+`]}}`,
		`{"method":"POST","path":"/Users","bulkId":"u1","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u1"}}`,
		`{"method":"POST","path":"/Users","bulkId":"u2","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u2"}}`,
		// This group refers to a user created before it, and to the first group.
		`{"method":"POST","path":"/Groups","bulkId":"g2","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Backward","members":[`+fmt.Sprintf(member, "u1")+`,{"type":"Group","value":"bulkId:g1"}]}}`,
		// A path reference to a resource created later in the request.
		`{"method":"PATCH","path":"/Users/bulkId:u3","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"title","value":"bulkId:u3 is not a reference inside a longer string"}]}}`,
		`{"method":"POST","path":"/Users","bulkId":"u3","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u3"}}`,
	))
	ops := results(t, r)
	require.Len(t, ops, 6)
	ids := map[string]string{}
	for i, o := range ops {
		require.Contains(t, []string{"200", "201"}, o["status"], "operation %d: %v", i, o)
		loc := o["location"].(string)
		ids[fmt.Sprint(o["bulkId"])] = loc[strings.LastIndexByte(loc, '/')+1:]
	}
	g1 := s.do(http.MethodGet, "/Groups/"+ids["g1"], "")
	assert.ElementsMatch(t, []string{ids["u1"], ids["u2"]}, memberIDs(g1))
	g2 := s.do(http.MethodGet, "/Groups/"+ids["g2"], "")
	assert.ElementsMatch(t, []string{ids["u1"], ids["g1"]}, memberIDs(g2))
	u3 := s.do(http.MethodGet, "/Users/"+ids["u3"], "")
	assert.Equal(t, "bulkId:u3 is not a reference inside a longer string", u3.body["title"])
	assert.Equal(t, s.url("/Users/"+ids["u3"]), ops[4]["location"])
}

func memberIDs(r *response) []string {
	var out []string
	members, _ := r.body["members"].([]any)
	for _, m := range members {
		out = append(out, m.(map[string]any)["value"].(string))
	}
	return out
}

// TestBulkUnresolvable checks that references which cannot be resolved
// fail only the operations involved, with 409 (RFC 7644 §3.7.1, §3.7.2):
// circles, unknown bulkIds, and bulkIds whose POST failed.
func TestBulkUnresolvable(t *testing.T) {
	s := bulkServer(t, "", 20)
	r := s.do(http.MethodPost, "/Bulk", bulkBody("",
		`{"method":"POST","path":"/Groups","bulkId":"a","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"A","members":[{"type":"Group","value":"bulkId:b"}]}}`,
		`{"method":"POST","path":"/Groups","bulkId":"b","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"B","members":[{"type":"Group","value":"bulkId:a"}]}}`,
		`{"method":"POST","path":"/Groups","bulkId":"c","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"C","members":[{"value":"bulkId:nosuch"}]}}`,
		`{"method":"POST","path":"/Users","bulkId":"bad","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}}`,
		`{"method":"POST","path":"/Groups","bulkId":"d","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"D","members":[{"value":"bulkId:bad"}]}}`,
		`{"method":"POST","path":"/Groups","bulkId":"fine","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Fine"}}`,
	))
	ops := results(t, r)
	require.Len(t, ops, 6)
	byID := map[string]map[string]any{}
	for _, o := range ops {
		byID[o["bulkId"].(string)] = o
	}
	for id, want := range map[string]string{"a": "409", "b": "409", "c": "409", "bad": "400", "d": "409", "fine": "201"} {
		assert.Equal(t, want, byID[id]["status"], "bulkId %s: %v", id, byID[id])
		if want != "201" {
			resp := byID[id]["response"].(map[string]any)
			assert.Equal(t, []any{document.ErrorSchema}, resp["schemas"])
			assert.Equal(t, want, resp["status"])
		}
	}
	list := s.do(http.MethodGet, "/Groups", "")
	assert.Equal(t, []string{"Fine"}, listNames(t, list), "nothing of the failed operations was written")
}

// TestBulkFailOnErrors checks RFC 7644 §3.7.3: processing stops once
// failOnErrors errors have happened; without it every operation runs.
func TestBulkFailOnErrors(t *testing.T) {
	s := bulkServer(t, "", 20)
	s.create("/Users", user("taken"))
	ops := []string{
		`{"method":"POST","path":"/Users","bulkId":"dup","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"taken"}}`,
		`{"method":"POST","path":"/Users","bulkId":"ok1","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ok1"}}`,
		`{"method":"PUT","path":"/Users/nosuch","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"}}`,
		`{"method":"POST","path":"/Users","bulkId":"ok2","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ok2"}}`,
	}
	got := results(t, s.do(http.MethodPost, "/Bulk", bulkBody("1", ops...)))
	require.Len(t, got, 1, "failOnErrors 1 stops at the first error")
	assert.Equal(t, "409", got[0]["status"])
	assert.Equal(t, "uniqueness", got[0]["response"].(map[string]any)["scimType"])

	got = results(t, s.do(http.MethodPost, "/Bulk", bulkBody("2", strings.ReplaceAll(strings.Join(ops, ","), `"ok`, `"two`))))
	require.Len(t, got, 3)
	assert.Equal(t, []any{"409", "201", "404"}, []any{got[0]["status"], got[1]["status"], got[2]["status"]})

	got = results(t, s.do(http.MethodPost, "/Bulk", bulkBody("", strings.ReplaceAll(strings.Join(ops, ","), `"ok`, `"all`))))
	require.Len(t, got, 4)
	assert.Equal(t, []any{"409", "201", "404", "201"}, []any{got[0]["status"], got[1]["status"], got[2]["status"], got[3]["status"]})
}

// TestBulkErrors checks errors of the whole request (RFC 7644 §3.7.4,
// §3.12) and of single operations.
func TestBulkErrors(t *testing.T) {
	s := bulkServer(t, "", 3)
	id := s.create("/Users", user("someone"))
	post := `{"method":"POST","path":"/Users","bulkId":"%s","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%s"}}`
	t.Run("§3.7.4 413: too many operations", func(t *testing.T) {
		r := s.do(http.MethodPost, "/Bulk", bulkBody("", fmt.Sprintf(post, "a", "a"), fmt.Sprintf(post, "b", "b"), fmt.Sprintf(post, "c", "c"), fmt.Sprintf(post, "d", "d")))
		wantError(t, r, http.StatusRequestEntityTooLarge, schema.ScimTooMany)
		assert.Contains(t, r.body["detail"], "maxOperations (3)")
		assert.Equal(t, float64(1), s.do(http.MethodGet, "/Users?count=0", "").body["totalResults"], "nothing was written")
	})
	t.Run("§3.7.4 413: payload too large", func(t *testing.T) {
		big := fmt.Sprintf(post, "a", strings.Repeat("x", 70<<10))
		r := s.do(http.MethodPost, "/Bulk", bulkBody("", big))
		wantError(t, r, http.StatusRequestEntityTooLarge, schema.ScimTooMany)
		assert.Contains(t, r.body["detail"], "maxPayloadSize (65536 bytes)")
	})
	for _, tt := range []struct {
		name, body string
		status     int
		scimType   schema.ScimType
	}{
		{"§3.7 400: no schemas", `{"Operations":[]}`, 400, schema.ScimInvalidSyntax},
		{"§3.7 400: not JSON", `{"schemas":`, 400, schema.ScimInvalidSyntax},
		{"§3.7 400: Operations not an array", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":{}}`, 400, schema.ScimInvalidSyntax},
		{"§3.7 400: no Operations", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]}`, 400, schema.ScimInvalidSyntax},
		{"§3.7 400: duplicate bulkId", bulkBody("", fmt.Sprintf(post, "a", "a"), fmt.Sprintf(post, "a", "b")), 400, schema.ScimInvalidValue},
	} {
		t.Run(tt.name, func(t *testing.T) { wantError(t, s.do(http.MethodPost, "/Bulk", tt.body), tt.status, tt.scimType) })
	}
	t.Run("§3.2 405: GET /Bulk", func(t *testing.T) {
		wantError(t, s.do(http.MethodGet, "/Bulk", ""), http.StatusMethodNotAllowed, "")
	})
	t.Run("operation errors", func(t *testing.T) {
		v := s.do(http.MethodGet, "/Users/"+id, "").header.Get("ETag")
		stale := strings.ReplaceAll(v+"x", `"`, `\"`)
		got := results(t, s.do(http.MethodPost, "/Bulk", bulkBody("",
			`{"method":"GET","path":"/Users/`+id+`"}`,
			`{"method":"PUT","path":"/Users","data":{}}`,
			`{"method":"DELETE","path":"/Users/`+id+`","version":"`+stale+`"}`,
		)))
		require.Len(t, got, 3)
		assert.Equal(t, []any{"400", "400", "412"}, []any{got[0]["status"], got[1]["status"], got[2]["status"]})
		got = results(t, s.do(http.MethodPost, "/Bulk", bulkBody("",
			`{"method":"POST","path":"/Widgets","bulkId":"w","data":{}}`,
			`{"method":"patch","path":"/Users/`+id+`"}`,
			`{"method":"DELETE","path":"/Users/`+id+`","version":"`+strings.ReplaceAll(v, `"`, `\"`)+`"}`,
		)))
		require.Len(t, got, 3)
		assert.Equal(t, []any{"404", "400", "204"}, []any{got[0]["status"], got[1]["status"], got[2]["status"]})
		assert.Equal(t, "PATCH", got[1]["method"])
	})
}

// TestBulkDiscovery checks that /ServiceProviderConfig advertises Bulk with
// its real limits only when it is on (RFC 7643 §5).
func TestBulkDiscovery(t *testing.T) {
	s := bulkServer(t, "", 250)
	b := s.do(http.MethodGet, "/ServiceProviderConfig", "").body["bulk"].(map[string]any)
	assert.Equal(t, map[string]any{"supported": true, "maxOperations": float64(250), "maxPayloadSize": float64(64 << 10)}, b)
}

// TestBulkThousand is the acceptance: 1,000 user creates and a
// group that refers to all of them by bulkId, in one request.
func TestBulkThousand(t *testing.T) {
	const n = 1000
	s := newServer(t, "/scim/v2", func(c *handler.Config) {
		c.Bulk = handler.BulkConfig{MaxOperations: n + 1, MaxPayloadBytes: 4 << 20}
	})
	body := thousandBody(n)
	start := time.Now()
	ops := results(t, s.do(http.MethodPost, "/Bulk", body))
	t.Logf("%d creates and a %d-member group in one Bulk request (%d bytes): %v", n, n, len(body), time.Since(start))
	require.Len(t, ops, n+1)
	for i, o := range ops {
		require.Equal(t, "201", o["status"], "operation %d: %v", i, o)
	}
	loc := ops[0]["location"].(string)
	g := s.do(http.MethodGet, loc[len(s.url("")):], "")
	require.Equal(t, http.StatusOK, g.status)
	assert.Len(t, g.body["members"], n)
	users := s.do(http.MethodGet, "/Users?count=0", "")
	assert.Equal(t, float64(n), users.body["totalResults"])
}

// thousandBody is a BulkRequest that creates a group of n users, the group
// first.
func thousandBody(n int) string {
	var ops, members []string
	for i := range n {
		members = append(members, fmt.Sprintf(`{"type":"User","value":"bulkId:u%d"}`, i))
	}
	ops = append(ops, `{"method":"POST","path":"/Groups","bulkId":"all","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Everyone","members":[`+strings.Join(members, ",")+`]}}`)
	for i := range n {
		ops = append(ops, fmt.Sprintf(`{"method":"POST","path":"/Users","bulkId":"u%d","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"user%d@example.com","name":{"givenName":"G","familyName":"F%d"},"emails":[{"value":"user%d@example.com","type":"work","primary":true}],"active":true}}`, i, i, i, i))
	}
	return bulkBody("", ops...)
}
