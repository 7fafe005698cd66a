package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/engine"
	"github.com/vakt/vakt/core/state"
	"github.com/vakt/vakt/core/store"
	"github.com/vakt/vakt/core/timeperiod"
	"github.com/vakt/vakt/plugins/sdk"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// recorder is an in-process Notifier that records what it is asked to
// deliver; fail, when set, decides the outcome of call i (0-based).
type recorder struct {
	mu    sync.Mutex
	calls []sdk.Notification
	fail  func(i int) error
}

func (r *recorder) Notify(_ context.Context, n sdk.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := len(r.calls)
	r.calls = append(r.calls, n)
	if r.fail != nil {
		return r.fail(i)
	}
	return nil
}

type checkMap map[string]CheckInfo

func (m checkMap) CheckInfo(id string) (CheckInfo, bool) {
	c, ok := m[id]
	return c, ok
}

var oslo = func() *time.Location {
	l, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		panic(err)
	}
	return l
}()

// tuesday is Tuesday 8 December 2026 at hh:mm in Oslo.
func tuesday(hh, mm int) time.Time { return time.Date(2026, 12, 8, hh, mm, 0, 0, oslo) }

func periods(t *testing.T) *timeperiod.Set {
	t.Helper()
	set, err := timeperiod.NewSet(timeperiod.Spec{Name: "office", TimeZone: "Europe/Oslo",
		Weekdays: map[string][]string{"monday-friday": {"08:00-17:00"}}})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

var contacts = []Contact{
	{Name: "alice", Addresses: map[string]string{"sms": "+4711111111", "mail": "alice@example.com"}},
	{Name: "bob", Addresses: map[string]string{"sms": "+4722222222", "mail": "bob@example.com"}},
	{Name: "desk", Addresses: map[string]string{"webhook": "https://desk.example.com/hook"}},
}

type harness struct {
	t       *testing.T
	ctx     context.Context
	path    string
	cfg     Config
	checks  checkMap
	clock   *fakeClock
	st      *store.Store
	p       *Pipeline
	s       *Sender
	expiry  time.Duration
	rec     map[string]*recorder
	history []string
}

func newHarness(t *testing.T, cfg Config, start time.Time) *harness {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	if cfg.Contacts == nil {
		cfg.Contacts = contacts
	}
	h := &harness{t: t, ctx: ctx, path: filepath.Join(t.TempDir(), "vakt.db"), cfg: cfg, clock: &fakeClock{t: start},
		checks: checkMap{}, rec: map[string]*recorder{"sms": {}, "mail": {}, "webhook": {}}}
	h.open()
	return h
}

// open opens the store and starts a pipeline and a sender on it, as the
// daemon does at start.
func (h *harness) open() {
	h.t.Helper()
	st, err := store.Open(h.ctx, h.path, store.Options{Now: h.clock.Now,
		Outbox: store.OutboxPolicy{FirstBackoff: 30 * time.Second, MaxBackoff: 10 * time.Minute, MaxAttempts: 5}})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = st.Close() })
	h.st = st
	h.p, err = New(h.ctx, h.cfg, Options{Store: st, Checks: h.checks, Periods: periods(h.t), Clock: h.clock, Logger: zerolog.Nop()})
	if err != nil {
		h.t.Fatal(err)
	}
	nfs := map[string]Notifier{}
	for name, r := range h.rec {
		nfs[name] = r
	}
	h.s, err = NewSender(SenderOptions{Outbox: st, Notifiers: nfs, Clock: h.clock, Logger: zerolog.Nop(), Expiry: h.expiry})
	if err != nil {
		h.t.Fatal(err)
	}
}

// restart closes the store and opens everything again.
func (h *harness) restart() {
	h.t.Helper()
	if err := h.st.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.open()
}

// commit records transitions in the store as the engine does and returns
// them as the engine publishes them.
func (h *harness) commit(trs ...state.Transition) []engine.Committed {
	h.t.Helper()
	changes := make([]store.Change, len(trs))
	for i, tr := range trs {
		detail, err := json.Marshal(tr)
		if err != nil {
			h.t.Fatal(err)
		}
		typ := store.Hard
		if tr.To.Type == state.Soft {
			typ = store.Soft
		}
		changes[i] = store.Change{Transition: store.Transition{CheckID: tr.Check, Time: tr.At, From: tr.From.State, To: tr.To.State,
			Type: typ, Attempt: tr.To.Attempt, Level: tr.To.Level, Kind: string(tr.Kind), Notify: tr.Notify,
			Suppressed: string(tr.Suppressed), Output: tr.Output, Detail: detail}}
	}
	out, err := h.st.RecordChanges(h.ctx, changes)
	if err != nil {
		h.t.Fatal(err)
	}
	cs := make([]engine.Committed, len(out))
	for i, c := range out {
		cs[i] = engine.Committed{ID: c.Transition.ID, Transition: trs[i]}
	}
	return cs
}

// feed commits the transitions, hands them to the pipeline and runs the
// sender once.
func (h *harness) feed(trs ...state.Transition) []engine.Committed {
	h.t.Helper()
	cs := h.commit(trs...)
	h.handle(cs)
	return cs
}

func (h *harness) handle(cs []engine.Committed) {
	h.t.Helper()
	if _, err := h.p.Handle(h.ctx, cs); err != nil {
		h.t.Fatal(err)
	}
	h.send()
}

func (h *harness) send() {
	h.t.Helper()
	if _, err := h.s.Send(h.ctx); err != nil {
		h.t.Fatal(err)
	}
}

// tick advances the clock by d, ticks the pipeline and runs the sender.
func (h *harness) tick(d time.Duration) {
	h.t.Helper()
	h.clock.Advance(d)
	if _, err := h.p.Tick(h.ctx); err != nil {
		h.t.Fatal(err)
	}
	h.send()
}

// sent returns what the notifiers were asked to deliver since the last
// call, one line each: "notifier contact kind check state #number", sorted.
func (h *harness) sent() []string {
	var all []string
	for name, r := range h.rec {
		r.mu.Lock()
		for _, n := range r.calls {
			line := fmt.Sprintf("%s %s %s %s %s", name, n.Recipients[0].Name, n.Kind, n.Check, n.State)
			if num := n.Extra["number"]; num != "" {
				line += " #" + num
			}
			all = append(all, line)
		}
		r.mu.Unlock()
	}
	slices.Sort(all)
	// Report only the new lines: remove those reported before.
	out := slices.Clone(all)
	for _, old := range h.history {
		if i := slices.Index(out, old); i >= 0 {
			out = slices.Delete(out, i, i+1)
		}
	}
	h.history = all
	return out
}

func (h *harness) expect(step string, want ...string) {
	h.t.Helper()
	got := h.sent()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		h.t.Fatalf("%s: sent\n  %q\nwant\n  %q", step, got, want)
	}
}

func hard(s check.State) state.Condition {
	l := check.LevelError
	if s == check.Warning {
		l = check.LevelWarning
	}
	if s == check.OK {
		l = check.LevelOK
	}
	return state.Condition{State: s, Type: state.Hard, Attempt: 3, Level: l}
}

func (h *harness) problem(id string, s check.State) state.Transition {
	return state.Transition{Check: id, At: h.clock.Now(), Kind: state.KindProblem, From: hard(check.OK), To: hard(s),
		Hard: true, Notify: true, Output: id + " is " + s.String()}
}

func (h *harness) recovery(id string, from check.State) state.Transition {
	ok := hard(check.OK)
	ok.Attempt = 1
	return state.Transition{Check: id, At: h.clock.Now(), Kind: state.KindRecovery, From: hard(from), To: ok,
		Hard: true, Notify: true, Output: id + " is OK"}
}

func (h *harness) event(id string, k state.Kind, s check.State) state.Transition {
	return state.Transition{Check: id, At: h.clock.Now(), Kind: k, From: hard(s), To: hard(s), Notify: true, Output: id + " is " + s.String()}
}

func (h *harness) ack(id string, s check.State) state.Transition {
	tr := h.event(id, state.KindAcknowledgement, s)
	tr.Ack = &state.Ack{Author: "alice", Comment: "on it", Notify: true, At: h.clock.Now()}
	return tr
}
