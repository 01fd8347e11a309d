package schema

import (
	"fmt"
	"strings"
)

// Type is an attribute's data type (RFC 7643 §2.3). The zero value is
// String, the RFC's default.
type Type uint8

// The attribute data types of RFC 7643 §2.3.
const (
	String    Type = iota // §2.3.1, the default
	Boolean               // §2.3.2
	Decimal               // §2.3.3
	Integer               // §2.3.4
	DateTime              // §2.3.5, an xsd:dateTime
	Binary                // §2.3.6, base64
	Reference             // §2.3.7, a URI
	Complex               // §2.3.8, has sub-attributes
)

var typeNames = [...]string{"string", "boolean", "decimal", "integer", "dateTime", "binary", "reference", "complex"}

// Mutability says whether and how an attribute may be modified (RFC 7643
// §7). The zero value is ReadWrite, the RFC's default.
type Mutability uint8

// The mutability values of RFC 7643 §7.
const (
	ReadWrite Mutability = iota // may be updated and read; the default
	ReadOnly                    // may not be modified; client input is ignored
	Immutable                   // may be set once (on create or when unset) and never changed
	WriteOnly                   // may be updated but is never returned
)

var mutabilityNames = [...]string{"readWrite", "readOnly", "immutable", "writeOnly"}

// Returned says when an attribute appears in a response (RFC 7643 §7). The
// zero value is ReturnedDefault, the RFC's default.
type Returned uint8

// The returned values of RFC 7643 §7.
const (
	ReturnedDefault Returned = iota // returned unless excluded; the default
	ReturnedAlways                  // returned whatever the request asks
	ReturnedNever                   // never returned
	ReturnedRequest                 // returned only when named in "attributes"
)

var returnedNames = [...]string{"default", "always", "never", "request"}

// Uniqueness says how an attribute's values must be unique (RFC 7643 §7).
// The zero value is UniquenessNone, the RFC's default.
type Uniqueness uint8

// The uniqueness values of RFC 7643 §7.
const (
	UniquenessNone   Uniqueness = iota // no uniqueness; the default
	UniquenessServer                   // unique within the service provider (per resource type)
	UniquenessGlobal                   // globally unique
)

var uniquenessNames = [...]string{"none", "server", "global"}

// String returns the RFC 7643 name, such as "dateTime".
func (t Type) String() string { return enumName(typeNames[:], uint8(t)) }

// String returns the RFC 7643 name, such as "readWrite".
func (m Mutability) String() string { return enumName(mutabilityNames[:], uint8(m)) }

// String returns the RFC 7643 name, such as "default".
func (r Returned) String() string { return enumName(returnedNames[:], uint8(r)) }

// String returns the RFC 7643 name, such as "server".
func (u Uniqueness) String() string { return enumName(uniquenessNames[:], uint8(u)) }

func enumName(names []string, v uint8) string {
	if int(v) < len(names) {
		return names[v]
	}
	return fmt.Sprintf("%d", v)
}

// enumText returns the RFC 7643 name of v, failing for a value no constant
// has.
func enumText(names []string, v uint8, what string) (string, error) {
	if int(v) < len(names) {
		return names[v], nil
	}
	return "", fmt.Errorf("schema: invalid %s %d", what, v)
}

// enumParse parses an RFC 7643 name, ignoring case (RFC 7643 §2.1); the
// empty string, an absent characteristic, is the RFC default (zero).
func enumParse(names []string, s, what string) (uint8, error) {
	if s == "" {
		return 0, nil
	}
	for i, n := range names {
		if strings.EqualFold(n, s) {
			return uint8(i), nil
		}
	}
	return 0, fmt.Errorf("schema: unknown %s %q (want one of %s)", what, s, strings.Join(names, ", "))
}
