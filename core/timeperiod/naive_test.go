package timeperiod

import (
	"testing"
	"time"
)

// naiveIn is the definition of In written the obvious way: read t's local
// date and clock, apply that date's ranges and the crossing ranges of the day
// before. TestAgainstNaive checks the span machinery against it.
func naiveIn(p *TimePeriod, t time.Time) bool {
	lt := t.In(p.loc)
	y, m, d := lt.Date()
	sec := lt.Hour()*3600 + lt.Minute()*60 + lt.Second()
	c := civil{y, m, d}
	if p.holCal[c] || p.holYear[monthDay{m, d}] {
		return false
	}
	for _, r := range p.rangesFor(c, lt.Weekday()) {
		if r.end > r.start && sec >= r.start*60 && sec < r.end*60 {
			return true
		}
		if r.end < r.start && sec >= r.start*60 {
			return true
		}
	}
	prev := time.Date(y, m, d-1, 12, 0, 0, 0, time.UTC)
	py, pm, pd := prev.Date()
	for _, r := range p.rangesFor(civil{py, pm, pd}, prev.Weekday()) {
		if r.end < r.start && sec < r.end*60 {
			return true
		}
	}
	return false
}

// TestAgainstNaive walks the weeks around the 2026 DST changes in both zones
// minute by minute (and at 30 s past) and compares In with naiveIn, and Next
// and NextEnd with the first change found by walking.
func TestAgainstNaive(t *testing.T) {
	weeks := map[string][]time.Time{
		"Europe/Oslo":      {utc(2026, 3, 26, 0, 0, 0), utc(2026, 10, 22, 0, 0, 0)},
		"America/New_York": {utc(2026, 3, 5, 0, 0, 0), utc(2026, 10, 29, 0, 0, 0)},
	}
	for zone, starts := range weeks {
		p := mustParse(t, Spec{
			Name:     "mixed",
			TimeZone: zone,
			Weekdays: map[string][]string{
				"sunday":        {"01:30-03:00", "02:15-02:45", "01:15-01:45"},
				"saturday":      {"23:00-02:30"},
				"monday-friday": {"08:00-17:00", "22:30-01:00"},
			},
			Dates: map[string][]string{
				"2026-03-27": {"02:30-02:45"},
				"october 23": {},
				"november 2": {"02:00-03:30"},
			},
			Holidays: []string{"2026-03-06", "march 31"},
		})
		for _, start := range starts {
			t.Run(zone+" "+start.Format("2006-01-02"), func(t *testing.T) {
				const step = 30 * time.Second
				end := start.Add(8 * 24 * time.Hour)
				var states []bool
				for x := start; x.Before(end); x = x.Add(step) {
					states = append(states, naiveIn(p, x))
				}
				failures := 0
				for i, x := 0, start; x.Before(end) && failures < 5; i, x = i+1, x.Add(step) {
					if got := p.In(x); got != states[i] {
						t.Errorf("In(%s) = %v, naive %v", x.In(p.loc).Format(time.RFC3339), got, states[i])
						failures++
						continue
					}
					// Next and NextEnd at every 7th step and where the state
					// changes (they are dearer than In).
					if i%7 != 0 && (i == 0 || states[i] == states[i-1]) {
						continue
					}
					// Next: first walked instant at or after x that is active.
					j := i
					for j < len(states) && !states[j] {
						j++
					}
					if j < len(states) {
						want := start.Add(time.Duration(j) * step)
						if got, ok := p.Next(x); !ok || !got.Equal(want) {
							t.Errorf("Next(%s) = %v %v, walk %v", x.In(p.loc).Format(time.RFC3339), got, ok, want.In(p.loc))
							failures++
						}
						k := j
						for k < len(states) && states[k] {
							k++
						}
						if k < len(states) {
							want := start.Add(time.Duration(k) * step)
							if got, ok := p.NextEnd(x); !ok || !got.Equal(want) {
								t.Errorf("NextEnd(%s) = %v %v, walk %v", x.In(p.loc).Format(time.RFC3339), got, ok, want.In(p.loc))
								failures++
							}
						}
					}
				}
			})
		}
	}
}
