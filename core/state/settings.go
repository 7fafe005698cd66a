package state

import (
	"fmt"
	"sort"
	"time"

	"github.com/vakt/vakt/core/check"
)

// Default flap thresholds, in percent state change (Nagios'
// low_service_flap_threshold and high_service_flap_threshold).
const (
	DefaultFlapLow  = 20.0
	DefaultFlapHigh = 30.0
)

// Settings is what the state logic needs from a check's definition.
type Settings struct {
	// MaxAttempts is max_check_attempts: how many non-OK results in a row
	// make a problem HARD. At least 1.
	MaxAttempts int
	// UnknownAs is the level an UNKNOWN result raises. Its zero value is
	// check.LevelOK; the configuration's default is check.LevelError, so
	// set it explicitly.
	UnknownAs check.Level
	// Parents are the IDs of checks this one depends on (a router, an
	// uplink). While any parent is non-OK, a non-OK result of this check
	// is UNREACHABLE and does not notify; while a parent is HARD non-OK,
	// this check's problems go HARD at once, without retries.
	Parents []string
	// FlapLow and FlapHigh are the flap thresholds in percent; 0 means the
	// default (20 and 30). Flapping starts at >= FlapHigh and stops at
	// <= FlapLow.
	FlapLow, FlapHigh float64
	// TTL is the freshness threshold: with no result for longer than TTL,
	// the check goes stale (UNKNOWN, HARD). 0 disables it. Meant for
	// passive checks; it works for any.
	TTL time.Duration
	// FirstNotificationDelay holds back the first notification of a
	// problem until this long after its first non-OK result.
	FirstNotificationDelay time.Duration
}

func (s Settings) flapThresholds() (low, high float64) {
	low, high = s.FlapLow, s.FlapHigh
	if low == 0 {
		low = DefaultFlapLow
	}
	if high == 0 {
		high = DefaultFlapHigh
	}
	return low, high
}

// validateSettings checks a whole configuration at once: each check's own
// values, that every parent exists, and that parents form no cycle.
func validateSettings(all map[string]Settings) error {
	ids := make([]string, 0, len(all))
	for id := range all {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := validateOne(id, all[id], settingsMap(all)); err != nil {
			return err
		}
	}
	return findParentCycle(ids, all)
}

// settingsLookup finds a check's settings: a map of them, or a Machine's.
type settingsLookup interface {
	lookupSettings(id string) (Settings, bool)
}

type settingsMap map[string]Settings

func (m settingsMap) lookupSettings(id string) (Settings, bool) { s, ok := m[id]; return s, ok }

type machineSettings struct{ m *Machine }

func (v machineSettings) lookupSettings(id string) (Settings, bool) {
	e, ok := v.m.checks[id]
	if !ok {
		return Settings{}, false
	}
	return e.settings, true
}

func validateOne(id string, s Settings, all settingsLookup) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: check %q: %s", ErrInvalid, id, fmt.Sprintf(format, args...))
	}
	if id == "" {
		return fmt.Errorf("%w: a check has an empty ID", ErrInvalid)
	}
	if s.MaxAttempts < 1 {
		return bad("max_attempts must be at least 1, got %d", s.MaxAttempts)
	}
	if s.UnknownAs < check.LevelOK || s.UnknownAs > check.LevelError {
		return bad("unknown_as is not a level (%d): want ok, warning or error", int(s.UnknownAs))
	}
	low, high := s.flapThresholds()
	if low < 0 || high < 0 || low > 100 || high > 100 {
		return bad("flap thresholds must be within 0..100, got low %v and high %v", s.FlapLow, s.FlapHigh)
	}
	if low > high {
		return bad("flap low threshold %v is above the high threshold %v", low, high)
	}
	if s.TTL < 0 {
		return bad("ttl is negative (%s)", s.TTL)
	}
	if s.FirstNotificationDelay < 0 {
		return bad("first_notification_delay is negative (%s)", s.FirstNotificationDelay)
	}
	seen := make(map[string]bool, len(s.Parents))
	for _, p := range s.Parents {
		switch {
		case p == id:
			return bad("it lists itself as a parent")
		case seen[p]:
			return bad("parent %q listed twice", p)
		}
		if _, ok := all.lookupSettings(p); !ok {
			return bad("parent %q is not a configured check", p)
		}
		seen[p] = true
	}
	return nil
}

// findParentCycle reports the first cycle in the parent graph, visiting
// checks in ID order so the error is the same every time.
func findParentCycle(ids []string, all map[string]Settings) error {
	const (
		unvisited = iota
		inProgress
		done
	)
	mark := make(map[string]int, len(ids))
	var path []string
	var visit func(id string) error
	visit = func(id string) error {
		switch mark[id] {
		case done:
			return nil
		case inProgress:
			start := 0
			for i, p := range path {
				if p == id {
					start = i
				}
			}
			cycle := append(append([]string(nil), path[start:]...), id)
			return fmt.Errorf("%w: parents form a cycle: %v", ErrInvalid, cycle)
		}
		mark[id] = inProgress
		path = append(path, id)
		for _, p := range all[id].Parents {
			if err := visit(p); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		mark[id] = done
		return nil
	}
	for _, id := range ids {
		if err := visit(id); err != nil {
			return err
		}
	}
	return nil
}
