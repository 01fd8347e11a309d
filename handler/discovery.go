package handler

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

type supported struct {
	Supported bool `json:"supported"`
}

type metaJSON struct {
	ResourceType string `json:"resourceType"`
	Location     string `json:"location"`
}

// serviceProviderConfig serves GET /ServiceProviderConfig (RFC 7644 §4,
// RFC 7643 §5). It is generated from the configuration, so it never claims
// a feature that is off.
func (h *Handler) serviceProviderConfig(w http.ResponseWriter, r *http.Request) {
	schemes := h.cfg.AuthenticationSchemes
	if schemes == nil {
		schemes = []AuthenticationScheme{oauthBearerToken()}
	}
	body := struct {
		Schemas          []string  `json:"schemas"`
		DocumentationURI string    `json:"documentationUri,omitempty"`
		Patch            supported `json:"patch"`
		Bulk             struct {
			Supported      bool `json:"supported"`
			MaxOperations  int  `json:"maxOperations"`
			MaxPayloadSize int  `json:"maxPayloadSize"`
		} `json:"bulk"`
		Filter struct {
			Supported  bool `json:"supported"`
			MaxResults int  `json:"maxResults"`
		} `json:"filter"`
		Pagination struct {
			Cursor                  bool   `json:"cursor"`
			Index                   bool   `json:"index"`
			DefaultPaginationMethod string `json:"defaultPaginationMethod"`
			DefaultPageSize         int    `json:"defaultPageSize"`
			MaxPageSize             int    `json:"maxPageSize"`
		} `json:"pagination"`
		ChangePassword supported              `json:"changePassword"`
		Sort           supported              `json:"sort"`
		ETag           supported              `json:"etag"`
		AuthSchemes    []AuthenticationScheme `json:"authenticationSchemes"`
		Meta           metaJSON               `json:"meta"`
	}{
		Schemas:          []string{document.ServiceProviderConfigSchema},
		DocumentationURI: h.cfg.DocumentationURI,
		Patch:            supported{true},
		ChangePassword:   supported{h.passwordWritable()},
		Sort:             supported{true},
		ETag:             supported{true},
		AuthSchemes:      schemes,
		Meta:             metaJSON{"ServiceProviderConfig", h.baseURL(r) + "/ServiceProviderConfig"},
	}
	body.Filter.Supported, body.Filter.MaxResults = true, h.cfg.MaxResults
	// RFC 9865 §4: both kinds of paging, index by default.
	body.Pagination.Cursor, body.Pagination.Index, body.Pagination.DefaultPaginationMethod = true, true, "index"
	body.Pagination.DefaultPageSize, body.Pagination.MaxPageSize = h.cfg.MaxResults, h.cfg.MaxResults
	if h.cfg.Bulk.MaxOperations > 0 {
		body.Bulk.Supported = true
		body.Bulk.MaxOperations, body.Bulk.MaxPayloadSize = h.cfg.Bulk.MaxOperations, int(h.cfg.Bulk.MaxPayloadBytes)
	}
	writeJSONValue(w, body)
}

// passwordWritable reports whether some resource type has a password a
// client may set (RFC 7643 §5 changePassword).
func (h *Handler) passwordWritable() bool {
	if h.cfg.DropPasswords {
		return false
	}
	for _, t := range h.types {
		if a := t.rt.Schema.Attribute("password"); a != nil && a.Mutability != schema.ReadOnly {
			return true
		}
	}
	return false
}

// resourceTypes serves GET /ResourceTypes and /ResourceTypes/{id}.
func (h *Handler) resourceTypes(w http.ResponseWriter, r *http.Request, rest []string) {
	base := h.baseURL(r)
	one := func(rt *schema.ResourceType) []byte {
		b, _ := json.Marshal(rt) // a resource type always marshals
		return withMeta(b, "ResourceType", base+"/ResourceTypes/"+url.PathEscape(rtID(rt)))
	}
	if len(rest) == 1 {
		for _, t := range h.types {
			if strings.EqualFold(rest[0], rtID(t.rt)) || strings.EqualFold(rest[0], t.rt.Name) {
				writeJSON(w, http.StatusOK, one(t.rt))
				return
			}
		}
		writeError(w, &schema.Error{Status: http.StatusNotFound, Detail: fmt.Sprintf("no resource type %q", rest[0])})
		return
	}
	items := make([][]byte, len(h.types))
	for i, t := range h.types {
		items[i] = one(t.rt)
	}
	writeJSON(w, http.StatusOK, listOf(items))
}

func rtID(rt *schema.ResourceType) string {
	if rt.ID != "" {
		return rt.ID
	}
	return rt.Name
}

// schemasEndpoint serves GET /Schemas and /Schemas/{id}.
func (h *Handler) schemasEndpoint(w http.ResponseWriter, r *http.Request, rest []string) {
	base := h.baseURL(r)
	one := func(s *schema.Schema) []byte {
		b, _ := json.Marshal(s) // a schema always marshals
		return withMeta(b, "Schema", base+"/Schemas/"+s.ID)
	}
	if len(rest) == 1 {
		for _, s := range h.schemas {
			if strings.EqualFold(rest[0], s.ID) {
				writeJSON(w, http.StatusOK, one(s))
				return
			}
		}
		writeError(w, &schema.Error{Status: http.StatusNotFound, Detail: fmt.Sprintf("no schema %q", rest[0])})
		return
	}
	items := make([][]byte, len(h.schemas))
	for i, s := range h.schemas {
		items[i] = one(s)
	}
	writeJSON(w, http.StatusOK, listOf(items))
}

// withMeta adds "meta" to a marshalled JSON object.
func withMeta(obj []byte, resourceType, location string) []byte {
	m, _ := json.Marshal(metaJSON{resourceType, location})
	out := append(obj[:len(obj)-1:len(obj)-1], `,"meta":`...)
	out = append(out, m...)
	return append(out, '}')
}

// listOf writes a ListResponse holding every item (RFC 7644 §3.4.2).
func listOf(items [][]byte) []byte {
	n := strconv.Itoa(len(items))
	b := []byte(`{"schemas":["` + document.ListResponseSchema + `"],"totalResults":` + n + `,"itemsPerPage":` + n + `,"startIndex":1,"Resources":[`)
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, it...)
	}
	return append(b, "]}"...)
}

func writeJSONValue(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, &schema.Error{Status: http.StatusInternalServerError, Detail: "internal error"})
		return
	}
	writeJSON(w, http.StatusOK, b)
}
