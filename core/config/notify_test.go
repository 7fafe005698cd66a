package config

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk"
)

// loadNotify loads testdata/config/good/notify, which must load cleanly.
func loadNotify(t *testing.T) *Config {
	t.Helper()
	t.Chdir("../..")
	l := newTestLoader()
	cfg, diags := l.Load("testdata/config/good/notify")
	if len(diags) > 0 {
		var b strings.Builder
		_ = l.WriteDiagnostics(&b, diags)
		t.Fatalf("diagnostics:\n%s", b.String())
	}
	return cfg
}

// TestLoadNotifications compares every decoded notification block of the
// good example with what it says.
func TestLoadNotifications(t *testing.T) {
	cfg := loadNotify(t)
	const dir = "testdata/config/good/notify"
	const f = dir + "/notifications.hcl"
	at := func(rng hcl.Range) string { return position(rng) }

	t.Run("notifiers", func(t *testing.T) {
		got := map[string]string{}
		for name, n := range cfg.Notifiers {
			got[name] = n.Plugin + " " + at(n.DeclRange) + " " + at(n.PluginRange)
		}
		want := map[string]string{
			"mail":        "email " + f + ":4:1 " + f + ":5:12",
			"sms":         "sms " + f + ":12:1 " + f + ":13:12",
			"servicedesk": "webhook " + f + ":20:1 " + f + ":21:12",
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("notifiers:\n got %v\nwant %v", got, want)
		}
	})

	t.Run("config", func(t *testing.T) {
		schema := sdk.Schema{
			{Name: "url", Type: sdk.TypeString, Required: true},
			{Name: "headers", Type: sdk.TypeMapOfString},
		}
		values, diags := cfg.Notifiers["sms"].DecodeConfig(schema)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if values["url"] != "https://sms.example.com/api/send" ||
			!reflect.DeepEqual(values["headers"], map[string]string{"Authorization": "Bearer 0123456789"}) {
			t.Errorf("sms config = %#v", values)
		}
		// The mail notifier's config has host and from, which this schema
		// does not know, and lacks url.
		_, diags = cfg.Notifiers["mail"].DecodeConfig(schema)
		var summaries []string
		for _, d := range diags {
			summaries = append(summaries, d.Summary+" at "+at(*d.Subject))
		}
		want := []string{
			"Unsupported plugin attribute at " + f + ":7:5",
			"Unsupported plugin attribute at " + f + ":8:5",
			"Missing required plugin attribute at " + f + ":6:10",
		}
		if !reflect.DeepEqual(summaries, want) {
			t.Errorf("mail config against the sms schema:\n got %q\nwant %q", summaries, want)
		}
	})

	t.Run("time periods", func(t *testing.T) {
		if got := cfg.TimePeriodSet.Names(); !reflect.DeepEqual(got, []string{"lunch", "office-hours"}) {
			t.Fatalf("periods %v", got)
		}
		office := cfg.TimePeriods["office-hours"]
		if office.Period == nil || at(office.DeclRange) != f+":31:1" {
			t.Fatalf("office-hours = %+v", office)
		}
		if got := office.Spec.Weekdays["monday-friday"]; !reflect.DeepEqual(got, []string{"08:00-16:00"}) {
			t.Errorf("weekdays = %v", got)
		}
		if got := cfg.TimePeriods["lunch"].Spec.Weekdays["monday-friday"]; !reflect.DeepEqual(got, []string{"11:30-12:00"}) {
			t.Errorf("one string is a list of one: lunch weekdays = %v", got)
		}
		oslo := office.Period.Location()
		for _, tc := range []struct {
			when string
			in   bool
		}{
			{"2026-12-07 07:59", false}, // Monday
			{"2026-12-07 08:00", true},
			{"2026-12-07 11:45", false}, // lunch is excluded
			{"2026-12-07 15:59", true},
			{"2026-12-07 16:00", false},
			{"2026-12-05 10:00", false}, // Saturday
			{"2026-12-24 11:00", true},  // Thursday, a date of its own: 08:00-12:00
			{"2026-12-24 13:00", false},
			{"2026-12-25 10:00", false}, // Friday, a holiday
			{"2027-01-01 10:00", false}, // Friday, a holiday
		} {
			tm, err := time.ParseInLocation("2006-01-02 15:04", tc.when, oslo)
			if err != nil {
				t.Fatal(err)
			}
			if got := office.Period.In(tm); got != tc.in {
				t.Errorf("office-hours at %s: In = %v, want %v", tc.when, got, tc.in)
			}
		}
	})

	t.Run("contacts and teams", func(t *testing.T) {
		want := map[string]Contact{
			"kari": {Name: "kari", FullName: "Kari Nordmann", Email: "kari@example.com", Phone: "+47 912 34 567",
				Addresses: map[string]string{}, Folder: dir},
			"ola": {Name: "ola", Email: "ola@example.com", Phone: "+47 987 65 432",
				Addresses: map[string]string{"chat": "@ola"}, Folder: dir},
			"boss":     {Name: "boss", Email: "boss@example.com", Addresses: map[string]string{}, Folder: dir},
			"web-lead": {Name: "web-lead", Email: "lead@web.example.com", Addresses: map[string]string{}, Folder: dir + "/web", Team: "web"},
		}
		if len(cfg.Contacts) != len(want) {
			t.Errorf("%d contacts, want %d", len(cfg.Contacts), len(want))
		}
		for name, w := range want {
			c := cfg.Contacts[name]
			if c == nil {
				t.Errorf("no contact %q", name)
				continue
			}
			got := *c
			got.DeclRange = hcl.Range{}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("contact %q:\n got %+v\nwant %+v", name, got, w)
			}
		}
		team := cfg.Teams["oncall"]
		if len(cfg.Teams) != 1 || team == nil || !reflect.DeepEqual(team.Members, []string{"kari", "ola"}) ||
			team.Team != "" || at(team.DeclRange) != f+":60:1" {
			t.Errorf("teams = %v; oncall = %+v", cfg.Teams, team)
		}
	})

	t.Run("routes", func(t *testing.T) {
		noTags := map[string]string{}
		want := []Route{
			{Name: "desk", Match: RouteMatch{Tags: noTags}, During: "office-hours", Notifiers: []string{"servicedesk"},
				Repeat: DefaultRepeat, Folder: dir},
			{Name: "errors", Match: RouteMatch{Level: check.LevelError, Tags: noTags}, NotDuring: "office-hours",
				Notifiers: []string{"sms"}, To: []string{"oncall"}, Repeat: time.Hour, FirstDelay: 5 * time.Minute,
				Escalations: []Escalation{
					{After: 15 * time.Minute, Add: []string{"boss"}},
					{AfterNotifications: 3, Replace: []string{"boss"}},
				},
				Fallback: []string{"mail"}, Folder: dir},
			{Name: "warnings", Match: RouteMatch{Level: check.LevelWarning, Check: "disk*", Host: "web?", Tags: map[string]string{"env": "prod"}},
				Notifiers: []string{"mail"}, To: []string{"oncall"}, Repeat: 0, Continue: true, Folder: dir},
			{Name: "web-errors", Match: RouteMatch{Team: "web", Tags: noTags}, Notifiers: []string{"mail"},
				To: []string{"web-lead", "oncall"}, Repeat: 0, Folder: dir + "/web", Team: "web"},
		}
		wantAt := []string{f + ":64:1", f + ":69:1", f + ":89:1", dir + "/web/notifications.hcl:6:1"}
		if len(cfg.Routes) != len(want) {
			t.Fatalf("%d routes, want %d", len(cfg.Routes), len(want))
		}
		for i, r := range cfg.Routes {
			if at(r.DeclRange) != wantAt[i] {
				t.Errorf("route %d at %s, want %s", i, at(r.DeclRange), wantAt[i])
			}
			got := *r
			got.DeclRange = hcl.Range{}
			got.Escalations = nil
			for _, e := range r.Escalations {
				e.DeclRange = hcl.Range{}
				got.Escalations = append(got.Escalations, e)
			}
			if !reflect.DeepEqual(got, want[i]) {
				t.Errorf("route %d:\n got %+v\nwant %+v", i, got, want[i])
			}
		}
	})
}

// TestRouteMatches checks a route's match block and its team folder
// against notifications about checks.
func TestRouteMatches(t *testing.T) {
	cfg := loadNotify(t)
	routes := map[string]*Route{}
	for _, r := range cfg.Routes {
		routes[r.Name] = r
	}
	prod := map[string]string{"env": "prod", "role": "web"}
	for _, tc := range []struct {
		route       string
		level       check.Level
		host, check string
		tags        map[string]string
		team        string
		want        bool
	}{
		{"desk", check.LevelWarning, "db1", "load", nil, "", true},
		{"desk", check.LevelError, "web1", "http", nil, "db", true},
		{"errors", check.LevelError, "db1", "load", nil, "", true},
		{"errors", check.LevelWarning, "db1", "load", nil, "", false},
		{"warnings", check.LevelWarning, "web1", "disk-root", prod, "", true},
		{"warnings", check.LevelWarning, "web10", "disk-root", prod, "", false}, // web? is one character
		{"warnings", check.LevelWarning, "web1", "load", prod, "", false},       // disk*
		{"warnings", check.LevelWarning, "web1", "disk-root", nil, "", false},   // no env tag
		{"warnings", check.LevelWarning, "web1", "disk-root", map[string]string{"env": "test"}, "", false},
		{"warnings", check.LevelError, "web1", "disk-root", prod, "", false},
		{"web-errors", check.LevelError, "web1", "http", nil, "web", true},
		{"web-errors", check.LevelWarning, "web1", "http", nil, "web", true},
		{"web-errors", check.LevelError, "web1", "http", nil, "db", false},
		{"web-errors", check.LevelError, "web1", "http", nil, "", false},
	} {
		name := strings.Join([]string{tc.route, tc.level.String(), tc.host, tc.check, tc.team}, "/")
		t.Run(name, func(t *testing.T) {
			if got := routes[tc.route].Matches(tc.level, tc.host, tc.check, tc.tags, tc.team); got != tc.want {
				t.Errorf("Matches = %v, want %v", got, tc.want)
			}
		})
	}

	// A route in a team folder without a match block applies to its
	// team's checks only.
	r := &Route{Team: "db", Match: RouteMatch{Tags: map[string]string{}}}
	if r.Matches(check.LevelError, "h", "c", nil, "web") || !r.Matches(check.LevelError, "h", "c", nil, "db") {
		t.Errorf("a route in team db's folder must match db's checks and only them")
	}
}

// TestNotificationsDocExample loads the example of the package
// documentation's Notifications section, so that it stays true.
func TestNotificationsDocExample(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(src), "// # Notifications\n")
	section, _, _ = strings.Cut(section, "// A notifier's config block")
	var example strings.Builder
	for _, line := range strings.Split(section, "\n") {
		if code, ok := strings.CutPrefix(line, "//\t"); ok {
			example.WriteString(code + "\n")
		}
	}
	if example.Len() < 500 {
		t.Fatalf("no example found in doc.go:\n%s", example.String())
	}
	l := NewLoader()
	l.LookupEnv = func(key string) (string, bool) { return "token-" + key, true }
	cfg, diags := l.load([]source{{name: "doc.hcl", dir: "/doc", src: []byte(example.String())}})
	if len(diags) > 0 {
		var b strings.Builder
		_ = l.WriteDiagnostics(&b, diags)
		t.Fatalf("the doc example does not load:\n%s\n%s", b.String(), example.String())
	}
	var names []string
	for _, r := range cfg.Routes {
		names = append(names, r.Name)
	}
	if !reflect.DeepEqual(names, []string{"servicedesk", "errors", "warnings"}) || len(cfg.Notifiers) != 3 ||
		len(cfg.Contacts) != 3 || len(cfg.Teams) != 1 || cfg.TimePeriods["office-hours"] == nil {
		t.Errorf("routes %v, %d notifiers, %d contacts, %d teams, periods %v",
			names, len(cfg.Notifiers), len(cfg.Contacts), len(cfg.Teams), cfg.TimePeriods)
	}
}
