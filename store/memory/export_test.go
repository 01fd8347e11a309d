package memory

import (
	"context"
	"unsafe"
)

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
