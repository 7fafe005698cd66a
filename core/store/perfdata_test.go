package store

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// at is t0 plus hours, minutes and seconds.
func at(h, m int, s float64) time.Time {
	return t0.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s*float64(time.Second)))
}

// writePerf stores one result per value, for check "web".
func writePerf(t *testing.T, s *Store, label, uom string, points map[time.Time]float64) {
	t.Helper()
	var rs []Result
	for when, v := range points {
		rs = append(rs, Result{State: okState("web", when), Perf: []PerfValue{{Label: label, Value: v, UOM: uom}}})
	}
	if err := s.WriteResults(testCtx(t), rs); err != nil {
		t.Fatal(err)
	}
}

type rollupRow struct {
	Label  string
	Step   time.Duration
	Bucket time.Time
	Min    float64
	Max    float64
	Sum    float64
	Count  int64
}

func rollupRows(t *testing.T, s *Store) []rollupRow {
	t.Helper()
	rows, err := s.read.QueryContext(testCtx(t), `SELECT s.label, r.step, r.bucket, r.min, r.max, r.sum, r.count
		FROM perf_rollup r JOIN perf_series s ON s.id = r.series_id ORDER BY s.label, r.step, r.bucket`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []rollupRow
	for rows.Next() {
		var (
			r            rollupRow
			step, bucket int64
		)
		if err := rows.Scan(&r.Label, &step, &bucket, &r.Min, &r.Max, &r.Sum, &r.Count); err != nil {
			t.Fatal(err)
		}
		r.Step, r.Bucket = time.Duration(step), fromNanos(bucket)
		out = append(out, r)
	}
	return out
}

func TestSamplesRoundTripAndUnitChange(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	rs := []Result{
		{State: okState("web", at(0, 0, 0)), Perf: []PerfValue{{Label: "time", Value: 0.125, UOM: "s"}, {Label: "size", Value: 5120, UOM: "B"}}},
		{State: okState("web", at(0, 1, 0)), Perf: []PerfValue{{Label: "time", Value: -0.5, UOM: "s"}, {Label: "'quoted' label", Value: 1e300}}},
		{State: okState("db", at(0, 1, 0)), Perf: []PerfValue{{Label: "time", Value: 42}}},
	}
	if err := s.WriteResults(ctx, rs); err != nil {
		t.Fatal(err)
	}
	got, err := s.Samples(ctx, "web", "time", at(0, 0, 0), at(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := []Sample{
		{CheckID: "web", Label: "time", Time: at(0, 0, 0), Value: 0.125, UOM: "s"},
		{CheckID: "web", Label: "time", Time: at(0, 1, 0), Value: -0.5, UOM: "s"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("samples\n got %+v\nwant %+v", got, want)
	}
	series, err := s.SeriesOf(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	wantSeries := []Series{{"web", "'quoted' label", ""}, {"web", "size", "B"}, {"web", "time", "s"}}
	if !reflect.DeepEqual(series, wantSeries) {
		t.Fatalf("series %+v, want %+v", series, wantSeries)
	}

	// The plugin now reports milliseconds: the label keeps its samples and
	// takes the new unit. A sample at a time already stored replaces it.
	if err := s.WriteResults(ctx, []Result{
		{State: okState("web", at(0, 2, 0)), Perf: []PerfValue{{Label: "time", Value: 130, UOM: "ms"}}},
		{State: okState("web", at(0, 1, 0)), Perf: []PerfValue{{Label: "time", Value: 7, UOM: "ms"}}},
	}); err != nil {
		t.Fatal(err)
	}
	got, err = s.Samples(ctx, "web", "time", at(0, 0, 0), at(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	want = []Sample{
		{CheckID: "web", Label: "time", Time: at(0, 0, 0), Value: 0.125, UOM: "ms"},
		{CheckID: "web", Label: "time", Time: at(0, 1, 0), Value: 7, UOM: "ms"},
		{CheckID: "web", Label: "time", Time: at(0, 2, 0), Value: 130, UOM: "ms"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("samples after the unit change\n got %+v\nwant %+v", got, want)
	}
	if n := count(t, s, "perf_raw"); n != 6 {
		t.Fatalf("%d raw rows, want 6", n)
	}
}

func TestDownsampleExact(t *testing.T) {
	s := openTest(t, Options{}) // RollupDelay 10 minutes
	ctx := testCtx(t)
	writePerf(t, s, "rt", "ms", map[time.Time]float64{
		at(0, 0, 0): 1, at(0, 1, 0): 5, at(0, 4, 59.999999999): 3, // bucket 12:00
		at(0, 5, 0):   10,                      // bucket 12:05
		at(0, 17, 30): -2.5, at(0, 19, 0): 7.5, // bucket 12:15
		at(1, 2, 0): 100, // 13:00, not complete at 13:14:59 minus the delay
	})
	writePerf(t, s, "size", "B", map[time.Time]float64{at(0, 2, 0): 1e9})

	stats, err := s.Downsample(ctx, at(1, 14, 59))
	if err != nil {
		t.Fatal(err)
	}
	if stats != (DownsampleStats{Buckets5m: 4, Buckets1h: 2}) {
		t.Fatalf("stats %+v, want 4 five-minute and 2 one-hour buckets", stats)
	}
	want := []rollupRow{
		{"rt", Rollup5m, at(0, 0, 0), 1, 5, 9, 3},
		{"rt", Rollup5m, at(0, 5, 0), 10, 10, 10, 1},
		{"rt", Rollup5m, at(0, 15, 0), -2.5, 7.5, 5, 2},
		{"rt", Rollup1h, at(0, 0, 0), -2.5, 10, 24, 6},
		{"size", Rollup5m, at(0, 0, 0), 1e9, 1e9, 1e9, 1},
		{"size", Rollup1h, at(0, 0, 0), 1e9, 1e9, 1e9, 1},
	}
	if got := rollupRows(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("rollups\n got %+v\nwant %+v", got, want)
	}

	again, err := s.Downsample(ctx, at(1, 14, 59))
	if err != nil || again != (DownsampleStats{}) {
		t.Fatalf("second run at the same time: %+v %v, want nothing done", again, err)
	}

	writePerf(t, s, "rt", "ms", map[time.Time]float64{at(1, 7, 0): 50})
	more, err := s.Downsample(ctx, at(1, 30, 0))
	if err != nil {
		t.Fatal(err)
	}
	if more != (DownsampleStats{Buckets5m: 2}) {
		t.Fatalf("stats %+v, want the 13:00 and 13:05 buckets only", more)
	}
	want = append(want[:3:3],
		rollupRow{"rt", Rollup5m, at(1, 0, 0), 100, 100, 100, 1},
		rollupRow{"rt", Rollup5m, at(1, 5, 0), 50, 50, 50, 1},
		want[3], want[4], want[5])
	if got := rollupRows(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("rollups after the second run\n got %+v\nwant %+v", got, want)
	}
}

func TestDownsampleSkipsLongGaps(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	writePerf(t, s, "rt", "ms", map[time.Time]float64{at(0, 0, 0): 1, at(24*400, 3, 0): 2})
	stats, err := s.Downsample(ctx, at(24*400+2, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if stats.Buckets5m != 2 || stats.Buckets1h != 2 {
		t.Fatalf("stats %+v, want 2 and 2", stats)
	}
}

func TestGraphChoosesResolution(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	writePerf(t, s, "rt", "ms", map[time.Time]float64{
		at(0, 0, 0): 1, at(0, 1, 0): 5, at(0, 4, 0): 3, at(0, 5, 0): 10,
		at(0, 17, 30): -2.5, at(0, 19, 0): 7.5, at(1, 2, 0): 100,
	})
	if _, err := s.Downsample(ctx, at(1, 14, 59)); err != nil {
		t.Fatal(err)
	}
	p := func(when time.Time, lo, hi, avg float64, n int64) Point { return Point{when, lo, hi, avg, n} }
	tests := []struct {
		name string
		q    GraphQuery
		want Graph
	}{
		{"1m: raw samples", GraphQuery{"web", "rt", at(0, 0, 0), at(0, 6, 0), time.Minute},
			Graph{UOM: "ms", Step: time.Minute, Resolution: 0, Points: []Point{
				p(at(0, 0, 0), 1, 1, 1, 1), p(at(0, 1, 0), 5, 5, 5, 1), p(at(0, 4, 0), 3, 3, 3, 1), p(at(0, 5, 0), 10, 10, 10, 1)}}},
		{"5m: rollups, then raw after the watermark", GraphQuery{"web", "rt", at(0, 0, 0), at(1, 5, 0), 5 * time.Minute},
			Graph{UOM: "ms", Step: 5 * time.Minute, Resolution: Rollup5m, Points: []Point{
				p(at(0, 0, 0), 1, 5, 3, 3), p(at(0, 5, 0), 10, 10, 10, 1), p(at(0, 15, 0), -2.5, 7.5, 2.5, 2), p(at(1, 0, 0), 100, 100, 100, 1)}}},
		{"15m from 5m rollups", GraphQuery{"web", "rt", at(0, 0, 0), at(0, 30, 0), 15 * time.Minute},
			Graph{UOM: "ms", Step: 15 * time.Minute, Resolution: Rollup5m, Points: []Point{
				p(at(0, 0, 0), 1, 10, 4.75, 4), p(at(0, 15, 0), -2.5, 7.5, 2.5, 2)}}},
		{"1h from 1h rollups and raw", GraphQuery{"web", "rt", at(0, 0, 0), at(2, 0, 0), time.Hour},
			Graph{UOM: "ms", Step: time.Hour, Resolution: Rollup1h, Points: []Point{
				p(at(0, 0, 0), -2.5, 10, 4, 6), p(at(1, 0, 0), 100, 100, 100, 1)}}},
		{"1d from 1h rollups, from rounded down to the step", GraphQuery{"web", "rt", at(0, 30, 0), at(30, 0, 0), 24 * time.Hour},
			Graph{UOM: "ms", Step: 24 * time.Hour, Resolution: Rollup1h, Points: []Point{
				p(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), -2.5, 100, 124.0/7, 7)}}},
		{"7m: raw", GraphQuery{"web", "rt", at(0, 0, 0), at(0, 14, 0), 7 * time.Minute},
			Graph{UOM: "ms", Step: 7 * time.Minute, Resolution: 0, Points: []Point{
				// 7-minute buckets are aligned to the Unix epoch: 11:58, 12:05.
				p(at(0, -2, 0), 1, 5, 3, 3), p(at(0, 5, 0), 10, 10, 10, 1)}}},
		{"a range without data", GraphQuery{"web", "rt", at(5, 0, 0), at(6, 0, 0), time.Minute},
			Graph{UOM: "ms", Step: time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Graph(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("graph\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestPrune(t *testing.T) {
	s := openTest(t, Options{RawRetention: time.Hour, RollupRetention: 48 * time.Hour})
	ctx := testCtx(t)
	minutes := map[time.Time]float64{}
	for m := range 180 { // 12:00 .. 14:59, value = minutes since 12:00
		minutes[at(0, m, 0)] = float64(m)
	}
	writePerf(t, s, "rt", "ms", minutes)

	early, err := s.Prune(ctx, at(3, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if early != (PruneStats{}) {
		t.Fatalf("prune before any rollup deleted %+v, want nothing", early)
	}
	if stats, err := s.Downsample(ctx, at(3, 0, 0)); err != nil || stats != (DownsampleStats{Buckets5m: 34, Buckets1h: 2}) {
		t.Fatalf("downsample: %+v %v, want 34 and 2 buckets", stats, err)
	}
	stats, err := s.Prune(ctx, at(3, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if stats != (PruneStats{Raw: 120}) {
		t.Fatalf("prune deleted %+v, want the 120 raw samples before 14:00", stats)
	}
	if n := count(t, s, "perf_raw"); n != 60 {
		t.Fatalf("%d raw samples left, want 60", n)
	}

	// A fine graph over the whole range reads 5-minute rollups where the
	// raw samples are gone.
	g, err := s.Graph(ctx, GraphQuery{"web", "rt", at(0, 0, 0), at(3, 0, 0), time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Points) != 24+60 {
		t.Fatalf("%d points, want 24 five-minute and 60 one-minute points", len(g.Points))
	}
	if first := g.Points[0]; first != (Point{at(0, 0, 0), 0, 4, 2, 5}) {
		t.Fatalf("first point %+v, want the 12:00 rollup", first)
	}
	if p := g.Points[23]; p != (Point{at(1, 55, 0), 115, 119, 117, 5}) {
		t.Fatalf("point 23 %+v, want the 13:55 rollup", p)
	}
	if p := g.Points[24]; p != (Point{at(2, 0, 0), 120, 120, 120, 1}) {
		t.Fatalf("point 24 %+v, want the raw sample of 14:00", p)
	}

	late, err := s.Prune(ctx, at(60, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	// Raw samples only up to the rollup watermark (14:50), every rollup
	// (all older than 48 hours).
	if late != (PruneStats{Raw: 50, Rollups: 36}) {
		t.Fatalf("late prune deleted %+v, want 50 raw and 36 rollups", late)
	}
	left, err := s.Samples(ctx, "web", "rt", at(0, 0, 0), at(3, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 10 || !left[0].Time.Equal(at(2, 50, 0)) {
		t.Fatalf("%d samples left starting %v, want 10 from 14:50", len(left), left)
	}
}

func TestPerfdataInvalid(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	res := func(p PerfValue) Result {
		return Result{State: okState("web", t0), Perf: []PerfValue{{Label: "ok", Value: 1}, p}}
	}
	noTime := okState("web", time.Time{})
	tests := []struct {
		name      string
		r         Result
		want      string
		wantBatch string // what Batch.Validate says, if not want
	}{
		{"NaN", res(PerfValue{Label: "load", Value: math.NaN()}), `perfdata "load": value NaN is not a finite number`, ""},
		{"+Inf", res(PerfValue{Label: "load", Value: math.Inf(1)}), "value +Inf", ""},
		{"-Inf", res(PerfValue{Label: "load", Value: math.Inf(-1)}), "value -Inf", ""},
		{"empty label", res(PerfValue{Label: "", Value: 1}), "perfdata label is empty", ""},
		{"label with NUL", res(PerfValue{Label: "a\x00", Value: 1}), "NUL", ""},
		{"unit not UTF-8", res(PerfValue{Label: "x", Value: 1, UOM: "\xff"}), "unit", ""},
		{"unit too long", res(PerfValue{Label: "x", Value: 1, UOM: strings.Repeat("M", 33)}), "unit", ""},
		{"perfdata without a time", Result{State: noTime, Perf: []PerfValue{{Label: "x", Value: 1}}}, "last check (the time of its perfdata) is not set", "perfdata time is not set"},
		{"empty check id", Result{State: okState("", t0), Perf: []PerfValue{{Label: "x", Value: 1}}}, "check id is empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.WriteResults(ctx, []Result{result("fine", 1), tt.r})
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("WriteResults = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
			want := tt.want
			if tt.wantBatch != "" {
				want = tt.wantBatch
			}
			b := resultsBatch(tt.r)
			if err := b.Validate(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
				t.Fatalf("Batch.Validate = %v, want ErrInvalid mentioning %q", err, want)
			}
		})
	}
	for _, table := range []string{"perf_raw", "perf_series", "check_state"} {
		if n := count(t, s, table); n != 0 {
			t.Errorf("%d rows in %s after only invalid results", n, table)
		}
	}
}

func TestGraphInvalid(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	writePerf(t, s, "rt", "ms", map[time.Time]float64{t0: 1})
	tests := []struct {
		name string
		q    GraphQuery
		is   error
		want string
	}{
		{"empty check id", GraphQuery{"", "rt", t0, t0.Add(time.Hour), time.Minute}, ErrInvalid, "check id is empty"},
		{"empty label", GraphQuery{"web", "", t0, t0.Add(time.Hour), time.Minute}, ErrInvalid, "label is empty"},
		{"from after to", GraphQuery{"web", "rt", t0.Add(time.Hour), t0, time.Minute}, ErrInvalid, "is not before to"},
		{"no from", GraphQuery{"web", "rt", time.Time{}, t0, time.Minute}, ErrInvalid, "from is not set"},
		{"zero step", GraphQuery{"web", "rt", t0, t0.Add(time.Hour), 0}, ErrInvalid, "step 0s is not positive"},
		{"too many points", GraphQuery{"web", "rt", t0, t0.Add(400 * 24 * time.Hour), time.Minute}, ErrInvalid, "576000 points"},
		{"unknown label", GraphQuery{"web", "nope", t0, t0.Add(time.Hour), time.Minute}, ErrNotFound, `no perfdata "nope" for check "web"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Graph(ctx, tt.q)
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Graph = %v, want %v mentioning %q", err, tt.is, tt.want)
			}
		})
	}
	if _, err := s.Downsample(ctx, time.Time{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Downsample(zero time) = %v, want ErrInvalid", err)
	}
	if _, err := s.Prune(ctx, time.Time{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Prune(zero time) = %v, want ErrInvalid", err)
	}
}
