package nagios

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/config"
)

// goal50k is the goal for converting and validating 50,000
// services.
const goal50k = 5 * time.Second

// writeBigConfig writes a Nagios configuration of 1,000 hosts in 50 host
// groups and 2,500 services on host groups through two levels of templates:
// 50,000 services.
func writeBigConfig(tb testing.TB, dir string) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString(`define command {
    command_name check_tcp
    command_line $USER1$/check_tcp -H $HOSTADDRESS$ -p $ARG1$ -w $ARG2$
}
define command {
    command_name check-host-alive
    command_line $USER1$/check_ping -H $HOSTADDRESS$ -w 3000.0,80% -c 5000.0,100% -p 1
}
define host {
    name generic-host
    check_command check-host-alive
    max_check_attempts 3
    check_interval 5
    notification_period 24x7
    register 0
}
define service {
    name generic-service
    check_interval 5
    retry_interval 1
    max_check_attempts 3
    notification_interval 60
    register 0
}
define service {
    name tcp-service
    use generic-service
    check_interval 2
    register 0
}
`)
	for g := range 50 {
		fmt.Fprintf(&b, "define hostgroup {\n    hostgroup_name group%d\n}\n", g)
	}
	for h := range 1000 {
		fmt.Fprintf(&b, "define host {\n    use generic-host\n    host_name host%d\n    address 10.0.%d.%d\n    hostgroups group%d\n}\n", h, h/250, h%250, h%50)
	}
	for s := range 2500 {
		fmt.Fprintf(&b, "define service {\n    use tcp-service\n    hostgroup_name group%d\n    service_description port %d\n    check_command check_tcp!%d!0.5\n}\n", s%50, 1000+s, 1000+s)
	}
	if err := os.WriteFile(filepath.Join(dir, "objects.cfg"), []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	main := filepath.Join(dir, "nagios.cfg")
	if err := os.WriteFile(main, []byte("cfg_file=objects.cfg\nresource_file=resource.cfg\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "resource.cfg"), []byte("$USER1$=/usr/lib/nagios/plugins\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	return main
}

// BenchmarkImport50k converts a Nagios configuration of 50,000 services
// (plus 1,000 host checks), writes the HCL and loads it as vakt validate
// does, and reports the time beside the 5 s goal.
func BenchmarkImport50k(b *testing.B) {
	main := writeBigConfig(b, b.TempDir())
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		res, err := Convert(main)
		if err != nil {
			b.Fatal(err)
		}
		if res.Errors() > 0 {
			b.Fatalf("%d errors", res.Errors())
		}
		out := b.TempDir()
		if err := res.WriteFiles(out); err != nil {
			b.Fatal(err)
		}
		converted := time.Since(start)
		cfg, diags := config.NewLoader().Load(out)
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		if len(cfg.Checks) != 51000 {
			b.Fatalf("%d checks, want 51,000", len(cfg.Checks))
		}
		elapsed := time.Since(start)
		total += elapsed
		b.Logf("50,000 services: converted in %s, validated in %s: %s together (goal: under %s)",
			converted.Round(time.Millisecond), (elapsed - converted).Round(time.Millisecond), elapsed.Round(time.Millisecond), goal50k)
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/convert+validate")
	b.ReportMetric(goal50k.Seconds(), "s-goal")
}
