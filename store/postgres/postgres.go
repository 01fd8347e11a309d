// Package postgres is a store.Store on PostgreSQL, with pgx: scimkit owns
// its tables, searches run in the database, and the members of a group
// live in their own table so that adding one member to a huge group writes
// one row.
//
// Each resource type has a table of its own, which New creates when it
// does not exist:
//
//	<table>(id text PRIMARY KEY, external_id text, version bigint,
//	        created timestamptz, last_modified timestamptz, data jsonb)
//
// data holds the attributes as JSON, without the member attribute when the
// type has one (a multi-valued complex "members" with a "value"), whose
// elements are rows of <table>_members(resource_id, value, elem, ord).
// Every attribute with uniqueness "server" or "global" that is a
// single-valued simple attribute gets a unique index (on scimkit_fold(...), which folds as filters do, unless
// caseExact), so uniqueness holds across replicas; external_id is indexed.
// Each row belongs to a tenant (store.Tenant of the context; "" for a
// single-tenant service): every statement is scoped to it, and uniqueness
// holds within a tenant.
//
// The store implements store.Searcher, translating filters with
// filter.ToSQL, and store.Patcher. Versions are a counter checked in the
// UPDATE or DELETE itself, so If-Match is atomic; each resource counts its
// own writes, so that a version says nothing of other resources or
// tenants. Several replicas of a service can share one database; a
// transaction that deadlocks with another (two users renamed into each
// other's names at once) is retried.
//
// Indexed values (the values of unique attributes, externalId and member
// values) may be at most 2,000 bytes long: PostgreSQL's btree indexes
// cannot hold much longer ones, and longer ones are refused with a
// *schema.Error (400 invalidValue).
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/internal/valuekey"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// Options configures a store. The zero value is usable.
type Options struct {
	// Schema is the PostgreSQL schema holding the tables; "" uses the
	// connection's search_path.
	Schema string
	// Table names the resource type's table; default "scim_" and the
	// resource type's name in lower case, such as "scim_user". The member
	// table is the same name with "_members" after it.
	Table string
	// Members names the multi-valued complex attribute kept in the member
	// table. Default "members" when the core schema has such an attribute
	// with a "value" sub-attribute; "-" keeps every attribute in data.
	Members string
	// Now returns the time written to meta.created and meta.lastModified;
	// nil means time.Now.
	Now func() time.Time
	// NewID returns a new resource id; nil means store.NewID.
	NewID func() string
	// SoftDelete keeps what Delete deletes in a table of its own
	// (<table>_deleted, with its members and when it was deleted), out of
	// every read and search and with its unique values freed, until
	// purged: the store is then a store.Trash.
	SoftDelete bool
}

// pgStore keeps the resources of one type in PostgreSQL. It is safe for
// concurrent use, including from several processes.
type pgStore struct {
	pool    *pgxpool.Pool
	rt      *schema.ResourceType
	table   string // quoted, qualified
	mtable  string // quoted, qualified member table; "" without one
	trash   string // quoted, qualified table of deleted resources; "" without soft delete
	counts  string // quoted, qualified table of each tenant's row count, kept by a trigger
	countFn string // quoted, qualified trigger function that keeps counts
	fold    string // quoted, qualified SQL function folding text as filters do
	members *schema.Attribute
	unique  []uniqueIndex
	now     func() time.Time
	newID   func() string
	cols    string // the SELECT list of a resource
}

// uniqueIndex is a unique index on one attribute.
type uniqueIndex struct {
	name string // the index name, unquoted
	expr string // the indexed expression
	attr string // the attribute, as ConflictError names it
	ext  string // the URN of the attribute's extension, "" for the core schema
	key  string // the attribute's name, its key in the resource's map
}

// maxIndexedBytes is the longest value the store keeps in an index: a value
// of a unique attribute (userName), an externalId, a member value or an
// id. Longer ones are refused with 400 invalidValue (a btree index entry
// holds at most about 2,700 bytes).
const maxIndexedBytes = 2000

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,50}$`)

// New returns the store of resource type rt in the database behind pool,
// a store.Store that is also a store.Searcher and a store.Patcher. It
// creates the store's tables, indexes and folding function when they do
// not exist: that is idempotent and safe from several processes at once,
// so every replica of a service may call New at start-up.
func New(ctx context.Context, pool *pgxpool.Pool, rt *schema.ResourceType, opts Options) (store.Store, error) {
	s, err := newStore(pool, rt, opts)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	if s.trash != "" {
		return softStore{s}, nil
	}
	return s, nil
}

// newStore returns the store New returns, without touching the database.
func newStore(pool *pgxpool.Pool, rt *schema.ResourceType, opts Options) (*pgStore, error) {
	if pool == nil || rt == nil || rt.Schema == nil {
		return nil, errors.New("postgres: New needs a pool and a resource type with a schema")
	}
	name := opts.Table
	if name == "" {
		name = "scim_" + strings.ToLower(rt.Name)
	}
	if !identifier.MatchString(name) || (opts.Schema != "" && !identifier.MatchString(opts.Schema)) {
		return nil, fmt.Errorf("postgres: table %q and schema %q must be plain SQL identifiers", name, opts.Schema)
	}
	s := &pgStore{pool: pool, rt: rt, now: opts.Now, newID: opts.NewID}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = store.NewID
	}
	qualify := func(n string) string {
		if opts.Schema == "" {
			return pgx.Identifier{n}.Sanitize()
		}
		return pgx.Identifier{opts.Schema, n}.Sanitize()
	}
	s.table = qualify(name)
	s.fold = qualify("scimkit_fold")
	// The trigger function of the counts is name_count_rows: it counts
	// the rows of each statement at once. (name_count, the per-row one of
	// earlier versions, is left to the replicas that may still run them.)
	s.counts, s.countFn = qualify(name+"_counts"), qualify(name+"_count_rows")
	switch m := rt.Schema.Attribute(opts.Members); {
	case opts.Members == "-":
	case opts.Members != "" && (m == nil || !m.MultiValued || m.Type != schema.Complex || m.SubAttribute("value") == nil):
		return nil, fmt.Errorf("postgres: Options.Members %q is not a multi-valued complex attribute with a value", opts.Members)
	case opts.Members == "":
		if m := rt.Schema.Attribute("members"); m != nil && m.MultiValued && m.Type == schema.Complex && m.SubAttribute("value") != nil {
			s.members = m
		}
	default:
		s.members = m
	}
	if s.members != nil {
		s.mtable = qualify(name + "_members")
	}
	if opts.SoftDelete {
		s.trash = qualify(name + "_deleted")
	}
	add := func(ext *schema.Extension, a *schema.Attribute) {
		if a.Uniqueness == schema.UniquenessNone || a.MultiValued || a.Type == schema.Complex {
			return
		}
		expr := "data->>" + quote(a.Name)
		label := a.Name
		if ext != nil {
			expr = "data->" + quote(ext.Schema.ID) + "->>" + quote(a.Name)
			label = ext.Schema.ID + ":" + a.Name
		}
		if !a.CaseExact && isText(a.Type) {
			expr = s.fold + "(" + expr + ")"
		}
		idx := fmt.Sprintf("%s_tf%d_%s", name, len(s.unique), strings.ToLower(a.Name))
		u := uniqueIndex{name: idx, expr: expr, attr: label, key: a.Name}
		if ext != nil {
			u.ext = ext.Schema.ID
		}
		s.unique = append(s.unique, u)
	}
	for _, a := range rt.Schema.Attributes {
		add(nil, a)
	}
	for i := range rt.Extensions {
		for _, a := range rt.Extensions[i].Schema.Attributes {
			add(&rt.Extensions[i], a)
		}
	}
	s.cols = "r.id, r.external_id, r.version, r.created, r.last_modified, r.data"
	if s.members != nil {
		s.cols += ", (SELECT jsonb_agg(m.elem ORDER BY m.ord) FROM " + s.mtable + " m WHERE m.resource_id = r.id)"
	} else {
		s.cols += ", NULL::jsonb"
	}
	return s, nil
}

func isText(t schema.Type) bool {
	return t == schema.String || t == schema.Reference || t == schema.Binary
}

// quote writes s as an SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// migrate creates the store's tables and indexes when they do not exist.
// It is idempotent and safe to run from several processes at once.
func (s *pgStore) migrate(ctx context.Context) error {
	stmts := []string{
		valuekey.PostgresFoldFunction(s.fold),
		`CREATE TABLE IF NOT EXISTS ` + s.table + ` (
			id text PRIMARY KEY,
			tenant text NOT NULL DEFAULT '',
			external_id text,
			version bigint NOT NULL,
			created timestamptz NOT NULL,
			last_modified timestamptz NOT NULL,
			data jsonb NOT NULL)`,
		// Tables made before tenants: add the column, and index by tenant.
		`ALTER TABLE ` + s.table + ` ADD COLUMN IF NOT EXISTS tenant text NOT NULL DEFAULT ''`,
		`DROP INDEX IF EXISTS ` + s.qualifyIndex(s.indexName("external_id")),
		`CREATE INDEX IF NOT EXISTS ` + pgx.Identifier{s.indexName("tenant_external_id")}.Sanitize() + ` ON ` + s.table + ` (tenant, external_id)`,
		// The order lists and keyset pages read: a page is a range of it.
		`CREATE INDEX IF NOT EXISTS ` + pgx.Identifier{s.indexName("tenant_id")}.Sanitize() + ` ON ` + s.table + ` (tenant, id COLLATE "C")`,
		s.countFunction(),
		// Each tenant's row count, so that a list without a filter need
		// not count the tenant: filled once from the table, then kept by
		// the triggers through every insert, delete and truncate, whoever
		// makes them. A tenant's count is spread over countStripes rows,
		// each statement updating one of them at random, so that
		// concurrent creates in one tenant do not queue on one row; the
		// count is their sum. The triggers run once per statement, over
		// the rows it inserted or deleted, so that loading a million rows
		// in one INSERT updates the counts once, not a million times in
		// one transaction (which PostgreSQL makes quadratic: each update
		// of a row walks the versions the transaction left). A table of
		// one row per tenant, and the per-row trigger, made by earlier
		// versions, are replaced.
		`DO $m$ BEGIN
			IF to_regclass(` + quote(s.counts) + `) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_attribute
				WHERE attrelid = to_regclass(` + quote(s.counts) + `) AND attname = 'stripe' AND NOT attisdropped) THEN
				DROP TRIGGER IF EXISTS scimkit_count ON ` + s.table + `;
				DROP TRIGGER IF EXISTS scimkit_count_truncate ON ` + s.table + `;
				DROP TABLE ` + s.counts + `;
			END IF;
			IF to_regclass(` + quote(s.counts) + `) IS NULL THEN
				CREATE TABLE ` + s.counts + ` (tenant text NOT NULL, stripe smallint NOT NULL, n bigint NOT NULL, PRIMARY KEY (tenant, stripe));
				LOCK TABLE ` + s.table + ` IN SHARE MODE;
				DROP TRIGGER IF EXISTS scimkit_count_truncate ON ` + s.table + `;
				CREATE TRIGGER scimkit_count_truncate AFTER TRUNCATE ON ` + s.table + ` FOR EACH STATEMENT EXECUTE FUNCTION ` + s.countFn + `();
				INSERT INTO ` + s.counts + ` SELECT tenant, 0, count(*) FROM ` + s.table + ` GROUP BY tenant;
			END IF;
			IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(` + quote(s.table) + `) AND tgname = 'scimkit_count_insert') THEN
				DROP TRIGGER IF EXISTS scimkit_count ON ` + s.table + `; -- per row, of earlier versions
				CREATE TRIGGER scimkit_count_insert AFTER INSERT ON ` + s.table + ` REFERENCING NEW TABLE AS scimkit_new
					FOR EACH STATEMENT EXECUTE FUNCTION ` + s.countFn + `();
				CREATE TRIGGER scimkit_count_delete AFTER DELETE ON ` + s.table + ` REFERENCING OLD TABLE AS scimkit_old
					FOR EACH STATEMENT EXECUTE FUNCTION ` + s.countFn + `();
			END IF;
		END $m$`,
	}
	for _, u := range s.unique {
		stmts = append(stmts,
			`DROP INDEX IF EXISTS `+s.qualifyIndex(strings.Replace(u.name, "_tf", "_u", 1)),
			`DROP INDEX IF EXISTS `+s.qualifyIndex(strings.Replace(u.name, "_tf", "_tu", 1)), // on lower(), before scimkit_fold
			`CREATE UNIQUE INDEX IF NOT EXISTS `+pgx.Identifier{u.name}.Sanitize()+` ON `+s.table+` (tenant, (`+u.expr+`))`)
	}
	if s.trash != "" {
		stmts = append(stmts, `CREATE TABLE IF NOT EXISTS `+s.trash+` (
				id text NOT NULL,
				tenant text NOT NULL,
				external_id text,
				version bigint NOT NULL,
				created timestamptz NOT NULL,
				last_modified timestamptz NOT NULL,
				data jsonb NOT NULL,
				members jsonb,
				deleted timestamptz NOT NULL,
				PRIMARY KEY (tenant, id))`)
	}
	if s.mtable != "" {
		stmts = append(stmts,
			`CREATE TABLE IF NOT EXISTS `+s.mtable+` (
				resource_id text NOT NULL REFERENCES `+s.table+` (id) ON DELETE CASCADE,
				value text NOT NULL,
				elem jsonb NOT NULL,
				ord bigserial,
				PRIMARY KEY (resource_id, value))`,
			`CREATE INDEX IF NOT EXISTS `+pgx.Identifier{s.indexName("members_value")}.Sanitize()+` ON `+s.mtable+` (value)`,
			// members.value eq "x" (which groups hold x) compares folded
			// values: this index finds the member rows.
			`CREATE INDEX IF NOT EXISTS `+pgx.Identifier{s.indexName("members_fvalue")}.Sanitize()+` ON `+s.mtable+` (`+s.fold+`(value))`)
	}
	// One migration at a time: CREATE ... IF NOT EXISTS races itself.
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7271234501)`); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	for _, q := range stmts {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// countStripes is how many rows hold a tenant's count (see migrate).
const countStripes = "16"

// countFunction returns the statement that creates the trigger function
// keeping the counts table: each statement's inserts add to a stripe of
// each tenant they touched, its deletes take from one (any stripe: only
// the sum means anything), a truncate empties it. The store never
// changes a row's tenant.
func (s *pgStore) countFunction() string {
	return `CREATE OR REPLACE FUNCTION ` + s.countFn + `() RETURNS trigger
		LANGUAGE plpgsql AS $count$
		BEGIN
			IF TG_OP = 'INSERT' THEN
				INSERT INTO ` + s.counts + ` AS c (tenant, stripe, n)
					SELECT tenant, floor(random() * ` + countStripes + `), count(*) FROM scimkit_new GROUP BY tenant
					ON CONFLICT (tenant, stripe) DO UPDATE SET n = c.n + EXCLUDED.n;
			ELSIF TG_OP = 'DELETE' THEN
				INSERT INTO ` + s.counts + ` AS c (tenant, stripe, n)
					SELECT tenant, floor(random() * ` + countStripes + `), -count(*) FROM scimkit_old GROUP BY tenant
					ON CONFLICT (tenant, stripe) DO UPDATE SET n = c.n + EXCLUDED.n;
			ELSIF TG_OP = 'TRUNCATE' THEN
				DELETE FROM ` + s.counts + `;
			END IF;
			RETURN NULL;
		END
		$count$`
}

// qualifyIndex quotes an index name in the store's schema.
func (s *pgStore) qualifyIndex(name string) string {
	if i := strings.LastIndexByte(s.table, '.'); i >= 0 {
		return s.table[:i+1] + pgx.Identifier{name}.Sanitize()
	}
	return pgx.Identifier{name}.Sanitize()
}

func (s *pgStore) indexName(suffix string) string {
	t := s.table[strings.LastIndexByte(s.table, '.')+1:]
	return strings.Trim(t, `"`) + "_" + suffix
}

// row is a resource as stored.
type row struct {
	id, externalID       *string
	version              int64
	created, lastChanged time.Time
	data, members        []byte
}

func (rw *row) targets() []any {
	return []any{&rw.id, &rw.externalID, &rw.version, &rw.created, &rw.lastChanged, &rw.data, &rw.members}
}

// stored decodes what the store wrote: "" stays the value a strict
// service stored.
var stored = document.DecodeOptions{KeepEmptyStrings: true}

// resource turns a stored row into a Resource.
func (s *pgStore) resource(rw *row) (*schema.Resource, error) {
	r := &schema.Resource{ID: *rw.id, Meta: schema.Meta{
		ResourceType: s.rt.Name, Created: rw.created.UTC(), LastModified: rw.lastChanged.UTC(),
		Version: strconv.FormatInt(rw.version, 10),
	}}
	if rw.externalID != nil {
		r.ExternalID = *rw.externalID
	}
	v, err := document.ParseJSON(rw.data)
	if err != nil {
		return nil, fmt.Errorf("postgres: stored data of %s: %w", r.ID, err)
	}
	obj, _ := v.(map[string]any)
	r.Attributes = make(map[string]any, len(obj)+1)
	if err := document.DecodeStored(s.rt, obj, r.Attributes, stored); err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", r.ID, err)
	}
	if len(rw.members) > 0 && s.members != nil {
		v, err := document.ParseJSON(rw.members)
		if err == nil {
			r.Attributes[s.members.Name], err = document.DecodeValue(s.members, v, stored)
		}
		if err != nil {
			return nil, fmt.Errorf("postgres: stored members of %s: %w", r.ID, err)
		}
	}
	return r, nil
}

// split returns the JSON of r's attributes without the members, and the
// members.
func (s *pgStore) split(r *schema.Resource) ([]byte, []member, error) {
	attrs := r.Attributes
	var ms []member
	if s.members != nil {
		if v, ok := attrs[s.members.Name]; ok {
			attrs = make(map[string]any, len(r.Attributes))
			for k, v := range r.Attributes {
				attrs[k] = v
			}
			delete(attrs, s.members.Name)
			var err error
			if ms, err = members(v); err != nil {
				return nil, nil, err
			}
		}
	}
	if attrs == nil {
		attrs = map[string]any{}
	}
	data, err := json.Marshal(attrs)
	return data, ms, err
}

// member is one element of the member attribute.
type member struct {
	value string
	elem  []byte
}

func members(v any) ([]member, error) {
	arr, _ := v.([]any)
	out := make([]member, 0, len(arr))
	seen := make(map[string]bool, len(arr))
	for _, e := range arr {
		m, _ := e.(map[string]any)
		value, _ := m["value"].(string)
		if value == "" {
			return nil, document.InvalidValueError("every member needs a \"value\"")
		}
		if len(value) > maxIndexedBytes {
			return nil, tooLong("a member value")
		}
		if seen[value] {
			continue // one row per member
		}
		seen[value] = true
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		out = append(out, member{value, b})
	}
	return out, nil
}

// tooLong is the error for a value longer than maxIndexedBytes.
func tooLong(what string) error {
	return document.InvalidValueError("%s is longer than the %d bytes this service keeps in an index", what, maxIndexedBytes)
}

// checkIndexed refuses r when a value the store indexes is longer than
// maxIndexedBytes (member values are checked by members).
func (s *pgStore) checkIndexed(r *schema.Resource) error {
	if len(r.ExternalID) > maxIndexedBytes {
		return tooLong("externalId")
	}
	for _, u := range s.unique {
		m := r.Attributes
		if u.ext != "" {
			m, _ = r.Attributes[u.ext].(map[string]any)
		}
		if v, ok := m[u.key].(string); ok && len(v) > maxIndexedBytes {
			return tooLong(u.attr)
		}
	}
	return nil
}

// validID reports whether id can be an id: PostgreSQL's text holds
// neither NUL nor invalid UTF-8, so no stored resource has such an id.
func validID(id string) bool {
	return len(id) <= maxIndexedBytes && utf8.ValidString(id) && !strings.ContainsRune(id, 0)
}

// transact runs fn in a transaction, again when PostgreSQL aborted it to
// break a deadlock or a serialization failure (40P01, 40001): two
// transactions that each wait for the other's index entry, such as two
// users renamed into each other's names at once. The retry sees the other
// transaction's outcome, a conflict as a rule.
func (s *pgStore) transact(ctx context.Context, fn func(pgx.Tx) error) error {
	return retry(ctx, func() error { return pgx.BeginFunc(ctx, s.pool, fn) })
}

// retry calls fn until it does not fail with a deadlock or a serialization
// failure, at most 5 times, waiting a little longer each time.
func retry(ctx context.Context, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		var pe *pgconn.PgError
		if attempt == 5 || !errors.As(err, &pe) || pe.Code != "40P01" && pe.Code != "40001" {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
		}
	}
}

// Create stores a new resource with a new id, at version 1.
func (s *pgStore) Create(ctx context.Context, r *schema.Resource) (*schema.Resource, error) {
	if err := s.checkIndexed(r); err != nil {
		return nil, err
	}
	data, ms, err := s.split(r)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	id := s.newID()
	var version int64
	err = s.transact(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO `+s.table+` (id, tenant, external_id, version, created, last_modified, data) VALUES ($1, $5, $2, 1, $3, $3, $4) RETURNING version`,
			id, nullable(r.ExternalID), now, data, store.Tenant(ctx)).Scan(&version)
		if err != nil {
			return err
		}
		return s.insertMembers(ctx, tx, id, ms)
	})
	if err != nil {
		return nil, s.mapError(err)
	}
	out := r.Clone()
	out.ID, out.Meta = id, schema.Meta{ResourceType: s.rt.Name, Created: now, LastModified: now, Version: strconv.FormatInt(version, 10)}
	return out, nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *pgStore) insertMembers(ctx context.Context, tx pgx.Tx, id string, ms []member) error {
	if len(ms) == 0 || s.mtable == "" {
		return nil
	}
	values := make([]string, len(ms))
	elems := make([]string, len(ms))
	for i, m := range ms {
		values[i], elems[i] = m.value, string(m.elem)
	}
	_, err := tx.Exec(ctx, `INSERT INTO `+s.mtable+` (resource_id, value, elem)
		SELECT $1, v, e::jsonb FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS x(v, e, i) ORDER BY i
		ON CONFLICT (resource_id, value) DO UPDATE SET elem = EXCLUDED.elem`, id, values, elems)
	return err
}

// Get returns the resource with the id, or store.ErrNotFound.
func (s *pgStore) Get(ctx context.Context, id string) (*schema.Resource, error) {
	return s.get(ctx, s.pool, id, "")
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func (s *pgStore) get(ctx context.Context, q querier, id, lock string) (*schema.Resource, error) {
	if !validID(id) {
		return nil, store.ErrNotFound
	}
	var rw row
	err := q.QueryRow(ctx, `SELECT `+s.cols+` FROM `+s.table+` r WHERE r.id = $1 AND r.tenant = $2`+lock, id, store.Tenant(ctx)).Scan(rw.targets()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, s.mapError(err)
	}
	return s.resource(&rw)
}

// Replace stores r over the resource with r.ID, only at version ifVersion
// when it is not empty.
func (s *pgStore) Replace(ctx context.Context, r *schema.Resource, ifVersion string) (*schema.Resource, error) {
	if !validID(r.ID) {
		return nil, store.ErrNotFound
	}
	if err := s.checkIndexed(r); err != nil {
		return nil, err
	}
	data, ms, err := s.split(r)
	if err != nil {
		return nil, err
	}
	var out *schema.Resource
	err = s.transact(ctx, func(tx pgx.Tx) error {
		meta, err := s.bump(ctx, tx, r.ID, ifVersion, `, external_id = $4, data = $5`, nullable(r.ExternalID), data)
		if err != nil {
			return err
		}
		if s.mtable != "" {
			if _, err := tx.Exec(ctx, `DELETE FROM `+s.mtable+` WHERE resource_id = $1`, r.ID); err != nil {
				return err
			}
			if err := s.insertMembers(ctx, tx, r.ID, ms); err != nil {
				return err
			}
		}
		out = r.Clone()
		out.Meta = meta
		return nil
	})
	if err != nil {
		return nil, s.mapError(err)
	}
	return out, nil
}

// bump writes a new version of resource id (and the extra assignments of
// set, whose parameters start at $4), at ifVersion when it is not empty.
func (s *pgStore) bump(ctx context.Context, tx pgx.Tx, id, ifVersion, set string, args ...any) (schema.Meta, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	var version int64
	var created time.Time
	tenantArg := "$" + strconv.Itoa(4+len(args))
	err := tx.QueryRow(ctx, `UPDATE `+s.table+` SET version = version + 1, last_modified = $2`+set+`
		WHERE id = $1 AND tenant = `+tenantArg+` AND ($3 = '' OR version::text = $3) RETURNING version, created`,
		append(append([]any{id, now, ifVersion}, args...), store.Tenant(ctx))...).Scan(&version, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return schema.Meta{}, s.missing(ctx, tx, id)
	}
	if err != nil {
		return schema.Meta{}, err
	}
	return schema.Meta{ResourceType: s.rt.Name, Created: created.UTC(), LastModified: now, Version: strconv.FormatInt(version, 10)}, nil
}

// missing tells why a conditional write matched no row.
func (s *pgStore) missing(ctx context.Context, q querier, id string) error {
	var one int
	err := q.QueryRow(ctx, `SELECT 1 FROM `+s.table+` WHERE id = $1 AND tenant = $2`, id, store.Tenant(ctx)).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil {
		return err
	}
	return store.ErrVersionMismatch
}

// Delete removes the resource with the id, only at version ifVersion when
// it is not empty.
func (s *pgStore) Delete(ctx context.Context, id, ifVersion string) error {
	if !validID(id) {
		return store.ErrNotFound
	}
	var tag pgconn.CommandTag
	sql := `DELETE FROM ` + s.table + ` WHERE id = $1 AND tenant = $3 AND ($2 = '' OR version::text = $2)`
	if s.trash != "" {
		// One statement: the row and its members (which the statement's
		// snapshot still holds) move to the trash.
		members := "NULL::jsonb"
		if s.mtable != "" {
			members = "(SELECT jsonb_agg(m.elem ORDER BY m.ord) FROM " + s.mtable + " m WHERE m.resource_id = g.id)"
		}
		sql = `WITH g AS (` + sql + ` RETURNING id, tenant, external_id, version, created, last_modified, data)
			INSERT INTO ` + s.trash + ` (id, tenant, external_id, version, created, last_modified, data, members, deleted)
			SELECT g.id, g.tenant, g.external_id, g.version, g.created, g.last_modified, g.data, ` + members + `, now() FROM g`
	}
	err := retry(ctx, func() (err error) {
		tag, err = s.pool.Exec(ctx, sql, id, ifVersion, store.Tenant(ctx))
		return err
	})
	if err != nil {
		return s.mapError(err)
	}
	if tag.RowsAffected() == 0 {
		return s.missing(ctx, s.pool, id)
	}
	return nil
}

// Scan yields every resource, ordered by id.
func (s *pgStore) Scan(ctx context.Context) iter.Seq2[*schema.Resource, error] {
	return s.resources(ctx, `SELECT `+s.cols+` FROM `+s.table+` r WHERE r.tenant = $1 ORDER BY r.id COLLATE "C"`, store.Tenant(ctx))
}

// resources yields the resources of the rows sql selects (the columns of
// row, in its order), stopping at the first error.
func (s *pgStore) resources(ctx context.Context, sql string, args ...any) iter.Seq2[*schema.Resource, error] {
	return func(yield func(*schema.Resource, error) bool) {
		rows, err := s.pool.Query(ctx, sql, args...)
		if err != nil {
			yield(nil, s.mapError(err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var rw row
			if err := rows.Scan(rw.targets()...); err != nil {
				yield(nil, err)
				return
			}
			r, err := s.resource(&rw)
			if !yield(r, err) || err != nil {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(nil, s.mapError(err))
		}
	}
}

// mapError turns a unique violation into a store.ConflictError naming the
// attribute.
func (s *pgStore) mapError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		for _, u := range s.unique {
			if u.name == pe.ConstraintName {
				return &store.ConflictError{Attribute: u.attr}
			}
		}
		if strings.HasSuffix(pe.ConstraintName, "_pkey") {
			return fmt.Errorf("postgres: the new id is in use: %w", err)
		}
		return store.ErrConflict
	}
	if errors.As(err, &pe) {
		switch pe.Code {
		case "54000": // program_limit_exceeded: an index entry too large
			return document.InvalidValueError("a value is too long for this service to index (at most %d bytes)", maxIndexedBytes)
		case "22021", "22P05": // invalid or untranslatable characters
			return document.InvalidValueError("a value holds characters this service cannot store")
		}
	}
	return err
}

var (
	_ store.Store    = (*pgStore)(nil)
	_ store.Searcher = (*pgStore)(nil)
	_ store.Patcher  = (*pgStore)(nil)
)

// softStore is the store New returns with Options.SoftDelete: a
// store.Trash too.
type softStore struct{ *pgStore }

var _ store.Trash = softStore{}

// Deleted implements store.Trash.
func (s softStore) Deleted(ctx context.Context) iter.Seq2[*schema.Resource, error] {
	return s.resources(ctx, `SELECT r.id, r.external_id, r.version, r.created, r.last_modified, r.data, r.members FROM `+s.trash+` r WHERE r.tenant = $1 ORDER BY r.id COLLATE "C"`, store.Tenant(ctx))
}

// Purge implements store.Trash.
func (s softStore) Purge(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM `+s.trash+` WHERE tenant = $1 AND id = $2`, store.Tenant(ctx), id)
	if err != nil {
		return s.mapError(err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}
