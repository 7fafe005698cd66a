package schedule

import (
	"hash/fnv"
	"io"
	"time"
)

// phaseOffset is where in each interval a check runs: a hash of its ID
// reduced modulo the interval. It depends on nothing but the ID and the
// interval, so a restarted daemon, or a second one with the same checks,
// runs every check at the same point of its interval, and N checks with the
// same interval are spread across it instead of firing together.
//
// The hash is FNV-1a followed by the MurmurHash3 64-bit finaliser, which
// spreads IDs that differ only in their last characters over all bits.
// Changing it moves every check's phase once.
func phaseOffset(id string, interval time.Duration) int64 {
	h := fnv.New64a()
	_, _ = io.WriteString(h, id) // writing to a hash never fails
	x := h.Sum64()
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return int64(x % uint64(interval))
}

// gridNext returns the first time t >= now (all in Unix nanoseconds) with
// t ≡ offset modulo interval: the check's next point on its phase grid,
// which is counted from the Unix epoch.
func gridNext(now, interval, offset int64) int64 {
	into := now % interval
	if into < 0 {
		into += interval
	}
	t := now - into + offset
	if t < now {
		t += interval
	}
	return t
}

// firstDue is when a check that is new to the scheduler at time now first
// runs: its phase point within the next interval.
func firstDue(id string, interval time.Duration, now int64) int64 {
	return gridNext(now, int64(interval), phaseOffset(id, interval))
}

// nextDue is when a check whose run was due at due and finished at now runs
// next, given the step (the interval or the retry interval): at due+step, or,
// if that has already come and gone while the check was queued or running,
// at the first later point due+k*step after now. It also returns how many
// such points were skipped. Counting from due rather than from now keeps
// the check in phase however late the run started.
func nextDue(due, now int64, step time.Duration) (next int64, missed uint64) {
	s := int64(step)
	next = due + s
	if next > now {
		return next, 0
	}
	k := (now-due)/s + 1 // the smallest k with due+k*s > now
	return due + k*s, uint64(k - 1)
}
