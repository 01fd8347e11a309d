// Package handler serves the SCIM 2.0 protocol (RFC 7644) as one
// http.Handler: resource endpoints, searches, discovery, ETags and RFC error
// bodies, for the resource types and stores a host configures.
//
// # Mounting
//
// A Handler routes below whatever prefix it is mounted at:
//
//	users, groups := schema.Users(), schema.Groups()
//	h, err := handler.New(handler.Config{Endpoints: []handler.Endpoint{
//		{Type: users, Store: memory.New(users, memory.Options{})},
//		{Type: groups, Store: memory.New(groups, memory.Options{})},
//	}})
//	if err != nil { ... }
//	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", auth(h)))
//
// Outgoing URLs (Location, meta.location) come from Config.BaseURL or, when
// it is empty, from the request: its Host and the prefix StripPrefix
// removed. The Host header is the client's to choose: set Config.BaseURL
// in production.
//
// # Endpoints
//
// For each resource type at its endpoint ("/Users"): POST creates (201 with
// Location and ETag), GET /{id} reads (304 for a matching If-None-Match),
// PUT /{id} replaces, PATCH /{id} patches (200 with the resource, or 204
// with Config.PatchNoContent), DELETE /{id} deletes (204); GET lists with
// filter, sortBy, sortOrder, startIndex, count, attributes and
// excludedAttributes, and POST /.search does the same from a body. GET / and
// POST /.search search every type. /ServiceProviderConfig, /ResourceTypes
// and /Schemas describe what is configured. If-Match on PUT, PATCH and
// DELETE gives 412 when the version differs.
//
// With Config.Bulk, POST /Bulk carries out many operations in one request
// (RFC 7644 §3.7): "bulkId:x" in a path or a value refers to the resource
// created by the POST operation with bulkId x, and operations run in the
// order those references need, whatever their order in the request;
// circular references fail with 409; failOnErrors stops early. Operations
// are not atomic together: each is its own write, as in separate requests.
// With Config.Me, /Me acts on the caller's own resource (RFC 7644 §3.11).
// Without them, /Bulk and /Me answer 501.
//
// # Errors
//
// Every error is the RFC 7644 §3.12 body with the right status and
// scimType; unknown routes get 404 and unsupported methods 405. A panic in a
// store is recovered and answered with 500. No request writes partially.
// WriteError lets host middleware answer in the same format.
//
// # Authentication
//
// Authentication and authorisation are the host's middleware: Authenticate
// with the Check that BearerToken returns, or a Check of the host's own. It
// fails closed: BearerToken refuses to be built without a usable token, and
// a Check that could not check is answered 503, not 401. The request's
// context reaches every store call, so the Check can put the tenant or the
// principal there; derive the tenant from the credentials (see
// Config.Tenant).
//
// # Passwords
//
// A password (every writeOnly string attribute) reaches stores and OnChange
// only as what Config.PasswordHash makes of it: by default HashPassword's
// salted PBKDF2 hash, which VerifyPassword checks. Config.DropPasswords
// keeps none. Attributes that are never returned cannot be filtered on or
// sorted by.
//
// # Limits
//
// Work per request is bounded by the request: body size, JSON depth,
// filter length, count, attribute lists, operations per PATCH
// (Config.MaxPatchOperations), scans of stores that cannot search, and
// Bulk size all have limits with defaults (see Config); a list holds at
// most startIndex+count resources at once. Serve the handler from an
// http.Server with timeouts, as the README's quick start does.
//
// # Identity provider dialects
//
// By default the handler accepts what Microsoft Entra ID and Okta send
// although RFC 7643 and RFC 7644 do not describe it (see packages schema and
// patch); Config.Strict answers it with the RFCs' errors instead.
package handler
