package handler

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/schema"
)

// Check authenticates a request: it returns the request to serve (with
// the caller's identity in its context, say, for Config.Me or a tenant),
// or an error, which Authenticate answers by what it says:
//
//   - an error wrapping ErrNoCredentials (missing, malformed, unknown or
//     expired credentials) is answered 401 with a challenge;
//   - a *schema.Error is answered as it is (403 for a caller who may not
//     use SCIM, say);
//   - any other error means the credentials could not be checked (the
//     token store or the identity provider's keys are unreachable): it is
//     logged and answered 503, so that an identity provider retries instead
//     of taking a database blip for a revoked token and disabling the app.
//
// Every error refuses the request: a Check fails closed.
type Check func(r *http.Request) (*http.Request, error)

// Authenticate returns middleware that serves only the requests check
// accepts, and answers the others with an RFC 7644 §3.12 error body (see
// Check for which status each error gets); a 401 carries the challenge
// `WWW-Authenticate: Bearer realm="scim"` (RFC 6750 §3). Plug any validator
// in as a Check: BearerToken, or one that verifies a JWT or introspects an
// OAuth2 token. A check that could not be done is logged, with the request
// id the answer names, to next's Config.Logger when next is a *Handler,
// otherwise to slog.Default().
func Authenticate(next http.Handler, check Check) http.Handler {
	log := slog.Default()
	if h, ok := next.(*Handler); ok {
		log = h.log
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2, err := check(r)
		if err == nil {
			next.ServeHTTP(w, r2)
			return
		}
		var se *schema.Error
		switch {
		case errors.Is(err, ErrNoCredentials):
			se = &schema.Error{Status: http.StatusUnauthorized, Detail: "a valid bearer token is required"}
		case errors.As(err, &se) && se.Status >= 400:
		default:
			id := requestID(r)
			log.ErrorContext(r.Context(), "scimkit: could not check the request's credentials", "request_id", id, "method", r.Method, "path", r.URL.Path, "error", err)
			se = &schema.Error{Status: http.StatusServiceUnavailable, Detail: "the credentials could not be checked; try again later (request id " + id + ")"}
		}
		if se.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
		}
		writeError(w, se)
	})
}

// ErrNoCredentials is what BearerToken returns for a request without a
// valid token. A Check of a host's own returns it (or an error wrapping
// it) for credentials that are missing or wrong; Authenticate answers it
// 401.
var ErrNoCredentials = errors.New("handler: no valid bearer token")

// BearerToken returns a Check that accepts "Authorization: Bearer <token>"
// (RFC 6750 §2.1; the scheme name in any case, RFC 9110 §11.1) with one of
// tokens, and "Authorization: <token>" without a scheme, which Okta's "HTTP
// Header" authentication mode sends (the admin enters the token alone);
// either way the token is one of tokens, compared exactly and in constant time (as SHA-256 digests, so
// that neither their content nor their length leaks). It fails closed: it
// refuses to build a Check without tokens, or with a token that is empty
// or holds anything but visible ASCII characters (a space, U+00A0), so
// that an unset environment variable never becomes a token that a request
// can match.
func BearerToken(tokens ...string) (Check, error) {
	if len(tokens) == 0 {
		return nil, errors.New("handler: BearerToken needs at least one token")
	}
	sums := make([][sha256.Size]byte, len(tokens))
	for i, t := range tokens {
		if !validToken(t) {
			return nil, fmt.Errorf("handler: BearerToken's token %d is empty or holds a character other than visible ASCII", i+1)
		}
		sums[i] = sha256.Sum256([]byte(t))
	}
	return func(r *http.Request) (*http.Request, error) {
		got, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			return nil, ErrNoCredentials
		}
		sum := sha256.Sum256([]byte(got))
		match := 0
		for i := range sums {
			match |= subtle.ConstantTimeCompare(sum[:], sums[i][:])
		}
		if match != 1 {
			return nil, ErrNoCredentials
		}
		return r, nil
	}, nil
}

// bearer returns the token of an Authorization header value of the Bearer
// scheme: the scheme name matches in any case and is followed by one or
// more spaces (RFC 9110 §11.4); the token is the rest, exactly as sent. A
// value without a space is the token alone (Okta's HTTP Header mode).
func bearer(auth string) (string, bool) {
	const scheme = "Bearer"
	if !strings.Contains(auth, " ") {
		return auth, validToken(auth)
	}
	if len(auth) <= len(scheme) || !strings.EqualFold(auth[:len(scheme)], scheme) || auth[len(scheme)] != ' ' {
		return "", false
	}
	token := strings.TrimLeft(auth[len(scheme):], " ")
	return token, validToken(token)
}

// validToken reports whether s can be a bearer token: one or more visible
// ASCII characters (RFC 6750 §2.1 allows fewer; a host's existing tokens
// may use any of these), so never empty and never holding a space or a
// non-ASCII character such as U+00A0.
func validToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return s != ""
}

// oauthBearerToken describes bearer-token authentication (RFC 6750), as
// Entra ID and Okta use it: what /ServiceProviderConfig advertises unless
// Config.AuthenticationSchemes says otherwise.
func oauthBearerToken() AuthenticationScheme {
	return AuthenticationScheme{
		Type: "oauthbearertoken", Name: "OAuth Bearer Token",
		Description: "Authentication with a bearer token in the Authorization header",
		SpecURI:     "https://www.rfc-editor.org/rfc/rfc6750", Primary: true,
	}
}
