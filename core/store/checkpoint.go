package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Checkpoint is where a consumer of committed transitions stands: the last
// transition id it handled and its own state, opaque JSON.
type Checkpoint struct {
	Consumer string
	LastID   int64
	State    json.RawMessage
	Updated  time.Time
}

// Checkpoint returns the consumer's checkpoint; a consumer that never saved
// one gets LastID 0 and nil State.
func (s *Store) Checkpoint(ctx context.Context, consumer string) (Checkpoint, error) {
	if err := validName("consumer", consumer); err != nil {
		return Checkpoint{}, fmt.Errorf("read checkpoint: %w", err)
	}
	cp := Checkpoint{Consumer: consumer}
	var state string
	var updated int64
	err := s.read.QueryRowContext(ctx, `SELECT last_id, state, updated FROM notify_checkpoint WHERE consumer = ?`,
		consumer).Scan(&cp.LastID, &state, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return cp, nil
	}
	if err != nil {
		return Checkpoint{}, fmt.Errorf("read checkpoint of %q: %w", consumer, err)
	}
	cp.State, cp.Updated = json.RawMessage(state), fromNanos(updated)
	return cp, nil
}

// SaveCheckpoint writes the consumer's checkpoint and enqueues the
// notifications in one transaction, so that a consumer that resumes from
// its checkpoint never enqueues twice nor loses what it decided. It
// returns the notifications as stored. A LastID lower than the stored one
// is refused (wrapping ErrInvalid): checkpoints only move forward.
func (s *Store) SaveCheckpoint(ctx context.Context, cp Checkpoint, ns []Notification) ([]Notification, error) {
	if err := validName("consumer", cp.Consumer); err != nil {
		return nil, fmt.Errorf("save checkpoint: %w", err)
	}
	if cp.LastID < 0 {
		return nil, fmt.Errorf("save checkpoint of %q: %w: last id %d is negative", cp.Consumer, ErrInvalid, cp.LastID)
	}
	if len(cp.State) == 0 {
		cp.State = json.RawMessage(`{}`)
	}
	if !json.Valid(cp.State) {
		return nil, fmt.Errorf("save checkpoint of %q: %w: state is not valid JSON", cp.Consumer, ErrInvalid)
	}
	now := s.opts.Now()
	if cp.Updated.IsZero() {
		cp.Updated = now
	}
	out := make([]Notification, len(ns))
	for i, n := range ns {
		p, err := n.prepared(now)
		if err != nil {
			return nil, fmt.Errorf("save checkpoint of %q: notification %d: %w", cp.Consumer, i, err)
		}
		out[i] = p
	}
	err := s.inTx(ctx, "save checkpoint of "+cp.Consumer, func(tx *sql.Tx) error {
		var last int64
		err := tx.QueryRowContext(ctx, `SELECT last_id FROM notify_checkpoint WHERE consumer = ?`, cp.Consumer).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if cp.LastID < last {
			return fmt.Errorf("%w: last id %d is behind the stored %d", ErrInvalid, cp.LastID, last)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_checkpoint (consumer, last_id, state, updated)
			VALUES (?, ?, ?, ?) ON CONFLICT (consumer) DO UPDATE
			SET last_id = excluded.last_id, state = excluded.state, updated = excluded.updated`,
			cp.Consumer, cp.LastID, string(cp.State), cp.Updated.UnixNano()); err != nil {
			return err
		}
		for i := range out {
			if err := insertNotification(ctx, tx, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MarkDead records that a claimed notification will not be delivered (a
// permanent failure, or it expired): it is no longer claimed. It returns
// the row as stored. A lost lease is reported as for MarkSent.
func (s *Store) MarkDead(ctx context.Context, n Notification, now time.Time, lastError string) (Notification, error) {
	if err := validTime("now", now); err != nil {
		return Notification{}, fmt.Errorf("mark notification %d dead: %w", n.ID, err)
	}
	var out Notification
	err := s.inTx(ctx, fmt.Sprintf("mark notification %d dead", n.ID), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox
			SET status = 'dead', last_error = ?, finished = ?, lease_owner = NULL, lease_until = NULL
			WHERE id = ? AND status = 'pending' AND attempts = ? AND lease_owner = ?`,
			lastError, now.UnixNano(), n.ID, n.Attempts, n.LeaseOwner)
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
