package notify

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"time"

	"github.com/vakt/vakt/core/check"
)

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("invalid notification config")

// Target is one recipient through one notifier.
type Target struct {
	Notifier string `json:"notifier"`
	Contact  string `json:"contact"`
	Address  string `json:"address"`
}

func (t Target) key() string { return t.Notifier + "\x00" + t.Contact + "\x00" + t.Address }

// validate checks that every name the config uses is defined and every
// pattern parses.
func (c Config) validate(periods Periods) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...))
	}
	contacts := map[string]bool{}
	for _, ct := range c.Contacts {
		if ct.Name == "" || contacts[ct.Name] {
			bad("contact %q: empty or defined twice", ct.Name)
		}
		contacts[ct.Name] = true
	}
	teams := map[string]bool{}
	for _, tm := range c.Teams {
		if tm.Name == "" || teams[tm.Name] {
			bad("team %q: empty or defined twice", tm.Name)
		}
		teams[tm.Name] = true
		for _, m := range tm.Members {
			if !contacts[m] {
				bad("team %q: member %q is not a contact", tm.Name, m)
			}
		}
	}
	names := map[string]bool{}
	for i, r := range c.Routes {
		where := fmt.Sprintf("route %d (%q)", i+1, r.Name)
		if r.Name == "" || names[r.Name] {
			bad("%s: name empty or used twice", where)
		}
		names[r.Name] = true
		for _, p := range slices.Concat(r.Checks, r.Hosts) {
			if _, err := path.Match(p, ""); err != nil {
				bad("%s: pattern %q: %v", where, p, err)
			}
		}
		if r.Period != "" {
			if periods == nil {
				bad("%s: time period %q but no time periods are defined", where, r.Period)
			} else if _, ok := periods.Get(r.Period); !ok {
				bad("%s: time period %q is not defined", where, r.Period)
			}
		}
		if len(r.Notifiers) == 0 {
			bad("%s: no notifiers", where)
		}
		if r.RepeatInterval < 0 || r.FirstDelay < 0 {
			bad("%s: repeat interval and first delay must not be negative", where)
		}
		refs := func(what string, cs, ts []string) {
			for _, n := range cs {
				if !contacts[n] {
					bad("%s: contact %q is not defined", what, n)
				}
			}
			for _, n := range ts {
				if !teams[n] {
					bad("%s: team %q is not defined", what, n)
				}
			}
		}
		refs(where, r.Contacts, r.Notify)
		for j, e := range r.Escalations {
			if e.AfterNotifications <= 0 && e.AfterUnacknowledged <= 0 {
				bad("%s: escalation %d has neither after notifications nor after unacknowledged", where, j+1)
			}
			if e.AfterNotifications < 0 || e.AfterUnacknowledged < 0 {
				bad("%s: escalation %d: negative threshold", where, j+1)
			}
			refs(fmt.Sprintf("%s: escalation %d", where, j+1), e.Contacts, e.Notify)
		}
	}
	if c.GroupWait < 0 {
		bad("group wait %s is negative", c.GroupWait)
	}
	return errors.Join(errs...)
}

// matches says whether r applies to a check at level l at time at.
func (r *Route) matches(id string, info CheckInfo, l check.Level, at time.Time, periods Periods) bool {
	if len(r.Levels) > 0 && !slices.Contains(r.Levels, l) {
		return false
	}
	if len(r.Checks) > 0 && !anyMatch(r.Checks, id) {
		return false
	}
	if len(r.Hosts) > 0 && !anyMatch(r.Hosts, info.Host) {
		return false
	}
	for _, tag := range r.Tags {
		if !slices.Contains(info.Tags, tag) {
			return false
		}
	}
	if len(r.Teams) > 0 && !slices.Contains(r.Teams, info.Team) {
		return false
	}
	if r.Period != "" {
		p, ok := periods.Get(r.Period)
		if !ok || p.In(at) == r.OutsidePeriod {
			return false
		}
	}
	return true
}

func anyMatch(patterns []string, s string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, s); ok {
			return true
		}
	}
	return false
}

// Match returns the routes that apply to a check at level l at time at, in
// order: the first match stops unless it has Continue.
func (p *Pipeline) Match(id string, l check.Level, at time.Time) []*Route {
	info, _ := p.checkInfo(id)
	var out []*Route
	for i := range p.cfg.Routes {
		r := &p.cfg.Routes[i]
		if r.matches(id, info, l, at, p.periods) {
			out = append(out, r)
			if !r.Continue {
				break
			}
		}
	}
	return out
}

// targets are the recipients of a route's problem notification number n
// (1-based) of a problem that began at start and is unacknowledged, at
// time at.
func (p *Pipeline) targets(r *Route, n int, start time.Time, acked bool, at time.Time) []Target {
	contacts, teams := r.Contacts, r.Notify
	for _, e := range r.Escalations {
		if !e.applies(n, start, acked, at) {
			continue
		}
		if e.Replace {
			contacts, teams = e.Contacts, e.Notify
		} else {
			contacts, teams = slices.Concat(contacts, e.Contacts), slices.Concat(teams, e.Notify)
		}
	}
	return p.resolve(r.Notifiers, contacts, teams)
}

func (e Escalation) applies(n int, start time.Time, acked bool, at time.Time) bool {
	return (e.AfterNotifications > 0 && n > e.AfterNotifications) ||
		(e.AfterUnacknowledged > 0 && !acked && !at.Before(start.Add(e.AfterUnacknowledged)))
}

// resolve turns contact and team names into targets for each notifier a
// contact has an address for, without duplicates, in a stable order.
func (p *Pipeline) resolve(notifiers, contacts, teams []string) []Target {
	names := slices.Clone(contacts)
	for _, t := range teams {
		names = append(names, p.teams[t].Members...)
	}
	var out []Target
	seen := map[string]bool{}
	for _, name := range names {
		c, ok := p.contacts[name]
		if !ok {
			continue
		}
		for _, nf := range notifiers {
			addr, ok := c.Addresses[nf]
			if !ok {
				continue
			}
			t := Target{Notifier: nf, Contact: name, Address: addr}
			if !seen[t.key()] {
				seen[t.key()] = true
				out = append(out, t)
			}
		}
	}
	return out
}
