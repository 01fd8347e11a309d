package storetest_test

import (
	"testing"

	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
	"github.com/scimkit/scimkit/store/storetest"
)

// An adapter proves it keeps the store contract by running the kit in a
// test of its own; here the memory store stands in for it.
func ExampleRun() {
	testStore := func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, rt *schema.ResourceType) store.Store {
			return memory.New(rt, memory.Options{}) // an empty store of your own, for rt
		}, storetest.Options{}) // say here what your store keeps
	}
	_ = testStore // in your package: func TestStore(t *testing.T) { storetest.Run(t, ...) }
}
