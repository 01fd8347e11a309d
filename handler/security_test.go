package handler_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/schema"
)

// TestNoPasswordOracle checks that an attribute whose "returned" is
// "never" (RFC 7643 §4.1.1 password) cannot be filtered on or sorted by,
// wherever a filter or a sort can appear: otherwise `password sw "s"`
// answers whether the password starts with "s" (RFC 7644 §7.5.2).
func TestNoPasswordOracle(t *testing.T) {
	s := newServer(t, "/scim/v2", nil)
	id := s.create("/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice","password":"Secr3t",
		"emails":[{"value":"a@example.com","type":"work"}]}`)
	q := url.QueryEscape
	for _, f := range []string{`password sw "s"`, `password sw "x"`, `password gt "a"`, `password pr`, `PASSWORD eq "Secr3t"`,
		`urn:ietf:params:scim:schemas:core:2.0:User:password co "e"`, `userName eq "alice" and password sw "S"`, `not (password lt "T")`} {
		t.Run(f, func(t *testing.T) {
			r := s.do(http.MethodGet, "/Users?filter="+q(f), "")
			wantError(t, r, http.StatusBadRequest, schema.ScimInvalidFilter)
			assert.Contains(t, r.body["detail"], "password")
			wantError(t, s.do(http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":`+jsonString(f)+`}`), http.StatusBadRequest, schema.ScimInvalidFilter)
			wantError(t, s.do(http.MethodGet, "/?filter="+q(f), ""), http.StatusBadRequest, schema.ScimInvalidFilter)
		})
	}
	for _, sortBy := range []string{"password", "Password"} {
		r := s.do(http.MethodGet, "/Users?sortBy="+sortBy, "")
		wantError(t, r, http.StatusBadRequest, schema.ScimInvalidFilter)
		wantError(t, s.do(http.MethodPost, "/Users/.search", `{"sortBy":"`+sortBy+`"}`), http.StatusBadRequest, schema.ScimInvalidFilter)
	}
	// A filter that names no secret still works.
	r := s.do(http.MethodGet, "/Users?filter="+q(`userName eq "alice"`), "")
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.EqualValues(t, 1, r.body["totalResults"])
	// A PATCH path's value filter is checked too.
	r = s.do(http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"replace","path":"password","value":"N3w"}]}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.NotContains(t, string(r.raw), "N3w")
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
