package schema

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// CheckJSON checks what a JSON decoder lets through but a SCIM service
// should not accept in a request body, in one pass without allocating for
// ordinary bodies: invalid UTF-8; objects and arrays nested deeper than
// maxDepth; and an object with two members whose names are equal
// case-insensitively, which SCIM reads as the same attribute (RFC 7643
// §2.1) and which different parsers would resolve differently. It does not
// check the rest of the JSON syntax: the decoder does. Errors are *Error
// with scimType invalidSyntax, except for a string holding U+0000 (written
// \u0000), which no identity attribute needs and many databases cannot
// store: invalidValue.
func CheckJSON(data []byte, maxDepth int) error {
	if !utf8.Valid(data) {
		return InvalidSyntaxError("request body is not valid UTF-8")
	}
	type object struct {
		keys []string        // names seen so far, few in SCIM objects
		set  map[string]bool // the names once there are many
	}
	var stack []*object // nil entries for arrays
	var key []byte      // the last string read, until we know it is a name
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '{', '[':
			if len(stack) >= maxDepth {
				return InvalidSyntaxError("request body nests objects and arrays deeper than %d levels", maxDepth)
			}
			var o *object
			if c == '{' {
				o = &object{}
			}
			stack = append(stack, o)
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case '"':
			start := i
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					if bytes.HasPrefix(data[i+1:], []byte("u0000")) {
						return InvalidValueError("request body has a string holding U+0000 (NUL), which scimkit does not store")
					}
					i++
				}
			}
			key = data[start:min(i+1, len(data))]
		case ':':
			if len(stack) == 0 || stack[len(stack)-1] == nil || key == nil {
				continue
			}
			o := stack[len(stack)-1]
			name := memberName(key)
			if o.set != nil {
				if o.set[name] {
					return InvalidSyntaxError("request body has the member %q twice in one object (names are case-insensitive)", name)
				}
				o.set[name] = true
				continue
			}
			for _, k := range o.keys {
				if k == name {
					return InvalidSyntaxError("request body has the member %q twice in one object (names are case-insensitive)", name)
				}
			}
			o.keys = append(o.keys, name)
			if len(o.keys) > 16 {
				o.set = make(map[string]bool, 2*len(o.keys))
				for _, k := range o.keys {
					o.set[k] = true
				}
				o.keys = nil
			}
		}
	}
	return nil
}

// memberName returns the lower-cased name of a quoted JSON string.
func memberName(quoted []byte) string {
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		s = string(quoted) // invalid: the decoder will say so
	}
	return strings.ToLower(s)
}
