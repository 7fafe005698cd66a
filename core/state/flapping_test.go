package state

import (
	"strings"
	"testing"

	"github.com/vakt/vakt/core/check"
)

// history builds a flap history from a string of state letters, oldest
// first: o=OK, w=WARNING, c=CRITICAL, u=UNKNOWN.
func history(t *testing.T, s string) History {
	t.Helper()
	if len(s) != HistoryLen {
		t.Fatalf("history %q has %d states, want %d", s, len(s), HistoryLen)
	}
	var h History
	for i, r := range s {
		switch r {
		case 'o':
			h[i] = check.OK
		case 'w':
			h[i] = check.Warning
		case 'c':
			h[i] = check.Critical
		case 'u':
			h[i] = check.Unknown
		default:
			t.Fatalf("bad state letter %q", r)
		}
	}
	return h
}

// TestPercentStateChange checks the three numbers of SPEC.md section 5
// exactly, and a few more worked by hand from the weights.
func TestPercentStateChange(t *testing.T) {
	for _, tc := range []struct {
		name    string
		history string
		want    float64
	}{
		{"every transition changed", "ococococococococococo", 100},
		{"only the newest changed", "oooooooooooooooooooow", 6.25},
		{"only the oldest changed", "c" + strings.Repeat("o", 20), 3.75},
		{"nothing changed", "ooooooooooooooooooooo", 0},
		// Changes between two non-OK states count too.
		{"warning to critical and back, newest two", "wwwwwwwwwwwwwwwwwwwcw", (1.2236842105263157 + 1.25) * 100 / 20},
		// Transitions 1..4 changed: 0.75 + 0.7763... + 0.8026... + 0.8289...
		{"oldest four", "ococo" + strings.Repeat("o", 16), float64((57+59+61+63)*100) / 1520},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := PercentStateChange(history(t, tc.history))
			if diff := got - tc.want; diff > 1e-12 || diff < -1e-12 {
				t.Fatalf("PercentStateChange(%s) = %v, want %v", tc.history, got, tc.want)
			}
		})
	}
	// The SPEC numbers must be exact, not merely close.
	if got := PercentStateChange(history(t, "ococococococococococo")); got != 100 {
		t.Fatalf("all changed = %v, want exactly 100", got)
	}
	if got := PercentStateChange(history(t, "oooooooooooooooooooow")); got != 6.25 {
		t.Fatalf("newest only = %v, want exactly 6.25", got)
	}
	if got := PercentStateChange(history(t, "c"+strings.Repeat("o", 20))); got != 3.75 {
		t.Fatalf("oldest only = %v, want exactly 3.75", got)
	}
}

func percentIs(numerators int) func(t *testing.T, s Status) {
	want := float64(numerators*100) / 1520
	return func(t *testing.T, s Status) {
		t.Helper()
		if s.PercentChange != want {
			t.Fatalf("percent state change %v, want %v (numerators %d)", s.PercentChange, want, numerators)
		}
	}
}

func flappingIs(want bool, numerators int) func(t *testing.T, s Status) {
	pct := percentIs(numerators)
	return func(t *testing.T, s Status) {
		t.Helper()
		pct(t, s)
		if s.Flapping != want {
			t.Fatalf("flapping = %v, want %v", s.Flapping, want)
		}
	}
}

func TestFlapping(t *testing.T) {
	// Transition x weighs (57 + 2(x-1))/76; percent = numerators*100/1520.
	// Alternating results change the newest transitions 20, 19, 18, ...:
	// numerators 95, +93, +91, +89, +87, +85.
	for _, sc := range []scenario{
		{
			name: "starts at >= 30%, suppresses, stops at <= 20% with the owed recovery", settings: one("web", attempts(1)), check: "web",
			steps: []step{
				{at: 1, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}, also: flappingIs(false, 95)},
				{at: 2, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{notified(KindRecovery)}, also: flappingIs(false, 188)},
				{at: 3, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}, also: flappingIs(false, 279)},
				{at: 4, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{notified(KindRecovery)}, also: flappingIs(false, 368)},
				// 29.93%: still below the high threshold.
				{at: 5, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}, also: flappingIs(false, 455)},
				// 35.53%: flapping starts during a notified problem; the
				// change that started it is already suppressed.
				{at: 6, do: result("web", warning), state: warning, typ: Hard, att: 1, lvl: lvlWarn,
					want: []wantTr{quiet(KindProblem, SuppressedFlapping), notified(KindFlappingStart)},
					also: func(t *testing.T, s Status) {
						flappingIs(true, 540)(t, s)
						if !s.RecoveryAfterFlapping {
							t.Fatal("a recovery should be owed after flapping")
						}
					}},
				{at: 7, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindRecovery, SuppressedFlapping)}, also: flappingIs(true, 540+83)},
				// Fifteen steady OKs push the changes out of the old end:
				// transitions 1..5 remain, 305 -> 20.07%, still above 20.
				{at: 8, do: result("web", ok), times: 15, state: ok, typ: Hard, att: 1, lvl: lvlOK,
					also: flappingIs(true, 57+59+61+63+65)},
				// One more: transitions 1..4, 15.79%: flapping stops and the
				// recovery owed since minute 6 is sent.
				{at: 9, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{notified(KindFlappingStop), notified(KindRecovery)},
					also: func(t *testing.T, s Status) {
						flappingIs(false, 57+59+61+63)(t, s)
						if s.RecoveryAfterFlapping {
							t.Fatal("owed recovery flag should be cleared")
						}
					}},
			},
		},
		{
			name: "soft problems are not recorded, soft recoveries are", settings: one("db", attempts(3)), check: "db",
			steps: []step{
				{at: 1, do: result("db", crit), state: crit, typ: Soft, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}, also: percentIs(0)},
				{at: 2, do: result("db", crit), state: crit, typ: Soft, att: 2, lvl: lvlErr, also: percentIs(0),
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 3, do: result("db", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindRecovery, SuppressedSoft)},
					// OK after OK: nothing changed in the recorded history.
					also: percentIs(0)},
				{at: 4, do: result("db", crit), state: crit, typ: Soft, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}, also: percentIs(0)},
				{at: 5, do: result("db", crit), state: crit, typ: Soft, att: 2, lvl: lvlErr, also: percentIs(0),
					want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
				{at: 6, do: result("db", crit), state: crit, typ: Hard, att: 3, lvl: lvlErr,
					want: []wantTr{notified(KindProblem)}, also: percentIs(95)},
			},
		},
		{
			// Thresholds exactly at values the history reaches: start at
			// >= high, stop at <= low.
			name: "flapping start and stop are silent in downtime", settings: one("web", Settings{MaxAttempts: 1, UnknownAs: check.LevelError, FlapHigh: 18800.0 / 1520, FlapLow: 3.75}), check: "web",
			steps: []step{
				{at: 0, do: fixed("web", 0, 100), state: ok, typ: Hard, att: 1, lvl: lvlOK, want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested), notified(KindDowntimeStart)}},
				{at: 1, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
					want: []wantTr{quiet(KindProblem, SuppressedDowntime)}, also: flappingIs(false, 95)},
				{at: 2, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindRecovery, SuppressedFlapping), quiet(KindFlappingStart, SuppressedDowntime)},
					also: flappingIs(true, 188)},
				// Eighteen OKs leave transitions 1 and 2 changed: 7.63%;
				// the nineteenth leaves only transition 1: 3.75%, the low
				// threshold itself.
				{at: 3, do: result("web", ok), times: 18, state: ok, typ: Hard, att: 1, lvl: lvlOK,
					also: flappingIs(true, 57+59)},
				{at: 4, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
					want: []wantTr{quiet(KindFlappingStop, SuppressedDowntime)}, also: flappingIs(false, 57)},
			},
		},
	} {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc) })
	}
}

// TestFlappingStopsAtRecovery: flapping can only stop on a result that adds
// no change, unless a reload raises the thresholds. Then the recovery that
// stops flapping carries the recovery owed since flapping started, although
// an earlier (suppressed) recovery already cleared Notified.
func TestFlappingStopsAtRecovery(t *testing.T) {
	raised := one("web", Settings{MaxAttempts: 1, UnknownAs: check.LevelError, FlapLow: 55, FlapHigh: 60})
	runScenario(t, scenario{
		settings: one("web", attempts(1)), check: "web",
		steps: []step{
			{at: 1, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr, want: []wantTr{notified(KindProblem)}},
			{at: 2, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK, want: []wantTr{notified(KindRecovery)}},
			{at: 3, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr, want: []wantTr{notified(KindProblem)}},
			{at: 4, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK, want: []wantTr{notified(KindRecovery)}},
			{at: 5, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr, want: []wantTr{notified(KindProblem)}},
			{at: 6, do: result("web", warning), state: warning, typ: Hard, att: 1, lvl: lvlWarn,
				want: []wantTr{quiet(KindProblem, SuppressedFlapping), notified(KindFlappingStart)}, also: flappingIs(true, 540)},
			{at: 7, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
				want: []wantTr{quiet(KindRecovery, SuppressedFlapping)}, also: flappingIs(true, 623)},
			{at: 8, do: result("web", crit), state: crit, typ: Hard, att: 1, lvl: lvlErr,
				want: []wantTr{quiet(KindProblem, SuppressedFlapping)}, also: flappingIs(true, 704)},
			{at: 9, do: reconfigure(raised), state: crit, typ: Hard, att: 1, lvl: lvlErr, also: flappingIs(true, 704)},
			// 51.5% <= 55: flapping stops at this recovery, which notifies.
			{at: 10, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK,
				want: []wantTr{notified(KindRecovery), notified(KindFlappingStop)}, also: flappingIs(false, 783)},
		},
	})
}
