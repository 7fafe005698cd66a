package state

import "github.com/vakt/vakt/core/check"

// PercentStateChange is Nagios' weighted percent state change over the last
// HistoryLen recorded states, oldest first. Transition x (1 = oldest, 20 =
// newest) weighs 0.75 + (x-1)*0.5/19; the percent is the sum of the weights
// of the transitions that changed state, times 100, over 20. Every
// transition changed: 100. Only the newest: 6.25. Only the oldest: 3.75.
//
// The weight is (57 + 2(x-1))/76, so the sum is taken over the integer
// numerators and divided once; the results above come out exact.
func PercentStateChange(history History) float64 {
	numerators := 0
	for x := 1; x < HistoryLen; x++ {
		if history[x] != history[x-1] {
			numerators += 57 + 2*(x-1)
		}
	}
	return float64(numerators*100) / float64(76*(HistoryLen-1))
}

// recordFlapState adds the current state to the flap history and updates
// the flapping flag. Like Nagios it records only HARD states and recoveries
// (a SOFT problem is not recorded). It returns KindFlappingStart,
// KindFlappingStop, or "" when flapping did not change.
func recordFlapState(s *Status, set Settings) Kind {
	if s.Type == Soft && s.State != check.OK {
		return ""
	}
	copy(s.History[:], s.History[1:])
	s.History[HistoryLen-1] = s.State
	s.PercentChange = PercentStateChange(s.History)

	low, high := set.flapThresholds()
	switch {
	case !s.Flapping && s.PercentChange >= high:
		s.Flapping = true
		// As Nagios: a recovery is owed after flapping only if flapping
		// started during a problem that had been notified.
		s.RecoveryAfterFlapping = s.State != check.OK && s.Notified
		return KindFlappingStart
	case s.Flapping && s.PercentChange <= low:
		s.Flapping = false
		return KindFlappingStop
	}
	return ""
}
