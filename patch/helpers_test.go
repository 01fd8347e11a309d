package patch_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/filter"
)

func mustPath(t testing.TB, s string) *filter.Path {
	t.Helper()
	p, err := filter.ParsePath(s)
	require.NoError(t, err)
	return &p
}

func filterLimits(maxLen int) filter.Limits { return filter.Limits{MaxLength: maxLen} }
