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
// and every other attribute in a map of canonical Go values: string, bool,
// int64, float64, time.Time for dateTime, []byte for binary, map[string]any
// for complex values and []any for multi-valued ones. Reading request bodies
// into resources, validating writes against these schemas and writing
// responses is the handler's work; a host only declares the schemas.
//
// # Errors
//
// Every rejection of client input is an [*Error] carrying the HTTP status and
// the RFC 7644 §3.12 scimType; use errors.As to inspect it.
//
// # Concurrency
//
// Schemas and resource types are read-only once in use and safe for
// concurrent use. The functions in this package never modify the resources
// they are given.
package schema
