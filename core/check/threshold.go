package check

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Range is a Nagios threshold range, [@]start:end (SPEC.md section 4).
// Alert reports whether a value falls where it should raise the state.
type Range struct {
	Start, End float64
	// NegInf is set for a start of ~ (minus infinity); PosInf for an
	// omitted end (plus infinity).
	NegInf, PosInf bool
	// Inside is set by a leading @: alert inside the range instead of outside.
	Inside bool
	// Text is the range as written, for output and perfdata.
	Text string
}

// ParseRange reads a threshold range: "10" (0..10), "10:" (10..+inf),
// "~:10" (-inf..10), "10:20", "@10:20" (alert inside). A start above the
// end, an empty range, a bare ":" and anything that is not a number are
// errors.
func ParseRange(text string) (Range, error) {
	s := strings.TrimSpace(text)
	r := Range{Text: s}
	if s == "" {
		return r, fmt.Errorf("parsing range %q: empty", text)
	}
	if strings.HasPrefix(s, "@") {
		r.Inside = true
		s = s[1:]
	}
	// The monitoring-plugins ignore a trailing percent sign ("1:12%").
	s = strings.TrimRight(s, "%")
	start, end, hasColon := strings.Cut(s, ":")
	if !hasColon {
		start, end = "", s
	}
	if hasColon && start == "" && end == "" {
		// The C library would read 0..+inf; Monitoring::Plugin refuses it,
		// and so does vakt: it is a typo, not a threshold. ~: is the
		// explicit way to write "everything".
		return r, fmt.Errorf("parsing range %q: neither start nor end", text)
	}
	if strings.Contains(end, ":") {
		return r, fmt.Errorf("parsing range %q: more than one colon", text)
	}
	switch start {
	case "":
		r.Start = 0
	case "~":
		r.NegInf = true
	default:
		v, err := parseNumber(start)
		if err != nil {
			return r, fmt.Errorf("parsing range %q: start: %w", text, err)
		}
		r.Start = v
	}
	switch {
	case end == "" && hasColon:
		r.PosInf = true
	case end == "":
		return r, fmt.Errorf("parsing range %q: no end", text)
	default:
		v, err := parseNumber(end)
		if err != nil {
			return r, fmt.Errorf("parsing range %q: end: %w", text, err)
		}
		r.End = v
	}
	if !r.NegInf && !r.PosInf && r.Start > r.End {
		return r, fmt.Errorf("parsing range %q: start %s is greater than end %s", text, formatNumber(r.Start), formatNumber(r.End))
	}
	return r, nil
}

// MustRange is ParseRange for ranges known to be valid, such as constants in
// tests and plugins; it panics on an invalid range.
func MustRange(text string) Range {
	r, err := ParseRange(text)
	if err != nil {
		panic(err)
	}
	return r
}

// Contains reports whether v lies within start..end, endpoints included,
// ignoring the @ flag.
func (r Range) Contains(v float64) bool {
	return (r.NegInf || v >= r.Start) && (r.PosInf || v <= r.End)
}

// Alert reports whether v should raise an alert: outside the range, or
// inside it (endpoints included) when the range starts with @.
func (r Range) Alert(v float64) bool {
	if math.IsNaN(v) {
		return true
	}
	return r.Contains(v) == r.Inside
}

// String returns the range in Nagios syntax, as written when it was parsed.
func (r Range) String() string {
	if r.Text != "" {
		return r.Text
	}
	var b strings.Builder
	if r.Inside {
		b.WriteByte('@')
	}
	switch {
	case r.NegInf:
		b.WriteString("~:")
	case r.Start != 0 || r.PosInf:
		b.WriteString(formatNumber(r.Start) + ":")
	}
	if !r.PosInf {
		b.WriteString(formatNumber(r.End))
	}
	return b.String()
}

// Evaluate returns the state of a value against optional warning and
// critical ranges: CRITICAL if crit alerts, else WARNING if warn alerts, else
// OK. Critical is evaluated first, as the monitoring-plugins do.
func Evaluate(v float64, warn, crit *Range) State {
	if crit != nil && crit.Alert(v) {
		return Critical
	}
	if warn != nil && warn.Alert(v) {
		return Warning
	}
	return OK
}

// parseNumber reads a perfdata or range number: digits, one optional dot, an
// optional leading minus and an optional exponent. Infinities, NaN, hex and
// a leading plus are refused, since Nagios would not read them either.
func parseNumber(s string) (float64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty number")
	}
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9', c == '.':
		case c == '-' && i == 0:
		case c == 'e' || c == 'E' || ((c == '-' || c == '+') && i > 0 && (s[i-1] == 'e' || s[i-1] == 'E')):
		default:
			return 0, fmt.Errorf("%q is not a number", s)
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return v, nil
}

func formatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
