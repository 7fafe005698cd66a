package timeperiod

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func mustParse(t testing.TB, spec Spec) *TimePeriod {
	t.Helper()
	p, err := Parse(spec)
	if err != nil {
		t.Fatalf("Parse(%+v): %v", spec, err)
	}
	return p
}

func mustSet(t testing.TB, specs ...Spec) *Set {
	t.Helper()
	s, err := NewSet(specs...)
	if err != nil {
		t.Fatalf("NewSet: %v", err)
	}
	return s
}

// at is a wall-clock time in loc; utc is an instant given in UTC.
func at(loc *time.Location, y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, loc)
}

func utc(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
}

func office(zone string) Spec {
	return Spec{
		Name:     "office-" + zone,
		TimeZone: zone,
		Weekdays: map[string][]string{"monday-friday": {"08:00-17:00"}},
	}
}

type inCase struct {
	name string
	t    time.Time
	want bool
}

func checkIn(t *testing.T, p *TimePeriod, cases []inCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := p.In(c.t); got != c.want {
				t.Errorf("In(%s) = %v, want %v", c.t.In(p.Location()).Format(time.RFC3339), got, c.want)
			}
		})
	}
}

func TestOfficeHours(t *testing.T) {
	oslo := mustLoc(t, "Europe/Oslo")
	ny := mustLoc(t, "America/New_York")
	t.Run("Europe/Oslo", func(t *testing.T) {
		p := mustParse(t, office("Europe/Oslo"))
		checkIn(t, p, []inCase{
			{"monday 07:59:59", at(oslo, 2026, 12, 7, 7, 59, 59), false},
			{"monday 08:00", at(oslo, 2026, 12, 7, 8, 0, 0), true},
			{"monday 08:00 as UTC 07:00", utc(2026, 12, 7, 7, 0, 0), true},
			{"monday 06:59:59 UTC", utc(2026, 12, 7, 6, 59, 59), false},
			{"friday 16:59:59.999", at(oslo, 2026, 12, 11, 16, 59, 59).Add(999 * time.Millisecond), true},
			{"friday 17:00", at(oslo, 2026, 12, 11, 17, 0, 0), false},
			{"saturday 12:00", at(oslo, 2026, 12, 12, 12, 0, 0), false},
			{"sunday 12:00", at(oslo, 2026, 12, 13, 12, 0, 0), false},
			{"summer wednesday 08:00 CEST = 06:00 UTC", utc(2026, 7, 1, 6, 0, 0), true},
			{"summer wednesday 05:59 UTC", utc(2026, 7, 1, 5, 59, 0), false},
		})
	})
	t.Run("America/New_York", func(t *testing.T) {
		p := mustParse(t, office("America/New_York"))
		checkIn(t, p, []inCase{
			{"monday 08:00 EST = 13:00 UTC", utc(2026, 12, 7, 13, 0, 0), true},
			{"monday 12:59 UTC", utc(2026, 12, 7, 12, 59, 0), false},
			{"monday 16:59 EST", at(ny, 2026, 12, 7, 16, 59, 0), true},
			{"friday 17:00 EST = saturday? no, 22:00 UTC friday", utc(2026, 12, 11, 22, 0, 0), false},
			{"friday 21:59 UTC", utc(2026, 12, 11, 21, 59, 0), true},
			{"saturday 10:00", at(ny, 2026, 12, 12, 10, 0, 0), false},
			// Oslo monday 08:00 is New York monday 02:00: not yet.
			{"oslo monday 08:00", at(oslo, 2026, 12, 7, 8, 0, 0), false},
		})
	})
}

func TestHolidaysAndDates(t *testing.T) {
	oslo := mustLoc(t, "Europe/Oslo")
	p := mustParse(t, Spec{
		Name:     "office",
		TimeZone: "Europe/Oslo",
		Weekdays: map[string][]string{"monday-friday": {"08:00-11:30, 12:00-17:00"}},
		Dates: map[string][]string{
			"2026-12-23":  {"08:00-12:00"}, // short day
			"december 31": {},              // yearly: closed
			"2026-12-12":  {"10:00-14:00"}, // a saturday opened
		},
		Holidays: []string{"2026-12-24", "December 25", "may 17"},
	})
	checkIn(t, p, []inCase{
		{"lunch 11:45", at(oslo, 2026, 12, 7, 11, 45, 0), false},
		{"after lunch 12:00", at(oslo, 2026, 12, 7, 12, 0, 0), true},
		{"short day 11:59", at(oslo, 2026, 12, 23, 11, 59, 0), true},
		{"short day 12:00", at(oslo, 2026, 12, 23, 12, 0, 0), false},
		{"short day 13:00 (weekday range replaced)", at(oslo, 2026, 12, 23, 13, 0, 0), false},
		{"calendar holiday thursday 2026-12-24", at(oslo, 2026, 12, 24, 10, 0, 0), false},
		{"same date next year is a normal friday", at(oslo, 2027, 12, 24, 10, 0, 0), true},
		{"yearly holiday friday 2026-12-25", at(oslo, 2026, 12, 25, 10, 0, 0), false},
		{"yearly holiday monday 2028-12-25", at(oslo, 2028, 12, 25, 10, 0, 0), false},
		{"yearly closed date 2026-12-31", at(oslo, 2026, 12, 31, 10, 0, 0), false},
		{"2027-01-01 is a friday, open", at(oslo, 2027, 1, 1, 10, 0, 0), true},
		{"saturday opened by date", at(oslo, 2026, 12, 12, 13, 0, 0), true},
		{"saturday opened by date, after", at(oslo, 2026, 12, 12, 14, 0, 0), false},
		{"constitution day 2027 (monday)", at(oslo, 2027, 5, 17, 10, 0, 0), false},
	})
}

func TestMidnightCrossing(t *testing.T) {
	oslo := mustLoc(t, "Europe/Oslo")
	p := mustParse(t, Spec{
		Name:     "nights",
		TimeZone: "Europe/Oslo",
		Weekdays: map[string][]string{
			"friday":    {"22:00-06:00"},
			"wednesday": {"23:00-00:00"}, // ends at midnight exactly
		},
		Dates:    map[string][]string{"2026-12-19": {"09:00-10:00"}}, // the saturday after
		Holidays: []string{"2026-12-26"},                             // the saturday a week later
	})
	checkIn(t, p, []inCase{
		{"friday 21:59", at(oslo, 2026, 12, 11, 21, 59, 0), false},
		{"friday 22:00", at(oslo, 2026, 12, 11, 22, 0, 0), true},
		{"friday 23:59:59", at(oslo, 2026, 12, 11, 23, 59, 59), true},
		{"saturday 00:00", at(oslo, 2026, 12, 12, 0, 0, 0), true},
		{"saturday 05:59:59", at(oslo, 2026, 12, 12, 5, 59, 59), true},
		{"saturday 06:00", at(oslo, 2026, 12, 12, 6, 0, 0), false},
		{"saturday 22:00", at(oslo, 2026, 12, 12, 22, 0, 0), false},
		{"thursday 23:00", at(oslo, 2026, 12, 10, 23, 0, 0), false},
		{"wednesday 23:30", at(oslo, 2026, 12, 9, 23, 30, 0), true},
		{"thursday 00:00 after wednesday's range", at(oslo, 2026, 12, 10, 0, 0, 0), false},
		{"spill into a date with its own entry runs on", at(oslo, 2026, 12, 19, 3, 0, 0), true},
		{"that date's own range", at(oslo, 2026, 12, 19, 9, 30, 0), true},
		{"that date's gap", at(oslo, 2026, 12, 19, 7, 0, 0), false},
		{"friday before a holiday 23:00", at(oslo, 2026, 12, 25, 23, 0, 0), true},
		{"spill into a holiday is cut", at(oslo, 2026, 12, 26, 1, 0, 0), false},
	})
	end, ok := p.NextEnd(at(oslo, 2026, 12, 11, 23, 0, 0))
	if want := at(oslo, 2026, 12, 12, 6, 0, 0); !ok || !end.Equal(want) {
		t.Errorf("NextEnd across midnight = %v, %v; want %v", end, ok, want)
	}
	end, ok = p.NextEnd(at(oslo, 2026, 12, 25, 22, 0, 0))
	if want := at(oslo, 2026, 12, 26, 0, 0, 0); !ok || !end.Equal(want) {
		t.Errorf("NextEnd into a holiday = %v, %v; want %v", end, ok, want)
	}
}

// TestDST pins what ranges mean on the days clocks change in 2026:
// Europe/Oslo springs forward 2026-03-29 01:00 UTC (02:00 CET -> 03:00 CEST)
// and falls back 2026-10-25 01:00 UTC (03:00 CEST -> 02:00 CET);
// America/New_York springs forward 2026-03-08 07:00 UTC (02:00 EST -> 03:00
// EDT) and falls back 2026-11-01 06:00 UTC (02:00 EDT -> 01:00 EST).
func TestDST(t *testing.T) {
	sunday := func(zone, r string) *TimePeriod {
		return mustParse(t, Spec{Name: "n", TimeZone: zone, Weekdays: map[string][]string{"sunday": {r}}})
	}
	type step struct {
		name string
		t    time.Time
		in   bool
		next time.Time // Next(t)
		end  time.Time // NextEnd(t)
	}
	cases := []struct {
		name  string
		p     *TimePeriod
		steps []step
	}{
		{"Oslo spring forward 01:30-03:00", sunday("Europe/Oslo", "01:30-03:00"), []step{
			{"01:29:59 CET", utc(2026, 3, 29, 0, 29, 59), false, utc(2026, 3, 29, 0, 30, 0), utc(2026, 3, 29, 1, 0, 0)},
			{"01:30 CET", utc(2026, 3, 29, 0, 30, 0), true, utc(2026, 3, 29, 0, 30, 0), utc(2026, 3, 29, 1, 0, 0)},
			{"01:59:59 CET", utc(2026, 3, 29, 0, 59, 59), true, utc(2026, 3, 29, 0, 59, 59), utc(2026, 3, 29, 1, 0, 0)},
			{"03:00 CEST, the change", utc(2026, 3, 29, 1, 0, 0), false, utc(2026, 4, 4, 23, 30, 0), utc(2026, 4, 5, 1, 0, 0)},
		}},
		{"Oslo spring forward, range in the skipped hour", sunday("Europe/Oslo", "02:00-02:30"), []step{
			{"midnight", utc(2026, 3, 28, 23, 0, 0), false, utc(2026, 4, 5, 0, 0, 0), utc(2026, 4, 5, 0, 30, 0)},
		}},
		{"Oslo spring forward, range starting in the skipped hour", sunday("Europe/Oslo", "02:30-04:00"), []step{
			{"midnight", utc(2026, 3, 28, 23, 0, 0), false, utc(2026, 3, 29, 1, 0, 0), utc(2026, 3, 29, 2, 0, 0)},
			{"03:00 CEST", utc(2026, 3, 29, 1, 0, 0), true, utc(2026, 3, 29, 1, 0, 0), utc(2026, 3, 29, 2, 0, 0)},
		}},
		{"Oslo fall back 01:30-03:00", sunday("Europe/Oslo", "01:30-03:00"), []step{
			{"01:30 CEST", utc(2026, 10, 24, 23, 30, 0), true, utc(2026, 10, 24, 23, 30, 0), utc(2026, 10, 25, 2, 0, 0)},
			{"02:30 CEST", utc(2026, 10, 25, 0, 30, 0), true, utc(2026, 10, 25, 0, 30, 0), utc(2026, 10, 25, 2, 0, 0)},
			{"02:30 CET, the second time", utc(2026, 10, 25, 1, 30, 0), true, utc(2026, 10, 25, 1, 30, 0), utc(2026, 10, 25, 2, 0, 0)},
			{"03:00 CET", utc(2026, 10, 25, 2, 0, 0), false, utc(2026, 11, 1, 0, 30, 0), utc(2026, 11, 1, 2, 0, 0)},
		}},
		{"Oslo fall back, range in the repeated hour", sunday("Europe/Oslo", "02:15-02:45"), []step{
			{"02:15 CEST", utc(2026, 10, 25, 0, 15, 0), true, utc(2026, 10, 25, 0, 15, 0), utc(2026, 10, 25, 0, 45, 0)},
			{"02:45 CEST", utc(2026, 10, 25, 0, 45, 0), false, utc(2026, 10, 25, 1, 15, 0), utc(2026, 10, 25, 1, 45, 0)},
			{"02:15 CET", utc(2026, 10, 25, 1, 15, 0), true, utc(2026, 10, 25, 1, 15, 0), utc(2026, 10, 25, 1, 45, 0)},
			{"02:45 CET", utc(2026, 10, 25, 1, 45, 0), false, utc(2026, 11, 1, 1, 15, 0), utc(2026, 11, 1, 1, 45, 0)},
		}},
		{"New York spring forward 01:30-03:00", sunday("America/New_York", "01:30-03:00"), []step{
			{"01:29 EST", utc(2026, 3, 8, 6, 29, 0), false, utc(2026, 3, 8, 6, 30, 0), utc(2026, 3, 8, 7, 0, 0)},
			{"01:30 EST", utc(2026, 3, 8, 6, 30, 0), true, utc(2026, 3, 8, 6, 30, 0), utc(2026, 3, 8, 7, 0, 0)},
			{"03:00 EDT, the change", utc(2026, 3, 8, 7, 0, 0), false, utc(2026, 3, 15, 5, 30, 0), utc(2026, 3, 15, 7, 0, 0)},
		}},
		{"New York spring forward, range starting in the skipped hour", sunday("America/New_York", "02:30-04:00"), []step{
			{"midnight", utc(2026, 3, 8, 5, 0, 0), false, utc(2026, 3, 8, 7, 0, 0), utc(2026, 3, 8, 8, 0, 0)},
		}},
		{"New York fall back 01:30-03:00", sunday("America/New_York", "01:30-03:00"), []step{
			// 02:00 EDT becomes 01:00 EST: the clock reads 01:00-01:30 again,
			// which is outside the range, so it pauses for half an hour.
			{"01:30 EDT", utc(2026, 11, 1, 5, 30, 0), true, utc(2026, 11, 1, 5, 30, 0), utc(2026, 11, 1, 6, 0, 0)},
			{"01:10 EST, the clock went back", utc(2026, 11, 1, 6, 10, 0), false, utc(2026, 11, 1, 6, 30, 0), utc(2026, 11, 1, 8, 0, 0)},
			{"01:30 EST, the second time", utc(2026, 11, 1, 6, 30, 0), true, utc(2026, 11, 1, 6, 30, 0), utc(2026, 11, 1, 8, 0, 0)},
			{"02:00 EST", utc(2026, 11, 1, 7, 0, 0), true, utc(2026, 11, 1, 7, 0, 0), utc(2026, 11, 1, 8, 0, 0)},
			{"03:00 EST", utc(2026, 11, 1, 8, 0, 0), false, utc(2026, 11, 8, 6, 30, 0), utc(2026, 11, 8, 8, 0, 0)},
		}},
		{"New York fall back, range in the repeated hour", sunday("America/New_York", "01:15-01:45"), []step{
			{"01:20 EDT", utc(2026, 11, 1, 5, 20, 0), true, utc(2026, 11, 1, 5, 20, 0), utc(2026, 11, 1, 5, 45, 0)},
			{"01:50 EDT", utc(2026, 11, 1, 5, 50, 0), false, utc(2026, 11, 1, 6, 15, 0), utc(2026, 11, 1, 6, 45, 0)},
			{"01:20 EST", utc(2026, 11, 1, 6, 20, 0), true, utc(2026, 11, 1, 6, 20, 0), utc(2026, 11, 1, 6, 45, 0)},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, s := range c.steps {
				t.Run(s.name, func(t *testing.T) {
					if got := c.p.In(s.t); got != s.in {
						t.Errorf("In = %v, want %v", got, s.in)
					}
					if got, ok := c.p.Next(s.t); !ok || !got.Equal(s.next) {
						t.Errorf("Next = %v (%v), %v; want %v", got.UTC(), got, ok, s.next)
					}
					if got, ok := c.p.NextEnd(s.t); !ok || !got.Equal(s.end) {
						t.Errorf("NextEnd = %v (%v), %v; want %v", got.UTC(), got, ok, s.end)
					}
				})
			}
		})
	}
}

func TestNextAndNextEnd(t *testing.T) {
	oslo := mustLoc(t, "Europe/Oslo")
	set := mustSet(t,
		Spec{
			Name:     "office",
			TimeZone: "Europe/Oslo",
			Weekdays: map[string][]string{"monday-friday": {"08:00-17:00"}},
			Exclude:  []string{"christmas", "us-standup"},
		},
		Spec{
			Name:     "christmas",
			TimeZone: "Europe/Oslo",
			Dates: map[string][]string{
				"december 24": {"00:00-24:00"}, "december 25": {"00:00-24:00"}, "december 26": {"00:00-24:00"},
			},
		},
		// 03:00-04:00 in New York is 09:00-10:00 in Oslo in December.
		Spec{
			Name:     "us-standup",
			TimeZone: "America/New_York",
			Weekdays: map[string][]string{"monday-friday": {"03:00-04:00"}},
		},
		Spec{Name: "always", TimeZone: "UTC", Weekdays: map[string][]string{"monday-sunday": {"00:00-24:00"}}},
		Spec{Name: "never", TimeZone: "UTC"},
		Spec{Name: "far", TimeZone: "UTC", Dates: map[string][]string{"2034-06-01": {"10:00-11:00"}}},
	)
	p, _ := set.Get("office")
	cases := []struct {
		name      string
		p         string
		t         time.Time
		next, end time.Time
		nextOK    bool
		endOK     bool
	}{
		{"inside: Next is t", "office", at(oslo, 2026, 12, 8, 10, 30, 0),
			at(oslo, 2026, 12, 8, 10, 30, 0), at(oslo, 2026, 12, 8, 17, 0, 0), true, true},
		{"friday evening to monday", "office", at(oslo, 2026, 12, 11, 17, 30, 0),
			at(oslo, 2026, 12, 14, 8, 0, 0), at(oslo, 2026, 12, 14, 9, 0, 0), true, true},
		{"saturday to monday", "office", at(oslo, 2026, 12, 12, 12, 0, 0),
			at(oslo, 2026, 12, 14, 8, 0, 0), at(oslo, 2026, 12, 14, 9, 0, 0), true, true},
		{"cut by an exclusion in another zone", "office", at(oslo, 2026, 12, 14, 9, 30, 0),
			at(oslo, 2026, 12, 14, 10, 0, 0), at(oslo, 2026, 12, 14, 17, 0, 0), true, true},
		{"across christmas", "office", at(oslo, 2026, 12, 23, 17, 0, 0),
			at(oslo, 2026, 12, 28, 8, 0, 0), at(oslo, 2026, 12, 28, 9, 0, 0), true, true},
		{"always: never ends", "always", utc(2026, 12, 8, 0, 0, 0),
			utc(2026, 12, 8, 0, 0, 0), time.Time{}, true, false},
		{"never: never starts", "never", utc(2026, 12, 8, 0, 0, 0),
			time.Time{}, time.Time{}, false, false},
		{"far: 7.5 years ahead", "far", utc(2026, 12, 8, 0, 0, 0),
			utc(2034, 6, 1, 10, 0, 0), utc(2034, 6, 1, 11, 0, 0), true, true},
		{"far: past it", "far", utc(2034, 6, 1, 11, 0, 0),
			time.Time{}, time.Time{}, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, ok := set.Get(c.p)
			if !ok {
				t.Fatalf("no period %q", c.p)
			}
			next, ok := q.Next(c.t)
			if ok != c.nextOK || !next.Equal(c.next) {
				t.Errorf("Next = %v, %v; want %v, %v", next, ok, c.next, c.nextOK)
			}
			end, ok := q.NextEnd(c.t)
			if ok != c.endOK || !end.Equal(c.end) {
				t.Errorf("NextEnd = %v, %v; want %v, %v", end, ok, c.end, c.endOK)
			}
		})
	}
	t.Run("returned instants are in the period's zone", func(t *testing.T) {
		next, _ := p.Next(utc(2026, 12, 12, 12, 0, 0))
		if got := next.Format("2006-01-02 15:04 MST"); got != "2026-12-14 08:00 CET" {
			t.Errorf("Next = %s", got)
		}
	})
	checkIn(t, p, []inCase{
		{"standup excluded 09:00 Oslo", at(oslo, 2026, 12, 14, 9, 0, 0), false},
		{"08:59", at(oslo, 2026, 12, 14, 8, 59, 0), true},
		{"christmas eve", at(oslo, 2026, 12, 24, 12, 0, 0), false},
	})
}

func TestNestedExclusion(t *testing.T) {
	// a excludes b, b excludes c: c's time is not removed from b, so a is
	// active during c (Nagios evaluates exclusions recursively).
	set := mustSet(t,
		Spec{Name: "a", TimeZone: "UTC", Weekdays: map[string][]string{"monday": {"08:00-18:00"}}, Exclude: []string{"b"}},
		Spec{Name: "b", TimeZone: "UTC", Weekdays: map[string][]string{"monday": {"10:00-16:00"}}, Exclude: []string{"c"}},
		Spec{Name: "c", TimeZone: "UTC", Weekdays: map[string][]string{"monday": {"12:00-13:00"}}},
	)
	a, _ := set.Get("a")
	checkIn(t, a, []inCase{
		{"09:00", utc(2026, 12, 7, 9, 0, 0), true},
		{"10:00 excluded by b", utc(2026, 12, 7, 10, 0, 0), false},
		{"12:30 b excludes c, so a is on", utc(2026, 12, 7, 12, 30, 0), true},
		{"13:00 b again", utc(2026, 12, 7, 13, 0, 0), false},
		{"16:00", utc(2026, 12, 7, 16, 0, 0), true},
	})
	if got := strings.Join(set.Names(), ","); got != "a,b,c" {
		t.Errorf("Names = %s", got)
	}
	if got := strings.Join(a.Exclusions(), ","); got != "b" {
		t.Errorf("Exclusions = %s", got)
	}
}

func TestParseErrors(t *testing.T) {
	wd := func(key string, v ...string) Spec {
		return Spec{Name: "p", TimeZone: "UTC", Weekdays: map[string][]string{key: v}}
	}
	cases := []struct {
		name string
		spec Spec
		want string
	}{
		{"hour 25", wd("monday", "25:00-26:00"),
			`timeperiod "p": weekdays["monday"]: "25:00-26:00": start "25:00": hour 25 is out of range 00..24`},
		{"minute 60", wd("monday", "08:60-09:00"),
			`timeperiod "p": weekdays["monday"]: "08:60-09:00": start "08:60": minute 60 is out of range 00..59`},
		{"after 24:00", wd("monday", "08:00-24:30"),
			`timeperiod "p": weekdays["monday"]: "08:00-24:30": end "24:30": after 24:00`},
		{"24:00 as start", wd("monday", "24:00-06:00"),
			`timeperiod "p": weekdays["monday"]: "24:00-06:00": start 24:00 is the end of a day (use 00:00)`},
		{"empty range", wd("monday", "10:00-10:00"),
			`timeperiod "p": weekdays["monday"]: "10:00-10:00": start equals end, the range is empty (a whole day is 00:00-24:00; an inactive date is an empty list)`},
		{"no minutes", wd("monday", "8-9"),
			`timeperiod "p": weekdays["monday"]: "8-9": start "8" is not a time (want HH:MM)`},
		{"single time", wd("monday", "08:00"),
			`timeperiod "p": weekdays["monday"]: "08:00": not a range (want "HH:MM-HH:MM")`},
		{"three times", wd("monday", "08:00-09:00-10:00"),
			`timeperiod "p": weekdays["monday"]: "08:00-09:00-10:00": not a range (want "HH:MM-HH:MM")`},
		{"empty string", wd("monday", ""),
			`timeperiod "p": weekdays["monday"]: "": empty range (want "HH:MM-HH:MM")`},
		{"trailing comma", wd("monday", "08:00-09:00,"),
			`timeperiod "p": weekdays["monday"]: "": empty range (want "HH:MM-HH:MM")`},
		{"sign", wd("monday", "+8:00-09:00"),
			`timeperiod "p": weekdays["monday"]: "+8:00-09:00": start "+8:00" is not a time (want HH:MM)`},
		{"unknown day", wd("funday", "08:00-09:00"),
			`timeperiod "p": weekdays: "funday": unknown weekday (want monday..sunday or a span such as "monday-friday")`},
		{"unknown day in span", wd("monday-funday", "08:00-09:00"),
			`timeperiod "p": weekdays: "monday-funday": unknown weekday (want monday..sunday or a span such as "monday-friday")`},
		{"february 30", Spec{Name: "p", TimeZone: "UTC", Dates: map[string][]string{"2026-02-30": {"08:00-09:00"}}},
			`timeperiod "p": dates: "2026-02-30": not a valid date (want "YYYY-MM-DD" or a yearly date such as "december 25")`},
		{"yearly february 30", Spec{Name: "p", TimeZone: "UTC", Dates: map[string][]string{"february 30": {}}},
			`timeperiod "p": dates: "february 30": no day 30 in February`},
		{"unknown month", Spec{Name: "p", TimeZone: "UTC", Dates: map[string][]string{"smarch 3": {}}},
			`timeperiod "p": dates: "smarch 3": unknown month (want "YYYY-MM-DD" or a yearly date such as "december 25")`},
		{"bad range in dates", Spec{Name: "p", TimeZone: "UTC", Dates: map[string][]string{"december 24": {"9:00-12"}}},
			`timeperiod "p": dates["december 24"]: "9:00-12": end "12" is not a time (want HH:MM)`},
		{"holiday", Spec{Name: "p", TimeZone: "UTC", Holidays: []string{"christmas"}},
			`timeperiod "p": holidays: "christmas": not a date (want "YYYY-MM-DD" or a yearly date such as "december 25")`},
		{"unknown zone", Spec{Name: "p", TimeZone: "Mars/Olympus_Mons"},
			`timeperiod "p": time_zone: "Mars/Olympus_Mons": unknown time zone (want an IANA name such as "Europe/Oslo")`},
		{"zone as a path", Spec{Name: "p", TimeZone: "../../etc/passwd"},
			`timeperiod "p": time_zone: "../../etc/passwd": unknown time zone (want an IANA name such as "Europe/Oslo")`},
		{"no name", Spec{TimeZone: "UTC"},
			`timeperiod "": name: "": a time period needs a name`},
		{"exclude self", Spec{Name: "p", Exclude: []string{"p"}},
			`timeperiod "p": exclude: "p": a period cannot exclude itself`},
		{"exclude empty", Spec{Name: "p", Exclude: []string{" "}},
			`timeperiod "p": exclude: " ": empty period name`},
		{"exclude needs a set", Spec{Name: "p", Exclude: []string{"q"}},
			`timeperiod "p": exclude: "q": refers to other periods: exclusions are resolved by NewSet`},
		{"two errors at once", Spec{Name: "p", TimeZone: "Nowhere", Weekdays: map[string][]string{"monday": {"1:00-2:00", "7:00-25:00"}}},
			`timeperiod "p": time_zone: "Nowhere": unknown time zone (want an IANA name such as "Europe/Oslo")` + "\n" +
				`timeperiod "p": weekdays["monday"]: "7:00-25:00": end "25:00": hour 25 is out of range 00..24`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse(c.spec)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", p)
			}
			if p != nil {
				t.Errorf("Parse returned a period with its error")
			}
			if err.Error() != c.want {
				t.Errorf("error\n got: %s\nwant: %s", err, c.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.Period != strings.TrimSpace(c.spec.Name) {
				t.Errorf("error is not an *Error naming the period: %#v", err)
			}
		})
	}
	_, err := Parse(Spec{Name: "p", Exclude: []string{"q"}})
	if !errors.Is(err, ErrNeedsSet) {
		t.Errorf("exclude error does not wrap ErrNeedsSet: %v", err)
	}
}

func TestParseAccepts(t *testing.T) {
	p := mustParse(t, Spec{
		Name:     " spaced ",
		TimeZone: "",
		Weekdays: map[string][]string{
			"Friday-Monday": {"9:00-10:00"}, // wraps over the weekend, one-digit hour
			"wednesday":     {" 00:00 - 24:00 "},
		},
		Dates: map[string][]string{"February 29": {"12:00-13:00"}},
	})
	if p.Name() != "spaced" || p.Location() != time.Local {
		t.Errorf("name %q location %v", p.Name(), p.Location())
	}
	loc := time.Local
	checkIn(t, p, []inCase{
		{"friday", at(loc, 2026, 12, 11, 9, 30, 0), true},
		{"saturday", at(loc, 2026, 12, 12, 9, 30, 0), true},
		{"monday", at(loc, 2026, 12, 14, 9, 30, 0), true},
		{"tuesday", at(loc, 2026, 12, 15, 9, 30, 0), false},
		{"wednesday all day", at(loc, 2026, 12, 16, 23, 59, 59), true},
		{"february 29 2028", at(loc, 2028, 2, 29, 12, 30, 0), true},
		{"february 29 2028 outside its range", at(loc, 2028, 2, 29, 9, 30, 0), false},
	})
}

func TestSetErrors(t *testing.T) {
	ok := func(name string, exclude ...string) Spec {
		return Spec{Name: name, TimeZone: "UTC", Weekdays: map[string][]string{"monday": {"08:00-09:00"}}, Exclude: exclude}
	}
	cases := []struct {
		name  string
		specs []Spec
		want  string
	}{
		{"unknown exclusion", []Spec{ok("a", "b")},
			`timeperiod "a": exclude: "b": no time period of that name`},
		{"duplicate name", []Spec{ok("a"), ok("a")},
			`timeperiod "a": name: "a": defined twice`},
		{"two-cycle", []Spec{ok("a", "b"), ok("b", "a")},
			`timeperiod "a": exclude: "b": exclusion cycle a -> b -> a`},
		{"three-cycle behind a tail", []Spec{ok("x", "c"), ok("c", "d"), ok("d", "e"), ok("e", "c")},
			`timeperiod "c": exclude: "d": exclusion cycle c -> d -> e -> c`},
		{"no second error for excluding a broken period", []Spec{ok("a", "b"), {Name: "b", TimeZone: "Nowhere"}},
			`timeperiod "b": time_zone: "Nowhere": unknown time zone (want an IANA name such as "Europe/Oslo")`},
		{"parse error and unknown name together", []Spec{ok("a", "zz"), {Name: "b", TimeZone: "UTC", Holidays: []string{"2026-13-01"}}},
			`timeperiod "b": holidays: "2026-13-01": not a valid date (want "YYYY-MM-DD" or a yearly date such as "december 25")` + "\n" +
				`timeperiod "a": exclude: "zz": no time period of that name`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := NewSet(c.specs...)
			if err == nil {
				t.Fatalf("NewSet succeeded: %v", s.Names())
			}
			if err.Error() != c.want {
				t.Errorf("error\n got: %s\nwant: %s", err, c.want)
			}
		})
	}
	t.Run("a diamond is not a cycle", func(t *testing.T) {
		mustSet(t, ok("a", "b", "c"), ok("b", "d"), ok("c", "d"), ok("d"))
	})
}

func TestSpanHelpers(t *testing.T) {
	got := subtract([]span{{0, 10}, {20, 30}, {40, 50}}, []span{{-5, 2}, {4, 6}, {8, 22}, {25, 26}, {29, 45}})
	want := []span{{2, 4}, {6, 8}, {22, 25}, {26, 29}, {45, 50}}
	if len(got) != len(want) {
		t.Fatalf("subtract = %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("subtract = %v, want %v", got, want)
		}
	}
	m := merge([]span{{5, 6}, {0, 2}, {2, 3}, {1, 4}})
	if len(m) != 2 || m[0] != (span{0, 4}) || m[1] != (span{5, 6}) {
		t.Errorf("merge = %v", m)
	}
	if floorDiv(-1, 86400) != -1 || floorDiv(-86400, 86400) != -1 || floorDiv(86399, 86400) != 0 {
		t.Errorf("floorDiv wrong")
	}
}

func TestBefore1970(t *testing.T) {
	p := mustParse(t, office("Europe/Oslo"))
	oslo := p.Location()
	// 1969-12-31 was a wednesday.
	if !p.In(at(oslo, 1969, 12, 31, 9, 0, 0)) || p.In(at(oslo, 1969, 12, 31, 7, 0, 0)) {
		t.Errorf("wrong before 1970")
	}
}

func TestPrecedence(t *testing.T) {
	p := mustParse(t, Spec{
		Name:     "prec",
		TimeZone: "UTC",
		Weekdays: map[string][]string{"monday-sunday": {"08:00-09:00"}},
		Dates: map[string][]string{
			"december 24": {"10:00-11:00"},
			"2026-12-24":  {"12:00-13:00"}, // calendar beats yearly
			"december 26": {"14:00-15:00"},
		},
		Holidays: []string{"2026-12-26"}, // holiday beats a date entry
	})
	checkIn(t, p, []inCase{
		{"2026-12-24 calendar range", utc(2026, 12, 24, 12, 30, 0), true},
		{"2026-12-24 not the yearly range", utc(2026, 12, 24, 10, 30, 0), false},
		{"2026-12-24 not the weekday range", utc(2026, 12, 24, 8, 30, 0), false},
		{"2027-12-24 yearly range", utc(2027, 12, 24, 10, 30, 0), true},
		{"2027-12-24 not the weekday range", utc(2027, 12, 24, 8, 30, 0), false},
		{"2026-12-26 holiday", utc(2026, 12, 26, 14, 30, 0), false},
		{"2027-12-26 yearly range", utc(2027, 12, 26, 14, 30, 0), true},
		{"2026-12-27 weekday range", utc(2026, 12, 27, 8, 30, 0), true},
	})
}

func TestErrorFields(t *testing.T) {
	_, err := Parse(Spec{Name: "p", TimeZone: "UTC", Dates: map[string][]string{"december 24": {"09:00-08:00", "12:00-12:00"}}})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("not an *Error: %v", err)
	}
	want := Error{Period: "p", Field: "dates", Key: "december 24", Value: "12:00-12:00",
		Reason: "start equals end, the range is empty (a whole day is 00:00-24:00; an inactive date is an empty list)"}
	if *e != want {
		t.Errorf("got %#v\nwant %#v", *e, want)
	}
}
