// Package engine is vakt's one result path and one command path: the only
// writer of check state at run time.
//
// # Results
//
// A scheduled run (Apply) and a passive result (Submit) take the same
// path. Under the engine's lock the state machine applies the result and
// what it caused (the transitions, the check's new status, its perfdata)
// is queued; nothing waits on the disk, a socket or a process under the
// lock. A committer goroutine then writes everything queued since its last
// commit in one SQLite transaction (store.Commit): results that arrive
// together cost one fsync, a router outage that turns hundreds of checks
// CRITICAL at once costs one commit. Only once a transition is committed
// is it logged at info with its store id and published to consumers
// (Transitions), so nothing acts on a transition that a crash could lose.
// Sync waits until everything applied before it is durable: the HTTP API
// answers 202 only then.
//
// # When the store fails
//
// When a commit fails (disk full, I/O error) the engine keeps running
// checks and keeps what it has not written: transitions in order, each
// check's latest state, and perfdata, retried with backoff
// (Options.RetryBackoff up to Options.MaxRetryBackoff). Perfdata is shed
// first (oldest first) once more than Options.MaxQueuedPerf results' worth
// wait; transitions are never dropped: once Options.MaxQueuedTransitions
// wait, new results are refused before they change anything
// (ErrBackpressure; a passive sender gets 503, a scheduled run is retried
// at its next interval). Health says why, a metric and an error log say
// so, the API and shutdown keep working, and everything queued is written
// once the store takes writes again.
//
// # Commands
//
// Acknowledgements, downtimes (fixed or flexible; on a check, on every
// check of a host, or on every check with a tag), Xymon's disable and
// enable, and the removal of dynamic passive checks go through the same
// lock and the same commit, and leave history rows (transitions). Their
// one home is each check's status (state.Status), saved with the check's
// row in the store.
//
// # Passive checks
//
// A passive result for a check that the definitions do not know creates a
// dynamic passive check (Big Sister agents expect this): max_attempts 1,
// UNKNOWN raises error, TTL the result's lifetime, parents those of its
// host. They are added one at a time (state.Machine.Add), at most
// Options.MaxPassiveChecks in all and Options.MaxPassivePerSource per
// sender address; one that stays stale for Options.PassiveExpiry is
// removed, and RemovePassive removes one by hand.
package engine
