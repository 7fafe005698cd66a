package execute

import (
	"context"
	"os/exec"
	"testing"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/check"
)

// BenchmarkExecCheckDummy measures Exec.Run of check_dummy 0 ok: fork/exec,
// process group, timeout watch, capped pipes, parsing. Compare with
// BenchmarkRawForkExec, the floor set by the kernel and os/exec alone:
//
//	go test -run '^$' -bench 'CheckDummy|RawForkExec' ./core/execute/
func BenchmarkExecCheckDummy(b *testing.B) {
	dummy := benchPlugin(b)
	e := NewExec(zerolog.Nop())
	job := Job{Check: "dummy", Host: "localhost", Argv: []string{dummy, "0", "ok"}}
	ctx := context.Background()
	for b.Loop() {
		res := e.Run(ctx, job)
		if res.State != check.OK || res.Output != "OK: ok" {
			b.Fatalf("State, Output = %s, %q; want OK, %q", res.State, res.Output, "OK: ok")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
}

// BenchmarkRawForkExec runs the same plugin with plain os/exec and nothing
// else.
func BenchmarkRawForkExec(b *testing.B) {
	dummy := benchPlugin(b)
	for b.Loop() {
		out, err := exec.Command(dummy, "0", "ok").Output()
		if err != nil || string(out) != "OK: ok\n" {
			b.Fatalf("check_dummy = %q, %v; want %q", out, err, "OK: ok\n")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
}

func benchPlugin(b *testing.B) string {
	b.Helper()
	path := nagiosPluginDir + "/check_dummy"
	if _, err := exec.LookPath(path); err != nil {
		b.Fatalf("plugin %s is missing (%v): `make test` installs monitoring-plugins-basic", path, err)
	}
	return path
}
