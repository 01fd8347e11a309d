package schema

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// ScimType is the "scimType" detail error keyword of RFC 7644 §3.12.
type ScimType string

// The scimType values of RFC 7644 §3.12, Table 9.
const (
	ScimInvalidFilter ScimType = "invalidFilter" // bad filter syntax or comparison
	ScimTooMany       ScimType = "tooMany"       // too many results, or too much work
	ScimUniqueness    ScimType = "uniqueness"    // a unique value is already in use
	ScimMutability    ScimType = "mutability"    // an attempt to change a value that may not change
	ScimInvalidSyntax ScimType = "invalidSyntax" // the request body does not conform to the schema
	ScimInvalidPath   ScimType = "invalidPath"   // a bad PATCH path
	ScimNoTarget      ScimType = "noTarget"      // a PATCH path that matches nothing
	ScimInvalidValue  ScimType = "invalidValue"  // a missing required value, or a value of the wrong kind
	ScimInvalidVers   ScimType = "invalidVers"   // an unsupported SCIM protocol version
	ScimSensitive     ScimType = "sensitive"     // sensitive data in the request URI
	ScimInvalidCursor ScimType = "invalidCursor" // RFC 9865: a cursor the service does not recognise
	ScimInvalidCount  ScimType = "invalidCount"  // RFC 9865: a count cursor paging cannot use
)

// errorSchema is the URN of the SCIM error message (RFC 7644 §3.12).
const errorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

// Error is a SCIM error: an HTTP status, an optional scimType and a detail a
// person can act on. Its JSON form is the RFC 7644 §3.12 error body, with
// the status written as a string.
//
// Use errors.As to find one in a chain:
//
//	var se *schema.Error
//	if errors.As(err, &se) && se.Type == schema.ScimUniqueness { ... }
type Error struct {
	Status int      // HTTP status code, such as 400
	Type   ScimType // may be empty
	Detail string   // human-readable explanation
	Err    error    // the underlying cause, if any; not written to clients
}

// Error returns "scim <status> <scimType>: <detail>".
func (e *Error) Error() string {
	if e.Type == "" {
		return "scim " + strconv.Itoa(e.Status) + ": " + e.Detail
	}
	return "scim " + strconv.Itoa(e.Status) + " " + string(e.Type) + ": " + e.Detail
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same status and scimType,
// so that errors.Is(err, &schema.Error{Status: 400, Type: schema.ScimMutability})
// works without comparing details.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Status == e.Status && t.Type == e.Type && (t.Detail == "" || t.Detail == e.Detail)
}

// MarshalJSON writes the RFC 7644 §3.12 error body.
func (e *Error) MarshalJSON() ([]byte, error) {
	type body struct {
		Schemas  []string `json:"schemas"`
		Status   string   `json:"status"`
		ScimType ScimType `json:"scimType,omitempty"`
		Detail   string   `json:"detail,omitempty"`
	}
	return json.Marshal(body{[]string{errorSchema}, strconv.Itoa(e.Status), e.Type, e.Detail})
}

// NewError returns an *Error with the given status, scimType and detail.
func NewError(status int, t ScimType, format string, args ...any) *Error {
	return &Error{Status: status, Type: t, Detail: fmt.Sprintf(format, args...)}
}
