package main

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// The host's tables, as they were before SCIM came along.
const hostSchema = `
CREATE TABLE IF NOT EXISTS users (
	id bigserial PRIMARY KEY,
	email text NOT NULL,
	first_name text NOT NULL DEFAULT '',
	last_name text NOT NULL DEFAULT '',
	is_active boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now());
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users (lower(email));
CREATE TABLE IF NOT EXISTS teams (
	id bigserial PRIMARY KEY,
	name text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS team_members (
	team_id bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	PRIMARY KEY (team_id, user_id));`

// table is what the two stores share: a table whose rows are resources,
// with updated_at as the version.
type table struct {
	pool   *pgxpool.Pool
	rt     *schema.ResourceType
	name   string                                  // "users" or "teams"
	cols   string                                  // the SELECT list, ending in created_at, updated_at
	scan   func(pgx.Row) (*schema.Resource, error) // reads one row of cols
	mapper filter.Mapper                           // where each attribute is, for filters
	// holders, when set, is an UPDATE run with a Delete, in the same
	// statement: it gives a new updated_at (a new version) to the rows
	// that listed the deleted one, whose id is in the CTE d, so that an
	// ETag held for them no longer matches.
	holders string
}

func version(t time.Time) string { return strconv.FormatInt(t.UnixMicro(), 10) }

// versionSQL is version in SQL.
const versionSQL = "(extract(epoch FROM r.updated_at) * 1000000)::bigint::text"

func meta(rt *schema.ResourceType, created, updated time.Time) schema.Meta {
	return schema.Meta{ResourceType: rt.Name, Created: created.UTC(), LastModified: updated.UTC(), Version: version(updated)}
}

// id parses a SCIM id; ids are the tables' bigserial keys.
func id(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, store.ErrNotFound
	}
	return n, nil
}

func (t *table) Get(ctx context.Context, sid string) (*schema.Resource, error) {
	n, err := id(sid)
	if err != nil {
		return nil, err
	}
	r, err := t.scan(t.pool.QueryRow(ctx, "SELECT "+t.cols+" FROM "+t.name+" r WHERE r.id = $1", n))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	return r, err
}

func (t *table) Delete(ctx context.Context, sid, ifVersion string) error {
	n, err := id(sid)
	if err != nil {
		return err
	}
	del := "DELETE FROM " + t.name + " WHERE id = $1 AND ($2 = '' OR (extract(epoch FROM updated_at) * 1000000)::bigint::text = $2)"
	if t.holders == "" {
		tag, err := t.pool.Exec(ctx, del, n, ifVersion)
		if err == nil && tag.RowsAffected() == 0 {
			return t.missing(ctx, n)
		}
		return err
	}
	var deleted int
	err = t.pool.QueryRow(ctx, "WITH d AS ("+del+" RETURNING id), h AS ("+t.holders+") SELECT count(*) FROM d", n, ifVersion).Scan(&deleted)
	if err == nil && deleted == 0 {
		return t.missing(ctx, n)
	}
	return err
}

// missing tells why a conditional write matched nothing.
func (t *table) missing(ctx context.Context, n int64) error {
	var one int
	if err := t.pool.QueryRow(ctx, "SELECT 1 FROM "+t.name+" WHERE id = $1", n).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return store.ErrVersionMismatch
}

func (t *table) Scan(ctx context.Context) iter.Seq2[*schema.Resource, error] {
	return func(yield func(*schema.Resource, error) bool) {
		page, err := t.query(ctx, "true", nil, byID, 1<<31, 0)
		if err != nil {
			yield(nil, err)
			return
		}
		for _, r := range page {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// byID orders rows as scimkit orders resources without a sortBy: by id as
// a string (RFC 7644 leaves the order to the service; one order for every
// store keeps pages stable across them), whatever the database's collation.
const byID = `r.id::text COLLATE "C"`

func (t *table) query(ctx context.Context, where string, args []any, order string, limit, offset int) ([]*schema.Resource, error) {
	rows, err := t.pool.Query(ctx, "SELECT "+t.cols+" FROM "+t.name+" r WHERE "+where+" ORDER BY "+order+
		" LIMIT $"+strconv.Itoa(len(args)+1)+" OFFSET $"+strconv.Itoa(len(args)+2), append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*schema.Resource
	for rows.Next() {
		r, err := t.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Search pushes the filter down to SQL. An attribute the mapping does not
// cover is the client's mistake here, not a reason to scan the table.
func (t *table) Search(ctx context.Context, q *store.Query) (*store.Page, error) {
	where, args := "true", []any{}
	if q.Filter != nil {
		w, a, err := filter.ToSQL(q.Filter, t.mapper, 1)
		var unmapped *filter.UnmappedError
		if errors.As(err, &unmapped) {
			return nil, schema.NewError(http.StatusBadRequest, schema.ScimInvalidFilter, "this service cannot filter on %q", unmapped.Attr.String())
		}
		if err != nil {
			return nil, err
		}
		where, args = w, a
	}
	order := byID
	if q.Sort != nil {
		col, ok := t.mapper(q.Sort.Attr())
		if !ok || col.Elements != "" {
			return nil, schema.NewError(http.StatusBadRequest, schema.ScimInvalidFilter, "this service cannot sort by %q", q.Sort.Attr().String())
		}
		key := col.Expr
		if a := q.Sort.Attr().Target(); a.Type == schema.String && !a.CaseExact {
			// scimkit orders strings case-insensitively, by code point:
			// not by the database's collation (which puts "Bob" before "amy").
			key = "lower(" + key + `) COLLATE "C"`
		}
		order = key + map[bool]string{false: " ASC", true: " DESC"}[q.Sort.Descending()] + " NULLS LAST, " + byID
	}
	page := &store.Page{}
	if err := t.pool.QueryRow(ctx, "SELECT count(*) FROM "+t.name+" r WHERE "+where, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	var err error
	if q.Count > 0 && max(q.StartIndex, 1) <= page.Total {
		page.Resources, err = t.query(ctx, where, args, order, q.Count, max(q.StartIndex, 1)-1)
	}
	return page, err
}

// users serves SCIM Users from the users table: userName and the work
// email are its email, name.givenName and name.familyName its names,
// active its is_active. Other attributes are not kept.
func users(pool *pgxpool.Pool, rt *schema.ResourceType) *userStore {
	t := &table{pool: pool, rt: rt, name: "users", cols: "r.id, r.email, r.first_name, r.last_name, r.is_active, r.created_at, r.updated_at",
		// A deleted user leaves its teams (ON DELETE CASCADE): they change.
		holders: "UPDATE teams SET updated_at = clock_timestamp() WHERE id IN (SELECT m.team_id FROM team_members m JOIN d ON m.user_id = d.id)"}
	t.scan = func(row pgx.Row) (*schema.Resource, error) {
		var n int64
		var email, first, last string
		var active bool
		var created, updated time.Time
		if err := row.Scan(&n, &email, &first, &last, &active, &created, &updated); err != nil {
			return nil, err
		}
		attrs := map[string]any{"userName": email, "active": active,
			"emails": []any{map[string]any{"value": email, "type": "work", "primary": true}}}
		name := map[string]any{}
		if first != "" {
			name["givenName"] = first
		}
		if last != "" {
			name["familyName"] = last
		}
		if len(name) > 0 {
			attrs["name"] = name
		}
		return &schema.Resource{ID: strconv.FormatInt(n, 10), Meta: meta(rt, created, updated), Attributes: attrs}, nil
	}
	t.mapper = func(a filter.Attr) (filter.Column, bool) {
		col, ok := map[string]string{
			"id": "r.id::text", "userName": "r.email", "active": "r.is_active",
			"name.givenName": "r.first_name", "name.familyName": "r.last_name",
			"emails.value": "r.email", "emails.type": "'work'",
			"meta.created": "r.created_at", "meta.lastModified": "r.updated_at",
			"meta.version": versionSQL, "meta.resourceType": "'User'",
		}[a.String()]
		return filter.Column{Expr: col}, ok
	}
	return &userStore{t}
}

type userStore struct{ *table }

// fields reads the columns a user resource sets.
func (s *userStore) fields(r *schema.Resource) (email, first, last string, active bool) {
	email, _ = r.Attributes["userName"].(string)
	name, _ := r.Attributes["name"].(map[string]any)
	first, _ = name["givenName"].(string)
	last, _ = name["familyName"].(string)
	active = true
	if b, ok := r.Attributes["active"].(bool); ok {
		active = b
	}
	return
}

func (s *userStore) Create(ctx context.Context, r *schema.Resource) (*schema.Resource, error) {
	email, first, last, active := s.fields(r)
	out, err := s.scan(s.pool.QueryRow(ctx, `INSERT INTO users AS r (email, first_name, last_name, is_active)
		VALUES ($1, $2, $3, $4) RETURNING `+s.cols, email, first, last, active))
	return out, conflict(err, "userName")
}

func (s *userStore) Replace(ctx context.Context, r *schema.Resource, ifVersion string) (*schema.Resource, error) {
	n, err := id(r.ID)
	if err != nil {
		return nil, err
	}
	email, first, last, active := s.fields(r)
	out, err := s.scan(s.pool.QueryRow(ctx, `UPDATE users AS r SET email = $2, first_name = $3, last_name = $4, is_active = $5, updated_at = clock_timestamp()
		WHERE id = $1 AND ($6 = '' OR (extract(epoch FROM updated_at) * 1000000)::bigint::text = $6) RETURNING `+s.cols,
		n, email, first, last, active, ifVersion))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, s.missing(ctx, n)
	}
	return out, conflict(err, "userName")
}

// conflict maps a unique violation to store.ConflictError.
func conflict(err error, attr string) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return &store.ConflictError{Attribute: attr}
	}
	return err
}

// teams serves SCIM Groups from teams and team_members: displayName is the
// team's name, members its users.
func teams(pool *pgxpool.Pool, rt *schema.ResourceType) *teamStore {
	t := &table{pool: pool, rt: rt, name: "teams",
		cols: "r.id, r.name, ARRAY(SELECT m.user_id::text FROM team_members m WHERE m.team_id = r.id ORDER BY m.user_id), r.created_at, r.updated_at"}
	t.scan = func(row pgx.Row) (*schema.Resource, error) {
		var n int64
		var name string
		var members []string
		var created, updated time.Time
		if err := row.Scan(&n, &name, &members, &created, &updated); err != nil {
			return nil, err
		}
		attrs := map[string]any{"displayName": name}
		if len(members) > 0 {
			list := make([]any, len(members))
			for i, m := range members {
				list[i] = map[string]any{"value": m, "type": "User"}
			}
			attrs["members"] = list
		}
		return &schema.Resource{ID: strconv.FormatInt(n, 10), Meta: meta(rt, created, updated), Attributes: attrs}, nil
	}
	t.mapper = func(a filter.Attr) (filter.Column, bool) {
		switch a.String() {
		case "id":
			return filter.Column{Expr: "r.id::text"}, true
		case "displayName":
			return filter.Column{Expr: "r.name"}, true
		case "members", "members.value":
			return filter.Column{Elements: "(SELECT m.user_id::text AS v FROM team_members m WHERE m.team_id = r.id) AS e", Expr: "e.v"}, true
		}
		return filter.Column{}, false
	}
	return &teamStore{t}
}

type teamStore struct{ *table }

// memberIDs reads the user ids of a group resource's members.
func memberIDs(r *schema.Resource) ([]int64, error) {
	list, _ := r.Attributes["members"].([]any)
	out := make([]int64, 0, len(list))
	for _, m := range list {
		v, _ := m.(map[string]any)["value"].(string)
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, schema.NewError(http.StatusBadRequest, schema.ScimInvalidValue, "member %q is not a user of this service", v)
		}
		out = append(out, n)
	}
	return out, nil
}

func (s *teamStore) Create(ctx context.Context, r *schema.Resource) (*schema.Resource, error) {
	return s.write(ctx, r, "", true)
}

func (s *teamStore) Replace(ctx context.Context, r *schema.Resource, ifVersion string) (*schema.Resource, error) {
	return s.write(ctx, r, ifVersion, false)
}

// write inserts or updates a team and sets its members, in one transaction.
func (s *teamStore) write(ctx context.Context, r *schema.Resource, ifVersion string, create bool) (*schema.Resource, error) {
	members, err := memberIDs(r)
	if err != nil {
		return nil, err
	}
	name, _ := r.Attributes["displayName"].(string)
	var n int64
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if create {
			return s.setMembers(ctx, tx, &n, members, tx.QueryRow(ctx, "INSERT INTO teams (name) VALUES ($1) RETURNING id", name))
		}
		var err error
		if n, err = id(r.ID); err != nil {
			return err
		}
		return s.setMembers(ctx, tx, &n, members, tx.QueryRow(ctx, `UPDATE teams SET name = $2, updated_at = clock_timestamp()
			WHERE id = $1 AND ($3 = '' OR (extract(epoch FROM updated_at) * 1000000)::bigint::text = $3) RETURNING id`, n, name, ifVersion))
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, s.missing(ctx, n)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23503" {
		return nil, schema.NewError(http.StatusBadRequest, schema.ScimInvalidValue, "a member is not a user of this service")
	}
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, strconv.FormatInt(n, 10))
}

func (s *teamStore) setMembers(ctx context.Context, tx pgx.Tx, n *int64, members []int64, row pgx.Row) error {
	if err := row.Scan(n); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM team_members WHERE team_id = $1 AND NOT (user_id = ANY($2))", *n, members); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "INSERT INTO team_members (team_id, user_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING", *n, members)
	return err
}

var (
	_ store.Searcher = (*userStore)(nil)
	_ store.Store    = (*userStore)(nil)
	_ store.Store    = (*teamStore)(nil)
)
