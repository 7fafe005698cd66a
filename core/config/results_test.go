package config

import (
	"strings"
	"testing"

	"github.com/vakt/vakt/core/check"
)

// loadString loads one file's text, named results.hcl.
func loadString(t *testing.T, src string) (*Config, string) {
	t.Helper()
	l := newTestLoader()
	cfg, diags := l.load([]source{{name: "results.hcl", dir: "/x", src: []byte(src)}})
	var msgs []string
	for _, d := range diags {
		msgs = append(msgs, d.Subject.String()+": "+d.Summary+": "+d.Detail)
	}
	return cfg, strings.Join(msgs, "\n")
}

func TestResultsDecode(t *testing.T) {
	cfg, diags := loadString(t, `
template "bs" {
  results = [
    { exit_code = 0, state = "green", text = "all well" },
    { output = "stratum 1[0-9]", state = "yellow" },
    { exit_code = 4, output = "x", state = "unknown" },
    { state = "red" },
  ]
}
check "ntp" {
  template = "bs"
  command  = ["/bin/true"]
}
check "plain" { command = ["/bin/true"] }
`)
	if diags != "" {
		t.Fatalf("diagnostics: %s", diags)
	}
	got := cfg.Checks[0].Results
	type flat struct {
		code  int // -1: any
		re    string
		state check.State
		text  string
	}
	var flats []flat
	for _, r := range got {
		f := flat{code: -1, state: r.State, text: r.Text}
		if r.ExitCode != nil {
			f.code = *r.ExitCode
		}
		f.re = r.Output
		flats = append(flats, f)
	}
	want := []flat{
		{0, "", check.OK, "all well"},
		{-1, "stratum 1[0-9]", check.Warning, ""},
		{4, "x", check.Unknown, ""},
		{-1, "", check.Critical, ""},
	}
	if len(flats) != len(want) {
		t.Fatalf("rules = %+v, want %+v", flats, want)
	}
	for i := range want {
		if flats[i] != want[i] {
			t.Errorf("rule %d = %+v, want %+v", i, flats[i], want[i])
		}
	}
	if cfg.Checks[1].Results != nil {
		t.Errorf("plain check has rules %v", cfg.Checks[1].Results)
	}
}

func TestResultsMalformed(t *testing.T) {
	for _, tt := range []struct {
		name, rules, want string
	}{
		{"not a list", `"0:green"`, `results.hcl:3,13-22: Invalid results: results must be a list of rules like { exit_code = 1, output = "regexp", state = "warning" }, not a string.`},
		{"not an object", `["0:green"]`, `results.hcl:3,13-24: Invalid result rule: Rule 1 of results: a rule is an object like { exit_code = 1, state = "warning" }, not a string.`},
		{"no state", `[{ exit_code = 1 }]`, `results.hcl:3,13-32: Invalid result rule: Rule 1 of results: state is required: ok, warning, critical or unknown (or green, yellow, red).`},
		{"bad state", `[{ state = "purple" }]`, `results.hcl:3,13-35: Invalid result rule: Rule 1 of results: state must be ok, warning, critical or unknown (or green, yellow, red), not "purple".`},
		{"bad code", `[{ state = "ok" }, { exit_code = 256, state = "ok" }]`, `results.hcl:3,13-66: Invalid result rule: Rule 2 of results: exit_code must be a whole number from 0 to 255, not 256.`},
		{"fraction", `[{ exit_code = 1.5, state = "ok" }]`, `results.hcl:3,13-48: Invalid result rule: Rule 1 of results: exit_code must be a whole number from 0 to 255, not 1.5.`},
		{"bad regexp", `[{ output = "(", state = "ok" }]`, "results.hcl:3,13-45: Invalid result rule: Rule 1 of results: output \"(\" is not a regular expression: error parsing regexp: missing closing ): `(`."},
		{"unknown key", `[{ stat = "ok" }]`, `results.hcl:3,13-30: Invalid result rule: Rule 1 of results: unknown key "stat"; a rule has exit_code, output, state and text. Did you mean "state"?`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := loadString(t, "check \"c\" {\n  command = [\"/bin/true\"]\n  results = "+tt.rules+"\n}")
			if diags != tt.want {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", diags, tt.want)
			}
		})
	}
	t.Run("plugin check", func(t *testing.T) {
		_, diags := loadString(t, `check "c" {
  plugin  = "load"
  results = [{ state = "ok" }]
}`)
		want := `results.hcl:3,3-10: Results without command: results maps a command's exit code and output to a state, but check "c" runs a plugin.`
		if diags != want {
			t.Errorf("diagnostics:\n%s\nwant:\n%s", diags, want)
		}
	})
}
