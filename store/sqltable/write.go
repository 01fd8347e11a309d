package sqltable

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/scimkit/scimkit/internal/document"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// sqlBuilder writes a statement and numbers its arguments.
type sqlBuilder struct {
	d    Dialect
	b    strings.Builder
	args []any
}

// arg adds v and writes its placeholder.
func (q *sqlBuilder) arg(v any) *sqlBuilder {
	q.args = append(q.args, v)
	q.b.WriteString(q.d.arg(len(q.args)))
	return q
}

func (q *sqlBuilder) str(s ...string) *sqlBuilder {
	for _, x := range s {
		q.b.WriteString(x)
	}
	return q
}

func (q *sqlBuilder) String() string { return q.b.String() }

// placeholder adds v and returns prefix and v's placeholder, for text
// that the caller writes later, before any other argument is added.
func (q *sqlBuilder) placeholder(prefix string, v any) string {
	q.args = append(q.args, v)
	return prefix + q.d.arg(len(q.args))
}

// idArg checks a SCIM id against the table's kind of ids and returns the
// value to query with; ok is false for an id the table cannot hold.
func (s *Store) idArg(id string) (any, bool) {
	switch s.t.IDs {
	case Serial:
		n, err := strconv.ParseInt(id, 10, 64)
		return n, err == nil && n > 0 && strconv.FormatInt(n, 10) == id
	case UUID:
		return id, validUUID(id)
	}
	return id, id != ""
}

// validUUID reports whether s is a UUID in its canonical lower-case form.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}

// key writes the condition selecting row id of the request's tenant.
func (s *Store) key(ctx context.Context, q *sqlBuilder, id any) {
	q.str("r.", s.t.ID, " = ").arg(id)
	if s.t.Tenant != "" {
		q.str(" AND r.", s.t.Tenant, " = ").arg(store.Tenant(ctx))
	}
}

// transact runs fn in a transaction, again when the database gives up on
// it for a deadlock or a serialization failure.
func (s *Store) transact(ctx context.Context, fn func(tx *sql.Tx) error) error {
	for attempt := 0; ; attempt++ {
		tx, err := s.db.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		err = fn(tx)
		if err == nil {
			err = tx.Commit()
		} else {
			_ = tx.Rollback()
		}
		if err == nil || s.d.class(err) != errRetry || attempt == 9 {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * time.Millisecond):
		}
	}
}

// conflicting names the attribute a uniqueness violation is about: the
// first whose column the violated index names (PostgreSQL's "Key
// (org, scimkit_fold(email))=..." detail, MySQL's "for key
// 'accounts_email'"), else the first unique attribute of the table.
func (s *Store) conflicting(err error) string {
	key := ""
	var pe *pgconn.PgError
	var me *mysql.MySQLError
	switch {
	case errors.As(err, &pe):
		key, _, _ = strings.Cut(strings.TrimPrefix(pe.Detail, "Key ("), ")=")
	case errors.As(err, &me):
		if _, k, ok := strings.Cut(me.Message, "for key '"); ok {
			key = strings.TrimSuffix(k, "'")
		}
	}
	words := strings.FieldsFunc(key, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	for _, c := range s.cols {
		for _, w := range words {
			if strings.EqualFold(w, c.Name) {
				return qualified(c.attr, c.attr.Sub != nil)
			}
		}
	}
	return s.unique
}

// mapError turns database errors into the store's.
func (s *Store) mapError(err error) error {
	switch s.d.class(err) {
	case errUnique:
		return &store.ConflictError{Attribute: s.conflicting(err)}
	case errForeignKey:
		return schema.NewError(http.StatusBadRequest, schema.ScimInvalidValue, "a member is not a resource of this service")
	}
	return err
}

// values returns what the columns hold for r, in the order of s.cols
// and then the JSON column, checking that every attribute of r has a
// place.
func (s *Store) values(r *schema.Resource) (vals []any, err error) {
	vals = make([]any, 0, len(s.cols)+1)
	for _, c := range s.cols {
		v, err := c.write(r)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	rest := s.rest(r)
	switch {
	case s.t.JSON != "":
		var data any
		if len(rest) > 0 {
			b, err := json.Marshal(rest)
			if err != nil {
				return nil, err
			}
			data = string(b)
		}
		vals = append(vals, data)
	case len(rest) > 0 && s.t.Rest == Refuse:
		return nil, schema.NewError(http.StatusBadRequest, schema.ScimInvalidValue,
			"this service does not keep %s", strings.Join(slices.Sorted(maps.Keys(flatten(rest))), ", "))
	}
	return vals, nil
}

// assign returns the columns to write and their values, from values'
// answer: a column that holds two attributes (userName and the work
// email, say) is written once, with the first's value.
func (s *Store) assign(vals []any) (names []string, args []any) {
	names = make([]string, 0, len(vals))
	args = make([]any, 0, len(vals))
	for i, v := range vals {
		name := s.t.JSON
		if i < len(s.cols) {
			if s.cols[i].alias {
				continue
			}
			name = s.cols[i].Name
		}
		names = append(names, name)
		args = append(args, v)
	}
	return names, args
}

// flatten names the attributes of rest by path.
func flatten(rest map[string]any) map[string]bool {
	out := map[string]bool{}
	for k, v := range rest {
		if m, ok := v.(map[string]any); ok {
			for sub := range m {
				sep := "."
				if strings.HasPrefix(k, "urn:") {
					sep = ":"
				}
				out[k+sep+sub] = true
			}
			continue
		}
		out[k] = true
	}
	return out
}

// rest returns the attributes of r no column holds, as a JSON object.
func (s *Store) rest(r *schema.Resource) map[string]any {
	out := make(map[string]any, len(r.Attributes)+1)
	for k, v := range r.Attributes {
		if m, ok := v.(map[string]any); ok {
			v = maps.Clone(m)
		}
		out[k] = v
	}
	if r.ExternalID != "" {
		out["externalId"] = r.ExternalID
	}
	if s.members != nil {
		delete(out, s.members.Name)
	}
	for _, c := range s.cols {
		a := c.attr
		from := out
		if a.Ext != nil {
			from, _ = out[a.Ext.Schema.ID].(map[string]any)
			if from == nil {
				continue
			}
		}
		if a.Sub != nil && !a.Attr.MultiValued {
			if m, ok := from[a.Attr.Name].(map[string]any); ok {
				delete(m, a.Sub.Name)
				if len(m) == 0 {
					delete(from, a.Attr.Name)
				}
			}
		} else {
			delete(from, a.Attr.Name) // a multi-valued attribute keeps one value
		}
		if a.Ext != nil && len(from) == 0 {
			delete(out, a.Ext.Schema.ID)
		}
	}
	return out
}

// memberValues returns the member ids of a group resource.
func (s *Store) memberValues(r *schema.Resource) ([]string, error) {
	if s.members == nil {
		return nil, nil
	}
	list, _ := r.Attributes[s.members.Name].([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		m, _ := e.(map[string]any)
		v, _ := m["value"].(string)
		if v == "" {
			return nil, document.InvalidValueError("every member needs a \"value\"")
		}
		out = append(out, v)
	}
	return out, nil
}

// memberArg checks a member id against the member table's ids.
func (s *Store) memberArg(v string) (any, error) {
	if of := s.db.table(s.t.Members.Of); of != nil {
		if a, ok := of.idArg(v); ok {
			return a, nil
		}
		return nil, schema.NewError(http.StatusBadRequest, schema.ScimInvalidValue, "member %q is not a resource of this service", v)
	}
	return v, nil
}

// memberArgs checks member ids as memberArg does.
func (s *Store) memberArgs(values []string) ([]any, error) {
	out := make([]any, len(values))
	for i, v := range values {
		a, err := s.memberArg(v)
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

// table returns the store of the named table, or nil.
func (d *DB) table(name string) *Store {
	if name == "" {
		return nil
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, s := range d.stores {
		if s.t.Name == name {
			return s
		}
	}
	return nil
}

// prepare checks a write of r for the request's tenant and returns what
// the columns hold for it (values) and its members.
func (s *Store) prepare(ctx context.Context, r *schema.Resource) (vals []any, members []string, err error) {
	if err := s.tenantless(ctx); err != nil {
		return nil, nil, err
	}
	if vals, err = s.values(r); err != nil {
		return nil, nil, err
	}
	members, err = s.memberValues(r)
	return vals, members, err
}

// now is the time of a write, to the microsecond the database keeps.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Create inserts r.
func (s *Store) Create(ctx context.Context, r *schema.Resource) (*schema.Resource, error) {
	vals, members, err := s.prepare(ctx, r)
	if err != nil {
		return nil, err
	}
	names, args := s.assign(vals)
	id := s.newID()
	t := now()
	q := &sqlBuilder{d: s.d}
	q.str("INSERT INTO ", s.t.Name, " (")
	var cols []string
	if id != "" {
		cols = append(cols, s.t.ID)
	}
	if s.t.Tenant != "" {
		cols = append(cols, s.t.Tenant)
	}
	for _, c := range []string{s.t.Version, s.t.CreatedAt, s.t.UpdatedAt} {
		if c != "" {
			cols = append(cols, c)
		}
	}
	cols = append(cols, names...)
	q.str(strings.Join(cols, ", "), ") VALUES (")
	sep := func() {
		if len(q.args) > 0 {
			q.str(", ")
		}
	}
	if id != "" {
		q.arg(id)
	}
	if s.t.Tenant != "" {
		sep()
		q.arg(store.Tenant(ctx))
	}
	if s.t.Version != "" {
		sep()
		q.arg(int64(1))
	}
	for _, c := range []string{s.t.CreatedAt, s.t.UpdatedAt} {
		if c != "" {
			sep()
			q.arg(t)
		}
	}
	for _, v := range args {
		sep()
		q.arg(v)
	}
	q.str(")")
	insert := func(db querier) error {
		if id != "" {
			_, err := db.ExecContext(ctx, q.String(), q.args...)
			return err
		}
		if s.d == PostgreSQL {
			return db.QueryRowContext(ctx, q.String()+" RETURNING "+s.t.ID, q.args...).Scan(&id)
		}
		res, err := db.ExecContext(ctx, q.String(), q.args...)
		if err != nil {
			return err
		}
		n, err := res.LastInsertId()
		id = strconv.FormatInt(n, 10)
		return err
	}
	if len(members) == 0 {
		err = insert(s.db.db)
	} else {
		err = s.transact(ctx, func(tx *sql.Tx) error {
			if err := insert(tx); err != nil {
				return err
			}
			return s.addMembers(ctx, tx, id, members)
		})
	}
	if err != nil {
		return nil, s.mapError(err)
	}
	out := s.written(r, vals, members)
	out.ID = id
	out.Meta = schema.Meta{ResourceType: s.rt.Name, Version: "1"}
	if s.t.CreatedAt != "" {
		out.Meta.Created = t
	}
	if s.t.UpdatedAt != "" {
		out.Meta.LastModified = t
	}
	if s.t.Version == "" {
		out.Meta.Version = strconv.FormatInt(t.UnixMicro(), 10)
	}
	return out, nil
}

// written is the resource a read of the row just written would return.
func (s *Store) written(r *schema.Resource, vals []any, members []string) *schema.Resource {
	rw := &row{vals: vals[:len(s.cols)]}
	if s.t.JSON != "" {
		rw.json = vals[len(s.cols)]
	}
	out := &schema.Resource{Attributes: make(map[string]any, len(s.cols)+1)}
	if err := s.attributes(out, rw); err != nil {
		// What was written reads back; fall back on what was given.
		out = r.Clone()
	}
	s.setMembers(out, members)
	return out
}

// setMembers puts the member values into r.
func (s *Store) setMembers(r *schema.Resource, members []string) {
	if s.members == nil || len(members) == 0 {
		return
	}
	list := make([]any, len(members))
	for i, v := range members {
		m := map[string]any{"value": v}
		if s.t.Members.Type != "" {
			m["type"] = s.t.Members.Type
		}
		list[i] = m
	}
	r.Attributes[s.members.Name] = list
}

// addMembers inserts member rows of group id.
func (s *Store) addMembers(ctx context.Context, db querier, id string, members []string) error {
	if len(members) == 0 {
		return nil
	}
	gid, _ := s.idArg(id)
	for chunk := range slices.Chunk(members, 500) {
		q := &sqlBuilder{d: s.d}
		if s.d == MySQL {
			q.str("INSERT IGNORE")
		} else {
			q.str("INSERT")
		}
		m := s.t.Members
		q.str(" INTO ", m.Table, " (", m.Group, ", ", m.Member, ") VALUES ")
		args, err := s.memberArgs(chunk)
		if err != nil {
			return err
		}
		for i, a := range args {
			if i > 0 {
				q.str(", ")
			}
			q.str("(").arg(gid).str(", ").arg(a).str(")")
		}
		if s.d == PostgreSQL {
			q.str(" ON CONFLICT DO NOTHING")
		}
		if _, err := db.ExecContext(ctx, q.String(), q.args...); err != nil {
			return err
		}
	}
	return nil
}

// removeMembers deletes member rows of group id.
func (s *Store) removeMembers(ctx context.Context, db querier, id string, members []string) error {
	gid, _ := s.idArg(id)
	m := s.t.Members
	for chunk := range slices.Chunk(members, 500) {
		q := &sqlBuilder{d: s.d}
		q.str("DELETE FROM ", m.Table, " WHERE ", m.Group, " = ").arg(gid).str(" AND ", m.Member, " IN (")
		args, err := s.memberArgs(chunk)
		if err != nil {
			return err
		}
		for i, a := range args {
			if i > 0 {
				q.str(", ")
			}
			q.arg(a)
		}
		q.str(")")
		if _, err := db.ExecContext(ctx, q.String(), q.args...); err != nil {
			return err
		}
	}
	return nil
}

// metaCols is the SELECT list of a row's version, created and updated.
func (s *Store) metaCols() string {
	sel := make([]string, 0, 3)
	for _, c := range []string{s.t.Version, s.t.CreatedAt, s.t.UpdatedAt} {
		if c == "" {
			c = "NULL"
		} else {
			c = "r." + c
		}
		sel = append(sel, c)
	}
	return strings.Join(sel, ", ")
}

// update writes vals (values' answer) over row id, with a new version, if
// its version is ifVersion (when not ""), and returns its new Meta. locked,
// when not nil, is the Meta of the row, which the caller has locked and
// checked.
func (s *Store) update(ctx context.Context, db querier, id string, vals []any, ifVersion string, locked *schema.Meta) (schema.Meta, error) {
	arg, ok := s.idArg(id)
	if !ok {
		return schema.Meta{}, store.ErrNotFound
	}
	if s.d == MySQL {
		return s.updateLocked(ctx, db, arg, vals, ifVersion, locked)
	}
	// PostgreSQL: one statement, which checks the version and returns the
	// new one.
	q := s.updateColumns(vals, "")
	if s.t.Version != "" {
		q.str(s.t.Version, " = r.", s.t.Version, " + 1")
		if s.t.UpdatedAt != "" {
			q.str(", ")
		}
	}
	if s.t.UpdatedAt != "" {
		q.str(s.t.UpdatedAt, " = ", s.d.later("r."+s.t.UpdatedAt))
	}
	q.str(" WHERE ")
	s.key(ctx, q, arg)
	if ifVersion != "" {
		v, ok := s.versionArg(ifVersion)
		if !ok {
			return schema.Meta{}, s.missing(ctx, db, arg)
		}
		col := s.t.Version
		if col == "" {
			col = s.t.UpdatedAt
		}
		q.str(" AND r.", col, " = ").arg(v)
	}
	q.str(" RETURNING ", s.metaCols())
	var m [3]any
	err := db.QueryRowContext(ctx, q.String(), q.args...).Scan(&m[0], &m[1], &m[2])
	if errors.Is(err, sql.ErrNoRows) {
		return schema.Meta{}, s.missing(ctx, db, arg)
	}
	if err != nil {
		return schema.Meta{}, err
	}
	return s.meta(m)
}

// updateLocked is update on MySQL, which has no UPDATE ... RETURNING: it
// reads the row's version under a lock (unless the caller has: locked),
// works out the next one, and writes.
func (s *Store) updateLocked(ctx context.Context, db querier, arg any, vals []any, ifVersion string, locked *schema.Meta) (schema.Meta, error) {
	var m schema.Meta
	if locked != nil {
		m = *locked
	} else {
		var err error
		if m, err = s.lockMeta(ctx, db, arg, ifVersion); err != nil {
			return schema.Meta{}, err
		}
	}
	q := s.updateColumns(vals, "r.")
	if s.t.Version != "" {
		next := mustInt(m.Version) + 1
		q.str("r.", s.t.Version, " = ").arg(next)
		m.Version = strconv.FormatInt(next, 10)
		if s.t.UpdatedAt != "" {
			q.str(", ")
		}
	}
	if s.t.UpdatedAt != "" {
		stamp := now()
		if s.t.Version == "" && !stamp.After(m.LastModified) {
			stamp = m.LastModified.Add(time.Microsecond) // the version must change
		}
		q.str("r.", s.t.UpdatedAt, " = ").arg(stamp)
		m.LastModified = stamp
		if s.t.Version == "" {
			m.Version = strconv.FormatInt(stamp.UnixMicro(), 10)
		}
	}
	q.str(" WHERE ")
	s.key(ctx, q, arg)
	if _, err := db.ExecContext(ctx, q.String(), q.args...); err != nil {
		return schema.Meta{}, err
	}
	return m, nil
}

// updateColumns starts an UPDATE of the table that sets the columns of
// vals (values' answer), each named after prefix, and ends in ", ".
func (s *Store) updateColumns(vals []any, prefix string) *sqlBuilder {
	names, args := s.assign(vals)
	q := &sqlBuilder{d: s.d}
	q.str("UPDATE ", s.t.Name, " r SET ")
	for i, n := range names {
		q.str(prefix, n, " = ").arg(args[i]).str(", ")
	}
	return q
}

// versionArg is the value of the version column that ifVersion stands for.
func (s *Store) versionArg(ifVersion string) (any, bool) {
	n, err := strconv.ParseInt(ifVersion, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != ifVersion {
		return nil, false
	}
	if s.t.Version != "" {
		return n, true
	}
	return time.UnixMicro(n).UTC(), true
}

func mustInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// missing tells why a conditional write matched no row.
func (s *Store) missing(ctx context.Context, db querier, arg any) error {
	q := &sqlBuilder{d: s.d}
	q.str("SELECT 1 FROM ", s.t.Name, " r WHERE ")
	s.key(ctx, q, arg)
	var one int
	if err := db.QueryRowContext(ctx, q.String(), q.args...).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	} else if err != nil {
		return err
	}
	return store.ErrVersionMismatch
}

// Replace writes r over its row.
func (s *Store) Replace(ctx context.Context, r *schema.Resource, ifVersion string) (*schema.Resource, error) {
	vals, members, err := s.prepare(ctx, r)
	if err != nil {
		return nil, err
	}
	var m schema.Meta
	write := func(db querier) error {
		var err error
		if m, err = s.update(ctx, db, r.ID, vals, ifVersion, nil); err != nil || s.members == nil {
			return err
		}
		return s.syncMembers(ctx, db, r.ID, members)
	}
	if s.members == nil && s.d == PostgreSQL {
		err = write(s.db.db)
	} else {
		err = s.transact(ctx, func(tx *sql.Tx) error { return write(tx) })
	}
	if err != nil {
		return nil, s.mapError(err)
	}
	out := s.written(r, vals, members)
	out.ID, out.Meta = r.ID, m
	return out, nil
}

// syncMembers makes the members of group id those listed.
func (s *Store) syncMembers(ctx context.Context, db querier, id string, members []string) error {
	before, err := s.loadMembers(ctx, db, []string{id}, nil)
	if err != nil {
		return err
	}
	want := make(map[string]bool, len(members))
	for _, v := range members {
		want[v] = true
	}
	var gone []string
	for _, v := range before[id] {
		if !want[v] {
			gone = append(gone, v)
		}
		delete(want, v)
	}
	var add []string
	for _, v := range members {
		if want[v] {
			add = append(add, v)
			delete(want, v)
		}
	}
	if len(gone) > 0 {
		if err := s.removeMembers(ctx, db, id, gone); err != nil {
			return err
		}
	}
	return s.addMembers(ctx, db, id, add)
}

// Delete removes row id, and it from the groups that list it.
func (s *Store) Delete(ctx context.Context, id, ifVersion string) error {
	if err := s.tenantless(ctx); err != nil {
		return err
	}
	arg, ok := s.idArg(id)
	if !ok {
		return store.ErrNotFound
	}
	holders := s.db.holders(s.t.Name)
	del := func(db querier) error {
		q := &sqlBuilder{d: s.d}
		q.str("DELETE FROM ", s.t.Name, " WHERE ")
		// DELETE takes no alias in MySQL: name the columns bare.
		q.str(s.t.ID, " = ").arg(arg)
		if s.t.Tenant != "" {
			q.str(" AND ", s.t.Tenant, " = ").arg(store.Tenant(ctx))
		}
		if ifVersion != "" {
			v, ok := s.versionArg(ifVersion)
			if !ok {
				return s.missing(ctx, db, arg)
			}
			col := s.t.Version
			if col == "" {
				col = s.t.UpdatedAt
			}
			q.str(" AND ", col, " = ").arg(v)
		}
		res, err := db.ExecContext(ctx, q.String(), q.args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return s.missing(ctx, db, arg)
		}
		return nil
	}
	if len(holders) == 0 && s.members == nil {
		return s.mapError(del(s.db.db))
	}
	return s.mapError(s.transact(ctx, func(tx *sql.Tx) error {
		if s.members != nil {
			q := &sqlBuilder{d: s.d}
			q.str("DELETE FROM ", s.t.Members.Table, " WHERE ", s.t.Members.Group, " = ").arg(arg)
			if _, err := s.lockMeta(ctx, tx, arg, ifVersion); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, q.String(), q.args...); err != nil {
				return err
			}
		}
		for _, h := range holders {
			if err := h.leave(ctx, tx, arg); err != nil {
				return err
			}
		}
		return del(tx)
	}))
}

// lockMeta locks row arg, checks its version against ifVersion (when not
// "") and returns its Meta.
func (s *Store) lockMeta(ctx context.Context, db querier, arg any, ifVersion string) (schema.Meta, error) {
	q := &sqlBuilder{d: s.d}
	q.str("SELECT ", s.metaCols(), " FROM ", s.t.Name, " r WHERE ")
	s.key(ctx, q, arg)
	q.str(" FOR UPDATE")
	var m [3]any
	err := db.QueryRowContext(ctx, q.String(), q.args...).Scan(&m[0], &m[1], &m[2])
	if errors.Is(err, sql.ErrNoRows) {
		return schema.Meta{}, store.ErrNotFound
	}
	if err != nil {
		return schema.Meta{}, err
	}
	cur, err := s.meta(m)
	if err != nil {
		return schema.Meta{}, err
	}
	if ifVersion != "" && cur.Version != ifVersion {
		return schema.Meta{}, store.ErrVersionMismatch
	}
	return cur, nil
}

// leave removes member arg, a deleted row of another table, from the
// groups of s, giving each a new version.
func (s *Store) leave(ctx context.Context, db querier, arg any) error {
	m := s.t.Members
	q := &sqlBuilder{d: s.d}
	q.str("UPDATE ", s.t.Name, " SET ")
	if s.t.Version != "" {
		q.str(s.t.Version, " = ", s.t.Version, " + 1")
		if s.t.UpdatedAt != "" {
			q.str(", ")
		}
	}
	if s.t.UpdatedAt != "" {
		q.str(s.t.UpdatedAt, " = ", s.d.later(s.t.UpdatedAt))
	}
	q.str(" WHERE ", s.t.ID, " IN (SELECT ", m.Group, " FROM ", m.Table, " WHERE ", m.Member, " = ").arg(arg).str(")")
	if _, err := db.ExecContext(ctx, q.String(), q.args...); err != nil {
		return err
	}
	q = &sqlBuilder{d: s.d}
	q.str("DELETE FROM ", m.Table, " WHERE ", m.Member, " = ").arg(arg)
	_, err := db.ExecContext(ctx, q.String(), q.args...)
	return err
}
