package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func note(recipient string) Notification {
	return Notification{Notifier: "email", Recipient: recipient, Payload: json.RawMessage(`{"subject":"` + recipient + `"}`)}
}

func TestOutboxClaimAndSend(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	ctx := testCtx(t)
	later := note("later")
	later.NextAttempt = t0.Add(time.Hour)
	var ids []int64
	for _, n := range []Notification{note("a"), note("b"), later} {
		got, err := s.Enqueue(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got.ID)
	}

	claimed, err := s.Claim(ctx, "worker-1", t0, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []Notification{
		{ID: ids[0], Notifier: "email", Recipient: "a", Payload: json.RawMessage(`{"subject":"a"}`), NextAttempt: t0,
			Status: OutboxPending, Attempts: 1, LeaseOwner: "worker-1", LeaseUntil: t0.Add(time.Minute), Created: t0},
		{ID: ids[1], Notifier: "email", Recipient: "b", Payload: json.RawMessage(`{"subject":"b"}`), NextAttempt: t0,
			Status: OutboxPending, Attempts: 1, LeaseOwner: "worker-1", LeaseUntil: t0.Add(time.Minute), Created: t0},
	}
	if !reflect.DeepEqual(claimed, want) {
		t.Fatalf("claimed\n got %+v\nwant %+v", claimed, want)
	}
	again, err := s.Claim(ctx, "worker-2", t0.Add(30*time.Second), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Fatalf("a second worker claimed leased or future rows: %+v", again)
	}

	if err := s.MarkSent(ctx, claimed[0], t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	sent, err := s.Notification(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	wantSent := want[0]
	wantSent.Status, wantSent.LeaseOwner, wantSent.LeaseUntil, wantSent.Finished = OutboxSent, "", time.Time{}, t0.Add(time.Second)
	if !reflect.DeepEqual(sent, wantSent) {
		t.Fatalf("sent row\n got %+v\nwant %+v", sent, wantSent)
	}
	if err := s.MarkSent(ctx, claimed[0], t0.Add(2*time.Second)); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("second MarkSent = %v, want ErrLeaseLost", err)
	}

	// The row due in an hour is claimed then, and only then.
	due, err := s.Claim(ctx, "worker-2", t0.Add(time.Hour), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, n := range due {
		got = append(got, n.ID)
	}
	if want := []int64{ids[1], ids[2]}; !reflect.DeepEqual(got, want) {
		t.Fatalf("due after an hour: ids %v, want %v (b's lease expired, later became due)", got, want)
	}
	for status, want := range map[OutboxStatus]int{OutboxPending: 2, OutboxSent: 1, OutboxDead: 0, "": 3} {
		list, err := s.Outbox(ctx, status, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != want {
			t.Errorf("Outbox(%q) has %d rows, want %d", status, len(list), want)
		}
	}
}

func TestOutboxLeaseExpiresAndOldOwnerLosesIt(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	ctx := testCtx(t)
	n, err := s.Enqueue(ctx, note("ops"))
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Claim(ctx, "w1", t0, time.Minute, 1)
	if err != nil || len(first) != 1 {
		t.Fatalf("first claim: %v %v", first, err)
	}
	// w1 hangs; its lease ends at t0+1m, exactly then the row is claimable.
	second, err := s.Claim(ctx, "w2", t0.Add(time.Minute), time.Minute, 1)
	if err != nil || len(second) != 1 {
		t.Fatalf("claim after the lease expired: %v %v", second, err)
	}
	if second[0].ID != n.ID || second[0].Attempts != 2 || second[0].LeaseOwner != "w2" {
		t.Fatalf("reclaimed row = %+v, want id %d, attempt 2, owner w2", second[0], n.ID)
	}
	if err := s.MarkSent(ctx, first[0], t0.Add(time.Minute)); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("MarkSent by the old owner = %v, want ErrLeaseLost", err)
	}
	if _, err := s.MarkFailed(ctx, first[0], t0.Add(time.Minute), "late"); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("MarkFailed by the old owner = %v, want ErrLeaseLost", err)
	}
	if err := s.MarkSent(ctx, second[0], t0.Add(time.Minute)); err != nil {
		t.Fatalf("MarkSent by the current owner: %v", err)
	}
}

func TestOutboxRetryWithBackoffUntilDead(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0), Outbox: OutboxPolicy{FirstBackoff: 10 * time.Second, MaxBackoff: 35 * time.Second, MaxAttempts: 4}})
	ctx := testCtx(t)
	n, err := s.Enqueue(ctx, note("ops"))
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	for attempt, wantWait := range []time.Duration{10 * time.Second, 20 * time.Second, 35 * time.Second} {
		claimed, err := s.Claim(ctx, "w", now, time.Minute, 5)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("attempt %d: claim %v %v", attempt+1, claimed, err)
		}
		failed, err := s.MarkFailed(ctx, claimed[0], now, fmt.Sprintf("smtp 451 try %d", attempt+1))
		if err != nil {
			t.Fatal(err)
		}
		want := Notification{ID: n.ID, Notifier: "email", Recipient: "ops", Payload: n.Payload,
			NextAttempt: now.Add(wantWait), Status: OutboxPending, Attempts: attempt + 1,
			LastError: fmt.Sprintf("smtp 451 try %d", attempt+1), Created: t0}
		if !reflect.DeepEqual(failed, want) {
			t.Fatalf("after failure %d\n got %+v\nwant %+v", attempt+1, failed, want)
		}
		early, err := s.Claim(ctx, "w", now.Add(wantWait-time.Nanosecond), time.Minute, 5)
		if err != nil || len(early) != 0 {
			t.Fatalf("claimed before the backoff ended: %v %v", early, err)
		}
		now = now.Add(wantWait)
	}
	last, err := s.Claim(ctx, "w", now, time.Minute, 5)
	if err != nil || len(last) != 1 || last[0].Attempts != 4 {
		t.Fatalf("fourth claim: %v %v", last, err)
	}
	dead, err := s.MarkFailed(ctx, last[0], now, "smtp 550 no such user")
	if err != nil {
		t.Fatal(err)
	}
	if dead.Status != OutboxDead || !dead.Finished.Equal(now) || dead.LastError != "smtp 550 no such user" || dead.Attempts != 4 {
		t.Fatalf("after the last attempt: %+v, want dead at %s", dead, now)
	}
	if more, err := s.Claim(ctx, "w", now.Add(24*time.Hour), time.Minute, 5); err != nil || len(more) != 0 {
		t.Fatalf("a dead row was claimed: %v %v", more, err)
	}
}

func TestOutboxConcurrentClaimsNeverShareRows(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	ctx := testCtx(t)
	const rows, workers = 200, 4
	for i := range rows {
		if _, err := s.Enqueue(ctx, note(fmt.Sprintf("r%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu   sync.Mutex
		seen = map[int64]string{}
		wg   sync.WaitGroup
		errs = make(chan error, workers)
	)
	for w := range workers {
		owner := fmt.Sprintf("w%d", w)
		wg.Go(func() {
			for {
				claimed, err := s.Claim(ctx, owner, t0, time.Hour, 7)
				if err != nil {
					errs <- err
					return
				}
				if len(claimed) == 0 {
					return
				}
				for _, n := range claimed {
					mu.Lock()
					if prev, dup := seen[n.ID]; dup {
						mu.Unlock()
						errs <- fmt.Errorf("row %d claimed by %s and %s", n.ID, prev, owner)
						return
					}
					seen[n.ID] = owner
					mu.Unlock()
					if err := s.MarkSent(ctx, n, t0); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(seen) != rows {
		t.Fatalf("%d rows claimed, want %d", len(seen), rows)
	}
	sent, err := s.Outbox(ctx, OutboxSent, 0)
	if err != nil || len(sent) != rows {
		t.Fatalf("%d sent rows (%v), want %d", len(sent), err, rows)
	}
}

func TestOutboxSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vakt.db")
	ctx := testCtx(t)
	s, err := Open(ctx, path, Options{Now: fixedClock(t0)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, r := range []string{"a", "b"} {
		n, err := s.Enqueue(ctx, note(r))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n.ID)
	}
	// The worker claims both and "crashes" before reporting.
	if claimed, err := s.Claim(ctx, "crashed", t0, 2*time.Minute, 10); err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openAt(t, path, Options{})
	if got, err := s.Claim(ctx, "restarted", t0.Add(time.Minute), time.Minute, 10); err != nil || len(got) != 0 {
		t.Fatalf("claimed while the crashed worker's lease lasts: %v %v", got, err)
	}
	got, err := s.Claim(ctx, "restarted", t0.Add(2*time.Minute), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []int64
	for _, n := range got {
		gotIDs = append(gotIDs, n.ID)
		if n.Attempts != 2 || n.LeaseOwner != "restarted" {
			t.Errorf("reclaimed %+v, want attempt 2 owned by restarted", n)
		}
	}
	if !slices.Equal(gotIDs, ids) {
		t.Fatalf("reclaimed ids %v, want %v", gotIDs, ids)
	}
}

func TestOutboxInvalid(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	ctx := testCtx(t)
	mod := func(f func(*Notification)) Notification {
		n := note("x")
		f(&n)
		return n
	}
	enqueue := []struct {
		name string
		n    Notification
		is   error
		want string
	}{
		{"no notifier", mod(func(n *Notification) { n.Notifier = "" }), ErrInvalid, "notifier is empty"},
		{"payload not JSON", mod(func(n *Notification) { n.Payload = json.RawMessage(`{"a":1`) }), ErrInvalid, "not valid JSON"},
		{"recipient not UTF-8", mod(func(n *Notification) { n.Recipient = "\xff" }), ErrInvalid, "recipient"},
		{"negative transition", mod(func(n *Notification) { n.TransitionID = -1 }), ErrInvalid, "transition id -1"},
		{"next attempt before 1970", mod(func(n *Notification) { n.NextAttempt = time.Unix(-1, 0) }), ErrInvalid, "next attempt"},
		{"unknown transition", mod(func(n *Notification) { n.TransitionID = 999 }), nil, "FOREIGN KEY constraint failed"},
	}
	for _, tt := range enqueue {
		t.Run("enqueue "+tt.name, func(t *testing.T) {
			_, err := s.Enqueue(ctx, tt.n)
			if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Enqueue = %v, want %v mentioning %q", err, tt.is, tt.want)
			}
		})
	}
	if n := count(t, s, "outbox"); n != 0 {
		t.Fatalf("%d outbox rows after only invalid enqueues", n)
	}
	claims := []struct {
		name  string
		owner string
		now   time.Time
		lease time.Duration
		limit int
	}{
		{"no owner", "", t0, time.Minute, 1},
		{"no time", "w", time.Time{}, time.Minute, 1},
		{"zero lease", "w", t0, 0, 1},
		{"zero limit", "w", t0, time.Minute, 0},
	}
	for _, tt := range claims {
		t.Run("claim "+tt.name, func(t *testing.T) {
			if _, err := s.Claim(ctx, tt.owner, tt.now, tt.lease, tt.limit); !errors.Is(err, ErrInvalid) {
				t.Fatalf("Claim = %v, want ErrInvalid", err)
			}
		})
	}
	if _, err := s.Outbox(ctx, "lost", 0); !errors.Is(err, ErrInvalid) {
		t.Fatalf(`Outbox("lost") = %v, want ErrInvalid`, err)
	}
	if _, err := s.Notification(ctx, 42); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Notification(42) = %v, want ErrNotFound", err)
	}
}
