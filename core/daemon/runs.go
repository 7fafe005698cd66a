package daemon

import (
	"context"
	"errors"

	"github.com/vakt/vakt/core/engine"
	"github.com/vakt/vakt/core/schedule"
	"github.com/vakt/vakt/core/state"
)

// runCheck is the scheduler's Runner: it runs one check and hands its
// result to the engine.
func (d *Daemon) runCheck(ctx context.Context, id string) schedule.Next {
	l := d.cfg.Load()
	def, ok := l.set.Lookup(id)
	if !ok {
		return schedule.Normal // removed by a reload while it was due
	}
	res := l.runner.Run(ctx, def.Job)
	if ctx.Err() != nil {
		// Cut short by shutdown (the scheduler's stop grace): not a
		// result of the check.
		d.log.Warn().Str("check", id).Msg("run cut short by shutdown: result dropped")
		return schedule.Normal
	}
	st, err := d.engine.Apply(id, res)
	switch {
	case errors.Is(err, state.ErrUnknownCheck):
		d.log.Debug().Str("check", id).Msg("result dropped: the check was removed while it ran")
		return schedule.Normal
	case engine.IsRefusal(err):
		d.runsRefused.Add(1)
		d.log.Warn().Err(err).Str("check", id).Msg("result not applied: it runs again at its next interval")
		return schedule.Normal
	case err != nil:
		d.log.Error().Err(err).Str("check", id).Msg("result not applied")
		return schedule.Normal
	}
	d.runs.Add(1)
	if e := d.log.Debug(); e.Enabled() {
		e.Str("check", id).Stringer("state", res.State).Int("exit_code", res.ExitCode).
			Stringer("duration", res.Duration).Str("output", res.Output).Str("type", string(st.Type)).
			Int("attempt", st.Attempt).Msg("check ran")
	}
	if st.Retrying() {
		return schedule.Retry
	}
	return schedule.Normal
}
