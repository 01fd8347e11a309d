package handler_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/memory"
)

// BenchmarkBulkThousand is one Bulk request creating 1,000 users and a
// group that refers to all of them by bulkId, on empty memory stores.
func BenchmarkBulkThousand(b *testing.B) {
	users, groups := schema.Users(), schema.Groups()
	body := []byte(thousandBody(1000))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		b.StopTimer()
		h, err := handler.New(handler.Config{
			Endpoints: []handler.Endpoint{{Type: users, Store: memory.New(users, memory.Options{})}, {Type: groups, Store: memory.New(groups, memory.Options{})}},
			Bulk:      handler.BulkConfig{MaxOperations: 1001, MaxPayloadBytes: 4 << 20},
			Logger:    slog.New(slog.DiscardHandler), // no audit log
		})
		if err != nil {
			b.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/Bulk", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/scim+json")
		w := httptest.NewRecorder()
		b.StartTimer()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
