package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/internal/pgtest"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
	"github.com/scimkit/scimkit/store/postgres"
)

// A lifecycle is a sequence of requests an identity provider sends, written
// from the provider's documentation (see the sources of each file under
// testdata/idp), replayed against the real handler and memory store.
type lifecycle struct {
	Description string   `json:"description"`
	Sources     []string `json:"sources"`
	// PatchNoContent sets Config.PatchNoContent, as Entra ID advises.
	PatchNoContent bool `json:"patchNoContent"`
	// UniqueGroupNames makes Group.displayName unique, as Entra ID needs
	// (RFC 7643 §4.2 leaves it non-unique); docs/idp.md shows how.
	UniqueGroupNames bool   `json:"uniqueGroupNames"`
	Steps            []step `json:"steps"`
}

// step is one request, what its answer must hold, and what the stored
// resource must hold afterwards.
type step struct {
	Name string `json:"name"`
	// Repeat sends the request this many times, with ${i} from 1 to Repeat.
	Repeat  int               `json:"repeat"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
	// Auth replaces the Authorization header's value.
	Auth   *string `json:"auth"`
	Status int     `json:"status"`
	// Expect maps JSON pointers into the response body to what is there:
	// a JSON value, equal after ${var} substitution, or {"$absent": true},
	// {"$len": n}, {"$contains": v} (an array element or a substring),
	// {"$type": "string"|"number"|"boolean"|"array"|"object"}.
	Expect map[string]json.RawMessage `json:"expect"`
	// Save keeps response values for later steps as ${name}.
	Save map[string]string `json:"save"`
	// Collect appends the ids of the ListResponse's Resources to a list.
	Collect string `json:"collect"`
	// Distinct checks that each named list holds that many distinct ids.
	Distinct map[string]int `json:"distinct"`
	// Stored reads a resource back with GET and checks it as Expect does.
	Stored *struct {
		Path   string                     `json:"path"`
		Status int                        `json:"status"`
		Expect map[string]json.RawMessage `json:"expect"`
	} `json:"stored"`
}

const idpToken = "idp-test-token"

// TestIdentityProviderLifecycles replays testdata/idp/*.json on the
// memory store and, when SCIMKIT_TEST_POSTGRES is set, on PostgreSQL.
func TestIdentityProviderLifecycles(t *testing.T) {
	files, err := filepath.Glob("testdata/idp/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		for _, backend := range []string{"memory", "postgres"} {
			t.Run(strings.TrimSuffix(filepath.Base(file), ".json")+"/"+backend, func(t *testing.T) {
				t.Parallel()
				raw, err := os.ReadFile(file)
				require.NoError(t, err)
				var lc lifecycle
				dec := json.NewDecoder(bytes.NewReader(raw))
				dec.DisallowUnknownFields()
				require.NoError(t, dec.Decode(&lc), "lifecycle file")
				require.NotEmpty(t, lc.Sources, "every lifecycle names its sources")
				replay(t, idpServer(t, lc, backend), lc)
			})
		}
	}
}

// idpStores returns a Users and a Groups store of backend ("memory" or
// "postgres", in a schema of the test's own), or skips the test when
// PostgreSQL is not configured.
func idpStores(t *testing.T, backend string, users, groups *schema.ResourceType) (store.Store, store.Store) {
	if backend == "memory" {
		return memory.New(users, memory.Options{}), memory.New(groups, memory.Options{})
	}
	ctx := context.Background()
	pool, _, ns := pgtest.Schema(t, "scimkit_idp_")
	var out []store.Store
	for _, rt := range []*schema.ResourceType{users, groups} {
		s, err := postgres.New(ctx, pool, rt, postgres.Options{Schema: ns})
		require.NoError(t, err)
		out = append(out, s)
	}
	return out[0], out[1]
}

// idpServer serves Users and Groups behind a bearer token check that
// answers as host middleware should: with handler.WriteError.
func idpServer(t *testing.T, lc lifecycle, backend string) *httptest.Server {
	users, groups := schema.Users(), schema.Groups()
	if lc.UniqueGroupNames {
		groups.Schema.Attribute("displayName").Uniqueness = schema.UniquenessServer
	}
	us, gs := idpStores(t, backend, users, groups)
	h, err := handler.New(handler.Config{
		Endpoints:      []handler.Endpoint{{Type: users, Store: us}, {Type: groups, Store: gs}},
		PatchNoContent: lc.PatchNoContent,
	})
	require.NoError(t, err)
	check, err := handler.BearerToken(idpToken)
	require.NoError(t, err)
	auth := handler.Authenticate(h, check)
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", auth))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

var varPattern = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// replay runs the steps of lc in order.
func replay(t *testing.T, srv *httptest.Server, lc lifecycle) {
	vars := map[string]string{"base": srv.URL + "/scim/v2"}
	lists := map[string][]string{}
	expand := func(s string) string {
		return varPattern.ReplaceAllStringFunc(s, func(m string) string {
			v, ok := vars[m[2:len(m)-1]]
			require.True(t, ok, "unknown variable %s", m)
			return v
		})
	}
	for n, st := range lc.Steps {
		label := fmt.Sprintf("step %d (%s)", n+1, st.Name)
		times := max(st.Repeat, 1)
		for i := 1; i <= times; i++ {
			vars["i"] = strconv.Itoa(i)
			status, header, body := send(t, srv, st, expand)
			require.Equal(t, st.Status, status, "%s: %s", label, body)
			if len(body) > 0 {
				assert.Equal(t, "application/scim+json", header.Get("Content-Type"), label)
			}
			var doc any
			if len(body) > 0 {
				require.NoError(t, json.Unmarshal(body, &doc), "%s: %s", label, body)
			}
			check(t, label, doc, st.Expect, expand)
			for name, ptr := range st.Save {
				v, ok := lookup(doc, ptr)
				require.True(t, ok, "%s: nothing at %s to save: %s", label, ptr, body)
				vars[expand(name)] = fmt.Sprint(v)
			}
			if st.Collect != "" {
				res, _ := lookup(doc, "/Resources")
				for _, r := range res.([]any) {
					lists[st.Collect] = append(lists[st.Collect], r.(map[string]any)["id"].(string))
				}
			}
		}
		for name, want := range st.Distinct {
			seen := map[string]bool{}
			for _, id := range lists[name] {
				seen[id] = true
			}
			assert.Len(t, lists[name], want, "%s: ids collected in %s", label, name)
			assert.Len(t, seen, want, "%s: distinct ids in %s: pages must not repeat or skip", label, name)
		}
		if st.Stored != nil {
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/scim/v2"+expand(st.Stored.Path), nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+idpToken)
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			want := st.Stored.Status
			if want == 0 {
				want = http.StatusOK
			}
			require.Equal(t, want, resp.StatusCode, "%s: reading back %s: %s", label, st.Stored.Path, body)
			var doc any
			require.NoError(t, json.Unmarshal(body, &doc))
			check(t, label+" (stored)", doc, st.Stored.Expect, expand)
		}
	}
}

// send makes the request of st.
func send(t *testing.T, srv *httptest.Server, st step, expand func(string) string) (int, http.Header, []byte) {
	var rd io.Reader
	if len(st.Body) > 0 {
		rd = strings.NewReader(expand(string(st.Body)))
	}
	req, err := http.NewRequest(st.Method, srv.URL+"/scim/v2"+expand(st.Path), rd)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+idpToken)
	if st.Auth != nil {
		req.Header.Set("Authorization", *st.Auth)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for k, v := range st.Headers {
		req.Header.Set(k, expand(v))
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, body
}

// check checks doc against the expectations of a step.
func check(t *testing.T, label string, doc any, expect map[string]json.RawMessage, expand func(string) string) {
	t.Helper()
	for ptr, raw := range expect {
		var want any
		require.NoError(t, json.Unmarshal([]byte(expand(string(raw))), &want), "%s: expectation for %s", label, ptr)
		got, found := lookup(doc, ptr)
		op, arg, special := operator(want)
		switch {
		case special && op == "$absent":
			assert.Equal(t, arg, !found, "%s: %s absent? got %v", label, ptr, got)
		case !found:
			assert.Fail(t, "missing value", "%s: nothing at %s in %v", label, ptr, doc)
		case special && op == "$len":
			assert.Len(t, got, int(arg.(float64)), "%s: %s", label, ptr)
		case special && op == "$type":
			assert.Equal(t, arg, jsonType(got), "%s: type of %s", label, ptr)
		case special && op == "$contains":
			if s, ok := got.(string); ok {
				assert.Contains(t, s, arg, "%s: %s", label, ptr)
			} else {
				assert.Contains(t, got, arg, "%s: %s", label, ptr)
			}
		default:
			assert.Equal(t, want, got, "%s: %s", label, ptr)
		}
	}
}

// operator reads {"$op": arg}.
func operator(v any) (string, any, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", nil, false
	}
	for k, a := range m {
		if strings.HasPrefix(k, "$") && k != "$ref" {
			return k, a, true
		}
	}
	return "", nil, false
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}

// lookup follows a JSON pointer (RFC 6901).
func lookup(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	cur := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// TestStrictRejectsIdPDialects shows, for each identity provider dialect
// the lifecycles rely on, that the default mode accepts it and that
// Config.Strict answers it with the RFC's error and scimType.
func TestStrictRejectsIdPDialects(t *testing.T) {
	const (
		patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`
		ent     = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	)
	tests := []struct {
		name     string
		method   string
		path     string // {uid}, {gid} and {mid}: a user, a group with {uid} as member, a manager
		body     string
		lenient  int             // the status without Strict
		scimType schema.ScimType // under Strict, with 400; "" when Strict accepts it too
	}{
		{"Entra: capitalised op (MS-DEV)", http.MethodPatch, "/Users/{uid}", patchOp + `{"op":"Replace","path":"nickName","value":"B"}]}`, 200, schema.ScimInvalidSyntax},
		{"Entra: boolean as a string (MS-KNOWN)", http.MethodPatch, "/Users/{uid}", patchOp + `{"op":"replace","path":"active","value":"False"}]}`, 200, schema.ScimInvalidValue},
		{"Entra: path-less replace with dotted keys (MS-KNOWN)", http.MethodPatch, "/Users/{uid}", patchOp + `{"op":"replace","value":{"name.givenName":"B"}}]}`, 200, schema.ScimInvalidPath},
		{"Entra: path-less replace with URN keys (MS-KNOWN)", http.MethodPatch, "/Users/{uid}", patchOp + `{"op":"replace","value":{"` + ent + `:employeeNumber":"1"}}]}`, 200, schema.ScimInvalidPath},
		{"Entra: remove members by value array (MS-KNOWN)", http.MethodPatch, "/Groups/{gid}", patchOp + `{"op":"remove","path":"members","value":[{"value":"{uid}"}]}]}`, 200, schema.ScimInvalidSyntax},
		{"Entra: manager on an unqualified path (MS-DEV Example 5)", http.MethodPatch, "/Users/{uid}", patchOp + `{"op":"add","path":"manager","value":{"value":"{mid}"}}]}`, 200, schema.ScimInvalidPath},
		{"Entra: manager as an array (MS-DEV Example 5)", http.MethodPatch, "/Users/{uid}", patchOp + `{"op":"add","path":"` + ent + `:manager","value":[{"value":"{mid}"}]}]}`, 200, schema.ScimInvalidValue},
		{"Entra: manager as a string (SDK-686)", http.MethodPatch, "/Users/{uid}", patchOp + `{"op":"add","path":"` + ent + `:manager","value":"{mid}"}]}`, 200, schema.ScimInvalidValue},
		{"Entra: manager as a string on create (SCIMPLE-1242)", http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + ent + `"],"userName":"new","` + ent + `":{"manager":"{mid}"}}`, 201, schema.ScimInvalidValue},
		{"Entra: manager cleared with an empty string (MS-VALID)", http.MethodPatch, "/Users/{uid}", patchOp + `{"op":"replace","path":"` + ent + `:manager","value":""}]}`, 200, schema.ScimInvalidValue},
		{"Entra: replace a work email the user lacks (MS-KNOWN)", http.MethodPatch, "/Users/{uid}", patchOp + `{"op":"replace","path":"emails[type eq \"work\"].value","value":"w@example.com"}]}`, 200, schema.ScimNoTarget},
		{"Entra: undeclared schema URI on a group (MS-DEV)", http.MethodPost, "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"displayName":"G2"}`, 201, schema.ScimInvalidSyntax},
		// Okta's rename repeats the readOnly id unchanged: that modifies
		// nothing, so both modes accept it (RFC 7643 §7 forbids changing a
		// readOnly value); a different id is refused in both.
		{"Okta: rename with the readOnly id repeated (OKTA-REF)", http.MethodPatch, "/Groups/{gid}", patchOp + `{"op":"replace","value":{"id":"{gid}","displayName":"G3"}}]}`, 200, ""},
		{"a rename that changes the id", http.MethodPatch, "/Groups/{gid}", patchOp + `{"op":"replace","value":{"id":"other","displayName":"G3"}}]}`, 400, schema.ScimMutability},
	}
	for _, strict := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s strict=%v", tt.name, strict), func(t *testing.T) {
				s := newServer(t, "/scim/v2", func(c *handler.Config) { c.Strict = strict })
				uid := s.create("/Users", user("u@example.com"))
				mid := s.create("/Users", user("m@example.com"))
				gid := s.create("/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"`+uid+`"}]}`)
				fill := strings.NewReplacer("{uid}", uid, "{gid}", gid, "{mid}", mid)
				r := s.do(tt.method, fill.Replace(tt.path), fill.Replace(tt.body))
				switch {
				case !strict && tt.lenient == http.StatusBadRequest:
					wantError(t, r, http.StatusBadRequest, tt.scimType)
				case !strict, tt.scimType == "":
					assert.Equal(t, tt.lenient, r.status, "%s", r.raw)
				default:
					wantError(t, r, http.StatusBadRequest, tt.scimType)
				}
			})
		}
	}
}
