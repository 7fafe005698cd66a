package check

import (
	"fmt"
	"strings"
	"unicode"
)

// Perf is one performance data item:
// 'label'=value[UOM];[warn];[crit];[min];[max].
type Perf struct {
	Label string
	// Value is the measured value; meaningless when Undetermined is set.
	Value float64
	// Undetermined is set when the plugin wrote U: it could not measure.
	Undetermined bool
	UOM          string
	Warn, Crit   *Range   // nil when the field was empty or absent
	Min, Max     *float64 // nil when the field was empty, absent or U
}

// perfSpace separates perfdata items; a label that holds one of these must
// be quoted.
const perfSpace = " \t\r\n"

// ParsePerfdata reads space-separated perfdata items. An item that does not
// parse is left out and described in a note; it never loses the others.
func ParsePerfdata(text string) ([]Perf, []string) {
	var items []Perf
	var notes []string
	rest := text
	for {
		rest = strings.TrimLeft(rest, perfSpace)
		if rest == "" {
			return items, notes
		}
		token, label, fields, next, err := nextPerfItem(rest)
		rest = next
		if err != nil {
			notes = append(notes, fmt.Sprintf("perfdata %q skipped: %v", token, err))
			continue
		}
		item, err := parsePerfFields(label, fields)
		if err != nil {
			notes = append(notes, fmt.Sprintf("perfdata %q skipped: %v", token, err))
			continue
		}
		items = append(items, item)
	}
}

// nextPerfItem takes one item off the front of s, returning the item as
// written, its label, the text after the =, and what follows it.
//
// A label is quoted with ' (the plugin guidelines) or " (some SNMP
// plugins); inside it, a doubled quote is a literal quote, and the quote
// that is followed by = ends it. A quote followed by anything but =, the
// same quote, a separator or the end is a quote the plugin forgot to
// double, so 'it's up'=5 is the label "it's up". A quote inside an
// unquoted label is refused: such a label is the tail of a broken quoted
// one (up" from "it's up"), never a series of its own.
func nextPerfItem(s string) (token, label, fields, rest string, err error) {
	if q := s[0]; q == '\'' || q == '"' {
		var b strings.Builder
		i := 1
		closed := false
		for !closed {
			j := strings.IndexByte(s[i:], q)
			if j < 0 {
				end := strings.IndexAny(s, perfSpace)
				if end < 0 {
					end = len(s)
				}
				return s[:end], "", "", s[end:], fmt.Errorf("label has no closing quote")
			}
			b.WriteString(s[i : i+j])
			i += j + 1
			switch {
			case i < len(s) && s[i] == q: // a doubled quote is a literal quote
				b.WriteByte(q)
				i++
			case i == len(s) || s[i] == '=' || strings.IndexByte(perfSpace, s[i]) >= 0:
				closed = true
			default: // a quote the plugin did not double
				b.WriteByte(q)
			}
		}
		label = b.String()
		end := strings.IndexAny(s[i:], perfSpace)
		if end < 0 {
			end = len(s) - i
		}
		token, rest = s[:i+end], s[i+end:]
		after := s[i : i+end]
		if !strings.HasPrefix(after, "=") {
			return token, "", "", rest, fmt.Errorf("no = after the label")
		}
		fields = after[1:]
	} else {
		end := strings.IndexAny(s, perfSpace)
		if end < 0 {
			end = len(s)
		}
		token, rest = s[:end], s[end:]
		var found bool
		label, fields, found = strings.Cut(token, "=")
		if !found {
			return token, "", "", rest, fmt.Errorf("no = in item")
		}
		if strings.ContainsAny(label, `'"`) {
			return token, "", "", rest, fmt.Errorf("quote inside an unquoted label")
		}
	}
	if label == "" {
		return token, "", "", rest, fmt.Errorf("empty label")
	}
	return token, label, fields, rest, nil
}

// parsePerfFields reads value[UOM];warn;crit;min;max. U, in any field,
// means the plugin could not tell: no value, no threshold, no bound.
func parsePerfFields(label, fields string) (Perf, error) {
	p := Perf{Label: label}
	parts := strings.Split(fields, ";")
	if len(parts) > 5 {
		return p, fmt.Errorf("%d fields after the =, want at most 5 (value;warn;crit;min;max)", len(parts))
	}
	value := parts[0]
	if value == "" {
		return p, fmt.Errorf("no value")
	}
	if value == "U" {
		p.Undetermined = true
	} else {
		if hasDecimalComma(value) {
			return p, fmt.Errorf("value %q has a decimal comma; perfdata numbers take a decimal point", value)
		}
		n := numberPrefix(value)
		if n == 0 {
			return p, fmt.Errorf("value %q is not a number", value)
		}
		v, err := parseNumber(value[:n])
		if err != nil {
			return p, fmt.Errorf("value: %w", err)
		}
		p.Value, p.UOM = v, value[n:]
		if err := checkUnit(p.UOM); err != nil {
			return p, err
		}
	}
	names := [4]string{"warning threshold", "critical threshold", "min", "max"}
	for i, f := range parts[1:] {
		if f == "" || f == "U" {
			continue
		}
		if hasDecimalComma(f) {
			return p, fmt.Errorf("%s %q has a decimal comma; perfdata numbers take a decimal point", names[i], f)
		}
		switch i {
		case 0, 1:
			r, err := ParseRange(f)
			if err != nil {
				return p, fmt.Errorf("%s: %w", names[i], err)
			}
			if i == 0 {
				p.Warn = &r
			} else {
				p.Crit = &r
			}
		case 2, 3:
			v, err := parseNumber(f)
			if err != nil {
				return p, fmt.Errorf("%s: %w", names[i], err)
			}
			if i == 2 {
				p.Min = &v
			} else {
				p.Max = &v
			}
		}
	}
	return p, nil
}

// MaxUnitLen is the longest unit, in bytes, that perfdata may have; the
// store keeps units up to this length.
const MaxUnitLen = 32

// checkUnit accepts any unit a plugin prints (the guidelines' s, ms, us, %,
// B, KB, MB, TB, c, and others such as degC, mV, °C, pps, B/s, KiB): a
// letter, % or ° followed by letters, digits, %, °, / and _, at most
// MaxUnitLen bytes. Anything else after the number (-3, ,5, +1, (x)) is not
// a unit but a broken value.
func checkUnit(u string) error {
	if len(u) > MaxUnitLen {
		return fmt.Errorf("unit %q is longer than %d bytes", u, MaxUnitLen)
	}
	for i, c := range u {
		ok := unicode.IsLetter(c) || c == '%' || c == '°'
		if i > 0 {
			ok = ok || unicode.IsNumber(c) || c == '/' || c == '_'
		}
		if !ok {
			return fmt.Errorf("unit %q is not a unit: a unit is letters, digits, %%, °, / and _, starting with a letter, %% or °", u)
		}
	}
	return nil
}

// hasDecimalComma reports whether s holds a comma between two digits, as a
// plugin translated to a language that writes 0,5 prints numbers.
func hasDecimalComma(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		if s[i] == ',' && isDigit(s[i-1]) && isDigit(s[i+1]) {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// numberPrefix returns the length of the leading number characters of s.
func numberPrefix(s string) int {
	for i, c := range s {
		isExp := (c == 'e' || c == 'E') && i > 0 && i+1 < len(s) && (s[i+1] >= '0' && s[i+1] <= '9' || s[i+1] == '-' || s[i+1] == '+')
		isExpSign := (c == '-' || c == '+') && i > 0 && (s[i-1] == 'e' || s[i-1] == 'E')
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' && i == 0 || isExp || isExpSign) {
			return i
		}
	}
	return len(s)
}

// String writes the item back in Nagios syntax, quoting the label when it
// needs it and dropping empty trailing fields.
func (p Perf) String() string {
	var b strings.Builder
	if strings.ContainsAny(p.Label, perfSpace+`='"`) {
		b.WriteString("'" + strings.ReplaceAll(p.Label, "'", "''") + "'")
	} else {
		b.WriteString(p.Label)
	}
	b.WriteByte('=')
	if p.Undetermined {
		b.WriteByte('U')
	} else {
		b.WriteString(formatNumber(p.Value) + p.UOM)
	}
	fields := make([]string, 4)
	if p.Warn != nil {
		fields[0] = p.Warn.String()
	}
	if p.Crit != nil {
		fields[1] = p.Crit.String()
	}
	if p.Min != nil {
		fields[2] = formatNumber(*p.Min)
	}
	if p.Max != nil {
		fields[3] = formatNumber(*p.Max)
	}
	n := len(fields)
	for n > 0 && fields[n-1] == "" {
		n--
	}
	for _, f := range fields[:n] {
		b.WriteString(";" + f)
	}
	return b.String()
}

// FormatPerfdata writes items back as one perfdata string.
func FormatPerfdata(items []Perf) string {
	parts := make([]string, len(items))
	for i, p := range items {
		parts[i] = p.String()
	}
	return strings.Join(parts, " ")
}
