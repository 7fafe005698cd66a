package config

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"30s", 30 * time.Second},
		{"5m", 5 * time.Minute},
		{"1h", time.Hour},
		{"1h30m", 90 * time.Minute},
		{"1.5h", 90 * time.Minute},
		{"500ms", 500 * time.Millisecond},
		{"1d", 24 * time.Hour},
		{"2d12h", 60 * time.Hour},
		{"1d30m", 24*time.Hour + 30*time.Minute},
		{"0d", 0},
		{"10000d", 10000 * 24 * time.Hour},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseDuration(tc.in)
			if err != nil || got != tc.want {
				t.Errorf("parseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParseDurationInvalid(t *testing.T) {
	for _, in := range []string{
		"", "5", "5x", "5M", "30 s", " 5m", "d", "1d-2h", "1dd", "-1d", "1.5d", "d1",
		"10001d", "99999999999999999999d", "10000d9223372036854775807ns", "1d1d",
	} {
		t.Run(in, func(t *testing.T) {
			if got, err := parseDuration(in); err == nil {
				t.Errorf("parseDuration(%q) = %v, want an error", in, got)
			}
		})
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		name      string
		host, lbl bool // valid as a host name; as a check or template name
	}{
		{"web1", true, true},
		{"db1.example.com", true, true},
		{"Disk usage /var", false, true},
		{"web/1", false, true},
		{"a b", false, true},
		{"", false, false},
		{" x", false, false},
		{"x\t", false, false},
		{"a\x00b", false, false},
		{"a\nb", false, false},
		{"ünïcode", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkHostName(tc.name); (err == nil) != tc.host {
				t.Errorf("checkHostName(%q) = %v, want valid %v", tc.name, err, tc.host)
			}
			if err := checkLabel("check", tc.name); (err == nil) != tc.lbl {
				t.Errorf("checkLabel(%q) = %v, want valid %v", tc.name, err, tc.lbl)
			}
		})
	}
}

func TestValidPluginName(t *testing.T) {
	for name, want := range map[string]bool{
		"http": true, "check-foo_2.1": true, "9p": true,
		"": false, "-x": false, ".hidden": false, "../sh": false, "a/b": false, "a b": false, "ü": false,
	} {
		if got := validPluginName(name); got != want {
			t.Errorf("validPluginName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second: "1s", 5 * time.Minute: "5m", 90 * time.Minute: "1h30m", 2 * time.Hour: "2h", 90 * time.Second: "1m30s",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
