package handler

import (
	"context"
	"errors"
	"hash/fnv"
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// Change describes one committed write, for Config.OnChange.
type Change struct {
	// Method is the HTTP method of the write, as a request or a Bulk
	// operation named it: http.MethodPost (created), http.MethodPut
	// (replaced), http.MethodPatch or http.MethodDelete.
	Method string
	Type   *schema.ResourceType
	ID     string
	// Before is the resource before the write (nil for a POST); After is
	// the resource after it (nil for a DELETE). Both are read-only.
	Before, After *schema.Resource
	// Changed lists the attributes whose values differ between Before and
	// After: core attribute names ("active"), "externalId", and extension
	// attributes as "<URN>:<name>". For a POST or a DELETE it lists every
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
	c.Changed = document.ChangedAttributes(c.Type, c.Before, c.After)
	defer func() {
		if v := recover(); v != nil {
			h.log.ErrorContext(ctx, "scimkit: OnChange panicked; the write stays committed", "method", c.Method, "type", c.Type.Name, "id", c.ID, "panic", v)
		}
	}()
	if err := h.cfg.OnChange(ctx, c); err != nil {
		h.log.ErrorContext(ctx, "scimkit: OnChange failed; the write stays committed", "method", c.Method, "type", c.Type.Name, "id", c.ID, "error", err)
	}
}

// guard runs commit, which calls approve before it commits a write of t,
// with the tenant's writes of t one at a time when Config.BeforeWrite is
// set.
func (h *Handler) guard(ctx context.Context, t *resourceType, commit func() error) error {
	if h.cfg.BeforeWrite == nil {
		return commit()
	}
	f := fnv.New32a()
	f.Write([]byte(store.Tenant(ctx)))
	f.Write([]byte{0})
	f.Write([]byte(t.rt.Name))
	mu := &h.writeLocks[f.Sum32()%uint32(len(h.writeLocks))]
	mu.Lock()
	defer mu.Unlock()
	return commit()
}

// approve asks Config.BeforeWrite whether the write c may commit.
func (h *Handler) approve(ctx context.Context, c Change) error {
	if h.cfg.BeforeWrite == nil {
		return nil
	}
	c.Changed = document.ChangedAttributes(c.Type, c.Before, c.After)
	err := h.cfg.BeforeWrite(ctx, c)
	if err == nil {
		return nil
	}
	var se *schema.Error
	if errors.As(err, &se) {
		return err
	}
	return &schema.Error{Status: http.StatusForbidden, Detail: err.Error(), Err: err}
}
