package document

import "bytes"

// RawOperation is one member of a PatchOp's "Operations" as ParsePatchOp
// reads it.
type RawOperation struct {
	Op, Path       string
	HasOp, HasPath bool
	Value          []byte // the value's JSON, as written; nil when there is none

	from, to int // where data holds Value, while ParsePatchOp reads
}

// The member names ParsePatchOp reads, in the order name returns them.
var (
	patchOpNames   = []string{"schemas", "Operations"}
	operationNames = []string{"op", "path", "value"}
)

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
	var seen [2]bool
	values := false
	for more := p.objectStart(); more; more = p.objectNext() {
		switch k := p.name(patchOpNames); {
		case k == -2 || k >= 0 && seen[k]:
			return nil, nil, false
		case k == 0:
			seen[0] = true
			for more := p.arrayStart(); more; more = p.arrayNext() {
				s, ok := p.string()
				if !ok {
					return nil, nil, false
				}
				schemas = append(schemas, s)
			}
		case k == 1:
			seen[1] = true
			ops = make([]RawOperation, 0, 2)
			for more := p.arrayStart(); more; more = p.arrayNext() {
				op, ok := p.operation()
				if !ok {
					return nil, nil, false
				}
				values = values || op.from >= 0
				ops = append(ops, op)
			}
		default:
			if _, err := p.value(); err != nil {
				return nil, nil, false
			}
		}
		if p.failed {
			return nil, nil, false
		}
	}
	p.space()
	if p.failed || p.i != len(data) {
		return nil, nil, false
	}
	if values {
		cp := bytes.Clone(data)
		for i := range ops {
			if o := &ops[i]; o.from >= 0 {
				o.Value = cp[o.from:o.to:o.to]
			}
		}
	}
	return schemas, ops, true
}

// operation reads one object of "Operations".
func (p *parser) operation() (op RawOperation, ok bool) {
	op.from = -1
	for more := p.objectStart(); more; more = p.objectNext() {
		switch k := p.name(operationNames); k {
		case -2:
			return op, false
		case 0, 1:
			if op.HasOp && k == 0 || op.HasPath && k == 1 {
				return op, false
			}
			s, ok := p.string()
			if !ok {
				return op, false
			}
			if k == 0 {
				op.Op, op.HasOp = s, true
			} else {
				op.Path, op.HasPath = s, true
			}
		case 2:
			if op.from >= 0 {
				return op, false
			}
			p.space()
			op.from = p.i
			if !p.skip() {
				return op, false
			}
			op.to = p.i
		default:
			if _, err := p.value(); err != nil {
				return op, false
			}
		}
	}
	return op, !p.failed && op.HasOp
}

// objectStart reads the '{' of an object and reports whether a member
// follows; without a '{' it sets failed.
func (p *parser) objectStart() bool {
	if !p.at('{') {
		p.failed = true
		return false
	}
	return !p.at('}')
}

// objectNext reads what follows a member and reports whether another one
// does; on bad syntax it sets failed.
func (p *parser) objectNext() bool { return p.next('}') }

// arrayStart and arrayNext are objectStart and objectNext for arrays.
func (p *parser) arrayStart() bool {
	if !p.at('[') {
		p.failed = true
		return false
	}
	return !p.at(']')
}

func (p *parser) arrayNext() bool { return p.next(']') }

func (p *parser) next(end byte) bool {
	if p.at(end) {
		return false
	}
	if !p.at(',') {
		p.failed = true
		return false
	}
	return true
}

// name reads a member's name and its ':', and returns the name's index in
// names (matched case-insensitively), -1 for another name, or -2 when the
// name cannot be read the fast way: bad syntax, an escape, or a byte
// outside ASCII (which encoding/json may fold into an ASCII name).
func (p *parser) name(names []string) int {
	if !p.is('"') {
		return -2
	}
	start := p.i + 1
	end := start
	for ; end < len(p.data) && p.data[end] != '"'; end++ {
		if c := p.data[end]; c == '\\' || c >= 0x80 || c < 0x20 {
			return -2
		}
	}
	if end >= len(p.data) {
		return -2
	}
	p.i = end + 1
	if !p.at(':') {
		return -2
	}
	name := p.data[start:end]
	for i, n := range names {
		if len(n) == len(name) && asciiEqualFold(n, name) {
			return i
		}
	}
	return -1
}

// skip reads a value as value does and drops it, building nothing: a
// member the reader does not use, or a value ParsePatchOp keeps as JSON.
// It reports whether value would have read it.
func (p *parser) skip() bool {
	p.space()
	if p.i >= len(p.data) {
		return false
	}
	switch c := p.data[p.i]; {
	case c == '"':
		return p.skipString()
	case c == '-' || c >= '0' && c <= '9':
		return p.numberEnd() == nil
	case c == '{':
		return p.skipNested('}', true)
	case c == '[':
		return p.skipNested(']', false)
	}
	_, err := p.value() // a literal, or an error
	return err == nil
}

// skipNested skips the object (members true) or array at p.i, which ends
// with end.
func (p *parser) skipNested(end byte, members bool) bool {
	if p.nest() != nil {
		return false
	}
	p.i++
	if p.at(end) {
		p.depth--
		return true
	}
	for {
		if members && !(p.is('"') && p.skipString() && p.at(':')) {
			return false
		}
		if !p.skip() {
			return false
		}
		switch {
		case p.at(','):
		case p.at(end):
			p.depth--
			return true
		default:
			return false
		}
	}
}

// skipString reads a string as str does, without building it.
func (p *parser) skipString() bool {
	for p.i++; p.i < len(p.data); p.i++ {
		switch c := p.data[p.i]; {
		case c == '"':
			p.i++
			return true
		case c < 0x20:
			return false
		case c != '\\':
		case p.i+1 >= len(p.data):
			return false
		default:
			p.i++
			switch p.data[p.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				p.i++
				if _, ok := p.hex4(); !ok {
					return false
				}
				p.i-- // hex4 left p.i after the four digits; the loop moves on
			default:
				return false
			}
		}
	}
	return false
}

// string reads a string value.
func (p *parser) string() (string, bool) {
	if !p.is('"') {
		return "", false
	}
	s, err := p.str()
	return s, err == nil
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

// asciiEqualFold reports whether a and b, of the same length and ASCII,
// are equal under ASCII case folding.
func asciiEqualFold(a string, b []byte) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
