package handler

import (
	"bytes"
	"container/heap"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

// bulkRequest is a BulkRequest message (RFC 7644 §3.7).
type bulkRequest struct {
	Schemas      []string        `json:"schemas"`
	FailOnErrors *int            `json:"failOnErrors"`
	Operations   []bulkOperation `json:"Operations"`
}

// bulkOperation is one operation of a BulkRequest.
type bulkOperation struct {
	Method  string          `json:"method"`
	BulkID  string          `json:"bulkId"`
	Version string          `json:"version"`
	Path    string          `json:"path"`
	Data    json.RawMessage `json:"data"`
}

// bulkResult is one operation of a BulkResponse.
type bulkResult struct {
	Location string          `json:"location,omitempty"`
	Method   string          `json:"method"`
	BulkID   string          `json:"bulkId,omitempty"`
	Version  string          `json:"version,omitempty"`
	Status   string          `json:"status"` // RFC 7644 §3.7.3 writes it as a string
	Response json.RawMessage `json:"response,omitempty"`
}

// bulkPrefix starts a reference to the resource a POST of the same
// request creates (RFC 7644 §3.7.2).
const bulkPrefix = "bulkId:"

// bulkJob is a BulkRequest being carried out.
type bulkJob struct {
	h       *Handler
	r       *http.Request
	ops     []bulkOperation
	refs    [][]string        // the bulkIds each operation refers to
	ids     map[string]string // bulkId → id of the resource its POST created
	results []*bulkResult     // by operation; nil until carried out
	errors  int
	maxErrs int // 0: no limit
}

// bulk serves POST /Bulk (RFC 7644 §3.7).
func (h *Handler) bulk(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Bulk.MaxOperations == 0 {
		writeError(w, &schema.Error{Status: http.StatusNotImplemented, Detail: "this service provider does not support /Bulk (see /ServiceProviderConfig)"})
		return
	}
	body, err := h.readBody(w, r, h.cfg.Bulk.MaxPayloadBytes)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = &schema.Error{Status: http.StatusRequestEntityTooLarge, Type: schema.ScimTooMany,
				Detail: fmt.Sprintf("the Bulk request is larger than maxPayloadSize (%d bytes)", mbe.Limit)}
		}
		h.fail(w, r, err)
		return
	}
	job, err := h.newBulkJob(r, body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	job.run()
	out := struct {
		Schemas    []string      `json:"schemas"`
		Operations []*bulkResult `json:"Operations"`
	}{Schemas: []string{document.BulkResponseSchema}, Operations: []*bulkResult{}}
	for _, res := range job.results {
		if res != nil {
			out.Operations = append(out.Operations, res)
		}
	}
	writeJSONValue(w, out)
}

// newBulkJob checks a BulkRequest as a whole; what is wrong with one
// operation is that operation's error, found when it is carried out.
func (h *Handler) newBulkJob(r *http.Request, body []byte) (*bulkJob, error) {
	var req bulkRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return nil, document.InvalidSyntaxError("the Bulk request is not a BulkRequest: %v", err)
	}
	if dec.More() {
		return nil, document.InvalidSyntaxError("the Bulk request has data after its JSON object")
	}
	if !slices.ContainsFunc(req.Schemas, func(s string) bool { return strings.EqualFold(s, document.BulkRequestSchema) }) {
		return nil, document.InvalidSyntaxError("\"schemas\" must contain %q", document.BulkRequestSchema)
	}
	if req.Operations == nil {
		return nil, document.InvalidSyntaxError("a BulkRequest needs \"Operations\"")
	}
	if n := len(req.Operations); n > h.cfg.Bulk.MaxOperations {
		return nil, &schema.Error{Status: http.StatusRequestEntityTooLarge, Type: schema.ScimTooMany,
			Detail: fmt.Sprintf("the Bulk request has %d operations, more than maxOperations (%d)", n, h.cfg.Bulk.MaxOperations)}
	}
	job := &bulkJob{h: h, r: r, ops: req.Operations, refs: make([][]string, len(req.Operations)),
		ids: map[string]string{}, results: make([]*bulkResult, len(req.Operations))}
	if req.FailOnErrors != nil && *req.FailOnErrors > 0 {
		job.maxErrs = *req.FailOnErrors
	}
	if err := h.checkBulkPatches(req.Operations); err != nil {
		return nil, err
	}
	defined := map[string]bool{}
	for i, op := range req.Operations {
		if op.BulkID != "" && strings.EqualFold(op.Method, http.MethodPost) {
			if defined[op.BulkID] {
				return nil, document.InvalidValueError("bulkId %q names two operations; bulkIds are unique within a request", op.BulkID)
			}
			defined[op.BulkID] = true
		}
		job.refs[i] = bulkRefs(op.Path, op.Data)
	}
	return job, nil
}

// checkBulkPatches refuses a Bulk request whose PATCH operations hold more
// than MaxPatchOperations operations together, so that a Bulk request of
// PATCHes costs what one PATCH may.
func (h *Handler) checkBulkPatches(ops []bulkOperation) error {
	n := 0
	for _, op := range ops {
		if !strings.EqualFold(op.Method, http.MethodPatch) {
			continue
		}
		var body struct {
			Operations []json.RawMessage `json:"Operations"`
		}
		if json.Unmarshal(op.Data, &body) == nil {
			n += len(body.Operations) // a body that does not decode is that operation's error
		}
	}
	if n > h.cfg.MaxPatchOperations {
		return &schema.Error{Status: http.StatusRequestEntityTooLarge, Type: schema.ScimTooMany,
			Detail: fmt.Sprintf("the Bulk request's PATCH operations hold %d operations together, more than the %d allowed", n, h.cfg.MaxPatchOperations)}
	}
	return nil
}

// run carries out the operations in dependency order (RFC 7644 §3.7.2):
// an operation that refers to a bulkId waits for the POST that defines
// it, whatever their order in the request; otherwise request order holds.
// It stops once failOnErrors errors have happened (RFC 7644 §3.7.3).
func (j *bulkJob) run() {
	definer := map[string]int{}
	for i, op := range j.ops {
		if op.BulkID != "" && strings.EqualFold(op.Method, http.MethodPost) {
			definer[op.BulkID] = i
		}
	}
	waiting := make([]int, len(j.ops))      // unfinished operations each waits for
	dependents := make([][]int, len(j.ops)) // operations waiting for each
	for i, refs := range j.refs {
		for _, ref := range refs {
			if d, ok := definer[ref]; ok && d != i {
				waiting[i]++
				dependents[d] = append(dependents[d], i)
			}
		}
	}
	ready := &intHeap{}
	for i, n := range waiting {
		if n == 0 {
			heap.Push(ready, i)
		}
	}
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		j.do(i)
		if j.maxErrs > 0 && j.errors >= j.maxErrs {
			return
		}
		for _, d := range dependents[i] {
			if waiting[d]--; waiting[d] == 0 {
				heap.Push(ready, d)
			}
		}
	}
	// What is left waits on itself: circular references (RFC 7644 §3.7.1).
	for i := range j.ops {
		if j.results[i] == nil {
			j.fail(i, "", &schema.Error{Status: http.StatusConflict, Type: schema.ScimInvalidValue,
				Detail: "the operation is part of a circle of bulkId references, which this service provider does not resolve"})
			if j.maxErrs > 0 && j.errors >= j.maxErrs {
				return
			}
		}
	}
}

// do carries out operation i and records its result.
func (j *bulkJob) do(i int) {
	op := j.ops[i]
	method := strings.ToUpper(op.Method)
	path, err := j.resolve([]byte(op.Path), true)
	if err != nil {
		j.fail(i, "", err)
		return
	}
	t, id, err := j.h.bulkTarget(method, string(path))
	if err != nil {
		j.fail(i, "", err)
		return
	}
	location := ""
	if id != "" {
		location = j.h.location(j.r, t.rt, id)
	}
	var data []byte
	if method != http.MethodDelete {
		if len(op.Data) == 0 || string(op.Data) == "null" {
			j.fail(i, location, document.InvalidSyntaxError("a %s operation needs \"data\"", method))
			return
		}
		if data, err = j.resolve(op.Data, false); err != nil {
			j.fail(i, location, err)
			return
		}
	}
	if method == http.MethodPost && op.BulkID == "" && j.h.cfg.Strict {
		j.fail(i, location, document.InvalidValueError("a POST operation needs a \"bulkId\" (RFC 7644 §3.7)"))
		return
	}
	ctx, ifVersion := j.r.Context(), versionOf(op.Version)
	var res *schema.Resource
	status := http.StatusOK
	switch method {
	case http.MethodPost:
		res, err = j.h.createResource(ctx, t, data)
		status = http.StatusCreated
	case http.MethodPut:
		res, err = j.h.replaceResource(ctx, t, id, data, ifVersion)
	case http.MethodPatch:
		res, err = j.h.patchResource(ctx, t, id, data, ifVersion, false, nil)
		if j.h.cfg.PatchNoContent {
			status = http.StatusNoContent
		}
	case http.MethodDelete:
		err = j.h.deleteResource(ctx, t, id, ifVersion)
		status = http.StatusNoContent
	}
	if err != nil {
		j.fail(i, location, err)
		return
	}
	out := &bulkResult{Method: method, BulkID: op.BulkID, Location: location, Status: strconv.Itoa(status)}
	if res != nil {
		out.Location = j.h.location(j.r, t.rt, res.ID)
		if res.Meta.Version != "" {
			out.Version = etag(res.Meta.Version)
		}
		if method == http.MethodPost && op.BulkID != "" {
			j.ids[op.BulkID] = res.ID
		}
	}
	j.results[i] = out
}

// fail records err as the result of operation i.
func (j *bulkJob) fail(i int, location string, err error) {
	se := toSCIM(err)
	if se.Status >= 500 {
		j.h.log.ErrorContext(j.r.Context(), "scimkit: bulk operation failed", "operation", i, "method", j.ops[i].Method, "path", j.ops[i].Path, "error", err)
	}
	body, _ := se.MarshalJSON() // a struct of strings always marshals
	method := strings.ToUpper(j.ops[i].Method)
	if method == "" {
		method = j.ops[i].Method
	}
	j.results[i] = &bulkResult{Method: method, BulkID: j.ops[i].BulkID, Location: location,
		Status: strconv.Itoa(se.Status), Response: body}
	j.errors++
}

// bulkTarget reads an operation's method and path: "/Users" for POST,
// "/Users/{id}" for the others (RFC 7644 §3.7).
func (h *Handler) bulkTarget(method, path string) (*resourceType, string, error) {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return nil, "", document.InvalidValueError("method %q is not one of POST, PUT, PATCH and DELETE", method)
	}
	segs := splitPath(path)
	if len(segs) == 0 {
		return nil, "", document.InvalidValueError("the operation needs a \"path\"")
	}
	t, ok := h.byEndpoint[strings.ToLower(segs[0])]
	switch {
	case !ok:
		return nil, "", &schema.Error{Status: http.StatusNotFound, Detail: fmt.Sprintf("no endpoint %q", "/"+segs[0])}
	case method == http.MethodPost && len(segs) != 1:
		return nil, "", document.InvalidValueError("a POST operation's path is a resource type endpoint, such as %q, not %q", t.rt.Endpoint, path)
	case method != http.MethodPost && len(segs) != 2:
		return nil, "", document.InvalidValueError("a %s operation's path is a resource, such as %q, not %q", method, t.rt.Endpoint+"/{id}", path)
	case method == http.MethodPost:
		return t, "", nil
	}
	return t, segs[1], nil
}

// resolve replaces every "bulkId:x" of data (a JSON text, or a path when
// isPath) by the id of the resource created by the POST with bulkId x.
func (j *bulkJob) resolve(data []byte, isPath bool) ([]byte, error) {
	var out []byte
	last := 0
	var err error
	each := eachJSONRef
	if isPath {
		each = eachPathRef
	}
	each(data, func(start, end int, ref string) bool {
		id, ok := j.ids[ref]
		if !ok {
			err = &schema.Error{Status: http.StatusConflict, Type: schema.ScimInvalidValue,
				Detail: fmt.Sprintf("bulkId %q does not resolve: no successful POST in this request has it", ref)}
			return false
		}
		out = append(out, data[last:start]...)
		out = append(out, id...)
		last = end
		return true
	})
	if err != nil || out == nil {
		return data, err
	}
	return append(out, data[last:]...), nil
}

// bulkRefs returns the bulkIds that path and data refer to.
func bulkRefs(path string, data []byte) []string {
	var refs []string
	seen := map[string]bool{}
	add := func(_, _ int, ref string) bool {
		if !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
		}
		return true
	}
	eachPathRef([]byte(path), add)
	eachJSONRef(data, add)
	return refs
}

// isRef reports whether s is a reference: "bulkId:" and a bulkId without
// spaces, so that prose which happens to start with "bulkId:" is left
// alone.
func isRef(s []byte) bool {
	return len(s) > len(bulkPrefix) && bytes.HasPrefix(s, []byte(bulkPrefix)) &&
		!bytes.ContainsAny(s, " \t\r\n")
}

// eachPathRef calls fn for each segment "bulkId:x" of a path, with its
// bounds. It stops when fn returns false.
func eachPathRef(s []byte, fn func(start, end int, ref string) bool) {
	for i := 0; i < len(s); {
		end := bytes.IndexByte(s[i:], '/')
		if end < 0 {
			end = len(s)
		} else {
			end += i
		}
		if seg := s[i:end]; isRef(seg) {
			if !fn(i, end, string(seg[len(bulkPrefix):])) {
				return
			}
		}
		i = end + 1
	}
}

// eachJSONRef calls fn for each string value (not object key) of the JSON
// text s that is a reference (see isRef), without escapes, with the bounds of
// its content. It stops when fn returns false.
func eachJSONRef(s []byte, fn func(start, end int, ref string) bool) {
	for i := 0; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		start, escaped := i+1, false
		j := start
		for ; j < len(s) && s[j] != '"'; j++ {
			if s[j] == '\\' {
				escaped = true
				j++
			}
		}
		i = j
		if escaped || j >= len(s) {
			continue
		}
		str := s[start:j]
		if !isRef(str) {
			continue
		}
		k := j + 1
		for k < len(s) && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r') {
			k++
		}
		if k < len(s) && s[k] == ':' {
			continue // an object key
		}
		if !fn(start, j, string(str[len(bulkPrefix):])) {
			return
		}
	}
}

// intHeap is a min-heap of operation indexes.
type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
