// Package bench is scimkit's benchmark suite. Each workload runs through
// the scimkit handler and through a bare net/http handler that writes the
// same response bytes (the floor), in one run, first in process (ServeHTTP
// into a discarding writer: the ratio is scimkit's own cost) and then over
// loopback HTTP (the ratio a client sees):
//
//	go test -run '^$' -bench . -benchmem ./bench
//
// The command bench/load drives a running server over HTTP with
// concurrent keep-alive clients and compares it with the floor. The method
// and the results are in docs/performance.md.
package bench
