package handler

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/fastpath"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// readBody reads the request body, at most limit bytes of it.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := strings.Cut(ct, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
		if mt != "application/scim+json" && mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			return nil, &schema.Error{Status: http.StatusUnsupportedMediaType, Detail: "send application/scim+json (or application/json), not " + mt}
		}
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, limit), min(r.ContentLength, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, document.InvalidSyntaxError("reading the request body: %v", err)
	}
	if err := document.CheckJSON(body, h.cfg.MaxJSONDepth); err != nil {
		return nil, err
	}
	return body, nil
}

// readAll is io.ReadAll for a body of about size bytes (the request's
// Content-Length; -1 when unknown): the buffer is allocated once, with room
// for the end of the body to be seen without growing it.
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size < 0 {
		size = 512
	}
	b := make([]byte, 0, size+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
	}
}

// etag formats a version as a weak entity tag (RFC 7644 §3.14).
func etag(version string) string { return `W/"` + version + `"` }

// versionOf extracts the version from one entity tag: W/"v", "v" or v.
// "*" and "" give "". Of a list, it takes the first.
func versionOf(header string) string {
	v := ""
	eachTag(header, func(tag string) bool { v = tag; return true })
	if v == "*" {
		return ""
	}
	return v
}

// eachTag calls fn with the opaque value of each entity tag in an If-Match
// or If-None-Match value (RFC 9110 §13.1.1: a list of W/"v" or "v"; "*"
// is passed as it is, and a bare v is read as "v"; a malformed tag is
// passed whole, so that it matches no version), until fn returns true. It
// reports whether fn did.
func eachTag(header string, fn func(v string) bool) bool {
	for s := header; ; {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return false
		}
		// The item ends at the first comma outside quotes.
		end, quoted := len(s), false
		for i := 0; i < len(s); i++ {
			if s[i] == '"' {
				quoted = !quoted
			} else if s[i] == ',' && !quoted {
				end = i
				break
			}
		}
		item := strings.TrimRight(s[:end], " \t")
		s = s[end:]
		v := strings.TrimPrefix(item, "W/")
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' && strings.Count(v, `"`) == 2 {
			v = v[1 : len(v)-1]
		} else if strings.Contains(v, `"`) {
			v = item
		}
		if fn(v) {
			return true
		}
	}
}

// ifMatch returns the version a write to resource id must find, from the
// request's If-Match (RFC 9110 §13.1.1): "" when there is none or it is
// "*"; the one version it names; of a list, the current version when the
// list names it (the store then checks it atomically), otherwise
// store.ErrVersionMismatch.
func (h *Handler) ifMatch(ctx context.Context, t *resourceType, id, header string) (string, error) {
	if header == "" {
		return "", nil // the common case: no precondition
	}
	var tags []string
	star := eachTag(header, func(v string) bool {
		tags = append(tags, v)
		return v == "*"
	})
	switch {
	case star || len(tags) == 0:
		return "", nil
	case len(tags) == 1:
		return tags[0], nil
	}
	cur, err := t.store.Get(ctx, id)
	if err != nil {
		return "", err
	}
	for _, v := range tags {
		if v == cur.Meta.Version {
			return v, nil
		}
	}
	return "", store.ErrVersionMismatch
}

// location returns the URL of resource id of type rt.
func (h *Handler) location(r *http.Request, rt *schema.ResourceType, id string) string {
	return resourceURL(h.baseURL(r), rt, id)
}

// resourceURL is the URL of resource id of type rt under base, the
// service provider's base URL.
func resourceURL(base string, rt *schema.ResourceType, id string) string {
	return base + rt.Endpoint + "/" + id
}

// appendResource appends the JSON of res as the client sees it (see
// view); base is h.baseURL(r), which a list computes once for all its
// resources.
func (h *Handler) appendResource(dst []byte, base string, rt *schema.ResourceType, res *schema.Resource, p *document.Projection) []byte {
	v := view(base, rt, res)
	if t := h.byType[rt]; t == nil || !t.hasLists {
		return document.AppendJSON(dst, rt, &v, p)
	}
	return document.AppendJSONRefs(dst, rt, &v, p, func(dst []byte, typ, value string) ([]byte, bool) {
		for _, t := range h.types { // a few; ToLower would allocate per member
			if strings.EqualFold(t.rt.Name, typ) {
				return document.AppendJoined(dst, base, t.rt.Endpoint, "/", value), true
			}
		}
		return dst, false
	})
}

// view returns res as the client sees it: with meta as viewMeta writes it.
// res is not changed: it may be the store's.
func view(base string, rt *schema.ResourceType, res *schema.Resource) schema.Resource {
	v := *res
	v.Meta = viewMeta(base, rt, res.ID, res.Meta)
	return v
}

// viewMeta returns the meta of resource id as the client sees it: with
// meta.location under base, and with meta.version as the ETag.
func viewMeta(base string, rt *schema.ResourceType, id string, m schema.Meta) schema.Meta {
	m.Location = resourceURL(base, rt, id)
	if m.Version != "" {
		m.Version = etag(m.Version)
	}
	if m.ResourceType == "" {
		m.ResourceType = rt.Name
	}
	return m
}

// appendEncoded appends the JSON of a resource a fastpath.Store kept,
// as appendResource appends it.
func appendEncoded(dst []byte, base string, rt *schema.ResourceType, enc *document.Encoded, p *document.Projection) []byte {
	v := *enc
	if p.WritesMeta(rt) {
		v.Meta = viewMeta(base, rt, enc.ID, enc.Meta)
	}
	return document.AppendEncoded(dst, rt, &v, p)
}

// writeResource answers with one resource, its ETag and, for creates, its
// Location. When t's store is a fastpath.Store that still holds res's
// version, it writes the JSON the store keeps instead of encoding res.
func (h *Handler) writeResource(w http.ResponseWriter, r *http.Request, t *resourceType, res *schema.Resource, status int) {
	p := projection(t.rt, r)
	if !p.Requests() && res.Meta.Version != "" {
		if enc, ok, err := fastpath.GetJSON(r.Context(), t.store, res.ID); ok && err == nil && enc.Meta.Version == res.Meta.Version {
			h.writeEncoded(w, r, t, &enc, p, status)
			return
		}
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	base := h.baseURL(r)
	*bp = h.appendResource((*bp)[:0], base, t.rt, res, p)
	var err error
	if *bp, err = h.appendInverses(r.Context(), *bp, base, t, res.ID, p); err != nil {
		h.fail(w, r, err)
		return
	}
	writeOne(w, status, *bp, res.Meta.Version, base, t.rt, res.ID)
}

// writeEncoded is writeResource for a resource a fastpath.Store kept.
func (h *Handler) writeEncoded(w http.ResponseWriter, r *http.Request, t *resourceType, enc *document.Encoded, p *document.Projection, status int) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	base := h.baseURL(r)
	*bp = appendEncoded((*bp)[:0], base, t.rt, enc, p)
	var err error
	if *bp, err = h.appendInverses(r.Context(), *bp, base, t, enc.ID, p); err != nil {
		h.fail(w, r, err)
		return
	}
	writeOne(w, status, *bp, enc.Meta.Version, base, t.rt, enc.ID)
}

// writeOne answers with the JSON body of resource id of type rt: its ETag
// from version and, for creates, its Location under base.
func writeOne(w http.ResponseWriter, status int, body []byte, version, base string, rt *schema.ResourceType, id string) {
	// One slice holds both headers' values.
	vals := make([]string, 0, 2)
	if version != "" {
		vals = append(vals, etag(version))
		w.Header()["Etag"] = vals[:1:1]
	}
	if status == http.StatusCreated {
		vals = append(vals, resourceURL(base, rt, id))
		w.Header()["Location"] = vals[len(vals)-1 : len(vals) : len(vals)]
		if sw, ok := w.(*statusWriter); ok {
			sw.id = id
		}
	}
	writeJSON(w, status, body)
}

// create serves POST /{endpoint} (RFC 7644 §3.3).
func (h *Handler) create(w http.ResponseWriter, r *http.Request, t *resourceType) {
	body, err := h.readBody(w, r, h.cfg.MaxBodyBytes)
	if err == nil {
		if done := h.createJSON(w, r, t, body); done {
			return
		}
		var res *schema.Resource
		if res, err = h.createResource(r.Context(), t, body); err == nil {
			h.writeResource(w, r, t, res, http.StatusCreated)
			return
		}
	}
	h.fail(w, r, err)
}

// createJSON serves a POST whose body document.PrepareCreate takes, to a
// store with fast paths, from the JSON the body is: neither the body nor
// the answer is decoded or encoded. It reports false, having done
// nothing, when the request is for the general path: a body of another
// shape (or in error), a resource type with reference lists (whose
// members the handler checks), hooks that are handed the resource, or a
// store that declines.
func (h *Handler) createJSON(w http.ResponseWriter, r *http.Request, t *resourceType, body []byte) bool {
	if t.hasLists || h.cfg.BeforeWrite != nil || h.cfg.OnChange != nil {
		return false
	}
	if _, ok := t.store.(fastpath.Provider); !ok {
		return false
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	c, buf, ok := document.PrepareCreate((*bp)[:0], t.rt, body, h.decodeOpts)
	*bp = buf
	if !ok {
		return false
	}
	enc, ok, err := fastpath.CreateJSON(r.Context(), t.store, &c)
	if !ok {
		return false
	}
	if err != nil {
		h.fail(w, r, err)
		return true
	}
	h.writeEncoded(w, r, t, &enc, projection(t.rt, r), http.StatusCreated)
	return true
}

// createResource decodes, validates and stores a new resource.
func (h *Handler) createResource(ctx context.Context, t *resourceType, body []byte) (*schema.Resource, error) {
	res, err := document.Decode(t.rt, body, h.decodeOpts)
	if err == nil {
		res, err = document.ValidateCreateOwned(t.rt, res) // decoded for this request alone
	}
	if err == nil {
		err = h.protectResource(ctx, t, res, nil)
	}
	if err == nil {
		err = h.checkMembers(ctx, t, res)
	}
	if err != nil {
		return nil, err
	}
	// res was decoded for this request alone: hand it over.
	err = h.guard(ctx, t, func() error {
		if err := h.approve(ctx, Change{Method: http.MethodPost, Type: t.rt, After: res}); err != nil {
			return err
		}
		res, err = fastpath.Create(ctx, t.store, res)
		return err
	})
	if err != nil {
		return nil, err
	}
	h.notify(ctx, Change{Method: http.MethodPost, Type: t.rt, ID: res.ID, After: res})
	return res, nil
}

// get serves GET /{endpoint}/{id} (RFC 7644 §3.4.1), with If-None-Match
// (RFC 7644 §3.14). It reads through fastpath.Store when the store is
// one, writing the JSON the store keeps.
func (h *Handler) get(w http.ResponseWriter, r *http.Request, t *resourceType, id string) {
	p := projection(t.rt, r)
	if !p.Requests() {
		enc, ok, err := fastpath.GetJSON(r.Context(), t.store, id)
		if ok {
			if err != nil {
				h.fail(w, r, err)
				return
			}
			if !notModified(w, r, enc.Meta.Version) {
				h.writeEncoded(w, r, t, &enc, p, http.StatusOK)
			}
			return
		}
	}
	res, err := t.store.Get(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if notModified(w, r, res.Meta.Version) {
		return
	}
	h.writeResource(w, r, t, res, http.StatusOK)
}

// notModified answers 304 when the request's If-None-Match names version
// or "*" (RFC 7644 §3.14), and reports whether it did.
func notModified(w http.ResponseWriter, r *http.Request, version string) bool {
	inm := r.Header.Get("If-None-Match")
	if inm == "" || version == "" || !eachTag(inm, func(v string) bool { return v == "*" || v == version }) {
		return false
	}
	w.Header().Set("ETag", etag(version))
	w.WriteHeader(http.StatusNotModified)
	return true
}

// replace serves PUT /{endpoint}/{id} (RFC 7644 §3.5.1).
func (h *Handler) replace(w http.ResponseWriter, r *http.Request, t *resourceType, id string) {
	body, err := h.readBody(w, r, h.cfg.MaxBodyBytes)
	var ifVersion string
	if err == nil {
		ifVersion, err = h.ifMatch(r.Context(), t, id, r.Header.Get("If-Match"))
	}
	if err == nil {
		var res *schema.Resource
		if res, err = h.replaceResource(r.Context(), t, id, body, ifVersion); err == nil {
			h.writeResource(w, r, t, res, http.StatusOK)
			return
		}
	}
	h.fail(w, r, err)
}

// replaceResource replaces resource id with body (RFC 7644 §3.5.1): only
// at ifVersion when it is not empty, otherwise retrying a version race.
func (h *Handler) replaceResource(ctx context.Context, t *resourceType, id string, body []byte, ifVersion string) (*schema.Resource, error) {
	in, err := document.Decode(t.rt, body, h.decodeOpts)
	if err != nil {
		return nil, err
	}
	var res, old *schema.Resource
	attempts := 0
	err = h.guard(ctx, t, func() (err error) {
		old, err = store.Update(ctx, t.store, id, ifVersion, func(old *schema.Resource) error {
			if attempts++; attempts > 1 {
				// The last attempt handed in's values over: decode afresh.
				if in, err = document.Decode(t.rt, body, h.decodeOpts); err != nil {
					return err
				}
			}
			if err := h.protectResource(ctx, t, in, old); err != nil {
				return err
			}
			// next shares in's values and copies what it takes from old.
			next, err := document.ValidateReplace(t.rt, old, in)
			if err == nil {
				err = h.checkMembers(ctx, t, next)
			}
			if err == nil {
				err = h.approve(ctx, Change{Method: http.MethodPut, Type: t.rt, ID: id, Before: old, After: next})
			}
			if err == nil {
				// Replace the version read, so that readOnly values taken from
				// it are current.
				res, err = fastpath.Replace(ctx, t.store, next, old.Meta.Version)
			}
			return err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	if res.Meta.Version != old.Meta.Version {
		h.notify(ctx, Change{Method: http.MethodPut, Type: t.rt, ID: id, Before: old, After: res})
		h.renamed(ctx, t, id, old, res)
	}
	return res, nil
}

// patch serves PATCH /{endpoint}/{id} (RFC 7644 §3.5.2).
func (h *Handler) patch(w http.ResponseWriter, r *http.Request, t *resourceType, id string) {
	q, _ := readParams(r.URL.RawQuery) // serve checked it
	noContent := h.cfg.PatchNoContent && q.get(pAttributes) == "" && q.get(pExcluded) == ""
	body, err := h.readBody(w, r, h.cfg.MaxBodyBytes)
	var ifVersion string
	if err == nil {
		ifVersion, err = h.ifMatch(r.Context(), t, id, r.Header.Get("If-Match"))
	}
	// Answered with the default attributes, a PATCH may be answered with
	// the JSON the store wrote (fastpath.Store.PatchJSON).
	var enc document.Encoded
	into := &enc
	p := projection(t.rt, r)
	if noContent || p.Requests() {
		into = nil
	}
	var res *schema.Resource
	if err == nil {
		res, err = h.patchResource(r.Context(), t, id, body, ifVersion, !noContent, into)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if enc.ID != "" {
		h.writeEncoded(w, r, t, &enc, p, http.StatusOK)
		return
	}
	if noContent {
		if res.Meta.Version != "" {
			w.Header().Set("ETag", etag(res.Meta.Version))
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h.writeResource(w, r, t, res, http.StatusOK)
}

// patchResource applies the PatchOp body to resource id (RFC 7644 §3.5.2).
// Unless full, the result may hold only the id and meta, which a
// store.Patcher can provide without reading the resource back. When into
// is not nil and the store answers with its JSON (fastpath.Patch), the
// JSON is put there and the result holds only the id and meta.
func (h *Handler) patchResource(ctx context.Context, t *resourceType, id string, body []byte, ifVersion string, full bool, into *document.Encoded) (*schema.Resource, error) {
	ops, err := patch.Decode(body, h.patchOpts)
	if err == nil {
		ops, err = h.protectOps(ctx, t, ops)
	}
	if err == nil {
		ops, err = h.checkMemberOps(ctx, t, ops)
	}
	if err != nil {
		return nil, err
	}
	return h.applyOps(ctx, t, id, ops, ifVersion, full, into)
}

// applyOps applies decoded PATCH operations to resource id and reports
// the change to Config.OnChange; full and into are as in patchResource.
func (h *Handler) applyOps(ctx context.Context, t *resourceType, id string, ops []patch.Operation, ifVersion string, full bool, into *document.Encoded) (*schema.Resource, error) {
	if renames := h.mayRename(t, ops) && h.isHeld(ctx, t, id); h.cfg.OnChange != nil || renames || h.cfg.BeforeWrite != nil {
		var before, after *schema.Resource
		err := h.guard(ctx, t, func() (err error) {
			before, err = store.Update(ctx, t.store, id, ifVersion, func(cur *schema.Resource) error {
				if h.cfg.BeforeWrite == nil {
					var err error
					after, err = store.Patch(ctx, t.store, t.rt, id, ops, cur.Meta.Version, store.PatchOptions{Options: h.patchOpts})
					return err
				}
				// The hook sees the result, which is then written at the
				// version it was made from.
				next, changed, err := patch.Apply(ctx, t.rt, cur, ops, h.patchOpts)
				if err != nil || !changed {
					after = cur
					return err
				}
				if err := h.approve(ctx, Change{Method: http.MethodPatch, Type: t.rt, ID: id, Before: cur, After: next}); err != nil {
					return err
				}
				after, err = t.store.Replace(ctx, next, cur.Meta.Version)
				return err
			})
			return err
		})
		if err != nil {
			return nil, err
		}
		if after.Meta.Version != before.Meta.Version {
			h.notify(ctx, Change{Method: http.MethodPatch, Type: t.rt, ID: id, Before: before, After: after})
			if renames {
				h.renamed(ctx, t, id, before, after)
			}
		}
		return after, nil
	}
	if into != nil {
		if enc, ok, err := fastpath.Patch(ctx, t.store, id, ops, ifVersion, h.patchOpts); ok {
			if err != nil {
				return nil, err
			}
			*into = enc
			return &schema.Resource{ID: enc.ID, Meta: enc.Meta}, nil
		}
	}
	return store.Patch(ctx, t.store, t.rt, id, ops, ifVersion, store.PatchOptions{Options: h.patchOpts, MetaOnly: !full})
}

// delete serves DELETE /{endpoint}/{id} (RFC 7644 §3.6).
func (h *Handler) delete(w http.ResponseWriter, r *http.Request, t *resourceType, id string) {
	ifVersion, err := h.ifMatch(r.Context(), t, id, r.Header.Get("If-Match"))
	if err == nil {
		err = h.deleteResource(r.Context(), t, id, ifVersion)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// deleteResource deletes resource id, at ifVersion when it is not empty,
// then removes it from the reference lists that name it.
func (h *Handler) deleteResource(ctx context.Context, t *resourceType, id, ifVersion string) error {
	if h.cfg.OnChange == nil && h.cfg.BeforeWrite == nil {
		if err := t.store.Delete(ctx, id, ifVersion); err != nil {
			return err
		}
	} else {
		var before *schema.Resource
		err := h.guard(ctx, t, func() (err error) {
			before, err = store.Update(ctx, t.store, id, ifVersion, func(cur *schema.Resource) error {
				if err := h.approve(ctx, Change{Method: http.MethodDelete, Type: t.rt, ID: id, Before: cur}); err != nil {
					return err
				}
				return t.store.Delete(ctx, id, cur.Meta.Version)
			})
			return err
		})
		if err != nil {
			return err
		}
		h.notify(ctx, Change{Method: http.MethodDelete, Type: t.rt, ID: id, Before: before})
	}
	h.removeReferences(ctx, t, id)
	return nil
}
