package daemon

import (
	"context"
	"errors"
	"fmt"

	"github.com/vakt/vakt/core/schedule"
	"github.com/vakt/vakt/core/server"
)

// Reload reads checks.d again and makes it the running configuration:
// checks that stay keep their state and schedule, removed ones stop (their
// history stays), new ones start spread over their interval. A
// configuration with errors is refused and the running one stays; so is
// one that would remove every running check, unless force is set (an
// emptied or mis-mounted checks.d must not wipe every state).
func (d *Daemon) Reload(ctx context.Context, force bool) server.ReloadReport {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()

	l, err := d.load(ctx)
	if err != nil {
		return d.reloadRefused(err)
	}
	old := d.cfg.Load()
	report := server.ReloadReport{OK: true, Diagnostics: l.warnings, Checks: l.set.Len()}
	for _, def := range l.set.Checks() {
		if _, ok := old.set.Lookup(def.ID); ok {
			report.Kept++
		} else {
			report.Added++
		}
	}
	report.Removed = old.set.Len() - report.Kept
	if report.Kept == 0 && old.set.Len() > 0 && !force {
		return d.reloadRefused(fmt.Errorf("it would remove every one of the %d running checks (%d in the new configuration); reload with force to do so",
			old.set.Len(), l.set.Len()))
	}
	l.logNotes(d.log)

	removed, err := d.engine.Configure(l.set)
	if err != nil {
		return d.reloadRefused(err)
	}
	d.cfg.Store(l)
	d.reloadNotify(l)
	entries := make([]schedule.Entry, 0, l.set.Len())
	for _, def := range l.set.Checks() {
		entries = append(entries, def.Schedule)
	}
	// The entries were checked by load; the scheduler cannot refuse them.
	if err := d.sched.Reload(entries); err != nil {
		d.log.Error().Err(err).Msg("reloading the schedule")
	}
	d.reloads.Add(1)
	d.log.Info().Int("checks", report.Checks).Int("added", report.Added).Int("removed", report.Removed).
		Int("kept", report.Kept).Strs("forgotten", removed).Bool("forced", force).Msg("configuration reloaded")
	return report
}

func (d *Daemon) reloadRefused(err error) server.ReloadReport {
	d.reloadFailures.Add(1)
	report := server.ReloadReport{Error: "the new configuration was refused; the running one stays: " + err.Error()}
	var cfgErr *ConfigError
	if errors.As(err, &cfgErr) {
		report.Error = "checks.d has errors; the running configuration stays"
		report.Diagnostics = cfgErr.Text
	}
	d.log.Error().Str("error", report.Error).Str("diagnostics", report.Diagnostics).Msg("reload refused")
	return report
}
