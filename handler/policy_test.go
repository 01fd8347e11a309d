package handler_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// seatLimit is a BeforeWrite hook that keeps at most n active users: a
// create of an active user and a reactivation count, as an Entra ID
// customer pushed past its paid seats found.
func seatLimit(t *testing.T, users func() store.Store, n int) func(context.Context, handler.Change) error {
	rt := schema.Users()
	e, err := filter.Parse(`active eq true`)
	require.NoError(t, err)
	active, err := filter.Compile(rt, e)
	require.NoError(t, err)
	isActive := func(r *schema.Resource) bool { return r != nil && r.Bool("active") }
	return func(ctx context.Context, c handler.Change) error {
		if c.Type.Name != "User" || !isActive(c.After) || isActive(c.Before) {
			return nil // not a new seat
		}
		page, err := store.Search(ctx, users(), &store.Query{Filter: active})
		if err != nil {
			return err
		}
		if page.Total >= n {
			return &schema.Error{Status: http.StatusForbidden, Detail: fmt.Sprintf("all %d seats are taken", n)}
		}
		return nil
	}
}

// TestBeforeWriteSeatLimit checks Config.BeforeWrite as a seat limit:
// after 50 concurrent creates with a limit of 10, exactly 10 users are
// active and the others were refused with the hook's 403; a reactivation
// beyond the limit, by PATCH or PUT, is refused too.
func TestBeforeWriteSeatLimit(t *testing.T) {
	var s *server
	s = newServer(t, "", func(c *handler.Config) {
		c.BeforeWrite = seatLimit(t, func() store.Store { return s.users }, 10)
	})
	active := func(name string, on bool) string {
		return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"active":%v}`, name, on)
	}
	statuses := make([]int, 50)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = s.do(http.MethodPost, "/Users", active(fmt.Sprintf("u%02d", i), true)).status
		}()
	}
	wg.Wait()
	count := map[int]int{}
	for _, st := range statuses {
		count[st]++
	}
	assert.Equal(t, map[int]int{http.StatusCreated: 10, http.StatusForbidden: 40}, count)
	activeUsers := func() float64 {
		return s.do(http.MethodGet, "/Users?filter=active%20eq%20true&count=0", "").body["totalResults"].(float64)
	}
	assert.Equal(t, float64(10), activeUsers())

	// A user created inactive takes no seat; its reactivation would.
	idle := s.create("/Users", active("idle", false))
	r := s.do(http.MethodPatch, "/Users/"+idle, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}`)
	assert.Equal(t, http.StatusForbidden, r.status, "%s", r.raw)
	assert.Equal(t, "all 10 seats are taken", r.body["detail"])
	assert.Equal(t, http.StatusForbidden, s.do(http.MethodPut, "/Users/"+idle, active("idle", true)).status)
	assert.Equal(t, float64(10), activeUsers(), "nothing was written")
}

// TestBeforeWriteOwner checks Config.BeforeWrite protecting an owner: its
// deactivation and deletion are refused (an error that is no
// *schema.Error is 403 with its text), in a Bulk request too, and other
// users are not held back.
func TestBeforeWriteOwner(t *testing.T) {
	var owner string
	s := newServer(t, "", func(c *handler.Config) {
		c.Bulk = handler.BulkConfig{MaxOperations: 10}
		c.BeforeWrite = func(_ context.Context, c handler.Change) error {
			if c.ID != owner || owner == "" {
				return nil
			}
			if c.After == nil || !c.After.Bool("active") {
				return errors.New("the owner stays")
			}
			return nil
		}
	})
	owner = s.create("/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"owner","active":true}`)
	other := s.create("/Users", user("other"))
	r := s.do(http.MethodDelete, "/Users/"+owner, "")
	assert.Equal(t, http.StatusForbidden, r.status)
	assert.Equal(t, "the owner stays", r.body["detail"])
	assert.Equal(t, http.StatusForbidden, s.do(http.MethodPatch, "/Users/"+owner, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`).status)
	bulk := s.do(http.MethodPost, "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"DELETE","path":"/Users/`+owner+`"}]}`)
	require.Equal(t, http.StatusOK, bulk.status)
	assert.Equal(t, "403", bulk.body["Operations"].([]any)[0].(map[string]any)["status"])
	got := s.do(http.MethodGet, "/Users/"+owner, "")
	require.Equal(t, http.StatusOK, got.status)
	assert.Equal(t, true, got.body["active"])
	assert.Equal(t, http.StatusOK, s.do(http.MethodPatch, "/Users/"+owner, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Boss"}]}`).status, "other changes pass")
	assert.Equal(t, http.StatusNoContent, s.do(http.MethodDelete, "/Users/"+other, "").status)
}
