package filter

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/scimkit/scimkit/schema"
)

// The limits on what Parse accepts when Limits leaves them zero.
const (
	defaultMaxLength = 8192 // bytes of filter text
	defaultMaxDepth  = 32   // nesting of parentheses, "not" and value filters
)

// Limits bounds the work a parse may do, so hostile input cannot exhaust
// the server. Zero fields take the defaults: 8,192 bytes and a depth of 32.
type Limits struct {
	MaxLength int // longest filter or path accepted, in bytes
	MaxDepth  int // deepest nesting accepted
}

// SyntaxError is a filter or path that does not follow the grammar of
// RFC 7644 §3.4.2.2. Parse and ParsePath return it wrapped in a
// *schema.Error; find it with errors.As.
type SyntaxError struct {
	Offset int    // byte offset in the input where the problem is
	Msg    string // what was found and what was expected
}

// Error returns "at offset N: message".
func (e *SyntaxError) Error() string { return fmt.Sprintf("at offset %d: %s", e.Offset, e.Msg) }

// Parse parses a filter (RFC 7644 §3.4.2.2) with the default limits.
//
// Attribute names, operators and the keywords and, or, not, true, false and
// null are case-insensitive; white space around and between tokens is
// tolerated; strings take JSON escapes. Beyond the RFC grammar, Parse
// accepts the form Microsoft Entra ID sends: `emails[type eq "work"].value
// eq "x"`. Errors are *schema.Error with scimType invalidFilter wrapping a
// *SyntaxError.
func Parse(s string) (Expr, error) { return Limits{}.Parse(s) }

// ParsePath parses a PATCH path (RFC 7644 §3.5.2): an attribute path
// (`name.givenName`, `urn:...:User:manager`) or a value path
// (`members[value eq "2819c223"]`, `emails[type eq "work"].value`), with the
// default limits. Errors are *schema.Error with scimType invalidPath wrapping
// a *SyntaxError.
func ParsePath(s string) (Path, error) { return Limits{}.ParsePath(s) }

// Parse is the package-level Parse with limits l.
func (l Limits) Parse(s string) (Expr, error) {
	p := parser{s: s, maxDepth: l.maxDepth()}
	if len(s) > l.maxLength() {
		return nil, p.fail(schema.ScimInvalidFilter, l.maxLength(), fmt.Sprintf("the filter is %d bytes long; the limit is %d", len(s), l.maxLength()))
	}
	if off := invalidUTF8(s); off >= 0 {
		return nil, p.fail(schema.ScimInvalidFilter, off, "invalid UTF-8")
	}
	e, err := p.parseOr()
	if err != nil {
		return nil, p.wrap(schema.ScimInvalidFilter, err)
	}
	p.skipSpace()
	if p.pos < len(s) {
		return nil, p.fail(schema.ScimInvalidFilter, p.pos, fmt.Sprintf("unexpected %s after a complete filter; expected \"and\", \"or\" or the end", p.near()))
	}
	return e, nil
}

// ParsePath is the package-level ParsePath with limits l.
func (l Limits) ParsePath(s string) (Path, error) {
	p := parser{s: s, maxDepth: l.maxDepth()}
	if len(s) > l.maxLength() {
		return Path{}, p.fail(schema.ScimInvalidPath, l.maxLength(), fmt.Sprintf("the path is %d bytes long; the limit is %d", len(s), l.maxLength()))
	}
	if off := invalidUTF8(s); off >= 0 {
		return Path{}, p.fail(schema.ScimInvalidPath, off, "invalid UTF-8")
	}
	p.skipSpace()
	path, vp, err := p.parsePathTerm()
	if err != nil {
		return Path{}, p.wrap(schema.ScimInvalidPath, err)
	}
	if vp != nil {
		path = vp.Path
		path.Filter = vp.Filter
	}
	p.skipSpace()
	if p.pos < len(s) {
		return Path{}, p.fail(schema.ScimInvalidPath, p.pos, fmt.Sprintf("unexpected %s after the path", p.near()))
	}
	return path, nil
}

// invalidUTF8 returns the offset of the first byte of s that is not valid
// UTF-8, or -1.
func invalidUTF8(s string) int {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

func (l Limits) maxLength() int {
	if l.MaxLength > 0 {
		return l.MaxLength
	}
	return defaultMaxLength
}

func (l Limits) maxDepth() int {
	if l.MaxDepth > 0 {
		return l.MaxDepth
	}
	return defaultMaxDepth
}

type parser struct {
	s        string
	pos      int
	depth    int
	maxDepth int
	inValue  bool // inside a value filter's brackets
}

func (p *parser) fail(t schema.ScimType, off int, msg string) *schema.Error {
	return p.wrap(t, &SyntaxError{Offset: off, Msg: msg})
}

func (p *parser) wrap(t schema.ScimType, err error) *schema.Error {
	what := "filter"
	if t == schema.ScimInvalidPath {
		what = "path"
	}
	return &schema.Error{Status: 400, Type: t, Detail: fmt.Sprintf("invalid %s %q: %v", what, clip(p.s), err), Err: err}
}

func clip(s string) string {
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func (p *parser) errf(off int, format string, args ...any) error {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// near describes the input at p.pos for error messages.
func (p *parser) near() string {
	if p.pos >= len(p.s) {
		return "end of input"
	}
	rest := p.s[p.pos:]
	if len(rest) > 20 {
		rest = rest[:20] + "..."
	}
	return strconv.Quote(rest)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isWordChar reports whether c can be part of a word: an attribute path
// (with its URN), an operator or a keyword.
func isWordChar(c byte) bool {
	return c > ' ' && c != '(' && c != ')' && c != '[' && c != ']' && c != '"' && c != 0x7f
}

func (p *parser) skipSpace() {
	for p.pos < len(p.s) && isSpace(p.s[p.pos]) {
		p.pos++
	}
}

// word scans a word at p.pos.
func (p *parser) word() string {
	start := p.pos
	for p.pos < len(p.s) && isWordChar(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// keyword consumes k (case-insensitively) after optional space if it is a
// whole word there.
func (p *parser) keyword(k string) bool {
	save := p.pos
	p.skipSpace()
	if p.pos > save && len(p.s)-p.pos >= len(k) && strings.EqualFold(p.s[p.pos:p.pos+len(k)], k) &&
		(p.pos+len(k) == len(p.s) || !isWordChar(p.s[p.pos+len(k)])) {
		p.pos += len(k)
		return true
	}
	p.pos = save
	return false
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > p.maxDepth {
		return p.errf(p.pos, "nesting deeper than %d", p.maxDepth)
	}
	return nil
}

func (p *parser) parseOr() (Expr, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		left = &Logical{Op: Or, Left: left, Right: right}
	}
	return left, nil
}

func (p *parser) parseAnd() (Expr, error) {
	left, err := p.parseTerm()
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		right, err := p.parseTerm()
		if err != nil {
			return nil, err
		}
		left = &Logical{Op: And, Left: left, Right: right}
	}
	return left, nil
}

// parseGroup parses "(" filter ")" at p.pos.
func (p *parser) parseGroup() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.pos++ // '('
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos >= len(p.s) || p.s[p.pos] != ')' {
		return nil, p.errf(p.pos, "expected \")\", found %s", p.near())
	}
	p.pos++
	p.depth--
	return e, nil
}

func (p *parser) parseTerm() (Expr, error) {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return nil, p.errf(p.pos, "expected an attribute path, \"not\" or \"(\", found end of input")
	}
	if p.s[p.pos] == '(' {
		return p.parseGroup()
	}
	start := p.pos
	if w := p.word(); strings.EqualFold(w, "not") {
		p.skipSpace()
		if p.pos < len(p.s) && p.s[p.pos] == '(' {
			e, err := p.parseGroup()
			if err != nil {
				return nil, err
			}
			return &Not{Expr: e}, nil
		}
	}
	p.pos = start
	path, vp, err := p.parsePathTerm()
	if err != nil {
		return nil, err
	}
	if vp != nil {
		return vp, nil
	}
	p.skipSpace()
	opStart := p.pos
	op := lookupOp(p.word())
	if op == 0 {
		return nil, p.errf(opStart, "expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after %q, found %s", path.String(), (&parser{s: p.s, pos: opStart}).near())
	}
	if op == Pr {
		return &Compare{Path: path, Op: Pr}, nil
	}
	p.skipSpace()
	v, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	return &Compare{Path: path, Op: op, Value: v}, nil
}

func lookupOp(w string) Op {
	if len(w) != 2 {
		return 0
	}
	a, b := w[0]|0x20, w[1]|0x20 // ASCII lower case
	switch {
	case a == 'e' && b == 'q':
		return Eq
	case a == 'n' && b == 'e':
		return Ne
	case a == 'c' && b == 'o':
		return Co
	case a == 's' && b == 'w':
		return Sw
	case a == 'e' && b == 'w':
		return Ew
	case a == 'g' && b == 't':
		return Gt
	case a == 'g' && b == 'e':
		return Ge
	case a == 'l' && b == 't':
		return Lt
	case a == 'l' && b == 'e':
		return Le
	case a == 'p' && b == 'r':
		return Pr
	}
	return 0
}

// parsePathTerm parses an attribute path at p.pos, with an optional value
// filter and sub-attribute. A value filter without a following
// sub-attribute is returned as a *ValuePath.
func (p *parser) parsePathTerm() (Path, *ValuePath, error) {
	start := p.pos
	w := p.word()
	if w == "" {
		return Path{}, nil, p.errf(start, "expected an attribute path, found %s", p.near())
	}
	path, err := p.splitPath(w, start)
	if err != nil {
		return Path{}, nil, err
	}
	if p.pos >= len(p.s) || p.s[p.pos] != '[' {
		return path, nil, nil
	}
	if p.inValue {
		return Path{}, nil, p.errf(p.pos, "value filters cannot be nested (RFC 7644 §3.4.2.2)")
	}
	if path.Sub != "" {
		return Path{}, nil, p.errf(p.pos, "a value filter must follow an attribute, not the sub-attribute %q", path.Sub)
	}
	if err := p.enter(); err != nil {
		return Path{}, nil, err
	}
	p.pos++ // '['
	p.inValue = true
	f, err := p.parseOr()
	p.inValue = false
	if err != nil {
		return Path{}, nil, err
	}
	p.skipSpace()
	if p.pos >= len(p.s) || p.s[p.pos] != ']' {
		return Path{}, nil, p.errf(p.pos, "expected \"]\", found %s", p.near())
	}
	p.pos++
	p.depth--
	if p.pos < len(p.s) && p.s[p.pos] == '.' {
		p.pos++
		subStart := p.pos
		sub := p.word()
		if !isAttrName(sub) {
			return Path{}, nil, p.errf(subStart, "expected a sub-attribute name after \"].\", found %q", sub)
		}
		path.Filter, path.Sub = f, sub
		return path, nil, nil
	}
	return Path{}, &ValuePath{Path: path, Filter: f}, nil
}

// splitPath splits a word into URN, attribute and sub-attribute
// (RFC 7644 §3.10: attrPath = [URI ":"] ATTRNAME *1subAttr).
func (p *parser) splitPath(w string, start int) (Path, error) {
	var path Path
	rest := w
	if i := strings.LastIndexByte(w, ':'); i >= 0 {
		if i == 0 {
			return Path{}, p.errf(start, "empty schema URN in %q", w)
		}
		path.URN, rest = w[:i], w[i+1:]
		if !isURI(path.URN) {
			return Path{}, p.errf(start, "%q is not a schema URI (RFC 3986 §3.1: a scheme such as \"urn\", then \":\")", path.URN)
		}
	}
	name, sub, hasSub := strings.Cut(rest, ".")
	if !isAttrName(name) {
		return Path{}, p.errf(start, "%q is not an attribute name (a letter, then letters, digits, \"-\" or \"_\")", name)
	}
	path.Name = name
	if hasSub {
		if !isAttrName(sub) {
			return Path{}, p.errf(start+len(w)-len(sub), "%q is not a sub-attribute name", sub)
		}
		path.Sub = sub
	}
	return path, nil
}

// isURI reports whether s starts as a URI does (RFC 3986 §3.1): a scheme,
// a letter then letters, digits, "+", "-" or ".", then ":" and more.
func isURI(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon < 1 || colon == len(s)-1 {
		return false
	}
	for i := 0; i < colon; i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// isAttrName reports whether s is an ATTRNAME (RFC 7643 §2.1), allowing a
// leading "$" for "$ref".
func isAttrName(s string) bool {
	s = strings.TrimPrefix(s, "$")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '_'):
		default:
			return false
		}
	}
	return true
}

// parseValue parses compValue: false / null / true / number / string.
func (p *parser) parseValue() (any, error) {
	if p.pos >= len(p.s) {
		return nil, p.errf(p.pos, "expected a value (a string in double quotes, a number, true, false or null), found end of input")
	}
	c := p.s[p.pos]
	if c == '"' {
		return p.parseString()
	}
	start := p.pos
	w := p.word()
	switch {
	case c == '-' || c >= '0' && c <= '9':
		if !validNumber(w) {
			return nil, p.errf(start, "%q is not a JSON number", w)
		}
		return json.Number(w), nil
	case strings.EqualFold(w, "true"):
		return true, nil
	case strings.EqualFold(w, "false"):
		return false, nil
	case strings.EqualFold(w, "null"):
		return nil, nil
	}
	p.pos = start
	return nil, p.errf(start, "expected a value (a string in double quotes, a number, true, false or null), found %s", p.near())
}

// validNumber reports whether s is a JSON number (RFC 8259 §6).
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// parseString parses a JSON string at p.pos. Without escapes it returns a
// substring of the input, allocating nothing.
func (p *parser) parseString() (string, error) {
	start := p.pos
	p.pos++ // opening quote
	i := p.pos
	for i < len(p.s) {
		c := p.s[i]
		if c == '"' {
			s := p.s[p.pos:i]
			p.pos = i + 1
			return s, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		i++
	}
	if i >= len(p.s) {
		return "", p.errf(start, "unterminated string")
	}
	var b strings.Builder
	b.WriteString(p.s[p.pos:i])
	for i < len(p.s) {
		c := p.s[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return b.String(), nil
		case c < 0x20:
			return "", p.errf(i, "control character in string; escape it")
		case c != '\\':
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(p.s) {
			break
		}
		esc := p.s[i+1]
		i += 2
		switch esc {
		case '"', '\\', '/':
			b.WriteByte(esc)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, n := p.hex4(i)
			if n < 0 {
				return "", p.errf(i-2, "invalid \\u escape")
			}
			if r == 0 {
				// Request bodies refuse U+0000 too: no store keeps it
				// alike, and PostgreSQL refuses it outright.
				return "", p.errf(i-2, "U+0000 is not allowed in a string")
			}
			i += n
			if utf16.IsSurrogate(r) {
				r2, n2 := rune(-1), -1
				if i+1 < len(p.s) && p.s[i] == '\\' && p.s[i+1] == 'u' {
					r2, n2 = p.hex4(i + 2)
				}
				if dec := utf16.DecodeRune(r, r2); n2 > 0 && dec != utf8.RuneError {
					r = dec
					i += 2 + n2
				} else {
					r = utf8.RuneError
				}
			}
			b.WriteRune(r)
		default:
			return "", p.errf(i-2, "invalid escape \\%c", esc)
		}
	}
	return "", p.errf(start, "unterminated string")
}

func (p *parser) hex4(i int) (rune, int) {
	if i+4 > len(p.s) {
		return 0, -1
	}
	v, err := strconv.ParseUint(p.s[i:i+4], 16, 32)
	if err != nil {
		return 0, -1
	}
	return rune(v), 4
}
