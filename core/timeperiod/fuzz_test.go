package timeperiod

import (
	"errors"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary strings into every field. Parse must not panic,
// must return either a period or an error made of *Error values, and a
// period it returns must answer In, Next and NextEnd consistently.
func FuzzParse(f *testing.F) {
	f.Add("monday-friday", "08:00-17:00", "2026-12-24", "december 25", "Europe/Oslo")
	f.Add("friday", "22:00-06:00,07:00-08:00", "february 29", "2026-02-30", "America/New_York")
	f.Add("sunday", "01:30-03:00", "december 31", "may 17", "UTC")
	f.Add("funday", "25:00-26:00", "smarch 3", "", "Mars/Olympus")
	f.Add("saturday-monday", "24:00-1:00", "2026-1-1", "june 31", "../etc")
	t0 := time.Date(2026, 3, 28, 22, 17, 3, 5, time.UTC)
	f.Fuzz(func(t *testing.T, day, rng, date, holiday, zone string) {
		spec := Spec{
			Name:     "f",
			TimeZone: zone,
			Weekdays: map[string][]string{day: {rng}},
			Dates:    map[string][]string{date: {rng}},
			Holidays: []string{holiday},
		}
		p, err := Parse(spec)
		if (p == nil) == (err == nil) {
			t.Fatalf("Parse returned period %v and error %v", p, err)
		}
		if err != nil {
			var joined interface{ Unwrap() []error }
			if errors.As(err, &joined) {
				for _, e := range joined.Unwrap() {
					var pe *Error
					if !errors.As(e, &pe) {
						t.Fatalf("error %v is not an *Error", e)
					}
				}
			}
			return
		}
		if p.Location() == nil {
			t.Fatal("no location")
		}
		next, okNext := p.Next(t0)
		end, okEnd := p.NextEnd(t0)
		if okNext {
			if next.Before(t0) || !p.In(next) {
				t.Fatalf("Next(%v) = %v, not active or before t", t0, next)
			}
			if p.In(next.Add(-time.Second)) && next.After(t0) {
				t.Fatalf("Next(%v) = %v, active a second before", t0, next)
			}
		}
		if okEnd {
			if !okNext || !end.After(next) || p.In(end) || !p.In(end.Add(-time.Second)) {
				t.Fatalf("NextEnd(%v) = %v (Next %v %v) inconsistent", t0, end, next, okNext)
			}
		}
	})
}
