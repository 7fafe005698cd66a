package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/server"
)

// TestCommandsBadInput: ack, downtime and passive refuse bad input with a
// clear error and exit 1, before contacting the daemon: the API address
// they are given has nothing listening, so an attempt would say so.
func TestCommandsBadInput(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"ack: no target", []string{"ack"}, "no target: name a check (HOST/CHECK), or use --host HOST or --tag KEY=VALUE"},
		{"ack: two targets", []string{"ack", "db1/c0", "--host", "db1"}, "more than one target: name a check (HOST/CHECK), --host or --tag, only one of them"},
		{"ack: host and tag", []string{"ack", "--host", "db1", "--tag", "role=db"}, "more than one target: name a check (HOST/CHECK), --host or --tag, only one of them"},
		{"ack: two checks", []string{"ack", "db1/c0", "db1/c1"}, "2 checks named (db1/c0 db1/c1): name one check, or use --host or --tag"},
		{"ack: not a check ID", []string{"ack", "disk"}, `check "disk": want a check ID, HOST/CHECK (e.g. localhost/disk)`},
		{"ack: tag without value", []string{"ack", "--tag", "role"}, `--tag "role": want key=value`},
		{"ack: empty author", []string{"ack", "db1/c0", "--author", " "}, "--author is empty: an acknowledgement needs an author"},
		{"ack --remove with a comment", []string{"ack", "--remove", "db1/c0", "-c", "x"}, "--remove takes a target only, not --comment"},
		{"ack --remove with --sticky", []string{"ack", "--remove", "--host", "db1", "--sticky"}, "--remove takes a target only, not --sticky"},
		{"downtime: no target", []string{"downtime", "add", "--duration", "1h"}, "no target: name a check (HOST/CHECK), or use --host HOST or --tag KEY=VALUE"},
		{"downtime: two targets", []string{"downtime", "add", "db1/c0", "--tag", "a=b", "--duration", "1h"}, "more than one target: name a check (HOST/CHECK), --host or --tag, only one of them"},
		{"downtime: no end", []string{"downtime", "add", "db1/c0"}, "a downtime needs --end or --duration"},
		{"downtime: bad duration", []string{"downtime", "add", "--host", "db1", "--duration", "2x"}, `--duration "2x": want a positive duration such as 90m or 2h`},
		{"downtime: negative duration", []string{"downtime", "add", "--host", "db1", "--duration", "-1h"}, `--duration "-1h": want a positive duration such as 90m or 2h`},
		{"downtime: bad end", []string{"downtime", "add", "--host", "db1", "--end", "tomorrow"}, `--end "tomorrow": want a time as RFC 3339, e.g. 2026-05-01T23:00:00+02:00`},
		{"downtime: bad start", []string{"downtime", "add", "--host", "db1", "--start", "2030-01-01", "--duration", "1h"}, `--start "2030-01-01": want a time as RFC 3339, e.g. 2026-05-01T22:00:00+02:00`},
		{"downtime: end before start", []string{"downtime", "add", "--host", "db1", "--start", "2030-01-02T00:00:00Z", "--end", "2030-01-01T00:00:00Z"},
			"--end 2030-01-01T00:00:00Z is not after the start, 2030-01-02T00:00:00Z"},
		{"downtime: end and duration", []string{"downtime", "add", "--host", "db1", "--end", "2030-01-01T00:00:00Z", "--duration", "1h"}, "give --end or --duration, not both (a --flexible downtime takes both)"},
		{"downtime: flexible without duration", []string{"downtime", "add", "--host", "db1", "--flexible", "--end", "2030-01-01T00:00:00Z"},
			"--flexible needs --duration: how long the downtime lasts once a problem starts it (--end closes the window in which it may start)"},
		{"downtime: empty author", []string{"downtime", "add", "--host", "db1", "--duration", "1h", "--author", ""}, "--author is empty: a downtime needs an author"},
		{"downtime cancel: no ref", []string{"downtime", "cancel"}, "downtime cancel takes one reference (as downtime list shows it), got 0 arguments"},
		{"downtime cancel: two refs", []string{"downtime", "cancel", "dt-1", "dt-2"}, "downtime cancel takes one reference (as downtime list shows it), got 2 arguments"},
		{"passive rm: nothing", []string{"passive", "rm"}, "passive rm takes one check, HOST/CHECK, got 0 arguments"},
		{"passive rm: not a check ID", []string{"passive", "rm", "web1"}, `check "web1": want HOST/CHECK (e.g. web1/disk)`},
		{"passive rm: three parts", []string{"passive", "rm", "web1/disk/x"}, `check "web1/disk/x": want HOST/CHECK (e.g. web1/disk)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := vakt(t, append(tc.args, "--listen", addr)...)
			if code != 1 || stdout != "" || stderr != "vakt: "+tc.want+"\n" {
				t.Errorf("vakt %s = %d\nstdout: %q\nstderr: %q\nwant exit 1 and %q", strings.Join(tc.args, " "), code, stdout, stderr, "vakt: "+tc.want)
			}
		})
	}
	// Good input against no daemon: it tries, says so and exits 1.
	code, stdout, stderr := vakt(t, "ack", "db1/c0", "--listen", addr)
	if code != 1 || stdout != "" || !strings.Contains(stderr, "cannot reach the daemon (is vakt run running?)") {
		t.Errorf("vakt ack with no daemon = %d %q %q; want 1 and a hint", code, stdout, stderr)
	}
}

// taggedCheck declares a check that runs check_dummy with code every
// second, tagged role=db.
func taggedCheck(name string, code int) string {
	return fmt.Sprintf(`check %q {
  command        = ["%s/check_dummy", "%d", %q]
  interval       = "1s"
  retry_interval = "1s"
  max_attempts   = 1
  tags           = { role = "db" }
}
`, name, pluginDir, code, name)
}

// TestAckDowntimePassiveCommands runs vakt ack, downtime and passive
// against a vakt run child process with real checks: acks of a check and
// of a tag, shown by vakt status, and removed; a downtime on a host, listed
// and cancelled; a dynamic passive check listed and removed; refusals exit
// 1 with the API's reason.
func TestAckDowntimePassiveCommands(t *testing.T) {
	bin := daemonBinary(t)
	dir := newDaemonDir(t)
	writeFile(t, filepath.Join(dir.checks, "checks.hcl"), taggedCheck("crit", 2)+taggedCheck("crit2", 2)+dir.flip(t, "ok", 0, 1))
	const token = "tok-456"
	p := startDaemon(t, bin, []string{"VAKT_API_TOKENS=" + token}, dir.args()...)
	for _, id := range []string{"localhost/crit", "localhost/crit2", "localhost/ok"} {
		p.waitFor(t, id+" ran", func() bool { return p.runs(id) >= 1 })
	}
	addr := p.httpAddr(t)
	api := []string{"--listen", addr, "--api-token", token}
	client := &server.Client{BaseURL: "http://" + addr, Token: token}
	// notes returns which checks are acknowledged and in downtime.
	notes := func() (acked, down []string) {
		t.Helper()
		all, err := client.Status(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range all {
			if c.Acknowledged {
				acked = append(acked, c.ID)
			}
			if c.InDowntime {
				down = append(down, c.ID)
			}
		}
		return acked, down
	}
	expect := func(what string, args []string, wantCode int, wantOut, wantErr string) {
		t.Helper()
		code, stdout, stderr := vakt(t, append(args, api...)...)
		if code != wantCode || stdout != wantOut || stderr != wantErr {
			t.Errorf("%s: vakt %s = %d\nstdout: %q\nstderr: %q\nwant %d\nstdout: %q\nstderr: %q",
				what, strings.Join(args, " "), code, stdout, stderr, wantCode, wantOut, wantErr)
		}
	}

	// Ack one CRITICAL check: vakt status shows it acknowledged.
	expect("ack a check", []string{"ack", "localhost/crit", "-c", "on it", "--author", "ops"}, 0, "acknowledged 1 check: localhost/crit\n", "")
	code, stdout, stderr := vakt(t, "status", "--listen", addr)
	checkTable(t, "vakt status after the ack", code, 2, stdout, stderr, []string{
		`CHECK\s+STATE\s+TYPE\s+ATTEMPT\s+LEVEL\s+SINCE\s+NOTES\s+OUTPUT`,
		`localhost/crit\s+CRITICAL\s+HARD\s+1/1\s+error\s+\S+\s+acknowledged\s+CRITICAL: crit`,
		`localhost/crit2\s+CRITICAL\s+HARD\s+1/1\s+error\s+\S+\s+-\s+CRITICAL: crit2`,
	})
	if acked, _ := notes(); !slices.Equal(acked, []string{"localhost/crit"}) {
		t.Errorf("acknowledged = %v; want localhost/crit", acked)
	}
	// Refusals: no token, an OK check, an unknown check.
	code, stdout, stderr = vakt(t, "ack", "localhost/crit2", "--listen", addr)
	if code != 1 || stdout != "" || stderr != "vakt: acknowledging: POST /api/v1/acks: 401 Unauthorized: missing bearer token: send Authorization: Bearer TOKEN\n" {
		t.Errorf("vakt ack without a token = %d %q %q; want 1 and 401", code, stdout, stderr)
	}
	code, stdout, stderr = vakt(t, append([]string{"ack", "localhost/ok"}, api...)...)
	if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "vakt: acknowledging: POST /api/v1/acks: 409 Conflict: ") {
		t.Errorf("vakt ack of an OK check = %d %q %q; want 1 and 409", code, stdout, stderr)
	}
	expect("ack an unknown check", []string{"ack", "localhost/nosuch"}, 1, "",
		"vakt: acknowledging: POST /api/v1/acks: 404 Not Found: check localhost/nosuch: no such check\n")
	// A tag: both problems acknowledged, sticky.
	expect("ack a tag", []string{"ack", "--tag", "role=db", "--sticky", "--notify"}, 0, "acknowledged 2 checks: localhost/crit, localhost/crit2\n", "")
	if acked, _ := notes(); !slices.Equal(acked, []string{"localhost/crit", "localhost/crit2"}) {
		t.Errorf("acknowledged = %v; want crit and crit2", acked)
	}
	// Remove one, then the rest of the host.
	expect("ack --remove", []string{"ack", "--remove", "localhost/crit"}, 0, "removed the acknowledgement of 1 check: localhost/crit\n", "")
	if acked, _ := notes(); !slices.Equal(acked, []string{"localhost/crit2"}) {
		t.Errorf("acknowledged after removing crit's = %v; want crit2", acked)
	}
	expect("ack --remove --host", []string{"ack", "--remove", "--host", "localhost"}, 0, "removed the acknowledgement of 1 check: localhost/crit2\n", "")
	if acked, _ := notes(); len(acked) != 0 {
		t.Errorf("acknowledged after removing all = %v; want none", acked)
	}
	code, _, stderr = vakt(t, append([]string{"ack", "--remove", "--host", "localhost"}, api...)...)
	if code != 1 || !strings.HasPrefix(stderr, "vakt: removing acknowledgements: DELETE /api/v1/acks?host=localhost: 409 Conflict: ") ||
		!strings.HasSuffix(stderr, "none is acknowledged\n") {
		t.Errorf("vakt ack --remove with none left = %d %q; want 1 and 409", code, stderr)
	}

	// A downtime on the host: all three checks, one reference.
	code, stdout, stderr = vakt(t, append([]string{"downtime", "add", "--host", "localhost", "--duration", "2h", "-c", "kernel update", "--author", "ops"}, api...)...)
	m := regexp.MustCompile(`^scheduled fixed downtime (dt-[0-9a-f]{12}) on 3 checks: localhost/crit, localhost/crit2, localhost/ok\n$`).FindStringSubmatch(stdout)
	if code != 0 || m == nil || stderr != "" {
		t.Fatalf("vakt downtime add --host = %d %q %q", code, stdout, stderr)
	}
	ref := m[1]
	if _, down := notes(); !slices.Equal(down, []string{"localhost/crit", "localhost/crit2", "localhost/ok"}) {
		t.Errorf("in downtime = %v; want all three", down)
	}
	// A flexible one later, on one check.
	start := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	code, stdout, _ = vakt(t, append([]string{"downtime", "add", "localhost/ok", "--flexible", "--duration", "30m", "--start", start.Format(time.RFC3339)}, api...)...)
	m = regexp.MustCompile(`^scheduled flexible downtime (dt-[0-9a-f]{12}) on 1 check: localhost/ok\n$`).FindStringSubmatch(stdout)
	if code != 0 || m == nil {
		t.Fatalf("vakt downtime add --flexible = %d %q", code, stdout)
	}
	flexRef := m[1]
	dts, err := client.Downtimes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ts := func(at time.Time) string { return regexp.QuoteMeta(at.Local().Format(time.RFC3339)) }
	// The rows in the order the API lists them: by check, then start.
	var rows []string
	for _, dt := range dts {
		switch dt.Ref {
		case ref:
			rows = append(rows, ref+`\s+`+regexp.QuoteMeta(dt.Check)+`\s+active\s+`+ts(dt.Start)+`\s+`+ts(dt.End)+`\s+ops\s+kernel update`)
			if got := dt.End.Sub(dt.Start); got != 2*time.Hour {
				t.Errorf("downtime of %s lasts %s; want 2h", dt.Check, got)
			}
		case flexRef:
			rows = append(rows, flexRef+`\s+localhost/ok\s+scheduled \(flexible 30m\)\s+`+ts(start)+`\s+`+ts(start.Add(30*time.Minute))+`\s+\S+@\S+\s+-`)
		default:
			t.Errorf("unexpected downtime %+v", dt)
		}
	}
	if len(rows) != 4 {
		t.Errorf("downtimes = %+v; want 4", dts)
	}
	code, stdout, stderr = vakt(t, "downtime", "list", "--listen", addr)
	checkTable(t, "vakt downtime list", code, 0, stdout, stderr, append([]string{`REF\s+CHECK\s+PHASE\s+START\s+END\s+AUTHOR\s+COMMENT`}, rows...))
	code, stdout, stderr = vakt(t, "status", "--listen", addr)
	checkTable(t, "vakt status in downtime", code, 2, stdout, stderr, []string{
		`CHECK\s+STATE\s+TYPE\s+ATTEMPT\s+LEVEL\s+SINCE\s+NOTES\s+OUTPUT`,
		`localhost/crit\s+CRITICAL\s+HARD\s+1/1\s+error\s+\S+\s+downtime\s+CRITICAL: crit`,
		`localhost/crit2\s+CRITICAL\s+HARD\s+1/1\s+error\s+\S+\s+downtime\s+CRITICAL: crit2`,
	})
	// Cancel it: the flexible one stays; cancelling again is refused.
	expect("downtime cancel", []string{"downtime", "cancel", ref}, 0, "cancelled downtime "+ref+" on 3 checks: localhost/crit, localhost/crit2, localhost/ok\n", "")
	if _, down := notes(); len(down) != 0 {
		t.Errorf("in downtime after the cancel = %v; want none", down)
	}
	if dts, err := client.Downtimes(context.Background()); err != nil || len(dts) != 1 || dts[0].Ref != flexRef {
		t.Errorf("downtimes after the cancel = %+v, %v; want the flexible one", dts, err)
	}
	code, stdout, stderr = vakt(t, append([]string{"downtime", "cancel", ref}, api...)...)
	if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "vakt: cancelling downtime \""+ref+"\": DELETE /api/v1/downtimes/"+ref+": 404 Not Found: ") {
		t.Errorf("vakt downtime cancel again = %d %q %q; want 1 and 404", code, stdout, stderr)
	}
	expect("downtime cancel the flexible one", []string{"downtime", "cancel", flexRef}, 0, "cancelled downtime "+flexRef+" on 1 check: localhost/ok\n", "")
	expect("downtime list, none", []string{"downtime", "list"}, 0, "No downtimes.\n", "")

	// A dynamic passive check, made by a result over HTTP, then removed.
	expect("passive list, none", []string{"passive", "list"}, 0, "No dynamic passive checks.\n", "")
	postResult(t, "http://"+addr, token, `{"host":"web1","check":"disk","state":"warning","output":"DISK WARNING - 91% used","ttl":"30m"}`)
	var created time.Time
	p.waitFor(t, "web1/disk", func() bool {
		pcs, err := client.PassiveChecks(context.Background())
		if err == nil && len(pcs) == 1 && pcs[0].State == "WARNING" {
			created = pcs[0].Created
			return true
		}
		return false
	})
	code, stdout, stderr = vakt(t, "passive", "list", "--listen", addr)
	checkTable(t, "vakt passive list", code, 0, stdout, stderr, []string{
		`CHECK\s+STATE\s+STALE\s+TTL\s+SOURCE\s+CREATED\s+LAST CHECK`,
		`web1/disk\s+WARNING\s+no\s+30m0s\s+\S+\s+` + ts(created) + `\s+\S+`,
	})
	expect("passive rm", []string{"passive", "rm", "web1/disk"}, 0, "removed passive check web1/disk\n", "")
	expect("passive list after rm", []string{"passive", "list"}, 0, "No dynamic passive checks.\n", "")
	if all, err := client.Status(context.Background(), false); err != nil || len(all) != 3 {
		t.Errorf("status after passive rm = %d checks, %v; want the 3 of checks.d", len(all), err)
	}
	code, _, stderr = vakt(t, append([]string{"passive", "rm", "web1/disk"}, api...)...)
	if code != 1 || !strings.HasPrefix(stderr, "vakt: removing passive check web1/disk: DELETE /api/v1/passive/web1/disk: 404 Not Found: ") {
		t.Errorf("vakt passive rm again = %d %q; want 1 and 404", code, stderr)
	}
	code, _, stderr = vakt(t, append([]string{"passive", "rm", "localhost/crit"}, api...)...)
	if code != 1 || !strings.Contains(stderr, "it is a check of checks.d, not a dynamic passive check: remove it there") {
		t.Errorf("vakt passive rm of a checks.d check = %d %q; want 1 and the reason", code, stderr)
	}

	if code := p.stop(t); code != 0 {
		t.Errorf("vakt run exited %d after SIGTERM; want 0", code)
	}
}

// postResult sends one passive result over HTTP.
func postResult(t *testing.T, base, token, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/results", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: daemonWait}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /api/v1/results = %s; want 202 Accepted", resp.Status)
	}
}

// TestPendingAndForcedReload: a check with no result is PENDING, listed by
// vakt status --all and, as UNKNOWN for the exit code, by
// --pending-unknown; a reload that would remove every check is refused,
// and taken with --force.
func TestPendingAndForcedReload(t *testing.T) {
	bin := daemonBinary(t)
	dir := newDaemonDir(t)
	checksFile := filepath.Join(dir.checks, "checks.hcl")
	// pending runs first at its phase point within 300 days: not during
	// the test.
	pending := fmt.Sprintf("check \"pending\" {\n  command  = [\"%s/check_dummy\", \"0\"]\n  interval = \"300d\"\n}\n", pluginDir)
	writeFile(t, checksFile, dir.flip(t, "ok", 0, 1)+pending)
	const token = "tok-789"
	p := startDaemon(t, bin, []string{"VAKT_API_TOKENS=" + token}, dir.args()...)
	p.waitFor(t, "ok ran", func() bool { return p.runs("localhost/ok") >= 1 })
	addr := p.httpAddr(t)

	head := `CHECK\s+STATE\s+TYPE\s+ATTEMPT\s+LEVEL\s+SINCE\s+NOTES\s+OUTPUT`
	okRow := `localhost/ok\s+OK\s+HARD\s+1/1\s+ok\s+\S+\s+-\s+OK: ok`
	pendingRow := `localhost/pending\s+PENDING\s+\d+/\d+\s+pending\s+-\s+-\s*`
	code, stdout, stderr := vakt(t, "status", "--listen", addr)
	if code != 0 || stdout != "No problems: every check is OK.\n" || stderr != "" {
		t.Errorf("vakt status with a pending check = %d %q %q; want 0 and no problems", code, stdout, stderr)
	}
	code, stdout, stderr = vakt(t, "status", "--all", "--listen", addr)
	checkTable(t, "vakt status --all", code, 0, stdout, stderr, []string{head, okRow, pendingRow})
	code, stdout, stderr = vakt(t, "status", "--pending-unknown", "--listen", addr)
	checkTable(t, "vakt status --pending-unknown", code, 3, stdout, stderr, []string{head, pendingRow})
	code, stdout, stderr = vakt(t, "status", "--pending-unknown", "--all", "--listen", addr)
	checkTable(t, "vakt status --pending-unknown --all", code, 3, stdout, stderr, []string{head, okRow, pendingRow})

	// An emptied checks.d: refused, the checks stay; --force takes it.
	if err := os.Remove(checksFile); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = vakt(t, "reload", "--listen", addr, "--api-token", token)
	if code != 1 || stdout != "" || !strings.Contains(stderr, "vakt: the new configuration was refused; the running one stays: it would remove every one of the 2 running checks (0 in the new configuration); reload with force to do so\n") {
		t.Errorf("vakt reload of an empty checks.d = %d\nstdout: %q\nstderr: %q\nwant exit 1 and the reason", code, stdout, stderr)
	}
	code, stdout, stderr = vakt(t, "status", "--all", "--listen", addr)
	checkTable(t, "vakt status --all after the refused reload", code, 0, stdout, stderr, []string{head, okRow, pendingRow})
	code, stdout, stderr = vakt(t, "reload", "--force", "--listen", addr, "--api-token", token)
	if code != 0 || stdout != "reloaded: 0 checks (0 added, 2 removed, 0 kept)\n" ||
		stderr != "warning: No configuration files\n  The folder "+dir.checks+" holds no *.hcl files.\n" {
		t.Errorf("vakt reload --force = %d %q %q; want 0, 2 removed and the warning", code, stdout, stderr)
	}
	code, stdout, stderr = vakt(t, "status", "--all", "--pending-unknown", "--listen", addr)
	if code != 0 || stdout != "No checks.\n" || stderr != "" {
		t.Errorf("vakt status --all after the forced reload = %d %q %q; want 0 and no checks", code, stdout, stderr)
	}
	if code := p.stop(t); code != 0 {
		t.Errorf("vakt run exited %d after SIGTERM; want 0", code)
	}
}

func TestShortDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{2 * time.Hour, "2h"}, {30 * time.Minute, "30m"}, {90 * time.Minute, "1h30m"},
		{90 * time.Second, "1m30s"}, {45 * time.Second, "45s"}, {time.Hour + time.Second, "1h0m1s"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := shortDuration(tc.d); got != tc.want {
				t.Errorf("shortDuration(%v) = %q; want %q", tc.d, got, tc.want)
			}
		})
	}
}
