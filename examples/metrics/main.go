// Command metrics serves SCIM from memory and exposes Prometheus metrics
// of every request at /metrics, wired through handler.Config.Observe with
// nothing but the standard library: a request counter by endpoint, method
// and status, and a latency histogram by endpoint, in Prometheus's text
// exposition format. A service that already uses the Prometheus or
// OpenTelemetry client would record the same Observation fields with it.
//
//	go run ./examples/metrics -token s3cr3t &
//	curl -H 'Authorization: Bearer s3cr3t' http://127.0.0.1:8081/scim/v2/Users
//	curl http://127.0.0.1:8081/metrics
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/memory"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	token := flag.String("token", os.Getenv("SCIMKIT_TOKEN"), "bearer token clients must send")
	flag.Parse()
	h, err := newServer(*token, newMetrics())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	fmt.Fprintln(os.Stderr, "listening on", *addr)
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// newServer mounts SCIM at /scim/v2 and the metrics at /metrics.
func newServer(token string, m *metrics) (http.Handler, error) {
	users, groups := schema.Users(), schema.Groups()
	scim, err := handler.New(handler.Config{
		Endpoints: []handler.Endpoint{
			{Type: users, Store: memory.New(users, memory.Options{})},
			{Type: groups, Store: memory.New(groups, memory.Options{})},
		},
		Observe: m.observe,
		Logger:  slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return nil, err
	}
	check, err := handler.BearerToken(token)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", handler.Authenticate(scim, check)))
	mux.Handle("GET /metrics", m)
	return mux, nil
}

// buckets are the latency histogram's upper bounds, in seconds.
var buckets = []float64{0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1}

// metrics counts requests by endpoint, method and status, and keeps a
// latency histogram by endpoint. Endpoint is a route pattern, never an id,
// so the label values are bounded by the configuration.
type metrics struct {
	mu       sync.Mutex
	requests map[[3]string]uint64
	latency  map[string]*histogram
}

type histogram struct {
	counts []uint64 // per bucket, cumulative when written
	sum    float64
	n      uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[[3]string]uint64{}, latency: map[string]*histogram{}}
}

// observe is the handler's Config.Observe.
func (m *metrics) observe(_ context.Context, o handler.Observation) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[3]string{o.Endpoint, o.Method, strconv.Itoa(o.Status)}]++
	h := m.latency[o.Endpoint]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(buckets))}
		m.latency[o.Endpoint] = h
	}
	secs := o.Duration.Seconds()
	for i, b := range buckets {
		if secs <= b {
			h.counts[i]++
		}
	}
	h.sum += secs
	h.n++
}

// ServeHTTP writes the metrics in Prometheus's text exposition format.
func (m *metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	m.write(w)
}

func (m *metrics) write(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintln(w, "# HELP scim_requests_total SCIM requests served.")
	fmt.Fprintln(w, "# TYPE scim_requests_total counter")
	keys := make([][3]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [3]string) int { return slices.Compare(a[:], b[:]) })
	for _, k := range keys {
		fmt.Fprintf(w, "scim_requests_total{endpoint=%q,method=%q,status=%q} %d\n", k[0], k[1], k[2], m.requests[k])
	}
	fmt.Fprintln(w, "# HELP scim_request_duration_seconds SCIM request latency.")
	fmt.Fprintln(w, "# TYPE scim_request_duration_seconds histogram")
	endpoints := make([]string, 0, len(m.latency))
	for e := range m.latency {
		endpoints = append(endpoints, e)
	}
	slices.Sort(endpoints)
	for _, e := range endpoints {
		h := m.latency[e]
		for i, b := range buckets {
			fmt.Fprintf(w, "scim_request_duration_seconds_bucket{endpoint=%q,le=%q} %d\n", e, strconv.FormatFloat(b, 'g', -1, 64), h.counts[i])
		}
		fmt.Fprintf(w, "scim_request_duration_seconds_bucket{endpoint=%q,le=\"+Inf\"} %d\n", e, h.n)
		fmt.Fprintf(w, "scim_request_duration_seconds_sum{endpoint=%q} %g\n", e, h.sum)
		fmt.Fprintf(w, "scim_request_duration_seconds_count{endpoint=%q} %d\n", e, h.n)
	}
}
