package handler_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// TestMe checks RFC 7644 §3.11: /Me acts on the caller's own resource and
// answers with that resource's real Location.
func TestMe(t *testing.T) {
	for _, prefix := range prefixes {
		t.Run("mount="+prefix, func(t *testing.T) {
			// The "authentication" here: X-Caller names the caller's user id.
			s := newServer(t, prefix, func(c *handler.Config) {
				c.Me = func(r *http.Request) (string, string, error) {
					switch id := r.Header.Get("X-Caller"); id {
					case "":
						return "", "", &schema.Error{Status: http.StatusUnauthorized, Detail: "who are you?"}
					case "ghost":
						return "", "", store.ErrNotFound
					case "broken":
						return "Widget", "1", nil
					default:
						return "User", id, nil
					}
				}
			})
			id := s.create("/Users", bjensen)
			loc := s.url("/Users/" + id)

			r := s.do(http.MethodGet, "/Me", "", "X-Caller", id)
			require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
			assert.Equal(t, "bjensen@example.com", r.body["userName"])
			assert.Equal(t, loc, r.header.Get("Location"), "§3.11: the real location")
			assert.Equal(t, loc, r.body["meta"].(map[string]any)["location"])
			etag := r.header.Get("ETag")
			assert.Equal(t, http.StatusNotModified, s.do(http.MethodGet, "/Me", "", "X-Caller", id, "If-None-Match", etag).status)

			r = s.do(http.MethodPatch, "/Me?attributes=nickName", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"nickName","value":"Babs"}]}`, "X-Caller", id)
			require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
			assert.Equal(t, "Babs", r.body["nickName"])
			assert.Equal(t, loc, r.header.Get("Location"))

			r = s.do(http.MethodPut, "/Me", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen@example.com","title":"Tour Guide"}`, "X-Caller", id, "If-Match", etag)
			wantError(t, r, http.StatusPreconditionFailed, "")
			r = s.do(http.MethodPut, "/Me", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen@example.com","title":"Tour Guide"}`, "X-Caller", id)
			require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
			assert.Equal(t, "Tour Guide", r.body["title"])
			assert.Equal(t, "Tour Guide", s.do(http.MethodGet, "/Users/"+id, "").body["title"], "/Me changed the caller's own resource")

			wantError(t, s.do(http.MethodPost, "/Me", user("x"), "X-Caller", id), http.StatusMethodNotAllowed, "")
			wantError(t, s.do(http.MethodGet, "/Me", ""), http.StatusUnauthorized, "")
			wantError(t, s.do(http.MethodGet, "/Me", "", "X-Caller", "ghost"), http.StatusNotFound, "")
			s.logs.Reset()
			wantError(t, s.do(http.MethodGet, "/Me", "", "X-Caller", "broken"), http.StatusInternalServerError, "")
			assert.Contains(t, s.logs.String(), "Widget", "a hook that names no served type is the host's bug, logged")
			wantError(t, s.do(http.MethodGet, "/Me/x", "", "X-Caller", id), http.StatusNotFound, "")

			assert.Equal(t, http.StatusNoContent, s.do(http.MethodDelete, "/Me", "", "X-Caller", id).status)
			wantError(t, s.do(http.MethodGet, "/Users/"+id, ""), http.StatusNotFound, "")
		})
	}
}

// TestMeOff checks that /Me without a Config.Me hook is 501 with a SCIM
// error body, whatever the method.
func TestMeOff(t *testing.T) {
	s := newServer(t, "", nil)
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		wantError(t, s.do(m, "/Me", ""), http.StatusNotImplemented, "")
	}
}
