package document

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
	// keys holds the member names of the open objects, innermost last;
	// starts[d] is where level d's names begin in keys (-1 for an array).
	var keysBuf [32][]byte
	var startsBuf [16]int
	keys, starts := keysBuf[:0], startsBuf[:0]
	var key []byte                  // the last string read, until we know it is a name
	var big map[int]map[string]bool // the names of objects with many, by depth
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '{', '[':
			if len(starts) >= maxDepth {
				return InvalidSyntaxError("request body nests objects and arrays deeper than %d levels", maxDepth)
			}
			if c == '{' {
				starts = append(starts, len(keys))
			} else {
				starts = append(starts, -1)
			}
		case '}', ']':
			if n := len(starts); n > 0 {
				if starts[n-1] >= 0 {
					keys = keys[:starts[n-1]]
					delete(big, n-1)
				}
				starts = starts[:n-1]
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
			key = data[start+1 : min(i, len(data))]
		case ':':
			n := len(starts)
			if n == 0 || starts[n-1] < 0 || key == nil {
				continue
			}
			name := key
			if bytes.IndexByte(name, '\\') >= 0 {
				name = unescape(name)
			}
			level := keys[starts[n-1]:]
			if len(level) < 64 {
				for _, k := range level {
					if bytes.EqualFold(k, name) {
						return InvalidSyntaxError("request body has the member %q twice in one object (names are case-insensitive)", name)
					}
				}
			} else {
				if big == nil {
					big = map[int]map[string]bool{}
				}
				set := big[n-1]
				if set == nil {
					set = make(map[string]bool, 2*len(level))
					for _, k := range level {
						set[strings.ToLower(string(k))] = true
					}
					big[n-1] = set
				}
				lower := strings.ToLower(string(name))
				if set[lower] {
					return InvalidSyntaxError("request body has the member %q twice in one object (names are case-insensitive)", name)
				}
				set[lower] = true
			}
			keys = append(keys, name)
			key = nil
		}
	}
	return nil
}

// unescape returns the content of a JSON string with its escapes read.
func unescape(content []byte) []byte {
	var s string
	if err := json.Unmarshal(append(append([]byte{'"'}, content...), '"'), &s); err != nil {
		return content // invalid: the decoder will say so
	}
	return []byte(s)
}
