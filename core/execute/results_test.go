package execute

import (
	"context"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/config"
)

// TestRunResults runs real scripts through Exec with result rules, the way
// Big Sister's command check maps exit codes and output to colours.
func TestRunResults(t *testing.T) {
	code := func(n int) *int { return &n }
	ntp := []config.ResultRule{
		{ExitCode: code(0), State: check.OK, Text: "ntp OK"},
		{Output: `stratum 16`, State: check.Warning, Text: "ntp running but not synchronized"},
		{ExitCode: code(7), Output: `^disk`, State: check.Unknown},
		{State: check.Critical, Text: "ntp FAILURE"},
	}
	onlyCodes := []config.ResultRule{{ExitCode: code(1), State: check.OK}}
	sh := func(script string) []string { return []string{"/bin/sh", "-c", script} }
	for _, tt := range []struct {
		name  string
		argv  []string
		rules []config.ResultRule
		want  want
	}{
		{"exit 0 with text", sh("echo synced; exit 0"), ntp,
			want{state: check.OK, exitCode: 0, output: "ntp OK", long: "synced"}},
		{"output pattern beats exit code", sh("echo 'server 1.2.3.4, stratum 16, offset 0'; exit 1"), ntp,
			want{state: check.Warning, exitCode: 1, output: "ntp running but not synchronized", long: "server 1.2.3.4, stratum 16, offset 0"}},
		{"pattern in long output", sh("printf 'line one\\nstratum 16\\n'; exit 0"), ntp[1:],
			want{state: check.Warning, exitCode: 0, output: "ntp running but not synchronized", long: "line one\nstratum 16"}},
		{"code and pattern both needed", sh("echo disk full; exit 7"), ntp[2:],
			want{state: check.Unknown, exitCode: 7, output: "disk full"}},
		{"code matches but pattern does not", sh("echo memory; exit 7"), ntp[2:],
			want{state: check.Critical, exitCode: 7, output: "ntp FAILURE", long: "memory"}},
		{"default rule", sh("echo no server; exit 2"), ntp,
			want{state: check.Critical, exitCode: 2, output: "ntp FAILURE", long: "no server"}},
		{"out-of-range code mapped", sh("echo weird; exit 42"), ntp[3:],
			want{state: check.Critical, exitCode: 42, output: "ntp FAILURE", long: "weird"}},
		{"no rule matches: exit code decides", sh("echo warn; exit 1"), []config.ResultRule{{ExitCode: code(0), State: check.Critical}},
			want{state: check.Warning, exitCode: 1, output: "warn"}},
		{"rule without text keeps output", sh("echo grep found nothing; exit 1"), onlyCodes,
			want{state: check.OK, exitCode: 1, output: "grep found nothing"}},
		{"stderr only", sh("echo stratum 16 >&2; exit 3"), ntp[1:2],
			want{state: check.Warning, exitCode: 3, output: "ntp running but not synchronized", long: "(No output on stdout) stderr: stratum 16"}},
		{"not started: rules do not apply", []string{"/nonexistent/plugin"}, ntp,
			want{state: check.Critical, exitCode: -1, output: "(Return code of 127 is out of bounds. Check if plugin exists): cannot run /nonexistent/plugin: no such file or directory"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestExec(t)
			res := run(t, context.Background(), e, Job{Check: "ntp", Host: "h", Argv: tt.argv, Results: tt.rules})
			assertResult(t, res, tt.want)
		})
	}
	t.Run("timeout keeps timeout state", func(t *testing.T) {
		e := newTestExec(t)
		e.KillGrace = -1
		state := check.Warning
		res := run(t, context.Background(), e, Job{Check: "ntp", Host: "h", Argv: sh("sleep 30"),
			Timeout: 200 * time.Millisecond, TimeoutState: &state, Results: ntp})
		assertResult(t, res, want{state: check.Warning, exitCode: -1, output: "(Service check timed out after 0.20 seconds)", timedOut: true})
	})
}
