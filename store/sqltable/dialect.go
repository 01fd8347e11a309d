package sqltable

import (
	"errors"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

// Dialect is the SQL dialect of the database a DB talks to.
type Dialect int

const (
	// PostgreSQL, through pgx's database/sql driver
	// (github.com/jackc/pgx/v5/stdlib, or stdlib.OpenDBFromPool for a
	// pgxpool.Pool the host already has).
	PostgreSQL Dialect = iota + 1
	// MySQL and MariaDB, through github.com/go-sql-driver/mysql. Text
	// columns must be utf8mb4 with a case-insensitive collation (the
	// default) where they hold a case-insensitive attribute, and the DSN
	// must keep the driver's default loc=UTC: the store writes and
	// compares DATETIME values in UTC.
	MySQL
)

// String names the dialect.
func (d Dialect) String() string {
	switch d {
	case PostgreSQL:
		return "PostgreSQL"
	case MySQL:
		return "MySQL"
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

// arg is the placeholder of the n-th (1-based) argument.
func (d Dialect) arg(n int) string {
	if d == MySQL {
		return "?"
	}
	return "$" + strconv.Itoa(n)
}

// text is expr as text, for ids compared as strings.
func (d Dialect) text(expr string) string {
	if d == MySQL {
		return "CAST(" + expr + " AS CHAR)"
	}
	return expr + "::text"
}

// bytewise makes a text expression compare by code point, as scimkit does.
func (d Dialect) bytewise(expr string) string {
	if d == MySQL {
		return expr + " COLLATE utf8mb4_bin"
	}
	return expr + ` COLLATE "C"`
}

// now is the current time in SQL, in UTC.
func (d Dialect) now() string {
	if d == MySQL {
		return "UTC_TIMESTAMP(6)"
	}
	return "clock_timestamp()"
}

// later is a timestamp after col: now, or a microsecond after col when
// the clock has not moved past it, so a version always changes.
func (d Dialect) later(col string) string {
	if d == MySQL {
		return "GREATEST(" + d.now() + ", " + col + " + INTERVAL 1 MICROSECOND)"
	}
	return "GREATEST(" + d.now() + ", " + col + " + interval '1 microsecond')"
}

// literal is s as an SQL string literal.
func (d Dialect) literal(s string) string {
	if d == MySQL {
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// Database error classes.
const (
	errOther = iota
	errUnique
	errForeignKey
	errRetry // a deadlock or serialization failure: run the transaction again
)

// class tells what kind of failure err is.
func (d Dialect) class(err error) int {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return errUnique
		case "23503":
			return errForeignKey
		case "40001", "40P01":
			return errRetry
		}
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1062:
			return errUnique
		case 1452:
			return errForeignKey
		case 1213, 1205:
			return errRetry
		}
	}
	return errOther
}

// rewrite turns a WHERE fragment of filter.ToSQL (PostgreSQL, $n
// placeholders numbered from first) into the dialect's, with its
// arguments in the order its placeholders now take them.
func (d Dialect) rewrite(where string, args []any, first int) (string, []any) {
	if d != MySQL {
		return where, args
	}
	var b strings.Builder
	out := make([]any, 0, len(args))
	quoted := false
	for i := 0; i < len(where); i++ {
		c := where[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '$' && !quoted:
			j := i + 1
			for j < len(where) && where[j] >= '0' && where[j] <= '9' {
				j++
			}
			if n, err := strconv.Atoi(where[i+1 : j]); err == nil && n-first >= 0 && n-first < len(args) {
				b.WriteByte('?')
				out = append(out, args[n-first])
				i = j - 1
				continue
			}
		}
		b.WriteByte(c)
	}
	// MySQL reads a backslash in a literal as an escape.
	return strings.ReplaceAll(b.String(), ` ESCAPE '\'`, ` ESCAPE '\\'`), out
}
