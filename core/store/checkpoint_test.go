package store

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestCheckpoint(t *testing.T) {
	ctx := testCtx(t)
	path := t.TempDir() + "/vakt.db"
	s := openAt(t, path, Options{Now: fixedClock(t0)})

	cp, err := s.Checkpoint(ctx, "notify")
	if err != nil || cp.LastID != 0 || cp.State != nil {
		t.Fatalf("fresh Checkpoint = %+v, %v; want last id 0 and no state", cp, err)
	}
	saved, err := s.SaveCheckpoint(ctx, Checkpoint{Consumer: "notify", LastID: 7, State: json.RawMessage(`{"a":1}`)},
		[]Notification{note("a"), note("b")})
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != 2 || saved[0].ID == 0 || saved[1].ID <= saved[0].ID || saved[0].Status != OutboxPending {
		t.Fatalf("saved = %+v", saved)
	}
	cp, err = s.Checkpoint(ctx, "notify")
	if err != nil || cp.LastID != 7 || string(cp.State) != `{"a":1}` || !cp.Updated.Equal(t0) {
		t.Fatalf("Checkpoint = %+v, %v", cp, err)
	}

	bad := []struct {
		name string
		cp   Checkpoint
		ns   []Notification
	}{
		{"backwards", Checkpoint{Consumer: "notify", LastID: 6}, nil},
		{"no consumer", Checkpoint{LastID: 9}, nil},
		{"bad state", Checkpoint{Consumer: "notify", LastID: 9, State: json.RawMessage(`{`)}, nil},
		{"bad notification", Checkpoint{Consumer: "notify", LastID: 9}, []Notification{note("c"), {Notifier: "email"}}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.SaveCheckpoint(ctx, tc.cp, tc.ns); !errors.Is(err, ErrInvalid) {
				t.Fatalf("SaveCheckpoint = %v, want ErrInvalid", err)
			}
		})
	}
	// Nothing of the refused saves was written.
	all, err := s.Outbox(ctx, "", 0)
	if err != nil || len(all) != 2 {
		t.Fatalf("outbox after refused saves: %d rows, %v; want 2", len(all), err)
	}
	cp, err = s.Checkpoint(ctx, "notify")
	if err != nil || cp.LastID != 7 {
		t.Fatalf("Checkpoint after refused saves = %+v, %v", cp, err)
	}
}

func TestMarkDead(t *testing.T) {
	ctx := testCtx(t)
	s := openTest(t, Options{Now: fixedClock(t0)})
	if _, err := s.Enqueue(ctx, note("a")); err != nil {
		t.Fatal(err)
	}
	claimed, err := s.Claim(ctx, "w", t0, time.Minute, 1)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("Claim = %v, %v", claimed, err)
	}
	dead, err := s.MarkDead(ctx, claimed[0], t0.Add(time.Second), "refused for good")
	if err != nil {
		t.Fatal(err)
	}
	if dead.Status != OutboxDead || dead.LastError != "refused for good" || !dead.Finished.Equal(t0.Add(time.Second)) || dead.LeaseOwner != "" {
		t.Fatalf("dead row = %+v", dead)
	}
	if _, err := s.MarkDead(ctx, claimed[0], t0, "again"); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("second MarkDead = %v, want ErrLeaseLost", err)
	}
	if more, err := s.Claim(ctx, "w", t0.Add(time.Hour), time.Minute, 1); err != nil || len(more) != 0 {
		t.Fatalf("dead row claimed again: %v, %v", more, err)
	}
}
