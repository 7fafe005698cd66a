package state

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/vakt/vakt/core/check"
)

func TestAddAndRemove(t *testing.T) {
	m, err := New(minute(0), map[string]Settings{"router/ping": attempts(1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	child := Settings{MaxAttempts: 1, UnknownAs: check.LevelError, Parents: []string{"router/ping"}}
	for _, id := range []string{"web3/disk", "web1/disk", "web2/disk"} {
		if err := m.Add(minute(1), id, child); err != nil {
			t.Fatalf("Add(%s): %v", id, err)
		}
	}
	var ids []string
	for _, st := range m.Statuses() {
		ids = append(ids, st.Check)
		if st.Check != "router/ping" && (st.Checked || st.FirstSeen != minute(1)) {
			t.Errorf("%s: want pending since minute 1, got %+v", st.Check, st)
		}
	}
	if got, want := ids, []string{"router/ping", "web1/disk", "web2/disk", "web3/disk"}; !equalStrings(got, want) {
		t.Fatalf("Statuses order = %v, want %v", got, want)
	}

	// An added check follows its parent like a configured one.
	if _, err := m.Apply(minute(2), "router/ping", check.Result{State: check.Critical}); err != nil {
		t.Fatal(err)
	}
	trs, err := m.Apply(minute(3), "web1/disk", check.Result{State: check.Critical})
	if err != nil {
		t.Fatal(err)
	}
	if len(trs) != 1 || trs[0].Suppressed != SuppressedUnreachable {
		t.Fatalf("child of a down parent: got %s, want one problem suppressed as unreachable", describe(trs))
	}

	// Adding again keeps the status and takes the new settings.
	if err := m.Add(minute(4), "web1/disk", Settings{MaxAttempts: 2, UnknownAs: check.LevelError}); err != nil {
		t.Fatal(err)
	}
	if st, _ := m.Status("web1/disk"); st.State != check.Critical || !st.Checked || !st.Unreachable {
		t.Fatalf("re-added check lost its status: %+v", st)
	}

	for _, tc := range []struct {
		name string
		err  error
		do   func() error
	}{
		{"unknown parent", ErrInvalid, func() error { return m.Add(minute(5), "x/y", Settings{MaxAttempts: 1, Parents: []string{"nope/ping"}}) }},
		{"bad max attempts", ErrInvalid, func() error { return m.Add(minute(5), "x/y", Settings{}) }},
		{"remove a parent", ErrConflict, func() error { return m.Remove("router/ping") }},
		{"remove unknown", ErrUnknownCheck, func() error { return m.Remove("x/y") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.do(); !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
		})
	}
	if m.Len() != 4 {
		t.Fatalf("failed calls changed the checks: %d", m.Len())
	}
	if err := m.Remove("web2/disk"); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Status("web2/disk"); ok || m.Len() != 3 {
		t.Fatalf("web2/disk still there after Remove")
	}
	if _, err := m.Apply(minute(6), "web2/disk", check.Result{State: check.OK}); !errors.Is(err, ErrUnknownCheck) {
		t.Fatalf("result for a removed check: %v, want ErrUnknownCheck", err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Nagios' alert log has a line per SOFT attempt and records a recovery from
// a soft problem as OK;SOFT;N+1.
func TestSoftAttemptsAndSoftRecoveryAreRecorded(t *testing.T) {
	m, err := New(minute(0), map[string]Settings{"db": attempts(4)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []Condition
	for i, st := range []check.State{check.Critical, check.Critical, check.Warning, check.OK} {
		trs, err := m.Apply(minute(i+1), "db", check.Result{State: st})
		if err != nil {
			t.Fatal(err)
		}
		if len(trs) != 1 || trs[0].Notify {
			t.Fatalf("result %d: got %s, want one silent transition", i, describe(trs))
		}
		got = append(got, trs[0].To)
	}
	want := []Condition{
		{State: check.Critical, Type: Soft, Attempt: 1, Level: check.LevelError},
		{State: check.Critical, Type: Soft, Attempt: 2, Level: check.LevelError},
		{State: check.Warning, Type: Soft, Attempt: 3, Level: check.LevelWarning},
		{State: check.OK, Type: Soft, Attempt: 4, Level: check.LevelOK},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("transition %d: To = %+v, want %+v", i, got[i], want[i])
		}
	}
	if st, _ := m.Status("db"); st.Type != Hard || st.Attempt != 1 || st.State != check.OK {
		t.Fatalf("after a soft recovery the status is %s/%s/%d, want OK/HARD/1", st.State, st.Type, st.Attempt)
	}
}

func TestUnacknowledgeIsRecorded(t *testing.T) {
	m, err := New(minute(0), map[string]Settings{"db": attempts(1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Apply(minute(1), "db", check.Result{State: check.Critical}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Acknowledge(minute(2), "db", Ack{Author: "ana", Comment: "on it", Sticky: true}); err != nil {
		t.Fatal(err)
	}
	trs, err := m.Unacknowledge(minute(3), "db")
	if err != nil {
		t.Fatal(err)
	}
	if len(trs) != 1 || trs[0].Kind != KindAcknowledgementRemoved || trs[0].Ack == nil || trs[0].Ack.Author != "ana" {
		t.Fatalf("got %s, want one acknowledgement_removed carrying ana's ack", describe(trs))
	}
}

// The saved history is a string of digits; the array older versions wrote
// still reads; anything else is refused.
func TestHistoryJSON(t *testing.T) {
	var h History
	h[HistoryLen-1], h[0] = check.Critical, check.Unknown
	b, err := json.Marshal(h)
	if err != nil || string(b) != `"300000000000000000002"` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	for _, in := range []string{`"300000000000000000002"`, `[3,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2]`} {
		var got History
		if err := json.Unmarshal([]byte(in), &got); err != nil || got != h {
			t.Errorf("Unmarshal(%s) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{`"30000"`, `"30000000000000000000x"`, `"300000000000000000004"`, `7`} {
		var got History
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("Unmarshal(%s) took it: %v", bad, got)
		}
	}
}
