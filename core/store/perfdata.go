package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Perfdata is kept twice: raw samples for Options.RawRetention, and rollups
// (min, max, sum, count per series and bucket) at two resolutions for
// Options.RollupRetention. Downsample builds the rollups, Prune deletes what
// has aged out, Graph reads whichever fits the requested step.
const (
	// Rollup5m is the finer rollup resolution, built from raw samples.
	Rollup5m = 5 * time.Minute
	// Rollup1h is the coarser rollup resolution, built from 5-minute rollups.
	Rollup1h = time.Hour
	// MaxGraphPoints bounds the number of points one Graph call may ask for.
	MaxGraphPoints = 100_000

	progress5m        = "rollup:5m"  // raw samples before until are in 5-minute rollups
	progress1h        = "rollup:1h"  // 5-minute rollups before until are in 1-hour rollups
	progressRawPruned = "raw_pruned" // raw samples before until may have been deleted
	pruneChunk        = 256          // series per delete transaction
)

// PerfValue is one performance data item of a result; its check and time are
// the result's.
type PerfValue struct {
	Label string
	Value float64 // finite: an undetermined (U) value is not stored
	UOM   string
}

// Validate reports what is wrong with p, wrapping ErrInvalid.
func (p PerfValue) Validate() error {
	if err := validName("perfdata label", p.Label); err != nil {
		return err
	}
	if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
		return fmt.Errorf("%w: perfdata %q: value %v is not a finite number", ErrInvalid, p.Label, p.Value)
	}
	if !utf8.ValidString(p.UOM) || strings.IndexByte(p.UOM, 0) >= 0 || len(p.UOM) > 32 {
		return fmt.Errorf("%w: perfdata %q: unit %q is not a short UTF-8 text", ErrInvalid, p.Label, p.UOM)
	}
	return nil
}

// Sample is one stored raw perfdata value.
type Sample struct {
	CheckID string
	Label   string
	Time    time.Time
	Value   float64
	UOM     string // the unit the label was last reported with
}

// Series is one perfdata label of a check.
type Series struct {
	CheckID string
	Label   string
	UOM     string // the unit last reported
}

type seriesKey struct{ check, label string }

type seriesEntry struct {
	id  int64
	uom string
}

// seriesCache maps check and label to the perf_series id. Entries are added
// only after the transaction that created them has committed.
type seriesCache struct {
	mu  sync.Mutex
	ids map[seriesKey]seriesEntry
}

func (c *seriesCache) get(k seriesKey) (seriesEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.ids[k]
	return e, ok
}

func (c *seriesCache) merge(fresh map[seriesKey]seriesEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range fresh {
		c.ids[k] = e
	}
}

// seriesID returns the id of a series, creating it or updating its unit
// through upsert (a statement of upsertSeries). fresh collects what this
// transaction created.
func (s *Store) seriesID(ctx context.Context, upsert *sql.Stmt, fresh map[seriesKey]seriesEntry, k seriesKey, uom string) (int64, error) {
	if e, ok := fresh[k]; ok && e.uom == uom {
		return e.id, nil
	}
	if e, ok := s.series.get(k); ok && e.uom == uom {
		return e.id, nil
	}
	var id int64
	if err := upsert.QueryRowContext(ctx, k.check, k.label, uom).Scan(&id); err != nil {
		return 0, fmt.Errorf("series %q %q: %w", k.check, k.label, err)
	}
	fresh[k] = seriesEntry{id: id, uom: uom}
	return id, nil
}

const (
	upsertSeries = `INSERT INTO perf_series (check_id, label, uom) VALUES (?, ?, ?)
		ON CONFLICT (check_id, label) DO UPDATE SET uom = excluded.uom RETURNING id`
	insertRaw = `INSERT INTO perf_raw (series_id, at, value) VALUES (?, ?, ?)
		ON CONFLICT (series_id, at) DO UPDATE SET value = excluded.value`
)

// SeriesOf lists the perfdata labels stored for a check, by label.
func (s *Store) SeriesOf(ctx context.Context, checkID string) ([]Series, error) {
	if err := validName("check id", checkID); err != nil {
		return nil, fmt.Errorf("list perfdata series: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT check_id, label, uom FROM perf_series WHERE check_id = ? ORDER BY label`, checkID)
	if err != nil {
		return nil, fmt.Errorf("list perfdata series of %q: %w", checkID, err)
	}
	defer rows.Close()
	var out []Series
	for rows.Next() {
		var sr Series
		if err := rows.Scan(&sr.CheckID, &sr.Label, &sr.UOM); err != nil {
			return nil, fmt.Errorf("list perfdata series of %q: %w", checkID, err)
		}
		out = append(out, sr)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list perfdata series of %q: %w", checkID, err)
	}
	return out, nil
}

// Samples returns the raw samples of one label in [from, to), oldest first.
func (s *Store) Samples(ctx context.Context, checkID, label string, from, to time.Time) ([]Sample, error) {
	if err := validSeriesRange(checkID, label, from, to); err != nil {
		return nil, fmt.Errorf("read samples: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT r.at, r.value, s.uom
		FROM perf_series s JOIN perf_raw r ON r.series_id = s.id
		WHERE s.check_id = ? AND s.label = ? AND r.at >= ? AND r.at < ? ORDER BY r.at`,
		checkID, label, from.UnixNano(), to.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("read samples of %q %q: %w", checkID, label, err)
	}
	defer rows.Close()
	var out []Sample
	for rows.Next() {
		sm := Sample{CheckID: checkID, Label: label}
		var at int64
		if err := rows.Scan(&at, &sm.Value, &sm.UOM); err != nil {
			return nil, fmt.Errorf("read samples of %q %q: %w", checkID, label, err)
		}
		sm.Time = fromNanos(at)
		out = append(out, sm)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read samples of %q %q: %w", checkID, label, err)
	}
	return out, nil
}

func validSeriesRange(checkID, label string, from, to time.Time) error {
	if err := validName("check id", checkID); err != nil {
		return err
	}
	if err := validName("perfdata label", label); err != nil {
		return err
	}
	if err := validTime("from", from); err != nil {
		return err
	}
	if err := validTime("to", to); err != nil {
		return err
	}
	if !from.Before(to) {
		return fmt.Errorf("%w: from %s is not before to %s", ErrInvalid, from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))
	}
	return nil
}

// watermark reads one perf_progress row; 0 when it is not there yet.
func watermark(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, name string) (int64, error) {
	var until int64
	err := q.QueryRowContext(ctx, `SELECT until FROM perf_progress WHERE name = ?`, name).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read watermark %s: %w", name, err)
	}
	return until, nil
}

func setWatermark(ctx context.Context, tx *sql.Tx, name string, until int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO perf_progress (name, until) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET until = excluded.until`, name, until)
	if err != nil {
		return fmt.Errorf("set watermark %s: %w", name, err)
	}
	return nil
}

// rollupLevel describes how one resolution is built.
type rollupLevel struct {
	name  string        // its perf_progress row
	step  time.Duration // bucket width
	chunk time.Duration // source time range per transaction
	// build inserts or replaces the buckets whose source rows lie in
	// [?1, ?2). Buckets are aligned, so a bucket is always rebuilt whole.
	build string
	// first finds the earliest source time at or after ?1 (NULL: none).
	first string
}

func rollupLevels() [2]rollupLevel {
	const replace = ` ON CONFLICT (series_id, step, bucket) DO UPDATE SET
		min = excluded.min, max = excluded.max, sum = excluded.sum, count = excluded.count`
	s5, s1 := int64(Rollup5m), int64(Rollup1h)
	return [2]rollupLevel{
		{
			name: progress5m, step: Rollup5m, chunk: time.Hour,
			build: fmt.Sprintf(`INSERT INTO perf_rollup (series_id, step, bucket, min, max, sum, count)
				SELECT series_id, %[1]d, at - at %% %[1]d, min(value), max(value), sum(value), count(*)
				FROM perf_raw WHERE series_id IN (SELECT id FROM perf_series) AND at >= ?1 AND at < ?2
				GROUP BY series_id, at - at %% %[1]d`, s5) + replace,
			first: `SELECT min(m) FROM (SELECT (SELECT min(at) FROM perf_raw
				WHERE series_id = s.id AND at >= ?1) AS m FROM perf_series s)`,
		},
		{
			name: progress1h, step: Rollup1h, chunk: 24 * time.Hour,
			build: fmt.Sprintf(`INSERT INTO perf_rollup (series_id, step, bucket, min, max, sum, count)
				SELECT series_id, %[1]d, bucket - bucket %% %[1]d, min(min), max(max), sum(sum), sum(count)
				FROM perf_rollup WHERE series_id IN (SELECT id FROM perf_series) AND step = %[2]d
					AND bucket >= ?1 AND bucket < ?2
				GROUP BY series_id, bucket - bucket %% %[1]d`, s1, s5) + replace,
			first: fmt.Sprintf(`SELECT min(m) FROM (SELECT (SELECT min(bucket) FROM perf_rollup
				WHERE series_id = s.id AND step = %d AND bucket >= ?1) AS m FROM perf_series s)`, s5),
		},
	}
}

// DownsampleStats counts the rollup rows Downsample wrote.
type DownsampleStats struct {
	Buckets5m int64
	Buckets1h int64
}

// Downsample rolls raw samples up into 5-minute buckets and those into
// 1-hour buckets, for every complete bucket that ends at least
// Options.RollupDelay before now. It resumes where the last call stopped; a
// sample that arrives with a time before that point stays raw only.
func (s *Store) Downsample(ctx context.Context, now time.Time) (DownsampleStats, error) {
	var stats DownsampleStats
	if err := validTime("now", now); err != nil {
		return stats, fmt.Errorf("downsample: %w", err)
	}
	levels := rollupLevels()
	var err error
	stats.Buckets5m, err = s.rollUp(ctx, levels[0], floorNanos(now.Add(-s.opts.RollupDelay).UnixNano(), int64(Rollup5m)))
	if err != nil {
		return stats, err
	}
	done5m, err := watermark(ctx, s.write, progress5m)
	if err != nil {
		return stats, fmt.Errorf("downsample: %w", err)
	}
	stats.Buckets1h, err = s.rollUp(ctx, levels[1], floorNanos(done5m, int64(Rollup1h)))
	return stats, err
}

// rollUp builds level's buckets from its watermark up to hi, one chunk per
// transaction, skipping ranges without source data.
func (s *Store) rollUp(ctx context.Context, level rollupLevel, hi int64) (int64, error) {
	what := "downsample to " + level.step.String()
	lo, err := watermark(ctx, s.write, level.name)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	var total int64
	for lo < hi {
		var first sql.NullInt64
		if err := s.write.QueryRowContext(ctx, level.first, lo).Scan(&first); err != nil {
			return total, fmt.Errorf("%s: find data after %d: %w", what, lo, err)
		}
		end := hi
		if first.Valid && first.Int64 < hi {
			lo = max(lo, floorNanos(first.Int64, int64(level.step)))
			end = min(lo+int64(level.chunk), hi)
		}
		err := s.inTx(ctx, what, func(tx *sql.Tx) error {
			if first.Valid && first.Int64 < hi {
				res, err := tx.ExecContext(ctx, level.build, lo, end)
				if err != nil {
					return fmt.Errorf("build buckets %s..%s: %w", fromNanos(lo).Format(time.RFC3339), fromNanos(end).Format(time.RFC3339), err)
				}
				n, err := res.RowsAffected()
				if err != nil {
					return err
				}
				total += n
			}
			return setWatermark(ctx, tx, level.name, end)
		})
		if err != nil {
			return total, err
		}
		lo = end
	}
	return total, nil
}

// PruneStats counts the rows Prune deleted.
type PruneStats struct {
	Raw     int64
	Rollups int64
}

// Prune deletes raw samples older than Options.RawRetention and rollups
// older than Options.RollupRetention, as of now. Raw samples that
// Downsample has not rolled up yet are never deleted.
func (s *Store) Prune(ctx context.Context, now time.Time) (PruneStats, error) {
	var stats PruneStats
	if err := validTime("now", now); err != nil {
		return stats, fmt.Errorf("prune perfdata: %w", err)
	}
	done5m, err := watermark(ctx, s.write, progress5m)
	if err != nil {
		return stats, fmt.Errorf("prune perfdata: %w", err)
	}
	rawCut := min(floorNanos(now.Add(-s.opts.RawRetention).UnixNano(), int64(Rollup5m)), done5m)
	rollupCut := now.Add(-s.opts.RollupRetention).UnixNano()

	// Move the raw watermark first, so that Graph reads rollups for the
	// range before its rows start to disappear.
	err = s.inTx(ctx, "prune perfdata", func(tx *sql.Tx) error {
		pruned, err := watermark(ctx, tx, progressRawPruned)
		if err != nil || rawCut <= pruned {
			return err
		}
		return setWatermark(ctx, tx, progressRawPruned, rawCut)
	})
	if err != nil {
		return stats, err
	}

	var ids []int64
	rows, err := s.write.QueryContext(ctx, `SELECT id FROM perf_series ORDER BY id`)
	if err != nil {
		return stats, fmt.Errorf("prune perfdata: list series: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return stats, fmt.Errorf("prune perfdata: list series: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return stats, fmt.Errorf("prune perfdata: list series: %w", err)
	}

	for start := 0; start < len(ids); start += pruneChunk {
		chunk := ids[start:min(start+pruneChunk, len(ids))]
		in := strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")
		args := make([]any, 0, len(chunk)+1)
		for _, id := range chunk {
			args = append(args, id)
		}
		err := s.inTx(ctx, "prune perfdata", func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM perf_raw WHERE series_id IN (`+in+`) AND at < ?`, append(args, rawCut)...)
			if err != nil {
				return fmt.Errorf("delete raw samples: %w", err)
			}
			n, _ := res.RowsAffected()
			stats.Raw += n
			res, err = tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM perf_rollup WHERE series_id IN (%s) AND step IN (%d, %d) AND bucket < ?`,
				in, int64(Rollup5m), int64(Rollup1h)), append(args, rollupCut)...)
			if err != nil {
				return fmt.Errorf("delete rollups: %w", err)
			}
			n, _ = res.RowsAffected()
			stats.Rollups += n
			return nil
		})
		if err != nil {
			return stats, err
		}
	}
	return stats, nil
}

// GraphQuery asks for one label of one check over [From, To) in points of
// Step.
type GraphQuery struct {
	CheckID string
	Label   string
	From    time.Time
	To      time.Time
	Step    time.Duration
}

// Point is one bucket of a graph: Time is its start (a multiple of the step
// since the Unix epoch).
type Point struct {
	Time     time.Time
	Min, Max float64
	Avg      float64
	Count    int64 // raw samples behind the point
}

// Graph is the answer to a GraphQuery.
type Graph struct {
	UOM  string
	Step time.Duration
	// Resolution is the data the points were built from: 0 for raw samples,
	// Rollup5m or Rollup1h. Ranges whose finer data is gone (pruned) or not
	// rolled up yet use the next available kind: raw samples not yet rolled
	// up, 5-minute rollups where raw samples were pruned.
	Resolution time.Duration
	Points     []Point
}

// Graph returns the points of a graph. It uses the coarsest data whose
// resolution divides Step (1-hour rollups for a step of 1h or 2h, 5-minute
// rollups for 15m, raw samples for 1m or 7m), so a year-long graph does not
// read raw samples. A label that was never stored is an error wrapping
// ErrNotFound; a range without data gives no points.
func (s *Store) Graph(ctx context.Context, q GraphQuery) (Graph, error) {
	if err := validSeriesRange(q.CheckID, q.Label, q.From, q.To); err != nil {
		return Graph{}, fmt.Errorf("graph: %w", err)
	}
	if q.Step <= 0 {
		return Graph{}, fmt.Errorf("graph: %w: step %s is not positive", ErrInvalid, q.Step)
	}
	step := int64(q.Step)
	from, to := floorNanos(q.From.UnixNano(), step), q.To.UnixNano()
	if n := (to - from + step - 1) / step; n > MaxGraphPoints {
		return Graph{}, fmt.Errorf("graph: %w: %d points of %s asked for, the limit is %d", ErrInvalid, n, q.Step, MaxGraphPoints)
	}

	g := Graph{Step: q.Step}
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT id, uom FROM perf_series WHERE check_id = ? AND label = ?`,
		q.CheckID, q.Label).Scan(&id, &g.UOM)
	if errors.Is(err, sql.ErrNoRows) {
		return Graph{}, fmt.Errorf("graph: %w: no perfdata %q for check %q", ErrNotFound, q.Label, q.CheckID)
	}
	if err != nil {
		return Graph{}, fmt.Errorf("graph %q %q: %w", q.CheckID, q.Label, err)
	}

	// One read transaction, so the watermarks and the data are one snapshot.
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Graph{}, fmt.Errorf("graph %q %q: %w", q.CheckID, q.Label, err)
	}
	defer func() { _ = tx.Rollback() }()
	var marks [3]int64
	for i, name := range []string{progress5m, progress1h, progressRawPruned} {
		if marks[i], err = watermark(ctx, tx, name); err != nil {
			return Graph{}, fmt.Errorf("graph %q %q: %w", q.CheckID, q.Label, err)
		}
	}
	done5m, done1h, pruned := marks[0], marks[1], marks[2]

	var (
		parts []string
		args  = []any{step}
	)
	rollup := func(res time.Duration, lo, hi int64) {
		if lo < hi {
			parts = append(parts, `SELECT bucket AS t, min AS mn, max AS mx, sum AS sm, count AS n
				FROM perf_rollup WHERE series_id = ? AND step = ? AND bucket >= ? AND bucket < ?`)
			args = append(args, id, int64(res), lo, hi)
		}
	}
	raw := func(lo, hi int64) {
		if lo < hi {
			parts = append(parts, `SELECT at AS t, value AS mn, value AS mx, value AS sm, 1 AS n FROM perf_raw WHERE series_id = ? AND at >= ? AND at < ?`)
			args = append(args, id, lo, hi)
		}
	}
	switch {
	case step%int64(Rollup1h) == 0:
		g.Resolution = Rollup1h
		rollup(Rollup1h, from, min(done1h, to))
		rollup(Rollup5m, max(from, done1h), min(done5m, to))
		raw(max(from, done5m), to)
	case step%int64(Rollup5m) == 0:
		g.Resolution = Rollup5m
		rollup(Rollup5m, from, min(done5m, to))
		raw(max(from, done5m), to)
	default:
		rollup(Rollup5m, from, min(pruned, to))
		raw(max(from, pruned), to)
	}
	rows, err := tx.QueryContext(ctx, `SELECT b, min(mn), max(mx), sum(sm), sum(n) FROM (
		SELECT t - t % ?1 AS b, mn, mx, sm, n FROM (`+strings.Join(parts, " UNION ALL ")+`)) GROUP BY b ORDER BY b`,
		args...)
	if err != nil {
		return Graph{}, fmt.Errorf("graph %q %q: %w", q.CheckID, q.Label, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			p   Point
			at  int64
			sum float64
		)
		if err := rows.Scan(&at, &p.Min, &p.Max, &sum, &p.Count); err != nil {
			return Graph{}, fmt.Errorf("graph %q %q: %w", q.CheckID, q.Label, err)
		}
		p.Time, p.Avg = fromNanos(at), sum/float64(p.Count)
		g.Points = append(g.Points, p)
	}
	if err := rows.Err(); err != nil {
		return Graph{}, fmt.Errorf("graph %q %q: %w", q.CheckID, q.Label, err)
	}
	return g, nil
}
