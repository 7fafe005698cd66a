package state

import (
	"reflect"
	"testing"

	"github.com/vakt/vakt/core/check"
)

const (
	ok      = check.OK
	warning = check.Warning
	crit    = check.Critical
	unknown = check.Unknown

	lvlOK   = check.LevelOK
	lvlWarn = check.LevelWarning
	lvlErr  = check.LevelError
)

func one(id string, s Settings) map[string]Settings { return map[string]Settings{id: s} }

func attempts(n int) Settings { return Settings{MaxAttempts: n, UnknownAs: check.LevelError} }

func hasAck(want bool) func(t *testing.T, s Status) {
	return func(t *testing.T, s Status) {
		t.Helper()
		if (s.Ack != nil) != want {
			t.Fatalf("ack present = %v, want %v", s.Ack != nil, want)
		}
	}
}

func TestSoftHard(t *testing.T) {
	for _, sc := range []scenario{
		{
			// The sequence of Naemon's t-tap/test_checks.c service tests,
			// max_check_attempts 4.
			name: "naemon sequence", settings: one("web", attempts(4)), check: "web",
			steps: []step{
				{at: 0, do: result("web", warning), state: warning, typ: Soft, att: 1, lvl: lvlWarn,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 1, do: ack("web", false, false), state: warning, typ: Soft, att: 1, lvl: lvlWarn,
					want: []wantTr{quiet(KindAcknowledgement, SuppressedNotRequested)}},
				{at: 2, do: result("web", warning), state: warning, typ: Soft, att: 2, lvl: lvlWarn, also: hasAck(true),
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 3, do: result("web", warning), state: warning, typ: Soft, att: 3, lvl: lvlWarn, also: hasAck(true),
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				// HARD at attempt == max_attempts; same state, so the normal ack stays.
				{at: 4, do: result("web", warning), state: warning, typ: Hard, att: 4, lvl: lvlWarn,
					want: []wantTr{quiet(KindProblem, SuppressedAcknowledged)}, also: hasAck(true)},
				{at: 5, do: result("web", warning), state: warning, typ: Hard, att: 4, lvl: lvlWarn, also: hasAck(true)},
				// Hard non-OK to another non-OK: a HARD change at once; the normal ack ends.
				{at: 6, do: result("web", crit), state: crit, typ: Hard, att: 4, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}, also: hasAck(false)},
				{at: 7, do: result("web", crit), state: crit, typ: Hard, att: 4, lvl: lvlErr},
				{at: 8, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{notified(KindRecovery)}},
				{at: 9, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK},
			},
		},
		{
			name: "soft changes keep counting and a soft recovery is silent", settings: one("db", attempts(3)), check: "db",
			steps: []step{
				{at: 0, do: result("db", warning), state: warning, typ: Soft, att: 1, lvl: lvlWarn,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 1, do: result("db", crit), state: crit, typ: Soft, att: 2, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 2, do: result("db", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindRecovery, SuppressedSoft)}},
				{at: 3, do: result("db", unknown), state: unknown, typ: Soft, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 4, do: result("db", unknown), state: unknown, typ: Soft, att: 2, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 5, do: result("db", unknown), state: unknown, typ: Hard, att: 3, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}},
				{at: 6, do: result("db", warning), state: warning, typ: Hard, att: 3, lvl: lvlWarn,
					want: []wantTr{notified(KindProblem)}},
				{at: 7, do: result("db", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{notified(KindRecovery)}},
			},
		},
		{
			// A reload that raises max_attempts must not turn a notified
			// HARD problem back into SOFT (it would notify twice) nor
			// make its recovery a silent soft one.
			name: "raising max_attempts keeps a hard problem hard", settings: one("db", attempts(2)), check: "db",
			steps: []step{
				{at: 0, do: result("db", crit), state: crit, typ: Soft, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 1, do: result("db", crit), state: crit, typ: Hard, att: 2, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}},
				{at: 2, do: reconfigure(one("db", attempts(5))), state: crit, typ: Hard, att: 5, lvl: lvlErr},
				{at: 3, do: result("db", crit), state: crit, typ: Hard, att: 5, lvl: lvlErr},
				{at: 4, do: result("db", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{notified(KindRecovery)}},
				// The next problem counts to the new max_attempts.
				{at: 5, do: result("db", warning), state: warning, typ: Soft, att: 1, lvl: lvlWarn,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
			},
		},
		{
			name: "max_attempts 1 is hard at once", settings: one("ping", attempts(1)), check: "ping",
			steps: []step{
				{at: 0, do: result("ping", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK},
				{at: 1, do: result("ping", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}},
				{at: 2, do: result("ping", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{notified(KindRecovery)}},
			},
		},
		{
			name: "unknown_as warning", settings: one("bb", Settings{MaxAttempts: 1, UnknownAs: check.LevelWarning}), check: "bb",
			steps: []step{
				{at: 0, do: result("bb", unknown), state: unknown, typ: Hard, att: 1, lvl: lvlWarn,
					want: []wantTr{notified(KindProblem)}},
				// A change of state with the same level is still a hard change, as in Nagios.
				{at: 1, do: result("bb", warning), state: warning, typ: Hard, att: 1, lvl: lvlWarn,
					want: []wantTr{notified(KindProblem)}},
			},
		},
	} {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc) })
	}
}

func TestAcknowledgement(t *testing.T) {
	for _, sc := range []scenario{
		{
			name: "normal ack ends at the next change of state", settings: one("web", attempts(1)), check: "web",
			steps: []step{
				{at: 0, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr, want: []wantTr{notified(KindProblem)}},
				{at: 1, do: ack("web", false, true), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{notified(KindAcknowledgement)}, also: hasAck(true)},
				{at: 2, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr, also: hasAck(true)},
				{at: 3, do: result("web", warning), state: warning, typ: Hard, att: 1, lvl: lvlWarn,
					want: []wantTr{notified(KindProblem)}, also: hasAck(false)},
			},
		},
		{
			name: "sticky ack lasts until OK", settings: one("web", attempts(1)), check: "web",
			steps: []step{
				{at: 0, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr, want: []wantTr{notified(KindProblem)}},
				{at: 1, do: ack("web", true, true), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{notified(KindAcknowledgement)}},
				{at: 2, do: result("web", warning), state: warning, typ: Hard, att: 1, lvl: lvlWarn,
					want: []wantTr{quiet(KindProblem, SuppressedAcknowledged)}, also: hasAck(true)},
				{at: 3, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedAcknowledged)}, also: hasAck(true)},
				// The problem was notified at minute 0, so its recovery is too.
				{at: 4, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{notified(KindRecovery)}, also: hasAck(false)},
			},
		},
		{
			name: "ack during soft problem, then removed", settings: one("web", attempts(2)), check: "web",
			steps: []step{
				{at: 0, do: result("web", warning), state: warning, typ: Soft, att: 1, lvl: lvlWarn,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 1, do: ack("web", false, false), state: warning, typ: Soft, att: 1, lvl: lvlWarn,
					want: []wantTr{quiet(KindAcknowledgement, SuppressedNotRequested)}},
				{at: 2, do: result("web", warning), state: warning, typ: Hard, att: 2, lvl: lvlWarn,
					want: []wantTr{quiet(KindProblem, SuppressedAcknowledged)}},
				// The problem nobody was told of notifies once the ack is gone.
				{at: 3, do: unack("web"), state: warning, typ: Hard, att: 2, lvl: lvlWarn,
					want: []wantTr{quiet(KindAcknowledgementRemoved, SuppressedNotRequested), notified(KindProblem)}, also: hasAck(false)},
				{at: 4, do: result("web", warning), state: warning, typ: Hard, att: 2, lvl: lvlWarn},
			},
		},
		{
			name: "recovery of a problem acked before it was notified is silent", settings: one("web", attempts(2)), check: "web",
			steps: []step{
				{at: 0, do: result("web", crit), state: crit, typ: Soft, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 1, do: ack("web", true, false), state: crit, typ: Soft, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindAcknowledgement, SuppressedNotRequested)}},
				{at: 2, do: result("web", crit), state: crit, typ: Hard, att: 2, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedAcknowledged)}},
				{at: 3, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindRecovery, SuppressedNotNotified)}, also: hasAck(false)},
			},
		},
	} {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc) })
	}
}

func TestParents(t *testing.T) {
	unreachable := func(want bool) func(t *testing.T, s Status) {
		return func(t *testing.T, s Status) {
			t.Helper()
			if s.Unreachable != want {
				t.Fatalf("unreachable = %v, want %v", s.Unreachable, want)
			}
		}
	}
	web := Settings{MaxAttempts: 3, UnknownAs: check.LevelError, Parents: []string{"router"}}
	for _, sc := range []scenario{
		{
			name: "parent hard down: child hard at once, unreachable, silent",
			settings: map[string]Settings{
				"router": attempts(1),
				"web":    web,
			},
			check: "web",
			steps: []step{
				{at: 0, do: result("router", crit), check: "router", state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}},
				{at: 1, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedUnreachable)}, also: unreachable(true)},
				// No retries while the route is down.
				{at: 2, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr, also: unreachable(true)},
				{at: 3, do: result("router", ok), check: "router", state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{notified(KindRecovery)}},
				// The parent is back: the child gets its own retries before it notifies.
				{at: 4, do: result("web", crit), state: crit, typ: Soft, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}, also: unreachable(false)},
				{at: 5, do: result("web", crit), state: crit, typ: Soft, att: 2, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 6, do: result("web", crit), state: crit, typ: Hard, att: 3, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}},
				{at: 7, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{notified(KindRecovery)}},
			},
		},
		{
			name: "child recovers while unreachable: hard recovery, nobody to tell",
			settings: map[string]Settings{
				"router": attempts(1),
				"web":    web,
			},
			check: "web",
			steps: []step{
				{at: 0, do: result("router", crit), check: "router", state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}},
				{at: 1, do: result("web", warning), state: warning, typ: Hard, att: 1, lvl: lvlWarn,
					want: []wantTr{quiet(KindProblem, SuppressedUnreachable)}},
				{at: 2, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindRecovery, SuppressedNotNotified)}, also: unreachable(false)},
			},
		},
		{
			name: "parent soft down: child counts its own attempts but stays silent until the parent is OK",
			settings: map[string]Settings{
				"router": attempts(3),
				"app":    {MaxAttempts: 1, UnknownAs: check.LevelError, Parents: []string{"router"}},
			},
			check: "app",
			steps: []step{
				{at: 0, do: result("router", crit), check: "router", state: crit, typ: Soft, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 1, do: result("app", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedUnreachable)}, also: unreachable(true)},
				{at: 2, do: result("router", ok), check: "router", state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindRecovery, SuppressedSoft)}},
				// Still failing with the parent OK: now it is this check's own problem.
				{at: 3, do: result("app", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}, also: unreachable(false)},
			},
		},
		{
			// Nagios only marks host_problem_at_last_check for a service
			// that went HARD because its host was down, so only such a
			// recovery is a hard one; a soft problem recovers soft.
			name: "soft problem while the parent is soft down recovers soft",
			settings: map[string]Settings{
				"router": attempts(3),
				"web":    web,
			},
			check: "web",
			steps: []step{
				{at: 0, do: result("router", crit), check: "router", state: crit, typ: Soft, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 1, do: result("web", crit), state: crit, typ: Soft, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}, also: unreachable(true)},
				{at: 2, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindRecovery, SuppressedSoft)}, also: unreachable(false)},
			},
		},
		{
			// A problem notified before the parent failed keeps its
			// notification; its recovery is told even while the parent is
			// down (Nagios checks the host only for problems).
			name: "notified problem, then parent down, then recovery notifies",
			settings: map[string]Settings{
				"router": attempts(1),
				"web":    web,
			},
			check: "web",
			steps: []step{
				{at: 0, do: result("web", crit), state: crit, typ: Soft, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 0, do: result("web", crit), state: crit, typ: Soft, att: 2, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 0, do: result("web", crit), state: crit, typ: Hard, att: 3, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}},
				{at: 1, do: result("router", crit), check: "router", state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}},
				{at: 2, do: result("web", crit), state: crit, typ: Hard, att: 3, lvl: lvlErr, also: unreachable(true)},
				{at: 3, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{notified(KindRecovery)}, also: unreachable(false)},
			},
		},
		{
			name: "any one of two parents down makes the child unreachable",
			settings: map[string]Settings{
				"uplink-a": attempts(1),
				"uplink-b": attempts(1),
				"vpn":      {MaxAttempts: 1, UnknownAs: check.LevelError, Parents: []string{"uplink-a", "uplink-b"}},
			},
			check: "vpn",
			steps: []step{
				{at: 0, do: result("uplink-b", crit), check: "uplink-b", state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}},
				{at: 1, do: result("vpn", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedUnreachable)}, also: unreachable(true)},
			},
		},
	} {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc) })
	}
}

func TestFirstNotificationDelay(t *testing.T) {
	delayed := func(n, minutes int) Settings {
		s := attempts(n)
		s.FirstNotificationDelay = minuteDur(minutes)
		return s
	}
	for _, sc := range []scenario{
		{
			name: "released by tick when the delay has passed", settings: one("web", delayed(1, 10)), check: "web",
			steps: []step{
				{at: 0, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedDelay)}},
				{at: 5, do: tick(), state: crit, typ: Hard, att: 1, lvl: lvlErr},
				{at: 10, do: tick(), state: crit, typ: Hard, att: 1, lvl: lvlErr, want: []wantTr{notified(KindProblem)}},
				{at: 11, do: tick(), state: crit, typ: Hard, att: 1, lvl: lvlErr},
				{at: 12, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK, want: []wantTr{notified(KindRecovery)}},
			},
		},
		{
			name: "recovered within the delay: nothing at all", settings: one("web", delayed(1, 10)), check: "web",
			steps: []step{
				{at: 0, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedDelay)}},
				{at: 5, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindRecovery, SuppressedNotNotified)}},
				{at: 20, do: tick(), state: ok, typ: Hard, att: 1, lvl: lvlOK},
			},
		},
		{
			// A reload that lengthens the delay does not hold back a
			// problem that was already notified.
			name: "no delay for a problem already notified", settings: one("web", attempts(1)), check: "web",
			steps: []step{
				{at: 0, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr, want: []wantTr{notified(KindProblem)}},
				{at: 1, do: reconfigure(one("web", delayed(1, 60))), state: crit, typ: Hard, att: 1, lvl: lvlErr},
				{at: 5, do: result("web", warning), state: warning, typ: Hard, att: 1, lvl: lvlWarn, want: []wantTr{notified(KindProblem)}},
			},
		},
		{
			name: "the delay counts from the first soft failure", settings: one("web", delayed(2, 10)), check: "web",
			steps: []step{
				{at: 0, do: result("web", crit), state: crit, typ: Soft, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 6, do: result("web", crit), state: crit, typ: Hard, att: 2, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedDelay)}},
				{at: 10, do: result("web", crit), state: crit, typ: Hard, att: 2, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}},
			},
		},
	} {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc) })
	}
}

// TestTransitionFields checks every field of the transitions of one hard
// change and one recovery.
func TestTransitionFields(t *testing.T) {
	m, err := New(t0, one("web", attempts(2)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Apply(minute(1), "web", check.Result{State: crit, Output: "CRITICAL - down"}); err != nil {
		t.Fatal(err)
	}
	got, err := m.Apply(minute(2), "web", check.Result{State: crit, Output: "CRITICAL - still down"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Transition{{
		Check: "web", At: minute(2), Kind: KindProblem,
		From:   Condition{State: crit, Type: Soft, Attempt: 1, Level: lvlErr},
		To:     Condition{State: crit, Type: Hard, Attempt: 2, Level: lvlErr},
		Hard:   true,
		Notify: true,
		Output: "CRITICAL - still down",
		// Only the newest of the 20 transitions changed state.
		PercentChange: 6.25,
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	got, err = m.Apply(minute(3), "web", check.Result{State: ok, Output: "OK - up"})
	if err != nil {
		t.Fatal(err)
	}
	want = []Transition{{
		Check: "web", At: minute(3), Kind: KindRecovery,
		From:          Condition{State: crit, Type: Hard, Attempt: 2, Level: lvlErr},
		To:            Condition{State: ok, Type: Hard, Attempt: 1, Level: lvlOK},
		Hard:          true,
		Notify:        true,
		Output:        "OK - up",
		PercentChange: float64((93+95)*100) / 1520,
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	s, _ := m.Status("web")
	if !s.LastChange.Equal(minute(3)) || !s.LastHardChange.Equal(minute(3)) || !s.LastCheck.Equal(minute(3)) ||
		!s.ProblemSince.IsZero() || s.Notified || s.Output != "OK - up" {
		t.Fatalf("status after recovery: %+v", s)
	}
}
