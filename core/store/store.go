// Package store is what the vakt daemon remembers: the current state of every
// check, the append-only history of state changes, performance data (raw
// samples and 5-minute and 1-hour rollups), acknowledgements, downtimes and
// the notification outbox. It is an embedded SQLite database
// (modernc.org/sqlite, pure Go) in one file.
//
// # Durability
//
// Every state change and every notification to send is written to the store
// before it is acted on: RecordChange and RecordChanges, Commit, SaveState,
// Enqueue, the outbox marks and the ack and downtime methods return only
// after their transaction has committed. A crash or kill -9 loses nothing
// the store has acknowledged; results its caller (the engine's group
// committer) still holds are not the store's to keep.
//
// The database runs in WAL mode with synchronous=FULL on the one writing
// connection: every commit is fsynced, so a committed state change survives
// not only a killed process but also an operating system crash or a power
// cut. That costs one fsync per commit, which is affordable because results
// and perfdata, the only high-volume writes, reach the store through Commit
// as one Batch (states, perfdata, transitions and deletions) per transaction,
// gathered by the engine's group committer.
//
// # Connections
//
// All writes go through a single connection (transactions begin IMMEDIATE,
// so writers never deadlock on a lock upgrade); reads use a separate pool of
// read-only connections, which WAL lets run while a write is in progress.
// busy_timeout makes a second process on the same file wait instead of fail.
//
// # Times
//
// Times are stored as Unix nanoseconds (INTEGER) and read back in UTC; a zero
// time.Time is stored as NULL where a time is optional.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors callers can test for with errors.Is. Every error the store returns
// wraps one of these or a driver error, with what was being done.
var (
	// ErrInvalid marks bad input: an empty check id, a NaN value, a
	// malformed JSON blob. Nothing was written.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound is returned when a row asked for by id or key does not
	// exist.
	ErrNotFound = errors.New("not found")
	// ErrNotStore is returned by Open for a file that is not a SQLite
	// database, is corrupt, or is the database of some other program.
	ErrNotStore = errors.New("not a vakt store")
	// ErrSchemaTooNew is returned by Open for a database written by a newer
	// vakt than this one.
	ErrSchemaTooNew = errors.New("database schema is newer than this vakt")
	// ErrLeaseLost is returned when an outbox row is marked by a worker
	// whose claim is no longer the current one.
	ErrLeaseLost = errors.New("outbox lease lost")
)

// Options tune a Store. The zero value gives the documented defaults.
type Options struct {
	// BusyTimeout is how long a statement waits for a lock held by another
	// process before failing. Default 10s.
	BusyTimeout time.Duration
	// ReadConns is the size of the read-only connection pool. Default 4.
	ReadConns int
	// RawRetention is how long raw perfdata samples are kept. Default 8 days.
	RawRetention time.Duration
	// RollupRetention is how long 5-minute and 1-hour rollups are kept.
	// Default 400 days.
	RollupRetention time.Duration
	// RollupDelay is how far behind now Downsample stops, so that results
	// still being run or waiting for their group commit land in raw data
	// before their bucket is rolled up. Default 10 minutes.
	RollupDelay time.Duration
	// Outbox sets the retry policy of failed notifications.
	Outbox OutboxPolicy
	// Now is the clock used for created timestamps the caller left zero.
	// Default time.Now.
	Now func() time.Time
}

// OutboxPolicy is how failed notifications are retried.
type OutboxPolicy struct {
	// FirstBackoff is the wait after the first failed attempt; it doubles
	// with each further failure. Default 30s.
	FirstBackoff time.Duration
	// MaxBackoff caps the wait between attempts. Default 30 minutes.
	MaxBackoff time.Duration
	// MaxAttempts is how many attempts a notification gets before it is
	// marked dead (kept, but no longer claimed). Default 16, which with the
	// default backoff keeps trying for about five hours.
	MaxAttempts int
}

func (o Options) withDefaults() (Options, error) {
	defaults := []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"BusyTimeout", &o.BusyTimeout, 10 * time.Second},
		{"RawRetention", &o.RawRetention, 8 * 24 * time.Hour},
		{"RollupRetention", &o.RollupRetention, 400 * 24 * time.Hour},
		{"RollupDelay", &o.RollupDelay, 10 * time.Minute},
		{"Outbox.FirstBackoff", &o.Outbox.FirstBackoff, 30 * time.Second},
		{"Outbox.MaxBackoff", &o.Outbox.MaxBackoff, 30 * time.Minute},
	}
	for _, d := range defaults {
		if *d.v < 0 {
			return o, fmt.Errorf("%w: option %s is negative (%s)", ErrInvalid, d.name, *d.v)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if o.ReadConns < 0 || o.Outbox.MaxAttempts < 0 {
		return o, fmt.Errorf("%w: options ReadConns (%d) and Outbox.MaxAttempts (%d) must not be negative",
			ErrInvalid, o.ReadConns, o.Outbox.MaxAttempts)
	}
	if o.ReadConns == 0 {
		o.ReadConns = 4
	}
	if o.Outbox.MaxAttempts == 0 {
		o.Outbox.MaxAttempts = 16
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, nil
}

// Store is an open vakt database. It is safe for concurrent use.
type Store struct {
	path   string
	write  *sql.DB // exactly one connection: SQLite has one writer anyway
	read   *sql.DB // query_only connections
	opts   Options
	series seriesCache

	mu     sync.Mutex
	closed bool
}

// Open opens or creates the store at path, a file name (not a URI), and
// brings its schema up to date. It fails with ErrNotStore for a file that is
// not a vakt database and with ErrSchemaTooNew for one written by a newer
// vakt.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	return open(ctx, path, opts, migrations())
}

func open(ctx context.Context, path string, opts Options, steps []migration) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("open store: %w: path is empty", ErrInvalid)
	}
	if path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open store: %w: %q is not a file path (in-memory and URI names are not supported)", ErrInvalid, path)
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	busy := strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10)
	if err := probe(ctx, abs, busy); err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}

	write, err := sql.Open("sqlite", dsn(abs, url.Values{
		"_pragma": {
			"busy_timeout(" + busy + ")",
			"journal_mode(WAL)",
			"synchronous(FULL)",
			"foreign_keys(1)",
			// 32 MiB of page cache for the one writer: a group commit
			// updates thousands of check_state rows, and with SQLite's
			// 2 MiB default most of them are read back from the file
			// first, one system call a page.
			"cache_size(-32768)",
		},
		"_txlock": {"immediate"},
	}))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)

	s := &Store{
		path:   abs,
		write:  write,
		opts:   opts,
		series: seriesCache{ids: map[seriesKey]seriesEntry{}},
	}
	if err := write.PingContext(ctx); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("open store %s: %w", abs, classifyOpenError(err))
	}
	if err := migrate(ctx, write, steps, opts.Now()); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("open store %s: %w", abs, classifyOpenError(err))
	}

	read, err := sql.Open("sqlite", dsn(abs, url.Values{
		"_pragma": {"busy_timeout(" + busy + ")", "query_only(1)"},
	}))
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("open store %s: read pool: %w", abs, err)
	}
	read.SetMaxOpenConns(opts.ReadConns)
	read.SetMaxIdleConns(opts.ReadConns)
	if err := read.PingContext(ctx); err != nil {
		_ = read.Close()
		_ = write.Close()
		return nil, fmt.Errorf("open store %s: read pool: %w", abs, classifyOpenError(err))
	}
	s.read = read
	return s, nil
}

// probe looks at an existing file through a read-only connection before
// anything is written to it: a file that is not a SQLite database, or is the
// database of another program, is refused without being touched (opening it
// for writing would switch it to WAL mode).
func probe(ctx context.Context, abs, busy string) error {
	fi, err := os.Stat(abs)
	if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Dir(abs)); err != nil {
			return fmt.Errorf("cannot create the database: %w", err)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%w: it is a directory", ErrNotStore)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: not a regular file (%s)", ErrNotStore, fi.Mode().Type())
	}
	if fi.Size() == 0 {
		return nil // SQLite treats an empty file as an empty database
	}
	db, err := sql.Open("sqlite", dsn(abs, url.Values{"mode": {"ro"}, "_pragma": {"busy_timeout(" + busy + ")"}}))
	if err != nil {
		return err
	}
	defer db.Close()
	var versionTable, tables int
	err = db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'),
		(SELECT count(*) FROM sqlite_schema WHERE type = 'table')`).Scan(&versionTable, &tables)
	if err != nil {
		return fmt.Errorf("read schema: %w", classifyOpenError(err))
	}
	if versionTable == 0 && tables > 0 {
		return fmt.Errorf("%w: it is a SQLite database with other tables (%d) and no schema_version table", ErrNotStore, tables)
	}
	return nil
}

// dsn builds a SQLite URI for an absolute path, escaping characters such as
// '?' and '%' that would otherwise be taken for URI syntax.
func dsn(absPath string, params url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(absPath), RawQuery: params.Encode()}
	return u.String()
}

// classifyOpenError adds ErrNotStore to the driver's "file is not a
// database" and "database disk image is malformed".
func classifyOpenError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%w: %w", ErrNotStore, err)
		}
	}
	return err
}

// Path is the absolute file name of the database.
func (s *Store) Path() string { return s.path }

// Close closes the database. It is safe to call more than once.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()

	var errs []error
	if err := s.read.Close(); err != nil {
		errs = append(errs, fmt.Errorf("read pool: %w", err))
	}
	if err := s.write.Close(); err != nil {
		errs = append(errs, fmt.Errorf("write connection: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close store %s: %w", s.path, err)
	}
	return nil
}

// inTx runs fn in one write transaction and commits it; what names the
// operation in errors.
func (s *Store) inTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", what, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", what, err)
	}
	return nil
}

// nullTime stores an optional time: zero is NULL.
func nullTime(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

// fromNull reads an optional time back.
func fromNull(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromNanos(n.Int64)
}

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// floorNanos rounds t down to a multiple of step (both in nanoseconds).
func floorNanos(t, step int64) int64 {
	r := t % step
	if r < 0 {
		r += step
	}
	return t - r
}

// maxIDLen bounds check ids, labels and names so a runaway caller cannot
// fill the database with one key.
const maxIDLen = 1024

// validName checks an identifier-like string: not empty, valid UTF-8, no NUL
// byte, at most maxIDLen bytes. what names it in the error.
func validName(what, v string) error {
	switch {
	case v == "":
		return fmt.Errorf("%w: %s is empty", ErrInvalid, what)
	case !utf8.ValidString(v):
		return fmt.Errorf("%w: %s %q is not valid UTF-8", ErrInvalid, what, v)
	case strings.IndexByte(v, 0) >= 0:
		return fmt.Errorf("%w: %s %q contains a NUL byte", ErrInvalid, what, v)
	case len(v) > maxIDLen:
		return fmt.Errorf("%w: %s is %d bytes long, the limit is %d", ErrInvalid, what, len(v), maxIDLen)
	}
	return nil
}

// validTime checks that a required time is set and after 1970.
func validTime(what string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("%w: %s is not set", ErrInvalid, what)
	}
	if t.UnixNano() <= 0 || t.Year() > 2200 {
		return fmt.Errorf("%w: %s %s is out of range (1970..2200)", ErrInvalid, what, t.Format(time.RFC3339Nano))
	}
	return nil
}

// validOptionalTime is validTime for a time that may be zero.
func validOptionalTime(what string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	return validTime(what, t)
}
