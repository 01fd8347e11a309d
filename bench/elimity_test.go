package bench_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	scim "github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	fp "github.com/scim2/filter-parser/v2"

	"github.com/elimity-com/scim/optional"
	eschema "github.com/elimity-com/scim/schema"
)

// The peer: github.com/elimity-com/scim, the Go SCIM server package most
// Go developers know, serving the same users. elimity parses requests,
// checks them against the schema and writes responses; storing,
// filtering, paging, PATCH and attribute projection are the host's. The
// host code below is what a careful developer would write for an
// in-memory store: users by id, an index of userName (compared as RFC
// 7643 asks, case-insensitively) for the `userName eq` every identity
// provider sends, ids in creation order for pages, one lock. It answers
// the filters and PATCH operations the workloads send; elimity ignores
// attributes= (its answers are whole users, so its pages are larger).

// elimityUsers is that host code: an elimity ResourceHandler.
type elimityUsers struct {
	mu     sync.RWMutex
	byID   map[string]*elimityUser
	order  []string          // ids in creation order; "" where deleted
	byName map[string]string // lower-cased userName -> id
	next   int
}

type elimityUser struct {
	attrs   scim.ResourceAttributes
	created time.Time
	changed time.Time
	version int
}

// newElimity returns the peer's http.Handler over n+1 typical users (as
// scimkit's dataset holds them), with the ids scimkit's dataset gives them
// (member-0000000, ...), so that both answer the same paths.
func newElimity(n int) (http.Handler, error) {
	h := &elimityUsers{byID: map[string]*elimityUser{}, byName: map[string]string{}}
	for i := range n + 1 {
		var attrs scim.ResourceAttributes
		if err := json.Unmarshal([]byte(typicalUser(i)), &attrs); err != nil {
			return nil, err
		}
		if _, err := h.add(attrs); err != nil {
			return nil, err
		}
	}
	return scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{SupportFiltering: true, SupportPatch: true, MaxResults: 200},
		ResourceTypes: []scim.ResourceType{{
			ID: optional.NewString("User"), Name: "User", Endpoint: "/Users",
			Schema:           eschema.CoreUserSchema(),
			SchemaExtensions: []scim.SchemaExtension{{Schema: eschema.ExtensionEnterpriseUser()}},
			Handler:          h,
		}},
	})
}

// add stores a new user under the next id.
func (h *elimityUsers) add(attrs scim.ResourceAttributes) (scim.Resource, error) {
	name, _ := attrs["userName"].(string)
	key := strings.ToLower(name)
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, taken := h.byName[key]; taken {
		return scim.Resource{}, scimerrors.ScimErrorUniqueness
	}
	id := fmt.Sprintf("member-%07d", h.next)
	h.next++
	now := time.Now()
	u := &elimityUser{attrs: attrs, created: now, changed: now, version: 1}
	h.byID[id], h.byName[key] = u, id
	h.order = append(h.order, id)
	return u.resource(id), nil
}

func (u *elimityUser) resource(id string) scim.Resource {
	created, changed := u.created, u.changed
	r := scim.Resource{ID: id, Attributes: u.attrs, Meta: scim.Meta{Created: &created, LastModified: &changed, Version: `W/"` + strconv.Itoa(u.version) + `"`}}
	if ext, ok := u.attrs["externalId"].(string); ok {
		r.ExternalID = optional.NewString(ext)
	}
	return r
}

// Create implements scim.ResourceHandler.
func (h *elimityUsers) Create(_ *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	return h.add(attrs)
}

// Get implements scim.ResourceHandler.
func (h *elimityUsers) Get(_ *http.Request, id string) (scim.Resource, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	u, ok := h.byID[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	return u.resource(id), nil
}

// GetAll implements scim.ResourceHandler: `userName eq` from the index,
// other filters by elimity's validator over every user, pages in
// creation order.
func (h *elimityUsers) GetAll(_ *http.Request, params scim.ListRequestParams) (scim.Page, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var page scim.Page
	keep := func(id string) {
		page.TotalResults++
		if page.TotalResults >= params.StartIndex && len(page.Resources) < params.Count {
			page.Resources = append(page.Resources, h.byID[id].resource(id))
		}
	}
	if params.FilterValidator != nil {
		if e, ok := params.FilterValidator.GetFilter().(*fp.AttributeExpression); ok &&
			strings.EqualFold(e.AttributePath.AttributeName, "userName") && e.AttributePath.SubAttribute == nil &&
			e.Operator == fp.EQ {
			if v, ok := e.CompareValue.(string); ok {
				if id, ok := h.byName[strings.ToLower(v)]; ok {
					keep(id)
				}
				return page, nil
			}
		}
	}
	for _, id := range h.order {
		if id == "" {
			continue
		}
		if params.FilterValidator != nil && params.FilterValidator.PassesFilter(h.byID[id].attrs) != nil {
			continue
		}
		keep(id)
	}
	return page, nil
}

// Replace implements scim.ResourceHandler.
func (h *elimityUsers) Replace(_ *http.Request, id string, attrs scim.ResourceAttributes) (scim.Resource, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	u, ok := h.byID[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	return h.update(id, u, attrs)
}

// update stores attrs as user id's new attributes, keeping the userName
// index. It needs the lock.
func (h *elimityUsers) update(id string, u *elimityUser, attrs scim.ResourceAttributes) (scim.Resource, error) {
	old, _ := u.attrs["userName"].(string)
	name, _ := attrs["userName"].(string)
	if other, taken := h.byName[strings.ToLower(name)]; taken && other != id {
		return scim.Resource{}, scimerrors.ScimErrorUniqueness
	}
	delete(h.byName, strings.ToLower(old))
	h.byName[strings.ToLower(name)] = id
	u.attrs, u.changed = attrs, time.Now()
	u.version++
	return u.resource(id), nil
}

// Delete implements scim.ResourceHandler.
func (h *elimityUsers) Delete(_ *http.Request, id string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	u, ok := h.byID[id]
	if !ok {
		return scimerrors.ScimErrorResourceNotFound(id)
	}
	name, _ := u.attrs["userName"].(string)
	delete(h.byName, strings.ToLower(name))
	delete(h.byID, id)
	for i, x := range h.order {
		if x == id {
			h.order[i] = ""
		}
	}
	return nil
}

// Patch implements scim.ResourceHandler for operations on attributes and
// sub-attributes without value filters, and path-less ones: what the
// workloads send. It answers the user, as RFC 7644 §3.5.2 allows.
func (h *elimityUsers) Patch(_ *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	u, ok := h.byID[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	attrs := make(scim.ResourceAttributes, len(u.attrs))
	for k, v := range u.attrs {
		attrs[k] = v
	}
	for _, op := range ops {
		if op.Path == nil {
			values, ok := op.Value.(map[string]any)
			if !ok {
				return scim.Resource{}, scimerrors.ScimErrorInvalidValue
			}
			for k, v := range values {
				attrs[k] = v
			}
			continue
		}
		if op.Path.ValueExpression != nil {
			return scim.Resource{}, scimerrors.ScimErrorInvalidPath
		}
		name := op.Path.AttributePath.AttributeName
		sub := op.Path.AttributePath.SubAttributeName()
		switch strings.ToLower(op.Op) {
		case "add", "replace":
			if sub == "" {
				attrs[name] = op.Value
				continue
			}
			m, _ := attrs[name].(map[string]any)
			next := map[string]any{sub: op.Value}
			for k, v := range m {
				if k != sub {
					next[k] = v
				}
			}
			attrs[name] = next
		case "remove":
			if sub == "" {
				delete(attrs, name)
				continue
			}
			m, _ := attrs[name].(map[string]any)
			next := map[string]any{}
			for k, v := range m {
				if k != sub {
					next[k] = v
				}
			}
			attrs[name] = next
		default:
			return scim.Resource{}, scimerrors.ScimErrorInvalidValue
		}
	}
	return h.update(id, u, attrs)
}
