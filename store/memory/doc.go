// Package memory is an in-memory store.Store: the default store of the
// example server and a ready-made store for a host's tests.
//
// [New] returns a store that is also a store.Searcher and a
// store.Patcher, safe for concurrent use. It keeps each tenant's resources
// (store.Tenant of the context) apart: ids, versions, uniqueness and
// searches never cross tenants.
//
// # How resources are kept
//
// Every resource, whatever its type, is kept the same way: as the JSON
// that the default projection writes for it, one string per version
// (which the garbage collector does not scan), with two kinds of values
// beside it:
//
//   - values that JSON leaves out, such as a password (returned "never");
//   - reference lists: the multi-valued complex attributes with "value"
//     and "$ref" sub-attributes that clients write, such as a Group's
//     "members" (RFC 7643 §4.2). They are kept as lists, indexed by value
//     when first patched, so that adding one member to a group of 100,000
//     writes one member.
//
// A stored version is never changed: a write stores a new one, which
// shares the lists it did not change. Create and Replace store a resource
// as its JSON reads back: canonical values, no attributes the schema does
// not define; a value of the wrong type is refused. Get and Search decode
// what they return, a new Resource each call whose reference lists are
// shared: treat them as read-only. For resource types without reference
// lists (users and most custom types), scimkit's handler answers reads
// with the stored JSON, decoding and encoding nothing. A typical
// Entra-shaped user takes a few heap objects (docs/performance.md in the
// repository has the measured figures).
//
// # Searches, writes and PATCH
//
// Uniqueness (RFC 7643 §7: server and global) is enforced atomically,
// case-insensitively unless the attribute is caseExact, with indexes on
// id, externalId and every unique attribute, so that `userName eq "x"`
// and `externalId eq "x"` cost the same with a million resources as with
// ten. Other filters read every resource of the tenant, decoding only the
// attributes they read. A sorted search holds only the resources up to
// the end of the page.
//
// A write is prepared (decoded, patched, encoded) before the store's lock
// is taken, so a long PATCH holds up no other request; if another write
// came first it is prepared again, so concurrent PATCHes never fail on
// each other's versions and never lose a write. A PATCH that only sets
// simple values (Entra ID replacing title and displayName, Okta setting
// active to false: an add or replace of single-valued, readWrite, not
// unique attributes returned by default) is written into the stored JSON
// without decoding the resource, with the result patch.Apply gives.
// Through scimkit's handler, a POST whose body has the common shape
// (strings of printable ASCII, booleans, complex values; no password, no
// reference list) is stored from the body's JSON, put in schema order,
// without decoding it into a Resource, as the decoded body would be
// stored.
// Operations that name a reference list's elements by value (an add of
// members, a remove of members[value eq "x"]) are applied under the lock
// to those elements alone, at a cost set by the request, not by the
// list's length.
//
// # Limits
//
// Everything lives in the process's memory and is lost when it exits;
// uniqueness and indexes cover top-level attributes (core and extension),
// not sub-attributes; a search without an indexed equality reads every
// resource, which is fine for tens of thousands of resources and slow for
// millions.
package memory
