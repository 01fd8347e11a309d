package document

import (
	"net/http"

	"github.com/scimkit/scimkit/schema"
)

// The constructors below are the engine's shorthand for the errors of
// RFC 7644 §3.12 it returns; hosts use schema.NewError.

func errBadRequest(t schema.ScimType, format string, args []any) *schema.Error {
	return schema.NewError(http.StatusBadRequest, t, format, args...)
}

// InvalidFilterError returns a 400 invalidFilter error.
func InvalidFilterError(format string, args ...any) *schema.Error {
	return errBadRequest(schema.ScimInvalidFilter, format, args)
}

// TooManyError returns a 400 tooMany error.
func TooManyError(format string, args ...any) *schema.Error {
	return errBadRequest(schema.ScimTooMany, format, args)
}

// UniquenessError returns a 409 uniqueness error.
func UniquenessError(format string, args ...any) *schema.Error {
	return schema.NewError(http.StatusConflict, schema.ScimUniqueness, format, args...)
}

// MutabilityError returns a 400 mutability error.
func MutabilityError(format string, args ...any) *schema.Error {
	return errBadRequest(schema.ScimMutability, format, args)
}

// InvalidSyntaxError returns a 400 invalidSyntax error.
func InvalidSyntaxError(format string, args ...any) *schema.Error {
	return errBadRequest(schema.ScimInvalidSyntax, format, args)
}

// InvalidPathError returns a 400 invalidPath error.
func InvalidPathError(format string, args ...any) *schema.Error {
	return errBadRequest(schema.ScimInvalidPath, format, args)
}

// NoTargetError returns a 400 noTarget error.
func NoTargetError(format string, args ...any) *schema.Error {
	return errBadRequest(schema.ScimNoTarget, format, args)
}

// InvalidValueError returns a 400 invalidValue error.
func InvalidValueError(format string, args ...any) *schema.Error {
	return errBadRequest(schema.ScimInvalidValue, format, args)
}

// InvalidVersError returns a 400 invalidVers error.
func InvalidVersError(format string, args ...any) *schema.Error {
	return errBadRequest(schema.ScimInvalidVers, format, args)
}

// SensitiveError returns a 400 sensitive error.
func SensitiveError(format string, args ...any) *schema.Error {
	return errBadRequest(schema.ScimSensitive, format, args)
}
