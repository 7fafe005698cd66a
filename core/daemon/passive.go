package daemon

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/passive"
	"github.com/vakt/vakt/core/state"
)

// The authors of the downtimes that Xymon disable commands make; enable
// cancels exactly these.
const (
	disableAuthor        = "bigbrother disable"
	disableUntilOKAuthor = "bigbrother disable until OK"
	// untilOKHorizon is the end of a downtime that lasts until the check
	// is OK again: far enough to mean "until cancelled".
	untilOKHorizon = 10 * 366 * 24 * time.Hour
)

// ErrTooManyPassiveChecks is returned for a result that would create a
// dynamic passive check beyond Options.MaxPassiveChecks.
var ErrTooManyPassiveChecks = errors.New("too many passive checks")

// Submit applies a passive result (passive.Sink). A result for a check that
// checks.d does not know creates a dynamic passive check (see the package
// documentation).
func (d *Daemon) Submit(ctx context.Context, r passive.Result) error {
	id := r.Host + "/" + r.Check
	if err := d.ensurePassive(id, r.TTL); err != nil {
		return err
	}
	res := check.Result{
		Check: r.Check, Host: r.Host, State: r.State, Output: r.Output, Long: r.Long,
		Perfdata: r.Perfdata, Notes: r.Notes, ExitCode: -1, Start: r.Received,
	}
	st, err := d.apply(ctx, id, res)
	if err != nil {
		return fmt.Errorf("applying the passive result of %s: %w", id, err)
	}
	d.passiveResults.Add(1)
	d.log.Debug().Str("check", id).Str("source", r.Source).Stringer("state", r.State).
		Str("output", r.Output).Str("type", string(st.Type)).Msg("passive result")
	return nil
}

// ensurePassive makes sure check id exists: a configured check is used as
// it is; an unknown one becomes a dynamic passive check with ttl, and a
// dynamic one whose sender changed the lifetime takes the new one.
func (d *Daemon) ensurePassive(id string, ttl time.Duration) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, known := d.settings[id]
	oldTTL, dynamic := d.passive[id]
	switch {
	case known && !dynamic:
		return nil
	case dynamic && oldTTL == ttl:
		return nil
	case !known && len(d.passive) >= d.opts.MaxPassiveChecks:
		return fmt.Errorf("accepting a result for %s: %w: the limit of %d is reached", id, ErrTooManyPassiveChecks, d.opts.MaxPassiveChecks)
	}
	settings := maps.Clone(d.settings)
	settings[id] = d.cfg.Load().passiveSettings(id, ttl)
	if err := d.machine.Configure(time.Now(), settings); err != nil {
		return fmt.Errorf("adding passive check %s: %w", id, err)
	}
	d.settings = settings
	d.passive[id] = ttl
	if !known {
		d.log.Info().Str("check", id).Stringer("ttl", ttl).Msg("new passive check")
	}
	return nil
}

// SubmitCommand takes a Xymon disable or enable command
// (passive.CommandSink): downtime for a check or every check of a host, and
// its end.
func (d *Daemon) SubmitCommand(ctx context.Context, c passive.Command) error {
	ctx = context.WithoutCancel(ctx)
	d.mu.Lock()
	defer d.mu.Unlock()
	ids := d.commandTargets(c)
	if len(ids) == 0 {
		return fmt.Errorf("%s %s.%s: no such check", c.Kind, c.Host, c.Check)
	}
	now := time.Now()
	// A command for every check of a host is one burst: its transitions go
	// to the store in one transaction. A command that causes no transition
	// (enable without a downtime to end) has changed nothing.
	var all []state.Transition
	defer func() { d.record(ctx, all, d.statesAfter(all, now)) }()
	for _, id := range ids {
		var (
			trs []state.Transition
			err error
		)
		switch c.Kind {
		case passive.Disable:
			dt := state.Downtime{Fixed: true, Start: now, End: now.Add(c.Duration), Author: disableAuthor, Comment: c.Reason}
			if c.UntilOK {
				dt.End, dt.Author = now.Add(untilOKHorizon), disableUntilOKAuthor
			}
			_, trs, err = d.machine.ScheduleDowntime(now, id, dt)
		case passive.Enable:
			trs, err = d.cancelDowntimes(now, id, disableAuthor, disableUntilOKAuthor)
		default:
			err = fmt.Errorf("unknown command kind %d", int(c.Kind))
		}
		all = append(all, trs...)
		if err != nil {
			return fmt.Errorf("%s %s: %w", c.Kind, id, err)
		}
		d.log.Info().Str("check", id).Str("command", c.Kind.String()).Dur("duration", c.Duration).
			Bool("until_ok", c.UntilOK).Str("reason", c.Reason).Str("source", c.Source).Msg("Big Brother command")
	}
	return nil
}

// commandTargets are the checks a command names, by ID. d.mu must be held.
func (d *Daemon) commandTargets(c passive.Command) []string {
	if c.Check != "*" {
		id := c.Host + "/" + c.Check
		if _, ok := d.settings[id]; ok {
			return []string{id}
		}
		return nil
	}
	var ids []string
	for id := range d.settings {
		if strings.HasPrefix(id, c.Host+"/") {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// endUntilOKDowntimes cancels the "until OK" downtimes of a check that is
// OK now. d.mu must be held.
func (d *Daemon) endUntilOKDowntimes(now time.Time, id string) []state.Transition {
	st, ok := d.machine.Status(id)
	if !ok || st.State != check.OK || len(st.Downtimes) == 0 {
		return nil
	}
	trs, err := d.cancelDowntimes(now, id, disableUntilOKAuthor)
	if err != nil {
		d.log.Error().Err(err).Str("check", id).Msg("ending a downtime until OK")
	}
	return trs
}

// cancelDowntimes cancels the downtimes of check id made by any of authors.
// d.mu must be held.
func (d *Daemon) cancelDowntimes(now time.Time, id string, authors ...string) ([]state.Transition, error) {
	st, ok := d.machine.Status(id)
	if !ok {
		return nil, fmt.Errorf("%w %q", state.ErrUnknownCheck, id)
	}
	var out []state.Transition
	for _, dt := range st.Downtimes {
		for _, a := range authors {
			if dt.Author != a {
				continue
			}
			trs, err := d.machine.CancelDowntime(now, id, dt.ID)
			if err != nil {
				return out, err
			}
			out = append(out, trs...)
		}
	}
	return out, nil
}
