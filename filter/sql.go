package filter

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/valuekey"
	"github.com/scimkit/scimkit/schema"
)

// Column tells ToSQL where an attribute's values are stored.
type Column struct {
	// Expr is an SQL expression for the value, of the SQL type matching the
	// attribute's type: text for string, reference and binary; boolean;
	// bigint or numeric for numbers; timestamptz for dateTime.
	Expr string
	// Elements, for a multi-valued attribute, is an SQL FROM item yielding
	// one row per value, such as "jsonb_array_elements(u.data->'emails') AS e";
	// Expr then refers to its alias ("e->>'value'"). The sub-attributes of one
	// attribute must share the same Elements, so that a value filter
	// (`emails[type eq "work" and value co "@x"]`) tests one element.
	Elements string
	// Join, with Elements, is the condition that ties an element to the
	// row, such as "e.resource_id = r.id" when Elements is a table of its
	// own ("members AS e"). ToSQL tests it beside the element's condition,
	// where the database can find the rows from an index on the elements
	// rather than test every row's elements.
	Join string
	// Fold, when set, names an SQL function that folds text as scimkit does
	// (each rune to the representative of its Unicode simple case-folding
	// orbit, the ASCII lower-case letter where the orbit has one, so that
	// two strings fold alike exactly when strings.EqualFold holds; the
	// PostgreSQL store creates such a function): case-insensitive
	// strings then compare as Matcher.Match compares them, non-ASCII ones
	// included, and gt, ge, lt and le on any string compare bytewise
	// (COLLATE "C"), whatever the database's collation. Empty compares
	// lower() of the value with the lower-cased literal, which agrees with
	// Match for ASCII text only.
	Fold string
}

// Mapper maps an attribute to where it is stored. It reports false for an
// attribute it cannot express in SQL.
type Mapper func(a Attr) (Column, bool)

// UnmappedError is returned by ToSQL when the Mapper cannot express an
// attribute. It matches errors.ErrUnsupported, so that a store can decline
// the push-down and let the caller evaluate the filter in memory.
type UnmappedError struct {
	Attr Attr
}

// Error names the attribute.
func (e *UnmappedError) Error() string {
	return fmt.Sprintf("filter: attribute %q cannot be filtered in SQL", e.Attr.String())
}

// Is reports whether target is errors.ErrUnsupported.
func (e *UnmappedError) Is(target error) bool { return target == errors.ErrUnsupported }

// ToSQL translates the filter m was compiled from into a PostgreSQL WHERE
// fragment. Values never appear in the SQL text: each is a parameter, $n
// numbered from firstArg, in args. Case-insensitive strings compare through
// the Column's Fold function, or lower(); co, sw and ew become LIKE with
// the value's %, _ and \ escaped;
// pr becomes IS NOT NULL (and <> ” for strings); ne and not are
// null-safe, so the SQL answers exactly what Matcher.Match answers (with a
// Column.Fold; without one, non-ASCII strings fold as the database's
// lower() does and order by its collation for gt, ge, lt and le).
func ToSQL(m *Matcher, mapper Mapper, firstArg int) (where string, args []any, err error) {
	t := translator{c: compiler{rt: m.rt}, mapper: mapper, next: firstArg}
	var b strings.Builder
	if err := t.expr(&b, m.expr, nil); err != nil {
		return "", nil, err
	}
	return b.String(), t.args, nil
}

type translator struct {
	c      compiler
	mapper Mapper
	args   []any
	next   int
}

// scopeSQL is the element set a value filter's conditions refer to.
type scopeSQL struct {
	parent Attr
	elems  string
	join   string
}

func (t *translator) arg(v any) string {
	t.args = append(t.args, v)
	t.next++
	return "$" + strconv.Itoa(t.next-1)
}

func (t *translator) column(a Attr, scope *scopeSQL) (Column, error) {
	if scope != nil {
		a = Attr{Ext: scope.parent.Ext, Attr: scope.parent.Attr, Sub: a.Attr}
	}
	col, ok := t.mapper(a)
	if !ok {
		return Column{}, &UnmappedError{Attr: a}
	}
	if scope != nil && col.Elements != scope.elems {
		return Column{}, &UnmappedError{Attr: a}
	}
	return col, nil
}

func (t *translator) expr(b *strings.Builder, e Expr, scope *scopeSQL) error {
	switch e := e.(type) {
	case *Logical:
		b.WriteByte('(')
		if err := t.expr(b, e.Left, scope); err != nil {
			return err
		}
		if e.Op == And {
			b.WriteString(" AND ")
		} else {
			b.WriteString(" OR ")
		}
		if err := t.expr(b, e.Right, scope); err != nil {
			return err
		}
		b.WriteByte(')')
		return nil
	case *Not:
		b.WriteString("NOT COALESCE(")
		if err := t.expr(b, e.Expr, scope); err != nil {
			return err
		}
		b.WriteString(", false)")
		return nil
	case *ValuePath:
		if scope != nil {
			return document.InvalidFilterError("value filters cannot be nested (RFC 7644 §3.4.2.2)")
		}
		a, err := t.c.resolve(e.Path, nil)
		if err != nil {
			return err
		}
		if a.Sub != nil || a.Attr.Type != schema.Complex {
			return document.InvalidFilterError("%q is not a complex attribute, so it cannot take a value filter", e.Path.String())
		}
		return t.within(b, a, e.Filter, nil)
	case *Compare:
		return t.compare(b, e, scope)
	}
	return document.InvalidFilterError("empty filter")
}

// within writes the value filter f over the elements of a, and the
// condition extra writes on the same element when extra is not nil.
func (t *translator) within(b *strings.Builder, a Attr, f Expr, extra func() (string, error)) error {
	// Ask for the first sub-attribute to learn the element set.
	probe, ok := t.mapper(Attr{Ext: a.Ext, Attr: a.Attr, Sub: a.Attr.SubAttributes[0]})
	if !ok {
		return &UnmappedError{Attr: a}
	}
	scope := &scopeSQL{parent: a, elems: probe.Elements, join: probe.Join}
	var inner strings.Builder
	if err := t.expr(&inner, f, scope); err != nil {
		return err
	}
	cond := inner.String()
	if extra != nil {
		x, err := extra()
		if err != nil {
			return err
		}
		cond = "(" + cond + " AND " + x + ")"
	}
	if scope.elems == "" {
		b.WriteString(cond)
		return nil
	}
	b.WriteString(exists(scope.elems, scope.join, cond))
	return nil
}

// exists tests whether one element of elems, tied to the row by join,
// passes cond.
func exists(elems, join, cond string) string {
	if join != "" {
		cond = join + " AND " + cond
	}
	return "EXISTS (SELECT 1 FROM " + elems + " WHERE " + cond + ")"
}

func (t *translator) compare(b *strings.Builder, cmp *Compare, scope *scopeSQL) error {
	var scopeAttr *schema.Attribute
	if scope != nil {
		scopeAttr = scope.parent.Attr
	}
	bd, err := t.c.bindCompare(cmp, scopeAttr)
	if err != nil {
		return err
	}
	// Validate the operator and value exactly as Compile does.
	if _, _, err := compileTest(bd.attr, cmp.Op, cmp.Value); err != nil {
		return err
	}
	some := anyNe(bd.attr, cmp, scopeAttr) // a value present and not equal
	value := literal(bd.attr, cmp.Value)
	// one is the test of one value, as Compile's.
	one := func(col Column) (string, error) {
		c, err := t.condition(col, bd.attr.Target(), cmp.Op, value)
		if err != nil || !some {
			return c, err
		}
		pr, err := t.condition(col, bd.attr.Target(), Pr, nil)
		return "(" + pr + " AND NOT COALESCE(" + c + ", false))", err
	}
	var cond string
	if bd.filter != nil {
		// emails[type eq "work"].value eq "x": one element passes both.
		col, err := t.column(bd.attr, nil)
		if err != nil {
			return err
		}
		var sb strings.Builder
		err = t.within(&sb, bd.parent, bd.filter, func() (string, error) { return one(col) })
		if err != nil {
			return err
		}
		cond = sb.String()
	} else {
		col, err := t.column(bd.attr, scope)
		if err != nil {
			return err
		}
		if cond, err = one(col); err != nil {
			return err
		}
		if scope == nil && col.Elements != "" {
			cond = exists(col.Elements, col.Join, cond)
		}
	}
	if cmp.Op == Ne && !some || (cmp.Op == Eq && cmp.Value == nil) {
		cond = "NOT COALESCE(" + cond + ", false)"
	}
	b.WriteString(cond)
	return nil
}

// condition writes the positive test for one value: for ne and eq null it
// writes eq and pr, which the caller negates.
func (t *translator) condition(col Column, a *schema.Attribute, op Op, value any) (string, error) {
	expr := col.Expr
	isString := a.Type == schema.String || a.Type == schema.Reference || a.Type == schema.Binary
	if op == Pr || value == nil {
		if isString {
			return "(" + expr + " IS NOT NULL AND " + expr + " <> '')", nil
		}
		return expr + " IS NOT NULL", nil
	}
	if op == Ne {
		op = Eq
	}
	sqlOp := map[Op]string{Eq: "=", Gt: ">", Ge: ">=", Lt: "<", Le: "<="}[op]
	switch a.Type {
	case schema.String, schema.Reference, schema.Binary:
		s, _ := value.(string)
		lhs := expr
		switch {
		case a.CaseExact:
			if col.Fold != "" && op.ordering() {
				lhs += ` COLLATE "C"` // bytewise, as Matcher.Match compares
			}
		case col.Fold != "":
			lhs = col.Fold + "(" + expr + ")"
			s = valuekey.Fold(s)
			if op.ordering() {
				lhs += ` COLLATE "C"` // bytewise, as compareFold
			}
		default:
			lhs = "lower(" + expr + ")"
			s = strings.ToLower(s)
		}
		switch op {
		case Co:
			return lhs + " LIKE " + t.arg("%"+escapeLike(s)+"%") + ` ESCAPE '\'`, nil
		case Sw:
			return lhs + " LIKE " + t.arg(escapeLike(s)+"%") + ` ESCAPE '\'`, nil
		case Ew:
			return lhs + " LIKE " + t.arg("%"+escapeLike(s)) + ` ESCAPE '\'`, nil
		}
		return lhs + " " + sqlOp + " " + t.arg(s), nil
	case schema.Boolean:
		v, ok := value.(bool)
		if !ok {
			v = strings.EqualFold(value.(string), "true")
		}
		return expr + " = " + t.arg(v), nil
	case schema.Integer, schema.Decimal:
		n := value.(json.Number)
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return expr + " " + sqlOp + " " + t.arg(i), nil
		}
		f, _ := strconv.ParseFloat(string(n), 64)
		return expr + " " + sqlOp + " " + t.arg(f), nil
	case schema.DateTime:
		tm, _ := document.ParseDateTime(value.(string))
		return expr + " " + sqlOp + " " + t.arg(tm), nil
	}
	return "", document.InvalidFilterError("attribute %q cannot be compared", a.Name)
}

// escapeLike escapes LIKE's wildcards and its escape character.
func escapeLike(s string) string {
	if !strings.ContainsAny(s, `\%_`) {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
