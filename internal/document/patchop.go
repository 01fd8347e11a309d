package document

import "strings"

// RawOperation is one member of a PatchOp's "Operations" as ParsePatchOp
// reads it.
type RawOperation struct {
	Op, Path       string
	HasOp, HasPath bool
	Value          []byte // the value's JSON, as written; nil when there is none
}

// ParsePatchOp reads a PatchOp request body (RFC 7644 §3.5.2) written the
// common way, several times faster than encoding/json: a JSON object whose
// members "schemas" (an array of strings) and "Operations" (an array of
// objects whose "op" and "path" are strings) appear at most once each,
// names matching case-insensitively as encoding/json matches them to
// fields. ok is false for any other input, valid or not, and then the
// caller decodes data with encoding/json, whose answer it keeps: the two
// agree wherever ok is true (patch's FuzzParsePatchOp checks it). data
// must be valid UTF-8, as patch.Decode checks first. The values are
// copied out of data.
func ParsePatchOp(data []byte) (schemas []string, ops []RawOperation, ok bool) {
	p := parser{data: data}
	p.space()
	if !p.at('{') {
		return nil, nil, false
	}
	var seenSchemas, seenOps bool
	var values []byte // every operation's value, copied once
	var at [][2]int   // where each operation's value is in values, or -1
	ok = p.members(func(name string) bool {
		switch {
		case strings.EqualFold(name, "schemas"):
			if seenSchemas {
				return false
			}
			seenSchemas = true
			return p.strings(func(s string) { schemas = append(schemas, s) })
		case strings.EqualFold(name, "Operations"):
			if seenOps {
				return false
			}
			seenOps = true
			return p.elements(func() bool {
				var op RawOperation
				var seenValue bool
				from, to := -1, -1
				if !p.at('{') || !p.members(func(name string) bool {
					switch {
					case strings.EqualFold(name, "op"):
						if op.HasOp || !p.is('"') {
							return false
						}
						s, err := p.str()
						op.Op, op.HasOp = s, true
						return err == nil
					case strings.EqualFold(name, "path"):
						if op.HasPath || !p.is('"') {
							return false
						}
						s, err := p.str()
						op.Path, op.HasPath = s, true
						return err == nil
					case strings.EqualFold(name, "value"):
						if seenValue {
							return false
						}
						seenValue = true
						p.space()
						from = p.i
						_, err := p.value()
						to = p.i
						return err == nil
					}
					return p.skip(name)
				}) || !op.HasOp {
					return false
				}
				if from >= 0 {
					at = append(at, [2]int{len(values), len(values) + to - from})
					values = append(values, data[from:to]...)
				} else {
					at = append(at, [2]int{-1, -1})
				}
				ops = append(ops, op)
				return true
			})
		}
		return p.skip(name)
	})
	p.space()
	if !ok || p.i != len(data) {
		return nil, nil, false
	}
	for i, a := range at {
		if a[0] >= 0 {
			ops[i].Value = values[a[0]:a[1]:a[1]]
		}
	}
	return schemas, ops, true
}

// at reports whether the next token is c, and moves past it.
func (p *parser) at(c byte) bool {
	if !p.is(c) {
		return false
	}
	p.i++
	return true
}

// is reports whether the next token starts with c.
func (p *parser) is(c byte) bool {
	p.space()
	return p.i < len(p.data) && p.data[p.i] == c
}

// members reads the members of an object whose '{' has been read, calling
// f with each name when the parser is at its value, which f reads. Names
// outside ASCII end the read: encoding/json folds a few of them into
// ASCII names.
func (p *parser) members(f func(name string) bool) bool {
	if p.at('}') {
		return true
	}
	for {
		if !p.is('"') {
			return false
		}
		name, err := p.str()
		if err != nil || !p.at(':') || !ascii(name) || !f(name) {
			return false
		}
		if p.at('}') {
			return true
		}
		if !p.at(',') {
			return false
		}
	}
}

// elements reads an array, calling f at each element, which f reads.
func (p *parser) elements(f func() bool) bool {
	if !p.at('[') {
		return false
	}
	if p.at(']') {
		return true
	}
	for {
		if !f() {
			return false
		}
		if p.at(']') {
			return true
		}
		if !p.at(',') {
			return false
		}
	}
}

// strings reads an array of strings, calling f with each.
func (p *parser) strings(f func(string)) bool {
	return p.elements(func() bool {
		if !p.is('"') {
			return false
		}
		s, err := p.str()
		f(s)
		return err == nil
	})
}

// skip reads the value of a member ParsePatchOp does not use.
func (p *parser) skip(string) bool {
	_, err := p.value()
	return err == nil
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
