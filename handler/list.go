package handler

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/fastpath"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// searchRequest holds the parameters of a query (RFC 7644 §3.4.2, §3.4.3).
type searchRequest struct {
	filter               string
	filterSet            bool // the request gave a filter, perhaps an empty one
	sortBy, sortOrder    string
	startIndex, count    int
	countSet             bool    // false: the request gave no count
	cursor               *string // RFC 9865: non-nil asks for cursor paging; "" for the first page
	after                string  // keyset cursor, or the walk's page before (walks): the id the page comes after
	total                int     // keyset cursor past the first page: the total the first page counted
	attributes, excluded []string
}

// parseQuery reads the query parameters of GET /{endpoint} and GET /.
func (h *Handler) parseQuery(q *params) (searchRequest, error) {
	req := searchRequest{
		filter: q.get(pFilter), filterSet: q.has(pFilter), sortBy: q.get(pSortBy), sortOrder: q.get(pSortOrder),
		attributes: splitList(q.get(pAttributes)), excluded: splitList(q.get(pExcluded)),
	}
	var err error
	if req.startIndex, err = intParam(q.get(pStartIndex), 1); err != nil {
		return req, document.InvalidValueError("startIndex must be an integer, not %q", q.get(pStartIndex))
	}
	if req.count, err = intParam(q.get(pCount), 0); err != nil {
		return req, document.InvalidValueError("count must be an integer, not %q", q.get(pCount))
	}
	req.countSet = strings.TrimSpace(q.get(pCount)) != ""
	if q.has(pCursor) {
		c := q.get(pCursor)
		req.cursor = &c
		if q.has(pStartIndex) {
			return req, document.InvalidValueError("give cursor or startIndex, not both (RFC 9865)")
		}
	}
	return h.cursorStart(h.normalize(req))
}

func intParam(s string, def int) (int, error) {
	if strings.TrimSpace(s) == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			// Out of int64's range: as large or as small as can be.
			if strings.HasPrefix(strings.TrimSpace(s), "-") {
				return -1 << 31, nil
			}
			return 1 << 31, nil
		}
		return 0, err
	}
	return int(max(min(n, 1<<31), -1<<31)), nil
}

// normalize applies RFC 7644 §3.4.2.4: startIndex below 1 means 1; a
// negative count means 0; no count, or one above MaxResults, means
// MaxResults.
func (h *Handler) normalize(req searchRequest) searchRequest {
	if req.startIndex < 1 {
		req.startIndex = 1
	}
	switch {
	case !req.countSet || req.count > h.cfg.MaxResults:
		req.count = h.cfg.MaxResults
	case req.count < 0:
		req.count = 0
	}
	return req
}

// parseSearchBody reads a SearchRequest (RFC 7644 §3.4.3).
func (h *Handler) parseSearchBody(w http.ResponseWriter, r *http.Request) (searchRequest, error) {
	body, err := h.readBody(w, r, h.cfg.MaxBodyBytes)
	if err != nil {
		return searchRequest{}, err
	}
	v, err := document.ParseJSON(body)
	if err != nil {
		return searchRequest{}, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return searchRequest{}, document.InvalidSyntaxError("a SearchRequest must be a JSON object")
	}
	req := searchRequest{startIndex: 1}
	sawSchema := false
	for k, v := range obj {
		var err error
		switch strings.ToLower(k) {
		case "schemas":
			list, _ := v.([]any)
			sawSchema = slices.ContainsFunc(list, func(s any) bool {
				str, _ := s.(string)
				return strings.EqualFold(str, document.SearchRequestSchema)
			})
		case "filter":
			req.filter, err = stringMember(k, v)
			req.filterSet = v != nil
		case "sortby":
			req.sortBy, err = stringMember(k, v)
		case "sortorder":
			req.sortOrder, err = stringMember(k, v)
		case "attributes":
			req.attributes, err = listMember(k, v)
		case "excludedattributes":
			req.excluded, err = listMember(k, v)
		case "startindex":
			req.startIndex, err = intMember(k, v, 1)
		case "count":
			req.count, err = intMember(k, v, 0)
			req.countSet = v != nil
		case "cursor":
			var c string
			if c, err = stringMember(k, v); err == nil {
				req.cursor = &c
			}
		}
		if err != nil {
			return req, err
		}
	}
	if err := h.checkAttributeList("attributes", req.attributes); err != nil {
		return req, err
	}
	if err := h.checkAttributeList("excludedAttributes", req.excluded); err != nil {
		return req, err
	}
	if !sawSchema && h.cfg.Strict {
		return req, document.InvalidSyntaxError("\"schemas\" must contain %q", document.SearchRequestSchema)
	}
	return h.cursorStart(h.normalize(req))
}

func stringMember(k string, v any) (string, error) {
	if v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", document.InvalidValueError("%q must be a string", k)
	}
	return s, nil
}

func listMember(k string, v any) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return splitList(v), nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, document.InvalidValueError("%q must be an array of strings", k)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, document.InvalidValueError("%q must be an array of strings", k)
}

func intMember(k string, v any, def int) (int, error) {
	switch v := v.(type) {
	case nil:
		return def, nil
	case json.Number:
		return intParam(string(v), def)
	}
	return 0, document.InvalidValueError("%q must be an integer", k)
}

// query builds the store query of req for t; e is req's parsed filter or
// nil. Across several types (across), the filter is first reduced for t as
// RFC 7644 §3.4.2.1 requires, and a sortBy t does not have leaves t's
// resources unsorted, since none has the value; skip reports that no
// resource of t can match.
func (h *Handler) query(ctx context.Context, t *resourceType, req searchRequest, e filter.Expr, across bool, base string) (q *store.Query, skip bool, err error) {
	q = &store.Query{StartIndex: req.startIndex, Count: req.count, MaxScan: h.cfg.MaxScan}
	if e != nil {
		if e, err = byLocation(e, func() string { return resourceURL(base, t.rt, "") }); err != nil {
			return nil, false, err
		}
	}
	if e != nil {
		if e, err = h.resolveInverses(ctx, t, e); err != nil {
			return nil, false, err
		}
	}
	if e != nil && across {
		var always bool
		if e, always = reduceFilter(t.rt, e); e == nil && !always {
			return nil, true, nil
		}
	}
	if req.keyset() {
		// One more than the page, to know whether a next page exists.
		q.Count++
	}
	if req.after != "" {
		// The page follows the last id of the one before (a keyset
		// cursor, or the next page of a walk by startIndex): the results
		// past it in id order. The total is counted apart.
		q.StartIndex, q.After, q.NoTotal = 1, req.after, true
		past := &filter.Compare{Path: filter.Path{Name: "id"}, Op: filter.Gt, Value: req.after}
		if e == nil {
			e = past
		} else {
			e = &filter.Logical{Op: filter.And, Left: e, Right: past}
		}
	}
	if e != nil {
		if q.Filter, err = filter.Compile(t.rt, e); err != nil {
			return nil, false, err
		}
	}
	if req.sortBy != "" {
		s, err := filter.NewSorter(t.rt, req.sortBy, req.sortOrder)
		if err != nil && !across {
			return nil, false, err
		}
		q.Sort = s
	}
	return q, false, nil
}

// list serves GET /{endpoint} (RFC 7644 §3.4.2).
func (h *Handler) list(w http.ResponseWriter, r *http.Request, t *resourceType, q *params) {
	req, err := h.parseQuery(q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.answer(w, r, []*resourceType{t}, req)
}

// search serves POST /{endpoint}/.search (RFC 7644 §3.4.3).
func (h *Handler) search(w http.ResponseWriter, r *http.Request, t *resourceType) {
	req, err := h.parseSearchBody(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.answer(w, r, []*resourceType{t}, req)
}

// listAll serves GET / (RFC 7644 §3.4.2.1): a search across all types.
func (h *Handler) listAll(w http.ResponseWriter, r *http.Request, q *params) {
	req, err := h.parseQuery(q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.answer(w, r, h.types, req)
}

// searchAll serves POST /.search (RFC 7644 §3.4.3).
func (h *Handler) searchAll(w http.ResponseWriter, r *http.Request) {
	req, err := h.parseSearchBody(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.answer(w, r, h.types, req)
}

// continueWalk returns req to read past the id that ended the page
// before, and the total that page answered (nothing was written since, so
// it is the same), when req is the next page of a walk (see walks) with
// key k; otherwise req and -1.
func (h *Handler) continueWalk(req searchRequest, k walkKey, now time.Time) (searchRequest, int) {
	id, total, ok := h.walks.after(k, now)
	if !ok {
		return req, -1
	}
	req.after = id
	return req, total
}

// listBufs are the slices a list fills, pooled.
type listBufs struct {
	hits []hit
	encs []document.Encoded
}

var listPool = sync.Pool{New: func() any { return new(listBufs) }}

type hit struct {
	t   *resourceType
	p   *document.Projection // t's
	res *schema.Resource
	enc *document.Encoded // instead of res, from a fastpath.Store
}

// answer runs req over types and writes the ListResponse. Across several
// types, the results come type by type, each type's in the requested
// order.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, types []*resourceType, req searchRequest) {
	var e filter.Expr
	if req.filterSet {
		// An empty filter is not one: RFC 7644 §3.4.2.2 asks for at least
		// one expression, so the parser refuses it.
		var err error
		if e, err = h.cfg.FilterLimits.Parse(req.filter); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	across := len(types) > 1
	if req.cursor != nil && across {
		h.fail(w, r, document.InvalidValueError("cursor paging lists one resource type; use its endpoint"))
		return
	}
	if across {
		if p, ok := unknownPath(types, e); ok {
			h.fail(w, r, document.InvalidFilterError("no resource type has the attribute %q", p.String()))
			return
		}
	}
	if across && req.sortBy != "" && !slices.ContainsFunc(types, func(t *resourceType) bool {
		_, err := filter.NewSorter(t.rt, req.sortBy, req.sortOrder)
		return err == nil
	}) {
		_, err := filter.NewSorter(types[0].rt, req.sortBy, req.sortOrder)
		h.fail(w, r, err)
		return
	}
	// A page's resources, as the JSON the stores keep, go into slices
	// reused from one list to the next.
	lp := listPool.Get().(*listBufs)
	hits := lp.hits
	defer func() {
		// Nothing the slices held outlives the list.
		clear(hits[:cap(hits)])
		clear(lp.encs[:cap(lp.encs)])
		lp.hits, lp.encs = hits[:0], lp.encs[:0]
		listPool.Put(lp)
	}()
	total, walkTotal := 0, -1
	base := h.baseURL(r)
	// A page of a list in id order by startIndex may be the next page of
	// a walk (see walks).
	walkable := !across && req.cursor == nil && req.sortBy == "" && req.count > 0
	var walk walkKey
	var gen uint64
	var now time.Time
	if walkable {
		tenant := store.Tenant(r.Context())
		gen, now = h.walks.gen(tenant).Load(), time.Now()
		// The key's digest is worked out only for a page that may
		// continue a walk or be continued: most lookups are neither.
		walk = walkKey{tenant: tenant, endpoint: types[0].rt.Endpoint, count: req.count, start: req.startIndex}
		if req.startIndex > 1 {
			walk.digest = queryDigest(req)
			req, walkTotal = h.continueWalk(req, walk, now)
		}
	}
	for _, t := range types {
		sub := req
		if across {
			// The page runs over the types in turn: each answers the part
			// of the page that falls in its results (which start after the
			// total of the types before it) and its own total, so that no
			// type reads past the page.
			sub.startIndex, sub.count = max(req.startIndex-total, 1), max(req.count-len(hits), 0)
		}
		q, skip, err := h.query(r.Context(), t, sub, e, across, base)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if skip {
			continue
		}
		p := document.NewProjection(t.rt, req.attributes, req.excluded)
		if !p.Requests() {
			encs, n, ok, err := fastpath.SearchJSON(r.Context(), t.store, q, lp.encs[len(lp.encs):])
			if ok {
				if err != nil {
					h.fail(w, r, err)
					return
				}
				total += n
				if len(lp.encs) == 0 {
					lp.encs = encs // kept for the next list (one type's page: the usual list)
				}
				hits = slices.Grow(hits, len(encs))
				for i := range encs {
					hits = append(hits, hit{t: t, p: p, enc: &encs[i]})
				}
				continue
			}
		}
		page, err := store.Search(r.Context(), t.store, q)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		total += page.Total
		hits = slices.Grow(hits, len(page.Resources))
		for _, res := range page.Resources {
			hits = append(hits, hit{t: t, p: p, res: res})
		}
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	if walkTotal >= 0 {
		total = walkTotal
	}
	if walkable && len(hits) == req.count {
		// The next page of this walk starts past this one's last id.
		next := walk
		if next.digest == "" {
			next.digest = queryDigest(req)
		}
		next.start += req.count
		h.walks.ended(next, hits[len(hits)-1].id(), total, gen, now)
	}
	more := false
	if req.keyset() {
		if more = len(hits) > req.count; more {
			hits = hits[:req.count]
		}
		if req.after != "" {
			total = req.total
		}
	}
	b := append((*bp)[:0], `{"schemas":["`+document.ListResponseSchema+`"],"totalResults":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	b = append(b, `,"itemsPerPage":`...)
	b = strconv.AppendInt(b, int64(len(hits)), 10)
	switch {
	case req.cursor == nil:
		b = append(b, `,"startIndex":`...)
		b = strconv.AppendInt(b, int64(req.startIndex), 10)
	case req.keyset():
		// No previousCursor: RFC 9865 makes it optional, and a keyset
		// page knows only what follows it.
		if more {
			b = append(b, `,"nextCursor":`...)
			b = strconv.AppendQuote(b, encodeKeyset(req, hits[len(hits)-1].id(), total))
		}
	default:
		if next := req.startIndex + len(hits); len(hits) > 0 && next <= total {
			b = append(b, `,"nextCursor":`...)
			b = strconv.AppendQuote(b, encodeCursor(req, next))
		}
		if req.startIndex > 1 {
			b = append(b, `,"previousCursor":`...)
			b = strconv.AppendQuote(b, encodeCursor(req, max(req.startIndex-req.count, 1)))
		}
	}
	b = append(b, `,"Resources":[`...)
	var lastT *resourceType
	var lastP *document.Projection
	inverses := false // whether lastP writes an inverse attribute of lastT
	for i, x := range hits {
		if i > 0 {
			b = append(b, ',')
		}
		id := ""
		if x.enc != nil {
			b, id = appendEncoded(b, base, x.t.rt, x.enc, x.p), x.enc.ID
		} else {
			b, id = h.appendResource(b, base, x.t.rt, x.res, x.p), x.res.ID
		}
		if x.t != lastT || x.p != lastP {
			lastT, lastP = x.t, x.p
			inverses = slices.ContainsFunc(x.t.inverses, func(inv inverse) bool { return x.p.Includes(x.t.rt.Schema, nil, inv.attr) })
		}
		if !inverses {
			continue
		}
		var err error
		if b, err = h.appendInverses(r.Context(), b, base, x.t, id, x.p); err != nil {
			*bp = b
			h.fail(w, r, err)
			return
		}
	}
	b = append(b, "]}"...)
	*bp = b
	writeJSON(w, http.StatusOK, b)
}

// byLocation returns e with its comparisons of meta.location, which no
// store keeps (it is the resource's URL as this request sees it, RFC 7643
// §3.1), made comparisons of id: meta.location eq "<prefix><id>" is id eq
// "<id>", another URL matches nothing, pr matches every resource, and ne
// and eq null are their negations. Other operators are 400 invalidFilter.
// prefix returns the URL of the type's endpoint, with a final "/"; it is
// called only for a filter that names meta.location.
func byLocation(e filter.Expr, prefix func() string) (filter.Expr, error) {
	switch x := e.(type) {
	case *filter.Logical:
		l, err := byLocation(x.Left, prefix)
		if err != nil {
			return nil, err
		}
		r, err := byLocation(x.Right, prefix)
		if err != nil || (l == x.Left && r == x.Right) {
			return e, err
		}
		return &filter.Logical{Op: x.Op, Left: l, Right: r}, nil
	case *filter.Not:
		in, err := byLocation(x.Expr, prefix)
		if err != nil || in == x.Expr {
			return e, err
		}
		return &filter.Not{Expr: in}, nil
	case *filter.Compare:
		p := x.Path
		if p.Filter != nil || !strings.EqualFold(p.Name, "meta") || !strings.EqualFold(p.Sub, "location") {
			return e, nil
		}
		every := &filter.Compare{Path: filter.Path{Name: "id"}, Op: filter.Pr}
		none := &filter.Not{Expr: every}
		s, isString := x.Value.(string)
		switch {
		case x.Op == filter.Pr, x.Op == filter.Ne && x.Value == nil:
			return every, nil
		case x.Op == filter.Eq && x.Value == nil:
			return none, nil
		case (x.Op == filter.Eq || x.Op == filter.Ne) && isString:
			prefix := prefix()
			id, ok := "", len(s) > len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
			if ok {
				id = s[len(prefix):]
			}
			switch {
			case ok:
				return &filter.Compare{Path: filter.Path{Name: "id"}, Op: x.Op, Value: id}, nil
			case x.Op == filter.Eq:
				return none, nil
			}
			return every, nil
		}
		return nil, document.InvalidFilterError("meta.location can be compared with eq, ne and pr only, as the URL the resource is at")
	}
	return e, nil
}

// unknownPath returns an attribute path of e that none of types has: a
// typing mistake rather than an attribute of another type (RFC 7644
// §3.4.2.1). Paths inside value filters are not checked.
func unknownPath(types []*resourceType, e filter.Expr) (p filter.Path, found bool) {
	filter.Walk(e, func(x filter.Expr) bool {
		switch x := x.(type) {
		case *filter.ValuePath:
			p = filter.Path{URN: x.Path.URN, Name: x.Path.Name}
		case *filter.Compare:
			p = filter.Path{URN: x.Path.URN, Name: x.Path.Name}
			if x.Path.Filter == nil {
				p.Sub = x.Path.Sub
			}
		default:
			return !found
		}
		found = found || !slices.ContainsFunc(types, func(t *resourceType) bool {
			_, err := filter.ResolvePath(t.rt, p)
			return err == nil
		})
		return false
	})
	return p, found
}

// Cursors (RFC 9865) are opaque to clients. A list in id order (no
// sortBy) pages by key: its cursor holds the last id of the page and the
// total the first page counted, and the next page is the results past
// that id (store.Query.After), a range scan whatever its depth in stores
// that keep an id order. A sorted list's cursor holds the position of the
// page's first result. Both hold a digest of the query they belong to, so
// that a cursor used with another filter or order is refused rather than
// misread. They work with every store and never expire; like startIndex,
// they see writes made between pages.

// keyset reports whether req pages by key: by cursor, in id order.
func (req searchRequest) keyset() bool { return req.cursor != nil && req.sortBy == "" }

// id returns the id of the resource x holds.
func (x hit) id() string {
	if x.enc != nil {
		return x.enc.ID
	}
	return x.res.ID
}

// encodeKeyset writes the cursor of the page after the resource id.
func encodeKeyset(req searchRequest, id string, total int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("k" + strconv.Itoa(total) + "." + queryDigest(req) + "." + id))
}

// queryDigest identifies the query a cursor belongs to.
func queryDigest(req searchRequest) string {
	sum := sha256.Sum256([]byte(req.filter + "\x00" + strings.ToLower(req.sortBy) + "\x00" + strings.ToLower(req.sortOrder)))
	return base64.RawURLEncoding.EncodeToString(sum[:6])
}

func encodeCursor(req searchRequest, startIndex int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(startIndex) + "." + queryDigest(req)))
}

// cursorStart sets the startIndex a request's cursor points at.
func (h *Handler) cursorStart(req searchRequest) (searchRequest, error) {
	if req.cursor != nil && req.countSet && req.count < 1 {
		return req, &schema.Error{Status: http.StatusBadRequest, Type: schema.ScimInvalidCount,
			Detail: fmt.Sprintf("with a cursor, count must be between 1 and %d (RFC 9865)", h.cfg.MaxResults)}
	}
	if req.cursor == nil || *req.cursor == "" {
		return req, nil
	}
	bad := &schema.Error{Status: http.StatusBadRequest, Type: schema.ScimInvalidCursor, Detail: "the cursor is not one this service provider gave for this query (RFC 9865)"}
	raw, err := base64.RawURLEncoding.DecodeString(*req.cursor)
	if err != nil {
		return req, bad
	}
	if rest, ok := strings.CutPrefix(string(raw), "k"); ok {
		// k<total>.<digest>.<id>
		total, rest, _ := strings.Cut(rest, ".")
		digest, id, ok := strings.Cut(rest, ".")
		n, err := strconv.Atoi(total)
		if !ok || err != nil || n < 0 || id == "" || digest != queryDigest(req) || !req.keyset() {
			return req, bad
		}
		req.after, req.total = id, n
		return req, nil
	}
	pos, digest, ok := strings.Cut(string(raw), ".")
	n, err := strconv.Atoi(pos)
	if !ok || err != nil || n < 1 || digest != queryDigest(req) {
		return req, bad
	}
	req.startIndex = n
	return req, nil
}
