package timeperiod

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Spec is the plain shape of a time period definition, as an HCL
// `timeperiod "name" { ... }` block decodes to. Parse and NewSet turn it into
// a TimePeriod. All strings are trimmed; day and month names are matched
// without regard to case.
type Spec struct {
	// Name identifies the period; exclusions refer to it.
	Name string `hcl:"name,label"`
	// TimeZone is an IANA zone name such as "Europe/Oslo". Empty means the
	// daemon's local zone (time.Local), as Nagios does.
	TimeZone string `hcl:"time_zone,optional"`
	// Weekdays maps a day ("monday") or a span of days ("monday-friday",
	// "friday-monday" wraps over the weekend) to ranges "HH:MM-HH:MM". One
	// string may hold several ranges separated by commas. A day named by
	// several keys gets the union of their ranges.
	Weekdays map[string][]string `hcl:"weekdays,optional"`
	// Dates maps a calendar date ("2026-12-24") or a yearly date
	// ("december 25") to ranges. On such a date these ranges replace the
	// weekday ranges; an empty list makes the date inactive.
	Dates map[string][]string `hcl:"dates,optional"`
	// Holidays are dates ("2026-12-24", "december 25") on which the period is
	// inactive all day, whatever the other fields say.
	Holidays []string `hcl:"holidays,optional"`
	// Exclude names other periods whose active time is removed from this
	// one (Nagios' exclude). Only a Set resolves them.
	Exclude []string `hcl:"exclude,optional"`
}

// Error is a definition error. It names the period, the field and the value at
// fault, so that a caller can point at the file and line it read them from.
type Error struct {
	Period string // the period's name ("" if the name itself is missing)
	Field  string // "name", "time_zone", "weekdays", "dates", "holidays", "exclude"
	Key    string // the map key for weekdays and dates, else ""
	Value  string // the offending value
	Reason string // what is wrong with it
	Err    error  // underlying error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "timeperiod %q: %s", e.Period, e.Field)
	if e.Key != "" {
		fmt.Fprintf(&b, "[%q]", e.Key)
	}
	fmt.Fprintf(&b, ": %q: %s", e.Value, e.Reason)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNeedsSet is wrapped by the error Parse returns for a Spec with Exclude:
// exclusions name other periods, so only NewSet can resolve them.
var ErrNeedsSet = errors.New("exclusions are resolved by NewSet")

// Parse validates spec and builds its TimePeriod. A spec with Exclude is
// refused with an error wrapping ErrNeedsSet; use NewSet for those. Every
// error is an *Error (possibly several, joined with errors.Join).
func Parse(spec Spec) (*TimePeriod, error) {
	p, err := parse(spec)
	if err != nil {
		return nil, err
	}
	if len(p.excludeNames) > 0 {
		return nil, &Error{Period: p.name, Field: "exclude", Value: strings.Join(p.excludeNames, ","),
			Reason: "refers to other periods", Err: ErrNeedsSet}
	}
	return p, nil
}

// parse builds a TimePeriod with its exclusions unresolved (names only).
func parse(spec Spec) (*TimePeriod, error) {
	name := strings.TrimSpace(spec.Name)
	var errs []error
	fail := func(field, key, value, reason string, err error) {
		errs = append(errs, &Error{Period: name, Field: field, Key: key, Value: value, Reason: reason, Err: err})
	}
	if name == "" {
		fail("name", "", spec.Name, "a time period needs a name", nil)
	}
	p := &TimePeriod{
		name:     name,
		calendar: map[civil][]rng{},
		yearly:   map[monthDay][]rng{},
		holCal:   map[civil]bool{},
		holYear:  map[monthDay]bool{},
	}

	tz := strings.TrimSpace(spec.TimeZone)
	switch tz {
	case "":
		p.loc = time.Local
	default:
		loc, err := time.LoadLocation(tz)
		if err != nil {
			fail("time_zone", "", spec.TimeZone, "unknown time zone (want an IANA name such as \"Europe/Oslo\")", nil)
		} else {
			p.loc = loc
		}
	}

	for _, key := range slices.Sorted(maps.Keys(spec.Weekdays)) {
		days, reason := parseWeekdays(key)
		if reason != "" {
			fail("weekdays", "", key, reason, nil)
			continue
		}
		ranges, ok := parseRanges(key, spec.Weekdays[key], "weekdays", fail)
		if !ok {
			continue
		}
		for _, d := range days {
			p.weekdays[d] = append(p.weekdays[d], ranges...)
		}
	}

	for _, key := range slices.Sorted(maps.Keys(spec.Dates)) {
		c, md, reason := parseDate(key)
		if reason != "" {
			fail("dates", "", key, reason, nil)
			continue
		}
		ranges, ok := parseRanges(key, spec.Dates[key], "dates", fail)
		if !ok {
			continue
		}
		if ranges == nil {
			ranges = []rng{} // present but empty: inactive that date
		}
		if md.month != 0 {
			p.yearly[md] = append(p.yearly[md], ranges...)
		} else {
			p.calendar[c] = append(p.calendar[c], ranges...)
		}
	}

	for _, h := range spec.Holidays {
		c, md, reason := parseDate(h)
		if reason != "" {
			fail("holidays", "", h, reason, nil)
			continue
		}
		if md.month != 0 {
			p.holYear[md] = true
		} else {
			p.holCal[c] = true
		}
	}

	seen := map[string]bool{}
	for _, ex := range spec.Exclude {
		n := strings.TrimSpace(ex)
		switch {
		case n == "":
			fail("exclude", "", ex, "empty period name", nil)
		case n == name:
			fail("exclude", "", ex, "a period cannot exclude itself", nil)
		case seen[n]:
			fail("exclude", "", ex, "named twice", nil)
		default:
			seen[n] = true
			p.excludeNames = append(p.excludeNames, n)
		}
	}

	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

var dayNames = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// parseWeekdays reads "monday" or "monday-friday" (wrapping allowed).
func parseWeekdays(key string) ([]time.Weekday, string) {
	k := strings.ToLower(strings.TrimSpace(key))
	from, to, isSpan := strings.Cut(k, "-")
	first, ok := dayNames[strings.TrimSpace(from)]
	if !ok {
		return nil, "unknown weekday (want monday..sunday or a span such as \"monday-friday\")"
	}
	if !isSpan {
		return []time.Weekday{first}, ""
	}
	last, ok := dayNames[strings.TrimSpace(to)]
	if !ok {
		return nil, "unknown weekday (want monday..sunday or a span such as \"monday-friday\")"
	}
	var days []time.Weekday
	for d := first; ; d = (d + 1) % 7 {
		days = append(days, d)
		if d == last {
			break
		}
	}
	return days, ""
}

var monthNames = map[string]time.Month{
	"january": time.January, "february": time.February, "march": time.March, "april": time.April,
	"may": time.May, "june": time.June, "july": time.July, "august": time.August,
	"september": time.September, "october": time.October, "november": time.November, "december": time.December,
}

const dateWant = `want "YYYY-MM-DD" or a yearly date such as "december 25"`

// parseDate reads "2026-12-24" (calendar) or "december 25" (yearly; md.month
// != 0).
func parseDate(s string) (civil, monthDay, string) {
	k := strings.ToLower(strings.TrimSpace(s))
	if k != "" && k[0] >= '0' && k[0] <= '9' {
		t, err := time.Parse("2006-01-02", k)
		if err != nil {
			return civil{}, monthDay{}, "not a valid date (" + dateWant + ")"
		}
		return civil{t.Year(), t.Month(), t.Day()}, monthDay{}, ""
	}
	f := strings.Fields(k)
	if len(f) != 2 {
		return civil{}, monthDay{}, "not a date (" + dateWant + ")"
	}
	m, ok := monthNames[f[0]]
	if !ok {
		return civil{}, monthDay{}, "unknown month (" + dateWant + ")"
	}
	d, err := strconv.Atoi(f[1])
	// 2000 is a leap year, so february 29 is allowed; it matches in leap years only.
	if err != nil || d < 1 || d > daysIn(m, 2000) {
		return civil{}, monthDay{}, fmt.Sprintf("no day %s in %s", f[1], m)
	}
	return civil{}, monthDay{m, d}, ""
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseRanges reads every string of a weekday or date entry; each may hold
// several comma-separated ranges.
func parseRanges(key string, vals []string, field string, fail func(field, key, value, reason string, err error)) ([]rng, bool) {
	var out []rng
	ok := true
	for _, v := range vals {
		for _, part := range strings.Split(v, ",") {
			r, reason := parseRange(strings.TrimSpace(part))
			if reason != "" {
				fail(field, key, strings.TrimSpace(part), reason, nil)
				ok = false
				continue
			}
			out = append(out, r)
		}
	}
	return out, ok
}

// parseRange reads "HH:MM-HH:MM". An end before the start crosses midnight.
func parseRange(s string) (rng, string) {
	if s == "" {
		return rng{}, `empty range (want "HH:MM-HH:MM")`
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok || strings.Contains(b, "-") {
		return rng{}, `not a range (want "HH:MM-HH:MM")`
	}
	start, reason := parseClock(strings.TrimSpace(a))
	if reason != "" {
		return rng{}, "start " + reason
	}
	end, reason := parseClock(strings.TrimSpace(b))
	if reason != "" {
		return rng{}, "end " + reason
	}
	if start == minutesPerDay {
		return rng{}, "start 24:00 is the end of a day (use 00:00)"
	}
	if start == end {
		return rng{}, "start equals end, the range is empty (a whole day is 00:00-24:00; an inactive date is an empty list)"
	}
	return rng{start: start, end: end}, ""
}

// parseClock reads "H:MM" or "HH:MM", 00:00 to 24:00, into minutes.
func parseClock(s string) (int, string) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 || !digits(h) || !digits(m) {
		return 0, fmt.Sprintf("%q is not a time (want HH:MM)", s)
	}
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	switch {
	case hh > 24:
		return 0, fmt.Sprintf("%q: hour %d is out of range 00..24", s, hh)
	case mm > 59:
		return 0, fmt.Sprintf("%q: minute %d is out of range 00..59", s, mm)
	case hh == 24 && mm != 0:
		return 0, fmt.Sprintf("%q: after 24:00", s)
	}
	return hh*60 + mm, ""
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
