package main

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

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

// TestHTTPServerTimeouts checks that the example server cannot be held by
// clients that stop sending (issue 18, finding 8): the zero http.Server
// waits forever for a header or a body that never comes.
func TestHTTPServerTimeouts(t *testing.T) {
	srv := httpServer(http.NotFoundHandler())
	assert.Positive(t, srv.ReadHeaderTimeout)
	assert.LessOrEqual(t, srv.ReadHeaderTimeout, 10*time.Second)
	assert.Positive(t, srv.ReadTimeout, "a body that stops arriving is cut off")
	assert.LessOrEqual(t, srv.ReadTimeout, 30*time.Second)
	assert.Positive(t, srv.WriteTimeout)
	assert.Positive(t, srv.IdleTimeout)
	assert.Positive(t, srv.MaxHeaderBytes)
	assert.Less(t, srv.MaxHeaderBytes, http.DefaultMaxHeaderBytes)
}

// TestRunRefusesBadToken checks that the example server does not start
// with a token that a request could match without knowing it.
func TestRunRefusesBadToken(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tok := range []string{" ", "\u00a0", "a b"} {
		assert.ErrorContains(t, run(log, options{addr: "127.0.0.1:0", token: tok}), "token", "%q", tok)
	}
	assert.ErrorContains(t, run(log, options{addr: "127.0.0.1:0", tenants: "acme=\u00a0"}), "acme")
	assert.ErrorContains(t, run(log, options{addr: "127.0.0.1:0", tenants: "acme=t0123456789abcdef", oauth: true}), "-oauth needs -token")
}
