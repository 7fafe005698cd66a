package notify

import (
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/timeperiod"
)

// Clock tells the time. Tests use a fake one.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// CheckInfo is what routes match a check on, beyond its id and level.
type CheckInfo struct {
	Host string
	Tags []string
	Team string
	// Group is what the check's notifications are grouped by; empty means
	// the host. Set it to the parent (the router a host sits behind) so an
	// outage behind one parent becomes one message.
	Group string
}

// Checks looks up a check's CheckInfo; ok is false for a check it does not
// know (it is then routed with an empty CheckInfo).
type Checks interface {
	CheckInfo(id string) (info CheckInfo, ok bool)
}

// Periods looks up time periods by name (*timeperiod.Set).
type Periods interface {
	Get(name string) (*timeperiod.TimePeriod, bool)
}

// Contact is a person or system that can be notified, with an address per
// notifier name (e.g. "mail" → "ops@example.com", "sms" → "+4711223344").
type Contact struct {
	Name      string
	Addresses map[string]string
}

// Team is a named list of contact names.
type Team struct {
	Name    string
	Members []string
}

// Route says who hears of what. Empty match lists match anything; a
// non-empty one must match (Tags: the check has all of them).
type Route struct {
	Name string
	// Matchers.
	Levels []check.Level // the level of the problem (for a recovery: of the problem it ends)
	Checks []string      // check ids, path.Match patterns
	Hosts  []string      // host names, path.Match patterns
	Tags   []string
	Teams  []string // the team owning the check
	// Period, when set, limits the route to times inside the time period,
	// or outside it with OutsidePeriod.
	Period        string
	OutsidePeriod bool

	// Who and how.
	Notifiers []string // notifier names; each recipient is told through each notifier it has an address for
	Contacts  []string
	Notify    []string // team names whose members are recipients
	// Fallback notifiers are used for a notification that could not be
	// delivered (dead or expired).
	Fallback []string

	// RepeatInterval is Nagios' notification_interval: a HARD problem is
	// notified again this often while it lasts. 0: once.
	RepeatInterval time.Duration
	// FirstDelay holds back the first notification of a problem; a problem
	// that recovers within it is never sent.
	FirstDelay  time.Duration
	Escalations []Escalation
	// Flapping and Downtime: also send the start and end of flapping and
	// of downtime, to the route's recipients and everyone who heard of the
	// problem; without them these are silent (a maintenance window is).
	Flapping bool
	Downtime bool
	// Continue: keep matching the routes after this one.
	Continue bool
}

// Escalation changes the recipients of a problem's notifications once
// AfterNotifications notifications were sent (it applies to the next one
// on), or once the problem is AfterUnacknowledged old without an ack (a
// notification goes out to the new recipients then). A zero field does not
// trigger; when both are set, either does.
type Escalation struct {
	AfterNotifications  int
	AfterUnacknowledged time.Duration
	Contacts            []string
	Notify              []string // teams
	// Replace: the escalation's recipients replace the route's (and earlier
	// steps') instead of being added.
	Replace bool
}

// Config is the pipeline's configuration, the plain data core/config is
// converted into.
type Config struct {
	Routes   []Route
	Contacts []Contact
	Teams    []Team
	// GroupWait is how long the first notification of a group waits for
	// others to join it. 0 sends at the end of each batch of transitions.
	GroupWait time.Duration
}
