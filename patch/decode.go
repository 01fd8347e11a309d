package patch

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

// Op is a PATCH operation (RFC 7644 §3.5.2).
type Op uint8

// The operations of RFC 7644 §3.5.2.1-§3.5.2.3.
const (
	Add Op = iota + 1
	Remove
	Replace
)

// String returns "add", "remove" or "replace".
func (o Op) String() string {
	switch o {
	case Add:
		return "add"
	case Remove:
		return "remove"
	case Replace:
		return "replace"
	}
	return "op?"
}

// Operation is one PATCH operation.
type Operation struct {
	Op   Op
	Path *filter.Path // nil when the operation has no path
	// Value is the operation's "value" as it came in, decoded against the
	// target attribute only when applied; nil when the member is absent.
	Value json.RawMessage
}

// Options controls decoding and applying. The zero value accepts the IdP
// dialects (see the package documentation).
type Options struct {
	// Strict rejects what RFC 7644 does not allow but Microsoft Entra ID and
	// Okta send.
	Strict bool
	// Limits bounds the paths and value filters in operations.
	Limits filter.Limits
	// MaxOperations bounds how many operations one PatchOp may hold; Decode
	// answers more with 413 tooMany. Each operation costs at most a pass
	// over the values of the attribute it names, so this bounds a PATCH's
	// work. Zero means 1,000, far more than Entra ID or Okta send in one
	// request.
	MaxOperations int
}

// defaultMaxOperations is the number of operations a PatchOp may hold when
// Options.MaxOperations is zero.
const defaultMaxOperations = 1000

// maxOperations returns the limit Options.MaxOperations sets.
func (o Options) maxOperations() int {
	if o.MaxOperations > 0 {
		return o.MaxOperations
	}
	return defaultMaxOperations
}

// tooManyError is the error for a PatchOp holding n operations, more than
// limit: 413 tooMany, as for a Bulk request over maxOperations (RFC 7644
// §3.7.4).
func tooManyError(n, limit int) *schema.Error {
	return &schema.Error{Status: 413, Type: schema.ScimTooMany,
		Detail: fmt.Sprintf("the PatchOp holds %d operations, more than the %d allowed in one request", n, limit)}
}

// Decode reads a PatchOp request body (RFC 7644 §3.5.2). Its "schemas" must
// name urn:ietf:params:scim:api:messages:2.0:PatchOp and "Operations" must
// hold at least one operation; member names match case-insensitively and
// "op" is case-insensitive unless opts.Strict. Errors are *schema.Error:
// invalidSyntax for the body's structure, invalidPath for a path that does
// not parse.
func Decode(data []byte, opts Options) ([]Operation, error) {
	if !utf8.Valid(data) {
		return nil, document.InvalidSyntaxError("request body is not valid UTF-8")
	}
	schemas, raw, ok := document.ParsePatchOp(data)
	if !ok {
		var err error
		if schemas, raw, err = decodeStd(data); err != nil {
			return nil, err
		}
	}
	if !slices.ContainsFunc(schemas, func(s string) bool { return strings.EqualFold(s, document.PatchOpSchema) }) {
		return nil, document.InvalidSyntaxError("\"schemas\" must contain %q (RFC 7644 §3.5.2)", document.PatchOpSchema)
	}
	if len(raw) == 0 {
		return nil, document.InvalidSyntaxError("\"Operations\" must hold at least one operation (RFC 7644 §3.5.2)")
	}
	if n, limit := len(raw), opts.maxOperations(); n > limit {
		return nil, tooManyError(n, limit)
	}
	ops := make([]Operation, len(raw))
	for i, o := range raw {
		if !o.HasOp {
			return nil, opErr(i, nil, "", document.InvalidSyntaxError("operation has no \"op\""))
		}
		switch {
		case o.Op == "add" || !opts.Strict && strings.EqualFold(o.Op, "add"):
			ops[i].Op = Add
		case o.Op == "remove" || !opts.Strict && strings.EqualFold(o.Op, "remove"):
			ops[i].Op = Remove
		case o.Op == "replace" || !opts.Strict && strings.EqualFold(o.Op, "replace"):
			ops[i].Op = Replace
		default:
			return nil, opErr(i, nil, "", document.InvalidSyntaxError("%q is not a PATCH operation; use \"add\", \"remove\" or \"replace\"", o.Op))
		}
		if o.HasPath && strings.TrimSpace(o.Path) != "" {
			p, err := opts.Limits.ParsePath(o.Path)
			if err != nil {
				return nil, opErr(i, &ops[i], o.Path, err)
			}
			ops[i].Path = &p
		}
		if len(o.Value) > 0 {
			ops[i].Value = o.Value
		}
		if ops[i].Op != Remove && ops[i].Value == nil {
			return nil, opErr(i, &ops[i], o.Path, document.InvalidSyntaxError("%s needs a \"value\" (RFC 7644 §3.5.2.1, §3.5.2.3)", ops[i].Op))
		}
		if ops[i].Op == Remove && ops[i].Path == nil {
			return nil, opErr(i, &ops[i], "", document.NoTargetError("remove needs a \"path\" (RFC 7644 §3.5.2.2)"))
		}
	}
	return ops, nil
}

// decodeStd reads a PatchOp body with encoding/json: the bodies
// document.ParsePatchOp leaves, and their errors.
func decodeStd(data []byte) ([]string, []document.RawOperation, error) {
	var body struct {
		Schemas    []string `json:"schemas"`
		Operations []struct {
			Op    *string         `json:"op"`
			Path  *string         `json:"path"`
			Value json.RawMessage `json:"value"`
		} `json:"Operations"`
	}
	if err := json.Unmarshal(data, &body); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, nil, &schema.Error{Status: 400, Type: schema.ScimInvalidSyntax, Err: err,
				Detail: fmt.Sprintf("PatchOp member %q has the wrong JSON type", te.Field)}
		}
		if _, perr := document.ParseJSON(data); perr != nil {
			return nil, nil, perr
		}
		return nil, nil, &schema.Error{Status: 400, Type: schema.ScimInvalidSyntax, Err: err, Detail: "request body is not a PatchOp: " + err.Error()}
	}
	raw := make([]document.RawOperation, len(body.Operations))
	for i, o := range body.Operations {
		raw[i].Value = o.Value
		if o.Op != nil {
			raw[i].Op, raw[i].HasOp = *o.Op, true
		}
		if o.Path != nil {
			raw[i].Path, raw[i].HasPath = *o.Path, true
		}
	}
	return body.Schemas, raw, nil
}

// OpError is the failure of one operation of a PATCH request. Err is a
// *schema.Error, so errors.As finds the status and scimType through it.
type OpError struct {
	Index int    // the operation's position in Operations, from 0
	Op    Op     // 0 when the op itself was not understood
	Path  string // the operation's path as written, "" if none
	Err   error
}

// Error returns the underlying error, whose detail names the operation.
func (e *OpError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying *schema.Error.
func (e *OpError) Unwrap() error { return e.Err }

// opErr wraps err for operation i, copying the SCIM status and scimType
// into a detail that names the operation.
func opErr(i int, op *Operation, path string, err error) error {
	oe := &OpError{Index: i, Path: path, Err: err}
	if op != nil {
		oe.Op = op.Op
	}
	var se *schema.Error
	if errors.As(err, &se) {
		// The detail a client sees names the operation.
		oe.Err = &schema.Error{Status: se.Status, Type: se.Type, Detail: oe.prefix() + se.Detail, Err: se.Err}
	} else {
		oe.Err = fmt.Errorf("%s%w", oe.prefix(), err)
	}
	return oe
}

func (e *OpError) prefix() string {
	s := fmt.Sprintf("operation %d", e.Index)
	if e.Op != 0 {
		s += " (" + e.Op.String()
		if e.Path != "" {
			s += " " + e.Path
		}
		s += ")"
	}
	return s + ": "
}
