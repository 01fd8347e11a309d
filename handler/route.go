package handler

import (
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scimkit/scimkit/store"
)

// routeKind is an endpoint of the protocol (RFC 7644 §3.2).
type routeKind uint8

const (
	routeNone                  routeKind = iota // no endpoint: 404
	routeRoot                                   // GET / (§3.4.2.1)
	routeRootSearch                             // POST /.search (§3.4.3)
	routeServiceProviderConfig                  // GET /ServiceProviderConfig (§4)
	routeResourceTypes                          // GET /ResourceTypes[/{id}] (§4)
	routeSchemas                                // GET /Schemas[/{id}] (§4)
	routeBulk                                   // POST /Bulk (§3.7)
	routeMe                                     // /Me (§3.11)
	routeList                                   // GET, POST /{endpoint}
	routeSearch                                 // POST /{endpoint}/.search
	routeResource                               // GET, PUT, PATCH, DELETE /{endpoint}/{id}
)

// route is where a request's path leads. match is the handler's one
// routing table: serve dispatches on it and Observe labels requests with
// its pattern.
type route struct {
	kind routeKind
	t    *resourceType // the resource type of a resource route, or of a path too deep under one
	rest []string      // the segments after the endpoint: {id}
	// pattern names the route for metrics, with ids as "{id}": "/Users",
	// "/Users/{id}", "/Schemas/{id}", "other"... Its values are bounded by
	// the configuration, not by what clients send.
	pattern string
	// discovery is set for every path under a discovery endpoint, which
	// refuses filters (§4) whatever follows.
	discovery bool
}

// protocolRoute returns the route of one of the protocol's own
// endpoints, named by its lower-cased first segment: the route of the
// endpoint itself, the pattern of its {id} routes ("" for none), and
// whether name is one.
func protocolRoute(name string) (r route, idPattern string, ok bool) {
	switch name {
	case "serviceproviderconfig":
		return route{kind: routeServiceProviderConfig, pattern: "/ServiceProviderConfig", discovery: true}, "", true
	case "resourcetypes":
		return route{kind: routeResourceTypes, pattern: "/ResourceTypes", discovery: true}, "/ResourceTypes/{id}", true
	case "schemas":
		return route{kind: routeSchemas, pattern: "/Schemas", discovery: true}, "/Schemas/{id}", true
	case "bulk":
		return route{kind: routeBulk, pattern: "/Bulk"}, "", true
	case "me":
		return route{kind: routeMe, pattern: "/Me"}, "", true
	case ".search":
		return route{kind: routeRootSearch, pattern: "/.search"}, "", true
	}
	return route{}, "", false
}

// match returns the route of a path split into segments. It allocates
// nothing for a resource route.
func (h *Handler) match(segs []string) route {
	switch {
	case len(segs) == 0:
		return route{kind: routeRoot, pattern: "/"}
	case len(segs) == 1 && segs[0] == ".search":
		return route{kind: routeRootSearch, pattern: "/.search"}
	}
	var lb [64]byte
	first := lowerKey(lb[:0], segs[0]) // the endpoint, lower-cased on the stack
	if r, idPattern, ok := protocolRoute(string(first)); ok && r.kind != routeRootSearch {
		switch {
		case len(segs) == 2 && idPattern != "":
			r.pattern = idPattern
		case len(segs) > 1:
			return route{kind: routeNone, pattern: "other", discovery: r.discovery}
		}
		r.rest = segs[1:]
		return r
	}
	t, ok := h.byEndpoint[string(first)]
	switch {
	case !ok:
		return route{kind: routeNone, pattern: "other"}
	case len(segs) == 1:
		return route{kind: routeList, t: t, pattern: t.listPattern}
	case len(segs) == 2 && segs[1] == ".search":
		return route{kind: routeSearch, t: t, pattern: t.searchPattern}
	case len(segs) == 2:
		return route{kind: routeResource, t: t, rest: segs[1:], pattern: t.idPattern}
	}
	return route{kind: routeNone, t: t, pattern: "other"}
}

// lowerKey appends strings.ToLower(s) to b: without allocating when s is
// ASCII and fits b's capacity.
func lowerKey(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(b, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// methods calls the function for the request's method, or answers 405
// with the allowed methods; HEAD is served as GET (RFC 9110 §9.3.2).
func methods(w http.ResponseWriter, r *http.Request, get, post func()) {
	switch {
	case get != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		get()
	case post != nil && r.Method == http.MethodPost:
		post()
	case get != nil && post != nil:
		notAllowed(w, r, http.MethodGet, http.MethodPost)
	case get != nil:
		notAllowed(w, r, http.MethodGet)
	default:
		notAllowed(w, r, http.MethodPost)
	}
}

// resourceMethods are the methods a resource's URL serves (RFC 7644 §3.2).
var resourceMethods = []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete}

// serveResource serves a request to resource id of t, at its own URL or
// at /Me, by its method.
func (h *Handler) serveResource(w http.ResponseWriter, r *http.Request, t *resourceType, id string) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.get(w, r, t, id)
	case http.MethodPut:
		h.replace(w, r, t, id)
	case http.MethodPatch:
		h.patch(w, r, t, id)
	case http.MethodDelete:
		h.delete(w, r, t, id)
	default:
		notAllowed(w, r, resourceMethods...)
	}
}

// splitPath splits a URL path into its non-empty segments.
func splitPath(p string) []string {
	segs := make([]string, 0, 4)
	for s := range strings.SplitSeq(p, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	return segs
}

// audit hands the audit record of request r, answered through sw, to
// Config.Observe, or logs it.
func (h *Handler) audit(r *http.Request, sw *statusWriter, d time.Duration) {
	rt := h.match(splitPath(r.URL.Path))
	o := Observation{
		RequestID: requestID(r), Tenant: store.Tenant(r.Context()), Method: r.Method, Endpoint: rt.pattern,
		Operation: rt.operation(r.Method), Status: sw.status, ScimType: sw.scimType, Detail: sw.detail, Duration: d,
	}
	if rt.t != nil && rt.kind != routeNone {
		o.ResourceType = rt.t.rt.Name
		if len(rt.rest) > 0 && rt.kind == routeResource {
			o.ID = rt.rest[0]
		}
	}
	if sw.id != "" {
		o.ID = sw.id
	}
	if h.cfg.Observe != nil {
		h.cfg.Observe(r.Context(), o)
		return
	}
	h.log.LogAttrs(r.Context(), slog.LevelInfo, "scim request",
		slog.String("request_id", o.RequestID), slog.String("tenant", o.Tenant), slog.String("method", o.Method),
		slog.String("endpoint", o.Endpoint), slog.String("resource_type", o.ResourceType), slog.String("id", o.ID),
		slog.String("operation", o.Operation), slog.Int("status", o.Status), slog.String("scim_type", o.ScimType),
		slog.String("detail", o.Detail), slog.Duration("duration", o.Duration))
}

// operation names what a request to the route does, for the audit record.
func (rt route) operation(method string) string {
	switch rt.kind {
	case routeList:
		if method == http.MethodPost {
			return "create"
		}
		return "search"
	case routeSearch, routeRoot, routeRootSearch:
		return "search"
	case routeResource, routeMe:
		switch method {
		case http.MethodGet, http.MethodHead:
			return "read"
		case http.MethodPut:
			return "replace"
		case http.MethodPatch:
			return "patch"
		case http.MethodDelete:
			return "delete"
		}
	case routeBulk:
		return "bulk"
	case routeServiceProviderConfig, routeResourceTypes, routeSchemas:
		return "discovery"
	}
	return ""
}
