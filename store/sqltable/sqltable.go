// Package sqltable serves SCIM resources from tables a host already has,
// on PostgreSQL or MySQL/MariaDB, from one declaration of where each
// attribute lives.
//
// A host describes a table once, in a [Table]: its id column and how ids
// are made, an optional tenant column, the version (an integer column, or
// derived from an updated_at column), one [Column] per attribute
// (sub-attributes such as name.givenName, one value of a multi-valued
// attribute such as the work email, and conversions such as [DisabledAt]
// for an active flag held as a nullable timestamp), and [Members] for a
// group's members held in a join table. [DB.Store] turns the declaration
// into a complete store: a store.Store, a store.Searcher that pushes
// filters, sorting, paging and counts down to SQL, and a store.Patcher
// that adds and removes members as rows, without reading the others.
//
//	users, err := db.Store(schema.Users(), sqltable.Table{
//		Name: "users", IDs: sqltable.Serial, UpdatedAt: "updated_at", CreatedAt: "created_at",
//		Columns: []sqltable.Column{
//			{Attr: "userName", Name: "email"},
//			{Attr: "name.givenName", Name: "first_name"},
//			sqltable.DisabledAt("disabled_at"),
//		},
//	})
//
// [Store.Type] is the resource type trimmed to the attributes the table
// keeps (schema.ResourceType.Keep), for the handler's endpoint: discovery
// then advertises only what round-trips, and what an identity provider
// sends for other attributes is dropped before the store sees it.
// Attributes that reach the store without a column are refused with 400
// naming them, ignored, or kept in a JSON column, as [Table.Rest] says.
//
// # What the database must do
//
// Uniqueness is the database's: a unique index where the schema asks for
// uniqueness (userName: on scimkit_fold(email) in PostgreSQL, a function
// New creates, which lookups such as userName eq then use; on a column
// with a case-insensitive collation in MySQL). A violation is answered 409
// uniqueness, naming the attribute whose column the index holds. Sorting
// and string comparison follow scimkit's rules, not the database's
// collation, so a store answers exactly what the memory store answers; an
// index on the sort key's expression keeps sorted pages cheap on large
// tables (PostgreSQL: (scimkit_fold(email) COLLATE "C"), and for the
// default order, the id as text, ((id::text) COLLATE "C")).
//
// A table without a Tenant column is one tenant's: a request made for a
// tenant fails with ErrTenant. docs/adapters.md walks through a
// product-style mapping.
package sqltable

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/valuekey"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// IDKind says how a table's ids are made.
type IDKind int

const (
	// Serial ids are integers the database assigns (bigserial, identity,
	// AUTO_INCREMENT).
	Serial IDKind = iota
	// UUID ids are random (version 4) UUIDs the store makes, held in a
	// uuid column (PostgreSQL) or a CHAR(36) one.
	UUID
	// Text ids are strings the store makes with Table.NewID, or random
	// ones.
	Text
)

// Rest says what becomes of attributes that reach the store without a
// column.
type Rest int

const (
	// Refuse answers a write that sets one 400 invalidValue naming it.
	Refuse Rest = iota
	// Ignore drops them.
	Ignore
)

// Table declares how a table holds a resource type.
type Table struct {
	// Name is the table, such as "users" (schema-qualified if need be).
	Name string
	// ID is the id column; "id" when empty. IDs says how ids are made and
	// NewID, for Text ids, makes one (random when nil).
	ID    string
	IDs   IDKind
	NewID func() string

	// Tenant, when set, is a text column that holds store.Tenant(ctx):
	// every statement is limited to the request's tenant and every insert
	// fills it. When empty, the table is one tenant's, and a request for a
	// tenant (a handler with Config.Tenant) fails with ErrTenant rather
	// than read or write the rows of all: a host that keeps each tenant in
	// a database of its own gives each its own DB and a context without
	// the tenant (store.WithTenant(ctx, "")).
	Tenant string

	// Version is an integer column the store increments on each write,
	// from which meta.version is made. When empty, the version is derived
	// from UpdatedAt (to the microsecond), which must then be set.
	Version string
	// UpdatedAt and CreatedAt are timestamp columns (timestamptz in
	// PostgreSQL, DATETIME(6) in MySQL) for meta.lastModified and
	// meta.created; the store sets them. Either may be empty when Version
	// is set: the meta attribute is then absent.
	UpdatedAt string
	CreatedAt string

	// Columns says where each attribute the table keeps lives.
	Columns []Column

	// Members, for a group type, is the join table holding the members.
	Members *Members

	// JSON, when set, is a text (or jsonb, or JSON) column that keeps the
	// attributes without a column, as a JSON object. Rest says what
	// becomes of them otherwise.
	JSON string
	Rest Rest
}

// Column maps one attribute to one column.
type Column struct {
	// Attr is the attribute's path: "userName", "name.givenName",
	// "externalId", an extension's qualified by its URN, or a
	// sub-attribute of a multi-valued attribute ("emails.value") for a
	// table that holds one of its values.
	Attr string
	// Name is the column.
	Name string
	// Value, for a multi-valued attribute, gives the other sub-attributes
	// of the one value the column holds, such as {"type": "work",
	// "primary": true}. A write stores the value whose sub-attributes
	// match Value's "type", else the primary one, else the first; a read
	// answers one value with Value's sub-attributes.
	Value map[string]any
	// NotNull says an absent value is written as the type's zero value
	// ("", false, 0) rather than NULL, and read back as absent.
	NotNull bool
	// A conversion, for a column that does not hold the attribute's value
	// as it is: Read turns what the column holds (nil for NULL) into the
	// value (false when absent), Write the value into what the column
	// holds (ok false when absent), and Expr is the SQL expression of the
	// value for filters and sorting, in terms of the column as r.<Name>.
	// All three or none.
	Read  func(v any) (value any, ok bool)
	Write func(value any, ok bool) any
	Expr  string
}

// DisabledAt maps active to a nullable timestamp column that holds when
// the account was disabled: active is true when it is NULL; setting
// active to false stores the current time.
func DisabledAt(column string) Column {
	return Column{
		Attr: "active", Name: column,
		Read: func(v any) (any, bool) { return v == nil, true },
		Write: func(value any, ok bool) any {
			if b, _ := value.(bool); !ok || b {
				return nil
			}
			return time.Now().UTC()
		},
		Expr: "(r." + column + " IS NULL)",
	}
}

// Members declares a join table that holds the members of groups.
type Members struct {
	// Table is the join table, such as "team_members".
	Table string
	// Group is its column holding the group's id, Member the one holding
	// the member's id.
	Group  string
	Member string
	// Type is the members' "type" sub-attribute, such as "User"; empty
	// leaves it out.
	Type string
	// Of is the table whose rows the members are (Table.Name of another
	// table of the same DB), when they are rows of one: deleting such a
	// row removes it from its groups and gives them a new version, and a
	// member that is not a row of it is refused with 400. Empty accepts
	// any value.
	Of string
}

// DB serves tables of one database. It is safe for concurrent use.
type DB struct {
	db      *sql.DB
	dialect Dialect

	mu     sync.RWMutex
	stores []*Store
}

// foldFunction is the PostgreSQL function New creates, which folds text
// as scimkit folds case-insensitive strings.
const foldFunction = "scimkit_fold"

// New returns a DB serving tables through db, a database of the dialect.
// On PostgreSQL it creates the function scimkit_fold(text) in the first
// schema of the search path when it is not there: filters and sorts on
// case-insensitive strings use it, and so should the host's unique
// indexes (CREATE UNIQUE INDEX ON users (scimkit_fold(email))), which
// lookups such as userName eq then use.
func New(ctx context.Context, db *sql.DB, dialect Dialect) (*DB, error) {
	if dialect != PostgreSQL && dialect != MySQL {
		return nil, fmt.Errorf("sqltable: unknown dialect %v", dialect)
	}
	if dialect == PostgreSQL {
		var exists bool
		err := db.QueryRowContext(ctx, "SELECT to_regprocedure('"+foldFunction+"(text)') IS NOT NULL").Scan(&exists)
		if err == nil && !exists {
			_, err = db.ExecContext(ctx, valuekey.PostgresFoldFunction(foldFunction))
			if dialect.class(err) == errUnique {
				err = nil // another process created it first
			}
		}
		if err != nil {
			return nil, fmt.Errorf("sqltable: creating %s(text): %w", foldFunction, err)
		}
	}
	return &DB{db: db, dialect: dialect}, nil
}

// holders returns the stores whose members are rows of table.
func (d *DB) holders(table string) []*Store {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []*Store
	for _, s := range d.stores {
		if s.t.Members != nil && s.t.Members.Of == table {
			out = append(out, s)
		}
	}
	return out
}

// Store returns the store of resource type rt held in table t. It checks
// the declaration against rt (every Attr must be one of rt's attributes),
// not against the database.
func (d *DB) Store(rt *schema.ResourceType, t Table) (*Store, error) {
	s, err := compile(d, rt, t)
	if err != nil {
		return nil, fmt.Errorf("sqltable: table %s: %w", t.Name, err)
	}
	d.mu.Lock()
	d.stores = append(d.stores, s)
	d.mu.Unlock()
	return s, nil
}

// ErrTenant is returned for a request made for a tenant to a store whose
// table has no Tenant column.
var ErrTenant = errors.New("sqltable: the table keeps no tenants (Table.Tenant is empty), but the request is for one")

// tenantless fails a request for a tenant when the table keeps none.
func (s *Store) tenantless(ctx context.Context) error {
	if s.t.Tenant == "" && store.Tenant(ctx) != "" {
		return fmt.Errorf("%w: table %s, tenant %q", ErrTenant, s.t.Name, store.Tenant(ctx))
	}
	return nil
}

// Store is the store of one table. It implements store.Store,
// store.Searcher and store.Patcher.
type Store struct {
	db   *DB
	d    Dialect
	rt   *schema.ResourceType
	kept *schema.ResourceType
	t    Table

	cols    []*column              // the mapped columns, in SELECT order
	byAttr  map[string]*column     // by filter.Attr.String()
	multi   map[string]*column     // multi-valued attributes held in a column, by attribute name
	members *schema.Attribute      // the members attribute, with t.Members
	selects string                 // the SELECT list
	unique  string                 // the attribute named by a uniqueness conflict
	counts  atomic.Pointer[string] // the table KeepCounts keeps, if any
}

// column is one Column, resolved.
type column struct {
	Column
	attr  filter.Attr
	expr  string // the value in SQL, for filters and sorting
	alias bool   // an earlier column of the table has the same Name
}

var (
	_ store.Store    = (*Store)(nil)
	_ store.Searcher = (*Store)(nil)
	_ store.Patcher  = (*Store)(nil)
)

// Type returns the resource type the store serves, trimmed to what the
// table keeps unless it has a JSON column: the type to give the handler.
func (s *Store) Type() *schema.ResourceType { return s.kept }

func compile(d *DB, rt *schema.ResourceType, t Table) (*Store, error) {
	if t.Name == "" {
		return nil, errors.New("no table Name")
	}
	if t.ID == "" {
		t.ID = "id"
	}
	if t.Version == "" && t.UpdatedAt == "" {
		return nil, errors.New("neither a Version nor an UpdatedAt column: a version is needed for ETags")
	}
	s := &Store{db: d, d: d.dialect, rt: rt, t: t, byAttr: map[string]*column{}, multi: map[string]*column{}}
	keep := []string{}
	for _, c := range t.Columns {
		if c.Name == "" {
			return nil, fmt.Errorf("attribute %q has no column Name", c.Attr)
		}
		if (c.Read == nil) != (c.Write == nil) || (c.Read == nil) != (c.Expr == "") {
			return nil, fmt.Errorf("column %s: Read, Write and Expr go together", c.Name)
		}
		p, err := filter.ParsePath(c.Attr)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		a, err := filter.ResolvePath(rt, p)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		if a.Attr.Name == "id" || a.Attr.Name == "meta" || a.Attr.Name == "schemas" {
			return nil, fmt.Errorf("column %s: %s is the store's to keep", c.Name, a)
		}
		tgt := a.Target()
		if tgt.MultiValued {
			return nil, fmt.Errorf("column %s: %s is multi-valued: map one of its sub-attributes, such as %s.value", c.Name, a, a)
		}
		if tgt.Type == schema.Complex {
			return nil, fmt.Errorf("column %s: %s is complex: map each sub-attribute", c.Name, a)
		}
		col := &column{Column: c, attr: a, expr: c.Expr}
		for _, o := range s.cols {
			col.alias = col.alias || o.Name == c.Name
		}
		if col.expr == "" {
			col.expr = "r." + c.Name
		}
		if a.Attr.MultiValued {
			if a.Sub == nil {
				return nil, fmt.Errorf("column %s: map a sub-attribute of %s", c.Name, a)
			}
			if s.multi[a.Attr.Name] != nil {
				return nil, fmt.Errorf("column %s: %s already has a column; one value of a multi-valued attribute can be held in columns", c.Name, a.Attr.Name)
			}
			s.multi[a.Attr.Name] = col
		}
		if _, dup := s.byAttr[a.String()]; dup {
			return nil, fmt.Errorf("two columns for %s", a)
		}
		s.byAttr[a.String()] = col
		s.cols = append(s.cols, col)
		if a.Sub != nil && !a.Attr.MultiValued {
			keep = append(keep, qualified(a, true))
		} else {
			keep = append(keep, qualified(a, false))
		}
		if s.unique == "" && tgt.Unique() {
			s.unique = a.String()
		}
	}
	if t.Members != nil {
		m, _ := rt.Attribute("", "members")
		if m == nil || !m.MultiValued {
			return nil, fmt.Errorf("Members: resource type %s has no multi-valued members attribute", rt.Name)
		}
		if t.Members.Table == "" || t.Members.Group == "" || t.Members.Member == "" {
			return nil, errors.New("Members needs a Table, a Group column and a Member column")
		}
		s.members = m
		keep = append(keep, "members")
	}
	if s.unique == "" {
		s.unique = "id"
	}
	s.kept = rt
	if t.JSON == "" {
		kept, err := rt.Keep(keep...)
		if err != nil {
			return nil, err
		}
		s.kept = kept
	}
	sel := []string{"r." + t.ID, s.metaCols()} // the scan targets of row.dests, in order
	for _, c := range s.cols {
		sel = append(sel, "r."+c.Name)
	}
	if t.JSON != "" {
		sel = append(sel, "r."+t.JSON)
	}
	s.selects = strings.Join(sel, ", ")
	return s, nil
}

// qualified is a's path for schema.ResourceType.Keep: the attribute, or
// its sub-attribute when sub.
func qualified(a filter.Attr, sub bool) string {
	p := a.Attr.Name
	if sub {
		p += "." + a.Sub.Name
	}
	if a.Ext != nil {
		p = a.Ext.Schema.ID + ":" + p
	}
	return p
}

// newID makes the id of a new row, or returns "" when the database makes it.
func (s *Store) newID() string {
	switch {
	case s.t.IDs == Text && s.t.NewID != nil:
		return s.t.NewID()
	case s.t.IDs == UUID || s.t.IDs == Text:
		return store.NewID()
	}
	return ""
}
