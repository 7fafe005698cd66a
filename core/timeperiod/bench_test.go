package timeperiod

import (
	"testing"
	"time"
)

// BenchmarkIn is the cost of one routing question against office hours with
// an exclusion in another zone.
func BenchmarkIn(b *testing.B) {
	set := mustSet(b,
		Spec{Name: "office", TimeZone: "Europe/Oslo", Weekdays: map[string][]string{"monday-friday": {"08:00-17:00"}},
			Holidays: []string{"december 25"}, Exclude: []string{"standup"}},
		Spec{Name: "standup", TimeZone: "America/New_York", Weekdays: map[string][]string{"monday-friday": {"03:00-04:00"}}},
	)
	p, _ := set.Get("office")
	t := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if !p.In(t) {
			b.Fatal("not in")
		}
	}
}

// BenchmarkNextNever is the worst case of Next: a period that never starts,
// searched to the Horizon.
func BenchmarkNextNever(b *testing.B) {
	p := mustParse(b, Spec{Name: "never", TimeZone: "Europe/Oslo"})
	t := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := p.Next(t); ok {
			b.Fatal("started")
		}
	}
}

// BenchmarkNextEndAlways is the worst case of NextEnd: a period that never
// ends.
func BenchmarkNextEndAlways(b *testing.B) {
	p := mustParse(b, Spec{Name: "always", TimeZone: "Europe/Oslo", Weekdays: map[string][]string{"monday-sunday": {"00:00-24:00"}}})
	t := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := p.NextEnd(t); ok {
			b.Fatal("ended")
		}
	}
}
