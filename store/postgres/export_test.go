package postgres

import (
	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

// Table returns the table of s, a store New made, quoted and qualified.
func Table(s store.Store) string { return s.(*pgStore).table }

// Mapper returns the filter.Mapper of s, a store New made, over its table
// aliased r.
func Mapper(s store.Store) filter.Mapper { return s.(*pgStore).column }
