// Package timeperiod models time periods as Nagios' timeperiod objects and
// Icinga 2's TimePeriod ranges do: "office hours", "outside office hours",
// "on-call nights", for notification routes, repeats and escalations.
//
// A period is built from a Spec (the shape an HCL timeperiod block decodes
// to) by Parse, or, when periods exclude one another, by NewSet, which
// resolves exclusions by name and refuses unknown names and cycles. Errors
// are *Error values naming the period, the field and the offending value.
//
// Everything here is pure and deterministic: no goroutines, no clock. Every
// question takes the time it is about:
//
//   - In(t) reports whether the period is active at t;
//   - Next(t) is the first instant at or after t at which it is active (for a
//     notification held back until office hours);
//   - NextEnd(t) is when the active stretch containing t (or the next one)
//     ends.
//
// # The model
//
// A period has a time zone (an IANA name; empty means the daemon's local
// zone) and, read in that zone's wall clock:
//
//   - weekday ranges: "monday-friday" = ["08:00-17:00"], several ranges a
//     day, "HH:MM-HH:MM" with 00:00 <= start < 24:00 and end up to 24:00;
//     an end before the start crosses midnight ("22:00-06:00" on friday is
//     active from friday 22:00 to saturday 06:00);
//   - dates: a calendar date ("2026-12-24") or a yearly date ("december 25")
//     with its own ranges, which replace that day's weekday ranges (Nagios'
//     precedence: calendar date, then yearly date, then weekday). An empty
//     list makes the date inactive. A range belongs to the day it starts on:
//     a range crossing midnight into a date with its own entry still runs
//     until its end;
//   - holidays: dates on which the period is inactive all day (00:00-24:00),
//     including a range crossing into that day from the evening before;
//   - exclusions: other periods whose active time is removed (Nagios'
//     exclude), evaluated at instants, so an excluded period may have another
//     time zone; exclusions of an excluded period apply to it in turn.
//
// # Daylight saving time
//
// Ranges are wall-clock readings in the period's zone, as in Nagios: an
// instant is active when its local date and local time fall in a range. On
// the days clocks change this gives:
//
//   - spring forward (Europe/Oslo 2026-03-29, 02:00 becomes 03:00): a range
//     01:30-03:00 is active 30 real minutes, 01:30 to the change; a range
//     lying wholly in the skipped hour (02:00-02:30) is not active that day;
//     a range starting in it (02:30-04:00) begins at the change, 03:00 CEST,
//     which is what Next returns;
//   - fall back (2026-10-25, 03:00 becomes 02:00 again): a range 01:30-03:00
//     is active 2.5 real hours, through both passes of 02:00-03:00; a range
//     inside the repeated hour (02:15-02:45) is active twice. Where a range
//     starts inside the repeated hour, it pauses while the clock reads the
//     part before its start again: in America/New_York (2026-11-01, 02:00
//     EDT becomes 01:00 EST) 01:30-03:00 is active 01:30-02:00 EDT, not
//     01:00-01:30 EST, and again 01:30-03:00 EST.
//
// # Where vakt differs from Nagios
//
//   - A range whose end is before its start crosses midnight, as in Icinga 2.
//     Nagios 4 accepts such a range without complaint (its loader checks only
//     that both ends are at most 24:00) but does not wrap it past midnight;
//     Nagios configurations split it in two ("22:00-24:00", "00:00-06:00").
//   - A range whose start equals its end is refused (Nagios: silently empty),
//     as are 24:00 as a start, hours after 24:00 and minutes after 59.
//   - Each period has its own time zone; Nagios reads every period in the
//     daemon's zone.
//   - Of Nagios' date forms only calendar dates ("2026-12-24") and yearly
//     dates ("december 25") exist; "day 15", "3rd monday", "monday 3 may",
//     date ranges ("2026-12-24 - 2027-01-02") and skips ("/ 2") do not.
//   - Holidays are a field of their own; Nagios writes them as a second
//     period that the first excludes, which works here too.
//   - Unknown exclusions and exclusion cycles are errors at load, and a
//     period cannot exclude itself.
//   - Next and NextEnd look at most Horizon (about 11 years) ahead.
package timeperiod
