// Package daemon is `vakt run`: it wires the components that start and
// stop (the store, the engine, the scheduler, the listeners) into one
// long-running process. What results and commands mean is the engine's
// (core/engine); the daemon only connects the parts.
//
// # Data flow
//
// checks.d is loaded through core/definitions (the one load path of
// validate, check and run). The scheduler runs each due check through the
// runner and hands the result to engine.Apply; passive results (POST
// /api/v1/results, the Big Brother port) go to engine.Submit; commands
// (acks, downtimes, Xymon disable/enable, passive check removal) go to the
// engine's command path. The engine applies them to the state machine,
// group-commits the transitions and states to the store, and only then logs
// and publishes each transition with its store id (see core/engine). The
// HTTP API reads statuses and metrics from the engine and sends its
// commands through it.
//
// Every Options.MaintenanceInterval, and once at start, the perfdata
// samples are rolled up into 5-minute and 1-hour buckets and what is past
// its retention is deleted (store.Downsample and store.Prune).
//
// # Restarts
//
// The store keeps each check's state.Status (acks and downtimes included)
// as the JSON blob of its row. New restores them, so a problem that was
// HARD before a restart (or a kill -9) stays HARD and raises no second
// problem transition. A kill -9 loses at most what the engine had not
// committed yet, never a transition that was logged. A check restored in a
// SOFT problem runs at once, to get on with its retries.
//
// # Reload
//
// Reload (SIGHUP, `vakt reload`, POST /api/v1/reload) reads checks.d again.
// A configuration with errors is refused: the running one stays and the
// diagnostics are logged and returned. So is one that would remove every
// running check (an emptied or unmounted checks.d), unless forced (`vakt
// reload --force`, ?force=1). Otherwise checks that stay keep their state
// and their schedule, removed checks stop (their stored state is deleted,
// their history stays) and new ones start spread over their interval.
//
// # Parents
//
// A host's parent (host "web1" { parent = "router1" }) makes the checks of
// web1 depend on the checks of router1 tagged host_alive = "true"
// (definitions.HostAliveTag): while one of those is not OK, a problem of a
// web1 check is UNREACHABLE and does not notify by itself. A parent host
// without such a check has no effect, and a warning at load (and in
// `vakt validate`) says so.
//
// # Notifications
//
// When the configuration at start has a notifier or a route
// (definitions.Set.Notifications), New makes a core/notify Pipeline and
// Sender on the store, and Run feeds the pipeline with the engine's
// committed transitions ((*engine.Engine).Transitions) and runs the sender,
// both every Options.NotifyInterval, until ctx ends. The notifier plugins
// run in process, configured by core/definitions; the pipeline looks
// checks (host, tags, team, and the host's parent as the group) and time
// periods up in the running configuration. A store that never held the
// pipeline's checkpoint starts it at the newest transition: turning
// notifications on does not send the history. Reload hands the pipeline
// the new routes and the sender the new notifiers. Without any notifier or
// route nothing of this runs; one added by a reload starts at the next
// restart.
//
// # Shutdown
//
// When ctx ends, the listeners stop taking input, the runs in progress
// finish, and then the engine commits what it holds (waiting at most
// engine.Options.CloseTimeout for a failing store, so a daemon on a full
// disk still stops).
package daemon
