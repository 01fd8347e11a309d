package handler

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

// The query parameters SCIM defines (RFC 7644 §3.4.2, §3.9, RFC 9865), in
// params.
const (
	pFilter = iota
	pSortBy
	pSortOrder
	pAttributes
	pExcluded
	pStartIndex
	pCount
	pCursor
	nParams
)

var paramNames = [nParams]string{"filter", "sortBy", "sortOrder", "attributes", "excludedAttributes", "startIndex", "count", "cursor"}

// params holds the SCIM parameters of a query string as url.Values would:
// the first value of each name, and whether it is there.
type params struct {
	values [nParams]string
	seen   [nParams]bool
}

func (p *params) get(i int) string { return p.values[i] }
func (p *params) has(i int) bool   { return p.seen[i] }

// readParams reads the SCIM parameters of a raw query string as
// url.ParseQuery does, failing where it fails (a bad escape, a semicolon),
// without building url.Values for the parameters SCIM ignores. It is the
// handler's one reader of query strings.
func readParams(raw string) (params, error) {
	var p params
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if strings.Contains(part, ";") {
			return p, errors.New("invalid semicolon separator in query")
		}
		if part == "" {
			continue
		}
		key, value, _ := strings.Cut(part, "=")
		key, err := queryUnescape(key)
		if err != nil {
			return p, err
		}
		i := slices.Index(paramNames[:], key)
		if i < 0 || p.seen[i] {
			if !validEscapes(value) {
				return p, url.EscapeError(value)
			}
			continue
		}
		v, err := queryUnescape(value)
		if err != nil {
			return p, err
		}
		p.values[i], p.seen[i] = v, true
	}
	return p, nil
}

// queryUnescape is url.QueryUnescape in one pass: s itself when it escapes
// nothing, otherwise one allocation.
func queryUnescape(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	if !validEscapes(s) {
		return url.QueryUnescape(s) // for its error
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%':
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		case '+':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// unhex returns the value of hex digit c.
func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// validEscapes reports whether every '%' in s starts a %XX escape, which
// is what url.QueryUnescape requires.
func validEscapes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		}
	}
	return true
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// checkParams checks the attribute lists of a request's query string.
func (h *Handler) checkParams(q *params) error {
	for _, i := range []int{pAttributes, pExcluded} {
		if err := h.checkAttributeList(paramNames[i], splitList(q.get(i))); err != nil {
			return err
		}
	}
	return nil
}

// checkAttributeList checks an "attributes" or "excludedAttributes" list,
// of the query string or a search body (RFC 7644 §3.4.2.5): at most
// MaxAttributes names, each an attribute path without a value filter, such
// as "name.givenName" or a URN-qualified name; a malformed one is 400
// invalidPath. Names of no attribute are ignored.
func (h *Handler) checkAttributeList(param string, names []string) error {
	if len(names) > h.cfg.MaxAttributes {
		return document.InvalidValueError("%q lists %d names, more than the %d allowed", param, len(names), h.cfg.MaxAttributes)
	}
	for _, n := range names {
		if n == "" {
			continue // "a,,b": lenient, as before
		}
		if p, err := h.cfg.FilterLimits.ParsePath(n); err != nil || p.Filter != nil {
			return document.InvalidPathError("%q: %q is not an attribute name or path such as name.givenName", param, n)
		}
	}
	return nil
}

// projection reads "attributes" and "excludedAttributes" from the query
// string (RFC 7644 §3.4.2.5, §3.9).
func projection(rt *schema.ResourceType, r *http.Request) *document.Projection {
	if r.URL.RawQuery == "" {
		return nil
	}
	q, _ := readParams(r.URL.RawQuery) // serve checked it
	if !q.has(pAttributes) && !q.has(pExcluded) {
		return nil // the default projection: no attribute list named
	}
	return document.NewProjection(rt, splitList(q.get(pAttributes)), splitList(q.get(pExcluded)))
}

// splitList splits a comma-separated attribute list, trimming spaces.
func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
