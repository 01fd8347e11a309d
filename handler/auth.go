package handler

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/schema"
)

// Check authenticates a request: it returns the request to serve (with
// the caller's identity in its context, say, for Config.Me or a tenant),
// or an error. A *schema.Error is answered as it is (401, or 403 for a
// caller who may not use SCIM); any other error is answered 401.
type Check func(r *http.Request) (*http.Request, error)

// Authenticate returns middleware that serves only the requests check
// accepts, and answers the others with an RFC 7644 §3.12 error body; a 401
// carries the challenge `WWW-Authenticate: Bearer realm="scim"` (RFC 6750
// §3). Plug any validator in as a Check: BearerToken, or one that verifies
// a JWT or introspects an OAuth2 token.
func Authenticate(next http.Handler, check Check) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2, err := check(r)
		if err != nil {
			var se *schema.Error
			if !errors.As(err, &se) || se.Status < 400 {
				se = &schema.Error{Status: http.StatusUnauthorized, Detail: "a valid bearer token is required"}
			}
			if se.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
			}
			WriteError(w, se)
			return
		}
		next.ServeHTTP(w, r2)
	})
}

// ErrNoCredentials is what BearerToken returns for a request without a
// valid token; Authenticate answers it 401.
var ErrNoCredentials = errors.New("handler: no valid bearer token")

// BearerToken returns a Check that accepts "Authorization: Bearer <token>"
// with one of tokens. Tokens are compared in constant time (as SHA-256
// digests, so that neither their content nor their length leaks).
func BearerToken(tokens ...string) Check {
	sums := make([][sha256.Size]byte, len(tokens))
	for i, t := range tokens {
		sums[i] = sha256.Sum256([]byte(t))
	}
	return func(r *http.Request) (*http.Request, error) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			return nil, ErrNoCredentials
		}
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		match := 0
		for i := range sums {
			match |= subtle.ConstantTimeCompare(sum[:], sums[i][:])
		}
		if match != 1 || len(sums) == 0 {
			return nil, ErrNoCredentials
		}
		return r, nil
	}
}

// OAuthBearerToken describes bearer-token authentication (RFC 6750) for
// Config.AuthenticationSchemes, as Entra ID and Okta use it.
var OAuthBearerToken = AuthenticationScheme{
	Type: "oauthbearertoken", Name: "OAuth Bearer Token",
	Description: "Authentication with a bearer token in the Authorization header",
	SpecURI:     "https://www.rfc-editor.org/rfc/rfc6750", Primary: true,
}
