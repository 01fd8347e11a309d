package memory

import (
	"github.com/scimkit/scimkit/internal/fastpath"
	"github.com/scimkit/scimkit/store"
)

// Len returns how many resources s, a store New made, holds for all
// tenants.
func Len(s store.Store) int {
	m, ok := s.(*memStore)
	if !ok {
		m = s.(softStore).memStore
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	for _, p := range m.parts {
		p.mu.RLock()
		n += len(p.byID)
		p.mu.RUnlock()
	}
	return n
}

// Fast returns the fast paths of s, a store New made.
func Fast(s store.Store) fastpath.Store { return s.(fastpath.Provider).Fastpath() }
