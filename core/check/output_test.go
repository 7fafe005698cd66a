package check

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// skipped is the note ParsePerfdata gives for an item whose value is not a
// number, such as Naemon's "some=perfdata;".
func skipped(item, value string) string {
	return `perfdata "` + item + `" skipped: value "` + value + `" is not a number`
}

// The first cases are Naemon's tests/test-checks.c, verbatim: its perf_data
// is vakt's PerfText, its NULL vakt's empty string. Their perfdata values
// are words, which the perfdata parser then skips with a note each.
func TestParseOutput(t *testing.T) {
	tests := []struct {
		name, in               string
		output, long, perfText string
		labels                 []string
		notes                  []string
	}{
		{name: "one line no perfdata", in: "TEST OK - just one line of output, no perfdata",
			output: "TEST OK - just one line of output, no perfdata"},
		{name: "one line with perfdata", in: "TEST WARNING - a line of output and | some=perfdata;",
			output: "TEST WARNING - a line of output and", perfText: "some=perfdata;",
			notes: []string{skipped("some=perfdata;", "perfdata")}},
		{name: "multiple line output no perfdata", in: "TEST WARNING - first a line of output\nand then some more output on another line",
			output: "TEST WARNING - first a line of output", long: "and then some more output on another line"},
		{name: "multiple line output and multiple line perfdata",
			in:     "TEST OK - a line of output and | some=perfdata;\nHere's some additional\nLONG output\nwhich suddenly becomes | more=perfdata;\non=several;lines;",
			output: "TEST OK - a line of output and", long: "Here's some additional\nLONG output\nwhich suddenly becomes ",
			perfText: "some=perfdata; more=perfdata; on=several;lines;",
			notes: []string{skipped("some=perfdata;", "perfdata"), skipped("more=perfdata;", "perfdata"),
				skipped("on=several;lines;", "several")}},
		{name: "multiple line output and perfdata but not on first line",
			in:     "TEST CRITICAL - Oh my\nHere's a second line of output and | some=perfdata;",
			output: "TEST CRITICAL - Oh my", long: "Here's a second line of output and ", perfText: "some=perfdata;",
			notes: []string{skipped("some=perfdata;", "perfdata")}},
		{name: "one line output and perfdata but not on first line", in: "TEST CRITICAL - Oh my\n| some=perfdata;",
			output: "TEST CRITICAL - Oh my", perfText: "some=perfdata;", notes: []string{skipped("some=perfdata;", "perfdata")}},
		{name: "perfdata only", in: "| some=perfdata;", perfText: "some=perfdata;",
			notes: []string{skipped("some=perfdata;", "perfdata")}},
		{name: "multiline perfdata only", in: "| some=perfdata;\n|and=more;perfdata;", perfText: "some=perfdata; and=more;perfdata;",
			notes: []string{skipped("some=perfdata;", "perfdata"), skipped("and=more;perfdata;", "more")}},
		{name: "no plugin output at all", in: ""},
		{name: "no plugin output on first line", in: "\n|some=perfdata;", perfText: "some=perfdata;",
			notes: []string{skipped("some=perfdata;", "perfdata")}},

		// The same shapes with numbers, so that the items parse.
		{name: "perfdata on later lines parses",
			in:     "TEST OK - a line of output and | some=1;\nHere's some additional\nLONG output\nwhich suddenly becomes | more=2;\non=3;4;",
			output: "TEST OK - a line of output and", long: "Here's some additional\nLONG output\nwhich suddenly becomes ",
			perfText: "some=1; more=2; on=3;4;", labels: []string{"some", "more", "on"}},
		{name: "multiline perfdata only parses", in: "| some=1;\n|and=2;3;", perfText: "some=1; and=2;3;", labels: []string{"some", "and"}},

		// SPEC.md section 2 beyond Naemon's cases.
		{name: "a lone newline", in: "\n"},
		{name: "only line ends", in: "\r\n\n\r\n"},
		{name: "trailing newline", in: "DISK OK\n", output: "DISK OK"},
		{name: "CRLF line ends", in: "OK first\r\nsecond\r\n", output: "OK first", long: "second"},
		{name: "unicode", in: "ÅÄÖ – tjänsten är igång ✓ | 'temp °C'=21.5;25;30\nrad två: 日本語",
			output: "ÅÄÖ – tjänsten är igång ✓", long: "rad två: 日本語", perfText: "'temp °C'=21.5;25;30", labels: []string{"temp °C"}},
		{name: "cut at NUL", in: "OK before\x00after | x=1", output: "OK before", notes: []string{"output cut at a NUL byte"}},
		{name: "bytes that are not UTF-8 read as Windows-1252", in: "OK \xff\xfe bytes", output: "OK ÿþ bytes",
			notes: []string{latin1Note(2)}},
		{name: "Latin-1 output, long output and labels", in: "OK caf\xe9 \xe4\xf6\xfc | 'temp \xb0C'=21.5 'Lüfter'=3\nZeile zwei: gr\xfc\xdf",
			output: "OK café äöü", long: "Zeile zwei: grüß", perfText: "'temp °C'=21.5 'Lüfter'=3", labels: []string{"temp °C", "Lüfter"},
			notes: []string{latin1Note(7)}},
		{name: "Windows-1252 punctuation", in: "WARNING \x93quoted\x94 \x80 5 \x96 ok\x85 \x81", output: "WARNING \u201cquoted\u201d € 5 – ok… \u0081",
			notes: []string{latin1Note(6)}},
		{name: "UTF-8 and Latin-1 mixed", in: "OK ✓ caf\xe9 ü", output: "OK ✓ café ü", notes: []string{latin1Note(1)}},
		{name: "a cut UTF-8 sequence", in: "OK \xe2\x9c", output: "OK â\u0153", notes: []string{latin1Note(2)}},
		{name: "U+FFFD printed by the plugin is kept", in: "OK \uFFFD", output: "OK \uFFFD"},
		{name: "check_ups", in: "UPS OK - Status=Online Utility=229.0V Batt=100.0% Load=21.0% Temp=31.0C|voltage=229000mV;;;0 battery=100.000000%;;;0;100 load=21.000000%;;;0;100 temperature=31.0degC;;;0\n",
			output:   "UPS OK - Status=Online Utility=229.0V Batt=100.0% Load=21.0% Temp=31.0C",
			perfText: "voltage=229000mV;;;0 battery=100.000000%;;;0;100 load=21.000000%;;;0;100 temperature=31.0degC;;;0",
			labels:   []string{"voltage", "battery", "load", "temperature"}},
		{name: "raw perfdata keeps spacing inside a line and malformed items",
			in:     "OK |  a=1   b=0,5 \nlong\n| c=2\t'd e'=3 \n  f=x  \n",
			output: "OK", long: "long", perfText: "a=1   b=0,5 c=2\t'd e'=3 f=x", labels: []string{"a", "c", "d e"},
			notes: []string{`perfdata "b=0,5" skipped: value "0,5" has a decimal comma; perfdata numbers take a decimal point`,
				`perfdata "f=x" skipped: value "x" is not a number`}},
		{name: "malformed perfdata keeps the rest", in: "OK | a=1 b==2 c=3", output: "OK", perfText: "a=1 b==2 c=3",
			labels: []string{"a", "c"}, notes: []string{`perfdata "b==2" skipped: value "=2" is not a number`}},
		{name: "long output keeps blank lines", in: "OK\n\nline 3\n", output: "OK", long: "\nline 3"},
		{name: "a second | on the perfdata line is perfdata", in: "OK\nlong | a=1 | b=2", output: "OK", long: "long ",
			perfText: "a=1 | b=2", labels: []string{"a", "b"}, notes: []string{`perfdata "|" skipped: no = in item`}},
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
			if !reflect.DeepEqual(got.Notes, tt.notes) {
				t.Errorf("Notes = %q\nwant    %q", got.Notes, tt.notes)
			}
		})
	}
}

func latin1Note(n int) string {
	if n == 1 {
		return "output is not valid UTF-8: 1 byte read as Windows-1252 (Latin-1)"
	}
	return "output is not valid UTF-8: " + strconv.Itoa(n) + " bytes read as Windows-1252 (Latin-1)"
}

// TestDecodeTextEveryByte checks every single byte: ASCII as it is, 0x80-0x9F
// as Windows-1252 has them, 0xA0-0xFF as Latin-1.
func TestDecodeTextEveryByte(t *testing.T) {
	high := "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ"
	want := []rune(high)
	for c := 0; c < 256; c++ {
		got, n := DecodeText([]byte{byte(c)})
		var w string
		var wn int
		switch {
		case c < 0x80:
			w, wn = string(rune(c)), 0
		case c < 0xA0:
			w, wn = string(want[c-0x80]), 1
		default:
			w, wn = string(rune(c)), 1
		}
		if got != w || n != wn {
			t.Errorf("DecodeText(%#x) = %q, %d; want %q, %d", c, got, n, w, wn)
		}
	}
}

func TestParsedFill(t *testing.T) {
	r := Result{Check: "ups", Notes: []string{"before"}}
	ParseOutput([]byte("UPS OK caf\xe9|v=229000mV;;;0 x=0,5\nmore")).Fill(&r)
	want := Result{Check: "ups", Output: "UPS OK café", Long: "more", RawPerfdata: "v=229000mV;;;0 x=0,5",
		Perfdata: []Perf{{Label: "v", Value: 229000, UOM: "mV", Min: ptr(0)}},
		Notes: []string{"before", latin1Note(1),
			`perfdata "x=0,5" skipped: value "0,5" has a decimal comma; perfdata numbers take a decimal point`}}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("Fill:\n got %+v\nwant %+v", r, want)
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
		// The short output is one line without perfdata; long output has
		// no perfdata; nothing after a NUL byte survives.
		if strings.ContainsAny(p.Output, "\n|") {
			t.Fatalf("Output %q holds a line end or a |", p.Output)
		}
		if strings.Contains(p.Long, "|") {
			t.Fatalf("Long %q holds a |", p.Long)
		}
		for _, s := range []string{p.Output, p.Long, p.PerfText} {
			if strings.IndexByte(s, 0) >= 0 {
				t.Fatalf("NUL byte survived in %q", s)
			}
		}
		if len(p.Perfdata) > len(strings.Fields(p.PerfText)) {
			t.Fatalf("%d perfdata items from %q", len(p.Perfdata), p.PerfText)
		}
	})
}
