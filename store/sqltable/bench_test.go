package sqltable

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
)

// The benchmarks' sizes: as store/postgres's benchmarks on PostgreSQL (so
// that the two compare on the same data); on MySQL/MariaDB the group's
// 100,000 members and 10,000 users more to add to it.
var benchRows = map[Dialect]int{PostgreSQL: 1_000_000, MySQL: 110_000}

const benchMembers = 100_000

// benchSeed fills the mapped tables: users account1..accountN, as the
// PostgreSQL store's benchmarks do, and team 1 with the first
// benchMembers of them.
var benchSeed = map[Dialect]string{
	PostgreSQL: `
INSERT INTO accounts (org, email, given, family, display, title, external_id, employee_number, department, created_at, updated_at)
	SELECT '', 'user' || lpad(i::text, 7, '0') || '@contoso.example.com', 'Given', 'Family' || lpad(i::text, 7, '0'),
		'User ' || lpad(i::text, 7, '0'), 'Software Engineer', '5f2a8c1e-0000-4000-8000-' || lpad(i::text, 12, '0'),
		lpad(i::text, 7, '0'), 'Engineering', now(), now()
	FROM generate_series(1, $1) AS i;
INSERT INTO teams (org, name, version, created_at, updated_at) VALUES ('', 'Everyone', 1, now(), now());
INSERT INTO team_members (team_id, account_id) SELECT 1, i FROM generate_series(1, $2) AS i;
ANALYZE accounts; ANALYZE team_members`,
	MySQL: `
INSERT INTO accounts (org, email, given, family, display, title, external_id, employee_number, department, created_at, updated_at)
	SELECT '', CONCAT('user', LPAD(seq, 7, '0'), '@contoso.example.com'), 'Given', CONCAT('Family', LPAD(seq, 7, '0')),
		CONCAT('User ', LPAD(seq, 7, '0')), 'Software Engineer', CONCAT('5f2a8c1e-0000-4000-8000-', LPAD(seq, 12, '0')),
		LPAD(seq, 7, '0'), 'Engineering', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)
	FROM seq_1_to_%d;
INSERT INTO teams (org, name, version, created_at, updated_at) VALUES ('', 'Everyone', 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6));
INSERT INTO team_members (team_id, account_id) SELECT 1, seq FROM seq_1_to_%d;
ANALYZE TABLE accounts, team_members`,
}

// benchEnv is a handler over the mapped tables of one dialect.
type benchEnv struct {
	h        *handler.Handler
	rows     int
	userName string
	created  int // users created so far
	added    int // the last user added to the group
}

// loadBench loads the dialect's tables, in a database dropped when b
// ends, and returns a handler serving them.
func loadBench(b *testing.B, d Dialect) *benchEnv {
	db := database(b, d, "scimkit_sqltable_bench_")
	ctx := context.Background()
	tables, err := New(ctx, db, d)
	if err != nil {
		b.Fatal(err)
	}
	rows := benchRows[d]
	seed := ddl[d] + ";" + benchSeed[d]
	if d == MySQL {
		seed = fmt.Sprintf(seed, rows, benchMembers)
	}
	for stmt := range strings.SplitSeq(seed, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		var args []any
		switch {
		case d == PostgreSQL && strings.Contains(stmt, "$2"):
			stmt, args = strings.ReplaceAll(stmt, "$2", "$1"), []any{benchMembers}
		case d == PostgreSQL && strings.Contains(stmt, "$1"):
			args = []any{rows}
		}
		if _, err := db.ExecContext(ctx, stmt, args...); err != nil {
			b.Fatalf("%s: %v", stmt, err)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM accounts").Scan(&n); err != nil || n != rows {
		b.Fatalf("the accounts table holds %d rows, not %d: %v", n, rows, err)
	}
	users, err := tables.Store(schema.Users(), accounts())
	if err != nil {
		b.Fatal(err)
	}
	groups, err := tables.Store(schema.Groups(), teams())
	if err != nil {
		b.Fatal(err)
	}
	h, err := handler.New(handler.Config{
		Endpoints:      []handler.Endpoint{{Type: users.Type(), Store: users}, {Type: groups.Type(), Store: groups}},
		PatchNoContent: true,
		Logger:         slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	return &benchEnv{h: h, rows: rows, userName: fmt.Sprintf("user%07d@contoso.example.com", rows/2), added: benchMembers}
}

func serve(b *testing.B, h http.Handler, req *http.Request, want int) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != want {
		b.Fatalf("%s %s: %d %s", req.Method, req.URL, w.Code, w.Body)
	}
}

// BenchmarkHandler runs, through the handler, the workloads store/postgres
// benchmarks on the same data (BenchmarkLookupUserName, BenchmarkCreate,
// BenchmarkAddMember): userName eq among 1,000,000 mapped rows (100,000
// on MySQL/MariaDB), POST, and a PATCH adding one member to a group of
// 100,000, answered 204.
func BenchmarkHandler(b *testing.B) {
	for _, d := range dialects {
		b.Run(d.String(), func(b *testing.B) {
			env := loadBench(b, d) // once for the three
			b.Run("LookupUserName", func(b *testing.B) {
				target := "/Users?filter=" + strings.ReplaceAll(fmt.Sprintf(`userName eq %q`, strings.ToUpper(env.userName)), " ", "%20")
				b.ReportAllocs()
				for b.Loop() {
					serve(b, env.h, httptest.NewRequest(http.MethodGet, target, nil), http.StatusOK)
				}
			})
			b.Run("Create", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					env.created++ // a new name, also when -count runs this again
					body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new` + strconv.Itoa(env.created) +
						`@contoso.example.com","name":{"givenName":"New","familyName":"User"},"active":true}`
					req := httptest.NewRequest(http.MethodPost, "/Users", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/scim+json")
					serve(b, env.h, req, http.StatusCreated)
				}
			})
			b.Run("AddMember", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					env.added++ // a user not yet in the group
					body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"%d"}]}]}`, env.added)
					req := httptest.NewRequest(http.MethodPatch, "/Groups/1", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/scim+json")
					serve(b, env.h, req, http.StatusNoContent)
				}
			})
		})
	}
}
