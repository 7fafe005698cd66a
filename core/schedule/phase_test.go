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

// N checks with one interval, added at once, first run at N distinct times
// spread evenly over their first interval, wherever in the interval the
// scheduler starts.
func TestFirstRunsAreSpreadOverTheInterval(t *testing.T) {
	const n = 1000
	const interval = time.Minute
	for _, start := range []time.Duration{0, 17*time.Second + 300*time.Millisecond} {
		t.Run(fmt.Sprintf("start+%s", start), func(t *testing.T) {
			clock := newFakeClock(t0().Add(start))
			s, err := New(Options{Runner: RunnerFunc(func(context.Context, string) Next { return Normal }), Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				if err := s.Add(Entry{ID: fmt.Sprintf("host%03d/ping", i), Interval: interval}); err != nil {
					t.Fatal(err)
				}
			}
			now := clock.Now()
			seen := map[time.Time]string{}
			var tenths [10]int
			for i := range n {
				id := fmt.Sprintf("host%03d/ping", i)
				st, _ := s.Lookup(id)
				wait := st.Due.Sub(now)
				if wait < 0 || wait >= interval {
					t.Errorf("%s first due %s after the start, want within [0, %s)", id, wait, interval)
				}
				if other, dup := seen[st.Due]; dup {
					t.Errorf("%s and %s are both first due at start+%s", id, other, wait)
				}
				seen[st.Due] = id
				tenths[wait*10/interval]++
			}
			// An even spread puts 100 in each tenth of the interval.
			for i, k := range tenths {
				if k < 60 || k > 140 {
					t.Errorf("%d of %d checks first due in tenth %d of the interval, want 60..140 (all tenths: %v)", k, n, i, tenths)
				}
			}
		})
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
