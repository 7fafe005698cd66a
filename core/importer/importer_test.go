package importer

import (
	"testing"
	"time"
)

func TestQuote(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain", `"plain"`},
		{`a "b" \c`, `"a \"b\" \\c"`},
		{"line\nbreak\ttab", `"line\nbreak\ttab"`},
		{"${not} %{interp} $ %", `"$${not} %%{interp} $ %"`},
		{"-H " + HostAddress + " -n " + HostName, `"-H ${host.address} -n ${host.name}"`},
		{"-C " + HostTag("_COMMUNITY"), `"-C ${host.tags["_COMMUNITY"]}"`}, // quotes inside ${} are HCL's own
		{"\x01", `"\u0001"`},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := Quote(tt.in); got != tt.want {
				t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	for _, tt := range []struct {
		in   time.Duration
		want string
	}{
		{0, "1s"}, {30 * time.Second, "30s"}, {5 * time.Minute, "5m"}, {90 * time.Second, "1m30s"},
		{2 * time.Hour, "2h"}, {25 * time.Hour, "1d1h"}, {48 * time.Hour, "2d"}, {1500 * time.Millisecond, "2s"},
	} {
		if got := Duration(tt.in); got != tt.want {
			t.Errorf("Duration(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestProblems(t *testing.T) {
	var r Result
	r.Add("b.cfg", 3, Note, "n %d", 1)
	r.Add("a.cfg", 9, Error, "e")
	r.Add("a.cfg", 0, Error, "whole file")
	r.SortProblems()
	want := []string{"a.cfg: error: whole file", "a.cfg:9: error: e", "b.cfg:3: note: n 1"}
	for i, p := range r.Problems {
		if p.String() != want[i] {
			t.Errorf("problem %d = %q, want %q", i, p.String(), want[i])
		}
	}
	if r.Errors() != 2 {
		t.Errorf("Errors() = %d, want 2", r.Errors())
	}
	if err := (&Result{Files: []File{{Name: "../escape.hcl"}}}).WriteFiles(t.TempDir()); err == nil {
		t.Errorf("WriteFiles wrote a file outside its folder")
	}
}
