package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
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

// Target names the checks a command is for: exactly one of a check ID
// (host/name), a host (every check of it) or a tag (key=value: every
// defined check with it).
type Target struct {
	Check string `json:"check,omitempty"`
	Host  string `json:"host,omitempty"`
	Tag   string `json:"tag,omitempty"`
}

func (t Target) String() string {
	switch {
	case t.Check != "":
		return "check " + t.Check
	case t.Host != "":
		return "host " + t.Host
	}
	return "tag " + t.Tag
}

// Validate reports a Target that does not name exactly one kind of thing.
func (t Target) Validate() error {
	n := 0
	for _, s := range []string{t.Check, t.Host, t.Tag} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("%w: name exactly one of a check, a host or a tag", state.ErrInvalid)
	}
	if t.Tag != "" && !strings.Contains(t.Tag, "=") {
		return fmt.Errorf("%w: tag %q: want key=value", state.ErrInvalid, t.Tag)
	}
	return nil
}

// targetsLocked returns the IDs a target names, sorted. e.mu must be held.
func (e *Engine) targetsLocked(t Target) ([]string, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	var ids []string
	switch {
	case t.Check != "":
		if _, ok := e.machine.Status(t.Check); ok {
			ids = []string{t.Check}
		}
	case t.Host != "":
		for _, st := range e.machine.Statuses() {
			if strings.HasPrefix(st.Check, t.Host+"/") {
				ids = append(ids, st.Check)
			}
		}
	default:
		key, value, _ := strings.Cut(t.Tag, "=")
		for _, d := range e.defs.Load().Checks() {
			if v, ok := d.Tags[key]; ok && v == value {
				ids = append(ids, d.ID)
			}
		}
		sort.Strings(ids)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: %w", t, ErrNoTarget)
	}
	return ids, nil
}

// Ack is an acknowledgement request.
type Ack struct {
	Target  Target `json:"target"`
	Author  string `json:"author"`
	Comment string `json:"comment"`
	Sticky  bool   `json:"sticky"`
	Notify  bool   `json:"notify"`
}

// Acknowledge acknowledges the problems of the checks t names and returns
// their IDs. For a host or a tag, the checks that are OK are skipped; it
// is an error when none has a problem. The acks are durable when it
// returns.
func (e *Engine) Acknowledge(ctx context.Context, a Ack) ([]string, error) {
	if strings.TrimSpace(a.Author) == "" {
		return nil, fmt.Errorf("acknowledging: %w: an author is required", state.ErrInvalid)
	}
	acked, err := e.command(func(now time.Time) ([]string, []state.Transition, error) {
		ids, err := e.targetsLocked(a.Target)
		if err != nil {
			return nil, nil, err
		}
		var done []string
		var all []state.Transition
		for _, id := range ids {
			st, _ := e.machine.Status(id)
			if st.State == check.OK && len(ids) > 1 {
				continue
			}
			trs, err := e.machine.Acknowledge(now, id, state.Ack{Author: a.Author, Comment: a.Comment, Sticky: a.Sticky, Notify: a.Notify})
			if err != nil {
				return done, all, err
			}
			done, all = append(done, id), append(all, trs...)
		}
		if len(done) == 0 {
			return nil, nil, fmt.Errorf("acknowledging %s: %w: no check there has a problem", a.Target, state.ErrConflict)
		}
		return done, all, nil
	})
	if err != nil {
		return acked, err
	}
	return acked, e.Sync(ctx)
}

// Unacknowledge removes the acks of the checks t names that have one.
func (e *Engine) Unacknowledge(ctx context.Context, t Target) ([]string, error) {
	removed, err := e.command(func(now time.Time) ([]string, []state.Transition, error) {
		ids, err := e.targetsLocked(t)
		if err != nil {
			return nil, nil, err
		}
		var done []string
		var all []state.Transition
		for _, id := range ids {
			if st, _ := e.machine.Status(id); st.Ack == nil && len(ids) > 1 {
				continue
			}
			trs, err := e.machine.Unacknowledge(now, id)
			if err != nil {
				return done, all, err
			}
			done, all = append(done, id), append(all, trs...)
		}
		if len(done) == 0 {
			return nil, nil, fmt.Errorf("removing the acks of %s: %w: none is acknowledged", t, state.ErrConflict)
		}
		return done, all, nil
	})
	if err != nil {
		return removed, err
	}
	return removed, e.Sync(ctx)
}

// DowntimeRequest schedules a downtime on the checks a target names.
type DowntimeRequest struct {
	Target Target `json:"target"`
	// Fixed runs from Start to End; flexible starts when a problem starts
	// inside [Start, End) and lasts Duration.
	Fixed    bool          `json:"fixed"`
	Start    time.Time     `json:"start"`
	End      time.Time     `json:"end"`
	Duration time.Duration `json:"duration"`
	Author   string        `json:"author"`
	Comment  string        `json:"comment"`
}

// Downtime is one scheduled downtime of one check.
type Downtime struct {
	Check string `json:"check"`
	state.Downtime
}

// ScheduleDowntime schedules one downtime per check the request's target
// names, all with one Ref (returned) by which they are listed and
// cancelled together. They are durable when it returns.
func (e *Engine) ScheduleDowntime(ctx context.Context, r DowntimeRequest) (string, []Downtime, error) {
	if strings.TrimSpace(r.Author) == "" {
		return "", nil, fmt.Errorf("scheduling a downtime: %w: an author is required", state.ErrInvalid)
	}
	ref := newRef()
	var made []Downtime
	_, err := e.command(func(now time.Time) ([]string, []state.Transition, error) {
		ids, err := e.targetsLocked(r.Target)
		if err != nil {
			return nil, nil, err
		}
		var all []state.Transition
		for i, id := range ids {
			dt, trs, err := e.machine.ScheduleDowntime(now, id, state.Downtime{Fixed: r.Fixed, Start: r.Start, End: r.End,
				Duration: r.Duration, Author: r.Author, Comment: r.Comment, Ref: ref})
			if err != nil {
				if i == 0 { // the request itself is wrong: nothing changed
					return nil, nil, err
				}
				return nil, all, err
			}
			made = append(made, Downtime{Check: id, Downtime: dt})
			all = append(all, trs...)
		}
		return ids, all, nil
	})
	if err != nil {
		return "", made, err
	}
	return ref, made, e.Sync(ctx)
}

// CancelDowntime cancels every downtime with ref (as ScheduleDowntime
// returned it, or as Downtimes lists it) and returns them.
func (e *Engine) CancelDowntime(ctx context.Context, ref string) ([]Downtime, error) {
	if ref == "" {
		return nil, fmt.Errorf("cancelling a downtime: %w: no downtime named", state.ErrInvalid)
	}
	var cancelled []Downtime
	_, err := e.command(func(now time.Time) ([]string, []state.Transition, error) {
		var all []state.Transition
		for _, st := range e.machine.Statuses() {
			for _, dt := range st.Downtimes {
				if dt.Ref != ref && fmt.Sprintf("%s#%d", st.Check, dt.ID) != ref {
					continue
				}
				trs, err := e.machine.CancelDowntime(now, st.Check, dt.ID)
				if err != nil {
					return nil, all, err
				}
				cancelled = append(cancelled, Downtime{Check: st.Check, Downtime: dt})
				all = append(all, trs...)
			}
		}
		if len(cancelled) == 0 {
			return nil, nil, fmt.Errorf("cancelling downtime %q: %w", ref, state.ErrUnknownDowntime)
		}
		return nil, all, nil
	})
	if err != nil {
		return cancelled, err
	}
	return cancelled, e.Sync(ctx)
}

// Downtimes lists every downtime not yet ended, by check and start.
func (e *Engine) Downtimes() []Downtime {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Downtime
	for _, st := range e.machine.Statuses() {
		for _, dt := range st.Downtimes {
			if dt.Ref == "" {
				dt.Ref = fmt.Sprintf("%s#%d", st.Check, dt.ID)
			}
			out = append(out, Downtime{Check: st.Check, Downtime: dt})
		}
	}
	return out
}

// command runs do under the lock, queues the transitions it returns with
// the states of their checks, and returns what do returned. Transitions
// that do made before failing are kept: they happened.
func (e *Engine) command(do func(now time.Time) ([]string, []state.Transition, error)) ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrClosed
	}
	if e.queuedTransitions.Load() >= int64(e.opts.MaxQueuedTransitions) {
		return nil, fmt.Errorf("running a command: %w", ErrBackpressure)
	}
	now := e.opts.Now()
	ids, trs, err := do(now)
	e.queueLocked(trs)
	e.queueStatesAfter(trs, now)
	return ids, err
}

// newRef names a downtime request.
func newRef() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return "dt-" + hex.EncodeToString(b[:])
}

// SubmitCommand takes a Xymon disable or enable command
// (passive.CommandSink): downtime for a check or every check of a host,
// and its end.
func (e *Engine) SubmitCommand(_ context.Context, c passive.Command) error {
	target := Target{Check: c.Host + "/" + c.Check}
	if c.Check == "*" {
		target = Target{Host: c.Host}
	}
	_, err := e.command(func(now time.Time) ([]string, []state.Transition, error) {
		ids, err := e.targetsLocked(target)
		if err != nil {
			return nil, nil, fmt.Errorf("%s %s.%s: %w", c.Kind, c.Host, c.Check, err)
		}
		var all []state.Transition
		for _, id := range ids {
			var trs []state.Transition
			switch c.Kind {
			case passive.Disable:
				dt := state.Downtime{Fixed: true, Start: now, End: now.Add(c.Duration), Author: disableAuthor, Comment: c.Reason}
				if c.UntilOK {
					dt.End, dt.Author = now.Add(untilOKHorizon), disableUntilOKAuthor
				}
				_, trs, err = e.machine.ScheduleDowntime(now, id, dt)
			case passive.Enable:
				trs, err = e.cancelDowntimesLocked(now, id, disableAuthor, disableUntilOKAuthor)
			default:
				err = fmt.Errorf("unknown command kind %d", int(c.Kind))
			}
			all = append(all, trs...)
			if err != nil {
				return nil, all, fmt.Errorf("%s %s: %w", c.Kind, id, err)
			}
			e.log.Info().Str("check", id).Str("command", c.Kind.String()).Stringer("duration", c.Duration).
				Bool("until_ok", c.UntilOK).Str("reason", c.Reason).Str("source", c.Source).Msg("Big Brother command")
		}
		return ids, all, nil
	})
	return err
}

// endUntilOKDowntimes cancels the "until OK" downtimes of a check that is
// OK now. e.mu must be held.
func (e *Engine) endUntilOKDowntimes(now time.Time, id string) []state.Transition {
	st, ok := e.machine.Status(id)
	if !ok || st.State != check.OK || len(st.Downtimes) == 0 {
		return nil
	}
	trs, err := e.cancelDowntimesLocked(now, id, disableUntilOKAuthor)
	if err != nil {
		e.log.Error().Err(err).Str("check", id).Msg("ending a downtime until OK")
	}
	return trs
}

// cancelDowntimesLocked cancels the downtimes of check id made by any of
// authors. e.mu must be held.
func (e *Engine) cancelDowntimesLocked(now time.Time, id string, authors ...string) ([]state.Transition, error) {
	st, ok := e.machine.Status(id)
	if !ok {
		return nil, fmt.Errorf("%w %q", state.ErrUnknownCheck, id)
	}
	var out []state.Transition
	for _, dt := range st.Downtimes {
		for _, a := range authors {
			if dt.Author != a {
				continue
			}
			trs, err := e.machine.CancelDowntime(now, id, dt.ID)
			if err != nil {
				return out, err
			}
			out = append(out, trs...)
		}
	}
	return out, nil
}

// Errors a command's caller can test for, re-exported from core/state so
// that the API needs only this package.
var (
	ErrConflict        = state.ErrConflict
	ErrUnknownDowntime = state.ErrUnknownDowntime
)

// IsUserError reports whether err is a command's own fault (a bad
// request, nothing to act on), as opposed to the engine failing.
func IsUserError(err error) bool {
	return errors.Is(err, state.ErrInvalid) || errors.Is(err, state.ErrConflict) ||
		errors.Is(err, state.ErrUnknownDowntime) || errors.Is(err, state.ErrUnknownCheck) || errors.Is(err, ErrNoTarget)
}
