package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

type versionRow struct {
	Version int
	Name    string
}

func schemaRows(t *testing.T, s *Store) []versionRow {
	t.Helper()
	rows, err := s.read.QueryContext(testCtx(t), `SELECT version, name FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []versionRow
	for rows.Next() {
		var r versionRow
		if err := rows.Scan(&r.Version, &r.Name); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func wantSchemaRows() []versionRow {
	return []versionRow{
		{1, "check state and transitions"},
		{2, "perfdata"},
		{3, "acknowledgements and downtimes"},
		{4, "notification outbox"},
		{5, "one home for acks and downtimes; attempts and details in the history; raw perfdata"},
		{6, "notify checkpoints"},
	}
}

func TestOpenMigratesEmptyFileAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vakt.db")
	ctx := testCtx(t)

	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("Open new: %v", err)
	}
	if got := schemaRows(t, s); !reflect.DeepEqual(got, wantSchemaRows()) {
		t.Fatalf("schema_version after first open = %v, want %v", got, wantSchemaRows())
	}
	if SchemaVersion() != 6 {
		t.Fatalf("SchemaVersion() = %d, want 6", SchemaVersion())
	}
	var mode, sync string
	if err := s.write.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := s.write.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || sync != "2" {
		t.Fatalf("journal_mode=%s synchronous=%s, want wal and 2 (FULL)", mode, sync)
	}
	if err := s.SaveState(ctx, okState("web", t0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openAt(t, path, Options{})
	if got := schemaRows(t, s); !reflect.DeepEqual(got, wantSchemaRows()) {
		t.Fatalf("schema_version after reopen = %v, want %v", got, wantSchemaRows())
	}
	st, err := s.State(ctx, "web")
	if err != nil {
		t.Fatalf("state after reopen: %v", err)
	}
	if !reflect.DeepEqual(st, okState("web", t0)) {
		t.Fatalf("state after reopen = %+v", st)
	}
}

func TestOpenEmptyExistingFileBecomesStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, path, Options{})
	if got := schemaRows(t, s); len(got) != 6 {
		t.Fatalf("schema rows = %v, want 6", got)
	}
}

func TestOpenUpgradesOlderSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vakt.db")
	ctx := testCtx(t)
	old, err := open(ctx, path, Options{}, migrations()[:2])
	if err != nil {
		t.Fatalf("open at version 2: %v", err)
	}
	// Written as version 2's code wrote them: the code of today writes
	// columns that version 2 has not got.
	if _, err := old.write.ExecContext(ctx, `INSERT INTO perf_series (id, check_id, label, uom) VALUES (1, 'disk', '/', '%');
		INSERT INTO perf_raw (series_id, at, value) VALUES (1, ?, 42.5)`, t0.UnixNano()); err != nil {
		t.Fatal(err)
	}
	if got := schemaRows(t, old); !reflect.DeepEqual(got, wantSchemaRows()[:2]) {
		t.Fatalf("schema at version 2 = %v", got)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s := openAt(t, path, Options{})
	if got := schemaRows(t, s); !reflect.DeepEqual(got, wantSchemaRows()) {
		t.Fatalf("schema after upgrade = %v, want %v", got, wantSchemaRows())
	}
	samples, err := s.Samples(ctx, "disk", "/", t0, t0.Add(1))
	if err != nil {
		t.Fatal(err)
	}
	want := []Sample{{CheckID: "disk", Label: "/", Time: t0, Value: 42.5, UOM: "%"}}
	if !reflect.DeepEqual(samples, want) {
		t.Fatalf("samples after upgrade = %+v, want %+v", samples, want)
	}
	// The columns of the new steps work.
	if err := s.SaveState(ctx, CheckState{CheckID: "disk", Type: Hard, Attempt: 1, Perfdata: "/=42.5%;80;90"}); err != nil {
		t.Fatalf("state after upgrade: %v", err)
	}
	if st, err := s.State(ctx, "disk"); err != nil || st.Perfdata != "/=42.5%;80;90" {
		t.Fatalf("raw perfdata after upgrade: %q, %v", st.Perfdata, err)
	}
}

func TestFailedMigrationStepIsRolledBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vakt.db")
	ctx := testCtx(t)
	broken := append(migrations(), migration{7, "broken step",
		`CREATE TABLE half_done (x INTEGER); CREATE TABLE check_state (y INTEGER);`})
	_, err := open(ctx, path, Options{}, broken)
	if err == nil || !strings.Contains(err.Error(), "migrate to version 7 (broken step)") ||
		!strings.Contains(err.Error(), "table check_state already exists") {
		t.Fatalf("open with a broken step 7 = %v", err)
	}
	s := openAt(t, path, Options{})
	if got := schemaRows(t, s); !reflect.DeepEqual(got, wantSchemaRows()) {
		t.Fatalf("schema after the failed step = %v, want versions 1-5 only", got)
	}
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the first statement of the failed step was kept (%d, %v)", n, err)
	}
}

func TestOpenRejectsNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vakt.db")
	ctx := testCtx(t)
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO schema_version (version, name, applied_at) VALUES (7, 'from the future', 0)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	_, err = Open(ctx, path, Options{})
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open of a version 7 database: err = %v, want ErrSchemaTooNew", err)
	}
	for _, want := range []string{"schema version 7", "knows up to 6", path} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestOpenRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, content []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	corrupt := func() string {
		p := filepath.Join(dir, "corrupt.db")
		s, err := Open(testCtx(t), p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		copy(b, bytes.Repeat([]byte{0xA5}, 100)) // overwrite the header
		return write("corrupt.db", b)
	}
	foreign := func() string {
		p := filepath.Join(dir, "foreign.db")
		db, err := sql.Open("sqlite", p)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL); INSERT INTO invoices VALUES (1, 9.5)`); err != nil {
			t.Fatal(err)
		}
		return p
	}
	random := make([]byte, 8192)
	for i := range random {
		random[i] = byte(i*7 + i/13)
	}

	tests := []struct {
		name     string
		path     string
		want     error  // errors.Is target, nil: any error
		mention  string // the error must contain this
		keepSame bool   // the file must be unchanged afterwards
	}{
		{"text file", write("notes.txt", []byte("this is not a database\n")), ErrNotStore, "not a database", true},
		{"random bytes", write("random.db", random), ErrNotStore, "not a vakt store", true},
		{"corrupt header", corrupt(), ErrNotStore, "not a vakt store", true},
		{"other program's database", foreign(), ErrNotStore, "other tables (1) and no schema_version", true},
		{"directory", dir, ErrNotStore, "it is a directory", false},
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "vakt.db"), os.ErrNotExist, "cannot create the database", false},
		{"empty path", "", ErrInvalid, "path is empty", false},
		{"in-memory name", ":memory:", ErrInvalid, "not a file path", false},
		{"URI", "file:x.db?mode=memory", ErrInvalid, "not a file path", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before []byte
			if tt.keepSame {
				var err error
				if before, err = os.ReadFile(tt.path); err != nil {
					t.Fatal(err)
				}
			}
			s, err := Open(testCtx(t), tt.path, Options{})
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tt.path)
			}
			t.Logf("error: %v", err)
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Open(%q) = %v, want errors.Is %v", tt.path, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("Open(%q) = %q, want it to mention %q", tt.path, err, tt.mention)
			}
			if tt.keepSame {
				after, err := os.ReadFile(tt.path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(before, after) {
					t.Errorf("Open changed the file it refused")
				}
			}
		})
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"negative retention", Options{RawRetention: -1}, "RawRetention is negative"},
		{"negative backoff", Options{Outbox: OutboxPolicy{MaxBackoff: -1}}, "Outbox.MaxBackoff is negative"},
		{"negative read conns", Options{ReadConns: -2}, "ReadConns (-2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vakt.db")
			_, err := Open(testCtx(t), path, tt.opts)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
			if _, statErr := os.Stat(path); !errors.Is(statErr, os.ErrNotExist) {
				t.Errorf("Open with bad options created %s (stat: %v)", path, statErr)
			}
		})
	}
}

func TestPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "odd ?#% dir")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "va?kt#1%20.db")
	s := openAt(t, path, Options{})
	if err := s.SaveState(testCtx(t), okState("x", t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at the path asked for: %v", err)
	}
	if s.Path() != path {
		t.Fatalf("Path() = %q, want %q", s.Path(), path)
	}
}

func TestCloseTwice(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "vakt.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.Commit(context.Background(), resultsBatch(result("web", 1))); err == nil {
		t.Fatal("Commit on a closed store succeeded")
	}
}
