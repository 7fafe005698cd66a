// Package daemon is `vakt run`: it wires the configuration, the scheduler,
// the runner, the state machine, the store, the passive inputs and the HTTP
// API into one long-running process.
//
// # One path for every result
//
// A scheduled run and a passive result (POST /api/v1/results, or a status
// message on the Big Brother port) take the same path:
//
//  1. the state machine applies the result (state.Machine.Apply);
//  2. the transitions it returns are written to the store in one
//     transaction (store.RecordChanges), with the check's new state, and
//     only then logged at info ("transition", with its store id), so
//     nothing acts on a transition that a crash could lose;
//  3. the result, its state and perfdata go to the store's batching Writer;
//  4. a scheduled run asks the scheduler for its retry interval while the
//     check is in a SOFT problem.
//
// The Machine is not goroutine-safe: one mutex guards it, and is held from
// Apply until the transitions are durable and the result is queued, so the
// store sees the changes of one check in the order they happened. A ticker lets time pass for the
// Machine every Options.TickInterval: passive checks past their TTL go stale
// (purple), downtimes start and end. What one tick, one Big Brother command
// or one result causes is one store transaction, however many checks it
// touches, so a burst (a thousand checks going stale at once) holds the
// mutex for one commit, not a thousand.
//
// Every Options.MaintenanceInterval, and once at start, the perfdata
// samples are rolled up into 5-minute and 1-hour buckets and what is past
// its retention is deleted (store.Downsample and store.Prune).
//
// # Restarts
//
// The store keeps each check's state.Status as the JSON blob of its
// CheckState row. New restores them, so a problem that was HARD before a
// restart (or a kill -9) stays HARD and raises no second problem transition.
// A kill -9 loses at most the results the Writer had not committed yet, never
// a transition that was logged. The CheckState's LastCheck column holds the
// time of the event that produced the state (a result, or time passing), so
// that a late Writer batch never replaces a newer state.
//
// # Reload
//
// Reload (SIGHUP, `vakt reload`, POST /api/v1/reload) reads checks.d again.
// A configuration with errors is refused: the running one stays and the
// diagnostics are logged and returned. Errors include plugin checks whose
// config block their plugin refuses, when Options.Plugins validates
// (execute.PluginHost does), at start as at reload. Otherwise checks that
// stay keep their state and their schedule, removed checks stop (their
// stored state is deleted, their history stays) and new ones start spread
// over their interval. The Writer is flushed before the removed checks' states are
// deleted, so that no result queued before the reload brings one back.
//
// # Parents
//
// A host's parent (host "web1" { parent = "router1" }) makes the checks of
// web1 depend on the checks of router1 tagged host_alive = "true"
// (HostAliveTag): while one of those is not OK, a problem of a web1 check is
// UNREACHABLE and does not notify by itself. A parent host without such a
// check has no effect, and a warning at load says so. Other checks of the
// parent host (its disk, its load) never make its children unreachable.
//
// # Passive checks
//
// A passive result for a check of checks.d is applied to that check.
// A result for a host and check that checks.d does not know creates a
// dynamic passive check, as Big Sister agents expect: its ID is HOST/CHECK,
// max_attempts 1 (Big Sister has no soft states), UNKNOWN raises error,
// and its TTL is the result's lifetime (Big Brother's default is 30 minutes;
// a result over HTTP without ttl never goes stale). Its parents follow the
// host's parent, if the host is configured. Dynamic passive checks survive
// restarts and reloads; at most Options.MaxPassiveChecks of them are
// created, results for more are refused.
//
// Xymon's "disable HOST.TEST DURATION" becomes a fixed downtime of the check
// (or of every check of the host for TEST "*"), "disable ... -1" one that
// ends when the check is OK again, and "enable" cancels the downtimes that
// disable commands made.
package daemon
