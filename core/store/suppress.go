package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Ack is an acknowledgement of a check's problem. A normal ack ends at any
// state change, a sticky one only at OK; the state machine decides and calls
// CancelAck. ID is assigned by the store.
type Ack struct {
	ID        int64
	CheckID   string
	Author    string
	Comment   string
	Sticky    bool
	Created   time.Time // zero: the store's clock
	Cancelled time.Time // zero while the ack is in effect
}

// Downtime is a maintenance window. A fixed downtime is in effect from Start
// to End; a flexible one starts when a problem starts inside Start..End
// (Triggered) and then lasts Duration. ID is assigned by the store.
type Downtime struct {
	ID        int64
	CheckID   string
	Author    string
	Comment   string
	Start     time.Time
	End       time.Time
	Duration  time.Duration // flexible: required; fixed: End-Start when zero
	Fixed     bool
	Triggered time.Time // flexible: when it started, zero until then
	Created   time.Time // zero: the store's clock
	Cancelled time.Time // zero unless cancelled
}

// Filter selects acks or downtimes.
type Filter struct {
	CheckID string // empty: every check
	// ActiveAt, when set, keeps only rows not cancelled and, for downtimes,
	// not over at that time (a window still to come is kept).
	ActiveAt time.Time
}

func validAuthored(what, checkID, author string) error {
	if err := validName("check id", checkID); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := validName("author", author); err != nil {
		return fmt.Errorf("%s for %q: %w", what, checkID, err)
	}
	return nil
}

// AddAck writes an acknowledgement durably and returns it with its ID.
func (s *Store) AddAck(ctx context.Context, a Ack) (Ack, error) {
	if err := validAuthored("add ack", a.CheckID, a.Author); err != nil {
		return Ack{}, err
	}
	if a.Created.IsZero() {
		a.Created = s.opts.Now()
	}
	if err := validTime("created", a.Created); err != nil {
		return Ack{}, fmt.Errorf("add ack for %q: %w", a.CheckID, err)
	}
	a.Cancelled = time.Time{}
	err := s.inTx(ctx, fmt.Sprintf("add ack for %q", a.CheckID), func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO acks (check_id, author, comment, sticky, created)
			VALUES (?, ?, ?, ?, ?) RETURNING id`,
			a.CheckID, a.Author, a.Comment, a.Sticky, a.Created.UnixNano()).Scan(&a.ID)
	})
	if err != nil {
		return Ack{}, err
	}
	return a, nil
}

// CancelAck ends an acknowledgement at time at. An ack that does not exist
// or is already cancelled is an error wrapping ErrNotFound.
func (s *Store) CancelAck(ctx context.Context, id int64, at time.Time) error {
	return s.cancel(ctx, "acks", "ack", id, at)
}

// CancelDowntime ends a downtime at time at, as CancelAck does for acks.
func (s *Store) CancelDowntime(ctx context.Context, id int64, at time.Time) error {
	return s.cancel(ctx, "downtimes", "downtime", id, at)
}

// cancel sets cancelled on one active row of table (a constant, never input).
func (s *Store) cancel(ctx context.Context, table, what string, id int64, at time.Time) error {
	if err := validTime("cancel time", at); err != nil {
		return fmt.Errorf("cancel %s %d: %w", what, id, err)
	}
	return s.inTx(ctx, fmt.Sprintf("cancel %s %d", what, id), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE `+table+` SET cancelled = ? WHERE id = ? AND cancelled IS NULL`, at.UnixNano(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: no active %s %d", ErrNotFound, what, id)
		}
		return nil
	})
}

// Acks lists acknowledgements, oldest first.
func (s *Store) Acks(ctx context.Context, f Filter) ([]Ack, error) {
	where, args, err := f.where("ack", "")
	if err != nil {
		return nil, fmt.Errorf("list acks: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, check_id, author, comment, sticky, created, cancelled
		FROM acks`+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list acks: %w", err)
	}
	defer rows.Close()
	var out []Ack
	for rows.Next() {
		var (
			a         Ack
			created   int64
			cancelled sql.NullInt64
		)
		if err := rows.Scan(&a.ID, &a.CheckID, &a.Author, &a.Comment, &a.Sticky, &created, &cancelled); err != nil {
			return nil, fmt.Errorf("list acks: %w", err)
		}
		a.Created, a.Cancelled = fromNanos(created), fromNull(cancelled)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list acks: %w", err)
	}
	return out, nil
}

// where builds the WHERE clause of a Filter. over is the SQL condition for
// "no longer in effect at ?" (downtimes only).
func (f Filter) where(what, over string) (string, []any, error) {
	var (
		cond []string
		args []any
	)
	if f.CheckID != "" {
		if err := validName("check id", f.CheckID); err != nil {
			return "", nil, err
		}
		cond, args = append(cond, "check_id = ?"), append(args, f.CheckID)
	}
	if !f.ActiveAt.IsZero() {
		if err := validTime(what+" filter time", f.ActiveAt); err != nil {
			return "", nil, err
		}
		cond = append(cond, "cancelled IS NULL")
		if over != "" {
			cond = append(cond, "NOT ("+over+")")
			args = append(args, f.ActiveAt.UnixNano(), f.ActiveAt.UnixNano())
		}
	}
	if len(cond) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(cond, " AND "), args, nil
}

// AddDowntime writes a downtime durably and returns it with its ID.
func (s *Store) AddDowntime(ctx context.Context, d Downtime) (Downtime, error) {
	if err := validAuthored("add downtime", d.CheckID, d.Author); err != nil {
		return Downtime{}, err
	}
	if d.Created.IsZero() {
		d.Created = s.opts.Now()
	}
	for _, t := range []struct {
		what string
		at   time.Time
	}{{"start", d.Start}, {"end", d.End}, {"created", d.Created}} {
		if err := validTime(t.what, t.at); err != nil {
			return Downtime{}, fmt.Errorf("add downtime for %q: %w", d.CheckID, err)
		}
	}
	if err := validOptionalTime("triggered", d.Triggered); err != nil {
		return Downtime{}, fmt.Errorf("add downtime for %q: %w", d.CheckID, err)
	}
	if !d.End.After(d.Start) {
		return Downtime{}, fmt.Errorf("add downtime for %q: %w: end %s is not after start %s", d.CheckID, ErrInvalid,
			d.End.Format(time.RFC3339), d.Start.Format(time.RFC3339))
	}
	if d.Fixed && d.Duration == 0 {
		d.Duration = d.End.Sub(d.Start)
	}
	if d.Duration <= 0 {
		return Downtime{}, fmt.Errorf("add downtime for %q: %w: a flexible downtime needs a positive duration, got %s",
			d.CheckID, ErrInvalid, d.Duration)
	}
	d.Cancelled = time.Time{}
	err := s.inTx(ctx, fmt.Sprintf("add downtime for %q", d.CheckID), func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO downtimes
			(check_id, author, comment, start_at, end_at, duration, fixed, triggered, created)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			d.CheckID, d.Author, d.Comment, d.Start.UnixNano(), d.End.UnixNano(), int64(d.Duration), d.Fixed,
			nullTime(d.Triggered), d.Created.UnixNano()).Scan(&d.ID)
	})
	if err != nil {
		return Downtime{}, err
	}
	return d, nil
}

// TriggerDowntime records when a flexible downtime started. Triggering a
// fixed, cancelled, already triggered or unknown downtime is an error
// wrapping ErrNotFound.
func (s *Store) TriggerDowntime(ctx context.Context, id int64, at time.Time) error {
	if err := validTime("trigger time", at); err != nil {
		return fmt.Errorf("trigger downtime %d: %w", id, err)
	}
	return s.inTx(ctx, fmt.Sprintf("trigger downtime %d", id), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE downtimes SET triggered = ?
			WHERE id = ? AND fixed = 0 AND triggered IS NULL AND cancelled IS NULL`, at.UnixNano(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: no untriggered flexible downtime %d", ErrNotFound, id)
		}
		return nil
	})
}

// downtimeOver is true when a downtime is no longer in effect at ? (bound
// twice): a fixed or untriggered window that has ended, or a triggered
// flexible one whose duration has run out.
const downtimeOver = `CASE WHEN triggered IS NULL OR fixed = 1 THEN end_at <= ? ELSE triggered + duration <= ? END`

// Downtimes lists downtimes, oldest first.
func (s *Store) Downtimes(ctx context.Context, f Filter) ([]Downtime, error) {
	where, args, err := f.where("downtime", downtimeOver)
	if err != nil {
		return nil, fmt.Errorf("list downtimes: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, check_id, author, comment, start_at, end_at, duration, fixed,
		triggered, created, cancelled FROM downtimes`+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list downtimes: %w", err)
	}
	defer rows.Close()
	var out []Downtime
	for rows.Next() {
		var (
			d                    Downtime
			start, end, created  int64
			duration             int64
			triggered, cancelled sql.NullInt64
		)
		if err := rows.Scan(&d.ID, &d.CheckID, &d.Author, &d.Comment, &start, &end, &duration, &d.Fixed,
			&triggered, &created, &cancelled); err != nil {
			return nil, fmt.Errorf("list downtimes: %w", err)
		}
		d.Start, d.End, d.Duration = fromNanos(start), fromNanos(end), time.Duration(duration)
		d.Triggered, d.Created, d.Cancelled = fromNull(triggered), fromNanos(created), fromNull(cancelled)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list downtimes: %w", err)
	}
	return out, nil
}
