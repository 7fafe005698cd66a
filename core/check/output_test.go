package check

import (
	"reflect"
	"testing"
	"unicode/utf8"
)

// The first cases are Naemon's tests/test-checks.c and Nagios Core's
// parse_check_output behaviour, translated to vakt's empty strings.
func TestParseOutput(t *testing.T) {
	tests := []struct {
		name, in               string
		output, long, perfText string
		labels                 []string
		notes                  int
	}{
		{name: "one line no perfdata", in: "TEST OK - just one line of output, no perfdata",
			output: "TEST OK - just one line of output, no perfdata"},
		{name: "one line with perfdata", in: "TEST WARNING - a line of output and | some=perfdata;",
			output: "TEST WARNING - a line of output and", perfText: "some=perfdata;", notes: 1},
		{name: "multiple lines no perfdata", in: "TEST WARNING - first a line of output\nand then some more output on another line",
			output: "TEST WARNING - first a line of output", long: "and then some more output on another line"},
		{name: "multiple lines and multiple line perfdata",
			in:     "TEST OK - a line of output and | some=1;\nHere's some additional\nLONG output\nwhich suddenly becomes | more=2;\non=3;4;",
			output: "TEST OK - a line of output and", long: "Here's some additional\nLONG output\nwhich suddenly becomes ",
			perfText: "some=1; more=2; on=3;4;", labels: []string{"some", "more", "on"}},
		{name: "perfdata not on first line", in: "TEST CRITICAL - Oh my\nHere's a second line of output and | some=1;",
			output: "TEST CRITICAL - Oh my", long: "Here's a second line of output and ", perfText: "some=1;", labels: []string{"some"}},
		{name: "perfdata alone on second line", in: "TEST CRITICAL - Oh my\n| some=1;",
			output: "TEST CRITICAL - Oh my", perfText: "some=1;", labels: []string{"some"}},
		{name: "perfdata only", in: "| some=1;", perfText: "some=1;", labels: []string{"some"}},
		{name: "multiline perfdata only", in: "| some=1;\n|and=2;3;", perfText: "some=1; and=2;3;", labels: []string{"some", "and"}},
		{name: "no output on first line", in: "\n|some=1;", perfText: "some=1;", labels: []string{"some"}},
		{name: "empty output", in: ""},
		{name: "a lone newline", in: "\n"},
		{name: "trailing newline", in: "DISK OK\n", output: "DISK OK"},
		{name: "CRLF line ends", in: "OK first\r\nsecond\r\n", output: "OK first", long: "second"},
		{name: "unicode", in: "ÅÄÖ – tjänsten är igång ✓ | 'temp °C'=21.5;25;30\nrad två: 日本語",
			output: "ÅÄÖ – tjänsten är igång ✓", long: "rad två: 日本語", perfText: "'temp °C'=21.5;25;30", labels: []string{"temp °C"}},
		{name: "cut at NUL", in: "OK before\x00after | x=1", output: "OK before", notes: 1},
		{name: "invalid UTF-8 replaced", in: "OK \xff\xfe bytes", output: "OK \uFFFD bytes", notes: 1},
		{name: "malformed perfdata keeps the rest", in: "OK | a=1 b==2 c=3", output: "OK", perfText: "a=1 b==2 c=3",
			labels: []string{"a", "c"}, notes: 1},
		{name: "long output keeps blank lines", in: "OK\n\nline 3\n", output: "OK", long: "\nline 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseOutput([]byte(tt.in))
			if got.Output != tt.output {
				t.Errorf("Output = %q, want %q", got.Output, tt.output)
			}
			if got.Long != tt.long {
				t.Errorf("Long = %q, want %q", got.Long, tt.long)
			}
			if got.PerfText != tt.perfText {
				t.Errorf("PerfText = %q, want %q", got.PerfText, tt.perfText)
			}
			var labels []string
			for _, p := range got.Perfdata {
				labels = append(labels, p.Label)
			}
			if !reflect.DeepEqual(labels, tt.labels) {
				t.Errorf("labels = %q, want %q", labels, tt.labels)
			}
			if len(got.Notes) != tt.notes {
				t.Errorf("Notes = %q, want %d notes", got.Notes, tt.notes)
			}
		})
	}
}

func FuzzParseOutput(f *testing.F) {
	// More seeds are in testdata/fuzz/FuzzParseOutput.
	f.Add([]byte("DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968\n/ 15272 MB (77%);\n/boot 68 MB (69%);"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p := ParseOutput(raw)
		for _, s := range []string{p.Output, p.Long, p.PerfText} {
			if !utf8.ValidString(s) {
				t.Fatalf("not UTF-8: %q", s)
			}
		}
		for _, n := range p.Notes {
			if !utf8.ValidString(n) {
				t.Fatalf("note not UTF-8: %q", n)
			}
		}
		if len(p.Output) > len(raw)*3 || len(p.Long) > len(raw)*3 {
			t.Fatalf("output grew beyond its input: %d bytes in", len(raw))
		}
	})
}
