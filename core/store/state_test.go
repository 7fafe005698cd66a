package store

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
)

func TestStateRoundTrip(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	tests := []struct {
		name string
		st   CheckState
	}{
		{"every field set", CheckState{
			CheckID: "web01.http", State: check.Critical, Type: Soft, Attempt: 2, Level: check.LevelError,
			Output:         "HTTP CRITICAL - 503 Service Unavailable",
			LongOutput:     "line 2\nline 3 with ünïcödé\n",
			LastCheck:      t0.Add(123456789 * time.Nanosecond),
			LastChange:     t0.Add(-time.Hour),
			LastHardChange: t0.Add(-48 * time.Hour),
			Flapping:       true, PercentChange: 37.25, Acknowledged: true,
			Status: json.RawMessage(`{"history":[0,2,2,0,2],"notified":3,"last_notified":"2025-03-01T11:00:00Z"}`),
		}},
		{"zero times and no status", CheckState{
			CheckID: "pending-check", State: check.Unknown, Type: Hard, Level: check.LevelWarning,
		}},
		{"bytes that are not UTF-8 and a NUL in the output", CheckState{
			CheckID: "legacy", State: check.Warning, Type: Hard, Attempt: 3, Level: check.LevelWarning,
			Output: "caf\xe9 \xff\xfe warn", LongOutput: "before\x00after", LastCheck: t0,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.SaveState(ctx, tt.st); err != nil {
				t.Fatalf("SaveState: %v", err)
			}
			got, err := s.State(ctx, tt.st.CheckID)
			if err != nil {
				t.Fatalf("State: %v", err)
			}
			if !reflect.DeepEqual(got, tt.st) {
				t.Fatalf("read back\n got %#v\nwant %#v", got, tt.st)
			}
		})
	}

	all, err := s.States(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, st := range all {
		ids = append(ids, st.CheckID)
	}
	if want := []string{"legacy", "pending-check", "web01.http"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("States ids = %v, want %v", ids, want)
	}
}

func TestSaveStateNewerWins(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	newer := okState("db", t0.Add(time.Minute))
	newer.Output = "newer"
	older := okState("db", t0)
	older.Output = "older"
	newest := okState("db", t0.Add(2*time.Minute))
	newest.Output = "newest"

	for _, step := range []struct {
		save CheckState
		want string
	}{{newer, "newer"}, {older, "newer"}, {newest, "newest"}} {
		if err := s.SaveState(ctx, step.save); err != nil {
			t.Fatal(err)
		}
		got, err := s.State(ctx, "db")
		if err != nil {
			t.Fatal(err)
		}
		if got.Output != step.want {
			t.Fatalf("after saving %q the stored output is %q, want %q", step.save.Output, got.Output, step.want)
		}
	}
}

func TestDeleteState(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	if err := s.SaveState(ctx, okState("gone", t0)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteState(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.State(ctx, "gone"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("State after delete: %v, want ErrNotFound", err)
	}
	if err := s.DeleteState(ctx, "gone"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second DeleteState: %v, want ErrNotFound", err)
	}
}

// DeleteStates deletes the states it is given in one go, skips checks
// without one, and with one malformed id deletes nothing.
func TestDeleteStates(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	for _, id := range []string{"a", "b", "c"} {
		if err := s.SaveState(ctx, okState(id, t0)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		ids  []string
		want string
	}{
		{"empty id", []string{"a", ""}, "delete states: id 1: invalid input: check id is empty"},
		{"NUL byte", []string{"a\x00"}, `delete states: id 0: invalid input: check id "a\x00" contains a NUL byte`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := s.DeleteStates(ctx, tc.ids)
			if n != 0 || err == nil || err.Error() != tc.want || !errors.Is(err, ErrInvalid) {
				t.Fatalf("DeleteStates(%q) = %d, %v; want 0, %q", tc.ids, n, err, tc.want)
			}
		})
	}
	if n := count(t, s, "check_state"); n != 3 {
		t.Fatalf("%d states after refused deletes, want 3", n)
	}
	if n, err := s.DeleteStates(ctx, nil); n != 0 || err != nil {
		t.Fatalf("DeleteStates(nil) = %d, %v; want 0, nil", n, err)
	}
	n, err := s.DeleteStates(ctx, []string{"a", "never-saved", "c"})
	if n != 2 || err != nil {
		t.Fatalf("DeleteStates = %d, %v; want 2, nil", n, err)
	}
	states, err := s.States(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 1 || states[0].CheckID != "b" {
		t.Fatalf("states left = %+v, want b only", states)
	}
}

func TestStateInvalid(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	mod := func(f func(*CheckState)) CheckState {
		st := okState("web", t0)
		f(&st)
		return st
	}
	tests := []struct {
		name string
		st   CheckState
		want string
	}{
		{"empty check id", mod(func(st *CheckState) { st.CheckID = "" }), "check id is empty"},
		{"check id not UTF-8", mod(func(st *CheckState) { st.CheckID = "a\xffb" }), "not valid UTF-8"},
		{"check id with NUL", mod(func(st *CheckState) { st.CheckID = "a\x00b" }), "contains a NUL byte"},
		{"check id too long", mod(func(st *CheckState) { st.CheckID = strings.Repeat("x", 1025) }), "limit is 1024"},
		{"state 4", mod(func(st *CheckState) { st.State = 4 }), "state 4 is not 0..3"},
		{"state type", mod(func(st *CheckState) { st.Type = "firm" }), `state type "firm"`},
		{"negative attempt", mod(func(st *CheckState) { st.Attempt = -1 }), "attempt -1 is negative"},
		{"level 3", mod(func(st *CheckState) { st.Level = 3 }), "level 3 is not 0..2"},
		{"NaN percent change", mod(func(st *CheckState) { st.PercentChange = math.NaN() }), "percent change NaN"},
		{"percent change 101", mod(func(st *CheckState) { st.PercentChange = 101 }), "percent change 101"},
		{"time before 1970", mod(func(st *CheckState) { st.LastChange = time.Unix(-5, 0) }), "last change 1969"},
		{"status not JSON", mod(func(st *CheckState) { st.Status = json.RawMessage(`{"a":`) }), "status is not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.SaveState(ctx, tt.st)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("SaveState = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
			if err := s.WriteResults(ctx, []Result{{State: okState("fine", t0)}, {State: tt.st}}); !errors.Is(err, ErrInvalid) {
				t.Fatalf("WriteResults with the bad state = %v, want ErrInvalid", err)
			}
		})
	}
	if n := count(t, s, "check_state"); n != 0 {
		t.Fatalf("%d states stored after only invalid writes", n)
	}
	if _, err := s.State(ctx, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf(`State("") = %v, want ErrInvalid`, err)
	}
}
