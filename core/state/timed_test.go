package state

import (
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
)

func minuteDur(n int) time.Duration { return time.Duration(n) * time.Minute }

func inDowntime(want bool) func(t *testing.T, s Status) {
	return func(t *testing.T, s Status) {
		t.Helper()
		if s.InDowntime() != want {
			t.Fatalf("in downtime = %v, want %v (downtimes %+v)", s.InDowntime(), want, s.Downtimes)
		}
	}
}

func downtimePhases(want ...DowntimePhase) func(t *testing.T, s Status) {
	return func(t *testing.T, s Status) {
		t.Helper()
		var got []DowntimePhase
		for _, d := range s.Downtimes {
			got = append(got, d.Phase)
		}
		if len(got) != len(want) {
			t.Fatalf("downtime phases %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("downtime phases %v, want %v", got, want)
			}
		}
	}
}

func TestDowntime(t *testing.T) {
	for _, sc := range []scenario{
		{
			name: "fixed: starts, suppresses, ends, then the held problem notifies", settings: one("web", attempts(1)), check: "web",
			steps: []step{
				{at: 5, do: fixed("web", 10, 20), state: ok, typ: Hard, att: 1, lvl: lvlOK, also: downtimePhases(DowntimeScheduled),
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
				{at: 9, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK, also: inDowntime(false)},
				{at: 10, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{notified(KindDowntimeStart)}, also: inDowntime(true)},
				{at: 12, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedDowntime)}},
				{at: 20, do: tick(), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{notified(KindDowntimeEnd), notified(KindProblem)}, also: inDowntime(false)},
				{at: 21, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK, want: []wantTr{notified(KindRecovery)}},
			},
		},
		{
			name: "a result after the start time sees the downtime even before any tick", settings: one("web", attempts(1)), check: "web",
			steps: []step{
				{at: 0, do: fixed("web", 10, 20), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
				{at: 11, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{notified(KindDowntimeStart).when(10), quiet(KindProblem, SuppressedDowntime)}},
			},
		},
		{
			name: "recovery of a notified problem is sent even in downtime", settings: one("web", attempts(1)), check: "web",
			steps: []step{
				{at: 0, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr, want: []wantTr{notified(KindProblem)}},
				{at: 1, do: fixed("web", 1, 30), state: crit, typ: Hard, att: 1, lvl: lvlErr, want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested), notified(KindDowntimeStart)}},
				{at: 2, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK, want: []wantTr{notified(KindRecovery)}},
				{at: 3, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedDowntime)}},
				{at: 4, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindRecovery, SuppressedNotNotified)}},
			},
		},
		{
			name: "a downtime whose start has passed starts when scheduled", settings: one("web", attempts(1)), check: "web",
			steps: []step{
				{at: 5, do: fixed("web", 0, 10), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested), notified(KindDowntimeStart).when(0)}, also: downtimePhases(DowntimeActive)},
				{at: 10, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK, want: []wantTr{notified(KindDowntimeEnd)}},
			},
		},
		{
			name: "flexible: starts at the hard problem inside the window and lasts its duration", settings: one("web", attempts(2)), check: "web",
			steps: []step{
				{at: 0, do: flexible("web", 10, 30, 15), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
				{at: 10, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK, also: downtimePhases(DowntimeWaiting)},
				{at: 12, do: result("web", crit), state: crit, typ: Soft, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}, also: downtimePhases(DowntimeWaiting)},
				{at: 13, do: result("web", crit), state: crit, typ: Hard, att: 2, lvl: lvlErr,
					want: []wantTr{notified(KindDowntimeStart), quiet(KindProblem, SuppressedDowntime)},
					also: func(t *testing.T, s Status) {
						if d := s.Downtimes[0]; !d.Started.Equal(minute(13)) || !d.Ends.Equal(minute(28)) {
							t.Fatalf("flexible downtime runs %s..%s, want minute 13..28", d.Started, d.Ends)
						}
					}},
				{at: 27, do: tick(), state: crit, typ: Hard, att: 2, lvl: lvlErr, also: inDowntime(true)},
				// It ends after its duration, not at the window's end.
				{at: 28, do: tick(), state: crit, typ: Hard, att: 2, lvl: lvlErr,
					want: []wantTr{notified(KindDowntimeEnd), notified(KindProblem)}},
			},
		},
		{
			name: "flexible: a window with no problem expires quietly", settings: one("web", attempts(1)), check: "web",
			steps: []step{
				{at: 0, do: flexible("web", 10, 30, 15), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
				{at: 10, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK},
				{at: 31, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeExpired, SuppressedNotStarted).when(30)}, also: downtimePhases()},
			},
		},
		{
			name: "flexible: already failing when the window opens", settings: one("web", attempts(1)), check: "web",
			steps: []step{
				{at: 0, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr, want: []wantTr{notified(KindProblem)}},
				{at: 1, do: flexible("web", 10, 30, 5), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
				{at: 10, do: tick(), state: crit, typ: Hard, att: 1, lvl: lvlErr, want: []wantTr{notified(KindDowntimeStart)}},
				{at: 15, do: tick(), state: crit, typ: Hard, att: 1, lvl: lvlErr, want: []wantTr{notified(KindDowntimeEnd)}},
			},
		},
		{
			name: "overlapping downtimes suppress until the last one ends", settings: one("web", attempts(1)), check: "web",
			steps: []step{
				{at: 0, do: fixed("web", 10, 30), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
				{at: 0, do: fixed("web", 20, 40), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
				{at: 10, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK, want: []wantTr{notified(KindDowntimeStart)}},
				{at: 20, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeStart, SuppressedOtherDowntime)}},
				{at: 30, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeEnd, SuppressedOtherDowntime)}, also: inDowntime(true)},
				{at: 35, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedDowntime)}},
				{at: 40, do: tick(), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{notified(KindDowntimeEnd), notified(KindProblem)}, also: inDowntime(false)},
			},
		},
		{
			name: "one late tick fires every due event in time order", settings: one("web", attempts(1)), check: "web",
			steps: []step{
				{at: 0, do: fixed("web", 10, 20), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
				{at: 0, do: fixed("web", 15, 25), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
				{at: 30, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{
						notified(KindDowntimeStart).when(10),
						quiet(KindDowntimeStart, SuppressedOtherDowntime).when(15),
						quiet(KindDowntimeEnd, SuppressedOtherDowntime).when(20),
						notified(KindDowntimeEnd).when(25),
					}, also: downtimePhases()},
			},
		},
		{
			name: "back-to-back downtimes: no gap, no end and start notifications", settings: one("web", attempts(1)), check: "web",
			steps: []step{
				{at: 0, do: fixed("web", 10, 20), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
				{at: 0, do: fixed("web", 20, 30), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
				{at: 10, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK, want: []wantTr{notified(KindDowntimeStart)}},
				{at: 20, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeStart, SuppressedOtherDowntime), quiet(KindDowntimeEnd, SuppressedOtherDowntime)}},
				{at: 30, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK, want: []wantTr{notified(KindDowntimeEnd)}},
			},
		},
		{
			name: "cancelling", settings: one("web", attempts(1)), check: "web",
			steps: []step{
				{at: 0, do: fixed("web", 10, 30), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
				{at: 0, do: fixed("web", 10, 40), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
				{at: 0, do: fixed("web", 50, 60), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
				{at: 10, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{notified(KindDowntimeStart), quiet(KindDowntimeStart, SuppressedOtherDowntime)}},
				{at: 12, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedDowntime)}},
				{at: 15, do: cancel("web", 1), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindDowntimeCanceled, SuppressedOtherDowntime)}},
				{at: 16, do: cancel("web", 3), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindDowntimeCanceled, SuppressedNotStarted)}},
				// The last active one: cancelled, and the held problem notifies.
				{at: 17, do: cancel("web", 2), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{notified(KindDowntimeCanceled), notified(KindProblem)}, also: downtimePhases()},
			},
		},
	} {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc) })
	}
}

func TestDowntimeIDsAndReturnedValue(t *testing.T) {
	m, err := New(t0, one("web", attempts(1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	d1, _, err := m.ScheduleDowntime(minute(0), "web", Downtime{Fixed: true, Start: minute(10), End: minute(20), Duration: time.Hour, Author: "ana", Comment: "patching"})
	if err != nil {
		t.Fatal(err)
	}
	want := Downtime{ID: 1, Fixed: true, Start: minute(10), End: minute(20), Duration: 10 * time.Minute,
		Author: "ana", Comment: "patching", Entered: minute(0), Phase: DowntimeScheduled}
	if d1 != want {
		t.Fatalf("got %+v\nwant %+v", d1, want)
	}
	if _, err := m.CancelDowntime(minute(1), "web", 1); err != nil {
		t.Fatal(err)
	}
	// IDs are never reused within a check, even after the old one is gone.
	d2, ts, err := m.ScheduleDowntime(minute(2), "web", Downtime{Start: minute(0), End: minute(30), Duration: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if d2.ID != 2 || d2.Phase != DowntimeWaiting || len(ts) != 1 || ts[0].Kind != KindDowntimeScheduled || ts[0].Downtime.ID != 2 {
		t.Fatalf("second downtime %+v with transitions %s: want ID 2, waiting, only its downtime_scheduled", d2, describe(ts))
	}
}

func TestStale(t *testing.T) {
	passive := func(ttl int, unknownAs check.Level) Settings {
		return Settings{MaxAttempts: 3, UnknownAs: unknownAs, TTL: minuteDur(ttl)}
	}
	isStale := func(want bool) func(t *testing.T, s Status) {
		return func(t *testing.T, s Status) {
			t.Helper()
			if s.Stale != want {
				t.Fatalf("stale = %v, want %v", s.Stale, want)
			}
		}
	}
	for _, sc := range []scenario{
		{
			name: "no result within the TTL: UNKNOWN at once, purple", settings: one("bb", passive(30, check.LevelError)), check: "bb",
			steps: []step{
				// A result exactly at the deadline would still be in time.
				{at: 30, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK, also: isStale(false)},
				{at: 31, do: tick(), state: unknown, typ: Hard, att: 3, lvl: lvlErr,
					want: []wantTr{notified(KindStale).when(30)},
					also: func(t *testing.T, s Status) {
						if !s.Stale || s.Output != "(stale: no result for more than 30m0s)" || !s.LastChange.Equal(minute(30)) || !s.LastCheck.IsZero() {
							t.Fatalf("stale status: %+v", s)
						}
					}},
				{at: 32, do: tick(), state: unknown, typ: Hard, att: 3, lvl: lvlErr},
				{at: 40, do: result("bb", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{notified(KindRecovery)}, also: isStale(false)},
				{at: 70, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK},
				{at: 71, do: tick(), state: unknown, typ: Hard, att: 3, lvl: lvlErr, want: []wantTr{notified(KindStale).when(70)}},
				// Results keep the usual soft/hard logic once they come again.
				{at: 72, do: result("bb", warning), state: warning, typ: Hard, att: 3, lvl: lvlWarn,
					want: []wantTr{notified(KindProblem)}, also: isStale(false)},
			},
		},
		{
			name: "unknown_as warning makes stale a warning", settings: one("bb", passive(10, check.LevelWarning)), check: "bb",
			steps: []step{
				{at: 11, do: tick(), state: unknown, typ: Hard, att: 3, lvl: lvlWarn, want: []wantTr{notified(KindStale).when(10)}},
			},
		},
		{
			name: "already HARD UNKNOWN: stale is recorded, nothing new to notify", settings: one("bb", Settings{MaxAttempts: 1, UnknownAs: check.LevelError, TTL: minuteDur(10)}), check: "bb",
			steps: []step{
				{at: 0, do: result("bb", unknown), state: unknown, typ: Hard, att: 1, lvl: lvlErr, want: []wantTr{notified(KindProblem)}},
				{at: 11, do: tick(), state: unknown, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindStale, SuppressedUnchanged).when(10)}, also: isStale(true)},
			},
		},
		{
			name: "no TTL: never stale", settings: one("web", attempts(1)), check: "web",
			steps: []step{
				{at: 100000, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK},
			},
		},
		{
			name: "stale during a downtime is silent until it ends", settings: one("bb", passive(10, check.LevelError)), check: "bb",
			steps: []step{
				{at: 0, do: fixed("bb", 5, 20), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
				{at: 25, do: tick(), state: unknown, typ: Hard, att: 3, lvl: lvlErr,
					want: []wantTr{
						notified(KindDowntimeStart).when(5),
						quiet(KindStale, SuppressedDowntime).when(10),
						notified(KindDowntimeEnd).when(20),
						notified(KindProblem).when(20),
					}},
			},
		},
	} {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc) })
	}
}

func TestStaleCountsFromRestart(t *testing.T) {
	settings := one("bb", Settings{MaxAttempts: 1, UnknownAs: check.LevelError, TTL: minuteDur(30)})
	saved := pending("bb", minute(0))
	saved.Checked = true
	saved.LastCheck = minute(0)
	// The daemon was down from minute 0 to 100: the check gets a full TTL
	// after the restart instead of going stale at once.
	m, err := New(minute(100), settings, []Status{saved})
	if err != nil {
		t.Fatal(err)
	}
	runSteps(t, m, "bb", []step{
		{at: 101, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK},
		{at: 131, do: tick(), state: unknown, typ: Hard, att: 1, lvl: lvlErr, want: []wantTr{notified(KindStale).when(130)}},
	})
}

func TestDowntimeThatPassedWhileDown(t *testing.T) {
	settings := one("web", attempts(1))
	saved := pending("web", minute(0))
	saved.LastDowntimeID = 1
	saved.Downtimes = []Downtime{{ID: 1, Fixed: true, Start: minute(10), End: minute(20), Duration: minuteDur(10), Entered: minute(0), Phase: DowntimeScheduled}}
	m, err := New(minute(30), settings, []Status{saved})
	if err != nil {
		t.Fatal(err)
	}
	runSteps(t, m, "web", []step{
		{at: 30, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK,
			want: []wantTr{quiet(KindDowntimeExpired, SuppressedNotStarted).when(20)}, also: downtimePhases()},
	})
}
