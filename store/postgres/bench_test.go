package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/postgres"
)

const (
	benchUsers   = 1_000_000
	benchMembers = 100_000
)

// benchEnv is a handler over PostgreSQL stores holding benchUsers users
// and a group of benchMembers members, loaded with SQL once per run.
type benchEnv struct {
	h        *handler.Handler
	groupID  string
	userName string
	created  int // users created so far, so that -count runs make new ones
	added    int // members added so far
}

var (
	benchOnce sync.Once
	bench     *benchEnv
	benchErr  error
)

func loadBench(b *testing.B) *benchEnv {
	dsn := os.Getenv("SCIMKIT_TEST_POSTGRES")
	if dsn == "" {
		b.Skip("PostgreSQL benchmarks need a server: set SCIMKIT_TEST_POSTGRES, e.g. postgres://postgres@127.0.0.1:5432/test")
	}
	benchOnce.Do(func() {
		// The data serves every benchmark of the run: it lives in a schema
		// of its own, replaced at the start of each run, and a pool that
		// lives as long as the process.
		ctx := context.Background()
		pool, err := pgxpool.New(ctx, dsn)
		if err != nil {
			benchErr = err
			return
		}
		db := &testDB{pool: pool}
		users, groups := schema.Users(), schema.Groups()
		_, benchErr = db.pool.Exec(ctx, `DROP SCHEMA IF EXISTS scimkit_bench CASCADE; CREATE SCHEMA scimkit_bench`)
		if benchErr != nil {
			return
		}
		us, err := postgres.New(ctx, db.pool, users, postgres.Options{Schema: "scimkit_bench", Table: "users"})
		if err != nil {
			benchErr = err
			return
		}
		gs, err := postgres.New(ctx, db.pool, groups, postgres.Options{Schema: "scimkit_bench", Table: "groups"})
		if err != nil {
			benchErr = err
			return
		}
		// Entra-shaped users, as the memory store's benchmarks use.
		_, benchErr = db.pool.Exec(ctx, `INSERT INTO `+postgres.Table(us)+` (id, external_id, version, created, last_modified, data)
			SELECT 'u-' || lpad(i::text, 7, '0'), '5f2a8c1e-0000-4000-8000-' || lpad(i::text, 12, '0'), i, now(), now(),
				jsonb_build_object('userName', 'user' || lpad(i::text, 7, '0') || '@contoso.example.com', 'active', true,
					'displayName', 'User ' || lpad(i::text, 7, '0'), 'title', 'Software Engineer',
					'name', jsonb_build_object('givenName', 'Given', 'familyName', 'Family' || lpad(i::text, 7, '0')),
					'emails', jsonb_build_array(jsonb_build_object('value', 'user' || lpad(i::text, 7, '0') || '@contoso.example.com', 'type', 'work', 'primary', true)),
					'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', jsonb_build_object('employeeNumber', lpad(i::text, 7, '0'), 'department', 'Engineering'))
			FROM generate_series(1, $1) AS i`, benchUsers)
		if benchErr == nil {
			_, benchErr = db.pool.Exec(ctx, `INSERT INTO `+postgres.Table(gs)+` (id, version, created, last_modified, data) VALUES ('big', 1, now(), now(), '{"displayName":"Everyone"}')`)
		}
		if benchErr == nil {
			_, benchErr = db.pool.Exec(ctx, `INSERT INTO scimkit_bench.groups_members (resource_id, value, elem)
				SELECT 'big', 'u-' || lpad(i::text, 7, '0'), jsonb_build_object('value', 'u-' || lpad(i::text, 7, '0'), 'type', 'User')
				FROM generate_series(1, $1) AS i`, benchMembers)
		}
		if benchErr == nil {
			_, benchErr = db.pool.Exec(ctx, `ANALYZE scimkit_bench.users; ANALYZE scimkit_bench.groups_members`)
		}
		if benchErr != nil {
			return
		}
		h, err := handler.New(handler.Config{
			Endpoints:      []handler.Endpoint{{Type: users, Store: us}, {Type: groups, Store: gs}},
			PatchNoContent: true,
			Logger:         slog.New(slog.DiscardHandler),
		})
		bench, benchErr = &benchEnv{h: h, groupID: "big", userName: "user0500000@contoso.example.com"}, err
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return bench
}

func serve(b *testing.B, h http.Handler, req *http.Request, want int) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != want {
		b.Fatalf("%s %s: %d %s", req.Method, req.URL, w.Code, w.Body)
	}
}

// BenchmarkLookupUserName is GET /Users?filter=userName eq "..." among
// 1,000,000 users, through the handler.
func BenchmarkLookupUserName(b *testing.B) {
	env := loadBench(b)
	target := "/Users?filter=" + strings.ReplaceAll(fmt.Sprintf(`userName eq %q`, strings.ToUpper(env.userName)), " ", "%20")
	b.ReportAllocs()
	for b.Loop() {
		serve(b, env.h, httptest.NewRequest(http.MethodGet, target, nil), http.StatusOK)
	}
}

// BenchmarkCreate is POST /Users into a table of 1,000,000 users.
func BenchmarkCreate(b *testing.B) {
	env := loadBench(b)
	b.ReportAllocs()
	for b.Loop() {
		env.created++
		body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new` + strconv.Itoa(env.created) +
			`@contoso.example.com","name":{"givenName":"New","familyName":"User"},"emails":[{"value":"new@contoso.example.com","type":"work","primary":true}],"active":true}`
		req := httptest.NewRequest(http.MethodPost, "/Users", bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/scim+json")
		serve(b, env.h, req, http.StatusCreated)
	}
}

// BenchmarkAddMember is a PATCH adding one member to a group of 100,000
// members, answered 204 (PatchNoContent, as Entra ID advises).
func BenchmarkAddMember(b *testing.B) {
	env := loadBench(b)
	b.ReportAllocs()
	for b.Loop() {
		env.added++
		// A user not yet in the group: the handler checks that members exist.
		body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"u-%07d"}]}]}`, benchMembers+env.added)
		req := httptest.NewRequest(http.MethodPatch, "/Groups/"+env.groupID, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/scim+json")
		serve(b, env.h, req, http.StatusNoContent)
	}
}
