package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseTenants(t *testing.T) {
	got, err := parseTenants("acme=t1, globex=t2")
	assert.NoError(t, err)
	assert.Equal(t, map[string]string{"t1": "acme", "t2": "globex"}, got)
	got, err = parseTenants("")
	assert.NoError(t, err)
	assert.Nil(t, got)
	for _, bad := range []string{"acme", "acme=", "=t1", "a=t,b=t"} {
		_, err := parseTenants(bad)
		assert.Error(t, err, bad)
	}
}
