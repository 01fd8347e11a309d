package memory

import (
	"context"
	"unsafe"

	"github.com/scimkit/scimkit/schema"
)

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

// KeyInJSON reports whether the id map's key for resource id points into
// the JSON of the resource's current state, so that the key keeps no older
// version's JSON alive.
func KeyInJSON(s *Store, ctx context.Context, id string) bool {
	p := s.part(ctx)
	p.mu.RLock()
	defer p.mu.RUnlock()
	for k, e := range p.byID {
		if k == id {
			base := uintptr(unsafe.Pointer(unsafe.StringData(e.st.enc())))
			at := uintptr(unsafe.Pointer(unsafe.StringData(k)))
			return at >= base && at < base+uintptr(len(e.st.enc()))
		}
	}
	return false
}
