// Package valuekey turns attribute values into comparable keys: two values
// of an attribute have equal keys exactly when document.Equal holds for
// strings (folded unless the attribute is caseExact, RFC 7643 §2.3.1),
// so that indexes and set operations can use Go maps instead of comparing
// every pair. It serves scimkit's stores and PATCH; it is not an API.
package valuekey

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Of returns the index key of a value of an attribute whose caseExact is
// caseExact: strings of attributes that are not caseExact are folded, so keys are equal exactly when
// strings.EqualFold holds, as filters compare them (RFC 7643 §2.3.1).
func Of(caseExact bool, v any) string {
	s, ok := v.(string)
	switch {
	case !ok:
		return string(Append(nil, caseExact, v))
	case caseExact:
		return s
	}
	return Fold(s) // shares s when it is its own key
}

// Append appends the index key of a value (see Of) to b, so
// that a lookup can build it on the stack (the memory store's index lookups do).
func Append(b []byte, caseExact bool, v any) []byte {
	s, ok := v.(string)
	if !ok {
		return fmt.Appendf(b, "%T:%v", v, v)
	}
	if caseExact {
		return append(b, s...)
	}
	return appendFold(b, s)
}

// Fold maps every rune of s to the representative of its Unicode
// simple case-folding orbit (see foldRune), so Fold(a) == Fold(b)
// exactly when strings.EqualFold(a, b). A string already in lower-case
// ASCII, as most userNames are, is its own key: indexing it allocates
// nothing.
func Fold(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c >= 'A' && c <= 'Z' {
			return string(appendFold(make([]byte, 0, len(s)), s))
		}
	}
	return s
}

// appendFold appends Fold(s) to b.
func appendFold(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			for _, r := range s[i:] {
				b = utf8.AppendRune(b, foldRune(r))
			}
			return b
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// foldRune returns the representative of r's simple case-folding orbit:
// the orbit's ASCII lower-case letter when it has an ASCII letter ("k" for
// K, k and the Kelvin sign), otherwise its smallest rune.
func foldRune(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	if m >= 'A' && m <= 'Z' {
		return m + ('a' - 'A')
	}
	return m
}

// FoldTable returns the runes that Fold changes and, at the same
// positions, what it changes them to, for SQL's translate(): a database
// then folds exactly as Fold does.
func FoldTable() (from, to []rune) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue // surrogates are not characters
		}
		if f := foldRune(r); f != r {
			from, to = append(from, r), append(to, f)
		}
	}
	return from, to
}

// PostgresFoldFunction returns the statement that creates (or replaces)
// the PostgreSQL function name(text), which folds text exactly as Fold
// does, from FoldTable: unique indexes, filters and sorts on
// case-insensitive strings use it, so that PostgreSQL compares them as the
// memory store does, whatever the database's locale. ASCII text takes a
// short path.
func PostgresFoldFunction(name string) string {
	from, to := FoldTable()
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	return `CREATE OR REPLACE FUNCTION ` + name + `(t text) RETURNS text
		LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fold$
		SELECT CASE WHEN octet_length(t) = char_length(t)
			THEN translate(t, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
			ELSE translate(t, ` + quote(string(from)) + `, ` + quote(string(to)) + `) END
		$fold$`
}
