package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/engine"
	"github.com/vakt/vakt/core/server"
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
	// Every check run is logged at debug, every transition at info.
	for msg, level := range map[string]string{"check ran": "debug", "transition": "info"} {
		lines := d.log.messages(msg)
		if len(lines) == 0 {
			t.Errorf("no %q lines logged", msg)
		}
		for _, l := range lines {
			// A line with two "level" keys would decode to the last.
			if l["level"] != level {
				t.Errorf("%q logged at %v: %v; want %s", msg, l["level"], l, level)
			}
		}
	}
	for i, l := range logged {
		if int64(l["transition_id"].(float64)) != stored[i].ID || l["kind"] != stored[i].Kind || l["check"] != stored[i].CheckID ||
			l["check_level"] != stored[i].Level.String() {
			t.Errorf("log line %d = %v; want transition %d (%s of %s, level %s)", i, l, stored[i].ID, stored[i].Kind, stored[i].CheckID, stored[i].Level)
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
	second.stopAndCheckTransitions(t, env, "", "localhost/down problem OK->CRITICAL hard notify")
}

// TestSecondDaemonOnSameState: while one daemon runs on a store, a second
// New on the same StatePath is refused, saying why, and binds nothing; once
// the first has stopped (or died: the flock goes with the process), a new
// one starts on that store.
func TestSecondDaemonOnSameState(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, idleCheck("localhost", "a", 0, "a", ""))
	first := start(t, env, nil)

	second, err := New(context.Background(), Options{Checks: []string{env.checks}, StatePath: env.statePath, Listen: "127.0.0.1:0"})
	if err == nil {
		second.Close()
		t.Fatal("a second New on the store of a running daemon succeeded; want it refused")
	}
	want := "starting vakt: locking the state: another vakt is running on " + env.statePath + " (" + env.statePath + ".lock is locked)"
	if err.Error() != want {
		t.Errorf("second New = %q\nwant %q", err, want)
	}

	if err := first.stop(); err != nil {
		t.Fatal(err)
	}
	third, err := New(context.Background(), Options{Checks: []string{env.checks}, StatePath: env.statePath})
	if err != nil {
		t.Fatalf("New after the first daemon stopped: %v", err)
	}
	if err := third.Close(); err != nil {
		t.Errorf("Close: %v", err)
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
		{"negative tick", Options{Checks: []string{env.checks}, StatePath: env.statePath, Engine: engine.Options{TickInterval: -time.Second}}, "durations must not be negative"},
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
	env.writeChecks(t, idleCheck("localhost", "a", 0, "a", "")+idleCheck("localhost", "b", 0, "b", ""))
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
	warned := 0
	for _, m := range d.log.messages("checks.d has warnings") {
		if diag, _ := m["diagnostics"].(string); strings.Contains(diag, `Host "lonely" has parent "web", which has no check tagged host_alive = "true"`) {
			warned++
		}
	}
	if warned != 1 {
		t.Errorf("warning about host lonely logged %d times; want once", warned)
	}
	d.waitStatus(t, "router/ping", "HARD CRITICAL", isState("CRITICAL", "HARD"))
	d.waitStatus(t, "web/http", "a result", func(c server.CheckStatus) bool { return c.Checked })

	env.setState(t, "http", 2)
	got := d.waitStatus(t, "web/http", "HARD CRITICAL", isState("CRITICAL", "HARD"))
	if !got.Unreachable || got.Attempt != 1 {
		t.Errorf("web/http = %+v; want unreachable, HARD at once on attempt 1", got)
	}
	d.stopAndCheckTransitions(t, env, "web/http", "web/http problem OK->CRITICAL hard suppressed:unreachable")
}

// TestReload: a broken file keeps the running checks and reports the
// diagnostics; a good one adds and removes checks, and a check that stays
// keeps its state and its schedule.
func TestReload(t *testing.T) {
	env := newEnv(t)
	env.setState(t, "kept", 2)
	slow := idleCheck("localhost", "slow", 0, "slow", "")
	env.writeChecks(t, env.flipCheck(t, "localhost", "kept", 1, "")+env.flipCheck(t, "localhost", "gone", 1, "")+slow)
	d := start(t, env, nil)
	kept := d.waitStatus(t, "localhost/kept", "HARD CRITICAL", isState("CRITICAL", "HARD"))
	slowDue, ok := d.sched.Lookup("localhost/slow")
	if !ok {
		t.Fatal("localhost/slow is not scheduled")
	}

	// Broken: an unknown attribute in a second file.
	writeFile(t, filepath.Join(env.checks, "broken.hcl"), "check \"new\" {\n  commnd = [\"/bin/true\"]\n}\n")
	report := d.Reload(context.Background(), false)
	wantAt := filepath.Join(env.checks, "broken.hcl") + ":2:3: error: Unsupported argument"
	if report.OK || report.Error != "checks.d has errors; the running configuration stays" || !strings.Contains(report.Diagnostics, wantAt) {
		t.Errorf("reload of a broken file = %+v; want refused with diagnostics containing %q", report, wantAt)
	}
	if logged := d.log.messages("reload refused"); len(logged) != 1 || logged[0]["level"] != "error" ||
		!strings.Contains(fmt.Sprint(logged[0]["diagnostics"]), wantAt) {
		t.Errorf("logged for the refused reload: %v; want one error with the diagnostics", logged)
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
	report = d.Reload(context.Background(), false)
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
	d.stopAndCheckTransitions(t, env, "localhost/kept", "localhost/kept problem OK->CRITICAL hard notify")
	st := openStore(t, env.statePath)
	if _, err := st.State(context.Background(), "localhost/gone"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("stored state of the removed check: %v; want it deleted (ErrNotFound)", err)
	}
	if got, err := st.State(context.Background(), "localhost/kept"); err != nil || got.State != check.Critical {
		t.Errorf("stored state of the kept check = %+v, %v; want CRITICAL", got, err)
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
		if err := d.engine.Submit(ctx, passiveResult(host, name, st)); err != nil {
			t.Fatalf("Submit: %v", err)
		}
	}
	submit("www1", "http", check.OK)
	submit("www1", "disk", check.OK)

	if err := d.engine.SubmitCommand(ctx, disable("www1", "*", time.Hour, false)); err != nil {
		t.Fatalf("disable: %v", err)
	}
	for _, id := range []string{"www1/http", "www1/disk"} {
		if !d.status(t, id).InDowntime {
			t.Errorf("%s is not in downtime after disable www1.*", id)
		}
	}
	if err := d.engine.SubmitCommand(ctx, enable("www1", "http")); err != nil {
		t.Fatalf("enable: %v", err)
	}
	if d.status(t, "www1/http").InDowntime || !d.status(t, "www1/disk").InDowntime {
		t.Errorf("after enable www1.http: http in downtime %v, disk %v; want false, true",
			d.status(t, "www1/http").InDowntime, d.status(t, "www1/disk").InDowntime)
	}

	submit("www1", "http", check.Critical)
	if err := d.engine.SubmitCommand(ctx, disable("www1", "http", 0, true)); err != nil {
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
		if err := d.engine.SubmitCommand(ctx, c); err == nil || !strings.Contains(err.Error(), "no such check") {
			t.Errorf("%s %s.%s = %v; want a no such check error", c.Kind, c.Host, c.Check, err)
		}
	}
	d.stopAndCheckTransitions(t, env, "www1/http",
		"www1/http downtime_scheduled OK->OK hard suppressed:not requested",
		"www1/http downtime_start OK->OK hard notify",
		"www1/http downtime_cancelled OK->OK hard notify",
		"www1/http problem OK->CRITICAL hard notify",
		"www1/http downtime_scheduled CRITICAL->CRITICAL hard suppressed:not requested",
		"www1/http downtime_start CRITICAL->CRITICAL hard notify",
		"www1/http recovery CRITICAL->OK hard notify",
		"www1/http downtime_cancelled OK->OK hard notify",
	)
}

// TestPassiveLimit: results that would create more dynamic passive checks
// than MaxPassiveChecks are refused; checks that exist still take results.
func TestPassiveLimit(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, idleCheck("localhost", "active", 0, "a", ""))
	d := start(t, env, func(o *Options) { o.Engine.MaxPassiveChecks = 1 })
	ctx := context.Background()
	if err := d.engine.Submit(ctx, passiveResult("h", "one", check.OK)); err != nil {
		t.Fatalf("first passive check: %v", err)
	}
	err := d.engine.Submit(ctx, passiveResult("h", "two", check.OK))
	if !errors.Is(err, engine.ErrTooManyPassiveChecks) {
		t.Errorf("second passive check: %v; want ErrTooManyPassiveChecks", err)
	}
	for _, r := range []struct{ host, check string }{{"h", "one"}, {"localhost", "active"}} {
		if err := d.engine.Submit(ctx, passiveResult(r.host, r.check, check.Warning)); err != nil {
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
	// Through the HTTP API, as an agent sends it, with its lifetime.
	code, _, body := d.call(t, http.MethodPost, "/api/v1/results", testToken, "application/json",
		`{"host": "agent", "check": "cpu", "state": "ok", "output": "load 0.5", "ttl": "300ms"}`)
	if code != http.StatusAccepted {
		t.Fatalf("POST /api/v1/results = %d %s", code, body)
	}
	got := d.waitStatus(t, "agent/cpu", "stale", func(c server.CheckStatus) bool { return c.Stale })
	if got.State != "UNKNOWN" || got.Type != "HARD" || got.Level != "error" || got.Source != "passive" {
		t.Errorf("stale status = %+v; want UNKNOWN HARD error, source passive", got)
	}
	d.stopAndCheckTransitions(t, env, "", "agent/cpu stale OK->UNKNOWN hard notify")

	// The passive check, stale, survives a restart.
	// It was stale already: time passing (an hour, on this daemon's
	// clock) raises no second stale.
	again := start(t, env, func(o *Options) { o.Engine.Now = func() time.Time { return time.Now().Add(time.Hour) } })
	if got := again.status(t, "agent/cpu"); !got.Stale || got.Source != "passive" || got.State != "UNKNOWN" {
		t.Errorf("after a restart: %+v; want the stale passive check", got)
	}
	again.engine.Tick()
	if err := again.engine.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := again.engine.Stats().Transitions; n != 0 {
		t.Errorf("an hour after the restart: %d transitions; want none", n)
	}
}

// TestRetryIntervalWhileSoft: a check with an interval of 300 days and a
// retry interval of one second, run once, reaches HARD through its retries
// alone (its interval would not run it again within the test), and once
// HARD it waits its interval again.
func TestRetryIntervalWhileSoft(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, idleCheck("localhost", "retry", 2, "down", `retry_interval = "1s"
  max_attempts   = 3`))
	const id = "localhost/retry"
	d := start(t, env, nil)
	if got, _ := d.sched.Lookup(id); got.Due.Before(time.Now().Add(time.Minute)) {
		// Its phase point in 300 days falls in the next minute (a chance
		// of one in 400,000): a run then would not be a retry.
		t.Fatalf("%s is first due at %v, within a minute: run the test again", id, got.Due)
	}
	if err := d.sched.RunNow(id); err != nil {
		t.Fatal(err)
	}
	got := d.waitStatus(t, id, "HARD CRITICAL", isState("CRITICAL", "HARD"))
	if got.Attempt != 3 || got.MaxAttempts != 3 {
		t.Errorf("status = %+v; want HARD on attempt 3 of 3", got)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	var attempts []string
	for _, l := range d.log.messages("check ran") {
		attempts = append(attempts, fmt.Sprintf("%v %v", l["type"], l["attempt"]))
	}
	if want := []string{"SOFT 1", "SOFT 2", "HARD 3"}; !slices.Equal(attempts, want) {
		t.Errorf("runs = %q; want %q: one forced run and two retries", attempts, want)
	}
	sched, ok := d.sched.Lookup(id)
	if !ok || sched.Retrying || sched.Due.Before(time.Now().Add(299*24*time.Hour)) {
		t.Errorf("schedule after the HARD result = %+v; want not retrying, next run 300 days on", sched)
	}
}

// TestReloadSpreadsNewChecks: checks added by a reload are first due at
// distinct times spread over their interval, not all at once.
func TestReloadSpreadsNewChecks(t *testing.T) {
	const n = 200
	env := newEnv(t)
	env.writeChecks(t, idleCheck("localhost", "first", 0, "ok", ""))
	d := start(t, env, nil)
	var hcl strings.Builder
	for i := range n {
		fmt.Fprintf(&hcl, "check \"new-%03d\" {\n  command  = [\"%s/check_dummy\", \"0\", \"ok\"]\n  interval = \"1h\"\n}\n", i, pluginDir)
	}
	env.writeChecks(t, idleCheck("localhost", "first", 0, "ok", "")+hcl.String())
	before := time.Now()
	if report := d.Reload(context.Background(), false); !report.OK || report.Added != n || report.Kept != 1 {
		t.Fatalf("reload = %+v; want %d added, 1 kept", report, n)
	}
	after := time.Now()
	seen := map[time.Time]string{}
	var quarters [4]int
	for i := range n {
		id := fmt.Sprintf("localhost/new-%03d", i)
		st, ok := d.sched.Lookup(id)
		if !ok {
			t.Fatalf("%s is not scheduled after the reload", id)
		}
		if st.Due.Before(before) || !st.Due.Before(after.Add(time.Hour)) {
			t.Errorf("%s first due at %v; want within an hour of the reload at %v", id, st.Due, before)
		}
		if other, dup := seen[st.Due]; dup {
			t.Errorf("%s and %s are both first due at %v", id, other, st.Due)
		}
		seen[st.Due] = id
		quarters[min(3, max(0, int(4*st.Due.Sub(before)/time.Hour)))]++
	}
	// Evenly spread, each quarter of the hour holds about 50.
	for i, k := range quarters {
		if k < 20 || k > 80 {
			t.Errorf("%d of %d new checks first due in quarter %d of the hour; want 20..80 (all: %v)", k, n, i, quarters)
		}
	}
}

// TestBurstsOfTransitions: a Big Brother command for every check of a host
// and a tick that makes all of them stale each change 300 checks at once;
// every transition is stored, logged with its store id, and each check's
// state row holds the result, so a restart finds them in downtime and stale.
func TestBurstsOfTransitions(t *testing.T) {
	const n = 300
	env := newEnv(t)
	env.writeChecks(t, "")
	d := start(t, env, nil)
	ctx := context.Background()
	for i := range n {
		r := passiveResult("agent", fmt.Sprintf("c%03d", i), check.OK)
		r.TTL = time.Second
		if err := d.engine.Submit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.engine.SubmitCommand(ctx, disable("agent", "*", time.Hour, false)); err != nil {
		t.Fatal(err)
	}
	d.log.waitFor(t, "every check stale", func() bool {
		for _, c := range d.Statuses() {
			if !c.Stale {
				return false
			}
		}
		return true
	})
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	st := openStore(t, env.statePath)
	stored, err := st.Transitions(ctx, store.TransitionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// Whether a check went stale before or after the downtime began
	// depends on how fast the results went in; what is stored does not.
	count := map[string]int{}
	byID := map[int64]store.Transition{}
	for _, tr := range stored {
		count[tr.Kind]++
		byID[tr.ID] = tr
	}
	if want := map[string]int{"downtime_scheduled": n, "downtime_start": n, "stale": n}; !maps.Equal(count, want) {
		t.Errorf("stored transitions, by kind = %v; want %v", count, want)
	}
	logged := d.log.messages("transition")
	for _, l := range logged {
		tr, ok := byID[int64(l["transition_id"].(float64))]
		if !ok || tr.CheckID != l["check"] || tr.Kind != l["kind"] || tr.Notify != l["notify"] {
			t.Errorf("logged transition %v is not the one stored under its id (%+v)", l, tr)
		}
	}
	if len(logged) != 3*n || len(d.log.messages("transition not stored")) != 0 {
		t.Errorf("%d transitions logged; want %d and none lost", len(logged), 3*n)
	}
	st.Close()

	again := start(t, env, nil)
	for _, c := range again.Statuses() {
		if !c.InDowntime || !c.Stale || c.State != "UNKNOWN" || c.Source != "passive" {
			t.Errorf("%s after a restart = %+v; want a stale passive check in downtime", c.ID, c)
		}
	}
	if got := len(again.Statuses()); got != n {
		t.Errorf("%d checks after a restart; want %d", got, n)
	}
}

// TestPerfdataMaintenance: the daemon rolls old perfdata samples up and
// deletes the raw ones past their retention (8 days): at start, and every
// MaintenanceInterval.
func TestPerfdataMaintenance(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, "")
	st := openStore(t, env.statePath)
	ctx := context.Background()
	hour := time.Now().Add(-9 * 24 * time.Hour).Truncate(time.Hour)
	var results []store.Result
	for i := range 12 { // one sample every 5 minutes, values 1..12
		at := hour.Add(time.Duration(i) * 5 * time.Minute)
		results = append(results, store.Result{
			State: store.CheckState{CheckID: "old/perf", State: check.OK, Type: store.Hard, Attempt: 1, LastCheck: at},
			Perf:  []store.PerfValue{{Label: "load", Value: float64(i + 1)}},
		})
	}
	if err := st.WriteResults(ctx, results); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteState(ctx, "old/perf"); err != nil { // its samples stay
		t.Fatal(err)
	}
	st.Close()

	d := start(t, env, func(o *Options) { o.MaintenanceInterval = 100 * time.Millisecond })
	d.log.waitFor(t, "two maintenance runs", func() bool { return len(d.log.messages("perfdata rolled up and pruned")) >= 2 })
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	runs := d.log.messages("perfdata rolled up and pruned")
	var got []string
	for _, r := range runs[:2] {
		got = append(got, fmt.Sprintf("%v: 5m %v, 1h %v, raw deleted %v, rollups deleted %v",
			r["level"], r["buckets_5m"], r["buckets_1h"], r["raw_deleted"], r["rollups_deleted"]))
	}
	if want := []string{"debug: 5m 12, 1h 1, raw deleted 12, rollups deleted 0", "debug: 5m 0, 1h 0, raw deleted 0, rollups deleted 0"}; !slices.Equal(got, want) {
		t.Errorf("maintenance runs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	st = openStore(t, env.statePath)
	if samples, err := st.Samples(ctx, "old/perf", "load", hour, hour.Add(time.Hour)); err != nil || len(samples) != 0 {
		t.Errorf("raw samples after maintenance = %+v, %v; want none", samples, err)
	}
	g, err := st.Graph(ctx, store.GraphQuery{CheckID: "old/perf", Label: "load", From: hour, To: hour.Add(time.Hour), Step: time.Hour})
	want := store.Point{Time: hour, Min: 1, Max: 12, Avg: 6.5, Count: 12}
	if err != nil || g.Resolution != store.Rollup1h || len(g.Points) != 1 || !g.Points[0].Time.Equal(want.Time) ||
		g.Points[0].Min != want.Min || g.Points[0].Max != want.Max || g.Points[0].Avg != want.Avg || g.Points[0].Count != want.Count {
		t.Errorf("hourly graph = %+v, %v; want the 1-hour rollup %+v", g, err, want)
	}
}
