// Package schema is the SCIM 2.0 data model of RFC 7643: attribute
// characteristics, schemas, resource types, resources, and the rules every
// write must follow.
//
// # Model
//
// An [Attribute] carries every characteristic of RFC 7643 §7; their zero
// values are the RFC's defaults, so a struct literal means what the RFC
// means. A [Schema] is a URN and its attributes; a [ResourceType] binds a core
// schema and its extensions to an endpoint. [User], [Group] and
// [EnterpriseUser] return the core schemas exactly as RFC 7643 §4 defines
// them; [Users] and [Groups] return ready-made resource types. Each call
// returns fresh values, so changing one (to add an attribute, say) changes
// no other caller's schema.
//
// Schemas and resource types marshal to, and unmarshal from, the JSON
// representation of RFC 7643 §6 and §7, so a host can declare a custom
// schema in Go or load it from a file.
//
// # Resources
//
// A [Resource] holds the id, externalId and meta of RFC 7643 §3.1 as fields
// and every other attribute in a map of canonical Go values. [Decode] reads a
// request body into a Resource, matching names case-insensitively and
// converting values by their attribute's type; [ValidateCreate] and
// [ValidateReplace] apply mutability, required and primary rules and return
// the resource to store; [Projection] and [AppendJSON] write responses that
// honour "returned", "attributes" and "excludedAttributes". A store that
// keeps resources as the JSON AppendJSON writes hands them out as
// [Encoded]; [AppendEncoded] writes one under any projection without
// decoding it whole, and [DecodeEncoded] reads it back.
//
// # Identity provider dialects
//
// By default decoding accepts what Microsoft Entra ID and Okta send although
// RFC 7643 does not describe it (see [DecodeOptions]); DecodeOptions.Strict
// turns that off.
//
// # Errors
//
// Every rejection of client input is an [*Error] carrying the HTTP status and
// the RFC 7644 §3.12 scimType; use errors.As to inspect it.
//
// # Concurrency
//
// Schemas, resource types and projections are read-only once in use and safe
// for concurrent use. The functions in this package never modify the
// resources they are given.
package schema
