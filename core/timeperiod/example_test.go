package timeperiod_test

import (
	"fmt"
	"time"

	"github.com/vakt/vakt/core/timeperiod"
)

// Office hours in Oslo, with Christmas Eve as a holiday: is a problem at
// Friday 18:00 inside them, and when may a notification held back until
// office hours go out?
func Example() {
	office, err := timeperiod.Parse(timeperiod.Spec{
		Name:     "office-hours",
		TimeZone: "Europe/Oslo",
		Weekdays: map[string][]string{"monday-friday": {"08:00-16:00"}},
		Holidays: []string{"december 24"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	oslo := office.Location()
	friday := time.Date(2026, 12, 11, 18, 0, 0, 0, oslo)
	fmt.Println("in office hours:", office.In(friday))
	start, _ := office.Next(friday)
	end, _ := office.NextEnd(friday)
	fmt.Println("held back until:", start.Format("Mon 2006-01-02 15:04 MST"))
	fmt.Println("office closes:  ", end.Format("Mon 2006-01-02 15:04 MST"))
	start, _ = office.Next(time.Date(2026, 12, 23, 17, 0, 0, 0, oslo))
	fmt.Println("after christmas eve:", start.Format("Mon 2006-01-02 15:04"))
	// Output:
	// in office hours: false
	// held back until: Mon 2026-12-14 08:00 CET
	// office closes:   Mon 2026-12-14 16:00 CET
	// after christmas eve: Fri 2026-12-25 08:00
}

// On-call nights cross midnight; a set resolves the exclusion of a
// maintenance window by name.
func ExampleNewSet() {
	set, err := timeperiod.NewSet(
		timeperiod.Spec{
			Name:     "on-call",
			TimeZone: "America/New_York",
			Weekdays: map[string][]string{"monday-sunday": {"18:00-08:00"}},
			Exclude:  []string{"maintenance"},
		},
		timeperiod.Spec{
			Name:     "maintenance",
			TimeZone: "America/New_York",
			Dates:    map[string][]string{"2026-12-09": {"01:00-03:00"}},
		},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	onCall, _ := set.Get("on-call")
	ny := onCall.Location()
	for _, t := range []time.Time{
		time.Date(2026, 12, 8, 23, 0, 0, 0, ny),
		time.Date(2026, 12, 9, 2, 0, 0, 0, ny),
		time.Date(2026, 12, 9, 12, 0, 0, 0, ny),
	} {
		fmt.Println(t.Format("Jan 2 15:04"), onCall.In(t))
	}
	end, _ := onCall.NextEnd(time.Date(2026, 12, 8, 23, 0, 0, 0, ny))
	fmt.Println("hand-over to maintenance:", end.Format("Jan 2 15:04"))
	// Output:
	// Dec 8 23:00 true
	// Dec 9 02:00 false
	// Dec 9 12:00 false
	// hand-over to maintenance: Dec 9 01:00
}

// Errors name the period, the field and the value, and all of them come at
// once.
func ExampleParse_errors() {
	_, err := timeperiod.Parse(timeperiod.Spec{
		Name:     "broken",
		TimeZone: "Europe/Olso",
		Weekdays: map[string][]string{"monday": {"08:00-25:00"}},
	})
	fmt.Println(err)
	// Output:
	// timeperiod "broken": time_zone: "Europe/Olso": unknown time zone (want an IANA name such as "Europe/Oslo")
	// timeperiod "broken": weekdays["monday"]: "08:00-25:00": end "25:00": hour 25 is out of range 00..24
}
