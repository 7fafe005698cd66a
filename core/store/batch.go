package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// PerfSamples are the perfdata values of one result of one check.
type PerfSamples struct {
	CheckID string
	At      time.Time
	Values  []PerfValue
}

// Validate reports the first thing wrong with p, wrapping ErrInvalid.
func (p PerfSamples) Validate() error {
	if err := validName("check id", p.CheckID); err != nil {
		return err
	}
	if err := validTime("perfdata time", p.At); err != nil {
		return fmt.Errorf("check %q: %w", p.CheckID, err)
	}
	for _, v := range p.Values {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("check %q: %w", p.CheckID, err)
		}
	}
	return nil
}

// Batch is everything a group commit writes in one transaction, in this
// order: the transitions (Changes, in their order, each with the
// notifications it causes), the checks' states, the perfdata samples, and
// last the states of removed checks deleted. A state older than the stored
// one (by LastCheck) never replaces it.
type Batch struct {
	Changes []Change
	States  []CheckState
	Perf    []PerfSamples
	// Deletes are checks whose state is forgotten (their history stays).
	Deletes []string
}

// Len is the number of items in b.
func (b *Batch) Len() int { return len(b.Changes) + len(b.States) + len(b.Perf) + len(b.Deletes) }

// Validate reports the first thing wrong with b, wrapping ErrInvalid. Its
// producer validates each item as it adds it, so that one bad item is
// refused on its own instead of failing a whole commit.
func (b *Batch) Validate() error {
	for i, c := range b.Changes {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("change %d: %w", i, err)
		}
	}
	for i, st := range b.States {
		if err := st.Validate(); err != nil {
			return fmt.Errorf("state %d: %w", i, err)
		}
	}
	for i, p := range b.Perf {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("perfdata %d: %w", i, err)
		}
	}
	for i, id := range b.Deletes {
		if err := validName("check id", id); err != nil {
			return fmt.Errorf("delete %d: %w", i, err)
		}
	}
	return nil
}

// Commit writes b in one transaction (one fsync however much it holds) and
// returns its changes with the ids the store assigned. b must be valid
// (see Validate): Commit does not check it again, since the group committer
// that calls it has checked each item once. Nothing is written when it
// fails; the caller keeps b and tries again.
func (s *Store) Commit(ctx context.Context, b Batch) ([]Change, error) {
	if b.Len() == 0 {
		return nil, nil
	}
	changes := make([]Change, len(b.Changes))
	now := s.opts.Now()
	for i, c := range b.Changes {
		prepared, err := c.prepared(now)
		if err != nil {
			return nil, fmt.Errorf("commit: change %d: %w", i, err)
		}
		changes[i] = prepared
	}
	fresh := map[seriesKey]seriesEntry{}
	what := fmt.Sprintf("commit %d transitions, %d states, %d results' perfdata, %d deletions",
		len(b.Changes), len(b.States), len(b.Perf), len(b.Deletes))
	err := s.inTx(ctx, what, func(tx *sql.Tx) error {
		if len(changes) > 0 {
			if err := insertChanges(ctx, tx, changes); err != nil {
				return err
			}
		}
		if len(b.States) > 0 {
			upsert, err := tx.PrepareContext(ctx, upsertState)
			if err != nil {
				return err
			}
			defer upsert.Close()
			for _, st := range b.States {
				if _, err := upsert.ExecContext(ctx, stateArgs(st)...); err != nil {
					return fmt.Errorf("state of %q: %w", st.CheckID, err)
				}
			}
		}
		if len(b.Perf) > 0 {
			if err := s.insertPerf(ctx, tx, fresh, b.Perf); err != nil {
				return err
			}
		}
		if len(b.Deletes) > 0 {
			del, err := tx.PrepareContext(ctx, `DELETE FROM check_state WHERE check_id = ?`)
			if err != nil {
				return err
			}
			defer del.Close()
			for _, id := range b.Deletes {
				if _, err := del.ExecContext(ctx, id); err != nil {
					return fmt.Errorf("state of %q: %w", id, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.series.merge(fresh)
	return changes, nil
}

// insertPerf writes perfdata samples in tx; fresh collects the series it
// created.
func (s *Store) insertPerf(ctx context.Context, tx *sql.Tx, fresh map[seriesKey]seriesEntry, perf []PerfSamples) error {
	series, err := tx.PrepareContext(ctx, upsertSeries)
	if err != nil {
		return err
	}
	defer series.Close()
	raw, err := tx.PrepareContext(ctx, insertRaw)
	if err != nil {
		return err
	}
	defer raw.Close()
	for _, p := range perf {
		at := p.At.UnixNano()
		for _, v := range p.Values {
			id, err := s.seriesID(ctx, series, fresh, seriesKey{p.CheckID, v.Label}, v.UOM)
			if err != nil {
				return err
			}
			if _, err := raw.ExecContext(ctx, id, at, v.Value); err != nil {
				return fmt.Errorf("perfdata %q of %q: %w", v.Label, p.CheckID, err)
			}
		}
	}
	return nil
}
