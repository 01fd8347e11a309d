package sqltable

import (
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
)

// row holds the scan targets of one row of the SELECT list.
type row struct {
	id    string
	meta  [3]any // version, created, updated
	vals  []any
	json  any
	dests []any
}

func (s *Store) newRow() *row {
	rw := &row{vals: make([]any, len(s.cols))}
	rw.dests = make([]any, 0, 4+len(s.cols)+1) // id, version, created, updated, the columns, JSON
	rw.dests = append(rw.dests, &rw.id, &rw.meta[0], &rw.meta[1], &rw.meta[2])
	for i := range rw.vals {
		rw.dests = append(rw.dests, &rw.vals[i])
	}
	if s.t.JSON != "" {
		rw.dests = append(rw.dests, &rw.json)
	}
	return rw
}

// stored decodes what the store wrote.
var stored = document.DecodeOptions{KeepEmptyStrings: true}

// resource turns a scanned row into a Resource (without its members).
func (s *Store) resource(rw *row) (*schema.Resource, error) {
	r := &schema.Resource{ID: rw.id, Attributes: make(map[string]any, len(s.cols)+1)}
	var err error
	if r.Meta, err = s.meta(rw.meta); err != nil {
		return nil, fmt.Errorf("sqltable: %s %s: %w", s.t.Name, r.ID, err)
	}
	return r, s.attributes(r, rw)
}

// attributes reads the attributes of a scanned row into r.
func (s *Store) attributes(r *schema.Resource, rw *row) error {
	if s.t.JSON != "" && rw.json != nil {
		if err := s.decodeJSON(r, rw.json); err != nil {
			return fmt.Errorf("sqltable: %s %s: column %s: %w", s.t.Name, r.ID, s.t.JSON, err)
		}
	}
	for i, c := range s.cols {
		v, ok, err := c.read(rw.vals[i])
		if err != nil {
			return fmt.Errorf("sqltable: %s %s: column %s: %w", s.t.Name, r.ID, c.Name, err)
		}
		if ok {
			c.set(r, v)
		}
	}
	return nil
}

// meta makes the Meta of a row from its version, created and updated columns.
func (s *Store) meta(m [3]any) (schema.Meta, error) {
	out := schema.Meta{ResourceType: s.rt.Name}
	var err error
	if m[1] != nil {
		if out.Created, err = timeOf(m[1]); err != nil {
			return out, err
		}
	}
	if m[2] != nil {
		if out.LastModified, err = timeOf(m[2]); err != nil {
			return out, err
		}
	}
	if s.t.Version != "" {
		n, err := intOf(m[0])
		if err != nil {
			return out, err
		}
		out.Version = strconv.FormatInt(n, 10)
	} else {
		out.Version = strconv.FormatInt(out.LastModified.UnixMicro(), 10)
	}
	return out, nil
}

// decodeJSON merges the attributes kept in the JSON column into r.
func (s *Store) decodeJSON(r *schema.Resource, raw any) error {
	var data []byte
	switch v := raw.(type) {
	case []byte:
		data = v
	case string:
		data = []byte(v)
	default:
		b, err := json.Marshal(v) // a driver that decodes json itself
		if err != nil {
			return err
		}
		data = b
	}
	v, err := document.ParseJSON(data)
	if err != nil {
		return err
	}
	obj, _ := v.(map[string]any)
	if x, ok := obj["externalId"].(string); ok {
		r.ExternalID = x
	}
	return document.DecodeStored(s.rt, obj, r.Attributes, stored)
}

// read turns what the column holds into the attribute's value.
func (c *column) read(raw any) (any, bool, error) {
	if b, ok := raw.([]byte); ok {
		raw = string(b)
	}
	if c.Read != nil {
		v, ok := c.Read(raw)
		return v, ok, nil
	}
	if raw == nil {
		return nil, false, nil
	}
	var v any
	switch a := c.attr.Target(); a.Type {
	case schema.String, schema.Reference, schema.Binary:
		switch x := raw.(type) {
		case string:
			v = x
		default:
			v = fmt.Sprint(x)
		}
		if v == "" {
			return nil, false, nil
		}
	case schema.Boolean:
		switch x := raw.(type) {
		case bool:
			v = x
		case int64:
			v = x != 0
		case string:
			v = x == "1" || strings.EqualFold(x, "true") || x == "t"
		default:
			return nil, false, fmt.Errorf("%T is not a boolean", raw)
		}
		if c.NotNull && v == false {
			return nil, false, nil
		}
	case schema.Integer:
		n, err := intOf(raw)
		if err != nil {
			return nil, false, err
		}
		if c.NotNull && n == 0 {
			return nil, false, nil
		}
		v = n
	case schema.Decimal:
		switch x := raw.(type) {
		case float64:
			v = x
		case float32:
			v = float64(x)
		case int64:
			v = float64(x)
		case string:
			f, err := strconv.ParseFloat(x, 64)
			if err != nil {
				return nil, false, err
			}
			v = f
		default:
			return nil, false, fmt.Errorf("%T is not a number", raw)
		}
	case schema.DateTime:
		t, err := timeOf(raw)
		if err != nil {
			return nil, false, err
		}
		v = t.Format(time.RFC3339Nano)
	default:
		return nil, false, fmt.Errorf("attribute %s cannot be held in a column", c.attr)
	}
	return v, true, nil
}

// set puts v, the column's value, into r.
func (c *column) set(r *schema.Resource, v any) {
	a := c.attr
	if a.Common && a.Attr.Name == "externalId" {
		r.ExternalID, _ = v.(string)
		return
	}
	into := r.Attributes
	if a.Ext != nil {
		m, _ := into[a.Ext.Schema.ID].(map[string]any)
		if m == nil {
			m = map[string]any{}
			into[a.Ext.Schema.ID] = m
		}
		into = m
	}
	switch {
	case a.Attr.MultiValued:
		elem := make(map[string]any, len(c.Value)+1)
		maps.Copy(elem, c.Value)
		elem[a.Sub.Name] = v
		into[a.Attr.Name] = []any{elem}
	case a.Sub != nil:
		m, _ := into[a.Attr.Name].(map[string]any)
		if m == nil {
			m = map[string]any{}
			into[a.Attr.Name] = m
		}
		m[a.Sub.Name] = v
	default:
		into[a.Attr.Name] = v
	}
}

// get returns the column's value in r.
func (c *column) get(r *schema.Resource) (any, bool) {
	a := c.attr
	if a.Common && a.Attr.Name == "externalId" {
		return r.ExternalID, r.ExternalID != ""
	}
	from := r.Attributes
	if a.Ext != nil {
		from, _ = from[a.Ext.Schema.ID].(map[string]any)
	}
	v, ok := from[a.Attr.Name]
	if !ok {
		return nil, false
	}
	switch {
	case a.Attr.MultiValued:
		elem := c.pick(v)
		if elem == nil {
			return nil, false
		}
		v, ok = elem[a.Sub.Name]
	case a.Sub != nil:
		m, _ := v.(map[string]any)
		v, ok = m[a.Sub.Name]
	}
	return v, ok
}

// pick returns the value of a multi-valued attribute the column holds:
// the one of the column's type, else the primary one, else the first.
func (c *column) pick(v any) map[string]any {
	list, _ := v.([]any)
	if len(list) == 0 {
		return nil
	}
	if t, ok := c.Value["type"].(string); ok {
		for _, e := range list {
			if m, _ := e.(map[string]any); m != nil && strings.EqualFold(fmt.Sprint(m["type"]), t) {
				return m
			}
		}
	}
	for _, e := range list {
		if m, _ := e.(map[string]any); m != nil && m["primary"] == true {
			return m
		}
	}
	m, _ := list[0].(map[string]any)
	return m
}

// write returns what the column holds for r.
func (c *column) write(r *schema.Resource) (any, error) {
	v, ok := c.get(r)
	if c.Write != nil {
		return c.Write(v, ok), nil
	}
	a := c.attr.Target()
	if !ok {
		if !c.NotNull {
			return nil, nil
		}
		switch a.Type {
		case schema.Boolean:
			return false, nil
		case schema.Integer:
			return int64(0), nil
		case schema.Decimal:
			return float64(0), nil
		}
		return "", nil
	}
	if a.Type == schema.DateTime {
		s, _ := v.(string)
		t, err := document.ParseDateTime(s)
		if err != nil {
			return nil, document.InvalidValueError("%s is not a dateTime", c.attr)
		}
		return t.UTC(), nil
	}
	return v, nil
}

// timeOf reads a timestamp column.
func timeOf(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), nil
	case []byte:
		return timeOf(string(x))
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999", time.RFC3339Nano, "2006-01-02 15:04:05.999999-07"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("%q is not a timestamp", x)
	}
	return time.Time{}, fmt.Errorf("%T is not a timestamp", v)
}

// intOf reads an integer column.
func intOf(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case int:
		return int64(x), nil
	case uint64:
		return int64(x), nil
	case []byte:
		return strconv.ParseInt(string(x), 10, 64)
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return 0, fmt.Errorf("%T is not an integer", v)
}
