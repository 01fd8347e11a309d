package handler

import (
	"context"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// referenceList is a reference list of a served resource type, such as a
// Group's "members" (document.IsReferenceList).
type referenceList struct {
	t    *resourceType
	attr *schema.Attribute
}

// referenceListsOf returns the reference lists of the core schemas of
// types.
func referenceListsOf(types []*resourceType) []referenceList {
	var out []referenceList
	for _, t := range types {
		for _, a := range t.rt.Schema.Attributes {
			if document.IsReferenceList(a) {
				out = append(out, referenceList{t, a})
			}
		}
	}
	return out
}

// removeReferences removes resource id of type t from every reference
// list in the same tenant that names it, so that no group lists a member
// that no longer exists (RFC 7643 §4.2). Each resource changed gets a new
// version and lastModified, and Config.OnChange hears of it. The delete
// has happened: a failure here is logged, not answered.
func (h *Handler) removeReferences(ctx context.Context, t *resourceType, id string) {
	for _, l := range h.lists {
		if !document.References(l.attr, t.rt.Name) {
			continue
		}
		by := &filter.Compare{Path: filter.Path{Name: l.attr.Name, Sub: "value"}, Op: filter.Eq, Value: id}
		m, err := filter.Compile(l.t.rt, by)
		if err != nil {
			h.log.ErrorContext(ctx, "scimkit: cannot search the references to a deleted resource", "type", l.t.rt.Name, "error", err)
			continue
		}
		ops := []patch.Operation{{Op: patch.Remove, Path: &filter.Path{Name: l.attr.Name,
			Filter: &filter.Compare{Path: filter.Path{Name: "value"}, Op: filter.Eq, Value: id}}}}
		// Each pass removes id from the first holders the search finds, so
		// the next pass finds the rest; a holder that cannot be changed is
		// found again, so the passes are bounded by the first count.
		passes := 0
		for pass := 0; ; pass++ {
			page, err := store.Search(ctx, l.t.store, &store.Query{Filter: m, StartIndex: 1, Count: 100, MaxScan: h.cfg.MaxScan})
			if err != nil {
				h.log.ErrorContext(ctx, "scimkit: cannot search the references to a deleted resource", "type", l.t.rt.Name, "id", id, "error", err)
				break
			}
			if page.Total == 0 {
				break
			}
			if pass == 0 {
				passes = page.Total/100 + 2
			}
			if pass == passes {
				h.log.ErrorContext(ctx, "scimkit: references to a deleted resource remain", "type", l.t.rt.Name, "id", id, "count", page.Total)
				break
			}
			for _, holder := range page.Resources {
				if _, err := h.applyOps(ctx, l.t, holder.ID, ops, "", false); err != nil {
					h.log.ErrorContext(ctx, "scimkit: cannot remove a deleted resource from a reference list", "type", l.t.rt.Name, "holder", holder.ID, "id", id, "error", err)
				}
			}
		}
	}
}
