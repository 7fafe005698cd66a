package state

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/vakt/vakt/core/check"
)

// richSteps exercise most of the status: soft attempts, an ack, a flexible
// downtime waiting, a fixed one active, flap history and a notified problem.
var richSteps = []step{
	{at: 0, do: result("web", crit), state: crit, typ: Soft, att: 1, lvl: lvlErr, want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
	{at: 1, do: result("web", crit), state: crit, typ: Soft, att: 2, lvl: lvlErr,
		want: []wantTr{quiet(KindProblem, SuppressedSoft)}},
	{at: 2, do: result("web", crit), state: crit, typ: Hard, att: 3, lvl: lvlErr, want: []wantTr{notified(KindProblem)}},
	{at: 3, do: ack("web", true, true), state: crit, typ: Hard, att: 3, lvl: lvlErr, want: []wantTr{notified(KindAcknowledgement)}},
	{at: 4, do: flexible("web", 5, 60, 10), state: crit, typ: Hard, att: 3, lvl: lvlErr,
		want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested)}},
	{at: 5, do: fixed("web", 5, 50), state: crit, typ: Hard, att: 3, lvl: lvlErr,
		want: []wantTr{quiet(KindDowntimeScheduled, SuppressedNotRequested), notified(KindDowntimeStart), quiet(KindDowntimeStart, SuppressedOtherDowntime)}},
	{at: 6, do: result("router", warning), check: "router", state: warning, typ: Soft, att: 1, lvl: lvlWarn,
		want: []wantTr{quiet(KindProblem, SuppressedSoft).on("router")}},
	// --- a restart may happen here ---
	{at: 7, do: result("web", warning), state: warning, typ: Hard, att: 3, lvl: lvlWarn,
		want: []wantTr{quiet(KindProblem, SuppressedUnreachable)}},
	{at: 8, do: result("router", ok), check: "router", state: ok, typ: Hard, att: 1, lvl: lvlOK,
		want: []wantTr{quiet(KindRecovery, SuppressedSoft).on("router")}},
	{at: 9, do: result("web", warning), state: warning, typ: Hard, att: 3, lvl: lvlWarn},
	{at: 15, do: tick(), state: warning, typ: Hard, att: 3, lvl: lvlWarn, want: []wantTr{quiet(KindDowntimeEnd, SuppressedOtherDowntime)}},
	{at: 50, do: tick(), state: warning, typ: Hard, att: 3, lvl: lvlWarn, want: []wantTr{notified(KindDowntimeEnd)}},
	{at: 51, do: result("web", ok), state: ok, typ: Hard, att: 1, lvl: lvlOK, want: []wantTr{notified(KindRecovery)}, also: hasAck(false)},
}

var richSettings = map[string]Settings{
	"router": attempts(2),
	"web":    {MaxAttempts: 3, UnknownAs: check.LevelError, Parents: []string{"router"}},
}

// TestRestoreContinues: a Machine rebuilt from statuses that went through
// JSON carries on exactly as the one that never stopped.
func TestRestoreContinues(t *testing.T) {
	t.Run("without restart", func(t *testing.T) {
		runScenario(t, scenario{settings: richSettings, check: "web", steps: richSteps})
	})
	t.Run("restart after step 7", func(t *testing.T) {
		m, err := New(t0, richSettings, nil)
		if err != nil {
			t.Fatal(err)
		}
		runSteps(t, m, "web", richSteps[:7])

		before := m.Statuses()
		blob, err := json.Marshal(before)
		if err != nil {
			t.Fatal(err)
		}
		var saved []Status
		if err := json.Unmarshal(blob, &saved); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, saved) {
			t.Fatalf("JSON round trip changed the statuses:\nbefore %+v\nafter  %+v", before, saved)
		}
		restarted, err := New(minute(6), richSettings, saved)
		if err != nil {
			t.Fatal(err)
		}
		runSteps(t, restarted, "web", richSteps[7:])
	})
}

func TestConfigureKeepsState(t *testing.T) {
	m, err := New(t0, map[string]Settings{"web": attempts(5), "old": attempts(1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := m.Apply(minute(i), "web", check.Result{State: check.Unknown, Output: "?"}); err != nil {
			t.Fatal(err)
		}
	}
	// Reload: web's max_attempts drops to 2 and UNKNOWN now means warning;
	// "old" is gone, "new" arrives.
	err = m.Configure(minute(10), map[string]Settings{
		"web": {MaxAttempts: 2, UnknownAs: check.LevelWarning},
		"new": attempts(1),
	})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := m.Status("web")
	if s.State != check.Unknown || s.Type != Soft || s.Attempt != 2 || s.Level != check.LevelWarning || !s.ProblemSince.Equal(minute(0)) {
		t.Fatalf("web after reload: %s %s attempt %d level %s since %s", s.State, s.Type, s.Attempt, s.Level, s.ProblemSince)
	}
	if _, ok := m.Status("old"); ok {
		t.Fatal("removed check still has a status")
	}
	n, ok := m.Status("new")
	if !ok || n.Checked || n.State != check.OK || n.Type != Hard || n.Attempt != 1 || !n.FirstSeen.Equal(minute(10)) {
		t.Fatalf("new check: %+v", n)
	}
	// The next UNKNOWN makes web HARD at the lowered max_attempts.
	got, err := m.Apply(minute(11), "web", check.Result{State: check.Unknown})
	if err != nil {
		t.Fatal(err)
	}
	checkTransitions(t, "after reload", "web", 11, got, []wantTr{notified(KindProblem)})

	// A reload with a broken configuration keeps everything as it was.
	before := m.Statuses()
	if err := m.Configure(minute(12), map[string]Settings{"web": {MaxAttempts: 1, Parents: []string{"gone"}}}); err == nil {
		t.Fatal("broken reload accepted")
	}
	if after := m.Statuses(); !reflect.DeepEqual(before, after) {
		t.Fatal("broken reload changed the state")
	}
	if _, err := m.Apply(minute(13), "new", check.Result{State: check.OK}); err != nil {
		t.Fatalf("check from the running config was lost: %v", err)
	}
}

func TestStatusIsACopy(t *testing.T) {
	m, err := New(t0, one("web", attempts(1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Apply(minute(1), "web", check.Result{State: check.Critical}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Acknowledge(minute(2), "web", Ack{Author: "ops"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.ScheduleDowntime(minute(2), "web", Downtime{Fixed: true, Start: minute(10), End: minute(20)}); err != nil {
		t.Fatal(err)
	}
	s, _ := m.Status("web")
	s.Ack.Author = "mallory"
	s.Downtimes[0].End = minute(999)
	again, _ := m.Status("web")
	if again.Ack.Author != "ops" || !again.Downtimes[0].End.Equal(minute(20)) {
		t.Fatalf("changing a returned status changed the machine: %+v", again)
	}
	if s.Retrying() || again.Condition().Type != Hard {
		t.Fatal("a HARD problem is not retrying")
	}
}

// TestRestoreSkipsRemovedChecks: a saved status of a check that is no longer
// configured is left out; the others are taken over.
func TestRestoreSkipsRemovedChecks(t *testing.T) {
	gone := pending("gone", t0)
	kept := pending("web", t0)
	kept.Checked, kept.State, kept.Type, kept.Attempt, kept.LastHardState = true, check.Critical, Hard, 1, check.Critical
	m, err := New(minute(5), one("web", attempts(1)), []Status{gone, kept})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Status("gone"); ok {
		t.Fatal("status of a removed check was restored")
	}
	s, _ := m.Status("web")
	// The level is recomputed from the settings, not trusted from the row.
	if s.State != check.Critical || s.Type != Hard || s.Level != check.LevelError {
		t.Fatalf("restored web: %s %s level %s", s.State, s.Type, s.Level)
	}
}
