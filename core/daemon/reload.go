package daemon

import (
	"context"
	"errors"
	"maps"
	"sort"
	"time"

	"github.com/vakt/vakt/core/server"
)

// Reload reads checks.d again and makes it the running configuration:
// checks that stay keep their state and schedule, removed ones stop, new
// ones start spread over their interval. A configuration with errors is
// refused and the running one stays; the report holds the diagnostics.
func (d *Daemon) Reload(ctx context.Context) server.ReloadReport {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()

	l, err := d.load(ctx)
	if err != nil {
		return d.reloadRefused(err)
	}
	l.logNotes(d.log)

	d.mu.Lock()
	settings := maps.Clone(l.settings)
	passiveTTL := make(map[string]time.Duration, len(d.passive))
	for id, ttl := range d.passive {
		if _, configured := l.settings[id]; configured {
			continue // now a check of checks.d
		}
		passiveTTL[id] = ttl
		settings[id] = l.passiveSettings(id, ttl)
	}
	if err := d.machine.Configure(time.Now(), settings); err != nil {
		d.mu.Unlock()
		return d.reloadRefused(err)
	}
	var removed []string
	for id := range d.settings {
		if _, ok := settings[id]; !ok {
			removed = append(removed, id)
		}
	}
	old := d.cfg.Load()
	d.settings, d.passive = settings, passiveTTL
	d.cfg.Store(l)
	d.mu.Unlock()

	// The entries were checked by load; the scheduler cannot refuse them.
	if err := d.sched.Reload(l.entries); err != nil {
		d.log.Error().Err(err).Msg("reloading the schedule")
	}
	// The results of removed checks queued before the Configure above
	// are committed first, so that none brings a deleted state back.
	if err := d.writer.Flush(ctx); err != nil {
		d.storeErrors.Add(1)
		d.log.Error().Err(err).Msg("committing the results queued before the reload")
	}
	sort.Strings(removed)
	if _, err := d.store.DeleteStates(ctx, removed); err != nil {
		d.storeErrors.Add(1)
		d.log.Error().Err(err).Strs("checks", removed).Msg("deleting the states of removed checks")
	}

	report := server.ReloadReport{OK: true, Diagnostics: l.warnings, Checks: len(l.entries)}
	for id := range l.byID {
		if _, ok := old.byID[id]; ok {
			report.Kept++
		} else {
			report.Added++
		}
	}
	for id := range old.byID {
		if _, ok := l.byID[id]; !ok {
			report.Removed++
		}
	}
	d.reloads.Add(1)
	d.log.Info().Int("checks", report.Checks).Int("added", report.Added).Int("removed", report.Removed).
		Int("kept", report.Kept).Strs("forgotten", removed).Msg("configuration reloaded")
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
