package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// OutboxStatus is where a notification is in its life.
type OutboxStatus string

// A notification is pending until it is sent or has used up its attempts.
// A pending row that is leased (LeaseUntil after now) is being worked on.
const (
	OutboxPending OutboxStatus = "pending"
	OutboxSent    OutboxStatus = "sent"
	OutboxDead    OutboxStatus = "dead"
)

// Notification is one message to send, as a row of the outbox. The caller
// sets TransitionID (or leaves it 0), Notifier, Recipient, Payload and
// optionally NextAttempt and Created; the store keeps the rest.
type Notification struct {
	ID           int64
	TransitionID int64 // 0: not caused by a transition
	Notifier     string
	Recipient    string // may be empty for notifiers that need none
	Payload      json.RawMessage
	// NextAttempt is when the row becomes due; zero means now.
	NextAttempt time.Time
	Status      OutboxStatus
	// Attempts counts claims: a claim that never reports back (a crash)
	// counts as an attempt too.
	Attempts   int
	LeaseOwner string
	LeaseUntil time.Time
	LastError  string
	Created    time.Time // zero: the store's clock at enqueue
	Finished   time.Time // when it was sent or marked dead
}

// prepared validates n and fills the defaults of a new row.
func (n Notification) prepared(now time.Time) (Notification, error) {
	if err := validName("notifier", n.Notifier); err != nil {
		return n, err
	}
	if n.Recipient != "" {
		if err := validName("recipient", n.Recipient); err != nil {
			return n, err
		}
	}
	if len(n.Payload) == 0 || !json.Valid(n.Payload) {
		return n, fmt.Errorf("%w: payload of notification to %s %q is not valid JSON", ErrInvalid, n.Notifier, n.Recipient)
	}
	if n.TransitionID < 0 {
		return n, fmt.Errorf("%w: transition id %d is negative", ErrInvalid, n.TransitionID)
	}
	if n.Created.IsZero() {
		n.Created = now
	}
	if n.NextAttempt.IsZero() {
		n.NextAttempt = n.Created
	}
	if err := validTime("created", n.Created); err != nil {
		return n, err
	}
	if err := validTime("next attempt", n.NextAttempt); err != nil {
		return n, err
	}
	n.ID, n.Status, n.Attempts, n.LeaseOwner, n.LeaseUntil, n.LastError, n.Finished =
		0, OutboxPending, 0, "", time.Time{}, "", time.Time{}
	return n, nil
}

func insertNotification(ctx context.Context, tx *sql.Tx, n *Notification) error {
	var transition sql.NullInt64
	if n.TransitionID != 0 {
		transition = sql.NullInt64{Int64: n.TransitionID, Valid: true}
	}
	return tx.QueryRowContext(ctx, `INSERT INTO outbox
		(transition_id, notifier, recipient, payload, status, next_attempt, created)
		VALUES (?, ?, ?, ?, 'pending', ?, ?) RETURNING id`,
		transition, n.Notifier, n.Recipient, string(n.Payload), n.NextAttempt.UnixNano(), n.Created.UnixNano()).Scan(&n.ID)
}

// Enqueue writes one notification durably and returns it as stored. A
// TransitionID that does not exist is an error.
func (s *Store) Enqueue(ctx context.Context, n Notification) (Notification, error) {
	n, err := n.prepared(s.opts.Now())
	if err != nil {
		return Notification{}, fmt.Errorf("enqueue notification: %w", err)
	}
	err = s.inTx(ctx, fmt.Sprintf("enqueue notification to %s %q", n.Notifier, n.Recipient), func(tx *sql.Tx) error {
		return insertNotification(ctx, tx, &n)
	})
	if err != nil {
		return Notification{}, err
	}
	return n, nil
}

const outboxColumns = `id, transition_id, notifier, recipient, payload, status, attempts, next_attempt,
	lease_owner, lease_until, last_error, created, finished`

func scanNotification(sc interface{ Scan(...any) error }) (Notification, error) {
	var (
		n                            Notification
		transition, leaseUntil, done sql.NullInt64
		owner                        sql.NullString
		payload, status              string
		next, created                int64
	)
	err := sc.Scan(&n.ID, &transition, &n.Notifier, &n.Recipient, &payload, &status, &n.Attempts, &next,
		&owner, &leaseUntil, &n.LastError, &created, &done)
	if err != nil {
		return n, err
	}
	n.TransitionID, n.Payload, n.Status = transition.Int64, json.RawMessage(payload), OutboxStatus(status)
	n.NextAttempt, n.LeaseOwner, n.LeaseUntil = fromNanos(next), owner.String, fromNull(leaseUntil)
	n.Created, n.Finished = fromNanos(created), fromNull(done)
	return n, nil
}

// Claim leases up to limit due notifications to owner until now+lease and
// returns them, oldest due first. A row is due when it is pending, its
// NextAttempt is not after now, and it is not leased (or its lease has
// expired, as after a crash of the worker that held it). Two workers never
// get the same row while its lease lasts. Each claim counts as an attempt.
func (s *Store) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Notification, error) {
	if err := validName("lease owner", owner); err != nil {
		return nil, fmt.Errorf("claim notifications: %w", err)
	}
	if err := validTime("now", now); err != nil {
		return nil, fmt.Errorf("claim notifications: %w", err)
	}
	if lease <= 0 || limit <= 0 {
		return nil, fmt.Errorf("claim notifications: %w: lease %s and limit %d must be positive", ErrInvalid, lease, limit)
	}
	var out []Notification
	err := s.inTx(ctx, "claim notifications for "+owner, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE outbox
			SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
			WHERE id IN (
				SELECT id FROM outbox
				WHERE status = 'pending' AND next_attempt <= ? AND coalesce(lease_until, 0) <= ?
				ORDER BY next_attempt, id LIMIT ?)
			RETURNING `+outboxColumns,
			owner, now.Add(lease).UnixNano(), now.UnixNano(), now.UnixNano(), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			n, err := scanNotification(rows)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Notification) int {
		if c := a.NextAttempt.Compare(b.NextAttempt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// MarkSent records that a claimed notification was delivered. n must be the
// row as Claim returned it; if it has been claimed again since (the lease
// expired), the error wraps ErrLeaseLost and nothing changes.
func (s *Store) MarkSent(ctx context.Context, n Notification, now time.Time) error {
	if err := validTime("now", now); err != nil {
		return fmt.Errorf("mark notification %d sent: %w", n.ID, err)
	}
	return s.inTx(ctx, fmt.Sprintf("mark notification %d sent", n.ID), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox
			SET status = 'sent', finished = ?, lease_owner = NULL, lease_until = NULL
			WHERE id = ? AND status = 'pending' AND attempts = ? AND lease_owner = ?`,
			now.UnixNano(), n.ID, n.Attempts, n.LeaseOwner)
		if err != nil {
			return err
		}
		return leaseHeld(res, n)
	})
}

// MarkFailed records a failed attempt of a claimed notification: it becomes
// due again after the backoff (FirstBackoff doubled per earlier attempt, at
// most MaxBackoff), or dead once it has had MaxAttempts attempts. It returns
// the row as stored. A lost lease is reported as for MarkSent.
func (s *Store) MarkFailed(ctx context.Context, n Notification, now time.Time, lastError string) (Notification, error) {
	if err := validTime("now", now); err != nil {
		return Notification{}, fmt.Errorf("mark notification %d failed: %w", n.ID, err)
	}
	status, next, finished := OutboxPending, now.Add(s.backoff(n.Attempts)), sql.NullInt64{}
	if n.Attempts >= s.opts.Outbox.MaxAttempts {
		status, next, finished = OutboxDead, now, nullTime(now)
	}
	var out Notification
	err := s.inTx(ctx, fmt.Sprintf("mark notification %d failed", n.ID), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox
			SET status = ?, next_attempt = ?, last_error = ?, finished = ?, lease_owner = NULL, lease_until = NULL
			WHERE id = ? AND status = 'pending' AND attempts = ? AND lease_owner = ?`,
			string(status), next.UnixNano(), lastError, finished, n.ID, n.Attempts, n.LeaseOwner)
		if err != nil {
			return err
		}
		if err := leaseHeld(res, n); err != nil {
			return err
		}
		out, err = scanNotification(tx.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, n.ID))
		return err
	})
	return out, err
}

// backoff is the wait after the attempts-th failed attempt.
func (s *Store) backoff(attempts int) time.Duration {
	d := s.opts.Outbox.FirstBackoff
	for i := 1; i < attempts && d < s.opts.Outbox.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.opts.Outbox.MaxBackoff)
}

func leaseHeld(res sql.Result, n Notification) error {
	affected, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if affected == 0 {
		return fmt.Errorf("%w: notification %d is no longer leased to %q for attempt %d", ErrLeaseLost, n.ID, n.LeaseOwner, n.Attempts)
	}
	return nil
}

// Notification returns one outbox row by id, or an error wrapping
// ErrNotFound.
func (s *Store) Notification(ctx context.Context, id int64) (Notification, error) {
	n, err := scanNotification(s.read.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Notification{}, fmt.Errorf("read notification: %w: no notification %d", ErrNotFound, id)
	}
	if err != nil {
		return Notification{}, fmt.Errorf("read notification %d: %w", id, err)
	}
	return n, nil
}

// Outbox lists notifications with the given status (empty: all), oldest
// first, at most limit (0: no limit).
func (s *Store) Outbox(ctx context.Context, status OutboxStatus, limit int) ([]Notification, error) {
	switch status {
	case "", OutboxPending, OutboxSent, OutboxDead:
	default:
		return nil, fmt.Errorf("list outbox: %w: status %q: want pending, sent or dead", ErrInvalid, string(status))
	}
	if limit < 0 {
		return nil, fmt.Errorf("list outbox: %w: limit %d is negative", ErrInvalid, limit)
	}
	if limit == 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox
		WHERE ? = '' OR status = ? ORDER BY id LIMIT ?`, string(status), string(status), limit)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, fmt.Errorf("list outbox: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return out, nil
}
