// Command paging measures list pages of a large tenant on the PostgreSQL
// store, through the handler: the first cursor page (RFC 9865, which
// counts the tenant), cursor pages deep in the list, a walk of every user
// by cursor, index pages (startIndex) at the same depths, and a walk of
// every user by startIndex, as Okta's import makes it.
//
//	go run ./bench/paging -postgres postgres://postgres@127.0.0.1:5432/test -users 1000000
//
// With -sqltable it measures the same against a host's own accounts table
// served by store/sqltable (schema scimkit_paging_sqltable), with the
// index docs/adapters.md recommends for the default order, and the tenant's
// count kept by KeepCounts (-counts=false counts the tenant instead).
//
// It keeps its users in the PostgreSQL schema scimkit_paging, loads them
// with one INSERT the first time (about a minute for a million), and
// reuses them on later runs. Requests go through handler.ServeHTTP
// in-process, so the numbers are the handler's and the database's, not
// the network's.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/scimkit/scimkit/handler"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/postgres"
	"github.com/scimkit/scimkit/store/sqltable"
)

func main() {
	dsn := flag.String("postgres", os.Getenv("SCIMKIT_TEST_POSTGRES"), "the PostgreSQL database (a pgx DSN; default $SCIMKIT_TEST_POSTGRES)")
	users := flag.Int("users", 1_000_000, "how many users the tenant holds")
	count := flag.Int("count", 100, "the page size")
	reps := flag.Int("reps", 50, "requests per measured page")
	walk := flag.Bool("walk", true, "walk every user by cursor")
	mapped := flag.Bool("sqltable", false, "serve a mapped accounts table with store/sqltable instead of store/postgres's")
	counts := flag.Bool("counts", true, "with -sqltable, keep the table's counts (sqltable's KeepCounts); false: count the tenant")
	flag.Parse()
	if *dsn == "" {
		log.Fatal("give -postgres or set SCIMKIT_TEST_POSTGRES")
	}
	if err := run(context.Background(), *dsn, *users, *count, *reps, *walk, *mapped, *counts); err != nil {
		log.Fatal(err)
	}
}

const dbSchema = "scimkit_paging"

func run(ctx context.Context, dsn string, n, count, reps int, walk, mapped, counts bool) error {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	rt := schema.Users()
	var s store.Store
	if mapped {
		if s, rt, err = loadMapped(ctx, pool, n, counts); err != nil {
			return err
		}
	} else {
		if _, err := pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+dbSchema); err != nil {
			return err
		}
		if s, err = postgres.New(ctx, pool, rt, postgres.Options{Schema: dbSchema}); err != nil {
			return err
		}
		if err := load(ctx, pool, s, n); err != nil {
			return err
		}
	}
	h, err := handler.New(handler.Config{Endpoints: []handler.Endpoint{{Type: rt, Store: s}}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	get := func(query string) (map[string]any, time.Duration, error) {
		start := time.Now()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/Users?"+query, nil))
		took := time.Since(start)
		if w.Code != http.StatusOK {
			return nil, took, fmt.Errorf("GET /Users?%s: %d %s", query, w.Code, w.Body)
		}
		var body map[string]any
		err := json.Unmarshal(w.Body.Bytes(), &body)
		return body, took, err
	}
	p50 := func(query string) (time.Duration, error) {
		var ds []time.Duration
		for range reps {
			_, d, err := get(query)
			if err != nil {
				return 0, err
			}
			ds = append(ds, d)
		}
		slices.Sort(ds)
		return ds[len(ds)/2], nil
	}
	c := fmt.Sprintf("count=%d", count)
	fmt.Printf("users: %d, pages of %d, p50 of %d requests each\n", n, count, reps)

	// The cursors at depth 0, n/2 and the last page, found by a walk.
	depths := []int{0, n / 2, (n - 1) / count * count}
	cursors := map[int]string{0: ""}
	first, _, err := get(c + "&cursor=")
	if err != nil {
		return err
	}
	fmt.Printf("totalResults: %v\n", first["totalResults"])
	if walk {
		start := time.Now()
		seen, pages, cursor := 0, 0, ""
		for {
			body, _, err := get(c + "&attributes=userName&cursor=" + url.QueryEscape(cursor))
			if err != nil {
				return err
			}
			pages++
			seen += len(body["Resources"].([]any))
			next, ok := body["nextCursor"].(string)
			if !ok {
				break
			}
			cursor = next
			if slices.Contains(depths, seen) {
				cursors[seen] = cursor
			}
		}
		fmt.Printf("walk by cursor: %d users in %d pages, %s (%s a page)\n", seen, pages, time.Since(start).Round(time.Millisecond), (time.Since(start) / time.Duration(pages)).Round(time.Microsecond))
	}
	for _, d := range depths {
		cur, ok := cursors[d]
		if !ok {
			continue
		}
		t, err := p50(c + "&cursor=" + url.QueryEscape(cur))
		if err != nil {
			return err
		}
		fmt.Printf("cursor page at depth %d: p50 %s\n", d, t.Round(time.Microsecond))
	}
	for _, d := range depths {
		t, err := p50(fmt.Sprintf("%s&startIndex=%d", c, d+1))
		if err != nil {
			return err
		}
		fmt.Printf("index page at startIndex=%d: p50 %s\n", d+1, t.Round(time.Microsecond))
	}
	if walk {
		// As Okta imports: startIndex=1, 1+count, ... to the end.
		start, pages, seen := time.Now(), 0, 0
		for i := 1; ; i += count {
			body, _, err := get(fmt.Sprintf("%s&attributes=userName&startIndex=%d", c, i))
			if err != nil {
				return err
			}
			pages++
			n := len(body["Resources"].([]any))
			if seen += n; n < count {
				break
			}
		}
		fmt.Printf("walk by startIndex: %d users in %d pages, %s (%s a page)\n", seen, pages, time.Since(start).Round(time.Millisecond), (time.Since(start) / time.Duration(pages)).Round(time.Microsecond))
	}
	return nil
}

// mappedSchema holds the accounts table of -sqltable.
const mappedSchema = "scimkit_paging_sqltable"

// loadMapped makes a host's accounts table of n rows, unless it holds them
// already, and returns the store/sqltable store serving it.
func loadMapped(ctx context.Context, pool *pgxpool.Pool, n int, counts bool) (store.Store, *schema.ResourceType, error) {
	db := stdlib.OpenDBFromPool(pool)
	tables, err := sqltable.New(ctx, db, sqltable.PostgreSQL)
	if err != nil {
		return nil, nil, err
	}
	table := mappedSchema + ".accounts"
	if _, err := pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+mappedSchema+`;
		CREATE TABLE IF NOT EXISTS `+table+` (id bigserial PRIMARY KEY, email text NOT NULL, given text, family text, display text,
			created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`); err != nil {
		return nil, nil, err
	}
	var have int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&have); err != nil {
		return nil, nil, err
	}
	if have != n {
		start := time.Now()
		if _, err := pool.Exec(ctx, `TRUNCATE `+table+` RESTART IDENTITY;
			DROP INDEX IF EXISTS `+mappedSchema+`.accounts_email; DROP INDEX IF EXISTS `+mappedSchema+`.accounts_id_text`); err != nil {
			return nil, nil, err
		}
		if _, err := pool.Exec(ctx, `INSERT INTO `+table+` (email, given, family, display, created_at, updated_at)
			SELECT 'user' || i || '@example.com', 'Given', 'Family' || i, 'User ' || i, now(), now() FROM generate_series(1, $1) i`, n); err != nil {
			return nil, nil, err
		}
		// A unique index for userName, and one for the default order (the
		// id as text, bytewise), which keyset pages read from.
		if _, err := pool.Exec(ctx, `CREATE UNIQUE INDEX accounts_email ON `+table+` (scimkit_fold(email));
			CREATE INDEX accounts_id_text ON `+table+` (((id::text) COLLATE "C"));
			ANALYZE `+table); err != nil {
			return nil, nil, err
		}
		fmt.Printf("loaded %d accounts in %s\n", n, time.Since(start).Round(time.Second))
	}
	s, err := tables.Store(schema.Users(), sqltable.Table{
		Name: table, IDs: sqltable.Serial, CreatedAt: "created_at", UpdatedAt: "updated_at",
		Columns: []sqltable.Column{
			{Attr: "userName", Name: "email"}, {Attr: "name.givenName", Name: "given"},
			{Attr: "name.familyName", Name: "family"}, {Attr: "displayName", Name: "display"},
		},
	})
	if err != nil {
		return nil, nil, err
	}
	if counts {
		start := time.Now()
		if err := s.KeepCounts(ctx, mappedSchema+".accounts_counts"); err != nil {
			return nil, nil, err
		}
		fmt.Printf("counts kept (KeepCounts took %s)\n", time.Since(start).Round(time.Millisecond))
	}
	return s, s.Type(), nil
}

// load fills the tenant with n users, shaped as one the store created,
// unless it holds them already.
func load(ctx context.Context, pool *pgxpool.Pool, s interface {
	Create(context.Context, *schema.Resource) (*schema.Resource, error)
}, n int) error {
	table := dbSchema + ".scim_user"
	var have int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&have); err != nil {
		return err
	}
	if have == n {
		return nil
	}
	if _, err := pool.Exec(ctx, `TRUNCATE `+table); err != nil {
		return err
	}
	if _, err := s.Create(ctx, &schema.Resource{Attributes: map[string]any{
		"userName": "template", "displayName": "Template User", "active": true,
		"name":   map[string]any{"givenName": "Template", "familyName": "User"},
		"emails": []any{map[string]any{"value": "template@example.com", "type": "work", "primary": true}},
	}}); err != nil {
		return err
	}
	start := time.Now()
	_, err := pool.Exec(ctx, `INSERT INTO `+table+` (id, tenant, external_id, version, created, last_modified, data)
		SELECT gen_random_uuid()::text, t.tenant, NULL, 1, t.created, t.last_modified,
			jsonb_set(jsonb_set(t.data, '{userName}', to_jsonb('user' || i || '@example.com')),
				'{emails,0,value}', to_jsonb('user' || i || '@example.com'))
		FROM `+table+` t, generate_series(1, $1) i`, n-1)
	if err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE `+table); err != nil {
		return err
	}
	fmt.Printf("loaded %d users in %s\n", n, time.Since(start).Round(time.Second))
	return nil
}
