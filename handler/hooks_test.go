package handler_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/store/memory"
)

// recorder keeps the changes OnChange heard of.
type recorder struct {
	mu      sync.Mutex
	changes []handler.Change
}

func (r *recorder) hook(_ context.Context, c handler.Change) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changes = append(r.changes, c)
	return nil
}

func (r *recorder) take() []handler.Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.changes
	r.changes = nil
	return out
}

// TestOnChange checks that every committed write, and only those, reaches
// Config.OnChange once, with Before, After and the changed attributes.
func TestOnChange(t *testing.T) {
	rec := &recorder{}
	s := newServer(t, "", func(c *handler.Config) {
		c.OnChange = rec.hook
		c.Bulk = handler.BulkConfig{MaxOperations: 10}
	})
	const patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`
	id := s.create("/Users", bjensen)
	got := rec.take()
	require.Len(t, got, 1)
	assert.Equal(t, http.MethodPost, got[0].Method)
	assert.Equal(t, "User", got[0].Type.Name)
	assert.Nil(t, got[0].Before)
	assert.Equal(t, id, got[0].After.ID)
	assert.True(t, got[0].Has("userName"))
	assert.True(t, got[0].Has("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"))

	// Disabling a user: the hook a host revokes sessions from.
	r := s.do(http.MethodPatch, "/Users/"+id, patchOp+`{"op":"replace","path":"active","value":"False"}]}`)
	require.Equal(t, http.StatusOK, r.status)
	got = rec.take()
	require.Len(t, got, 1)
	assert.Equal(t, http.MethodPatch, got[0].Method)
	assert.Equal(t, []string{"active"}, got[0].Changed)
	assert.True(t, got[0].Has("ACTIVE"))
	assert.Equal(t, true, got[0].Before.Attributes["active"])
	assert.Equal(t, false, got[0].After.Attributes["active"])

	// A PATCH that changes nothing commits nothing, so nothing is heard.
	require.Equal(t, http.StatusOK, s.do(http.MethodPatch, "/Users/"+id, patchOp+`{"op":"replace","path":"active","value":false}]}`).status)
	assert.Empty(t, rec.take())
	// Neither does a failed write.
	require.Equal(t, http.StatusBadRequest, s.do(http.MethodPatch, "/Users/"+id, patchOp+`{"op":"replace","path":"id","value":"x"}]}`).status)
	require.Equal(t, http.StatusPreconditionFailed, s.do(http.MethodDelete, "/Users/"+id, "", "If-Match", `W/"old"`).status)
	assert.Empty(t, rec.take())

	r = s.do(http.MethodPut, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen@example.com","externalId":"e-1","active":false,"title":"Boss"}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	got = rec.take()
	require.Len(t, got, 1)
	assert.Equal(t, http.MethodPut, got[0].Method)
	assert.ElementsMatch(t, []string{"title", "name", "emails", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}, got[0].Changed)

	// Bulk: one change per committed operation.
	r = s.do(http.MethodPost, "/Bulk", bulkBody("",
		`{"method":"POST","path":"/Groups","bulkId":"g","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"`+id+`"}]}}`,
		`{"method":"POST","path":"/Users","bulkId":"bad","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}}`,
		`{"method":"PATCH","path":"/Groups/bulkId:g","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"H"}]}}`,
		`{"method":"DELETE","path":"/Users/`+id+`"}`))
	require.Equal(t, http.StatusOK, r.status)
	got = rec.take()
	require.Len(t, got, 4)
	assert.Equal(t, []string{http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodPatch}, []string{got[0].Method, got[1].Method, got[2].Method, got[3].Method})
	assert.Equal(t, []string{"displayName"}, got[1].Changed)
	assert.Equal(t, id, got[2].ID)
	assert.Nil(t, got[2].After)
	assert.Equal(t, "bjensen@example.com", got[2].Before.Attributes["userName"])
	// RFC 7643 §4.2: the deleted user leaves the group that listed it, and
	// the hook hears of the group's change.
	assert.Equal(t, got[0].ID, got[3].ID)
	assert.Equal(t, []string{"members"}, got[3].Changed)
	assert.NotContains(t, got[3].After.Attributes, "members")
}

// TestOnChangeErrors checks that a failing or panicking hook is logged and
// never undoes the committed write.
func TestOnChangeErrors(t *testing.T) {
	var calls atomic.Int32
	s := newServer(t, "", func(c *handler.Config) {
		c.OnChange = func(context.Context, handler.Change) error {
			if calls.Add(1) == 1 {
				return errors.New("session store is down")
			}
			panic("hook exploded")
		}
	})
	id := s.create("/Users", user("kept@example.com"))
	r := s.do(http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, false, s.do(http.MethodGet, "/Users/"+id, "").body["active"])
	assert.Contains(t, s.logs.String(), "session store is down")
	assert.Contains(t, s.logs.String(), "hook exploded")
}

// TestOnChangeConcurrent has 50 goroutines add members to one group and
// 50 create users: the hook hears each committed change exactly once.
func TestOnChangeConcurrent(t *testing.T) {
	var patched, created atomic.Int32
	seen := sync.Map{}
	const n = 50
	s := newServer(t, "", func(c *handler.Config) {
		c.Endpoints[0].Store = memory.New(c.Endpoints[0].Type, memory.Options{NewID: ids(numbered("m-%d", n)...)})
		c.OnChange = func(_ context.Context, ch handler.Change) error {
			switch ch.Method {
			case http.MethodPatch:
				patched.Add(1)
				if _, dup := seen.LoadOrStore(ch.After.Meta.Version, true); dup {
					t.Errorf("version %s heard twice", ch.After.Meta.Version)
				}
			case http.MethodPost:
				created.Add(1)
			}
			return nil
		}
	})
	for i := range n {
		s.create("/Users", user(fmt.Sprintf("m%d", i))) // the members must exist (RFC 7643 §4.2)
	}
	gid := s.create("/Groups", group)
	created.Store(0)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			r := s.do(http.MethodPatch, "/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"m-%d"}]}]}`, i))
			if r.status == http.StatusOK {
				ok.Add(1)
			}
		}()
		go func() {
			defer wg.Done()
			s.do(http.MethodPost, "/Users", user(fmt.Sprintf("c-%d", i)))
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(n), ok.Load(), "every PATCH succeeded")
	assert.Equal(t, int32(n), patched.Load(), "one change heard per committed PATCH")
	assert.Equal(t, int32(n), created.Load())
	assert.Len(t, memberIDs(s.do(http.MethodGet, "/Groups/"+gid, "")), n)
}
