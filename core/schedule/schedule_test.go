package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNewRejectsBadOptions(t *testing.T) {
	runner := RunnerFunc(func(context.Context, string) Next { return Normal })
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no runner", Options{}, "creating scheduler: Options.Runner is nil"},
		{"negative concurrency", Options{Runner: runner, Concurrency: -1}, "creating scheduler: concurrency -1 is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.opts)
			if err == nil || err.Error() != tt.want || s != nil {
				t.Fatalf("New = %v, %v; want nil, %q", s, err, tt.want)
			}
		})
	}
	t.Run("defaults", func(t *testing.T) {
		s, err := New(Options{Runner: runner})
		if err != nil {
			t.Fatal(err)
		}
		if s.concurrency != DefaultConcurrency {
			t.Errorf("concurrency %d, want %d", s.concurrency, DefaultConcurrency)
		}
		if _, ok := s.clock.(systemClock); !ok {
			t.Errorf("clock is %T, want systemClock", s.clock)
		}
	})
}

func TestBadEntriesAreRejectedAndChangeNothing(t *testing.T) {
	good := Entry{ID: "web1/http", Interval: time.Minute, RetryInterval: 10 * time.Second}
	tests := []struct {
		name  string
		entry Entry
		want  string // after "adding check ...: " / "updating check ...: "
	}{
		{"empty ID", Entry{Interval: time.Minute}, "invalid schedule entry: empty ID"},
		{"zero interval", Entry{ID: "web1/http"}, "invalid schedule entry: interval 0s is not positive"},
		{"negative interval", Entry{ID: "web1/http", Interval: -time.Second}, "invalid schedule entry: interval -1s is not positive"},
		{"interval too long", Entry{ID: "web1/http", Interval: MaxInterval + 1}, "invalid schedule entry: interval 8784h0m0.000000001s is longer than 8784h0m0s"},
		{"negative retry", Entry{ID: "web1/http", Interval: time.Minute, RetryInterval: -time.Second}, "invalid schedule entry: retry interval -1s is negative"},
		{"retry too long", Entry{ID: "web1/http", Interval: time.Minute, RetryInterval: MaxInterval + time.Hour}, "invalid schedule entry: retry interval 8785h0m0s is longer than 8784h0m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, 1)
			h.add(good)
			before := h.status(good.ID)

			err := h.s.Add(tt.entry)
			if want := fmt.Sprintf("adding check %q: %s", tt.entry.ID, tt.want); err == nil || err.Error() != want || !errors.Is(err, ErrInvalidEntry) {
				t.Errorf("Add error %v, want %q", err, want)
			}
			if tt.entry.ID != "" {
				err = h.s.Update(tt.entry)
				if want := fmt.Sprintf("updating check %q: %s", tt.entry.ID, tt.want); err == nil || err.Error() != want || !errors.Is(err, ErrInvalidEntry) {
					t.Errorf("Update error %v, want %q", err, want)
				}
			}
			err = h.s.Reload([]Entry{good, tt.entry})
			if want := fmt.Sprintf("reloading schedule: entry 1 (%q): %s", tt.entry.ID, tt.want); err == nil || err.Error() != want || !errors.Is(err, ErrInvalidEntry) {
				t.Errorf("Reload error %v, want %q", err, want)
			}

			if after := h.status(good.ID); after != before {
				t.Errorf("status changed to %+v, want %+v", after, before)
			}
			if st := h.s.Stats(); st.Checks != 1 {
				t.Errorf("%d checks, want 1", st.Checks)
			}
		})
	}
}

func TestUnknownAndDuplicateChecks(t *testing.T) {
	h := newHarness(t, 1)
	h.add(Entry{ID: "a", Interval: time.Minute})
	tests := []struct {
		name   string
		call   func() error
		want   string
		wantIs error
	}{
		{"add twice", func() error { return h.s.Add(Entry{ID: "a", Interval: time.Hour}) }, `adding check "a": check is already scheduled`, ErrDuplicateCheck},
		{"update unknown", func() error { return h.s.Update(Entry{ID: "b", Interval: time.Hour}) }, `updating check "b": check is not scheduled`, ErrUnknownCheck},
		{"remove unknown", func() error { return h.s.Remove("b") }, `removing check "b": check is not scheduled`, ErrUnknownCheck},
		{"run unknown now", func() error { return h.s.RunNow("b") }, `running check "b" now: check is not scheduled`, ErrUnknownCheck},
		{"duplicate in a reload", func() error {
			return h.s.Reload([]Entry{{ID: "b", Interval: time.Hour}, {ID: "c", Interval: time.Hour}, {ID: "b", Interval: time.Minute}})
		}, `reloading schedule: entry 2 ("b"): check is already scheduled`, ErrDuplicateCheck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || err.Error() != tt.want || !errors.Is(err, tt.wantIs) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			st := h.status("a")
			if st.Entry != (Entry{ID: "a", Interval: time.Minute}) {
				t.Errorf("check a is now %+v", st.Entry)
			}
			if n := h.s.Stats().Checks; n != 1 {
				t.Errorf("%d checks, want 1", n)
			}
		})
	}
	t.Run("remove twice", func(t *testing.T) {
		if err := h.s.Remove("a"); err != nil {
			t.Fatal(err)
		}
		if err := h.s.Remove("a"); !errors.Is(err, ErrUnknownCheck) {
			t.Fatalf("second Remove: %v, want ErrUnknownCheck", err)
		}
	})
}

// After a normal run the next comes an interval after the run's due time,
// after a retry a retry interval after it, and back to the interval when
// the check is OK or HARD again.
func TestIntervalAndRetryInterval(t *testing.T) {
	tests := []struct {
		name    string
		retry   time.Duration
		results []Next
		gaps    []time.Duration // from each run's start to the next
	}{
		{"soft then hard then ok", 10 * time.Second,
			[]Next{Normal, Retry, Retry, Normal, Normal},
			[]time.Duration{time.Minute, 10 * time.Second, 10 * time.Second, time.Minute}},
		{"no retry interval: retries wait the interval", 0,
			[]Next{Retry, Retry, Normal},
			[]time.Duration{time.Minute, time.Minute}},
		{"anything but Retry is Normal", 10 * time.Second,
			[]Next{Retry, Next(7), Normal},
			[]time.Duration{10 * time.Second, time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, 4)
			h.add(Entry{ID: "web1/http", Interval: time.Minute, RetryInterval: tt.retry})
			due := h.status("web1/http").Due
			if want := t0().Add(time.Duration(phaseOffset("web1/http", time.Minute))); !due.Equal(want) {
				t.Fatalf("first due start+%s, want start+%s", due.Sub(t0()), want.Sub(t0()))
			}
			h.start()
			for i, result := range tt.results {
				h.clock.waitArmed(t, due)
				h.clock.set(t, due)
				r := h.expectRun("web1/http", due)
				if st := h.status("web1/http"); st.State != Running || !st.Due.Equal(due) {
					t.Fatalf("run %d: status %s due start+%s, want running due start+%s", i, st.State, st.Due.Sub(t0()), due.Sub(t0()))
				}
				r.finish(result)
				if i < len(tt.gaps) {
					due = due.Add(tt.gaps[i])
				}
			}
			h.clock.waitArmed(t, due.Add(time.Minute))
			st := h.s.Stats()
			if st.Lateness != (Lateness{Count: uint64(len(tt.results))}) || st.Missed != 0 {
				t.Errorf("stats %+v, want %d runs all on time", st, len(tt.results))
			}
		})
	}
}

// A check still running when it is due again is not started again; it runs
// at its next due time after it finished, and the skipped due times are
// counted.
func TestNoSecondRunWhileRunning(t *testing.T) {
	h := newHarness(t, 4)
	r, due := h.addAndRunFirst(Entry{ID: "slow", Interval: 10 * time.Second})

	// Due again twice while running: the loop has nothing to wait for.
	h.clock.waitArmed(t, time.Time{})
	h.clock.set(t, due.Add(25*time.Second))
	h.clock.waitArmed(t, time.Time{})
	if st := h.s.Stats(); st.Running != 1 || st.Queued != 0 || st.Lateness.Count != 1 {
		t.Fatalf("stats %+v, want 1 running, 0 queued, 1 started", st)
	}

	r.finish(Normal)
	next := due.Add(30 * time.Second)
	h.clock.waitArmed(t, next)
	if st := h.s.Stats(); st.Missed != 2 || st.Running != 0 {
		t.Fatalf("stats %+v, want 2 missed, 0 running", st)
	}
	h.clock.set(t, next)
	h.expectRun("slow", next).finish(Normal)
}

// With K slots, K checks run and the rest queue; every one runs, in due
// order, and their lateness is recorded.
func TestConcurrencyLimitQueuesLateRuns(t *testing.T) {
	const slots = 2
	h := newHarness(t, slots)
	ids := []string{"c1", "c2", "c3", "c4", "c5"}
	dues := map[string]time.Time{}
	for _, id := range ids {
		h.add(Entry{ID: id, Interval: time.Minute})
		dues[id] = h.status(id).Due
	}
	slices.SortFunc(ids, func(a, b string) int { return dues[a].Compare(dues[b]) })
	if first := dues[ids[0]].Sub(t0()); first < time.Second {
		t.Fatalf("test needs every check due 1s or more into the minute; %s is due at start+%s", ids[0], first)
	}
	h.start()
	h.clock.waitArmed(t, dues[ids[0]])

	// All five come due at once.
	now := t0().Add(time.Minute)
	h.clock.set(t, now)
	running := []run{h.expectRun(ids[0], now), h.expectRun(ids[1], now)}
	h.clock.waitArmed(t, time.Time{})
	if st := h.s.Stats(); st.Running != 2 || st.Queued != 3 || st.Checks != 5 {
		t.Fatalf("stats %+v, want 2 running, 3 queued, 5 checks", st)
	}
	for _, id := range ids[2:] {
		if st := h.status(id); st.State != Queued {
			t.Errorf("%s is %s, want queued", id, st.State)
		}
	}

	// Each run that ends frees its slot for the oldest queued one.
	starts := map[string]time.Time{ids[0]: now, ids[1]: now}
	for _, id := range ids[2:] {
		now = now.Add(100 * time.Millisecond) // before any of them is due again
		h.clock.set(t, now)
		running[0].finish(Normal)
		running = append(running[1:], h.expectRun(id, now))
		starts[id] = now
	}
	for _, r := range running {
		r.finish(Normal)
	}
	h.clock.waitArmed(t, dues[ids[0]].Add(time.Minute))

	var want Lateness
	for _, id := range ids {
		late := starts[id].Sub(dues[id])
		want.Count++
		want.Sum += late
		want.Max = max(want.Max, late)
	}
	got := h.s.Stats().Lateness
	if got.Count != want.Count || got.Sum != want.Sum || got.Max != want.Max {
		t.Errorf("lateness %+v, want count %d, sum %s, max %s", got, want.Count, want.Sum, want.Max)
	}
	if got.P50 <= 0 || got.P50 > got.Max || got.P99 != got.Max {
		t.Errorf("lateness %+v: want 0 < p50 <= max and p99 = max", got)
	}
}

func TestUpdate(t *testing.T) {
	const id = "web1/http"
	tests := []struct {
		name   string
		update Entry
		// wantDue from the first due and the time of the update
		wantDue func(first, now time.Time) time.Time
	}{
		{"unchanged keeps the schedule", Entry{ID: id, Interval: time.Minute, RetryInterval: 10 * time.Second},
			func(first, _ time.Time) time.Time { return first }},
		{"retry interval only keeps the schedule", Entry{ID: id, Interval: time.Minute, RetryInterval: 20 * time.Second},
			func(first, _ time.Time) time.Time { return first }},
		{"shorter interval: its phase point if sooner", Entry{ID: id, Interval: 7 * time.Second},
			func(first, now time.Time) time.Time {
				return time.Unix(0, min(first.UnixNano(), firstDue(id, 7*time.Second, now.UnixNano())))
			}},
		{"longer interval: never later than planned", Entry{ID: id, Interval: time.Hour},
			func(first, now time.Time) time.Time {
				return time.Unix(0, min(first.UnixNano(), firstDue(id, time.Hour, now.UnixNano())))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, 1)
			h.add(Entry{ID: id, Interval: time.Minute, RetryInterval: 10 * time.Second})
			first := h.status(id).Due // start+2.2s
			h.clock.set(t, t0().Add(1500*time.Millisecond))
			if err := h.s.Update(tt.update); err != nil {
				t.Fatal(err)
			}
			st := h.status(id)
			want := tt.wantDue(first, h.clock.Now())
			if st.Entry != tt.update || !st.Due.Equal(want) || st.State != Waiting {
				t.Errorf("status %+v due start+%s, want %+v due start+%s", st.Entry, st.Due.Sub(t0()), tt.update, want.Sub(t0()))
			}
		})
	}
}

// The expected values of TestUpdate rest on these: a shorter interval whose
// phase point comes before the planned run moves the run earlier.
func TestUpdateToShorterIntervalRunsSooner(t *testing.T) {
	h := newHarness(t, 1)
	h.add(Entry{ID: "db1/disk:/", Interval: 5 * time.Minute}) // due start+1m6.2s
	if err := h.s.Update(Entry{ID: "db1/disk:/", Interval: time.Minute}); err != nil {
		t.Fatal(err)
	}
	if got, want := h.status("db1/disk:/").Due, t0().Add(6234114150*time.Nanosecond); !got.Equal(want) {
		t.Errorf("due start+%s, want start+%s", got.Sub(t0()), want.Sub(t0()))
	}
}

func TestUpdateWhileRunningAppliesAfterTheRun(t *testing.T) {
	h := newHarness(t, 1)
	r, due := h.addAndRunFirst(Entry{ID: "a", Interval: time.Minute})
	if err := h.s.Update(Entry{ID: "a", Interval: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if st := h.status("a"); st.State != Running || !st.Due.Equal(due) {
		t.Fatalf("status %s due start+%s, want running, due unchanged", st.State, st.Due.Sub(t0()))
	}
	r.finish(Normal)
	h.clock.waitArmed(t, due.Add(30*time.Second))
}

func TestRemove(t *testing.T) {
	t.Run("waiting", func(t *testing.T) {
		h := newHarness(t, 1)
		h.add(Entry{ID: "a", Interval: time.Minute}) // due start+49.4s
		h.add(Entry{ID: "b", Interval: time.Minute}) // due start+48.5s
		h.start()
		h.clock.waitArmed(t, h.status("b").Due)
		if err := h.s.Remove("b"); err != nil {
			t.Fatal(err)
		}
		aDue := h.status("a").Due
		h.clock.waitArmed(t, aDue)
		if _, ok := h.s.Lookup("b"); ok {
			t.Error("b is still scheduled")
		}
		h.clock.set(t, t0().Add(time.Minute))
		h.expectRun("a", t0().Add(time.Minute)).finish(Normal)
		h.clock.waitArmed(t, aDue.Add(time.Minute))
		if st := h.s.Stats(); st.Checks != 1 || st.Lateness.Count != 1 {
			t.Errorf("stats %+v, want 1 check run once", st)
		}
	})

	t.Run("running: finishes, not rescheduled", func(t *testing.T) {
		h := newHarness(t, 1)
		r, _ := h.addAndRunFirst(Entry{ID: "a", Interval: time.Minute})
		if err := h.s.Remove("a"); err != nil {
			t.Fatal(err)
		}
		if _, ok := h.s.Lookup("a"); ok {
			t.Error("a is still scheduled")
		}
		if st := h.s.Stats(); st.Checks != 0 || st.Running != 1 {
			t.Errorf("stats %+v, want 0 checks, 1 running", st)
		}
		r.finish(Normal)
		waitFor(t, "the run of a to end", func() bool { return h.s.Stats().Running == 0 })
		h.s.mu.Lock()
		records, heapLen := len(h.s.checks), len(h.s.heap)
		h.s.mu.Unlock()
		if records != 0 || heapLen != 0 {
			t.Errorf("%d records, %d on the heap after the run; want none", records, heapLen)
		}
		h.clock.waitArmed(t, time.Time{})
	})

	t.Run("queued: never starts", func(t *testing.T) {
		h := newHarness(t, 1)
		first, second := h.addTwo()
		firstDue := h.status(first).Due
		h.start()
		h.clock.waitArmed(t, firstDue)
		h.clock.set(t, t0().Add(time.Minute))
		r := h.expectRun(first, t0().Add(time.Minute))
		h.clock.waitArmed(t, time.Time{})
		if st := h.status(second); st.State != Queued {
			t.Fatalf("%s is %s, want queued", second, st.State)
		}
		if err := h.s.Remove(second); err != nil {
			t.Fatal(err)
		}
		r.finish(Normal)
		// The worker drops the removed check before it lets go of the
		// lock, so once the loop re-arms, that is done.
		h.clock.waitArmed(t, firstDue.Add(time.Minute))
		h.s.mu.Lock()
		records := len(h.s.checks)
		h.s.mu.Unlock()
		if st := h.s.Stats(); st.Checks != 1 || st.Queued != 0 || st.Lateness.Count != 1 || records != 1 {
			t.Errorf("stats %+v, %d records; want 1 check, nothing queued, 1 run, 1 record", st, records)
		}
	})

	t.Run("removed and added back while running: one run at a time", func(t *testing.T) {
		h := newHarness(t, 4)
		r, due := h.addAndRunFirst(Entry{ID: "a", Interval: time.Minute})
		if err := h.s.Remove("a"); err != nil {
			t.Fatal(err)
		}
		h.add(Entry{ID: "a", Interval: 20 * time.Second})
		if st := h.status("a"); st.State != Running || st.Entry.Interval != 20*time.Second {
			t.Fatalf("status %+v, want running with the new interval", st)
		}
		h.clock.waitArmed(t, time.Time{})
		if st := h.s.Stats(); st.Checks != 1 || st.Running != 1 || st.Queued != 0 {
			t.Fatalf("stats %+v, want 1 check, 1 running, 0 queued", st)
		}
		r.finish(Normal)
		h.clock.waitArmed(t, due.Add(20*time.Second))
	})
}

func TestAddWhileRunningStartsSpreadOut(t *testing.T) {
	h := newHarness(t, 4)
	h.add(Entry{ID: "a", Interval: time.Minute})
	aDue := h.status("a").Due
	h.start()
	h.clock.waitArmed(t, aDue)
	h.clock.set(t, aDue)
	h.expectRun("a", aDue).finish(Normal)
	h.clock.waitArmed(t, aDue.Add(time.Minute))

	h.add(Entry{ID: "web1/http", Interval: 10 * time.Second})
	// 2.2s into the minute is 2.2s into every 10s: after a's run at
	// start+49.4s, the next such point is start+52.2s.
	want := t0().Add(50*time.Second + 2206917911*time.Nanosecond)
	if st := h.status("web1/http"); !st.Due.Equal(want) || st.State != Waiting {
		t.Fatalf("new check %s due start+%s, want waiting due start+%s", st.State, st.Due.Sub(t0()), want.Sub(t0()))
	}
	h.clock.waitArmed(t, want)
	h.clock.set(t, want)
	h.expectRun("web1/http", want).finish(Normal)
}

func TestReload(t *testing.T) {
	h := newHarness(t, 4)
	for _, id := range []string{"same", "changed", "gone", "running"} {
		h.add(Entry{ID: id, Interval: time.Minute})
	}
	before := map[string]Status{}
	for _, id := range []string{"same", "changed", "gone", "running"} {
		before[id] = h.status(id)
	}
	h.start()
	runningDue := before["running"].Due
	h.clock.set(t, runningDue)
	// Whatever else was due before it has run by the time it runs.
	var r run
	for r.id != "running" {
		r = h.next()
		if r.id != "running" {
			r.finish(Normal)
		}
	}
	now := h.clock.Now()
	err := h.s.Reload([]Entry{
		{ID: "same", Interval: time.Minute},
		{ID: "changed", Interval: 15 * time.Second},
		{ID: "new", Interval: time.Minute},
	})
	if err != nil {
		t.Fatal(err)
	}
	var logged map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(h.logs.String())), &logged); err != nil {
		t.Fatalf("log %q: %v", h.logs.String(), err)
	}
	wantLog := map[string]any{"level": "info", "added": 1.0, "changed": 1.0, "unchanged": 1.0, "removed": 2.0, "message": "schedule reloaded"}
	if fmt.Sprint(logged) != fmt.Sprint(wantLog) {
		t.Errorf("logged %v, want %v", logged, wantLog)
	}

	same := h.status("same")
	if d := same.Due.Sub(before["same"].Due); d != 0 && d != time.Minute {
		t.Errorf("unchanged check moved from start+%s to start+%s", before["same"].Due.Sub(t0()), same.Due.Sub(t0()))
	}
	changedPlan := before["changed"].Due
	if changedPlan.Before(now) || changedPlan.Equal(now) {
		changedPlan = changedPlan.Add(time.Minute) // it ran already
	}
	wantChanged := time.Unix(0, min(changedPlan.UnixNano(), firstDue("changed", 15*time.Second, now.UnixNano())))
	if got := h.status("changed").Due; !got.Equal(wantChanged) {
		t.Errorf("changed check due start+%s, want start+%s", got.Sub(t0()), wantChanged.Sub(t0()))
	}
	if got, want := h.status("new").Due, time.Unix(0, firstDue("new", time.Minute, now.UnixNano())); !got.Equal(want) {
		t.Errorf("new check due start+%s, want start+%s", got.Sub(t0()), want.Sub(t0()))
	}
	for _, id := range []string{"gone", "running"} {
		if _, ok := h.s.Lookup(id); ok {
			t.Errorf("%s is still scheduled", id)
		}
	}
	if st := h.s.Stats(); st.Checks != 3 || st.Running != 1 {
		t.Errorf("stats %+v, want 3 checks, 1 running", st)
	}
	r.finish(Normal)
	waitFor(t, "the removed check's run to end", func() bool { return h.s.Stats().Running == 0 })
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	if len(h.s.checks) != 3 || h.s.removed != 0 {
		t.Errorf("%d records, %d removed; want 3, 0", len(h.s.checks), h.s.removed)
	}
}

func TestRunNow(t *testing.T) {
	t.Run("waiting", func(t *testing.T) {
		h := newHarness(t, 1)
		h.add(Entry{ID: "a", Interval: time.Hour})
		h.start()
		h.clock.waitArmed(t, h.status("a").Due)
		now := t0().Add(time.Second)
		h.clock.set(t, now)
		if err := h.s.RunNow("a"); err != nil {
			t.Fatal(err)
		}
		h.expectRun("a", now).finish(Normal)
		h.clock.waitArmed(t, now.Add(time.Hour))
		if st := h.s.Stats(); st.Lateness != (Lateness{Count: 1}) {
			t.Errorf("lateness %+v, want one run on time", st.Lateness)
		}
	})
	t.Run("running: once more right after", func(t *testing.T) {
		h := newHarness(t, 1)
		r, due := h.addAndRunFirst(Entry{ID: "a", Interval: time.Hour})
		if err := h.s.RunNow("a"); err != nil {
			t.Fatal(err)
		}
		now := due.Add(5 * time.Second)
		h.clock.set(t, now)
		r.finish(Normal)
		h.expectRun("a", now).finish(Normal)
		h.clock.waitArmed(t, now.Add(time.Hour))
	})
}

func TestRunnerPanicIsLoggedAndTheCheckGoesOn(t *testing.T) {
	h := newHarness(t, 1)
	r, due := h.addAndRunFirst(Entry{ID: "a", Interval: time.Minute, RetryInterval: time.Second})
	r.reply <- func() Next { panic("boom") }
	h.clock.waitArmed(t, due.Add(time.Minute))

	if st := h.s.Stats(); st.Panics != 1 {
		t.Errorf("%d panics counted, want 1", st.Panics)
	}
	var logged map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(h.logs.String())), &logged); err != nil {
		t.Fatalf("log %q: %v", h.logs.String(), err)
	}
	stack, _ := logged["stack"].(string)
	if !strings.Contains(stack, "schedule.(*Scheduler).runOne") {
		t.Errorf("logged stack %q does not name runOne", stack)
	}
	delete(logged, "stack")
	want := map[string]any{"level": "error", "check": "a", "panic": "boom", "message": "check runner panicked; check rescheduled at its interval"}
	if fmt.Sprint(logged) != fmt.Sprint(want) {
		t.Errorf("logged %v, want %v", logged, want)
	}
}

func TestRunTwiceAtOnceIsRefused(t *testing.T) {
	h := newHarness(t, 1)
	h.start()
	h.clock.waitArmed(t, time.Time{})
	err := h.s.Run(context.Background())
	if err == nil || err.Error() != "running scheduler: scheduler is already running" || !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second Run: %v", err)
	}
}

// Cancelling Run starts nothing new and waits for the run in progress,
// whose context is not cancelled; queued runs wait for the next Run.
func TestCancelWaitsForRunningChecks(t *testing.T) {
	h := newHarness(t, 1)
	first, second := h.addTwo()
	h.start()
	h.clock.waitArmed(t, h.status(first).Due)
	now := t0().Add(time.Minute)
	h.clock.set(t, now)
	r := h.expectRun(first, now)
	h.clock.waitArmed(t, time.Time{})

	h.cancel()
	waitFor(t, "Run to see the cancel", func() bool {
		h.s.mu.Lock()
		defer h.s.mu.Unlock()
		return h.s.stopping
	})
	select {
	case <-h.stopped:
		t.Fatal("Run returned while a check was running")
	default:
	}
	if err := r.ctx.Err(); err != nil {
		t.Errorf("the running check's context is done (%v) after cancel", err)
	}
	r.finish(Normal)
	select {
	case <-h.stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the last run ended")
	}
	if h.runErr != nil {
		t.Errorf("Run returned %v, want nil", h.runErr)
	}
	st := h.s.Stats()
	if st.Lateness.Count != 1 || st.Queued != 0 || st.Running != 0 {
		t.Errorf("stats %+v, want 1 run, nothing queued or running", st)
	}
	if st := h.status(second); st.State != Waiting || !st.Due.Before(now) {
		t.Errorf("%s is %s due start+%s, want waiting, still due", second, st.State, st.Due.Sub(t0()))
	}

	// Run again: the run that never started goes first.
	h.start()
	h.expectRun(second, now).finish(Normal)
}

// 100,000 checks on the heap all run once in their first interval, none
// twice, in the order they fall due, however many come due at each step of
// the clock, and each then waits for its next interval.
func TestHundredThousandChecksRunOnce(t *testing.T) {
	const (
		n        = 100_000
		interval = time.Minute
		steps    = 12 // the clock moves 5s at a time: about 8,300 checks due per step
	)
	clock := newFakeClock(t0())
	due := make(map[string]time.Time, n) // filled before Run starts
	var (
		mu       sync.Mutex
		runs     = make(map[string]int, n)
		last     time.Time // the due time of the latest run
		disorder []string  // runs that came before one due earlier
	)
	s, err := New(Options{
		Clock:       clock,
		Concurrency: 1, // one at a time, so that the order is the heap's
		Runner: RunnerFunc(func(_ context.Context, id string) Next {
			mu.Lock()
			defer mu.Unlock()
			runs[id]++
			if due[id].Before(last) {
				disorder = append(disorder, id)
			}
			last = due[id]
			return Normal
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		id := fmt.Sprintf("host%05d.example.net/ping", i)
		if err := s.Add(Entry{ID: id, Interval: interval}); err != nil {
			t.Fatal(err)
		}
		st, _ := s.Lookup(id)
		due[id] = st.Due
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	for step := 1; step <= steps; step++ {
		clock.set(t, t0().Add(time.Duration(step)*interval/steps))
		want := 0
		for _, d := range due {
			if !d.After(clock.Now()) {
				want++
			}
		}
		waitFor(t, fmt.Sprintf("the %d checks due by step %d to run", want, step), func() bool {
			return s.Stats().Lateness.Count == uint64(want)
		})
	}
	st := s.Stats()
	if st.Lateness.Count != n || st.Missed != 0 || st.Panics != 0 || st.Queued != 0 || st.Lateness.Max > interval/steps {
		t.Errorf("stats %+v; want %d runs, none missed, each at most %s late", st, n, interval/steps)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(disorder) > 0 {
		t.Errorf("%d runs came after one due later, the first: %s", len(disorder), disorder[0])
	}
	for id, d := range due {
		if runs[id] != 1 {
			t.Fatalf("%s ran %d times, want once", id, runs[id])
		}
		if next, _ := s.Lookup(id); !next.Due.Equal(d.Add(interval)) {
			t.Fatalf("%s next due start+%s, want start+%s", id, next.Due.Sub(t0()), d.Add(interval).Sub(t0()))
		}
	}
}
