package memory

import "github.com/scimkit/scimkit/schema"

// FoldKey exposes foldKey to the tests.
var FoldKey = foldKey

// LookupKey is the index key a lookup builds on the stack for value v of
// attribute a, as a string: it must equal the key the index stores.
func LookupKey(a *schema.Attribute, v any) string {
	var buf [128]byte
	return string(appendValueKey(buf[:0], a, v))
}

// ValueKey exposes valueKey, the key the index stores, to the tests.
var ValueKey = valueKey
