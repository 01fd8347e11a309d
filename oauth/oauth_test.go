package oauth_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/oauth"
)

var (
	key1 = oauth.Key{ID: "k1", Secret: []byte(strings.Repeat("1", 32))}
	key2 = oauth.Key{ID: "k2", Secret: []byte(strings.Repeat("2", 32))}
)

// clock is a settable clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newServer(t *testing.T, c *clock, keys ...oauth.Key) *oauth.Server {
	t.Helper()
	s, err := oauth.New(oauth.Config{
		Issuer: "https://app.example.com", Audience: "https://app.example.com/scim/v2",
		Clients: []oauth.Client{
			{ID: "entra-acme", Secret: "acme-secret-0123456789", Tenant: "acme"},
			{ID: "entra-globex", Secret: "globex-secret-0123456789", Tenant: "globex"},
		},
		Keys: keys, TTL: time.Hour, Now: c.now,
		Tenant: func(r *http.Request) string { return r.Header.Get("X-Tenant") },
	})
	require.NoError(t, err)
	return s
}

// token asks the endpoint for a token with form (client_credentials) and
// Basic credentials when id is not empty; it returns the status and body.
func token(t *testing.T, s http.Handler, id, secret string, form url.Values) (int, map[string]any, http.Header) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(id, secret)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	var body map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), "%s", w.Body)
	assert.Equal(t, "no-store", w.Header().Get("Cache-Control"), "RFC 6749 §5.1")
	return w.Code, body, w.Header()
}

func grant(t *testing.T, s http.Handler, id, secret string) string {
	t.Helper()
	status, body, _ := token(t, s, id, secret, url.Values{"grant_type": {"client_credentials"}})
	require.Equal(t, 200, status, "%v", body)
	assert.Equal(t, "Bearer", body["token_type"])
	assert.EqualValues(t, 3600, body["expires_in"])
	return body["access_token"].(string)
}

// check runs s.Check for a request of tenant with the token.
func check(s *oauth.Server, tenant, tok string) (string, error) {
	req := httptest.NewRequest(http.MethodGet, "/scim/v2/Users", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-Tenant", tenant)
	r, err := s.Check(req)
	if err != nil {
		return "", err
	}
	t, _ := oauth.TenantOf(r.Context())
	return t, nil
}

// TestClientCredentials checks the token endpoint (RFC 6749 §4.4) and the
// Check of its tokens: a good token, an expired one, a wrong audience,
// another tenant's token, and key rotation.
func TestClientCredentials(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	s := newServer(t, c, key1)
	tok := grant(t, s, "entra-acme", "acme-secret-0123456789")

	t.Run("a good token", func(t *testing.T) {
		tenant, err := check(s, "acme", tok)
		require.NoError(t, err)
		assert.Equal(t, "acme", tenant)
		// The client credentials also travel in the body (RFC 6749 §2.3.1).
		status, body, _ := token(t, s, "", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {"entra-globex"}, "client_secret": {"globex-secret-0123456789"}})
		require.Equal(t, 200, status, "%v", body)
		tenant, err = check(s, "globex", body["access_token"].(string))
		require.NoError(t, err)
		assert.Equal(t, "globex", tenant)
	})
	t.Run("another tenant's token", func(t *testing.T) {
		_, err := check(s, "globex", tok)
		assert.ErrorIs(t, err, handler.ErrNoCredentials)
	})
	t.Run("an expired token", func(t *testing.T) {
		later := &clock{t: c.t.Add(time.Hour)}
		_, err := check(newServer(t, later, key1), "acme", tok)
		assert.ErrorIs(t, err, handler.ErrNoCredentials)
		_, err = check(newServer(t, &clock{t: c.t.Add(59 * time.Minute)}, key1), "acme", tok)
		assert.NoError(t, err, "valid until it expires")
	})
	t.Run("a wrong audience", func(t *testing.T) {
		other, err := oauth.New(oauth.Config{Issuer: "https://app.example.com", Audience: "https://other.example.com/scim/v2",
			Clients: []oauth.Client{{ID: "entra-acme", Secret: "acme-secret-0123456789", Tenant: "acme"}}, Keys: []oauth.Key{key1}, Now: c.now})
		require.NoError(t, err)
		_, err = check(other, "acme", tok)
		assert.ErrorIs(t, err, handler.ErrNoCredentials)
	})
	t.Run("a rotated key", func(t *testing.T) {
		rotated := newServer(t, c, key2, key1) // key2 signs now; key1 still verifies
		_, err := check(rotated, "acme", tok)
		assert.NoError(t, err, "a token of the previous key verifies until the key is removed")
		fresh := grant(t, rotated, "entra-acme", "acme-secret-0123456789")
		assert.Contains(t, header(t, fresh), `"kid":"k2"`)
		done := newServer(t, c, key2) // key1 removed
		_, err = check(done, "acme", tok)
		assert.ErrorIs(t, err, handler.ErrNoCredentials, "the removed key's tokens are refused")
		_, err = check(done, "acme", fresh)
		assert.NoError(t, err)
	})
	t.Run("tampered and forged tokens", func(t *testing.T) {
		parts := strings.Split(tok, ".")
		claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
		forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(claims), "acme", "globex", 1))) + "." + parts[2]
		none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"k1"}`)) + "." + parts[1] + "."
		for _, bad := range []string{forged, none, "x.y.z", "", parts[0] + "." + parts[1]} {
			_, err := check(s, "globex", bad)
			assert.ErrorIs(t, err, handler.ErrNoCredentials, bad)
		}
	})
}

func header(t *testing.T, tok string) string {
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	require.NoError(t, err)
	return string(b)
}

// TestTokenEndpointErrors checks RFC 6749 §5.2's error bodies.
func TestTokenEndpointErrors(t *testing.T) {
	s := newServer(t, &clock{t: time.Now()}, key1)
	status, body, hdr := token(t, s, "entra-acme", "wrong-secret-0123456789", url.Values{"grant_type": {"client_credentials"}})
	assert.Equal(t, 401, status)
	assert.Equal(t, "invalid_client", body["error"])
	assert.Contains(t, hdr.Get("WWW-Authenticate"), "Basic")
	status, body, _ = token(t, s, "", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {"nobody"}, "client_secret": {"x"}})
	assert.Equal(t, 401, status)
	assert.Equal(t, "invalid_client", body["error"])
	status, body, _ = token(t, s, "entra-acme", "acme-secret-0123456789", url.Values{"grant_type": {"password"}})
	assert.Equal(t, 400, status)
	assert.Equal(t, "unsupported_grant_type", body["error"])
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/oauth/token", nil))
	assert.Equal(t, 405, w.Code)
	w = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	s.ServeHTTP(w, req)
	assert.Equal(t, 400, w.Code)
	assert.Contains(t, w.Body.String(), "invalid_request")
}

// TestNewRefusesWeakConfig checks that New fails closed.
func TestNewRefusesWeakConfig(t *testing.T) {
	good := oauth.Config{Issuer: "i", Audience: "a", Clients: []oauth.Client{{ID: "c", Secret: "0123456789abcdef", Tenant: "t"}}, Keys: []oauth.Key{key1}}
	_, err := oauth.New(good)
	require.NoError(t, err)
	for name, edit := range map[string]func(*oauth.Config){
		"no issuer":        func(c *oauth.Config) { c.Issuer = "" },
		"no clients":       func(c *oauth.Config) { c.Clients = nil },
		"short secret":     func(c *oauth.Config) { c.Clients = []oauth.Client{{ID: "c", Secret: "short"}} },
		"no keys":          func(c *oauth.Config) { c.Keys = nil },
		"short key":        func(c *oauth.Config) { c.Keys = []oauth.Key{{ID: "k", Secret: []byte("short")}} },
		"two keys, one id": func(c *oauth.Config) { c.Keys = []oauth.Key{key1, key1} },
	} {
		cfg := good
		edit(&cfg)
		_, err := oauth.New(cfg)
		assert.Error(t, err, name)
	}
}

// FuzzCheck sends arbitrary Authorization values: Check never panics and
// accepts only tokens the server issued for the tenant asked.
func FuzzCheck(f *testing.F) {
	c := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	s, err := oauth.New(oauth.Config{Issuer: "i", Audience: "a", Now: c.now,
		Clients: []oauth.Client{{ID: "c", Secret: "0123456789abcdef", Tenant: "acme"}}, Keys: []oauth.Key{key1}})
	require.NoError(f, err)
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("c", "0123456789abcdef")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	var body map[string]any
	require.NoError(f, json.Unmarshal(w.Body.Bytes(), &body))
	good := body["access_token"].(string)
	f.Add(good)
	f.Add("x.y.z")
	f.Fuzz(func(t *testing.T, tok string) {
		tenant, err := check(s, "acme", tok)
		if err == nil && tenant != "acme" {
			t.Fatalf("accepted %q for tenant %q", tok, tenant)
		}
	})
}

// Example shows the token endpoint and its Check in front of a handler,
// the tenant taken from the token.
func Example() {
	srv, err := oauth.New(oauth.Config{
		Issuer:   "https://app.example.com",
		Audience: "https://app.example.com/scim/v2",
		Clients:  []oauth.Client{{ID: "entra-acme", Secret: "acme-secret-0123456789", Tenant: "acme"}},
		Keys:     []oauth.Key{key1},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/oauth/token", srv)
	mux.Handle("/scim/v2/", handler.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant, _ := oauth.TenantOf(r.Context())
		w.Write([]byte("tenant " + tenant))
	}), srv.Check))

	req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("entra-acme", "acme-secret-0123456789")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal(w.Body.Bytes(), &tok)

	req = httptest.NewRequest(http.MethodGet, "/scim/v2/Users", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	fmt.Println(w.Code, w.Body.String())
	// Output: 200 tenant acme
}
