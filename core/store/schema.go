package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// A migration is one numbered step of the schema. Steps are applied in order,
// each in its own transaction together with its row in schema_version, so a
// crash in the middle of an upgrade leaves the database at the last complete
// step. Never edit a step that has shipped: add a new one.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations is the schema, oldest step first; step i has version i+1.
func migrations() []migration {
	return []migration{
		{1, "check state and transitions", `
CREATE TABLE check_state (
	check_id         TEXT PRIMARY KEY,
	state            INTEGER NOT NULL CHECK (state BETWEEN 0 AND 3),
	state_type       TEXT NOT NULL CHECK (state_type IN ('soft', 'hard')),
	attempt          INTEGER NOT NULL CHECK (attempt >= 0),
	level            INTEGER NOT NULL CHECK (level BETWEEN 0 AND 2),
	output           TEXT NOT NULL,
	long_output      TEXT NOT NULL,
	last_check       INTEGER,
	last_change      INTEGER,
	last_hard_change INTEGER,
	flapping         INTEGER NOT NULL CHECK (flapping IN (0, 1)),
	percent_change   REAL NOT NULL,
	acknowledged     INTEGER NOT NULL CHECK (acknowledged IN (0, 1)),
	status           TEXT -- opaque JSON of the state machine, NULL when none
) WITHOUT ROWID;

CREATE TABLE transitions (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	check_id   TEXT NOT NULL,
	at         INTEGER NOT NULL,
	from_state INTEGER NOT NULL CHECK (from_state BETWEEN 0 AND 3),
	to_state   INTEGER NOT NULL CHECK (to_state BETWEEN 0 AND 3),
	state_type TEXT NOT NULL CHECK (state_type IN ('soft', 'hard')),
	level      INTEGER NOT NULL CHECK (level BETWEEN 0 AND 2),
	kind       TEXT NOT NULL,
	notify     INTEGER NOT NULL CHECK (notify IN (0, 1)),
	suppressed TEXT NOT NULL,
	output     TEXT NOT NULL
);
CREATE INDEX transitions_by_check ON transitions (check_id, at);
CREATE INDEX transitions_by_time ON transitions (at);
CREATE TRIGGER transitions_no_update BEFORE UPDATE ON transitions
BEGIN SELECT RAISE(ABORT, 'transitions are append-only'); END;
CREATE TRIGGER transitions_no_delete BEFORE DELETE ON transitions
BEGIN SELECT RAISE(ABORT, 'transitions are append-only'); END;
`},
		{2, "perfdata", `
CREATE TABLE perf_series (
	id       INTEGER PRIMARY KEY,
	check_id TEXT NOT NULL,
	label    TEXT NOT NULL,
	uom      TEXT NOT NULL,
	UNIQUE (check_id, label)
);

CREATE TABLE perf_raw (
	series_id INTEGER NOT NULL REFERENCES perf_series (id),
	at        INTEGER NOT NULL,
	value     REAL NOT NULL,
	PRIMARY KEY (series_id, at)
) WITHOUT ROWID;

-- step and bucket are nanoseconds; avg = sum / count.
CREATE TABLE perf_rollup (
	series_id INTEGER NOT NULL REFERENCES perf_series (id),
	step      INTEGER NOT NULL,
	bucket    INTEGER NOT NULL,
	min       REAL NOT NULL,
	max       REAL NOT NULL,
	sum       REAL NOT NULL,
	count     INTEGER NOT NULL,
	PRIMARY KEY (series_id, step, bucket)
) WITHOUT ROWID;

-- Watermarks: 'rollup:5m' and 'rollup:1h' (rolled up before until),
-- 'raw_pruned' (raw samples before until may be gone).
CREATE TABLE perf_progress (
	name  TEXT PRIMARY KEY,
	until INTEGER NOT NULL
) WITHOUT ROWID;
`},
		{3, "acknowledgements and downtimes", `
CREATE TABLE acks (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	check_id  TEXT NOT NULL,
	author    TEXT NOT NULL,
	comment   TEXT NOT NULL,
	sticky    INTEGER NOT NULL CHECK (sticky IN (0, 1)),
	created   INTEGER NOT NULL,
	cancelled INTEGER
);
CREATE INDEX acks_by_check ON acks (check_id);
CREATE INDEX acks_active ON acks (check_id) WHERE cancelled IS NULL;

CREATE TABLE downtimes (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	check_id  TEXT NOT NULL,
	author    TEXT NOT NULL,
	comment   TEXT NOT NULL,
	start_at  INTEGER NOT NULL,
	end_at    INTEGER NOT NULL,
	duration  INTEGER NOT NULL CHECK (duration >= 0),
	fixed     INTEGER NOT NULL CHECK (fixed IN (0, 1)),
	triggered INTEGER,
	created   INTEGER NOT NULL,
	cancelled INTEGER,
	CHECK (end_at > start_at)
);
CREATE INDEX downtimes_by_check ON downtimes (check_id);
CREATE INDEX downtimes_active ON downtimes (end_at) WHERE cancelled IS NULL;
`},
		{4, "notification outbox", `
CREATE TABLE outbox (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	transition_id INTEGER REFERENCES transitions (id),
	notifier      TEXT NOT NULL,
	recipient     TEXT NOT NULL,
	payload       TEXT NOT NULL,
	status        TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
	attempts      INTEGER NOT NULL DEFAULT 0,
	next_attempt  INTEGER NOT NULL,
	lease_owner   TEXT,
	lease_until   INTEGER,
	last_error    TEXT NOT NULL DEFAULT '',
	created       INTEGER NOT NULL,
	finished      INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt) WHERE status = 'pending';
CREATE INDEX outbox_by_transition ON outbox (transition_id);
`},
		{5, "one home for acks and downtimes; attempts and details in the history; raw perfdata", `
-- Acknowledgements and downtimes live in each check's status (check_state.status);
-- their history is the transitions table. These tables were never used.
DROP TABLE acks;
DROP TABLE downtimes;
-- Nagios' alert log keeps the attempt of every SOFT state and soft recovery.
ALTER TABLE transitions ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1);
-- The whole transition as the engine published it (JSON), for consumers
-- that resume by id.
ALTER TABLE transitions ADD COLUMN detail TEXT NOT NULL DEFAULT '{}';
-- The last result's perfdata exactly as the plugin printed it.
ALTER TABLE check_state ADD COLUMN perfdata TEXT NOT NULL DEFAULT '';
`},
		{6, "notify checkpoints", `
-- Where a consumer of transitions (the notify step) stands: the last
-- transition id it handled and its own state (opaque JSON), written in one
-- transaction with the notifications it enqueued.
CREATE TABLE notify_checkpoint (
	consumer TEXT PRIMARY KEY,
	last_id  INTEGER NOT NULL CHECK (last_id >= 0),
	state    TEXT NOT NULL,
	updated  INTEGER NOT NULL
) WITHOUT ROWID;
`},
	}
}

// SchemaVersion is the schema version this code writes.
func SchemaVersion() int { return len(migrations()) }

// migrate brings the database up to the last of steps. It refuses a database
// whose version is newer than steps knows, and a SQLite file that holds
// tables but no schema_version (some other program's database).
func migrate(ctx context.Context, db *sql.DB, steps []migration, now time.Time) error {
	for i, m := range steps {
		if m.version != i+1 {
			return fmt.Errorf("migrate: step %d (%s) is numbered %d", i+1, m.name, m.version)
		}
	}
	var hasVersionTable, tables int
	err := db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'),
		(SELECT count(*) FROM sqlite_schema WHERE type = 'table')`).Scan(&hasVersionTable, &tables)
	if err != nil {
		return fmt.Errorf("migrate: read schema: %w", err)
	}
	if hasVersionTable == 0 && tables > 0 {
		return fmt.Errorf("%w: it is a SQLite database with other tables (%d) and no schema_version table", ErrNotStore, tables)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: create schema_version: %w", err)
	}

	current, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	if current > len(steps) {
		return fmt.Errorf("%w: the database is at schema version %d, this vakt knows up to %d: upgrade vakt or use another file",
			ErrSchemaTooNew, current, len(steps))
	}
	for _, m := range steps[current:] {
		if err := applyMigration(ctx, db, m, now); err != nil {
			return err
		}
	}
	return nil
}

func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("migrate: read schema version: %w", err)
	}
	return v, nil
}

// applyMigration runs one step unless another process got there first: the
// version is read again inside the (IMMEDIATE, so locked) transaction.
func applyMigration(ctx context.Context, db *sql.DB, m migration, now time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate to version %d (%s): begin: %w", m.version, m.name, err)
	}
	defer func() { _ = tx.Rollback() }()
	current, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if current >= m.version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migrate to version %d (%s): %w", m.version, m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, now.UnixNano()); err != nil {
		return fmt.Errorf("migrate to version %d (%s): record version: %w", m.version, m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate to version %d (%s): commit: %w", m.version, m.name, err)
	}
	return nil
}
