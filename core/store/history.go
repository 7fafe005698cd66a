package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vakt/vakt/core/check"
)

// Transition is one state change of a check, as kept in the append-only
// history. ID is assigned by the store.
type Transition struct {
	ID       int64
	CheckID  string
	Time     time.Time
	From, To check.State
	Type     StateType
	// Attempt is the attempt after the change (Nagios' alert log: a soft
	// recovery is OK;SOFT;N+1). 0 is taken as 1.
	Attempt int
	Level   check.Level // the level after the change
	// Kind says what happened, in the state machine's words: "problem",
	// "recovery", "flapping_start" ... It must not be empty.
	Kind   string
	Notify bool
	// Suppressed says why a change that would notify does not ("ack",
	// "downtime", "flapping" ...); empty when it is not suppressed.
	Suppressed string
	Output     string
	// Detail is the whole transition as its producer describes it
	// (JSON; the engine's state.Transition), nil for none.
	Detail json.RawMessage
}

// Validate reports the first thing wrong with t, wrapping ErrInvalid.
func (t Transition) Validate() error {
	if err := validName("check id", t.CheckID); err != nil {
		return err
	}
	if err := validTime("transition time", t.Time); err != nil {
		return fmt.Errorf("check %q: %w", t.CheckID, err)
	}
	if !t.From.Valid() || !t.To.Valid() {
		return fmt.Errorf("%w: check %q: transition %d -> %d: states must be 0..3", ErrInvalid, t.CheckID, int(t.From), int(t.To))
	}
	if err := t.Type.valid(); err != nil {
		return fmt.Errorf("check %q: %w", t.CheckID, err)
	}
	if err := validLevel(t.Level); err != nil {
		return fmt.Errorf("check %q: %w", t.CheckID, err)
	}
	if err := validName("transition kind", t.Kind); err != nil {
		return fmt.Errorf("check %q: %w", t.CheckID, err)
	}
	if t.Attempt < 0 {
		return fmt.Errorf("%w: check %q: attempt %d is negative", ErrInvalid, t.CheckID, t.Attempt)
	}
	if len(t.Detail) > 0 && !json.Valid(t.Detail) {
		return fmt.Errorf("%w: check %q: transition detail is not valid JSON", ErrInvalid, t.CheckID)
	}
	return nil
}

// Change is everything one state change writes, all in one transaction: the
// transition, optionally the check's state after it, and the notifications
// it causes.
type Change struct {
	Transition Transition
	// State, when not nil, is the check's state after the transition; its
	// CheckID must be the transition's.
	State *CheckState
	// Notifications go to the outbox; RecordChange sets their TransitionID.
	Notifications []Notification
}

// Validate reports the first thing wrong with c, wrapping ErrInvalid: its
// transition, its state (which must be of the transition's check) and its
// notifications, checked as Enqueue checks them.
func (c Change) Validate() error {
	_, err := c.prepared(time.Now())
	return err
}

// prepared validates c and returns a copy whose notifications have their
// defaults filled in (see Notification.prepared).
func (c Change) prepared(now time.Time) (Change, error) {
	if err := c.Transition.Validate(); err != nil {
		return Change{}, err
	}
	if c.State != nil {
		if err := c.State.Validate(); err != nil {
			return Change{}, err
		}
		if c.State.CheckID != c.Transition.CheckID {
			return Change{}, fmt.Errorf("%w: state is for check %q, transition for %q",
				ErrInvalid, c.State.CheckID, c.Transition.CheckID)
		}
	}
	out := Change{Transition: c.Transition, State: c.State, Notifications: make([]Notification, len(c.Notifications))}
	for i, n := range c.Notifications {
		n, err := n.prepared(now)
		if err != nil {
			return Change{}, fmt.Errorf("change of %q: notification %d: %w", c.Transition.CheckID, i, err)
		}
		out.Notifications[i] = n
	}
	return out, nil
}

// RecordChange writes c durably and returns it with the ids the store
// assigned (Transition.ID, Notifications[i].ID and TransitionID, and the
// defaults Enqueue fills in). It returns only after the commit, so the caller
// may act on the change (send its notifications) as soon as it returns.
func (s *Store) RecordChange(ctx context.Context, c Change) (Change, error) {
	prepared, err := c.prepared(s.opts.Now())
	if err != nil {
		return Change{}, fmt.Errorf("record change: %w", err)
	}
	out := []Change{prepared}
	if err := s.inTx(ctx, fmt.Sprintf("record change of %q", c.Transition.CheckID), func(tx *sql.Tx) error {
		return insertChanges(ctx, tx, out)
	}); err != nil {
		return Change{}, err
	}
	return out[0], nil
}

// RecordChanges writes changes durably in one transaction, in their order,
// and returns them with the ids the store assigned, as RecordChange does for
// one. It returns only after the commit. A burst of changes (a downtime
// starting on a thousand checks, a thousand passive checks going stale at
// once) costs one commit and one fsync instead of one each. If any change is
// invalid nothing is written and the error names it by index; no changes
// write nothing.
func (s *Store) RecordChanges(ctx context.Context, changes []Change) ([]Change, error) {
	out := make([]Change, len(changes))
	now := s.opts.Now()
	for i, c := range changes {
		prepared, err := c.prepared(now)
		if err != nil {
			return nil, fmt.Errorf("record changes: change %d: %w", i, err)
		}
		out[i] = prepared
	}
	if len(out) == 0 {
		return out, nil
	}
	if err := s.inTx(ctx, fmt.Sprintf("record %d changes", len(out)), func(tx *sql.Tx) error {
		return insertChanges(ctx, tx, out)
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// insertChanges writes prepared changes in tx and sets the ids the store
// assigns in them.
func insertChanges(ctx context.Context, tx *sql.Tx, changes []Change) error {
	insert, err := tx.PrepareContext(ctx, `INSERT INTO transitions
		(check_id, at, from_state, to_state, state_type, attempt, level, kind, notify, suppressed, output, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	if err != nil {
		return err
	}
	defer insert.Close()
	for i := range changes {
		c := &changes[i]
		t := &c.Transition
		detail := "{}"
		if len(t.Detail) > 0 {
			detail = string(t.Detail)
		}
		err := insert.QueryRowContext(ctx, t.CheckID, t.Time.UnixNano(), int(t.From), int(t.To), string(t.Type),
			max(t.Attempt, 1), int(t.Level), t.Kind, t.Notify, t.Suppressed, t.Output, detail).Scan(&t.ID)
		if err != nil {
			return fmt.Errorf("insert transition of %q: %w", t.CheckID, err)
		}
		if c.State != nil {
			if _, err := tx.ExecContext(ctx, upsertState, stateArgs(*c.State)...); err != nil {
				return fmt.Errorf("save state of %q: %w", t.CheckID, err)
			}
		}
		for j := range c.Notifications {
			c.Notifications[j].TransitionID = t.ID
			if err := insertNotification(ctx, tx, &c.Notifications[j]); err != nil {
				return fmt.Errorf("enqueue notification %d of %q: %w", j, t.CheckID, err)
			}
		}
	}
	return nil
}

// TransitionQuery selects history rows.
type TransitionQuery struct {
	CheckID string    // empty: every check
	From    time.Time // inclusive; zero: from the beginning
	To      time.Time // exclusive; zero: up to now
	Limit   int       // 0: no limit
	// NewestFirst orders by time descending; the default is oldest first.
	NewestFirst bool
}

const transitionColumns = `id, check_id, at, from_state, to_state, state_type, attempt, level, kind, notify, suppressed, output, detail`

func scanTransition(sc interface{ Scan(...any) error }) (Transition, error) {
	var (
		t               Transition
		at              int64
		from, to, level int
		typ, detail     string
	)
	if err := sc.Scan(&t.ID, &t.CheckID, &at, &from, &to, &typ, &t.Attempt, &level, &t.Kind, &t.Notify, &t.Suppressed, &t.Output, &detail); err != nil {
		return t, err
	}
	if detail != "{}" {
		t.Detail = json.RawMessage(detail)
	}
	t.Time, t.From, t.To, t.Type, t.Level = fromNanos(at), check.State(from), check.State(to), StateType(typ), check.Level(level)
	return t, nil
}

// Transitions returns the history rows q selects, ordered by time (then id).
func (s *Store) Transitions(ctx context.Context, q TransitionQuery) ([]Transition, error) {
	if q.CheckID != "" {
		if err := validName("check id", q.CheckID); err != nil {
			return nil, fmt.Errorf("read transitions: %w", err)
		}
	}
	if q.Limit < 0 {
		return nil, fmt.Errorf("read transitions: %w: limit %d is negative", ErrInvalid, q.Limit)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return nil, fmt.Errorf("read transitions: %w: from %s is not before to %s", ErrInvalid,
			q.From.Format(time.RFC3339Nano), q.To.Format(time.RFC3339Nano))
	}
	var (
		where []string
		args  []any
	)
	if q.CheckID != "" {
		where, args = append(where, "check_id = ?"), append(args, q.CheckID)
	}
	if !q.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, q.From.UnixNano())
	}
	if !q.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, q.To.UnixNano())
	}
	query := `SELECT ` + transitionColumns + ` FROM transitions`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	if q.NewestFirst {
		query += ` ORDER BY at DESC, id DESC`
	} else {
		query += ` ORDER BY at, id`
	}
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read transitions: %w", err)
	}
	defer rows.Close()
	var out []Transition
	for rows.Next() {
		t, err := scanTransition(rows)
		if err != nil {
			return nil, fmt.Errorf("read transitions: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read transitions: %w", err)
	}
	return out, nil
}

// Transition returns one history row by id, or an error wrapping ErrNotFound.
func (s *Store) Transition(ctx context.Context, id int64) (Transition, error) {
	t, err := scanTransition(s.read.QueryRowContext(ctx, `SELECT `+transitionColumns+` FROM transitions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Transition{}, fmt.Errorf("read transition: %w: no transition %d", ErrNotFound, id)
	}
	if err != nil {
		return Transition{}, fmt.Errorf("read transition %d: %w", id, err)
	}
	return t, nil
}

// TransitionsAfter returns up to limit history rows with an id above
// afterID, in id order: how a consumer resumes where it stopped.
func (s *Store) TransitionsAfter(ctx context.Context, afterID int64, limit int) ([]Transition, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("read transitions: %w: limit %d must be positive", ErrInvalid, limit)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+transitionColumns+` FROM transitions WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("read transitions after %d: %w", afterID, err)
	}
	defer rows.Close()
	var out []Transition
	for rows.Next() {
		t, err := scanTransition(rows)
		if err != nil {
			return nil, fmt.Errorf("read transitions after %d: %w", afterID, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read transitions after %d: %w", afterID, err)
	}
	return out, nil
}
