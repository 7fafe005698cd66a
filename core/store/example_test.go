package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/store"
)

// The daemon's use of the store: results committed in batches with Commit
// (the engine's group committer gathers them), a state change and its
// notification through RecordChange, and an outbox worker.
func Example() {
	dir, err := os.MkdirTemp("", "vakt-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(dir, "vakt.db"), store.Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	state := store.CheckState{CheckID: "web01.http", State: check.Critical, Type: store.Hard, Attempt: 3,
		Level: check.LevelError, Output: "HTTP CRITICAL - 503", LastCheck: now, LastChange: now, LastHardChange: now}

	// Every result: gathered into a batch, validated item by item, and
	// committed in one transaction.
	batch := store.Batch{
		States: []store.CheckState{state},
		Perf:   []store.PerfSamples{{CheckID: state.CheckID, At: state.LastCheck, Values: []store.PerfValue{{Label: "time", Value: 0.25, UOM: "s"}}}},
	}
	if err := batch.Validate(); err != nil {
		panic(err)
	}
	if _, err := s.Commit(ctx, batch); err != nil {
		panic(err)
	}

	// A state change: durable before anyone is told.
	change, err := s.RecordChange(ctx, store.Change{
		Transition: store.Transition{CheckID: "web01.http", Time: now, From: check.OK, To: check.Critical,
			Type: store.Hard, Level: check.LevelError, Kind: "problem", Notify: true, Output: state.Output},
		State:         &state,
		Notifications: []store.Notification{{Notifier: "sms", Recipient: "+4712345678", Payload: json.RawMessage(`{"text":"web01 down"}`)}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("transition", change.Transition.ID, "notification", change.Notifications[0].ID)

	// The outbox worker.
	due, err := s.Claim(ctx, "notifier-1", time.Now(), time.Minute, 10)
	if err != nil {
		panic(err)
	}
	for _, n := range due {
		fmt.Printf("send %s to %s: %s\n", n.Notifier, n.Recipient, n.Payload)
		if err := s.MarkSent(ctx, n, time.Now()); err != nil {
			panic(err)
		}
	}
	samples, err := s.Samples(ctx, "web01.http", "time", now, now.Add(time.Second))
	if err != nil {
		panic(err)
	}
	fmt.Println("samples", len(samples), samples[0].Value, samples[0].UOM)
	// Output:
	// transition 1 notification 1
	// send sms to +4712345678: {"text":"web01 down"}
	// samples 1 0.25 s
}
