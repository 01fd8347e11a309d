package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/fastpath"
	"github.com/scimkit/scimkit/internal/valuekey"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// referenceList is a reference list of a served resource type, such as a
// Group's "members" (document.IsReferenceList).
type referenceList struct {
	t    *resourceType
	attr *schema.Attribute
	// checked: every type the list may name is served, so that a value
	// naming none of their resources is known to name nothing.
	checked bool
}

// referenceListsOf returns the reference lists of the core schemas of
// types.
func referenceListsOf(types []*resourceType) []referenceList {
	served := func(name string) bool {
		return slices.ContainsFunc(types, func(t *resourceType) bool { return strings.EqualFold(t.rt.Name, name) })
	}
	var out []referenceList
	for _, t := range types {
		for _, a := range t.rt.Schema.Attributes {
			if document.IsReferenceList(a) {
				names := referencedTypes(a)
				checked := !slices.Equal(names, []string{"resource"}) && !slices.ContainsFunc(names, func(n string) bool { return !served(n) })
				out = append(out, referenceList{t, a, checked})
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
				if _, err := h.applyOps(ctx, l.t, holder.ID, ops, "", false, nil); err != nil {
					h.log.ErrorContext(ctx, "scimkit: cannot remove a deleted resource from a reference list", "type", l.t.rt.Name, "holder", holder.ID, "id", id, "error", err)
				}
			}
		}
	}
}

// maxReferenceChunk is how many ids one search for existing resources
// asks about.
const maxReferenceChunk = 50

// checkMembers checks the values of res's reference lists (RFC 7643 §4.2):
// each must be the id of a resource of the request's tenant, of a type the
// list may name. Unknown values are refused with 400 invalidValue naming
// them, or, with Config.DropUnknownMembers, dropped from res and logged. A
// list that may name a type the handler does not serve is not checked:
// its values may name resources kept elsewhere.
func (h *Handler) checkMembers(ctx context.Context, t *resourceType, res *schema.Resource) error {
	for _, l := range h.lists {
		if l.t != t || !l.checked {
			continue
		}
		list, _ := res.Attributes[l.attr.Name].([]any)
		info, unknown, err := h.lookupMembers(ctx, l, list)
		if err != nil {
			return err
		}
		h.describe(list, info)
		if len(unknown) == 0 {
			continue
		}
		if !h.cfg.DropUnknownMembers {
			return unknownMembersError(l, unknown)
		}
		h.log.WarnContext(ctx, "scimkit: dropped members that name no resource", "type", t.rt.Name, "attribute", l.attr.Name, "values", unknown)
		kept := make([]any, 0, len(list))
		for _, e := range list {
			if v, _ := e.(map[string]any)["value"].(string); !slices.Contains(unknown, v) {
				kept = append(kept, e)
			}
		}
		if len(kept) == 0 {
			delete(res.Attributes, l.attr.Name)
		} else {
			res.Attributes[l.attr.Name] = kept
		}
	}
	return nil
}

// checkMemberOps is checkMembers for PATCH operations: the values that
// add and replace operations put in a reference list. With
// Config.DropUnknownMembers it returns the operations without them.
func (h *Handler) checkMemberOps(ctx context.Context, t *resourceType, ops []patch.Operation) ([]patch.Operation, error) {
	for _, l := range h.lists {
		if l.t != t || !l.checked {
			continue
		}
		for i, op := range ops {
			if op.Op == patch.Remove || op.Value == nil {
				continue
			}
			elems, rewrite := opElements(l.attr, op)
			if elems == nil {
				continue
			}
			info, unknown, err := h.lookupMembers(ctx, l, elems)
			if err != nil {
				return nil, err
			}
			h.describe(elems, info)
			if len(unknown) == 0 {
				ops[i].Value = rewrite(elems)
				continue
			}
			if !h.cfg.DropUnknownMembers {
				return nil, unknownMembersError(l, unknown)
			}
			h.log.WarnContext(ctx, "scimkit: dropped members that name no resource", "type", t.rt.Name, "attribute", l.attr.Name, "values", unknown)
			kept := make([]any, 0, len(elems))
			for _, e := range elems {
				if v, _ := e.(map[string]any)["value"].(string); !slices.Contains(unknown, v) {
					kept = append(kept, e)
				}
			}
			ops[i].Value = rewrite(kept)
		}
	}
	return ops, nil
}

// opElements returns the elements that op puts in reference list a, and
// a function that rewrites op's value with other elements; nil when op
// does not put whole elements in a.
func opElements(a *schema.Attribute, op patch.Operation) ([]any, func([]any) json.RawMessage) {
	var v any
	if json.Unmarshal(op.Value, &v) != nil {
		return nil, nil // Decode and Apply report it
	}
	asList := func(x any) []any {
		switch x := x.(type) {
		case []any:
			return x
		case map[string]any:
			return []any{x}
		}
		return nil
	}
	p := op.Path
	if p == nil {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, nil
		}
		for k, x := range obj {
			if strings.EqualFold(k, a.Name) {
				return asList(x), func(kept []any) json.RawMessage {
					obj[k] = kept
					b, _ := json.Marshal(obj)
					return b
				}
			}
		}
		return nil, nil
	}
	if !strings.EqualFold(p.Name, a.Name) || p.Sub != "" || p.Filter != nil {
		return nil, nil
	}
	return asList(v), func(kept []any) json.RawMessage {
		b, _ := json.Marshal(kept)
		return b
	}
}

// elementValues returns the string values of a reference list's elements.
func elementValues(list []any) []string {
	keys := elementKeys(list)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.value
	}
	return out
}

// memberInfo is what a member's element says of the resource it names:
// its type and display (RFC 7643 §2.4: display is readOnly, the service
// provider's; here the resource's displayName, else its userName).
type memberInfo struct {
	typ, display string
}

// memberKey identifies a member: its value, and the type its element
// names ("" for none).
type memberKey struct{ typ, value string }

// lookupMembers finds the resources that the elements of a reference list
// name in the request's tenant: an element with a type that the list may
// name is looked up in that type, one without among every type the list
// may name. It returns their type and display, and the elements' values,
// once each and in order, that name none. Each store is asked about up to
// maxReferenceChunk ids per search, through its indexes where it has them.
func (h *Handler) lookupMembers(ctx context.Context, l referenceList, elems []any) (map[memberKey]memberInfo, []string, error) {
	// Values equal as the list compares them are one member, the first
	// kept (as every write keeps it): only that one must exist.
	caseExact := l.attr.SubAttribute("value").CaseExact
	var keys []memberKey
	seen := map[memberKey]bool{}
	for _, k := range elementKeys(elems) {
		if t := h.byName[strings.ToLower(k.typ)]; t == nil || !document.References(l.attr, t.rt.Name) {
			k.typ = ""
		} else {
			k.typ = t.rt.Name
		}
		fk := memberKey{k.typ, valuekey.Of(caseExact, k.value)}
		if !seen[fk] {
			seen[fk] = true
			keys = append(keys, k)
		}
	}
	found := make(map[memberKey]memberInfo, len(keys))
	for _, c := range h.types {
		if !document.References(l.attr, c.rt.Name) {
			continue
		}
		// The values this type may hold: those of its elements, and those
		// of untyped elements not found yet.
		var ids []string
		for _, k := range keys {
			if k.typ == c.rt.Name || k.typ == "" && !has(found, k) {
				ids = append(ids, k.value)
			}
		}
		for start := 0; start < len(ids); start += maxReferenceChunk {
			chunk := ids[start:min(start+maxReferenceChunk, len(ids))]
			var e filter.Expr
			for _, v := range chunk {
				var one filter.Expr = &filter.Compare{Path: filter.Path{Name: "id"}, Op: filter.Eq, Value: v}
				if e != nil {
					one = &filter.Logical{Op: filter.Or, Left: e, Right: one}
				}
				e = one
			}
			m, err := filter.Compile(c.rt, e)
			if err != nil {
				return nil, nil, err
			}
			// Only the resources found are read: a SQL store need not count them.
			page, err := store.Search(ctx, c.store, &store.Query{Filter: m, StartIndex: 1, Count: len(chunk), MaxScan: h.cfg.MaxScan, NoTotal: true})
			if err != nil {
				return nil, nil, err
			}
			for _, r := range page.Resources {
				info := memberInfo{typ: c.rt.Name, display: displayOf(r)}
				found[memberKey{c.rt.Name, r.ID}] = info
				if _, ok := found[memberKey{"", r.ID}]; !ok {
					found[memberKey{"", r.ID}] = info
				}
			}
		}
	}
	var unknown []string
	for _, k := range keys {
		if !has(found, k) {
			unknown = append(unknown, k.value)
		}
	}
	return found, unknown, nil
}

// has reports whether found holds key.
func has(found map[memberKey]memberInfo, k memberKey) bool {
	_, ok := found[k]
	return ok
}

// elementKeys returns the value and type of each element of a reference
// list that has a value.
func elementKeys(list []any) []memberKey {
	out := make([]memberKey, 0, len(list))
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			if v, ok := m["value"].(string); ok && v != "" {
				typ, _ := m["type"].(string)
				out = append(out, memberKey{typ, v})
			}
		}
	}
	return out
}

// displayOf returns what a member's display says of r: its displayName,
// else its userName.
func displayOf(r *schema.Resource) string {
	if s, _ := r.Attributes["displayName"].(string); s != "" {
		return s
	}
	s, _ := r.Attributes["userName"].(string)
	return s
}

// describe sets the type and display of the elements of a reference list
// whose resources found holds.
func (h *Handler) describe(list []any, found map[memberKey]memberInfo) {
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		v, _ := m["value"].(string)
		typ, _ := m["type"].(string)
		if t := h.byName[strings.ToLower(typ)]; t != nil {
			typ = t.rt.Name
		} else {
			typ = ""
		}
		mi, ok := found[memberKey{typ, v}]
		if !ok {
			continue
		}
		m["type"] = mi.typ
		if mi.display != "" {
			m["display"] = mi.display
		} else {
			delete(m, "display")
		}
	}
}

// unknownMembersError is the 400 invalidValue for values of l that name
// no resource, naming the first of them.
func unknownMembersError(l referenceList, unknown []string) error {
	names := unknown[:min(len(unknown), 10)]
	quoted := make([]string, len(names))
	for i, v := range names {
		quoted[i] = strconv.Quote(v)
	}
	more := ""
	if len(unknown) > len(names) {
		more = fmt.Sprintf(" and %d more", len(unknown)-len(names))
	}
	return document.InvalidValueError("%s names no %s of this service: %s%s", l.attr.Name, strings.Join(referencedTypes(l.attr), " or "), strings.Join(quoted, ", "), more)
}

// referencedTypes returns the resource types a reference list names.
func referencedTypes(a *schema.Attribute) []string {
	var out []string
	if ref := a.SubAttribute("$ref"); ref != nil {
		for _, t := range ref.ReferenceTypes {
			if t != "external" && t != "uri" {
				out = append(out, t)
			}
		}
	}
	if len(out) == 0 {
		return []string{"resource"}
	}
	return out
}

// mayRename reports whether ops may change what the members that name a
// resource of t display (its displayName or userName), when some list may
// name t.
func (h *Handler) mayRename(t *resourceType, ops []patch.Operation) bool {
	if !t.referenced {
		return false
	}
	for _, op := range ops {
		if op.Path == nil {
			return true // a value object may hold any attribute
		}
		if op.Path.URN == "" || strings.EqualFold(op.Path.URN, t.rt.Schema.ID) {
			if strings.EqualFold(op.Path.Name, "displayName") || strings.EqualFold(op.Path.Name, "userName") {
				return true
			}
		}
	}
	return false
}

// isHeld reports whether some reference list names resource id of t, so
// that renaming it must update the members' display; when it cannot tell,
// it says yes.
func (h *Handler) isHeld(ctx context.Context, t *resourceType, id string) bool {
	for _, l := range h.lists {
		if !document.References(l.attr, t.rt.Name) {
			continue
		}
		if hs, ok, err := fastpath.Holders(ctx, l.t.store, l.attr.Name, id); ok {
			if err != nil || len(hs) > 0 {
				return true
			}
			continue
		}
		m, err := filter.Compile(l.t.rt, &filter.Compare{Path: filter.Path{Name: l.attr.Name, Sub: "value"}, Op: filter.Eq, Value: id})
		if err != nil {
			return true
		}
		page, err := store.Search(ctx, l.t.store, &store.Query{Filter: m, StartIndex: 1, MaxScan: h.cfg.MaxScan})
		if err != nil || page.Total > 0 {
			return true
		}
	}
	return false
}

// renamed brings the display of the members that name resource id of t up
// to date after a write that took it from before to after (RFC 7643 §2.4:
// display is the service provider's). Each list holding it gets a new
// version, and Config.OnChange hears of it. The write has happened: a
// failure here is logged, not answered.
func (h *Handler) renamed(ctx context.Context, t *resourceType, id string, before, after *schema.Resource) {
	if !t.referenced || before == nil || after == nil {
		return
	}
	display := displayOf(after)
	if display == displayOf(before) || display == "" {
		return
	}
	value, _ := json.Marshal(display)
	for _, l := range h.lists {
		if !document.References(l.attr, t.rt.Name) {
			continue
		}
		holders, err := h.holders(ctx, l, id)
		if err != nil {
			h.log.ErrorContext(ctx, "scimkit: cannot find the lists naming a renamed resource", "type", t.rt.Name, "id", id, "error", err)
			continue
		}
		ops := []patch.Operation{{Op: patch.Replace, Value: value, Path: &filter.Path{Name: l.attr.Name, Sub: "display",
			Filter: &filter.Compare{Path: filter.Path{Name: "value"}, Op: filter.Eq, Value: id}}}}
		for _, g := range holders {
			if _, err := h.applyOps(ctx, l.t, g.ID, ops, "", false, nil); err != nil {
				h.log.ErrorContext(ctx, "scimkit: cannot update the display of a renamed member", "type", l.t.rt.Name, "holder", g.ID, "id", id, "error", err)
			}
		}
	}
}
