package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/vakt/vakt/core/check"
)

// StateType is Nagios' soft or hard state type.
type StateType string

// The two state types.
const (
	Soft StateType = "soft"
	Hard StateType = "hard"
)

func (t StateType) valid() error {
	if t != Soft && t != Hard {
		return fmt.Errorf("%w: state type %q: want soft or hard", ErrInvalid, string(t))
	}
	return nil
}

// CheckState is the current state of one check, as the state machine last
// left it. Status carries whatever else the state machine needs after a
// restart (flap history, notification counters ...) as opaque JSON.
type CheckState struct {
	CheckID        string
	State          check.State
	Type           StateType
	Attempt        int
	Level          check.Level
	Output         string
	LongOutput     string
	LastCheck      time.Time // zero: never checked
	LastChange     time.Time
	LastHardChange time.Time
	Flapping       bool
	PercentChange  float64 // 0..100
	Acknowledged   bool
	// Perfdata is the last result's perfdata exactly as the plugin
	// printed it (Nagios hands graphers this string unchanged).
	Perfdata string
	// KeepText: the state changed without a result (time passing, a
	// command), so the stored LongOutput and Perfdata of the last result
	// stay; those of this row are ignored.
	KeepText bool
	Status   json.RawMessage // nil or valid JSON
}

// Validate reports the first thing wrong with st, wrapping ErrInvalid.
func (st CheckState) Validate() error {
	if err := validName("check id", st.CheckID); err != nil {
		return err
	}
	if !st.State.Valid() {
		return fmt.Errorf("%w: check %q: state %d is not 0..3", ErrInvalid, st.CheckID, int(st.State))
	}
	if err := st.Type.valid(); err != nil {
		return fmt.Errorf("check %q: %w", st.CheckID, err)
	}
	if st.Attempt < 0 {
		return fmt.Errorf("%w: check %q: attempt %d is negative", ErrInvalid, st.CheckID, st.Attempt)
	}
	if err := validLevel(st.Level); err != nil {
		return fmt.Errorf("check %q: %w", st.CheckID, err)
	}
	if math.IsNaN(st.PercentChange) || st.PercentChange < 0 || st.PercentChange > 100 {
		return fmt.Errorf("%w: check %q: percent change %v is not within 0..100", ErrInvalid, st.CheckID, st.PercentChange)
	}
	for _, t := range []struct {
		what string
		at   time.Time
	}{{"last check", st.LastCheck}, {"last change", st.LastChange}, {"last hard change", st.LastHardChange}} {
		if err := validOptionalTime(t.what, t.at); err != nil {
			return fmt.Errorf("check %q: %w", st.CheckID, err)
		}
	}
	if len(st.Status) > 0 && !json.Valid(st.Status) {
		return fmt.Errorf("%w: check %q: status is not valid JSON", ErrInvalid, st.CheckID)
	}
	return nil
}

func validLevel(l check.Level) error {
	if l < check.LevelOK || l > check.LevelError {
		return fmt.Errorf("%w: level %d is not 0..2", ErrInvalid, int(l))
	}
	return nil
}

// upsertState writes st unless the stored state has a later LastCheck, so a
// Commit of a batch gathered earlier never overwrites a newer state written
// by RecordChange or SaveState meanwhile.
const upsertState = `
INSERT INTO check_state (check_id, state, state_type, attempt, level, output, long_output,
	last_check, last_change, last_hard_change, flapping, percent_change, acknowledged, perfdata, status)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (check_id) DO UPDATE SET
	state = excluded.state, state_type = excluded.state_type, attempt = excluded.attempt,
	level = excluded.level, output = excluded.output,
	long_output = CASE WHEN ?16 THEN check_state.long_output ELSE excluded.long_output END,
	last_check = excluded.last_check, last_change = excluded.last_change,
	last_hard_change = excluded.last_hard_change, flapping = excluded.flapping,
	percent_change = excluded.percent_change, acknowledged = excluded.acknowledged,
	perfdata = CASE WHEN ?16 THEN check_state.perfdata ELSE excluded.perfdata END,
	status = excluded.status
WHERE coalesce(excluded.last_check, 0) >= coalesce(check_state.last_check, 0)`

func stateArgs(st CheckState) []any {
	var status sql.NullString
	if len(st.Status) > 0 {
		status = sql.NullString{String: string(st.Status), Valid: true}
	}
	return []any{st.CheckID, int(st.State), string(st.Type), st.Attempt, int(st.Level), st.Output, st.LongOutput,
		nullTime(st.LastCheck), nullTime(st.LastChange), nullTime(st.LastHardChange),
		st.Flapping, st.PercentChange, st.Acknowledged, st.Perfdata, status, st.KeepText}
}

// SaveState writes one check's state durably. A state whose LastCheck is
// older than the stored one is ignored (not an error): the newer state wins.
func (s *Store) SaveState(ctx context.Context, st CheckState) error {
	if err := st.Validate(); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return s.inTx(ctx, fmt.Sprintf("save state of %q", st.CheckID), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, upsertState, stateArgs(st)...)
		return err
	})
}

// DeleteState forgets the current state of a check (for example one removed
// from the configuration). Its history stays.
func (s *Store) DeleteState(ctx context.Context, checkID string) error {
	if err := validName("check id", checkID); err != nil {
		return fmt.Errorf("delete state: %w", err)
	}
	return s.inTx(ctx, fmt.Sprintf("delete state of %q", checkID), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM check_state WHERE check_id = ?`, checkID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: no state for check %q", ErrNotFound, checkID)
		}
		return nil
	})
}

// DeleteStates forgets the current state of every check in checkIDs in one
// transaction (a reload that removes many checks at once) and returns how
// many states it deleted; a check without a stored state is skipped. Their
// history stays. If any id is invalid nothing is deleted.
func (s *Store) DeleteStates(ctx context.Context, checkIDs []string) (int, error) {
	for i, id := range checkIDs {
		if err := validName("check id", id); err != nil {
			return 0, fmt.Errorf("delete states: id %d: %w", i, err)
		}
	}
	if len(checkIDs) == 0 {
		return 0, nil
	}
	deleted := 0
	err := s.inTx(ctx, fmt.Sprintf("delete the states of %d checks", len(checkIDs)), func(tx *sql.Tx) error {
		del, err := tx.PrepareContext(ctx, `DELETE FROM check_state WHERE check_id = ?`)
		if err != nil {
			return err
		}
		defer del.Close()
		for _, id := range checkIDs {
			res, err := del.ExecContext(ctx, id)
			if err != nil {
				return fmt.Errorf("state of %q: %w", id, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("state of %q: %w", id, err)
			}
			deleted += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return deleted, nil
}

const stateColumns = `check_id, state, state_type, attempt, level, output, long_output,
	last_check, last_change, last_hard_change, flapping, percent_change, acknowledged, perfdata, status`

func scanState(sc interface{ Scan(...any) error }) (CheckState, error) {
	var (
		st                          CheckState
		state, level                int
		typ                         string
		lastCheck, lastChange, hard sql.NullInt64
		status                      sql.NullString
	)
	err := sc.Scan(&st.CheckID, &state, &typ, &st.Attempt, &level, &st.Output, &st.LongOutput,
		&lastCheck, &lastChange, &hard, &st.Flapping, &st.PercentChange, &st.Acknowledged, &st.Perfdata, &status)
	if err != nil {
		return st, err
	}
	st.State, st.Type, st.Level = check.State(state), StateType(typ), check.Level(level)
	st.LastCheck, st.LastChange, st.LastHardChange = fromNull(lastCheck), fromNull(lastChange), fromNull(hard)
	if status.Valid {
		st.Status = json.RawMessage(status.String)
	}
	return st, nil
}

// State returns the stored state of one check, or an error wrapping
// ErrNotFound.
func (s *Store) State(ctx context.Context, checkID string) (CheckState, error) {
	if err := validName("check id", checkID); err != nil {
		return CheckState{}, fmt.Errorf("read state: %w", err)
	}
	st, err := scanState(s.read.QueryRowContext(ctx, `SELECT `+stateColumns+` FROM check_state WHERE check_id = ?`, checkID))
	if errors.Is(err, sql.ErrNoRows) {
		return CheckState{}, fmt.Errorf("read state: %w: no state for check %q", ErrNotFound, checkID)
	}
	if err != nil {
		return CheckState{}, fmt.Errorf("read state of %q: %w", checkID, err)
	}
	return st, nil
}

// States returns the stored state of every check, ordered by check id: what
// the daemon restores at start-up.
func (s *Store) States(ctx context.Context) ([]CheckState, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+stateColumns+` FROM check_state ORDER BY check_id`)
	if err != nil {
		return nil, fmt.Errorf("read states: %w", err)
	}
	defer rows.Close()
	var out []CheckState
	for rows.Next() {
		st, err := scanState(rows)
		if err != nil {
			return nil, fmt.Errorf("read states: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read states: %w", err)
	}
	return out, nil
}
