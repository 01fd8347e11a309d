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
	h.route(w, r, map[string]func(){
		http.MethodGet:    func() { h.meDo(w, r, h.get) },
		http.MethodPut:    func() { h.meDo(w, r, h.replace) },
		http.MethodPatch:  func() { h.meDo(w, r, h.patch) },
		http.MethodDelete: func() { h.meDo(w, r, h.delete) },
	})
}

// meDo finds the caller's resource and serves the request as fn serves
// requests to that resource's own URL.
func (h *Handler) meDo(w http.ResponseWriter, r *http.Request, fn func(http.ResponseWriter, *http.Request, *resourceType, string)) {
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
	fn(w, r, t, id)
}
