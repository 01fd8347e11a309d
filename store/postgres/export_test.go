package postgres

import (
	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

// pg returns the store of s, a store New made.
func pg(s store.Store) *pgStore {
	if soft, ok := s.(softStore); ok {
		return soft.pgStore
	}
	return s.(*pgStore)
}

// Table returns the table of s, a store New made, quoted and qualified.
func Table(s store.Store) string { return pg(s).table }

// Mapper returns the filter.Mapper of s, a store New made, over its table
// aliased r.
func Mapper(s store.Store) filter.Mapper { return pg(s).column }
