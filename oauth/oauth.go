// Package oauth issues and checks OAuth 2.0 access tokens for the client
// credentials grant (RFC 6749 §4.4), which Microsoft Entra ID's gallery
// apps use instead of a long-lived bearer token.
//
// A Server is two things: an http.Handler for the token endpoint, where a
// client (one per tenant) trades its id and secret for a short-lived
// access token, and a handler.Check that accepts those tokens. Tokens are
// JSON Web Tokens (RFC 7519) signed with HMAC-SHA256 (RFC 7518 §3.2) under
// keys that rotate: Keys[0] signs, every key verifies.
//
//	srv, err := oauth.New(oauth.Config{
//		Issuer:   "https://app.example.com",
//		Audience: "https://app.example.com/scim/v2",
//		Clients:  []oauth.Client{{ID: "entra-acme", Secret: os.Getenv("ACME_SECRET"), Tenant: "acme"}},
//		Keys:     []oauth.Key{{ID: "2026-11", Secret: key}},
//	})
//	mux.Handle("/oauth/token", srv)
//	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", handler.Authenticate(scim, srv.Check)))
//
// The tenant of a request is then the tenant of its token: set
// handler.Config.Tenant to read oauth.TenantOf.
package oauth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/scimkit/scimkit/handler"
)

// Config configures a Server. Issuer, Audience, at least one Client and at
// least one Key are required.
type Config struct {
	// Issuer is the "iss" of the tokens, such as "https://app.example.com".
	Issuer string
	// Audience is the "aud" of the tokens, which Check requires: the SCIM
	// base URL, say.
	Audience string
	// Clients may obtain tokens, each for its tenant.
	Clients []Client
	// Keys sign and verify tokens: Keys[0] signs, every key verifies. To
	// rotate, put a new key first, and remove the old one once the tokens
	// it signed have expired (after TTL).
	Keys []Key
	// TTL is how long a token is valid. Default one hour.
	TTL time.Duration
	// Tenant, when set, returns the tenant a request addresses (from its
	// path or host); Check then refuses a token of another tenant.
	Tenant func(r *http.Request) string
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Client is an OAuth client: an identity provider's connection for one
// tenant.
type Client struct {
	ID     string
	Secret string // at least 16 bytes; kept only as a SHA-256 digest
	Tenant string
}

// Key is an HMAC-SHA256 signing key.
type Key struct {
	ID     string // the "kid" of the tokens it signs
	Secret []byte // at least 32 bytes
}

// Server is a token endpoint and the Check of its tokens. It is safe for
// concurrent use.
type Server struct {
	cfg     Config
	clients map[string]client
	keys    map[string][]byte
}

type client struct {
	secret [sha256.Size]byte
	tenant string
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Issuer == "" || cfg.Audience == "":
		return nil, errors.New("oauth: Config needs an Issuer and an Audience")
	case len(cfg.Clients) == 0:
		return nil, errors.New("oauth: Config.Clients is empty")
	case len(cfg.Keys) == 0:
		return nil, errors.New("oauth: Config.Keys is empty")
	}
	if cfg.TTL <= 0 {
		cfg.TTL = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, clients: map[string]client{}, keys: map[string][]byte{}}
	for _, c := range cfg.Clients {
		if c.ID == "" || len(c.Secret) < 16 {
			return nil, fmt.Errorf("oauth: client %q needs an id and a secret of at least 16 bytes", c.ID)
		}
		if _, dup := s.clients[c.ID]; dup {
			return nil, fmt.Errorf("oauth: two clients have the id %q", c.ID)
		}
		s.clients[c.ID] = client{secret: sha256.Sum256([]byte(c.Secret)), tenant: c.Tenant}
	}
	for _, k := range cfg.Keys {
		if k.ID == "" || len(k.Secret) < 32 {
			return nil, fmt.Errorf("oauth: key %q needs an id and at least 32 bytes", k.ID)
		}
		if _, dup := s.keys[k.ID]; dup {
			return nil, fmt.Errorf("oauth: two keys have the id %q", k.ID)
		}
		s.keys[k.ID] = k.Secret
	}
	return s, nil
}

// ServeHTTP is the token endpoint (RFC 6749 §3.2, §4.4): a POST of
// application/x-www-form-urlencoded grant_type=client_credentials, the
// client authenticated with HTTP Basic (§2.3.1) or client_id and
// client_secret in the body. It answers an access token (§5.1) or an error
// (§5.2), never cached.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "send application/x-www-form-urlencoded")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body is not a form")
		return
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c, ok := s.clients[id]
	sum := sha256.Sum256([]byte(secret))
	if !ok || subtle.ConstantTimeCompare(sum[:], c.secret[:]) != 1 {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
		}
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	if g := r.PostForm.Get("grant_type"); g != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
		return
	}
	token, err := s.issue(id, c.tenant)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "the token could not be made")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}{token, "Bearer", int(s.cfg.TTL / time.Second)})
}

// oauthError writes an RFC 6749 §5.2 error.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

// claims are the claims of an access token.
type claims struct {
	Issuer   string `json:"iss"`
	Audience string `json:"aud"`
	Subject  string `json:"sub"` // the client id
	Tenant   string `json:"tid"`
	IssuedAt int64  `json:"iat"`
	Expires  int64  `json:"exp"`
	ID       string `json:"jti"`
}

type header struct {
	Alg string `json:"alg"`
	Typ string `json:"typ"`
	Kid string `json:"kid"`
}

var b64 = base64.RawURLEncoding

// issue returns a signed access token for client id of tenant.
func (s *Server) issue(id, tenant string) (string, error) {
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	now := s.cfg.Now()
	k := s.cfg.Keys[0]
	h, _ := json.Marshal(header{Alg: "HS256", Typ: "JWT", Kid: k.ID})
	c, _ := json.Marshal(claims{Issuer: s.cfg.Issuer, Audience: s.cfg.Audience, Subject: id, Tenant: tenant,
		IssuedAt: now.Unix(), Expires: now.Add(s.cfg.TTL).Unix(), ID: hex.EncodeToString(jti)})
	signed := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
	return signed + "." + b64.EncodeToString(sign(k.Secret, signed)), nil
}

func sign(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

type ctxKey struct{}

// TenantOf returns the tenant of the access token Check accepted for the
// request whose context ctx is: for handler.Config.Tenant.
func TenantOf(ctx context.Context) (string, bool) {
	t, ok := ctx.Value(ctxKey{}).(string)
	return t, ok
}

// Check is a handler.Check that accepts "Authorization: Bearer <token>"
// with a token the Server issued: signed by one of its keys, not expired,
// of its issuer and audience, and, with Config.Tenant, of the tenant the
// request addresses. Anything else is handler.ErrNoCredentials (401).
func (s *Server) Check(r *http.Request) (*http.Request, error) {
	auth := r.Header.Get("Authorization")
	if len(auth) <= 7 || !strings.EqualFold(auth[:7], "Bearer ") {
		return nil, handler.ErrNoCredentials
	}
	c, err := s.verify(strings.TrimLeft(auth[7:], " "))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", handler.ErrNoCredentials, err)
	}
	if s.cfg.Tenant != nil && s.cfg.Tenant(r) != c.Tenant {
		return nil, fmt.Errorf("%w: the token is another tenant's", handler.ErrNoCredentials)
	}
	return r.WithContext(context.WithValue(r.Context(), ctxKey{}, c.Tenant)), nil
}

// verify checks a token and returns its claims.
func (s *Server) verify(token string) (claims, error) {
	var c claims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, errors.New("not a signed token")
	}
	var h header
	hb, err1 := b64.DecodeString(parts[0])
	sig, err2 := b64.DecodeString(parts[2])
	if err1 != nil || err2 != nil || json.Unmarshal(hb, &h) != nil {
		return c, errors.New("malformed token")
	}
	key, ok := s.keys[h.Kid]
	if h.Alg != "HS256" || !ok {
		return c, errors.New("unknown algorithm or key")
	}
	if !hmac.Equal(sig, sign(key, parts[0]+"."+parts[1])) {
		return c, errors.New("bad signature")
	}
	cb, err := b64.DecodeString(parts[1])
	if err != nil || json.Unmarshal(cb, &c) != nil {
		return c, errors.New("malformed claims")
	}
	switch now := s.cfg.Now().Unix(); {
	case now >= c.Expires:
		return c, errors.New("expired")
	case c.Issuer != s.cfg.Issuer || c.Audience != s.cfg.Audience:
		return c, errors.New("another issuer or audience")
	}
	if cl, ok := s.clients[c.Subject]; !ok || cl.tenant != c.Tenant {
		return c, errors.New("the client is no longer configured so")
	}
	return c, nil
}
