package notify

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/state"
	"github.com/vakt/vakt/core/store"
	"github.com/vakt/vakt/plugins/sdk"
)

// officeConfig is the user story: the service desk gets a ticket in office
// hours; outside them on-call gets an SMS for an Error and a mail for a
// Warning.
func officeConfig() Config {
	return Config{Routes: []Route{
		{Name: "desk", Levels: []check.Level{check.LevelError, check.LevelWarning}, Period: "office",
			Notifiers: []string{"webhook"}, Contacts: []string{"desk"}},
		{Name: "oncall-error", Levels: []check.Level{check.LevelError}, Period: "office", OutsidePeriod: true,
			Notifiers: []string{"sms"}, Contacts: []string{"alice"}},
		{Name: "oncall-warning", Levels: []check.Level{check.LevelWarning}, Period: "office", OutsidePeriod: true,
			Notifiers: []string{"mail"}, Contacts: []string{"alice"}},
	}}
}

func TestRoutingByLevelAndTimePeriod(t *testing.T) {
	saturday := time.Date(2026, 12, 12, 10, 0, 0, 0, oslo)
	for _, tc := range []struct {
		name  string
		at    time.Time
		state check.State
		want  string
	}{
		{"error in office hours", tuesday(10, 0), check.Critical, "webhook desk problem web CRITICAL #1"},
		{"warning in office hours", tuesday(16, 59), check.Warning, "webhook desk problem web WARNING #1"},
		{"error at night", tuesday(22, 0), check.Critical, "sms alice problem web CRITICAL #1"},
		{"error at 17:00", tuesday(17, 0), check.Critical, "sms alice problem web CRITICAL #1"},
		{"warning at night", tuesday(22, 0), check.Warning, "mail alice problem web WARNING #1"},
		{"error on saturday morning", saturday, check.Critical, "sms alice problem web CRITICAL #1"},
		{"unknown is an error", tuesday(3, 0), check.Unknown, "sms alice problem web UNKNOWN #1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, officeConfig(), tc.at)
			h.feed(h.problem("web", tc.state))
			h.expect("problem", tc.want)
		})
	}
	t.Run("a problem lasting into the night reaches on-call too, its recovery both", func(t *testing.T) {
		h := newHarness(t, officeConfig(), tuesday(16, 50))
		h.feed(h.problem("web", check.Critical))
		h.expect("in office hours", "webhook desk problem web CRITICAL #1")
		h.tick(10 * time.Minute)
		h.expect("at 17:00", "sms alice problem web CRITICAL #1")
		h.tick(time.Hour)
		h.expect("no repeat interval")
		h.feed(h.recovery("web", check.Critical))
		h.expect("recovery", "webhook desk recovery web OK", "sms alice recovery web OK")
	})
	t.Run("ok transitions and suppressed problems send nothing", func(t *testing.T) {
		h := newHarness(t, officeConfig(), tuesday(22, 0))
		soft := h.problem("web", check.Critical)
		soft.To.Type, soft.Notify, soft.Suppressed = state.Soft, false, state.SuppressedSoft
		down := h.problem("db", check.Critical)
		down.Notify, down.Suppressed = false, state.SuppressedDowntime
		h.feed(soft, down, h.recovery("mail", check.Critical))
		h.expect("nothing")
	})
}

func oneRoute(r Route) Config {
	r.Name = "oncall"
	if r.Notifiers == nil {
		r.Notifiers = []string{"sms"}
	}
	if r.Contacts == nil {
		r.Contacts = []string{"alice"}
	}
	return Config{Routes: []Route{r}}
}

func TestRepeatIntervalAndAck(t *testing.T) {
	h := newHarness(t, oneRoute(Route{RepeatInterval: time.Hour}), tuesday(22, 0))
	h.feed(h.problem("web", check.Critical))
	h.expect("first", "sms alice problem web CRITICAL #1")
	h.tick(59 * time.Minute)
	h.expect("before the interval")
	h.tick(time.Minute)
	h.expect("after an hour", "sms alice problem web CRITICAL #2")
	h.tick(time.Hour)
	h.expect("after two hours", "sms alice problem web CRITICAL #3")
	h.feed(h.ack("web", check.Critical))
	h.expect("ack", "sms alice acknowledgement web CRITICAL")
	h.tick(5 * time.Hour)
	h.expect("acknowledged: no repeats")
	h.feed(h.recovery("web", check.Critical))
	h.expect("recovery", "sms alice recovery web OK")
	h.tick(5 * time.Hour)
	h.expect("recovered: nothing")

	t.Run("interval 0 sends once", func(t *testing.T) {
		h := newHarness(t, oneRoute(Route{}), tuesday(22, 0))
		h.feed(h.problem("web", check.Critical))
		h.tick(24 * time.Hour)
		h.expect("a day", "sms alice problem web CRITICAL #1")
	})
	t.Run("a change of state is sent at once and restarts the interval", func(t *testing.T) {
		h := newHarness(t, oneRoute(Route{RepeatInterval: time.Hour}), tuesday(22, 0))
		h.feed(h.problem("web", check.Warning))
		h.tick(30 * time.Minute)
		crit := h.problem("web", check.Critical)
		crit.From = hard(check.Warning)
		h.feed(crit)
		h.expect("warning then critical", "sms alice problem web WARNING #1", "sms alice problem web CRITICAL #2")
		h.tick(59 * time.Minute)
		h.expect("within the interval of the change")
		h.tick(time.Minute)
		h.expect("repeat", "sms alice problem web CRITICAL #3")
	})
	t.Run("first delay: a problem that recovers within it is never sent", func(t *testing.T) {
		h := newHarness(t, oneRoute(Route{FirstDelay: 5 * time.Minute}), tuesday(22, 0))
		h.feed(h.problem("web", check.Critical))
		h.tick(4 * time.Minute)
		h.feed(h.recovery("web", check.Critical))
		h.tick(time.Hour)
		h.expect("nothing")
		h.feed(h.problem("web", check.Critical))
		h.tick(4 * time.Minute)
		h.expect("within the delay")
		h.tick(time.Minute)
		h.expect("after the delay", "sms alice problem web CRITICAL #1")
	})
}

func TestEscalation(t *testing.T) {
	for _, tc := range []struct {
		name    string
		replace bool
		third   []string
	}{
		{"adds after 2 notifications", false, []string{"sms alice problem web CRITICAL #3", "sms bob problem web CRITICAL #3"}},
		{"replaces after 2 notifications", true, []string{"sms bob problem web CRITICAL #3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, oneRoute(Route{RepeatInterval: 10 * time.Minute,
				Escalations: []Escalation{{AfterNotifications: 2, Contacts: []string{"bob"}, Replace: tc.replace}}}), tuesday(22, 0))
			h.feed(h.problem("web", check.Critical))
			h.tick(10 * time.Minute)
			h.expect("two", "sms alice problem web CRITICAL #1", "sms alice problem web CRITICAL #2")
			h.tick(10 * time.Minute)
			h.expect("third", tc.third...)
			h.feed(h.recovery("web", check.Critical))
			h.expect("recovery to everyone notified", "sms alice recovery web OK", "sms bob recovery web OK")
		})
	}
	t.Run("15 minutes unacknowledged", func(t *testing.T) {
		h := newHarness(t, oneRoute(Route{Escalations: []Escalation{{AfterUnacknowledged: 15 * time.Minute, Contacts: []string{"bob"}}}}), tuesday(22, 0))
		h.feed(h.problem("web", check.Critical))
		h.expect("first", "sms alice problem web CRITICAL #1")
		h.tick(14 * time.Minute)
		h.expect("14 minutes")
		h.tick(time.Minute)
		h.expect("15 minutes", "sms alice problem web CRITICAL #2", "sms bob problem web CRITICAL #2")
		h.tick(time.Hour)
		h.expect("fires once")
	})
	t.Run("acknowledged within 15 minutes", func(t *testing.T) {
		h := newHarness(t, oneRoute(Route{Escalations: []Escalation{{AfterUnacknowledged: 15 * time.Minute, Contacts: []string{"bob"}}}}), tuesday(22, 0))
		h.feed(h.problem("web", check.Critical))
		h.tick(10 * time.Minute)
		h.feed(h.ack("web", check.Critical))
		h.tick(time.Hour)
		h.expect("no escalation", "sms alice problem web CRITICAL #1", "sms alice acknowledgement web CRITICAL")
	})
}

func TestGroupingBehindOneRouter(t *testing.T) {
	cfg := oneRoute(Route{Notifiers: []string{"mail"}})
	cfg.GroupWait = 30 * time.Second
	h := newHarness(t, cfg, tuesday(22, 0))
	var batch []state.Transition
	for i := range 40 {
		id := "ping-" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		h.checks[id] = CheckInfo{Host: id + ".example.com", Group: "router1"}
		batch = append(batch, h.problem(id, check.Critical))
		if len(batch) == 10 {
			h.feed(batch...)
			batch = nil
			h.tick(5 * time.Second)
		}
	}
	h.checks["db"] = CheckInfo{Host: "db1"}
	h.feed(h.problem("db", check.Critical))
	h.expect("within group wait")
	h.tick(15 * time.Second) // 35s after the first
	calls := h.rec["mail"].calls
	if len(calls) != 1 || calls[0].Extra["count"] != "40" || calls[0].Extra["group"] != "router1" ||
		calls[0].Output != "40 notifications for router1" || strings.Count(calls[0].Long, "\n") != 40 ||
		!strings.HasPrefix(calls[0].Long, "PROBLEM ping-aa CRITICAL: ping-aa is CRITICAL\n") {
		t.Fatalf("router group: %d calls, first %+v", len(calls), calls)
	}
	h.tick(10 * time.Second)
	if len(h.rec["mail"].calls) != 1 {
		t.Fatalf("db sent before its group wait: %+v", h.rec["mail"].calls[1:])
	}
	h.tick(5 * time.Second) // 30s after db
	calls = h.rec["mail"].calls
	if len(calls) != 2 || calls[1].Check != "db" || calls[1].Extra["count"] != "1" || calls[1].Host != "db1" {
		t.Fatalf("db alone: %+v", calls)
	}
	rows, err := h.st.Outbox(h.ctx, store.OutboxSent, 0)
	if err != nil || len(rows) != 2 {
		t.Fatalf("outbox: %d sent rows, %v; want 2", len(rows), err)
	}
}

func TestDedupAcrossRestart(t *testing.T) {
	h := newHarness(t, oneRoute(Route{RepeatInterval: time.Hour}), tuesday(22, 0))
	first := h.feed(h.problem("web", check.Critical))
	h.expect("first", "sms alice problem web CRITICAL #1")
	if h.p.LastID() != first[0].ID {
		t.Fatalf("LastID = %d, want %d", h.p.LastID(), first[0].ID)
	}

	h.restart()
	if h.p.LastID() != first[0].ID {
		t.Fatalf("after restart LastID = %d, want %d", h.p.LastID(), first[0].ID)
	}
	// The engine replays from an earlier id; the problem released again
	// by core/state (From equal To) is told already.
	again := h.problem("web", check.Critical)
	again.From = again.To
	h.handle(append(first, h.commit(again)...))
	h.expect("after restart")
	h.tick(time.Hour)
	h.expect("repeat survives the restart", "sms alice problem web CRITICAL #2")

	h.restart()
	rec := h.commit(h.recovery("web", check.Critical))
	h.handle(rec)
	h.handle(rec)
	h.expect("recovery once", "sms alice recovery web OK")
	rows, err := h.st.Outbox(h.ctx, "", 0)
	if err != nil || len(rows) != 3 {
		t.Fatalf("outbox: %d rows, %v; want 3", len(rows), err)
	}
}

func TestFlappingStopWhileHardProblem(t *testing.T) {
	h := newHarness(t, oneRoute(Route{Flapping: true}), tuesday(22, 0))
	h.feed(h.problem("web", check.Critical))
	h.tick(time.Minute)
	h.feed(h.event("web", state.KindFlappingStart, check.Critical))
	h.expect("flapping starts", "sms alice problem web CRITICAL #1", "sms alice flapping_start web CRITICAL")
	h.tick(time.Hour)
	h.feed(h.event("web", state.KindFlappingStop, check.Critical))
	h.expect("flapping stops", "sms alice flapping_stop web CRITICAL", "sms alice problem web CRITICAL #2")

	t.Run("a route that does not ask for flapping still gets the problem again", func(t *testing.T) {
		h := newHarness(t, oneRoute(Route{}), tuesday(22, 0))
		h.feed(h.problem("web", check.Critical), h.event("web", state.KindFlappingStart, check.Critical))
		h.tick(time.Hour)
		h.feed(h.event("web", state.KindFlappingStop, check.Critical))
		h.expect("flapping stops", "sms alice problem web CRITICAL #1", "sms alice problem web CRITICAL #2")
	})
	t.Run("not when it stops at OK", func(t *testing.T) {
		h := newHarness(t, oneRoute(Route{Flapping: true}), tuesday(22, 0))
		h.feed(h.problem("web", check.Critical), h.event("web", state.KindFlappingStart, check.Critical))
		h.tick(time.Hour)
		h.feed(h.event("web", state.KindFlappingStop, check.OK))
		h.expect("stop at OK", "sms alice problem web CRITICAL #1", "sms alice flapping_start web CRITICAL",
			"sms alice flapping_stop web OK")
	})
	t.Run("a problem that began while flapping", func(t *testing.T) {
		h := newHarness(t, oneRoute(Route{}), tuesday(22, 0))
		p := h.problem("web", check.Critical)
		p.Notify, p.Suppressed = false, state.SuppressedFlapping
		h.feed(h.event("web", state.KindFlappingStart, check.OK), p)
		h.tick(time.Hour)
		h.expect("suppressed")
		h.feed(h.event("web", state.KindFlappingStop, check.Critical))
		h.expect("the problem at last", "sms alice problem web CRITICAL #1")
	})
}

func TestDelivery(t *testing.T) {
	t.Run("a temporary failure then success delivers exactly once", func(t *testing.T) {
		h := newHarness(t, oneRoute(Route{}), tuesday(22, 0))
		h.rec["sms"].fail = func(i int) error {
			if i < 2 {
				return errors.New("gateway 503")
			}
			return nil
		}
		h.restart() // the sender picks up the failing recorder
		h.feed(h.problem("web", check.Critical))
		h.tick(29 * time.Second)
		h.tick(time.Second) // 30s backoff
		h.tick(59 * time.Second)
		h.tick(time.Second) // 60s backoff
		h.tick(24 * time.Hour)
		calls := h.rec["sms"].calls
		if len(calls) != 3 || calls[0].ID != calls[2].ID || calls[0].Recipients[0].Address != "+4711111111" {
			t.Fatalf("calls: %+v", calls)
		}
		rows, err := h.st.Outbox(h.ctx, "", 0)
		if err != nil || len(rows) != 1 || rows[0].Status != store.OutboxSent || rows[0].Attempts != 3 || rows[0].LastError != "gateway 503" {
			t.Fatalf("outbox: %+v, %v", rows, err)
		}
	})
	for _, tc := range []struct {
		name   string
		expiry time.Duration
		fail   error
		after  time.Duration
		reason string
	}{
		{"a permanent failure goes to the fallback", 0, sdk.Permanent(errors.New("number unknown")), 0, "permanent failure: "},
		{"an expired one goes to the fallback", 3 * time.Minute, errors.New("gateway down"), 4 * time.Minute, "expired: not delivered within 3m0s"},
		{"a notifier failing MaxAttempts times", 0, errors.New("gateway down"), time.Hour, "gateway down"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, oneRoute(Route{Fallback: []string{"mail"}}), tuesday(22, 0))
			h.expiry = tc.expiry
			h.rec["sms"].fail = func(int) error { return tc.fail }
			h.restart()
			h.feed(h.problem("web", check.Critical))
			for range 10 {
				h.tick(tc.after / 10)
			}
			h.tick(0) // the fallback row enqueued by the last Send
			mail := h.rec["mail"].calls
			if len(mail) != 1 || mail[0].Extra["fallback_for"] != "sms" || mail[0].Recipients[0].Address != "alice@example.com" ||
				mail[0].Kind != "problem" || mail[0].Check != "web" {
				t.Fatalf("fallback mail: %+v", mail)
			}
			dead, err := h.st.Outbox(h.ctx, store.OutboxDead, 0)
			if err != nil || len(dead) != 1 || dead[0].Notifier != "sms" || !strings.Contains(dead[0].LastError, tc.reason) {
				t.Fatalf("dead rows: %+v, %v", dead, err)
			}
			sent, err := h.st.Outbox(h.ctx, store.OutboxSent, 0)
			if err != nil || len(sent) != 1 || sent[0].Notifier != "mail" || sent[0].TransitionID != dead[0].TransitionID {
				t.Fatalf("sent rows: %+v, %v", sent, err)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want []string
	}{
		{"undefined names", Config{Routes: []Route{{Name: "r", Notifiers: []string{"sms"}, Contacts: []string{"carol"},
			Notify: []string{"ops"}, Period: "lunch"}}},
			[]string{`route 1 ("r"): contact "carol" is not defined`, `team "ops" is not defined`, `time period "lunch" is not defined`}},
		{"bad pattern and no notifiers", Config{Routes: []Route{{Name: "r", Checks: []string{"web["}}}},
			[]string{`pattern "web["`, `route 1 ("r"): no notifiers`}},
		{"duplicate route and empty escalation", Config{Routes: []Route{{Name: "r", Notifiers: []string{"sms"}},
			{Name: "r", Notifiers: []string{"sms"}, Escalations: []Escalation{{Contacts: []string{"bob"}}}}}},
			[]string{`route 2 ("r"): name empty or used twice`, "escalation 1 has neither"}},
		{"team member", Config{Teams: []Team{{Name: "ops", Members: []string{"zed"}}}}, []string{`team "ops": member "zed" is not a contact`}},
		{"negative", Config{GroupWait: -1, Routes: []Route{{Name: "r", Notifiers: []string{"sms"}, RepeatInterval: -time.Second}}},
			[]string{"must not be negative", "group wait -1ns is negative"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cfg.Contacts == nil {
				tc.cfg.Contacts = contacts
			}
			err := tc.cfg.validate(periods(t))
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("validate = %v, want ErrConfig", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	if err := officeConfig().validate(nil); err == nil || !strings.Contains(err.Error(), "no time periods are defined") {
		t.Fatalf("periods without a set: %v", err)
	}
}

func TestDowntimeAndRepeats(t *testing.T) {
	for _, tc := range []struct {
		name      string
		downtime  bool
		start     []string
		end       []string
		afterward []string
	}{
		{"silent downtime", false, nil, nil, []string{"sms alice problem web CRITICAL #2"}},
		{"downtime told when asked", true, []string{"sms alice downtime_start web CRITICAL"},
			[]string{"sms alice downtime_end web CRITICAL"}, []string{"sms alice problem web CRITICAL #2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, oneRoute(Route{RepeatInterval: time.Hour, Downtime: tc.downtime}), tuesday(22, 0))
			h.feed(h.problem("web", check.Critical))
			h.expect("problem", "sms alice problem web CRITICAL #1")
			h.tick(10 * time.Minute)
			h.feed(h.event("web", state.KindDowntimeStart, check.Critical))
			h.expect("downtime starts", tc.start...)
			h.tick(3 * time.Hour)
			h.expect("no repeats in downtime")
			h.feed(h.event("web", state.KindDowntimeEnd, check.Critical))
			// The problem outlasted the downtime: repeats go on at once.
			h.expect("downtime ends", append(tc.end, tc.afterward...)...)
		})
	}
}

func TestTeamsAndOwedRecovery(t *testing.T) {
	cfg := oneRoute(Route{Contacts: []string{}, Notify: []string{"ops"}, Notifiers: []string{"sms", "mail"}})
	cfg.Teams = []Team{{Name: "ops", Members: []string{"alice", "bob", "alice"}}}
	h := newHarness(t, cfg, tuesday(22, 0))
	h.feed(h.problem("web", check.Critical))
	h.expect("a team through both notifiers", "sms alice problem web CRITICAL #1", "mail alice problem web CRITICAL #1",
		"sms bob problem web CRITICAL #1", "mail bob problem web CRITICAL #1")
	// Flapping holds the recovery back; core/state releases it when
	// flapping stops (a recovery with From equal To).
	held := h.recovery("web", check.Critical)
	held.Notify, held.Suppressed = false, state.SuppressedFlapping
	h.feed(h.event("web", state.KindFlappingStart, check.Critical), held)
	h.tick(time.Hour)
	h.expect("held back")
	released := h.recovery("web", check.OK)
	h.feed(h.event("web", state.KindFlappingStop, check.OK), released)
	h.expect("released to everyone", "sms alice recovery web OK", "mail alice recovery web OK",
		"sms bob recovery web OK", "mail bob recovery web OK")
}
