package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// rangeOf returns the range of the first occurrence of sub in src.
func rangeOf(t *testing.T, file string, src, sub string) hcl.Range {
	t.Helper()
	i := strings.Index(src, sub)
	if i < 0 {
		t.Fatalf("%q not in source", sub)
	}
	pos := func(b int) hcl.Pos {
		line := strings.Count(src[:b], "\n") + 1
		col := len([]rune(src[strings.LastIndex(src[:b], "\n")+1:b])) + 1
		return hcl.Pos{Line: line, Column: col, Byte: b}
	}
	return hcl.Range{Filename: file, Start: pos(i), End: pos(i + len(sub))}
}

func TestWriteDiagnostics(t *testing.T) {
	const file = "checks.d/x.hcl"
	const src = "check \"é\" {\n\tinterval = \"5x\"\n  command = [\n    \"a\",\n  ]\n}\n"
	l := NewLoader()
	l.files = map[string]*hcl.File{file: {Bytes: []byte(src)}}
	at := func(sub string) *hcl.Range { r := rangeOf(t, file, src, sub); return &r }
	for _, tc := range []struct {
		name string
		diag *hcl.Diagnostic
		want string
	}{
		{"tab before subject", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid duration", Detail: "Bad.", Subject: at(`"5x"`)},
			"checks.d/x.hcl:2:13: error: Invalid duration\n  2 | \tinterval = \"5x\"\n    | \t           ^^^^\n  Bad.\n"},
		{"multibyte before and in subject", &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "W", Subject: at(`é" {`)},
			"checks.d/x.hcl:1:8: warning: W\n  1 | check \"é\" {\n    |        ^^^^\n"},
		{"subject over several lines shows the first", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "E", Detail: "line one\nline two", Subject: at("[\n    \"a\",\n  ]")},
			"checks.d/x.hcl:3:13: error: E\n  3 |   command = [\n    |             ^\n  line one\n  line two\n"},
		{"empty subject", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "E", Subject: &hcl.Range{Filename: file, Start: hcl.Pos{Line: 6, Column: 2, Byte: len(src) - 1}, End: hcl.Pos{Line: 6, Column: 2, Byte: len(src) - 1}}},
			"checks.d/x.hcl:6:2: error: E\n  6 | }\n    |  ^\n"},
		{"no subject", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read configuration", Detail: "x: no such file."},
			"error: Cannot read configuration\n  x: no such file.\n"},
		{"unknown file", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "E", Subject: &hcl.Range{Filename: "other.hcl", Start: hcl.Pos{Line: 3, Column: 4, Byte: 20}}},
			"other.hcl:3:4: error: E\n"},
		{"range beyond the source", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "E", Subject: &hcl.Range{Filename: file, Start: hcl.Pos{Line: 9, Column: 1, Byte: 999}, End: hcl.Pos{Line: 9, Column: 1, Byte: 1000}}},
			"checks.d/x.hcl:9:1: error: E\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := l.WriteDiagnostics(&b, hcl.Diagnostics{tc.diag}); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tc.want)
			}
		})
	}
}

func TestWriteDiagnosticsSeparatesWithBlankLines(t *testing.T) {
	var b strings.Builder
	diags := hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "One"},
		{Severity: hcl.DiagWarning, Summary: "Two"},
	}
	if err := NewLoader().WriteDiagnostics(&b, diags); err != nil {
		t.Fatal(err)
	}
	if want := "error: One\n\nwarning: Two\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteDiagnosticsReportsWriteErrors(t *testing.T) {
	err := NewLoader().WriteDiagnostics(failingWriter{}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "E"}})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err = %v, want the writer's error", err)
	}
}

func TestPrintable(t *testing.T) {
	got := printable([]byte("a\tb\x00c\xffd\x1be"))
	if want := "a\tb\uFFFDc\uFFFDd\uFFFDe"; got != want {
		t.Errorf("printable = %q, want %q", got, want)
	}
}

func TestSortAndDedupeDiagnostics(t *testing.T) {
	at := func(file string, b int) *hcl.Range {
		return &hcl.Range{Filename: file, Start: hcl.Pos{Byte: b, Line: 1, Column: b + 1}}
	}
	d := func(summary string, subject *hcl.Range) *hcl.Diagnostic {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Subject: subject}
	}
	diags := hcl.Diagnostics{
		d("b.hcl at 5", at("b.hcl", 5)),
		d("a.hcl at 9", at("a.hcl", 9)),
		d("b.hcl at 1", at("b.hcl", 1)),
		d("no subject", nil),
		d("a.hcl at 9", at("a.hcl", 9)), // a repeat
		d("a.hcl at 9 too", at("a.hcl", 9)),
		d("unknown file", at("c.hcl", 0)),
	}
	got := sortDiagnostics(dedupeDiagnostics(diags), map[string]int{"b.hcl": 0, "a.hcl": 1})
	var summaries []string
	for _, d := range got {
		summaries = append(summaries, d.Summary)
	}
	want := "no subject|unknown file|b.hcl at 1|b.hcl at 5|a.hcl at 9|a.hcl at 9 too"
	if s := strings.Join(summaries, "|"); s != want {
		t.Errorf("got %s\nwant %s", s, want)
	}
}

func TestDidYouMean(t *testing.T) {
	candidates := []string{"web1", "web2", "router1", "db"}
	for name, want := range map[string]string{
		"web3":    ` Did you mean "web1"?`, // web1 and web2 are as near; the first by name wins
		"routr1":  ` Did you mean "router1"?`,
		"db":      ` Did you mean "db"?`,
		"mailer9": "",
		"":        "",
	} {
		if got := didYouMean(name, candidates); got != want {
			t.Errorf("didYouMean(%q) = %q, want %q", name, got, want)
		}
	}
	if got := didYouMeanVar("prot", []string{"port"}); got != " Did you mean var.port?" {
		t.Errorf("didYouMeanVar = %q", got)
	}
	if got := editDistance("kitten", "sitting"); got != 3 {
		t.Errorf("editDistance = %d, want 3", got)
	}
}
