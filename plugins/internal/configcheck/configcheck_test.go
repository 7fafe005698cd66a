package configcheck

import (
	"errors"
	"reflect"
	"testing"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk"
)

// rangeText writes a parsed range back, "<nil>" for none.
func rangeText(r *check.Range) string {
	if r == nil {
		return "<nil>"
	}
	return r.String()
}

// configErrors returns what err holds, failing unless it is ConfigErrors.
func configErrors(t *testing.T, err error) sdk.ConfigErrors {
	t.Helper()
	var errs sdk.ConfigErrors
	if !errors.As(err, &errs) {
		t.Fatalf("got %v (%T), want sdk.ConfigErrors", err, err)
	}
	return errs
}

func TestRanges(t *testing.T) {
	values := sdk.Values{"warning": "10:20", "critical": "", "bad": "2:1", "number": 5.0}
	tests := []struct {
		name    string
		parse   func(p *Problems) *check.Range
		want    string
		problem string // the one message recorded, or ""
	}{
		{"Range of a range", func(p *Problems) *check.Range { return p.Range("w", "@10:20") }, "@10:20", ""},
		{"Range of an upside-down range", func(p *Problems) *check.Range { return p.Range("w", "2:1") }, "<nil>",
			`attribute "w": parsing range "2:1": start 2 is greater than end 1`},
		{"Range of empty text", func(p *Problems) *check.Range { return p.Range("w", "") }, "<nil>",
			`attribute "w": parsing range "": empty`},
		{"Threshold of a range", func(p *Problems) *check.Range { return p.Threshold("w", "10:") }, "10:", ""},
		{"Threshold of empty text is none", func(p *Problems) *check.Range { return p.Threshold("w", "") }, "<nil>", ""},
		{"Threshold of garbage", func(p *Problems) *check.Range { return p.Threshold("w", "fast") }, "<nil>",
			`attribute "w": parsing range "fast": end: "fast" is not a number`},
		{"SetRange of a set range", func(p *Problems) *check.Range { return p.SetRange(values, "warning") }, "10:20", ""},
		{"SetRange of an unset attribute is none", func(p *Problems) *check.Range { return p.SetRange(values, "absent") }, "<nil>", ""},
		{"SetRange of a set empty string", func(p *Problems) *check.Range { return p.SetRange(values, "critical") }, "<nil>",
			`attribute "critical": parsing range "": empty`},
		{"SetRange of a bad range", func(p *Problems) *check.Range { return p.SetRange(values, "bad") }, "<nil>",
			`attribute "bad": parsing range "2:1": start 2 is greater than end 1`},
		{"SetRange of a value that is no string is none", func(p *Problems) *check.Range { return p.SetRange(values, "number") }, "<nil>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Problems
			if got := rangeText(tt.parse(&p)); got != tt.want {
				t.Errorf("range %s, want %s", got, tt.want)
			}
			err := p.Err()
			if tt.problem == "" {
				if err != nil {
					t.Fatalf("problems %v, want none", err)
				}
				return
			}
			if got := configErrors(t, err); len(got) != 1 || got[0].Message != tt.problem {
				t.Fatalf("problems %#v, want one: %q", got, tt.problem)
			}
		})
	}
}

func TestState(t *testing.T) {
	tests := []struct {
		text    string
		want    check.State
		problem string
	}{
		{"ok", check.OK, ""},
		{"Warning", check.Warning, ""},
		{"crit", check.Critical, ""},
		{"unknown", check.Unknown, ""},
		{"", check.Unknown, `attribute "refuse": unknown state "": want ok, warning, critical or unknown`},
		{"purple", check.Unknown, `attribute "refuse": unknown state "purple": want ok, warning, critical or unknown`},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var p Problems
			if got := p.State("refuse", tt.text); got != tt.want {
				t.Errorf("state %v, want %v", got, tt.want)
			}
			if tt.problem == "" {
				if err := p.Err(); err != nil {
					t.Fatalf("problems %v, want none", err)
				}
				return
			}
			want := sdk.ConfigErrors{{Attribute: "refuse", Message: tt.problem}}
			if got := configErrors(t, p.Err()); !reflect.DeepEqual(got, want) {
				t.Fatalf("problems %#v, want %#v", got, want)
			}
		})
	}
}

func TestWholeNumber(t *testing.T) {
	tests := []struct {
		name    string
		f       float64
		want    int
		problem string
	}{
		{"lowest", 1, 1, ""},
		{"highest", 65535, 65535, ""},
		{"zero", 0, 0, `attribute "port": want a whole number from 1 to 65535, got 0`},
		{"too large", 70000, 0, `attribute "port": want a whole number from 1 to 65535, got 70000`},
		{"fraction", 22.5, 0, `attribute "port": want a whole number from 1 to 65535, got 22.5`},
		{"negative", -5, 0, `attribute "port": want a whole number from 1 to 65535, got -5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Problems
			if got := p.WholeNumber("port", tt.f, 1, 65535); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
			if tt.problem == "" {
				if err := p.Err(); err != nil {
					t.Fatalf("problems %v, want none", err)
				}
				return
			}
			want := sdk.ConfigErrors{{Attribute: "port", Message: tt.problem}}
			if got := configErrors(t, p.Err()); !reflect.DeepEqual(got, want) {
				t.Fatalf("problems %#v, want %#v", got, want)
			}
		})
	}
}

func TestErrOrders(t *testing.T) {
	var p Problems
	if err := p.Err(); err != nil {
		t.Fatalf("Err of no problems: %v", err)
	}
	if err := p.ErrByAttribute(); err != nil {
		t.Fatalf("ErrByAttribute of no problems: %v", err)
	}
	p.Add("warning", "first %s", "warning")
	p.Add("critical", "only critical")
	p.Add("", "the config as a whole, %d%%", 100)
	p.Add("warning", "second warning")

	recorded := sdk.ConfigErrors{
		{Attribute: "warning", Message: `attribute "warning": first warning`},
		{Attribute: "critical", Message: `attribute "critical": only critical`},
		{Attribute: "", Message: "the config as a whole, 100%"},
		{Attribute: "warning", Message: `attribute "warning": second warning`},
	}
	if got := configErrors(t, p.Err()); !reflect.DeepEqual(got, recorded) {
		t.Errorf("Err:\n got %#v\nwant %#v", got, recorded)
	}
	byAttribute := sdk.ConfigErrors{recorded[2], recorded[1], recorded[0], recorded[3]}
	if got := configErrors(t, p.ErrByAttribute()); !reflect.DeepEqual(got, byAttribute) {
		t.Errorf("ErrByAttribute:\n got %#v\nwant %#v", got, byAttribute)
	}
	// Sorting a copy leaves the recorded order as it was.
	if got := configErrors(t, p.Err()); !reflect.DeepEqual(got, recorded) {
		t.Errorf("Err after ErrByAttribute:\n got %#v\nwant %#v", got, recorded)
	}
}

func TestHTTPURLAndIsToken(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"https://example.com/x", ""},
		{"example.com", `attribute "url": "example.com" has no scheme: want http:// or https://`},
		{"ftp://example.com/", `attribute "url": scheme "ftp" is not http or https`},
		{"http:///x", `attribute "url": "http:///x" has no host`},
	} {
		t.Run(tc.text, func(t *testing.T) {
			var p Problems
			u := p.HTTPURL("url", tc.text)
			err := p.Err()
			switch {
			case tc.want == "" && (err != nil || u == nil || u.String() != tc.text):
				t.Fatalf("HTTPURL(%q) = %v, %v", tc.text, u, err)
			case tc.want != "" && (err == nil || err.Error() != tc.want || u != nil):
				t.Fatalf("HTTPURL(%q) = %v, %v; want %q", tc.text, u, err, tc.want)
			}
		})
	}
	for s, want := range map[string]bool{"X-Token": true, "GET": true, "": false, "a b": false, "a:b": false} {
		if IsToken(s) != want {
			t.Errorf("IsToken(%q) = %v", s, !want)
		}
	}
}
