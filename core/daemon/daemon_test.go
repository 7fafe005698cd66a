package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/server"
	"github.com/vakt/vakt/core/state"
	"github.com/vakt/vakt/core/store"
)

// TestSoftHardRecovery runs a real check_dummy through the whole path: a
// problem is SOFT, then HARD after max_attempts, then recovers; each
// transition is in the store, logged with its store id, and the perfdata of
// another check is stored as samples.
func TestSoftHardRecovery(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, env.flipCheck(t, "localhost", "flip", 2, "")+`
check "perf" {
  command  = ["`+pluginDir+`/check_dummy", "0", "fine | load=0.5;1;2;0;"]
  interval = "1s"
}
`)
	d := start(t, env, nil)
	const id = "localhost/flip"
	d.waitStatus(t, id, "first result OK", isState("OK", "HARD"))
	d.waitStatus(t, "localhost/perf", "first result OK", isState("OK", "HARD"))

	env.setState(t, "flip", 2)
	got := d.waitStatus(t, id, "HARD CRITICAL", isState("CRITICAL", "HARD"))
	if got.Attempt != 2 || got.MaxAttempts != 2 || got.Level != "error" || got.Output != "CRITICAL: flip" || got.Source != "active" {
		t.Errorf("status = %+v; want attempt 2/2, level error, output %q, source active", got, "CRITICAL: flip")
	}
	env.setState(t, "flip", 0)
	d.waitStatus(t, id, "recovered", isState("OK", "HARD"))
	if err := d.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}

	st := openStore(t, env.statePath)
	want := []string{
		"localhost/flip problem OK->CRITICAL soft suppressed:soft",
		"localhost/flip problem CRITICAL->CRITICAL hard notify",
		"localhost/flip recovery CRITICAL->OK hard notify",
	}
	if got := storedTransitions(t, st, ""); !slices.Equal(got, want) {
		t.Errorf("stored transitions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	stored, err := st.Transitions(context.Background(), store.TransitionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	logged := d.log.messages("transition")
	if len(logged) != len(stored) {
		t.Fatalf("%d transitions logged, %d stored", len(logged), len(stored))
	}
	for i, l := range logged {
		if int64(l["transition_id"].(float64)) != stored[i].ID || l["kind"] != stored[i].Kind || l["check"] != stored[i].CheckID {
			t.Errorf("log line %d = %v; want transition %d (%s of %s)", i, l, stored[i].ID, stored[i].Kind, stored[i].CheckID)
		}
	}

	cs, err := st.State(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if cs.State != check.OK || cs.Type != store.Hard || cs.Output != "OK: flip" {
		t.Errorf("stored state = %v %s %q; want OK hard %q", cs.State, cs.Type, cs.Output, "OK: flip")
	}
	samples, err := st.Samples(context.Background(), "localhost/perf", "load", time.Unix(1, 0), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) == 0 {
		t.Fatal("no perfdata samples stored for localhost/perf")
	}
	for _, s := range samples {
		if s.Value != 0.5 {
			t.Errorf("sample %+v; want value 0.5", s)
		}
	}
}

// TestRestart stops a daemon with a HARD problem and starts another on the
// same store: the problem stays HARD with its times, and raises no second
// problem transition.
func TestRestart(t *testing.T) {
	env := newEnv(t)
	env.setState(t, "down", 2)
	env.writeChecks(t, env.flipCheck(t, "localhost", "down", 1, ""))
	const id = "localhost/down"

	first := start(t, env, nil)
	before := first.waitStatus(t, id, "HARD CRITICAL", isState("CRITICAL", "HARD"))
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}

	second := start(t, env, nil)
	after := second.status(t, id)
	if !after.Checked || after.State != "CRITICAL" || after.Type != "HARD" || !after.LastChange.Equal(before.LastChange) ||
		!after.LastHardChange.Equal(before.LastHardChange) {
		t.Errorf("restored status = %+v\nwant the status before the restart: %+v", after, before)
	}
	second.log.waitFor(t, "two runs after the restart", func() bool { return second.log.runs(id) >= 2 })
	if got := second.log.messages("transition"); len(got) != 0 {
		t.Errorf("transitions after the restart: %v; want none", got)
	}
	if err := second.stop(); err != nil {
		t.Fatal(err)
	}
	want := []string{"localhost/down problem OK->CRITICAL hard notify"}
	if got := storedTransitions(t, openStore(t, env.statePath), ""); !slices.Equal(got, want) {
		t.Errorf("stored transitions = %q; want %q", got, want)
	}
}

// TestStartWithBrokenConfig: New refuses a checks.d with errors and says
// where they are; nothing is created.
func TestStartWithBrokenConfig(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, "check \"x\" {\n  interval = \"5x\"\n  command = [\"/bin/true\"]\n}\n")
	_, err := New(context.Background(), Options{Checks: []string{env.checks}, StatePath: env.statePath})
	var cfgErr *ConfigError
	if !errors.As(err, &cfgErr) {
		t.Fatalf("New = %v; want a *ConfigError", err)
	}
	wantAt := filepath.Join(env.checks, "checks.hcl") + ":2:14: error: Invalid duration"
	if !strings.Contains(cfgErr.Text, wantAt) || !strings.Contains(err.Error(), wantAt) {
		t.Errorf("diagnostics %q; want them to contain %q", cfgErr.Text, wantAt)
	}
	if _, err := os.Stat(env.statePath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the store was created for a broken configuration (stat: %v)", err)
	}
}

// TestNewBadOptions: each missing or malformed option is refused with a
// message naming it.
func TestNewBadOptions(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, "")
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"no checks", Options{StatePath: env.statePath}, "no checks folder or file given"},
		{"no state", Options{Checks: []string{env.checks}}, "no state file given"},
		{"negative concurrency", Options{Checks: []string{env.checks}, StatePath: env.statePath, Concurrency: -1}, "concurrency -1 is negative"},
		{"negative tick", Options{Checks: []string{env.checks}, StatePath: env.statePath, TickInterval: -time.Second}, "tick interval -1s is negative"},
		{"bad listen", Options{Checks: []string{env.checks}, StatePath: env.statePath, Listen: "127.0.0.1:notaport"}, "listening for the HTTP API"},
		{"bad bb listen", Options{Checks: []string{env.checks}, StatePath: env.statePath, BBListen: "127.0.0.1:notaport"}, "listening for Big Brother messages"},
		{"empty token", Options{Checks: []string{env.checks}, StatePath: env.statePath, Listen: "127.0.0.1:0", Tokens: []string{" "}}, "API token 0 is empty"},
		{"not a store", Options{Checks: []string{env.checks}, StatePath: env.checks}, "starting vakt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := New(context.Background(), tc.opts)
			if err == nil {
				d.Close()
				t.Fatalf("New succeeded; want an error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v; want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestDamagedSavedState: a stored status that is not valid is skipped with
// an error in the log; the check starts pending and the daemon runs.
func TestDamagedSavedState(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, `
check "a" {
  command  = ["`+pluginDir+`/check_dummy", "0", "a"]
  interval = "300d"
}
check "b" {
  command  = ["`+pluginDir+`/check_dummy", "0", "b"]
  interval = "300d"
}
`)
	st := openStore(t, env.statePath)
	ctx := context.Background()
	rows := []store.CheckState{
		{CheckID: "localhost/a", State: check.Critical, Type: store.Hard, Attempt: 1, Level: check.LevelError,
			LastCheck: time.Now(), Status: json.RawMessage(`{"check":"localhost/a","state":7,"type":"HARD","attempt":1}`)},
		{CheckID: "localhost/b", State: check.Critical, Type: store.Hard, Attempt: 1, Level: check.LevelError,
			LastCheck: time.Now(), Status: json.RawMessage(`{"check":"localhost/other"}`)},
	}
	for _, r := range rows {
		if err := st.SaveState(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	d := start(t, env, nil)
	for _, id := range []string{"localhost/a", "localhost/b"} {
		if got := d.status(t, id); got.Checked {
			t.Errorf("%s restored from a damaged row: %+v; want pending", id, got)
		}
	}
	errs := d.log.messages("saved state not restored: the check starts pending")
	var checks []string
	for _, e := range errs {
		checks = append(checks, e["check"].(string))
	}
	if !slices.Equal(checks, []string{"localhost/a", "localhost/b"}) {
		t.Errorf("errors logged for %v; want localhost/a and localhost/b", checks)
	}
}

// TestParents: a check on a host whose parent's host_alive check is down is
// UNREACHABLE, goes HARD at once and does not notify; a parent host without
// a host_alive check is reported at load.
func TestParents(t *testing.T) {
	env := newEnv(t)
	env.setState(t, "ping", 2)
	env.writeChecks(t, `
host "router" {}
host "web" { parent = "router" }
host "lonely" { parent = "web" }
`+env.flipCheck(t, "router", "ping", 1, `tags = { host_alive = "true" }`)+
		env.flipCheck(t, "router", "disk", 1, "")+
		env.flipCheck(t, "web", "http", 3, ""))
	d := start(t, env, nil)
	if got := d.log.messages(`host "lonely" has parent "web", which has no check tagged host_alive = "true": the parent has no effect on the checks of "lonely"`); len(got) != 1 {
		t.Errorf("warning about host lonely logged %d times; want once", len(got))
	}
	d.waitStatus(t, "router/ping", "HARD CRITICAL", isState("CRITICAL", "HARD"))
	d.waitStatus(t, "web/http", "a result", func(c server.CheckStatus) bool { return c.Checked })

	env.setState(t, "http", 2)
	got := d.waitStatus(t, "web/http", "HARD CRITICAL", isState("CRITICAL", "HARD"))
	if !got.Unreachable || got.Attempt != 1 {
		t.Errorf("web/http = %+v; want unreachable, HARD at once on attempt 1", got)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	want := []string{"web/http problem OK->CRITICAL hard suppressed:unreachable"}
	if got := storedTransitions(t, openStore(t, env.statePath), "web/http"); !slices.Equal(got, want) {
		t.Errorf("web/http transitions = %q; want %q", got, want)
	}
}

// TestReload: a broken file keeps the running checks and reports the
// diagnostics; a good one adds and removes checks, and a check that stays
// keeps its state and its schedule.
func TestReload(t *testing.T) {
	env := newEnv(t)
	env.setState(t, "kept", 2)
	slow := `
check "slow" {
  command  = ["` + pluginDir + `/check_dummy", "0", "slow"]
  interval = "300d"
}
`
	env.writeChecks(t, env.flipCheck(t, "localhost", "kept", 1, "")+env.flipCheck(t, "localhost", "gone", 1, "")+slow)
	d := start(t, env, nil)
	kept := d.waitStatus(t, "localhost/kept", "HARD CRITICAL", isState("CRITICAL", "HARD"))
	slowDue, ok := d.sched.Lookup("localhost/slow")
	if !ok {
		t.Fatal("localhost/slow is not scheduled")
	}

	// Broken: an unknown attribute in a second file.
	writeFile(t, filepath.Join(env.checks, "broken.hcl"), "check \"new\" {\n  commnd = [\"/bin/true\"]\n}\n")
	report := d.Reload(context.Background())
	wantAt := filepath.Join(env.checks, "broken.hcl") + ":2:3: error: Unsupported argument"
	if report.OK || report.Error != "checks.d has errors; the running configuration stays" || !strings.Contains(report.Diagnostics, wantAt) {
		t.Errorf("reload of a broken file = %+v; want refused with diagnostics containing %q", report, wantAt)
	}
	if ids := d.ids(); !slices.Equal(ids, []string{"localhost/gone", "localhost/kept", "localhost/slow"}) {
		t.Errorf("checks after a refused reload = %v; want the running ones", ids)
	}
	runs := d.log.runs("localhost/gone")
	d.log.waitFor(t, "localhost/gone still running", func() bool { return d.log.runs("localhost/gone") > runs })

	// Good: gone is removed, added is new, kept and slow stay.
	if err := os.Remove(filepath.Join(env.checks, "broken.hcl")); err != nil {
		t.Fatal(err)
	}
	env.writeChecks(t, env.flipCheck(t, "localhost", "kept", 1, "")+env.flipCheck(t, "localhost", "added", 1, "")+slow)
	report = d.Reload(context.Background())
	want := server.ReloadReport{OK: true, Checks: 3, Added: 1, Removed: 1, Kept: 2}
	if report != want {
		t.Errorf("reload = %+v; want %+v", report, want)
	}
	d.waitStatus(t, "localhost/added", "a result", func(c server.CheckStatus) bool { return c.Checked })
	if d.has("localhost/gone") {
		t.Errorf("localhost/gone is still in the status after it was removed")
	}
	if _, ok := d.sched.Lookup("localhost/gone"); ok {
		t.Errorf("localhost/gone is still scheduled after it was removed")
	}
	if got, _ := d.sched.Lookup("localhost/slow"); !got.Due.Equal(slowDue.Due) {
		t.Errorf("localhost/slow due %v after the reload; want %v as before", got.Due, slowDue.Due)
	}
	after := d.status(t, "localhost/kept")
	if after.State != "CRITICAL" || after.Type != "HARD" || !after.LastHardChange.Equal(kept.LastHardChange) {
		t.Errorf("localhost/kept after the reload = %+v; want its state kept: %+v", after, kept)
	}
	m := d.Metrics()
	if m.Reloads != 1 || m.ReloadFailures != 1 {
		t.Errorf("metrics: %d reloads, %d failed; want 1 and 1", m.Reloads, m.ReloadFailures)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	if got := storedTransitions(t, openStore(t, env.statePath), "localhost/kept"); len(got) != 1 {
		t.Errorf("localhost/kept transitions = %q; want exactly one problem", got)
	}
}

// TestPassiveCommands: Xymon disable and enable put a check into downtime
// and end it; "disable ... -1" ends when the check is OK; a command for an
// unknown check is refused.
func TestPassiveCommands(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, "")
	d := start(t, env, nil)
	ctx := context.Background()
	submit := func(host, name string, st check.State) {
		t.Helper()
		if err := d.Submit(ctx, passiveResult(host, name, st)); err != nil {
			t.Fatalf("Submit: %v", err)
		}
	}
	submit("www1", "http", check.OK)
	submit("www1", "disk", check.OK)

	if err := d.SubmitCommand(ctx, disable("www1", "*", time.Hour, false)); err != nil {
		t.Fatalf("disable: %v", err)
	}
	for _, id := range []string{"www1/http", "www1/disk"} {
		if !d.status(t, id).InDowntime {
			t.Errorf("%s is not in downtime after disable www1.*", id)
		}
	}
	if err := d.SubmitCommand(ctx, enable("www1", "http")); err != nil {
		t.Fatalf("enable: %v", err)
	}
	if d.status(t, "www1/http").InDowntime || !d.status(t, "www1/disk").InDowntime {
		t.Errorf("after enable www1.http: http in downtime %v, disk %v; want false, true",
			d.status(t, "www1/http").InDowntime, d.status(t, "www1/disk").InDowntime)
	}

	submit("www1", "http", check.Critical)
	if err := d.SubmitCommand(ctx, disable("www1", "http", 0, true)); err != nil {
		t.Fatalf("disable -1: %v", err)
	}
	if !d.status(t, "www1/http").InDowntime {
		t.Fatal("www1/http is not in downtime after disable -1")
	}
	submit("www1", "http", check.Critical)
	if !d.status(t, "www1/http").InDowntime {
		t.Error("www1/http left its until-OK downtime while still CRITICAL")
	}
	submit("www1", "http", check.OK)
	if d.status(t, "www1/http").InDowntime {
		t.Error("www1/http is still in downtime after it was OK again")
	}

	for _, c := range []passiveCommand{disable("nohost", "http", time.Hour, false), disable("www1", "nocheck", time.Hour, false), enable("nohost", "*")} {
		if err := d.SubmitCommand(ctx, c); err == nil || !strings.Contains(err.Error(), "no such check") {
			t.Errorf("%s %s.%s = %v; want a no such check error", c.Kind, c.Host, c.Check, err)
		}
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"www1/http downtime_start OK->OK hard notify",
		"www1/http downtime_cancelled OK->OK hard notify",
		"www1/http problem OK->CRITICAL hard notify",
		"www1/http downtime_start CRITICAL->CRITICAL hard notify",
		"www1/http recovery CRITICAL->OK hard notify",
		"www1/http downtime_cancelled OK->OK hard notify",
	}
	if got := storedTransitions(t, openStore(t, env.statePath), "www1/http"); !slices.Equal(got, want) {
		t.Errorf("www1/http transitions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPassiveLimit: results that would create more dynamic passive checks
// than MaxPassiveChecks are refused; checks that exist still take results.
func TestPassiveLimit(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, `
check "active" {
  command  = ["`+pluginDir+`/check_dummy", "0", "a"]
  interval = "300d"
}
`)
	d := start(t, env, func(o *Options) { o.MaxPassiveChecks = 1 })
	ctx := context.Background()
	if err := d.Submit(ctx, passiveResult("h", "one", check.OK)); err != nil {
		t.Fatalf("first passive check: %v", err)
	}
	err := d.Submit(ctx, passiveResult("h", "two", check.OK))
	if !errors.Is(err, ErrTooManyPassiveChecks) {
		t.Errorf("second passive check: %v; want ErrTooManyPassiveChecks", err)
	}
	for _, r := range []struct{ host, check string }{{"h", "one"}, {"localhost", "active"}} {
		if err := d.Submit(ctx, passiveResult(r.host, r.check, check.Warning)); err != nil {
			t.Errorf("result for existing check %s/%s: %v", r.host, r.check, err)
		}
	}
	if d.has("h/two") {
		t.Error("h/two was created beyond the limit")
	}
	if got := d.status(t, "localhost/active"); got.State != "WARNING" || got.Source != "active" || got.Type != "SOFT" {
		t.Errorf("localhost/active after a passive WARNING = %+v; want WARNING SOFT, source active", got)
	}
}

// TestTickMakesStale: a passive check whose TTL passes goes stale (UNKNOWN,
// HARD) through the ticker, and the stale transition is stored.
func TestTickMakesStale(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, "")
	d := start(t, env, nil)
	r := passiveResult("agent", "cpu", check.OK)
	r.TTL = 300 * time.Millisecond
	if err := d.Submit(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	got := d.waitStatus(t, "agent/cpu", "stale", func(c server.CheckStatus) bool { return c.Stale })
	if got.State != "UNKNOWN" || got.Type != "HARD" || got.Level != "error" || got.Source != "passive" {
		t.Errorf("stale status = %+v; want UNKNOWN HARD error, source passive", got)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	want := []string{"agent/cpu stale OK->UNKNOWN hard notify"}
	if got := storedTransitions(t, openStore(t, env.statePath), ""); !slices.Equal(got, want) {
		t.Errorf("transitions = %q; want %q", got, want)
	}

	// The passive check, stale, survives a restart.
	again := start(t, env, nil)
	if got := again.status(t, "agent/cpu"); !got.Stale || got.Source != "passive" || got.State != "UNKNOWN" {
		t.Errorf("after a restart: %+v; want the stale passive check", got)
	}
	// It was stale already: time passing raises no second stale.
	again.mu.Lock()
	trs, err := again.machine.Tick(time.Now().Add(time.Hour))
	again.mu.Unlock()
	if err != nil || len(trs) != 0 {
		t.Errorf("Tick an hour after the restart = %+v, %v; want nothing", trs, err)
	}
}

// TestNotificationsHook: the outbox rows a hook makes are stored with
// their transition.
func TestNotificationsHook(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, "")
	d := start(t, env, func(o *Options) {
		o.Notifications = func(tr state.Transition) []store.Notification {
			if !tr.Notify {
				return nil
			}
			return []store.Notification{{Notifier: "mail", Recipient: "oncall@example.org", Payload: json.RawMessage(`{"kind":"` + string(tr.Kind) + `"}`)}}
		}
	})
	if err := d.Submit(context.Background(), passiveResult("h", "c", check.Critical)); err != nil {
		t.Fatal(err)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	st := openStore(t, env.statePath)
	out, err := st.Outbox(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	trs, err := st.Transitions(context.Background(), store.TransitionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || len(trs) != 1 || out[0].TransitionID != trs[0].ID || string(out[0].Payload) != `{"kind":"problem"}` {
		t.Errorf("outbox %+v, transitions %+v; want one notification of the one problem", out, trs)
	}
}
