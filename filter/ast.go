package filter

import (
	"encoding/json"
	"strings"
)

// Expr is a filter expression (RFC 7644 §3.4.2.2). The set of
// implementations is closed: *Compare, *Logical, *Not and *ValuePath. A type
// switch over them is exhaustive.
type Expr interface {
	// String returns the canonical text of the expression, which Parse
	// reads back to an equal expression.
	String() string
	appendTo(b []byte) []byte
	isExpr()
}

// Op is a comparison operator (RFC 7644 §3.4.2.2, Table 3).
type Op uint8

// The attribute operators of RFC 7644 §3.4.2.2.
const (
	Eq Op = iota + 1 // equal
	Ne               // not equal
	Co               // contains
	Sw               // starts with
	Ew               // ends with
	Gt               // greater than
	Ge               // greater than or equal to
	Lt               // less than
	Le               // less than or equal to
	Pr               // present (has a value)
)

var opNames = [...]string{Eq: "eq", Ne: "ne", Co: "co", Sw: "sw", Ew: "ew", Gt: "gt", Ge: "ge", Lt: "lt", Le: "le", Pr: "pr"}

// String returns the operator as RFC 7644 writes it, such as "eq".
func (o Op) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return "op?"
}

// ordering reports whether o is gt, ge, lt or le.
func (o Op) ordering() bool { return o >= Gt && o <= Le }

// Path is an attribute path (RFC 7644 §3.10): an optional schema URN, an
// attribute name and an optional sub-attribute name. With a Filter it is a
// value path (RFC 7644 §3.5.2): Name[Filter], optionally followed by
// .Sub, as in PATCH's `emails[type eq "work"].value`.
type Path struct {
	URN    string // schema URN, such as "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"; "" if unqualified
	Name   string // attribute name as written
	Filter Expr   // value filter between brackets, or nil
	Sub    string // sub-attribute name as written, or ""
}

// String returns the path as RFC 7644 writes it.
func (p Path) String() string { return string(p.appendTo(nil)) }

func (p Path) appendTo(b []byte) []byte {
	if p.URN != "" {
		b = append(b, p.URN...)
		b = append(b, ':')
	}
	b = append(b, p.Name...)
	if p.Filter != nil {
		b = append(b, '[')
		b = p.Filter.appendTo(b)
		b = append(b, ']')
	}
	if p.Sub != "" {
		b = append(b, '.')
		b = append(b, p.Sub...)
	}
	return b
}

// Compare is an attribute expression: Path Op Value, or Path pr. Its Path
// may carry a Filter, the form Entra ID sends:
// `emails[type eq "work"].value eq "x"`.
type Compare struct {
	Path  Path
	Op    Op
	Value any // string, bool, nil (null) or json.Number; nil for Pr
}

// LogicalOp is "and" or "or".
type LogicalOp uint8

// The logical operators of RFC 7644 §3.4.2.2, Table 4.
const (
	And LogicalOp = iota + 1
	Or
)

// String returns "and" or "or".
func (o LogicalOp) String() string {
	if o == And {
		return "and"
	}
	return "or"
}

// Logical is Left and Right, or Left or Right.
type Logical struct {
	Op          LogicalOp
	Left, Right Expr
}

// Not is not (Expr).
type Not struct {
	Expr Expr
}

// ValuePath is a filter term that matches when some value of a
// multi-valued attribute matches Filter: `emails[type eq "work"]`.
type ValuePath struct {
	Path   Path // attribute path without Filter or Sub
	Filter Expr
}

func (*Compare) isExpr()   {}
func (*Logical) isExpr()   {}
func (*Not) isExpr()       {}
func (*ValuePath) isExpr() {}

// String returns the canonical text of the comparison.
func (c *Compare) String() string { return string(c.appendTo(nil)) }

// String returns the canonical text of the expression.
func (l *Logical) String() string { return string(l.appendTo(nil)) }

// String returns the canonical text of the expression.
func (n *Not) String() string { return string(n.appendTo(nil)) }

// String returns the canonical text of the value path.
func (v *ValuePath) String() string { return string(v.appendTo(nil)) }

func (c *Compare) appendTo(b []byte) []byte {
	b = c.Path.appendTo(b)
	b = append(b, ' ')
	b = append(b, c.Op.String()...)
	if c.Op == Pr {
		return b
	}
	b = append(b, ' ')
	return appendValue(b, c.Value)
}

func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		if v {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case json.Number:
		return append(b, v...)
	case string:
		q, _ := json.Marshal(v) // a string always marshals
		return append(b, q...)
	}
	return append(b, "null"...)
}

func precedence(e Expr) int {
	if l, ok := e.(*Logical); ok {
		if l.Op == Or {
			return 1
		}
		return 2
	}
	return 3
}

func (l *Logical) appendTo(b []byte) []byte {
	p := precedence(l)
	b = appendOperand(b, l.Left, precedence(l.Left) < p)
	b = append(b, ' ')
	b = append(b, l.Op.String()...)
	b = append(b, ' ')
	// Operators associate to the left, so a right operand of the same
	// precedence needs parentheses to keep its shape.
	return appendOperand(b, l.Right, precedence(l.Right) <= p)
}

func appendOperand(b []byte, e Expr, paren bool) []byte {
	if !paren {
		return e.appendTo(b)
	}
	b = append(b, '(')
	b = e.appendTo(b)
	return append(b, ')')
}

func (n *Not) appendTo(b []byte) []byte {
	b = append(b, "not ("...)
	b = n.Expr.appendTo(b)
	return append(b, ')')
}

func (v *ValuePath) appendTo(b []byte) []byte {
	b = v.Path.appendTo(b)
	b = append(b, '[')
	b = v.Filter.appendTo(b)
	return append(b, ']')
}

// Walk calls fn for e and then, depth first, for every expression below it,
// including the filters of value paths. It stops descending where fn
// returns false.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch e := e.(type) {
	case *Logical:
		Walk(e.Left, fn)
		Walk(e.Right, fn)
	case *Not:
		Walk(e.Expr, fn)
	case *ValuePath:
		Walk(e.Filter, fn)
	case *Compare:
		if e.Path.Filter != nil {
			Walk(e.Path.Filter, fn)
		}
	}
}

// equal reports whether two expressions are the same tree. Attribute names,
// URNs and operators compare case-insensitively; values exactly.
func equal(a, b Expr) bool {
	switch a := a.(type) {
	case *Compare:
		b, ok := b.(*Compare)
		return ok && a.Op == b.Op && pathEqual(a.Path, b.Path) && a.Value == b.Value
	case *Logical:
		b, ok := b.(*Logical)
		return ok && a.Op == b.Op && equal(a.Left, b.Left) && equal(a.Right, b.Right)
	case *Not:
		b, ok := b.(*Not)
		return ok && equal(a.Expr, b.Expr)
	case *ValuePath:
		b, ok := b.(*ValuePath)
		return ok && pathEqual(a.Path, b.Path) && equal(a.Filter, b.Filter)
	}
	return a == nil && b == nil
}

func pathEqual(a, b Path) bool {
	if (a.Filter == nil) != (b.Filter == nil) || (a.Filter != nil && !equal(a.Filter, b.Filter)) {
		return false
	}
	return strings.EqualFold(a.URN, b.URN) && strings.EqualFold(a.Name, b.Name) && strings.EqualFold(a.Sub, b.Sub)
}
