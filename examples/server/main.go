// Command server is a SCIM 2.0 service provider with Users (with the
// EnterpriseUser extension) and Groups kept in memory: the quickest way to
// see scimkit work, and a program to copy from.
//
//	$ go run ./examples/server -token s3cr3t
//	scimkit example server listening url=http://127.0.0.1:8080/scim/v2
//
//	$ curl -s -H 'Authorization: Bearer s3cr3t' -H 'Content-Type: application/scim+json' \
//	    -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen@example.com","active":true}' \
//	    http://127.0.0.1:8080/scim/v2/Users
//	{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"8d2f…","userName":"bjensen@example.com","active":true,"meta":{…}}
//
//	$ curl -s -H 'Authorization: Bearer s3cr3t' \
//	    'http://127.0.0.1:8080/scim/v2/Users?filter=userName%20eq%20%22bjensen@example.com%22'
//	{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,…}
//
// Flags: -oauth (also an OAuth 2.0 token endpoint at /oauth/token, client
// credentials with client_id scimkit and the token as secret), -addr
// (default 127.0.0.1:8080), -token (or SCIMKIT_TOKEN; when
// neither is set a random token is generated and printed), -base-url (the
// public URL of the server, for Location and meta.location; set it when
// the server is reached through a proxy that does not check Host), -tenants
// acme=token1,globex=token2 to serve several tenants whose tokens keep
// their users and groups apart, and -postgres
// with a DSN to keep the data in PostgreSQL (tables scim_user, scim_group
// and scim_group_members, created when missing) instead of in memory, -strict
// to follow the RFCs to the letter, and -rate R to limit each tenant to R
// requests per second, -max-users N for a seat limit. Every request needs "Authorization: Bearer <token>";
// each is logged on one line, the handler's audit record
// (handler.Observation), unless -quiet is given (for load tests). The
// server stops cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/oauth"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
	"github.com/scimkit/scimkit/store/postgres"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	token := flag.String("token", os.Getenv("SCIMKIT_TOKEN"), "bearer token clients must send (default $SCIMKIT_TOKEN, else random)")
	dsn := flag.String("postgres", "", "keep users and groups in this PostgreSQL database (a pgx DSN) instead of in memory")
	quiet := flag.Bool("quiet", false, "do not log each request (for load tests)")
	tenants := flag.String("tenants", "", "serve several tenants, each with its own token: name=token,name=token (replaces -token)")
	baseURL := flag.String("base-url", "", "the public URL clients reach the server at, such as https://scim.example.com/scim/v2, for Location and meta.location (default: taken from each request's Host, which only a trusted proxy makes safe)")
	withOAuth := flag.Bool("oauth", false, "also serve an OAuth 2.0 token endpoint at /oauth/token (client credentials: client_id scimkit, client_secret the token), as Entra ID gallery apps need, and accept its access tokens")
	softDelete := flag.Bool("soft-delete", false, "keep deleted users and groups (out of reads and searches, their userName free again) until purged")
	maxUsers := flag.Int("max-users", 0, "a seat limit: refuse (403) creating or reactivating a user past this many active users per tenant; 0: no limit")
	perSecond := flag.Float64("rate", 0, "limit each tenant to this many requests per second (bursts of as many), answering the rest 429 with Retry-After; 0: no limit")
	strict := flag.Bool("strict", false, "follow RFC 7643 and RFC 7644 to the letter: refuse what Entra ID and Okta send beyond them (handler.Config.Strict)")
	flag.Parse()
	level := slog.LevelInfo // the handler logs an audit record of every request at Info
	if *quiet {
		level = slog.LevelWarn // failures only
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if err := run(log, options{addr: *addr, token: *token, tenants: *tenants, dsn: *dsn, baseURL: *baseURL, oauth: *withOAuth, strict: *strict, rate: *perSecond, maxUsers: *maxUsers, softDelete: *softDelete}); err != nil {
		log.Error("scimkit example server failed", "error", err)
		os.Exit(1)
	}
}

// options are the server's flags.
type options struct {
	addr, token, tenants, dsn, baseURL string
	oauth, strict, softDelete          bool
	rate                               float64
	maxUsers                           int
}

func run(log *slog.Logger, o options) error {
	h, closeFn, err := serverHandler(log, &o)
	if err != nil {
		return err
	}
	defer closeFn()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	srv := httpServer(h)
	log.Info("scimkit example server listening", "url", "http://"+ln.Addr().String()+"/scim/v2")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serverHandler returns the server's handler for the options, and what
// closes its stores. A token left empty is made up and printed.
func serverHandler(log *slog.Logger, o *options) (http.Handler, func(), error) {
	token, tenants, dsn, baseURL := o.token, o.tenants, o.dsn, o.baseURL
	byToken, err := parseTenants(tenants)
	if err != nil {
		return nil, nil, err
	}
	if token == "" && byToken == nil {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		token = hex.EncodeToString(b)
		o.token = token
		fmt.Fprintf(os.Stderr, "no -token or SCIMKIT_TOKEN given; use this one:\n\n    Authorization: Bearer %s\n\n", token)
	}
	users, groups := schema.Users(), schema.Groups()
	// Entra ID expects a group's displayName to be unique and a duplicate
	// to get 409 uniqueness; RFC 7643 §4.2 does not require it (docs/idp.md).
	groups.Schema.Attribute("displayName").Uniqueness = schema.UniquenessServer
	userStore, groupStore, closeStores, err := stores(log, dsn, o.softDelete, users, groups)
	if err != nil {
		return nil, nil, err
	}
	ok := false
	defer func() {
		if !ok {
			closeStores()
		}
	}()
	cfg := handler.Config{
		Endpoints: []handler.Endpoint{
			{Type: users, Store: userStore},
			{Type: groups, Store: groupStore},
		},
		// Bulk requests of up to 1,000 operations and 4 MiB (RFC 7644 §3.7).
		Bulk:      handler.BulkConfig{MaxOperations: 1000, MaxPayloadBytes: 4 << 20},
		Logger:    log, // an audit record of every request at level Info (handler.Observation)
		BaseURL:   baseURL,
		Strict:    o.strict,
		RateLimit: handler.RateLimit{PerSecond: o.rate},
	}
	if o.maxUsers > 0 {
		if cfg.BeforeWrite, err = seatLimit(userStore, users, o.maxUsers); err != nil {
			return nil, nil, err
		}
	}
	var check handler.Check
	if byToken == nil {
		if check, err = handler.BearerToken(token); err != nil {
			return nil, nil, err
		}
	} else {
		// Each tenant's token selects its partition of the stores: the
		// tenant comes from the credentials, never from the request's path
		// or host.
		cfg.Tenant = func(r *http.Request) (string, error) { return r.Context().Value(tenantKey{}).(string), nil }
		checks := map[string]handler.Check{}
		for t, name := range byToken {
			if checks[name], err = handler.BearerToken(t); err != nil {
				return nil, nil, fmt.Errorf("-tenants: %s: %w", name, err)
			}
		}
		check = func(r *http.Request) (*http.Request, error) {
			for name, c := range checks {
				if _, err := c(r); err == nil {
					return r.WithContext(context.WithValue(r.Context(), tenantKey{}, name)), nil
				}
			}
			return nil, handler.ErrNoCredentials
		}
		log.Info("serving tenants", "count", len(byToken))
	}
	scim, err := handler.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	if o.oauth {
		if check, err = withTokenEndpoint(mux, check, token, baseURL, o.addr); err != nil {
			return nil, nil, err
		}
		log.Info("serving OAuth 2.0 client credentials", "token_endpoint", "/oauth/token", "client_id", oauthClient)
	}
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", handler.Authenticate(scim, check)))
	ok = true
	return mux, closeStores, nil
}

type tenantKey struct{}

// oauthClient is the client id of -oauth.
const oauthClient = "scimkit"

// withTokenEndpoint serves an OAuth 2.0 token endpoint (client
// credentials, RFC 6749 §4.4) at /oauth/token on mux, for the client
// "scimkit" whose secret is token, and returns a Check that accepts its
// access tokens as well as what check accepts. The signing key is made at
// start, so tokens do not outlive the process.
func withTokenEndpoint(mux *http.ServeMux, check handler.Check, token, baseURL, addr string) (handler.Check, error) {
	if token == "" {
		return nil, errors.New("-oauth needs -token (one tenant): its client secret is the token")
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	audience := baseURL
	if audience == "" {
		audience = "http://" + addr + "/scim/v2"
	}
	srv, err := oauth.New(oauth.Config{
		Issuer: audience, Audience: audience,
		Clients: []oauth.Client{{ID: oauthClient, Secret: token}},
		Keys:    []oauth.Key{{ID: "start", Secret: key}},
	})
	if err != nil {
		return nil, err
	}
	mux.Handle("/oauth/token", srv)
	return func(r *http.Request) (*http.Request, error) {
		if r2, err := srv.Check(r); err == nil {
			return r2, nil
		}
		return check(r)
	}, nil
}

// httpServer returns the server for h, with limits that keep a slow or
// silent client from holding a connection: headers must arrive within 10
// s and the whole request within 30 s, an answer must be written within a
// minute, and an idle keep-alive connection is closed after two.
func httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// parseTenants reads -tenants: name=token pairs, into tenants by token.
func parseTenants(spec string) (map[string]string, error) {
	if spec == "" {
		return nil, nil
	}
	out := map[string]string{}
	for _, pair := range strings.Split(spec, ",") {
		name, token, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || name == "" || token == "" {
			return nil, fmt.Errorf("-tenants: %q is not name=token", pair)
		}
		if _, dup := out[token]; dup {
			return nil, fmt.Errorf("-tenants: two tenants share a token")
		}
		out[token] = name
	}
	return out, nil
}

// stores returns the stores of users and groups: in memory, or in the
// PostgreSQL database at dsn, migrated first.
func stores(log *slog.Logger, dsn string, soft bool, users, groups *schema.ResourceType) (u, g store.Store, closeFn func(), err error) {
	if dsn == "" {
		return memory.New(users, memory.Options{SoftDelete: soft}), memory.New(groups, memory.Options{SoftDelete: soft}), func() {}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, nil, nil, err
	}
	var out []store.Store
	for _, rt := range []*schema.ResourceType{users, groups} {
		s, err := postgres.New(ctx, pool, rt, postgres.Options{SoftDelete: soft})
		if err != nil {
			pool.Close()
			return nil, nil, nil, err
		}
		out = append(out, s)
	}
	log.Info("keeping users and groups in PostgreSQL", "tables", "scim_user, scim_group, scim_group_members")
	return out[0], out[1], pool.Close, nil
}

// seatLimit returns a handler.Config.BeforeWrite that keeps at most n
// active users per tenant: creating an active user, or reactivating one,
// past the limit is refused with 403.
func seatLimit(users store.Store, rt *schema.ResourceType, n int) (func(context.Context, handler.Change) error, error) {
	e, err := filter.Parse(`active eq true`)
	if err != nil {
		return nil, err
	}
	active, err := filter.Compile(rt, e)
	if err != nil {
		return nil, err
	}
	isActive := func(r *schema.Resource) bool { return r != nil && r.Bool("active") }
	return func(ctx context.Context, c handler.Change) error {
		if c.Type != rt || !isActive(c.After) || isActive(c.Before) {
			return nil // takes no new seat
		}
		page, err := store.Search(ctx, users, &store.Query{Filter: active})
		if err != nil {
			return err
		}
		if page.Total >= n {
			return &schema.Error{Status: http.StatusForbidden, Detail: fmt.Sprintf("this service allows %d active users", n)}
		}
		return nil
	}, nil
}
