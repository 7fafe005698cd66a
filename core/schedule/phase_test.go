package schedule

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// The phase is part of the schedule's behaviour across restarts: a change
// of hash moves every check once, so it must be deliberate.
func TestPhaseOffsetIsFixed(t *testing.T) {
	tests := []struct {
		id       string
		interval time.Duration
		want     time.Duration
	}{
		{"web1/http", time.Minute, 2206917911 * time.Nanosecond},
		{"web1/http", 5 * time.Minute, 3*time.Minute + 2206917911*time.Nanosecond},
		{"db1/disk:/", time.Minute, 6234114150 * time.Nanosecond},
		{"db1/disk:/", 5 * time.Minute, time.Minute + 6234114150*time.Nanosecond},
		{"any", time.Nanosecond, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.id, tt.interval), func(t *testing.T) {
			if got := time.Duration(phaseOffset(tt.id, tt.interval)); got != tt.want {
				t.Errorf("phaseOffset(%q, %s) = %s, want %s", tt.id, tt.interval, got, tt.want)
			}
		})
	}
}

func TestGridNext(t *testing.T) {
	tests := []struct {
		name                  string
		now, interval, offset int64
		want                  int64
	}{
		{"offset later in this interval", 100, 60, 110 % 60, 110},
		{"offset earlier: next interval", 100, 60, 10, 130},
		{"exactly on the offset", 70, 60, 10, 70},
		{"zero offset on the boundary", 120, 60, 0, 120},
		{"zero offset just past the boundary", 121, 60, 0, 180},
		{"before the epoch", -5, 60, 10, 10},
		{"before the epoch, offset passed", -55, 60, 0, 0},
		{"interval of one", 17, 1, 0, 17},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := gridNext(tt.now, tt.interval, tt.offset); got != tt.want {
				t.Errorf("gridNext(%d, %d, %d) = %d, want %d", tt.now, tt.interval, tt.offset, got, tt.want)
			}
		})
	}
}

func TestNextDue(t *testing.T) {
	tests := []struct {
		name       string
		due, now   int64
		step       time.Duration
		want       int64
		wantMissed uint64
	}{
		{"instant run", 100, 100, 10, 110, 0},
		{"finished before the next slot", 100, 109, 10, 110, 0},
		{"finished exactly at the next slot: skipped", 100, 110, 10, 120, 1},
		{"three slots passed while running", 100, 135, 10, 140, 3},
		{"started late, finished before the next slot", 100, 105, 60, 160, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, missed := nextDue(tt.due, tt.now, tt.step)
			if got != tt.want || missed != tt.wantMissed {
				t.Errorf("nextDue(%d, %d, %d) = %d, %d; want %d, %d", tt.due, tt.now, tt.step, got, missed, tt.want, tt.wantMissed)
			}
		})
	}
}

// 100,000 checks with one interval, added at once or by a reload, are
// first due at 100,000 distinct times spread evenly over their first
// interval, wherever in the interval the scheduler starts.
func TestFirstRunsAreSpreadOverTheInterval(t *testing.T) {
	const (
		n        = 100_000
		interval = time.Minute
		buckets  = 100 // each holds n/buckets = 1,000 when evenly spread
	)
	entries := make([]Entry, n)
	for i := range entries {
		entries[i] = Entry{ID: fmt.Sprintf("host%05d.example.net/ping", i), Interval: interval}
	}
	ways := []struct {
		name     string
		schedule func(s *Scheduler) error
	}{
		{"add", func(s *Scheduler) error {
			for _, e := range entries {
				if err := s.Add(e); err != nil {
					return err
				}
			}
			return nil
		}},
		{"reload", func(s *Scheduler) error {
			if err := s.Add(Entry{ID: "old/check", Interval: interval}); err != nil {
				return err
			}
			return s.Reload(entries)
		}},
	}
	for _, way := range ways {
		for _, start := range []time.Duration{0, 17*time.Second + 300*time.Millisecond} {
			t.Run(fmt.Sprintf("%s at start+%s", way.name, start), func(t *testing.T) {
				clock := newFakeClock(t0().Add(start))
				s, err := New(Options{Runner: RunnerFunc(func(context.Context, string) Next { return Normal }), Clock: clock})
				if err != nil {
					t.Fatal(err)
				}
				if err := way.schedule(s); err != nil {
					t.Fatal(err)
				}
				if st := s.Stats(); st.Checks != n {
					t.Fatalf("%d checks scheduled, want %d", st.Checks, n)
				}
				now := clock.Now()
				seen := make(map[time.Time]string, n)
				var spread [buckets]int
				for _, e := range entries {
					st, _ := s.Lookup(e.ID)
					wait := st.Due.Sub(now)
					if wait < 0 || wait >= interval {
						t.Fatalf("%s first due %s after the start, want within [0, %s)", e.ID, wait, interval)
					}
					if other, dup := seen[st.Due]; dup {
						t.Errorf("%s and %s are both first due at start+%s", e.ID, other, wait)
					}
					seen[st.Due] = e.ID
					spread[wait*buckets/interval]++
				}
				for i, k := range spread {
					if k < 800 || k > 1200 {
						t.Errorf("%d of %d checks first due in part %d of %d of the interval, want 800..1200 (all: %v)", k, n, i, buckets, spread)
					}
				}
			})
		}
	}
}

// A restarted scheduler (or a second one with the same checks) runs every
// check at the same point of its interval.
func TestPhaseIsStableAcrossSchedulers(t *testing.T) {
	intervals := []time.Duration{7 * time.Second, 10 * time.Second, time.Minute, 5 * time.Minute, time.Hour, 25 * time.Hour}
	starts := []time.Time{t0(), t0().Add(5*time.Hour + 17*time.Minute + 3250*time.Millisecond)}
	var schedulers []*Scheduler
	for _, start := range starts {
		s, err := New(Options{Runner: RunnerFunc(func(context.Context, string) Next { return Normal }), Clock: newFakeClock(start)})
		if err != nil {
			t.Fatal(err)
		}
		for i, iv := range intervals {
			for j := range 20 {
				if err := s.Add(Entry{ID: fmt.Sprintf("check-%d-%d", i, j), Interval: iv}); err != nil {
					t.Fatal(err)
				}
			}
		}
		schedulers = append(schedulers, s)
	}
	for i, iv := range intervals {
		t.Run(iv.String(), func(t *testing.T) {
			for j := range 20 {
				id := fmt.Sprintf("check-%d-%d", i, j)
				a, _ := schedulers[0].Lookup(id)
				b, _ := schedulers[1].Lookup(id)
				if d := b.Due.Sub(a.Due); d%iv != 0 {
					t.Errorf("%s: first due start+%s in one scheduler and start+%s in the other: %s apart, not a whole number of %s",
						id, a.Due.Sub(starts[0]), b.Due.Sub(starts[1]), d, iv)
				}
				if b.Due.Before(starts[1]) || !b.Due.Before(starts[1].Add(iv)) {
					t.Errorf("%s: second scheduler's first due start+%s, want within one interval", id, b.Due.Sub(starts[1]))
				}
			}
		})
	}
}
