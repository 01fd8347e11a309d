// Package clone deep-copies the canonical values of resources: maps of
// attribute values, slices of multi-valued ones, and scalars, which are
// immutable and shared.
package clone

// Map returns a deep copy of a map of canonical values.
func Map(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = Value(v)
	}
	return out
}

// Value returns a deep copy of a canonical value.
func Value(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return Map(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = Value(e)
		}
		return out
	default:
		return v
	}
}
