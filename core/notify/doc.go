// Package notify turns committed transitions into notifications and
// delivers them, in stages as Alertmanager's notify pipeline:
//
//   - route: each transition's check (level, id, host, tags, team) is
//     matched against ordered Routes, inside or outside a time period; the
//     first match stops unless it says Continue.
//   - decide: Nagios 4 semantics on top of what core/state decided (acks,
//     downtime, flapping, unreachable parents and soft states are already
//     in Transition.Notify): a HARD problem is repeated every
//     RepeatInterval (0: once) while it lasts and is not acknowledged, in
//     downtime or flapping; FirstDelay holds the first one back;
//     escalation steps add or replace recipients after N notifications or
//     after a time unacknowledged; a recovery or an acknowledgement goes
//     to everyone who heard of the problem; when flapping stops while a
//     HARD problem remains, FLAPPINGSTOP and the problem are both sent (as
//     Nagios 4.4.6 does).
//   - dedup: a notification log per problem keeps a restart or a
//     re-released problem from telling the same recipient the same thing
//     twice.
//   - group: what fires within GroupWait for one group key (the check's
//     Group, e.g. the parent router, else its host), one kind and one
//     recipient becomes one message.
//   - outbox: messages are written to the store's outbox together with the
//     pipeline's checkpoint (the last transition handled and its state) in
//     one transaction, so a restart resumes exactly where it stopped. A
//     Sender claims due rows with a lease, calls the notifier, and marks
//     them sent, failed (retried with backoff) or dead (a permanent error,
//     or expired); a dead one is sent again through the route's fallback
//     notifiers.
//
// Everything takes its time from a Clock, so tests drive it with a fake
// one; the Pipeline is not safe for concurrent use (one goroutine feeds it),
// the Sender is.
package notify
