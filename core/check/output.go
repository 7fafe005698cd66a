package check

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Parsed is plugin output split the Nagios way (SPEC.md section 2).
type Parsed struct {
	Output   string // the first line, without perfdata, trimmed
	Long     string // lines 2..n without perfdata
	Perfdata []Perf // every well-formed perfdata item, in order
	// PerfText is the raw perfdata as the plugin printed it, the way Nagios
	// hands it to graphers: the first line's part after its |, then the
	// perfdata of later lines, each trimmed and joined by a single space.
	// Malformed items are still in it.
	PerfText string
	Notes    []string // what was cut, decoded or skipped, and why
}

// Fill copies the parsed output into r: Output, Long, Perfdata,
// RawPerfdata, and the notes appended to r's.
func (p Parsed) Fill(r *Result) {
	r.Output, r.Long, r.Perfdata, r.RawPerfdata = p.Output, p.Long, p.Perfdata, p.PerfText
	r.Notes = append(r.Notes, p.Notes...)
}

// ParseOutput splits raw plugin output into short output, long output and
// performance data as Nagios Core 4 and Naemon do:
//
//   - line 1 is the short output; text after its first | is perfdata;
//   - lines 2..n are long output until a line containing |; the text
//     before that | is still long output, everything after it, on that
//     line and on all further lines, is more perfdata.
//
// Output is cut at the first NUL byte, as Nagios does. Output that is not
// valid UTF-8 (Latin-1 from old agents and Windows plugins) is decoded with
// DecodeText: every byte outside a valid UTF-8 sequence is read as
// Windows-1252, so "caf\xe9" becomes "café" in the output, the long output
// and the perfdata labels alike, with a note. Malformed perfdata items are
// skipped with a note each.
func ParseOutput(raw []byte) Parsed {
	var p Parsed
	if i := bytes.IndexByte(raw, 0); i >= 0 {
		raw = raw[:i]
		p.Notes = append(p.Notes, "output cut at a NUL byte")
	}
	text, decoded := DecodeText(raw)
	if decoded > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("output is not valid UTF-8: %d %s read as Windows-1252 (Latin-1)", decoded, plural(decoded, "byte", "bytes")))
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

// DecodeText returns raw as valid UTF-8, and how many bytes it had to
// decode. Valid UTF-8 sequences are kept as they are; every other byte is
// read as Windows-1252 (a superset of the printable Latin-1), whose bytes
// 0xA0-0xFF are U+00A0-U+00FF and whose 0x80-0x9F are the characters
// Windows puts there (€, ‚, „, …, ‘, ’, “, ”, –, —, ™ ...), the five it
// leaves undefined read as the C1 control of the same number, as WHATWG's
// decoder does. Mixed output (a UTF-8 header from a wrapper around a
// Windows tool) thus keeps both halves readable, and no byte is lost.
func DecodeText(raw []byte) (string, int) {
	if utf8.Valid(raw) {
		return string(raw), 0
	}
	var b strings.Builder
	b.Grow(len(raw) + len(raw)/2)
	decoded := 0
	for len(raw) > 0 {
		r, size := utf8.DecodeRune(raw)
		if r == utf8.RuneError && size <= 1 {
			b.WriteRune(windows1252(raw[0]))
			decoded++
			raw = raw[1:]
			continue
		}
		b.Write(raw[:size])
		raw = raw[size:]
	}
	return b.String(), decoded
}

// windows1252 returns the character of byte c in Windows-1252.
func windows1252(c byte) rune {
	if c < 0x80 || c >= 0xA0 {
		return rune(c)
	}
	// Windows-1252's characters for the bytes 0x80-0x9F.
	high := [32]rune{
		'\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
		'\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
		'\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
		'\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
	}
	return high[c-0x80]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
