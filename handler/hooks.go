package handler

import (
	"context"
	"errors"
	"reflect"
	"strings"

	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// ChangeOp is the kind of a committed write.
type ChangeOp string

// The writes that Config.OnChange hears of.
const (
	Created  ChangeOp = "create"
	Replaced ChangeOp = "replace"
	Patched  ChangeOp = "patch"
	Deleted  ChangeOp = "delete"
)

// Change describes one committed write, for Config.OnChange.
type Change struct {
	Op   ChangeOp
	Type *schema.ResourceType
	ID   string
	// Before is the resource before the write (nil for Created); After is
	// the resource after it (nil for Deleted). Both are read-only.
	Before, After *schema.Resource
	// Changed lists the attributes whose values differ between Before and
	// After: core attribute names ("active"), "externalId", and extension
	// attributes as "<URN>:<name>". For Created and Deleted it lists every
	// attribute the resource has.
	Changed []string
}

// Has reports whether the attribute name (case-insensitive, as Changed
// writes it) is among the changed ones: c.Has("active") tells a host to
// revoke the user's sessions.
func (c Change) Has(name string) bool {
	for _, n := range c.Changed {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// notify calls Config.OnChange for a committed write. The write stays
// committed whatever the hook does: its error, or a panic, is logged.
func (h *Handler) notify(ctx context.Context, c Change) {
	if h.cfg.OnChange == nil {
		return
	}
	c.Changed = changedAttributes(c.Type, c.Before, c.After)
	defer func() {
		if v := recover(); v != nil {
			h.log.ErrorContext(ctx, "scimkit: OnChange panicked; the write stays committed", "op", c.Op, "type", c.Type.Name, "id", c.ID, "panic", v)
		}
	}()
	if err := h.cfg.OnChange(ctx, c); err != nil {
		h.log.ErrorContext(ctx, "scimkit: OnChange failed; the write stays committed", "op", c.Op, "type", c.Type.Name, "id", c.ID, "error", err)
	}
}

// changedAttributes lists the attributes that differ between a and b
// (either may be nil). Values that share storage are equal without being
// compared, so a member added to a huge group costs nothing here.
func changedAttributes(rt *schema.ResourceType, a, b *schema.Resource) []string {
	var out []string
	get := func(r *schema.Resource, ext *schema.Extension, name string) any {
		if r == nil {
			return nil
		}
		if ext == nil {
			return r.Attributes[name]
		}
		m, _ := r.Attributes[ext.Schema.ID].(map[string]any)
		return m[name]
	}
	ext := func(r *schema.Resource) string {
		if r == nil {
			return ""
		}
		return r.ExternalID
	}
	if ext(a) != ext(b) {
		out = append(out, "externalId")
	}
	check := func(e *schema.Extension, attrs []*schema.Attribute) {
		for _, at := range attrs {
			x, y := get(a, e, at.Name), get(b, e, at.Name)
			if x == nil && y == nil || shared(x, y) || x != nil && y != nil && schema.Equal(at, x, y) {
				continue
			}
			if e == nil {
				out = append(out, at.Name)
			} else {
				out = append(out, e.Schema.ID+":"+at.Name)
			}
		}
	}
	check(nil, rt.Schema.Attributes)
	for i := range rt.Extensions {
		check(&rt.Extensions[i], rt.Extensions[i].Schema.Attributes)
	}
	return out
}

// shared reports whether two values are the same stored value.
func shared(x, y any) bool {
	vx, vy := reflect.ValueOf(x), reflect.ValueOf(y)
	if vx.Kind() != vy.Kind() {
		return false
	}
	switch vx.Kind() {
	case reflect.Map:
		return vx.UnsafePointer() == vy.UnsafePointer()
	case reflect.Slice:
		return vx.Len() == vy.Len() && (vx.Len() == 0 || vx.UnsafePointer() == vy.UnsafePointer())
	}
	return false
}

// withBefore runs write at the version of the resource it reads first, so
// that the Before of the change is exactly what the write replaced. With
// ifVersion (the client's If-Match) there is one try; without, a write
// that loses a race reads again, as store.Patch does.
func withBefore(ctx context.Context, t *resourceType, id, ifVersion string, write func(before *schema.Resource, version string) error) (*schema.Resource, error) {
	for attempt := 1; ; attempt++ {
		before, err := t.store.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		v := ifVersion
		if v == "" {
			v = before.Meta.Version
		}
		err = write(before, v)
		if !errors.Is(err, store.ErrVersionMismatch) || ifVersion != "" || attempt == store.MaxPatchAttempts {
			return before, err
		}
	}
}
