package daemon

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/definitions"
	"github.com/vakt/vakt/core/notify"
	"github.com/vakt/vakt/core/store"
	"github.com/vakt/vakt/core/timeperiod"
)

// DefaultNotifyInterval is how often the notification pipeline looks at
// what is due and the sender at the outbox.
const DefaultNotifyInterval = time.Second

// notifyConsumer names the pipeline's checkpoint in the store.
const notifyConsumer = "notify"

// notifyConfig converts a load's notification configuration into the
// pipeline's. A contact's address for a notifier is its addresses entry
// under the notifier's name, else under the notifier's plugin's name, else
// its email for an email notifier and its phone for an sms one.
func notifyConfig(n *definitions.Notifications) notify.Config {
	var cfg notify.Config
	notifiers := slices.Sorted(maps.Keys(n.Notifiers))
	for _, name := range slices.Sorted(maps.Keys(n.Contacts)) {
		c := n.Contacts[name]
		addrs := map[string]string{}
		for _, nf := range notifiers {
			plugin := n.Notifiers[nf].Plugin
			switch a, ok := c.Addresses[nf]; {
			case ok:
				addrs[nf] = a
			case c.Addresses[plugin] != "":
				addrs[nf] = c.Addresses[plugin]
			case plugin == "email" && c.Email != "":
				addrs[nf] = c.Email
			case plugin == "sms" && c.Phone != "":
				addrs[nf] = c.Phone
			}
		}
		cfg.Contacts = append(cfg.Contacts, notify.Contact{Name: name, Addresses: addrs})
	}
	for _, name := range slices.Sorted(maps.Keys(n.Teams)) {
		cfg.Teams = append(cfg.Teams, notify.Team{Name: name, Members: n.Teams[name].Members})
	}
	// split sorts the names of a route's to (or an escalation's) into
	// contacts and teams: they share one set of names.
	split := func(names []string) (contacts, teams []string) {
		for _, name := range names {
			if _, ok := n.Teams[name]; ok {
				teams = append(teams, name)
			} else {
				contacts = append(contacts, name)
			}
		}
		return contacts, teams
	}
	for _, r := range n.Routes {
		nr := notify.Route{
			Name:           r.Name,
			Notifiers:      r.Notifiers,
			Fallback:       r.Fallback,
			RepeatInterval: r.Repeat,
			FirstDelay:     r.FirstDelay,
			Continue:       r.Continue,
		}
		if r.Match.Level != check.LevelOK {
			nr.Levels = []check.Level{r.Match.Level}
		}
		if r.Match.Check != "" {
			// A route matches a check's name; the pipeline matches ids.
			nr.Checks = []string{"*/" + r.Match.Check}
		}
		if r.Match.Host != "" {
			nr.Hosts = []string{r.Match.Host}
		}
		nr.Tags = tagList(r.Match.Tags)
		switch {
		case r.Team != "": // a route in a team folder: that team's checks only
			nr.Teams = []string{r.Team}
		case r.Match.Team != "":
			nr.Teams = []string{r.Match.Team}
		}
		switch {
		case r.During != "":
			nr.Period = r.During
		case r.NotDuring != "":
			nr.Period, nr.OutsidePeriod = r.NotDuring, true
		}
		nr.Contacts, nr.Notify = split(r.To)
		for _, e := range r.Escalations {
			ne := notify.Escalation{AfterNotifications: e.AfterNotifications, AfterUnacknowledged: e.After}
			names := e.Add
			if len(e.Replace) > 0 {
				names, ne.Replace = e.Replace, true
			}
			ne.Contacts, ne.Notify = split(names)
			nr.Escalations = append(nr.Escalations, ne)
		}
		cfg.Routes = append(cfg.Routes, nr)
	}
	return cfg
}

// notifiersOf returns the configured notifier instances by name.
func notifiersOf(n *definitions.Notifications) map[string]notify.Notifier {
	out := make(map[string]notify.Notifier, len(n.Notifiers))
	for name, nf := range n.Notifiers {
		out[name] = nf.Instance
	}
	return out
}

// tagList returns tags as sorted "key=value" strings, as routes and
// checks are matched on them.
func tagList(tags map[string]string) []string {
	if len(tags) == 0 {
		return nil
	}
	out := make([]string, 0, len(tags))
	for k, v := range tags {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// notifyLookup gives the pipeline the running configuration's checks and
// time periods, so that they follow reloads.
type notifyLookup struct{ d *Daemon }

// CheckInfo returns a check's host, tags and team, and its host's parent
// as its group; a check that checks.d does not declare (a dynamic passive
// one) has the host of its id.
func (l notifyLookup) CheckInfo(id string) (notify.CheckInfo, bool) {
	set := l.d.cfg.Load().set
	var info notify.CheckInfo
	if def, ok := set.Lookup(id); ok {
		info = notify.CheckInfo{Host: def.Host, Tags: tagList(def.Tags), Team: def.Team}
	} else {
		info.Host, _, _ = strings.Cut(id, "/")
	}
	if h, ok := set.Host(info.Host); ok {
		info.Group = h.Parent
	}
	return info, true
}

// Get returns a time period of the running configuration.
func (l notifyLookup) Get(name string) (*timeperiod.TimePeriod, bool) {
	return l.d.cfg.Load().set.Notifications().Periods.Get(name)
}

// startNotify makes the pipeline and the sender for l. A store that never
// held the pipeline's checkpoint starts it at the newest transition, so
// that turning notifications on does not send the history.
func (d *Daemon) startNotify(ctx context.Context, l *loaded) error {
	cp, err := d.store.Checkpoint(ctx, notifyConsumer)
	if err != nil {
		return fmt.Errorf("starting notifications: %w", err)
	}
	if cp.LastID == 0 && len(cp.State) == 0 {
		last, err := d.store.Transitions(ctx, store.TransitionQuery{Limit: 1, NewestFirst: true})
		if err != nil {
			return fmt.Errorf("starting notifications: reading the newest transition: %w", err)
		}
		if len(last) > 0 {
			cp := store.Checkpoint{Consumer: notifyConsumer, LastID: last[0].ID, Updated: time.Now()}
			if _, err := d.store.SaveCheckpoint(ctx, cp, nil); err != nil {
				return fmt.Errorf("starting notifications: %w", err)
			}
		}
	}
	log := d.log.With().Str("component", "notify").Logger()
	lookup := notifyLookup{d: d}
	d.pipeline, err = notify.New(ctx, l.notify, notify.Options{Store: d.store, Checks: lookup, Periods: lookup,
		Logger: log, Consumer: notifyConsumer})
	if err != nil {
		return fmt.Errorf("starting notifications: %w", err)
	}
	d.sender, err = notify.NewSender(notify.SenderOptions{Outbox: d.store, Notifiers: l.notifiers, Logger: log})
	if err != nil {
		return fmt.Errorf("starting notifications: %w", err)
	}
	return nil
}

// runPipeline feeds the pipeline with the engine's committed transitions
// until ctx ends, and ticks it every interval (as notify.Pipeline.Run),
// taking the routes of a reload before each step.
func (d *Daemon) runPipeline(ctx context.Context, interval time.Duration) {
	for {
		wait, cancel := context.WithTimeout(ctx, interval)
		cs, err := d.engine.Transitions(wait, d.pipeline.LastID(), 1000)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			d.log.Error().Err(err).Msg("notify: reading transitions")
			cs = nil
		}
		if cfg := d.notifyReload.Swap(nil); cfg != nil {
			if err := d.pipeline.Reload(*cfg); err != nil {
				d.log.Error().Err(err).Msg("reloading the notification routes; the previous ones stay")
			}
		}
		if _, err = d.pipeline.Handle(ctx, cs); err != nil && ctx.Err() == nil {
			d.log.Error().Err(err).Msg("notify step failed; it is tried again")
		}
	}
}

// reloadNotify gives the pipeline (at its next step) and the sender the
// configuration of l.
func (d *Daemon) reloadNotify(l *loaded) {
	if d.pipeline == nil {
		if !l.set.Notifications().Empty() {
			d.log.Warn().Msg("notifications were configured by a reload; they start at the next restart of vakt")
		}
		return
	}
	cfg := l.notify
	d.notifyReload.Store(&cfg)
	d.sender.SetNotifiers(l.notifiers)
}
