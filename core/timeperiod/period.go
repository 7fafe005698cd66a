package timeperiod

import (
	"sort"
	"time"
)

const (
	minutesPerDay = 24 * 60
	secondsPerDay = 24 * 60 * 60
)

// Horizon is how far ahead Next and NextEnd look before they give up and
// report ok == false. It covers the eight years between two february 29ths
// across a century (2096 to 2104).
const Horizon = 4096 * 24 * time.Hour

// TimePeriod is a parsed, immutable time period. Its methods are pure: they
// read no clock and are safe for concurrent use.
type TimePeriod struct {
	name     string
	loc      *time.Location
	weekdays [7][]rng // indexed by time.Weekday
	calendar map[civil][]rng
	yearly   map[monthDay][]rng
	holCal   map[civil]bool
	holYear  map[monthDay]bool

	excludeNames []string
	exclude      []*TimePeriod // resolved by NewSet
}

// rng is a wall-clock range in minutes after local midnight. end < start
// crosses midnight into the next day; end is at most 24:00.
type rng struct{ start, end int }

type civil struct {
	year  int
	month time.Month
	day   int
}

type monthDay struct {
	month time.Month
	day   int
}

// span is a half-open interval [s, e) of seconds, either Unix instants or
// naive wall-clock seconds (a wall-clock reading taken as if it were UTC).
type span struct{ s, e int64 }

// Name is the period's name.
func (p *TimePeriod) Name() string { return p.name }

// Location is the zone the period's wall-clock ranges are read in.
func (p *TimePeriod) Location() *time.Location { return p.loc }

// Exclusions are the names of the periods this one excludes.
func (p *TimePeriod) Exclusions() []string { return append([]string(nil), p.excludeNames...) }

// In reports whether the period is active at t.
func (p *TimePeriod) In(t time.Time) bool {
	s := t.Unix() // floor: range bounds are whole seconds
	return len(p.spans(s, s+1)) > 0
}

// Next returns the first instant at or after t at which the period is active:
// t itself if In(t). ok is false if the period is not active within Horizon.
// A returned instant other than t is in the period's Location.
func (p *TimePeriod) Next(t time.Time) (start time.Time, ok bool) {
	s := t.Unix()
	for w := int64(8 * secondsPerDay); ; w *= 2 {
		if sp := p.spans(s, s+w); len(sp) > 0 {
			if sp[0].s <= s {
				return t, true
			}
			return time.Unix(sp[0].s, 0).In(p.loc), true
		}
		if w >= int64(Horizon/time.Second) {
			return time.Time{}, false
		}
	}
}

// NextEnd returns the instant at which the active stretch that contains t
// ends, or, if the period is not active at t, the end of the next active
// stretch (NextEnd(t) == NextEnd(Next(t))). ok is false if that end is not
// within Horizon of t (a period that is always active never ends).
func (p *TimePeriod) NextEnd(t time.Time) (end time.Time, ok bool) {
	s := t.Unix()
	for w := int64(8 * secondsPerDay); ; w *= 2 {
		if sp := p.spans(s, s+w); len(sp) > 0 && sp[0].e < s+w {
			return time.Unix(sp[0].e, 0).In(p.loc), true
		}
		if w >= int64(Horizon/time.Second) {
			return time.Time{}, false
		}
	}
}

// spans returns the period's active instants within [from, to) (Unix
// seconds), sorted and merged, exclusions removed.
//
// The window is cut where the zone's UTC offset changes. Within a piece of
// constant offset o, the instant x reads as wall clock x+o, so the active
// wall-clock spans of that piece, shifted back by o, are its active instants.
// A wall-clock time skipped by a DST change is thereby never active, and one
// that occurs twice is active both times.
func (p *TimePeriod) spans(from, to int64) []span {
	var out []span
	for x := from; x < to; {
		lt := time.Unix(x, 0).In(p.loc)
		_, off := lt.Zone()
		_, zoneEnd := lt.ZoneBounds()
		end := to
		if !zoneEnd.IsZero() && zoneEnd.Unix() < to && zoneEnd.Unix() > x {
			end = zoneEnd.Unix()
		}
		o := int64(off)
		for _, w := range p.wallSpans(x+o, end+o) {
			out = append(out, span{w.s - o, w.e - o})
		}
		x = end
	}
	out = merge(out)
	for _, ex := range p.exclude {
		if len(out) == 0 {
			break
		}
		out = subtract(out, ex.spans(from, to))
	}
	return out
}

// wallSpans returns the active naive wall-clock spans within [wa, wb),
// before exclusions.
func (p *TimePeriod) wallSpans(wa, wb int64) []span {
	var raw, holidays []span
	first := floorDiv(wa, secondsPerDay) - 1 // the day before may cross midnight into wa
	last := floorDiv(wb-1, secondsPerDay)
	for d := first; d <= last; d++ {
		base := d * secondsPerDay
		date := time.Unix(base, 0).UTC()
		c := civil{date.Year(), date.Month(), date.Day()}
		if p.holCal[c] || p.holYear[monthDay{c.month, c.day}] {
			holidays = append(holidays, span{base, base + secondsPerDay})
		}
		for _, r := range p.rangesFor(c, date.Weekday()) {
			s := base + int64(r.start)*60
			if r.end > r.start {
				raw = append(raw, span{s, base + int64(r.end)*60})
			} else {
				// Crosses midnight: the rest of this day and the start of the next.
				raw = append(raw, span{s, base + secondsPerDay + int64(r.end)*60})
			}
		}
	}
	out := subtract(merge(raw), holidays)
	return clip(out, wa, wb)
}

// rangesFor picks the ranges that start on a date, by Nagios' precedence: a
// calendar date, else a yearly date, else the weekday.
func (p *TimePeriod) rangesFor(c civil, wd time.Weekday) []rng {
	if r, ok := p.calendar[c]; ok {
		return r
	}
	if r, ok := p.yearly[monthDay{c.month, c.day}]; ok {
		return r
	}
	return p.weekdays[wd]
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// merge sorts spans and joins those that overlap or touch.
func merge(in []span) []span {
	if len(in) == 0 {
		return nil
	}
	sort.Slice(in, func(i, j int) bool { return in[i].s < in[j].s })
	out := []span{in[0]}
	for _, x := range in[1:] {
		last := &out[len(out)-1]
		if x.s <= last.e {
			if x.e > last.e {
				last.e = x.e
			}
			continue
		}
		out = append(out, x)
	}
	return out
}

// subtract removes b from a; both sorted and merged.
func subtract(a, b []span) []span {
	if len(b) == 0 {
		return a
	}
	var out []span
	j := 0
	for _, x := range a {
		cur := x.s
		for j < len(b) && b[j].e <= cur {
			j++
		}
		k := j
		for k < len(b) && b[k].s < x.e {
			if b[k].s > cur {
				out = append(out, span{cur, b[k].s})
			}
			if b[k].e > cur {
				cur = b[k].e
			}
			k++
		}
		if cur < x.e {
			out = append(out, span{cur, x.e})
		}
	}
	return out
}

// clip cuts sorted spans to [from, to).
func clip(in []span, from, to int64) []span {
	var out []span
	for _, x := range in {
		if x.e <= from || x.s >= to {
			continue
		}
		out = append(out, span{max(x.s, from), min(x.e, to)})
	}
	return out
}
