package handler

import (
	"container/list"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/scimkit/scimkit/schema"
)

// RateLimit limits each tenant's requests (Config.Tenant; one tenant when
// it is unset) with a token bucket (golang.org/x/time/rate). A request
// over the limit gets 429 with Retry-After in whole seconds (RFC 9110
// §10.2.3), which Entra ID and Okta wait for, and the SCIM error body.
// The zero value limits nothing.
type RateLimit struct {
	// PerSecond is how many requests a tenant may make per second, on
	// average; zero turns the limit off.
	PerSecond float64
	// Burst is how many requests a tenant may make at once; default
	// PerSecond rounded up, at least 1.
	Burst int
	// Tenants bounds how many tenants' buckets are kept: past it, the
	// tenant heard from least recently is forgotten, and starts again
	// with a full bucket. Default 10,000.
	Tenants int
}

// limiters holds the tenants' buckets, the least recently used first out.
type limiters struct {
	limit rate.Limit
	burst int
	max   int

	mu     sync.Mutex
	byName map[string]*list.Element // of *tenantLimiter
	order  list.List                // front: most recently used
}

type tenantLimiter struct {
	tenant string
	lim    *rate.Limiter
}

// newLimiters returns the buckets of c, or nil when c limits nothing.
func newLimiters(c RateLimit) *limiters {
	if c.PerSecond <= 0 {
		return nil
	}
	l := &limiters{limit: rate.Limit(c.PerSecond), burst: c.Burst, max: c.Tenants, byName: map[string]*list.Element{}}
	if l.burst <= 0 {
		l.burst = max(1, int(math.Ceil(c.PerSecond)))
	}
	if l.max <= 0 {
		l.max = 10_000
	}
	return l
}

// wait reports how long tenant must wait before its next request is
// allowed: zero when it may go now, which takes a token.
func (l *limiters) wait(tenant string, now time.Time) time.Duration {
	l.mu.Lock()
	e, ok := l.byName[tenant]
	if ok {
		l.order.MoveToFront(e)
	} else {
		e = l.order.PushFront(&tenantLimiter{tenant: tenant, lim: rate.NewLimiter(l.limit, l.burst)})
		l.byName[tenant] = e
		if l.order.Len() > l.max {
			old := l.order.Back()
			l.order.Remove(old)
			delete(l.byName, old.Value.(*tenantLimiter).tenant)
		}
	}
	lim := e.Value.(*tenantLimiter).lim
	l.mu.Unlock()
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return time.Second // a burst below 1 cannot happen: newLimiters makes it 1
	}
	d := r.DelayFrom(now)
	if d > 0 {
		r.CancelAt(now) // refused: the token is not spent
	}
	return d
}

// tooManyRequests answers 429 with Retry-After: the delay in whole
// seconds, rounded up.
func tooManyRequests(w http.ResponseWriter, d time.Duration) {
	secs := max(1, int(math.Ceil(d.Seconds())))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeError(w, &schema.Error{Status: http.StatusTooManyRequests, Detail: fmt.Sprintf("too many requests; retry after %d s", secs)})
}
