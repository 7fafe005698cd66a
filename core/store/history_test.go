package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
)

func TestRecordChangeRoundTrip(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0.Add(time.Second))})
	ctx := testCtx(t)
	tr := problem("web", t0)
	tr.Suppressed = ""
	st := okState("web", t0)
	st.State, st.Level, st.Output = check.Critical, check.LevelError, "CRITICAL - down"
	in := Change{
		Transition: tr,
		State:      &st,
		Notifications: []Notification{
			{Notifier: "sms", Recipient: "+4712345678", Payload: json.RawMessage(`{"text":"web is down"}`)},
			{Notifier: "email", Recipient: "ops@example.org", Payload: json.RawMessage(`{"subject":"web"}`),
				NextAttempt: t0.Add(5 * time.Minute), Created: t0},
		},
	}
	got, err := s.RecordChange(ctx, in)
	if err != nil {
		t.Fatalf("RecordChange: %v", err)
	}
	if got.Transition.ID <= 0 {
		t.Fatalf("transition id = %d", got.Transition.ID)
	}
	want := tr
	want.ID = got.Transition.ID
	if !reflect.DeepEqual(got.Transition, want) {
		t.Fatalf("returned transition %+v, want %+v", got.Transition, want)
	}
	stored, err := s.Transition(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stored, want) {
		t.Fatalf("stored transition %+v, want %+v", stored, want)
	}
	gotState, err := s.State(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotState, st) {
		t.Fatalf("state %+v, want %+v", gotState, st)
	}

	wantNotes := []Notification{
		{ID: got.Notifications[0].ID, TransitionID: want.ID, Notifier: "sms", Recipient: "+4712345678",
			Payload: json.RawMessage(`{"text":"web is down"}`), NextAttempt: t0.Add(time.Second),
			Status: OutboxPending, Created: t0.Add(time.Second)},
		{ID: got.Notifications[1].ID, TransitionID: want.ID, Notifier: "email", Recipient: "ops@example.org",
			Payload: json.RawMessage(`{"subject":"web"}`), NextAttempt: t0.Add(5 * time.Minute),
			Status: OutboxPending, Created: t0},
	}
	if !reflect.DeepEqual(got.Notifications, wantNotes) {
		t.Fatalf("returned notifications\n got %+v\nwant %+v", got.Notifications, wantNotes)
	}
	listed, err := s.Outbox(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(listed, wantNotes) {
		t.Fatalf("stored notifications\n got %+v\nwant %+v", listed, wantNotes)
	}
}

// RecordChanges writes a burst of changes in order, each check's state
// with its change and each notification with its transition; no changes
// write nothing, and one invalid change writes none of them.
func TestRecordChanges(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0.Add(time.Second))})
	ctx := testCtx(t)
	var in []Change
	for i, id := range []string{"web", "db", "web"} {
		st := okState(id, t0.Add(time.Duration(i)*time.Minute))
		tr := problem(id, st.LastCheck)
		tr.Output = fmt.Sprintf("change %d", i)
		c := Change{Transition: tr, State: &st}
		if id == "db" {
			c.Notifications = []Notification{{Notifier: "sms", Recipient: "+4712345678", Payload: json.RawMessage(`{"i":1}`)}}
		}
		in = append(in, c)
	}
	bad := in[1]
	bad.Transition.Kind = ""
	got, err := s.RecordChanges(ctx, []Change{in[0], bad, in[2]})
	want := "record changes: change 1: check \"db\": invalid input: transition kind is empty"
	if got != nil || err == nil || err.Error() != want || !errors.Is(err, ErrInvalid) {
		t.Fatalf("RecordChanges with an invalid change = %v, %v; want nil, %q", got, err, want)
	}
	for _, table := range []string{"transitions", "check_state", "outbox"} {
		if n := count(t, s, table); n != 0 {
			t.Fatalf("%d rows in %s after a refused batch, want 0", n, table)
		}
	}
	if got, err := s.RecordChanges(ctx, nil); len(got) != 0 || err != nil {
		t.Fatalf("RecordChanges(nil) = %v, %v; want nothing", got, err)
	}

	got, err = s.RecordChanges(ctx, in)
	if err != nil {
		t.Fatalf("RecordChanges: %v", err)
	}
	stored, err := s.Transitions(ctx, TransitionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in) || len(stored) != len(in) {
		t.Fatalf("returned %d changes, stored %d transitions; want %d", len(got), len(stored), len(in))
	}
	for i := range in {
		wantTr := in[i].Transition
		wantTr.ID = stored[i].ID
		if !reflect.DeepEqual(got[i].Transition, wantTr) || !reflect.DeepEqual(stored[i], wantTr) {
			t.Errorf("change %d: returned %+v, stored %+v; want %+v", i, got[i].Transition, stored[i], wantTr)
		}
		if i > 0 && stored[i].ID <= stored[i-1].ID {
			t.Errorf("transition ids %d then %d: want them in the order given", stored[i-1].ID, stored[i].ID)
		}
	}
	for _, id := range []string{"web", "db"} {
		last := in[0]
		for _, c := range in {
			if c.Transition.CheckID == id {
				last = c
			}
		}
		st, err := s.State(ctx, id)
		if err != nil || !reflect.DeepEqual(st, *last.State) {
			t.Errorf("state of %s = %+v, %v; want %+v", id, st, err, *last.State)
		}
	}
	listed, err := s.Outbox(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	wantNotes := []Notification{{ID: got[1].Notifications[0].ID, TransitionID: got[1].Transition.ID, Notifier: "sms",
		Recipient: "+4712345678", Payload: json.RawMessage(`{"i":1}`), NextAttempt: t0.Add(time.Second),
		Status: OutboxPending, Created: t0.Add(time.Second)}}
	if !reflect.DeepEqual(listed, wantNotes) || !reflect.DeepEqual(got[1].Notifications, wantNotes) {
		t.Errorf("outbox %+v, returned %+v; want %+v", listed, got[1].Notifications, wantNotes)
	}
}

func TestTransitionsQuery(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	var all []Transition
	for i, c := range []struct {
		check string
		at    time.Duration
	}{{"a", 0}, {"b", time.Minute}, {"a", 2 * time.Minute}, {"a", 3 * time.Minute}, {"b", 4 * time.Minute}, {"a", 4 * time.Minute}} {
		tr := problem(c.check, t0.Add(c.at))
		tr.Output = string(rune('A' + i))
		got, err := s.RecordChange(ctx, Change{Transition: tr})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, got.Transition)
	}
	pick := func(idx ...int) []Transition {
		var out []Transition
		for _, i := range idx {
			out = append(out, all[i])
		}
		return out
	}
	tests := []struct {
		name string
		q    TransitionQuery
		want []Transition
	}{
		{"everything", TransitionQuery{}, pick(0, 1, 2, 3, 4, 5)},
		{"one check", TransitionQuery{CheckID: "a"}, pick(0, 2, 3, 5)},
		{"time range is [from, to)", TransitionQuery{CheckID: "a", From: t0.Add(2 * time.Minute), To: t0.Add(4 * time.Minute)}, pick(2, 3)},
		{"from only", TransitionQuery{From: t0.Add(4 * time.Minute)}, pick(4, 5)},
		{"limit", TransitionQuery{Limit: 2}, pick(0, 1)},
		{"newest first with limit", TransitionQuery{CheckID: "b", NewestFirst: true, Limit: 1}, pick(4)},
		{"same time ordered by id", TransitionQuery{From: t0.Add(4 * time.Minute), NewestFirst: true}, pick(5, 4)},
		{"unknown check", TransitionQuery{CheckID: "zzz"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Transitions(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestTransitionsAreAppendOnly(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	c, err := s.RecordChange(ctx, Change{Transition: problem("a", t0)})
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{`UPDATE transitions SET output = 'rewritten'`, `DELETE FROM transitions`} {
		_, err := s.write.ExecContext(ctx, stmt)
		if err == nil || !strings.Contains(err.Error(), "transitions are append-only") {
			t.Fatalf("%s: err = %v, want append-only", stmt, err)
		}
	}
	got, err := s.Transition(ctx, c.Transition.ID)
	if err != nil || got.Output != "CRITICAL - down" {
		t.Fatalf("transition after refused rewrite: %+v, %v", got, err)
	}
}

func TestRecordChangeInvalid(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	good := func() Change {
		st := okState("web", t0)
		return Change{Transition: problem("web", t0), State: &st,
			Notifications: []Notification{{Notifier: "sms", Recipient: "x", Payload: json.RawMessage(`{}`)}}}
	}
	mod := func(f func(*Change)) Change {
		c := good()
		f(&c)
		return c
	}
	tests := []struct {
		name string
		c    Change
		want string
	}{
		{"empty check id", mod(func(c *Change) { c.Transition.CheckID = "" }), "check id is empty"},
		{"no time", mod(func(c *Change) { c.Transition.Time = time.Time{} }), "transition time is not set"},
		{"bad to state", mod(func(c *Change) { c.Transition.To = 9 }), "transition 0 -> 9"},
		{"bad type", mod(func(c *Change) { c.Transition.Type = "" }), `state type ""`},
		{"bad level", mod(func(c *Change) { c.Transition.Level = -1 }), "level -1"},
		{"empty kind", mod(func(c *Change) { c.Transition.Kind = "" }), "transition kind is empty"},
		{"state of another check", mod(func(c *Change) { c.State.CheckID = "db" }), `state is for check "db"`},
		{"invalid state", mod(func(c *Change) { c.State.Attempt = -3 }), "attempt -3"},
		{"payload not JSON", mod(func(c *Change) { c.Notifications[0].Payload = json.RawMessage("hello") }), "payload"},
		{"empty payload", mod(func(c *Change) { c.Notifications[0].Payload = nil }), "payload"},
		{"no notifier", mod(func(c *Change) { c.Notifications[0].Notifier = "" }), "notifier is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.RecordChange(ctx, tt.c)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("RecordChange = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
	for _, table := range []string{"transitions", "check_state", "outbox"} {
		if n := count(t, s, table); n != 0 {
			t.Errorf("%d rows in %s after only invalid changes", n, table)
		}
	}
	if _, err := s.Transition(ctx, 12345); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Transition(12345) = %v, want ErrNotFound", err)
	}
	if _, err := s.Transitions(ctx, TransitionQuery{From: t0, To: t0}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Transitions with empty range = %v, want ErrInvalid", err)
	}
	if _, err := s.Transitions(ctx, TransitionQuery{Limit: -1}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Transitions with limit -1 = %v, want ErrInvalid", err)
	}
}
