package disk

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/vakt/vakt/core/check"
)

// byteUnits are the size suffixes a byte range accepts, lower-cased. As in
// check_disk and Nagios perfdata, KB, MB, ... count in powers of 1024; the
// KiB spellings mean the same.
var byteUnits = map[string]float64{
	"": 1, "b": 1,
	"k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
	"m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
	"g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
	"t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40,
	"p": 1 << 50, "pb": 1 << 50, "pib": 1 << 50,
}

// parseByteRange reads a Nagios range whose numbers may carry a size unit,
// such as "10GB:" (alert below 10 GiB) or "@0:512MiB", and returns it in
// bytes: the Range's Text is the range written in plain bytes
// ("10737418240:"), so that it can go into perfdata of unit B.
func parseByteRange(text string) (check.Range, error) {
	s := strings.TrimSpace(text)
	prefix := ""
	if strings.HasPrefix(s, "@") {
		prefix, s = "@", s[1:]
	}
	start, end, hasColon := strings.Cut(s, ":")
	if !hasColon {
		start, end = "", s
	}
	if strings.Contains(end, ":") {
		return check.Range{}, fmt.Errorf("parsing range %q: more than one colon", text)
	}
	var err error
	if start != "" && start != "~" {
		if start, err = bytesText(start); err != nil {
			return check.Range{}, fmt.Errorf("parsing range %q: start: %w", text, err)
		}
	}
	if end != "" {
		if end, err = bytesText(end); err != nil {
			return check.Range{}, fmt.Errorf("parsing range %q: end: %w", text, err)
		}
	}
	plain := prefix + end
	if hasColon {
		plain = prefix + start + ":" + end
	}
	r, err := check.ParseRange(plain)
	if err != nil {
		return check.Range{}, fmt.Errorf("parsing range %q: %w", text, err)
	}
	return r, nil
}

// bytesText converts one size such as "10GB" or "1.5 TiB" to its number of
// bytes, written as a plain decimal number.
func bytesText(size string) (string, error) {
	s := strings.TrimSpace(size)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	number, unit := s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	if number == "" {
		return "", fmt.Errorf("%q is not a size: want a number with an optional unit (B, KB, MB, GB, TB, PB)", size)
	}
	v, err := strconv.ParseFloat(number, 64)
	if err != nil {
		return "", fmt.Errorf("%q is not a size: %q is not a number", size, number)
	}
	factor, ok := byteUnits[unit]
	if !ok {
		return "", fmt.Errorf("%q has unknown unit %q: want B, KB, MB, GB, TB or PB (powers of 1024)", size, s[i:])
	}
	bytes := math.Round(v * factor)
	if math.IsInf(bytes, 0) || bytes > 1<<62 {
		return "", fmt.Errorf("%q is too large", size)
	}
	return strconv.FormatFloat(bytes, 'f', -1, 64), nil
}

// formatBytes writes a byte count for people: 1024-based, one decimal.
func formatBytes(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for math.Abs(b) >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatFloat(b, 'f', 0, 64) + " B"
	}
	return strconv.FormatFloat(b, 'f', 1, 64) + " " + units[i]
}
