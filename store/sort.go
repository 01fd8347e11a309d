package store

import (
	"slices"
	"strings"

	"github.com/scimkit/scimkit/schema"
)

func sortByID(rs []*schema.Resource) {
	slices.SortFunc(rs, func(a, b *schema.Resource) int { return strings.Compare(a.ID, b.ID) })
}
