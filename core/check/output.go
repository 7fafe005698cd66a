package check

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Parsed is plugin output split the Nagios way (SPEC.md section 2).
type Parsed struct {
	Output   string   // the first line, without perfdata, trimmed
	Long     string   // lines 2..n without perfdata
	Perfdata []Perf   // every well-formed perfdata item, in order
	PerfText string   // the perfdata text as found, items joined by spaces
	Notes    []string // what was cut or skipped, and why
}

// ParseOutput splits raw plugin output into short output, long output and
// performance data as Nagios Core 4 and Naemon do:
//
//   - line 1 is the short output; text after its first | is perfdata;
//   - lines 2..n are long output until a line containing |; the text
//     before that | is still long output, everything after it, on that
//     line and on all further lines, is more perfdata.
//
// Output is cut at the first NUL byte, as Nagios does; bytes that are not
// UTF-8 are replaced with U+FFFD so that storage, JSON and the web page never
// see them. Malformed perfdata items are skipped with a note each.
func ParseOutput(raw []byte) Parsed {
	var p Parsed
	if i := bytes.IndexByte(raw, 0); i >= 0 {
		raw = raw[:i]
		p.Notes = append(p.Notes, "output cut at a NUL byte")
	}
	text := string(raw)
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
		p.Notes = append(p.Notes, "output had bytes that are not UTF-8; replaced with U+FFFD")
	}
	text = strings.TrimRight(text, "\r\n")
	if text == "" {
		return p
	}
	lines := strings.Split(text, "\n")
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], "\r")
	}

	var perf []string
	addPerf := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			perf = append(perf, s)
		}
	}
	short, first, _ := strings.Cut(lines[0], "|")
	p.Output = strings.TrimSpace(short)
	addPerf(first)

	var long []string
	for i := 1; i < len(lines); i++ {
		before, after, found := strings.Cut(lines[i], "|")
		if !found {
			long = append(long, lines[i])
			continue
		}
		if before != "" {
			long = append(long, before)
		}
		addPerf(after)
		for _, rest := range lines[i+1:] {
			addPerf(rest)
		}
		break
	}
	p.Long = strings.Join(long, "\n")
	p.PerfText = strings.Join(perf, " ")
	var notes []string
	p.Perfdata, notes = ParsePerfdata(p.PerfText)
	p.Notes = append(p.Notes, notes...)
	return p
}
