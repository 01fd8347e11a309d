package handler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// Endpoint is a resource type served by the handler, at its endpoint
// (schema.ResourceType.Endpoint, such as "/Users"), and the store that
// holds its resources.
type Endpoint struct {
	Type  *schema.ResourceType
	Store store.Store
}

// AuthenticationScheme describes one way clients authenticate, for the
// authenticationSchemes of /ServiceProviderConfig (RFC 7643 §5).
// Authentication itself is the host's middleware.
type AuthenticationScheme struct {
	Type             string `json:"type"` // "oauthbearertoken", "httpbasic", "oauth2", ...
	Name             string `json:"name"`
	Description      string `json:"description"`
	SpecURI          string `json:"specUri,omitempty"`
	DocumentationURI string `json:"documentationUri,omitempty"`
	Primary          bool   `json:"primary,omitempty"`
}

// Config configures a Handler. The zero value of each field is its
// documented default; New checks the whole configuration once.
type Config struct {
	// Endpoints are the resource types served, each at its endpoint. At
	// least one is required; names, ids and endpoints must be distinct.
	Endpoints []Endpoint

	// BaseURL is the absolute URL the handler is mounted at, such as
	// "https://app.example.com/scim/v2", used for Location and
	// meta.location. Empty means derived from each request: its scheme and
	// Host, and the part of the request path that http.StripPrefix removed.
	// Set it in production: the Host header is the client's to choose, so
	// an empty BaseURL is safe only behind a proxy that accepts the
	// service's own host names alone.
	BaseURL string

	// Strict turns off the identity provider dialects (see package
	// documentation) and answers them with the RFC's errors.
	Strict bool

	// PatchNoContent answers a successful PATCH with 204 and no body, as
	// Entra ID advises for large groups, unless the request asks for
	// attributes (RFC 7644 §3.5.2). The default answers 200 with the
	// resource.
	PatchNoContent bool

	// MaxBodyBytes bounds request bodies; larger ones get 413. Default 4 MiB.
	MaxBodyBytes int64
	// MaxJSONDepth bounds how deeply a request body may nest objects and
	// arrays; deeper bodies get 400 invalidSyntax. Default 32, far more
	// than any SCIM message needs.
	MaxJSONDepth int
	// MaxAttributes bounds how many names "attributes" or
	// "excludedAttributes" may list; more get 400 invalidValue. Default 100.
	MaxAttributes int
	// MaxResults bounds "count" and is the page size when a request gives
	// none (RFC 7644 §3.4.2.4). Default 200.
	MaxResults int
	// MaxScan bounds how many resources a search may read from a store that
	// cannot search itself; beyond it the answer is 400 tooMany. Default
	// store.DefaultMaxScan.
	MaxScan int
	// FilterLimits bounds filters and paths. Zero fields take the filter
	// package's defaults.
	FilterLimits filter.Limits
	// MaxPatchOperations bounds the operations of one PATCH request, and
	// of all the PATCH operations of one Bulk request together; more get
	// 413 tooMany. An operation costs at most a pass over the values of
	// the attribute it names, so this bounds the work of a PATCH. Default
	// 1,000, far more than Entra ID or Okta send in one request.
	MaxPatchOperations int

	// RateLimit limits each tenant's requests: 429 with Retry-After past
	// the limit. The zero value limits nothing.
	RateLimit RateLimit

	// Bulk turns on /Bulk (RFC 7644 §3.7) and sets its limits, which
	// /ServiceProviderConfig advertises. The zero value leaves /Bulk off:
	// it answers 501.
	Bulk BulkConfig

	// Tenant, when set, makes the handler multi-tenant: it resolves the
	// tenant (a customer with its own identity provider) of each request,
	// and the handler puts it in the request's context (store.WithTenant),
	// where the stores read it to keep each tenant's resources apart.
	// Derive the tenant from the credentials: read what the Check given to
	// Authenticate put in the request's context. A path or host may name
	// the tenant only together with per-tenant credentials that Tenant
	// checks against it; a tenant taken from the path alone lets any
	// valid token reach every tenant. An error is answered as WriteError
	// answers it (a *schema.Error as it is, anything else 404). A BaseURL
	// holding "{tenant}" gets the tenant in its place; without a BaseURL,
	// mounting each tenant under a path of its own ("/scim/v2/{tenant}/...")
	// gives every Location its tenant's URL.
	Tenant func(r *http.Request) (string, error)

	// Me maps a request to the resource of the caller it authenticates, for
	// /Me (RFC 7644 §3.11): the name of the resource type (such as "User")
	// and the resource's id, typically read from what the host's
	// authentication middleware put in the request's context. An error is
	// answered as WriteError answers it: a *schema.Error as it is,
	// store.ErrNotFound as 404. Nil leaves /Me off: it answers 501.
	Me func(r *http.Request) (resourceType, id string, err error)

	// OnChange, when set, is called after every committed write (create,
	// replace, patch, delete, and each Bulk operation) with what changed,
	// so that a host can act on it: revoke a user's sessions when "active"
	// turns false, say. It runs in the request's goroutine before the
	// response is written; a write that changed nothing is not reported.
	// Delivery is at most once: the write is committed before the call, so
	// an error from OnChange (or a crash between the two) cannot undo it;
	// the error is logged. A host that must not miss a change reconciles
	// from the store. With OnChange set, PATCH, PUT and DELETE read the
	// resource first, so that Change.Before is exact.
	OnChange func(ctx context.Context, c Change) error

	// BeforeWrite, when set, is called before every write commits (create,
	// replace, patch and delete, each Bulk operation, and the changes the
	// handler makes to groups when a member is renamed or deleted), with
	// the resource before and after, and may refuse it: a *schema.Error is
	// answered as it is; any other error as 403 with its text as detail.
	// Use it for seat limits, to protect an owner from deprovisioning, or
	// to refuse emails outside a customer's domains.
	//
	// The write is made at the version the hook saw (a concurrent write
	// makes the handler read again and call the hook again), and the hook
	// and the commit of a tenant's writes of one resource type run one at
	// a time in this process, so a seat count it reads stays true until
	// its write is committed. With BeforeWrite set, PATCH reads the
	// resource, applies the operations and replaces it, so that the hook
	// sees the result. Several processes need a limit of their own (a
	// database constraint, say).
	BeforeWrite func(ctx context.Context, c Change) error

	// Observe, when set, is called once for every request served, after
	// the answer is written, with its audit record (Observation): wire it
	// to an audit log, Prometheus or OpenTelemetry. Endpoint is a route
	// pattern ("/Users/{id}"), never an id, so it is a safe metric label.
	// When Observe is nil, the record is logged through Logger at level
	// Info (one "scim request" line per request, 4xx included); a Logger
	// not enabled for Info skips the work.
	Observe func(ctx context.Context, o Observation)

	// PasswordHash makes what stores keep of a password: of a value a
	// client writes to "password" or to any other writeOnly string
	// attribute (RFC 7643 §4.1.1), in a POST, PUT, PATCH or Bulk request.
	// The handler calls it before validation hands the resource to the
	// store, so neither the store nor OnChange ever sees the password in
	// clear. Nil means HashPassword (PBKDF2-HMAC-SHA256, checked with
	// VerifyPassword). A host with a credential system of its own can hand
	// the password to it here and return "", which keeps nothing in the
	// store. An error fails the request with 500.
	PasswordHash func(ctx context.Context, password string) (string, error)
	// DropPasswords discards passwords (every writeOnly string attribute)
	// before any store sees them, and /ServiceProviderConfig then says
	// changePassword is not supported. Okta sends a password even when
	// password sync is off; a service that never checks passwords should
	// not keep them.
	DropPasswords bool

	// DropUnknownMembers drops from a write the members (the values of a
	// reference list such as a Group's "members") that name no resource
	// of the tenant, and logs them, instead of refusing the write with 400
	// invalidValue. It is for identity providers that push a group before
	// its users. Lists that may name a resource type the handler does not
	// serve (Groups served without Users) are never checked.
	DropUnknownMembers bool

	// AuthenticationSchemes are advertised in /ServiceProviderConfig. Nil
	// advertises an OAuth bearer token (RFC 6750), which is what
	// BearerToken, package oauth, Entra ID and Okta use; an empty,
	// non-nil slice advertises none.
	AuthenticationSchemes []AuthenticationScheme
	// DocumentationURI is advertised in /ServiceProviderConfig.
	DocumentationURI string

	// Logger receives one record for each failure the handler answers with
	// a 5xx status. Default slog.Default().
	Logger *slog.Logger
}

// BulkConfig configures /Bulk (RFC 7644 §3.7).
type BulkConfig struct {
	// MaxOperations is the most operations one Bulk request may hold;
	// more get 413. Zero turns /Bulk off.
	MaxOperations int
	// MaxPayloadBytes bounds the body of a Bulk request; a larger one gets
	// 413. Default 1 MiB. It replaces Config.MaxBodyBytes for /Bulk.
	MaxPayloadBytes int64
}

// Handler serves the SCIM protocol (RFC 7644) for the configured resource
// types. It is an http.Handler; mount it under any prefix with
// http.StripPrefix. It is safe for concurrent use.
type Handler struct {
	cfg        Config
	types      []*resourceType
	byEndpoint map[string]*resourceType // lower-case endpoint without "/"
	schemas    []*schema.Schema         // every schema served by /Schemas
	log        *slog.Logger
	lists      []referenceList          // the reference lists of the served types
	limiters   *limiters                // per tenant; nil when unlimited
	writeLocks [64]sync.Mutex           // BeforeWrite's, by tenant and resource type
	byName     map[string]*resourceType // by lower-cased name
	byType     map[*schema.ResourceType]*resourceType
	patchOpts  patch.Options
	decodeOpts document.DecodeOptions
	walks      walks // where pages of lists by startIndex ended
}

type resourceType struct {
	rt      *schema.ResourceType
	store   store.Store
	secrets []secret // the writeOnly attributes, whose values are protected
	// The patterns of its routes, for Observe: "/Users", "/Users/.search",
	// "/Users/{id}".
	listPattern, searchPattern, idPattern string
	inverses                              []inverse // computed on reads, such as User.groups
	hasLists                              bool      // it has reference lists, such as Group.members
	referenced                            bool      // some list may name its resources
}

// New checks cfg and returns a Handler. It reports configuration errors:
// no resource type, an invalid schema, duplicate names, ids or endpoints,
// a missing store, or an invalid BaseURL.
func New(cfg Config) (*Handler, error) {
	if len(cfg.Endpoints) == 0 {
		return nil, errors.New("handler: Config.Endpoints is empty")
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 4 << 20
	}
	if cfg.MaxResults <= 0 {
		cfg.MaxResults = 200
	}
	if cfg.MaxScan <= 0 {
		cfg.MaxScan = store.DefaultMaxScan
	}
	if cfg.MaxJSONDepth <= 0 {
		cfg.MaxJSONDepth = 32
	}
	if cfg.MaxAttributes <= 0 {
		cfg.MaxAttributes = 100
	}
	if cfg.MaxPatchOperations <= 0 {
		cfg.MaxPatchOperations = 1000
	}
	if cfg.Bulk.MaxOperations < 0 {
		return nil, errors.New("handler: Config.Bulk.MaxOperations is negative")
	}
	if cfg.Bulk.MaxPayloadBytes <= 0 {
		cfg.Bulk.MaxPayloadBytes = 1 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	if cfg.BaseURL != "" && !strings.HasPrefix(cfg.BaseURL, "http://") && !strings.HasPrefix(cfg.BaseURL, "https://") {
		return nil, fmt.Errorf("handler: Config.BaseURL %q must be an absolute http or https URL", cfg.BaseURL)
	}
	h := &Handler{
		cfg: cfg, byEndpoint: map[string]*resourceType{}, log: cfg.Logger,
		patchOpts:  patch.Options{Strict: cfg.Strict, Limits: cfg.FilterLimits, MaxOperations: cfg.MaxPatchOperations},
		decodeOpts: document.DecodeOptions{Strict: cfg.Strict, ValidUTF8: true}, // readBody checked every body Decode reads
	}
	names := map[string]bool{}
	schemaIDs := map[string]*schema.Schema{}
	for i, t := range cfg.Endpoints {
		if t.Type == nil || t.Store == nil {
			return nil, fmt.Errorf("handler: Config.Endpoints[%d] needs a Type and a Store", i)
		}
		if err := t.Type.Validate(); err != nil {
			return nil, fmt.Errorf("handler: %w", err)
		}
		id := t.Type.ID
		if id == "" {
			id = t.Type.Name
		}
		for _, n := range []string{"name:" + strings.ToLower(t.Type.Name), "id:" + strings.ToLower(id)} {
			if names[n] {
				return nil, fmt.Errorf("handler: two resource types have the %s", n)
			}
			names[n] = true
		}
		ep := strings.ToLower(strings.TrimPrefix(t.Type.Endpoint, "/"))
		if _, _, protocol := protocolRoute(ep); protocol || h.byEndpoint[ep] != nil {
			return nil, fmt.Errorf("handler: endpoint %q is used twice or is reserved", t.Type.Endpoint)
		}
		rt := &resourceType{rt: t.Type, store: t.Store, secrets: secretsOf(t.Type),
			listPattern: t.Type.Endpoint, searchPattern: t.Type.Endpoint + "/.search", idPattern: t.Type.Endpoint + "/{id}"}
		h.types = append(h.types, rt)
		h.byEndpoint[ep] = rt
		for _, s := range append([]*schema.Schema{t.Type.Schema}, extensionSchemas(t.Type)...) {
			if prev, ok := schemaIDs[strings.ToLower(s.ID)]; ok {
				if prev != s {
					return nil, fmt.Errorf("handler: two different schemas have the id %q", s.ID)
				}
				continue
			}
			schemaIDs[strings.ToLower(s.ID)] = s
			h.schemas = append(h.schemas, s)
		}
	}
	h.lists = referenceListsOf(h.types)
	h.limiters = newLimiters(cfg.RateLimit)
	h.byName, h.byType = map[string]*resourceType{}, map[*schema.ResourceType]*resourceType{}
	for _, t := range h.types {
		h.byName[strings.ToLower(t.rt.Name)] = t
		h.byType[t.rt] = t
	}
	for _, l := range h.lists {
		l.t.hasLists = true
		for _, t := range h.types {
			if document.References(l.attr, t.rt.Name) {
				t.referenced = true
			}
		}
	}
	for _, t := range h.types {
		t.inverses = inversesOf(t, h.lists)
	}
	// RFC 7644 §4: /Schemas lists all supported schemas, which include
	// those of the discovery resources themselves (RFC 7643 §8.7.2).
	for _, s := range document.DiscoverySchemas() {
		if _, ok := schemaIDs[strings.ToLower(s.ID)]; !ok {
			h.schemas = append(h.schemas, s)
		}
	}
	return h, nil
}

func extensionSchemas(rt *schema.ResourceType) []*schema.Schema {
	out := make([]*schema.Schema, len(rt.Extensions))
	for i, e := range rt.Extensions {
		out[i] = e.Schema
	}
	return out
}

// ServeHTTP routes a request (RFC 7644 §3.2).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Observe != nil || h.log.Enabled(r.Context(), slog.LevelInfo) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() { h.audit(r, sw, time.Since(start)) }()
		w = sw
	}
	if h.cfg.Tenant != nil {
		tenant, err := h.cfg.Tenant(r)
		if err != nil {
			var se *schema.Error
			if !errors.As(err, &se) {
				se = &schema.Error{Status: http.StatusNotFound, Detail: "no such tenant"}
			}
			writeError(w, se)
			return
		}
		r = r.WithContext(store.WithTenant(r.Context(), tenant))
	}
	if h.limiters != nil {
		if d := h.limiters.wait(store.Tenant(r.Context()), time.Now()); d > 0 {
			tooManyRequests(w, d)
			return
		}
	}
	h.serve(w, r)
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !strings.HasSuffix(r.URL.Path, "/.search") {
		// It may have written: the tenant's walks start again.
		h.walks.wrote(store.Tenant(r.Context()))
	}
}

// serve routes a request.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			id := requestID(r)
			h.log.ErrorContext(r.Context(), "scimkit: panic while serving a request", "request_id", id, "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			writeError(w, internalError(id))
		}
	}()
	q, err := readParams(r.URL.RawQuery)
	if err != nil {
		err = document.InvalidValueError("the query string is not valid: %v", err)
	} else {
		err = h.checkParams(&q)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	segs := splitPath(r.URL.Path)
	for _, s := range segs {
		if !printable(s) {
			// No id or endpoint holds one: refuse it before a store sees
			// it (PostgreSQL would fail on NUL or invalid UTF-8).
			writeError(w, document.InvalidValueError("the request path holds a control character or is not valid UTF-8"))
			return
		}
	}
	rt := h.match(segs)
	if rt.discovery && q.has(pFilter) {
		// RFC 7644 §4: discovery endpoints do not filter, and say so
		// rather than let a client believe a filter was applied.
		writeError(w, &schema.Error{Status: http.StatusForbidden, Detail: "/" + segs[0] + " does not support filtering"})
		return
	}
	switch rt.kind {
	case routeRoot:
		methods(w, r, func() { h.listAll(w, r, &q) }, nil)
	case routeRootSearch:
		methods(w, r, nil, func() { h.searchAll(w, r) })
	case routeServiceProviderConfig:
		methods(w, r, func() { h.serviceProviderConfig(w, r) }, nil)
	case routeResourceTypes:
		methods(w, r, func() { h.resourceTypes(w, r, rt.rest) }, nil)
	case routeSchemas:
		methods(w, r, func() { h.schemasEndpoint(w, r, rt.rest) }, nil)
	case routeBulk:
		methods(w, r, nil, func() { h.bulk(w, r) })
	case routeMe:
		h.me(w, r)
	case routeList:
		// The resource routes, the hot ones, call no closure.
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			h.list(w, r, rt.t, &q)
		case http.MethodPost:
			h.create(w, r, rt.t)
		default:
			notAllowed(w, r, http.MethodGet, http.MethodPost)
		}
	case routeSearch:
		if r.Method != http.MethodPost {
			notAllowed(w, r, http.MethodPost)
			return
		}
		h.search(w, r, rt.t)
	case routeResource:
		h.serveResource(w, r, rt.t, rt.rest[0])
	case routeNone:
		if rt.t != nil {
			writeError(w, &schema.Error{Status: http.StatusNotFound, Detail: fmt.Sprintf("no resource at %q", r.URL.Path)})
			return
		}
		writeError(w, &schema.Error{Status: http.StatusNotFound, Detail: fmt.Sprintf("no endpoint %q", "/"+segs[0])})
	}
}

// notAllowed answers 405 with the allowed methods (RFC 9110 §15.5.6).
func notAllowed(w http.ResponseWriter, r *http.Request, allowed ...string) {
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeError(w, &schema.Error{Status: http.StatusMethodNotAllowed, Detail: fmt.Sprintf("%s is not allowed here; use %s", r.Method, strings.Join(allowed, " or "))})
}

// printable reports whether s is valid UTF-8 without ASCII control
// characters (U+0000 included).
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return false
		} else if c >= utf8.RuneSelf {
			return utf8.ValidString(s[i:])
		}
	}
	return true
}

// baseURL returns the URL the handler is mounted at for request r.
func (h *Handler) baseURL(r *http.Request) string {
	if h.cfg.BaseURL != "" {
		if strings.Contains(h.cfg.BaseURL, "{tenant}") {
			return strings.ReplaceAll(h.cfg.BaseURL, "{tenant}", url.PathEscape(store.Tenant(r.Context())))
		}
		return h.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	full := r.RequestURI
	if i := strings.IndexByte(full, '?'); i >= 0 {
		full = full[:i]
	}
	if strings.HasPrefix(full, "http://") || strings.HasPrefix(full, "https://") {
		// An absolute request URI (a proxy request): keep its path only.
		if i := strings.Index(full[8:], "/"); i >= 0 {
			full = full[8+i:]
		}
	}
	prefix := ""
	if rest := r.URL.EscapedPath(); strings.HasSuffix(full, rest) {
		prefix = strings.TrimSuffix(full[:len(full)-len(rest)], "/")
	}
	return scheme + "://" + r.Host + prefix
}

// WriteError writes err as a SCIM error response (RFC 7644 §3.12) with the
// status and scimType it carries: a *schema.Error's, the store sentinels'
// (404, 409 uniqueness, 412, 400 tooMany), or 500 for anything else. Host
// middleware uses it to answer in SCIM's format, for example:
//
//	handler.WriteError(w, &schema.Error{Status: http.StatusUnauthorized, Detail: "missing bearer token"})
func WriteError(w http.ResponseWriter, err error) { writeError(w, toSCIM(err)) }

// toSCIM maps an error to the *schema.Error the client sees.
func toSCIM(err error) *schema.Error {
	var se *schema.Error
	var ce *store.ConflictError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &se):
		return se
	case errors.As(err, &ce):
		return document.UniquenessError("%s is already in use by another resource", ce.Attribute)
	case errors.Is(err, store.ErrConflict):
		return document.UniquenessError("a unique value is already in use by another resource")
	case errors.Is(err, store.ErrNotFound):
		return &schema.Error{Status: http.StatusNotFound, Detail: "resource not found"}
	case errors.Is(err, store.ErrVersionMismatch):
		return &schema.Error{Status: http.StatusPreconditionFailed, Detail: "the resource has changed: its version does not match If-Match"}
	case errors.Is(err, store.ErrScanLimit):
		return &schema.Error{Status: http.StatusBadRequest, Type: schema.ScimTooMany, Detail: err.Error(), Err: err}
	case errors.As(err, &mbe):
		return &schema.Error{Status: http.StatusRequestEntityTooLarge, Detail: fmt.Sprintf("the request body is larger than %d bytes", mbe.Limit)}
	}
	return &schema.Error{Status: http.StatusInternalServerError, Detail: "internal error", Err: err}
}

// fail answers err, logging it when it is the server's fault.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	se := toSCIM(err)
	if se.Status >= 500 {
		id := requestID(r)
		h.log.ErrorContext(r.Context(), "scimkit: request failed", "request_id", id, "method", r.Method, "path", r.URL.Path, "error", err)
		if se.Status == http.StatusInternalServerError && se.Type == "" {
			se = internalError(id)
		}
	}
	writeError(w, se)
}

// requestID returns the request's X-Request-Id, or a new random id, to
// tie a 5xx answer to its log record.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 128 {
		return id
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// internalError is the answer to a failure the client cannot fix: it says
// nothing of the cause, which is logged under the request id.
func internalError(id string) *schema.Error {
	return &schema.Error{Status: http.StatusInternalServerError, Detail: "internal error (request id " + id + ")"}
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

func writeError(w http.ResponseWriter, se *schema.Error) {
	if sw, ok := w.(*statusWriter); ok {
		sw.scimType, sw.detail = string(se.Type), se.Detail
	}
	b, _ := se.MarshalJSON() // a struct of strings always marshals
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(se.Status)
	_, _ = w.Write(b)
}

const contentType = "application/scim+json"

// noStore is the Cache-Control of every JSON answer: resources hold
// personal data that no shared or browser cache should keep. It is shared,
// so that setting it does not allocate; nothing changes it.
var noStore = []string{"no-store"}

// jsonType is the Content-Type of every JSON answer, shared as noStore is.
var jsonType = []string{contentType}

// writeJSON writes body with status and the SCIM content type.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Cache-Control"] = noStore
	h["Content-Type"] = jsonType
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Observation is the audit record of one request served, for
// Config.Observe. It never holds a body, a password or a token.
type Observation struct {
	RequestID    string        // the X-Request-Id header, or one made up
	Tenant       string        // the request's tenant (Config.Tenant); "" for one tenant
	Method       string        // the HTTP method
	Endpoint     string        // the route: "/Users", "/Users/{id}", "/Users/.search", "/Bulk", "/Schemas/{id}", "other"...
	ResourceType string        // the resource type of a resource route, such as "User"
	ID           string        // the resource's id, the one created by a POST included
	Operation    string        // create, read, replace, patch, delete, search, bulk, discovery, or "" (no route)
	Status       int           // the HTTP status answered
	ScimType     string        // the error's scimType (RFC 7644 §3.12), if any
	Detail       string        // the error's detail, if any
	Duration     time.Duration // from the call of ServeHTTP to its return
}

// statusWriter remembers what the audit record needs of an answer.
type statusWriter struct {
	http.ResponseWriter
	status           int
	scimType, detail string // of an error answer
	id               string // of a resource created
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
