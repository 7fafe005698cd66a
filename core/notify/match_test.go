package notify

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/engine"
	"github.com/vakt/vakt/core/store"
)

func TestMatch(t *testing.T) {
	cfg := Config{Routes: []Route{
		{Name: "db-team", Teams: []string{"db"}, Notifiers: []string{"mail"}, Contacts: []string{"bob"}, Continue: true},
		{Name: "web-checks", Checks: []string{"web-*"}, Hosts: []string{"*.example.com"}, Notifiers: []string{"sms"}, Contacts: []string{"alice"}},
		{Name: "pci", Tags: []string{"pci", "prod"}, Notifiers: []string{"sms"}, Contacts: []string{"bob"}},
		{Name: "rest", Notifiers: []string{"mail"}, Contacts: []string{"alice"}},
	}}
	h := newHarness(t, cfg, tuesday(10, 0))
	h.checks["web-1"] = CheckInfo{Host: "a.example.com"}
	h.checks["web-2"] = CheckInfo{Host: "a.example.org"}
	h.checks["pay"] = CheckInfo{Host: "p", Tags: []string{"prod", "pci"}}
	h.checks["pay-test"] = CheckInfo{Host: "p", Tags: []string{"pci"}}
	h.checks["dbcheck"] = CheckInfo{Host: "d", Team: "db", Tags: []string{"pci", "prod"}}
	for _, tc := range []struct {
		check string
		want  string
	}{
		{"web-1", "web-checks"},
		{"web-2", "rest"},
		{"pay", "pci"},
		{"pay-test", "rest"},
		{"dbcheck", "db-team pci"}, // continue, then the first match stops
		{"unknown", "rest"},
	} {
		t.Run(tc.check, func(t *testing.T) {
			var names []string
			for _, r := range h.p.Match(tc.check, check.LevelError, h.clock.Now()) {
				names = append(names, r.Name)
			}
			if got := strings.Join(names, " "); got != tc.want {
				t.Fatalf("Match(%s) = %q, want %q", tc.check, got, tc.want)
			}
		})
	}
}

func TestBadRows(t *testing.T) {
	h := newHarness(t, oneRoute(Route{Fallback: []string{"mail"}}), tuesday(22, 0))
	for _, n := range []store.Notification{
		{Notifier: "sms", Recipient: "alice", Payload: json.RawMessage(`{"target":{"notifier":"sms"}}`)},
		{Notifier: "pager", Recipient: "alice", Payload: json.RawMessage(`{"items":[{"check":"web"}]}`)},
	} {
		if _, err := h.st.Enqueue(h.ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	h.send()
	dead, err := h.st.Outbox(h.ctx, store.OutboxDead, 0)
	if err != nil || len(dead) != 2 || !strings.Contains(dead[0].LastError, "payload is not a notification message") ||
		dead[1].LastError != `no notifier "pager"` {
		t.Fatalf("dead rows: %+v, %v", dead, err)
	}
	h.expect("nothing delivered")
}

// source publishes a fixed list of transitions, then blocks as the engine
// does when there are none.
type source struct{ cs []engine.Committed }

func (s *source) Transitions(ctx context.Context, afterID int64, _ int) ([]engine.Committed, error) {
	var out []engine.Committed
	for _, c := range s.cs {
		if c.ID > afterID {
			out = append(out, c)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestRun(t *testing.T) {
	h := newHarness(t, oneRoute(Route{}), tuesday(22, 0))
	src := &source{cs: h.commit(h.problem("web", check.Critical))}
	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan error, 2)
	go func() { done <- h.p.Run(ctx, src, 10*time.Millisecond) }()
	go func() { done <- h.s.Run(ctx, 10*time.Millisecond) }()
	for {
		rows, err := h.st.Outbox(h.ctx, store.OutboxSent, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 1 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	for range 2 {
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v, want context.Canceled", err)
		}
	}
	h.expect("sent by Run", "sms alice problem web CRITICAL #1")
}
