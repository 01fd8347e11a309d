package handler

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestLimitersBounded checks that the buckets of many tenants take bounded
// memory: past RateLimit.Tenants, the least recently heard tenant is
// forgotten (and starts again with a full bucket).
func TestLimitersBounded(t *testing.T) {
	l := newLimiters(RateLimit{PerSecond: 0.001, Burst: 1, Tenants: 2})
	now := time.Now()
	assert.Zero(t, l.wait("a", now))
	assert.Positive(t, l.wait("a", now), "a's bucket is empty")
	for i := range 1000 {
		l.wait(fmt.Sprintf("t%d", i), now)
	}
	assert.LessOrEqual(t, len(l.byName), 2)
	assert.LessOrEqual(t, l.order.Len(), 2)
	assert.Zero(t, l.wait("a", now), "a was forgotten: a full bucket again")
	assert.Nil(t, newLimiters(RateLimit{}), "the zero value limits nothing")
}
