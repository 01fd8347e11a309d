package filter

import (
	"cmp"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/valuekey"
	"github.com/scimkit/scimkit/schema"
)

// Attr is an attribute path resolved against a resource type.
type Attr struct {
	Ext    *schema.Extension // the extension the attribute belongs to; nil for the core schema
	Attr   *schema.Attribute // the top-level attribute
	Sub    *schema.Attribute // the sub-attribute, or nil
	Common bool              // Attr is one of id, externalId, meta (RFC 7643 §3.1)
}

// Target returns the attribute whose values are compared: Sub if set,
// otherwise Attr.
func (a Attr) Target() *schema.Attribute {
	if a.Sub != nil {
		return a.Sub
	}
	return a.Attr
}

// String returns the canonical path: the extension URN when there is one,
// then the schema's spelling of the names ("name.givenName").
func (a Attr) String() string {
	s := a.Attr.Name
	if a.Sub != nil {
		s += "." + a.Sub.Name
	}
	if a.Ext != nil {
		s = a.Ext.Schema.ID + ":" + s
	}
	return s
}

// ResolvePath resolves an attribute path (without a value filter) against
// rt. Names and URNs match case-insensitively; an unqualified name is
// looked up in the core schema and the common attributes. Errors are
// *schema.Error with scimType invalidFilter naming the path.
func ResolvePath(rt *schema.ResourceType, p Path) (Attr, error) {
	if p.URN == "" && p.Sub == "" && strings.EqualFold(p.Name, schemasAttr.Name) {
		return Attr{Attr: schemasAttr, Common: true}, nil
	}
	a, ext := rt.Attribute(p.URN, p.Name)
	if a == nil {
		if p.URN != "" && rt.Extension(p.URN) == nil && !strings.EqualFold(p.URN, rt.Schema.ID) {
			return Attr{}, document.InvalidFilterError("%q is not a schema of resource type %s", p.URN, rt.Name)
		}
		return Attr{}, document.InvalidFilterError("resource type %s has no attribute %q", rt.Name, p.String())
	}
	out := Attr{Ext: ext, Attr: a, Common: ext == nil && rt.Schema.Attribute(p.Name) == nil}
	if p.Sub != "" {
		if out.Sub = a.SubAttribute(p.Sub); out.Sub == nil {
			return Attr{}, document.InvalidFilterError("attribute %q has no sub-attribute %q", a.Name, p.Sub)
		}
	}
	return out, nil
}

// schemasAttr is "schemas" (RFC 7643 §3), which filters may name like an
// attribute (RFC 7644 §3.4.2.2, Figure 2: schemas eq "urn:...:User"): the
// URIs of the core schema and of each extension a resource holds. It is
// never changed.
var schemasAttr = &schema.Attribute{Name: "schemas", Type: schema.Reference, MultiValued: true, Mutability: schema.ReadOnly, Returned: schema.ReturnedAlways}

// schemasOf returns the value of "schemas" for r, a resource of type rt.
func schemasOf(rt *schema.ResourceType, r *schema.Resource) any {
	out := []any{rt.Schema.ID}
	for _, e := range rt.Extensions {
		if m, ok := r.Attributes[e.Schema.ID].(map[string]any); ok && len(m) > 0 {
			out = append(out, e.Schema.ID)
		}
	}
	return out
}

// Matcher is a filter compiled for one resource type. It is safe for
// concurrent use.
type Matcher struct {
	rt   *schema.ResourceType
	expr Expr
	pred pred
}

// pred evaluates a compiled expression against a resource, or against one
// element of a multi-valued attribute inside a value filter.
type pred func(r *schema.Resource, elem map[string]any) bool

// Compile binds e to resource type rt and compiles it into a Matcher. It
// reports, as *schema.Error with scimType invalidFilter: attributes rt does
// not have, attributes that are never returned (such as password), sub-attributes of simple attributes, ordering operators on
// boolean or binary attributes (RFC 7644 §3.4.2.2), co/sw/ew on non-string
// attributes, and values of the wrong type for their attribute. Core and
// extension attributes mix freely.
func Compile(rt *schema.ResourceType, e Expr) (*Matcher, error) {
	c := compiler{rt: rt}
	p, err := c.compile(e, nil)
	if err != nil {
		return nil, err
	}
	return &Matcher{rt: rt, expr: e, pred: p}, nil
}

// Match reports whether r matches the filter.
func (m *Matcher) Match(r *schema.Resource) bool { return m.pred(r, nil) }

// Expr returns the filter the matcher was compiled from.
func (m *Matcher) Expr() Expr { return m.expr }

// ResourceType returns the resource type the matcher was compiled for.
func (m *Matcher) ResourceType() *schema.ResourceType { return m.rt }

// CompileElement compiles the value filter f for the elements of the
// complex attribute a, as PATCH's `members[value eq "2819c223"]` needs:
// names in f refer to a's sub-attributes, and match reports whether elem,
// one value of a, matches.
func CompileElement(a *schema.Attribute, f Expr) (match func(elem map[string]any) bool, err error) {
	if a.Type != schema.Complex {
		return nil, document.InvalidFilterError("attribute %q has no sub-attributes to filter on", a.Name)
	}
	c := compiler{}
	p, err := c.compile(f, a)
	if err != nil {
		return nil, err
	}
	return func(elem map[string]any) bool { return p(nil, elem) }, nil
}

type compiler struct {
	rt *schema.ResourceType
}

// compile compiles e; scope is the complex attribute whose elements e
// filters, or nil at the top level.
func (c *compiler) compile(e Expr, scope *schema.Attribute) (pred, error) {
	switch e := e.(type) {
	case *Logical:
		l, err := c.compile(e.Left, scope)
		if err != nil {
			return nil, err
		}
		r, err := c.compile(e.Right, scope)
		if err != nil {
			return nil, err
		}
		if e.Op == And {
			return func(res *schema.Resource, elem map[string]any) bool { return l(res, elem) && r(res, elem) }, nil
		}
		return func(res *schema.Resource, elem map[string]any) bool { return l(res, elem) || r(res, elem) }, nil
	case *Not:
		x, err := c.compile(e.Expr, scope)
		if err != nil {
			return nil, err
		}
		return func(res *schema.Resource, elem map[string]any) bool { return !x(res, elem) }, nil
	case *ValuePath:
		return c.compileValuePath(e, scope)
	case *Compare:
		return c.compileCompare(e, scope)
	}
	return nil, document.InvalidFilterError("empty filter")
}

// resolve resolves a path a filter compares: against the resource type
// at the top level, or against scope's sub-attributes inside a value
// filter. An attribute that is never returned cannot be compared.
func (c *compiler) resolve(p Path, scope *schema.Attribute) (Attr, error) {
	if scope == nil {
		a, err := ResolvePath(c.rt, Path{URN: p.URN, Name: p.Name, Sub: p.Sub})
		if err == nil {
			err = readable(a)
		}
		return a, err
	}
	if p.URN != "" || p.Sub != "" {
		return Attr{}, document.InvalidFilterError("inside %s[...], name a sub-attribute of %s alone, not %q", scope.Name, scope.Name, p.String())
	}
	sub := scope.SubAttribute(p.Name)
	if sub == nil {
		return Attr{}, document.InvalidFilterError("attribute %q has no sub-attribute %q", scope.Name, p.Name)
	}
	a := Attr{Attr: sub}
	return a, readable(a)
}

// readable refuses an attribute whose "returned" is "never" (the password):
// filtering or sorting on it would answer questions about a value the
// service provider never discloses, one character at a time (RFC 7643
// §7, RFC 7644 §7.5.2). The error is invalidFilter, naming the attribute.
func readable(a Attr) error {
	if a.Attr.Returned == schema.ReturnedNever || a.Sub != nil && a.Sub.Returned == schema.ReturnedNever {
		return document.InvalidFilterError("%q is never returned, so it cannot be filtered on or sorted by", a.String())
	}
	return nil
}

// elements returns how to reach the elements of a value path's attribute.
func (c *compiler) compileValuePath(v *ValuePath, scope *schema.Attribute) (pred, error) {
	if scope != nil {
		return nil, document.InvalidFilterError("value filters cannot be nested (RFC 7644 §3.4.2.2)")
	}
	a, err := c.resolve(v.Path, nil)
	if err != nil {
		return nil, err
	}
	if a.Sub != nil || a.Attr.Type != schema.Complex {
		return nil, document.InvalidFilterError("%q is not a complex attribute, so it cannot take a value filter", v.Path.String())
	}
	inner, err := c.compile(v.Filter, a.Attr)
	if err != nil {
		return nil, err
	}
	get := getter(c.rt, a)
	return func(r *schema.Resource, _ map[string]any) bool {
		return anyElement(a.Attr, get(r), func(m map[string]any) bool { return inner(r, m) })
	}, nil
}

// bound is a comparison resolved against a resource type.
type bound struct {
	attr   Attr // the compared attribute; Sub is set for complex attributes
	parent Attr // with filter: the attribute whose elements filter selects
	filter Expr // Entra ID's emails[type eq "work"].value form: the value filter
}

// bindCompare resolves cmp's attribute; scope is as for compile.
func (c *compiler) bindCompare(cmp *Compare, scope *schema.Attribute) (bound, error) {
	var b bound
	if cmp.Path.Filter != nil {
		if scope != nil {
			return b, document.InvalidFilterError("value filters cannot be nested (RFC 7644 §3.4.2.2)")
		}
		parent, err := c.resolve(Path{URN: cmp.Path.URN, Name: cmp.Path.Name}, nil)
		if err != nil {
			return b, err
		}
		if parent.Attr.Type != schema.Complex {
			return b, document.InvalidFilterError("%q is not a complex attribute, so it cannot take a value filter", cmp.Path.Name)
		}
		b.parent, b.filter = parent, cmp.Path.Filter
	}
	a, err := c.resolve(Path{URN: cmp.Path.URN, Name: cmp.Path.Name, Sub: cmp.Path.Sub}, scope)
	if err != nil {
		return b, err
	}
	if a.Sub == nil && a.Attr.Type == schema.Complex && cmp.Op != Pr {
		// RFC 7644 §3.4.2.2: a complex multi-valued attribute without a
		// sub-attribute compares its "value".
		if v := a.Attr.SubAttribute("value"); v != nil && a.Attr.MultiValued {
			a.Sub = v
		} else {
			return b, document.InvalidFilterError("%q is complex; compare one of its sub-attributes, such as %s.%s", a.Attr.Name, a.Attr.Name, a.Attr.SubAttributes[0].Name)
		}
	}
	b.attr = a
	return b, nil
}

func (c *compiler) compileCompare(cmp *Compare, scope *schema.Attribute) (pred, error) {
	b, err := c.bindCompare(cmp, scope)
	if err != nil {
		return nil, err
	}
	a := b.attr
	var elemFilter pred
	if b.filter != nil {
		if elemFilter, err = c.compile(b.filter, b.parent.Attr); err != nil {
			return nil, err
		}
	}
	test, negate, err := compileTest(a, cmp.Op, literal(a, cmp.Value))
	if err != nil {
		return nil, err
	}
	if anyNe(a, cmp, scope) {
		// RFC 7644 §3.4.2.2: a multi-valued attribute matches when any of
		// its values matches, "ne" included: emails.type ne "home" matches
		// a user with a work and a home email.
		eq := test
		test, negate = func(v any) bool { return !eq(v) }, false
	}
	var p pred
	switch {
	case scope != nil:
		p = func(_ *schema.Resource, elem map[string]any) bool {
			return anyValue(a.Attr, nil, elem[a.Attr.Name], test)
		}
	case elemFilter != nil:
		get := getter(c.rt, a)
		p = func(r *schema.Resource, _ map[string]any) bool {
			return anyElement(a.Attr, get(r), func(m map[string]any) bool {
				return elemFilter(r, m) && anyValue(a.Sub, nil, m[a.Sub.Name], test)
			})
		}
	case a.Common && a.Sub != nil: // meta.created and its siblings
		get := metaField(a.Sub.Name)
		p = func(r *schema.Resource, _ map[string]any) bool { return anyValue(a.Sub, nil, get(r.Meta), test) }
	default:
		get := getter(c.rt, a)
		p = func(r *schema.Resource, _ map[string]any) bool { return anyValue(a.Attr, a.Sub, get(r), test) }
	}
	if negate {
		inner := p
		p = func(r *schema.Resource, elem map[string]any) bool { return !inner(r, elem) }
	}
	return p, nil
}

// anyNe reports whether cmp is an "ne" on a value of a multi-valued
// attribute, which matches when some value differs (RFC 7644 §3.4.2.2)
// rather than when none is equal. Inside a value filter (scope set) the
// sub-attributes compared are single-valued.
func anyNe(a Attr, cmp *Compare, scope *schema.Attribute) bool {
	return cmp.Op == Ne && cmp.Value != nil && scope == nil && a.Attr.MultiValued
}

// getter returns a function that reads the top-level attribute's value in
// a resource of type rt.
func getter(rt *schema.ResourceType, a Attr) func(*schema.Resource) any {
	if a.Common {
		switch a.Attr.Name {
		case schemasAttr.Name:
			return func(r *schema.Resource) any { return schemasOf(rt, r) }
		case "id":
			return func(r *schema.Resource) any { return nonEmpty(r.ID) }
		case "externalId":
			return func(r *schema.Resource) any { return nonEmpty(r.ExternalID) }
		default: // meta
			return func(r *schema.Resource) any { return metaMap(r.Meta) }
		}
	}
	if a.Ext != nil {
		urn, name := a.Ext.Schema.ID, a.Attr.Name
		return func(r *schema.Resource) any {
			m, _ := r.Attributes[urn].(map[string]any)
			return m[name]
		}
	}
	name := a.Attr.Name
	return func(r *schema.Resource) any { return r.Attributes[name] }
}

func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// metaMap presents Meta as a complex value; times stay time.Time so that
// comparisons need not parse them.
func metaMap(m schema.Meta) any {
	out := make(map[string]any, 5)
	if m.ResourceType != "" {
		out["resourceType"] = m.ResourceType
	}
	if !m.Created.IsZero() {
		out["created"] = m.Created
	}
	if !m.LastModified.IsZero() {
		out["lastModified"] = m.LastModified
	}
	if m.Location != "" {
		out["location"] = m.Location
	}
	if m.Version != "" {
		out["version"] = opaqueTag(m.Version)
	}
	return out
}

// metaField returns a reader of one sub-attribute of meta.
func metaField(name string) func(schema.Meta) any {
	switch name {
	case "resourceType":
		return func(m schema.Meta) any { return nonEmpty(m.ResourceType) }
	case "created":
		return func(m schema.Meta) any { return nonZero(m.Created) }
	case "lastModified":
		return func(m schema.Meta) any { return nonZero(m.LastModified) }
	case "location":
		return func(m schema.Meta) any { return nonEmpty(m.Location) }
	}
	return func(m schema.Meta) any { return nonEmpty(opaqueTag(m.Version)) }
}

// opaqueTag returns the opaque tag of a version given as an entity tag
// (W/"61" or "61"), or s as it is. Clients see meta.version as the ETag
// (RFC 7643 §3.1, RFC 7644 §3.14) and stores keep the bare version, so
// a filter on meta.version compares bare versions: eq "W/\"61\"" and
// eq "61" both match version 61.
func opaqueTag(s string) string {
	t := strings.TrimPrefix(s, "W/")
	if len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
		return t[1 : len(t)-1]
	}
	return s
}

// literal returns the value a comparison on attribute a compares with:
// value, except for meta.version, whose entity-tag form is read as its
// opaque tag (see opaqueTag).
func literal(a Attr, value any) any {
	if s, ok := value.(string); ok && a.Common && a.Sub != nil && a.Sub.Name == "version" {
		return opaqueTag(s)
	}
	return value
}

func nonZero(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// anyValue reports whether test holds for some value of attribute a (or of
// its sub-attribute sub) in v, the attribute's value.
func anyValue(a, sub *schema.Attribute, v any, test func(any) bool) bool {
	if v == nil {
		return false
	}
	if sub != nil {
		return anyElement(a, v, func(m map[string]any) bool { return anyValue(sub, nil, m[sub.Name], test) })
	}
	if a.MultiValued {
		arr, _ := v.([]any)
		for _, e := range arr {
			if e != nil && test(e) {
				return true
			}
		}
		return false
	}
	return test(v)
}

// anyElement reports whether fn holds for some element of the complex
// attribute a's value v; a single-valued complex value is its own element.
func anyElement(a *schema.Attribute, v any, fn func(map[string]any) bool) bool {
	switch v := v.(type) {
	case map[string]any:
		return fn(v)
	case []any:
		for _, e := range v {
			if m, ok := e.(map[string]any); ok && fn(m) {
				return true
			}
		}
	}
	return false
}

// compileTest returns the test one value must pass for cmp's operator, and
// whether the result of the whole comparison is to be negated (ne, and
// eq null).
func compileTest(a Attr, op Op, value any) (test func(any) bool, negate bool, err error) {
	t := a.Target()
	path := a.String()
	if op == Pr {
		return present, false, nil
	}
	if value == nil {
		// "eq null" and "ne null": absent and present.
		switch op {
		case Eq:
			return present, true, nil
		case Ne:
			return present, false, nil
		}
		return nil, false, document.InvalidFilterError("%q: only eq and ne can compare with null", path)
	}
	if op == Ne {
		test, _, err = compileTest(a, Eq, value)
		return test, true, err
	}
	if op.ordering() && (t.Type == schema.Boolean || t.Type == schema.Binary) {
		return nil, false, document.InvalidFilterError("%q is %s; %s does not apply to it (RFC 7644 §3.4.2.2)", path, t.Type, op)
	}
	if (op == Co || op == Sw || op == Ew) && t.Type != schema.String && t.Type != schema.Reference && t.Type != schema.Binary {
		return nil, false, document.InvalidFilterError("%q is %s; %s applies only to strings", path, t.Type, op)
	}
	switch t.Type {
	case schema.String, schema.Reference, schema.Binary:
		s, ok := value.(string)
		if !ok {
			return nil, false, document.InvalidFilterError("%q is a string; compare it with a string in double quotes", path)
		}
		return stringTest(op, s, t.CaseExact), false, nil
	case schema.Boolean:
		b, ok := value.(bool)
		if s, isStr := value.(string); isStr && !ok {
			// Lenient: "true" and "false" as strings, as IdPs write booleans.
			if strings.EqualFold(s, "true") || strings.EqualFold(s, "false") {
				b, ok = strings.EqualFold(s, "true"), true
			}
		}
		if !ok {
			return nil, false, document.InvalidFilterError("%q is a boolean; compare it with true or false", path)
		}
		return func(v any) bool { x, ok := v.(bool); return ok && x == b }, false, nil
	case schema.Integer, schema.Decimal:
		n, ok := value.(json.Number)
		if !ok {
			return nil, false, document.InvalidFilterError("%q is a number; compare it with a number", path)
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return nil, false, document.InvalidFilterError("%q: %s is out of range", path, n)
		}
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil && t.Type == schema.Integer {
			return func(v any) bool { return intCompare(v, i, f, op) }, false, nil
		}
		return func(v any) bool { x, ok := toFloat(v); return ok && ordered(cmp.Compare(x, f), op) }, false, nil
	case schema.DateTime:
		s, ok := value.(string)
		if !ok {
			return nil, false, document.InvalidFilterError("%q is a dateTime; compare it with a string such as \"2011-05-13T04:42:34Z\"", path)
		}
		want, err := document.ParseDateTime(s)
		if err != nil {
			return nil, false, document.InvalidFilterError("%q: %q is not an xsd:dateTime such as \"2011-05-13T04:42:34Z\"", path, s)
		}
		return func(v any) bool {
			got, ok := toTime(v)
			return ok && ordered(got.Compare(want), op)
		}, false, nil
	}
	return nil, false, document.InvalidFilterError("%q cannot be compared", path)
}

func present(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case string:
		return v != ""
	case []any:
		for _, e := range v {
			if present(e) {
				return true
			}
		}
		return false
	case map[string]any:
		return len(v) > 0
	}
	return true
}

// ordered reports whether a comparison result c (-1, 0, 1) satisfies op.
func ordered(c int, op Op) bool {
	switch op {
	case Eq:
		return c == 0
	case Gt:
		return c > 0
	case Ge:
		return c >= 0
	case Lt:
		return c < 0
	case Le:
		return c <= 0
	}
	return false
}

func stringTest(op Op, want string, caseExact bool) func(any) bool {
	if !caseExact {
		if op == Eq { // the common case, which needs no folded copy
			return func(v any) bool { s, ok := v.(string); return ok && strings.EqualFold(s, want) }
		}
		folded := valuekey.Fold(want)
		switch op {
		case Co:
			return func(v any) bool { s, ok := v.(string); return ok && containsFold(s, folded) }
		case Sw:
			return func(v any) bool { s, ok := v.(string); return ok && hasPrefixFold(s, folded) }
		case Ew:
			return func(v any) bool { s, ok := v.(string); return ok && hasSuffixFold(s, folded) }
		}
		return func(v any) bool { s, ok := v.(string); return ok && ordered(compareFold(s, want), op) }
	}
	switch op {
	case Eq:
		return func(v any) bool { s, ok := v.(string); return ok && s == want }
	case Co:
		return func(v any) bool { s, ok := v.(string); return ok && strings.Contains(s, want) }
	case Sw:
		return func(v any) bool { s, ok := v.(string); return ok && strings.HasPrefix(s, want) }
	case Ew:
		return func(v any) bool { s, ok := v.(string); return ok && strings.HasSuffix(s, want) }
	}
	return func(v any) bool { s, ok := v.(string); return ok && ordered(strings.Compare(s, want), op) }
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether valuekey.Fold(s) starts with folded, which is
// valuekey.Fold's output.
func hasPrefixFold(s, folded string) bool {
	if isASCII(s) {
		return len(s) >= len(folded) && strings.EqualFold(s[:len(folded)], folded)
	}
	return strings.HasPrefix(valuekey.Fold(s), folded)
}

// hasSuffixFold reports whether valuekey.Fold(s) ends with folded.
func hasSuffixFold(s, folded string) bool {
	if isASCII(s) {
		return len(s) >= len(folded) && strings.EqualFold(s[len(s)-len(folded):], folded)
	}
	return strings.HasSuffix(valuekey.Fold(s), folded)
}

// containsFold reports whether valuekey.Fold(s) contains folded.
func containsFold(s, folded string) bool {
	if isASCII(s) && isASCII(folded) {
		n := len(folded)
		for i := 0; i+n <= len(s); i++ {
			if strings.EqualFold(s[i:i+n], folded) {
				return true
			}
		}
		return n == 0
	}
	return strings.Contains(valuekey.Fold(s), folded)
}

// compareFold compares two strings case-insensitively, by their folded
// forms byte by byte, returning -1, 0 or 1. It is the order of
// caseExact=false strings in filters and sorts.
func compareFold(a, b string) int {
	if isASCII(a) && isASCII(b) {
		n := min(len(a), len(b))
		for i := 0; i < n; i++ {
			x, y := lowerASCII(a[i]), lowerASCII(b[i])
			if x != y {
				if x < y {
					return -1
				}
				return 1
			}
		}
		return cmp.Compare(len(a), len(b))
	}
	return strings.Compare(valuekey.Fold(a), valuekey.Fold(b))
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func intCompare(v any, i int64, f float64, op Op) bool {
	switch x := v.(type) {
	case int64:
		switch {
		case x < i:
			return ordered(-1, op)
		case x > i:
			return ordered(1, op)
		}
		return ordered(0, op)
	case int:
		return intCompare(int64(x), i, f, op)
	}
	x, ok := toFloat(v)
	return ok && ordered(cmp.Compare(x, f), op)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x)
	case int:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

func toTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case string:
		t, err := document.ParseDateTime(x)
		return t, err == nil
	}
	return time.Time{}, false
}
