package handler

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/schema"
)

// me serves /Me (RFC 7644 §3.11): GET, PUT, PATCH and DELETE act on the
// resource Config.Me names for the request, and answers carry that
// resource's own Location.
func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Me == nil {
		writeError(w, &schema.Error{Status: http.StatusNotImplemented, Detail: "this service provider does not support /Me"})
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		notAllowed(w, r, resourceMethods...)
		return
	}
	name, id, err := h.cfg.Me(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var t *resourceType
	for _, x := range h.types {
		if strings.EqualFold(x.rt.Name, name) {
			t = x
		}
	}
	if t == nil || id == "" {
		h.fail(w, r, fmt.Errorf("handler: Config.Me returned resource type %q and id %q, which the handler does not serve", name, id))
		return
	}
	w.Header().Set("Location", h.location(r, t.rt, id))
	h.serveResource(w, r, t, id)
}
