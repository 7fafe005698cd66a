package server

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/vakt/vakt/core/engine"
	"github.com/vakt/vakt/core/passive"
	"github.com/vakt/vakt/core/schedule"
)

// Metrics are the daemon's counters, as GET /metrics shows them.
type Metrics struct {
	Scheduler schedule.Stats
	Engine    engine.Stats
	// BigBrother holds the 1984 listener's counters; nil when it is off.
	BigBrother *passive.Stats

	// Checks counts the checks by state name (OK, WARNING, CRITICAL,
	// UNKNOWN, and pending); nil: WriteMetrics counts the statuses given.
	Checks map[string]int

	Runs           uint64 // check runs whose result was applied
	RunsRefused    uint64 // check runs whose result the engine refused (back-pressure)
	StoreErrors    uint64 // perfdata maintenance runs the store refused
	Reloads        uint64 // reloads taken
	ReloadFailures uint64 // reloads refused (broken configuration)
}

// WriteMetrics writes m and the number of checks per state in statuses in
// the Prometheus text exposition format (version 0.0.4).
func WriteMetrics(w io.Writer, m Metrics, statuses []CheckStatus) error {
	bw := bufio.NewWriter(w)
	p := promWriter{w: bw}

	late := m.Scheduler.Lateness
	p.family("vakt_scheduler_lateness_seconds", "summary", "How late check runs started: the time a run started minus the time it was due.")
	p.sample(`vakt_scheduler_lateness_seconds{quantile="0.5"}`, seconds(late.P50))
	p.sample(`vakt_scheduler_lateness_seconds{quantile="0.99"}`, seconds(late.P99))
	p.sample("vakt_scheduler_lateness_seconds_sum", seconds(late.Sum))
	p.sample("vakt_scheduler_lateness_seconds_count", uintValue(late.Count))
	p.gauge("vakt_scheduler_lateness_max_seconds", "The latest start of a run so far.", seconds(late.Max))
	p.gauge("vakt_scheduler_checks", "Checks on the schedule.", strconv.Itoa(m.Scheduler.Checks))
	p.gauge("vakt_scheduler_queued", "Runs that are due and wait for a free slot.", strconv.Itoa(m.Scheduler.Queued))
	p.gauge("vakt_scheduler_running", "Runs in progress.", strconv.Itoa(m.Scheduler.Running))
	p.counter("vakt_scheduler_missed_total", "Due times that passed while their check was still queued or running.", m.Scheduler.Missed)
	p.counter("vakt_scheduler_panics_total", "Runs that panicked.", m.Scheduler.Panics)

	e := m.Engine
	p.counter("vakt_check_runs_total", "Check runs whose result was applied.", m.Runs)
	p.counter("vakt_check_runs_refused_total", "Check runs whose result was refused because too many transitions wait for the store.", m.RunsRefused)
	p.counter("vakt_passive_results_total", "Passive results applied (HTTP and Big Brother).", e.PassiveResults)
	p.counter("vakt_results_refused_total", "Results refused: back-pressure or passive check limits.", e.Refused)
	p.counter("vakt_transitions_total", "Transitions written to the store.", e.Transitions)
	p.counter("vakt_store_commits_total", "Group commits written to the store.", e.Commits)
	p.counter("vakt_store_commit_failures_total", "Commits the store refused (everything in them is kept and retried).", e.CommitFailures)
	p.family("vakt_store_commit_seconds_total", "counter", "Time spent in commits that succeeded.")
	p.sample("vakt_store_commit_seconds_total", strconv.FormatFloat(e.CommitSeconds, 'g', -1, 64))
	p.gauge("vakt_store_queued_transitions", "Transitions waiting for the store.", strconv.FormatInt(e.QueuedTransitions, 10))
	p.gauge("vakt_store_queued_perfdata", "Results' perfdata waiting for the store.", strconv.FormatInt(e.QueuedPerf, 10))
	p.counter("vakt_store_perfdata_shed_total", "Results' perfdata dropped while the store refused writes (transitions are never dropped).", e.PerfShed)
	failing := "0"
	if e.StoreFailing {
		failing = "1"
	}
	p.gauge("vakt_store_failing", "1 while the store refuses writes.", failing)
	p.counter("vakt_store_errors_total", "Perfdata maintenance runs the store refused.", m.StoreErrors)
	p.gauge("vakt_passive_checks", "Dynamic passive checks.", strconv.Itoa(e.PassiveChecks))
	p.counter("vakt_passive_checks_created_total", "Dynamic passive checks created.", e.PassiveCreated)
	p.counter("vakt_passive_checks_removed_total", "Dynamic passive checks removed (expired or by hand).", e.PassiveRemoved)
	p.family("vakt_reloads_total", "counter", "Configuration reloads, by result.")
	p.sample(`vakt_reloads_total{result="ok"}`, uintValue(m.Reloads))
	p.sample(`vakt_reloads_total{result="failed"}`, uintValue(m.ReloadFailures))

	stateNames := [...]string{"pending", "OK", "WARNING", "CRITICAL", "UNKNOWN"}
	// statuses say PENDING for checks with no result; Checked decides.
	counts := m.Checks
	if counts == nil {
		counts = make(map[string]int, len(stateNames))
		for _, c := range statuses {
			if !c.Checked {
				counts["pending"]++
				continue
			}
			counts[c.State]++
		}
	}
	p.family("vakt_checks", "gauge", "Checks by current state; pending checks have no result yet.")
	for _, name := range stateNames {
		p.sample(fmt.Sprintf("vakt_checks{state=%q}", name), strconv.Itoa(counts[name]))
	}

	if bb := m.BigBrother; bb != nil {
		p.counter("vakt_bigbrother_connections_total", "Connections accepted on the Big Brother port.", bb.Connections)
		p.gauge("vakt_bigbrother_connections_active", "Big Brother connections being served.", strconv.FormatInt(bb.Active, 10))
		p.counter("vakt_bigbrother_results_total", "Big Brother status results taken.", bb.Accepted)
		p.counter("vakt_bigbrother_commands_total", "Big Brother disable and enable commands taken.", bb.Commands)
		p.counter("vakt_bigbrother_rejected_total", "Big Brother messages (or combo parts) refused.", bb.Rejected)
		p.counter("vakt_bigbrother_timeouts_total", "Big Brother connections closed because nothing arrived before the first-byte timeout.", bb.TimedOut)
		p.counter("vakt_bigbrother_sink_errors_total", "Big Brother results and commands the daemon refused.", bb.SinkErrors)
		p.counter("vakt_bigbrother_refused_total", "Big Brother connections and messages refused by the allow-lists (bb_allow, bb_admin_allow).", bb.Refused)
		p.counter("vakt_bigbrother_over_limit_total", "Big Brother connections closed because their address had too many open.", bb.OverLimit)
		p.counter("vakt_bigbrother_empty_total", "Big Brother connections closed without a message (TCP health checks).", bb.Empty)
		p.gauge("vakt_bigbrother_queued", "Big Brother results and commands waiting for the daemon.", strconv.FormatInt(bb.Queued, 10))
	}
	if p.err != nil {
		return fmt.Errorf("writing metrics: %w", p.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing metrics: %w", err)
	}
	return nil
}

// promWriter writes metric families, remembering the first write error.
type promWriter struct {
	w   *bufio.Writer
	err error
}

func (p *promWriter) family(name, typ, help string) {
	p.printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

func (p *promWriter) sample(series, value string) { p.printf("%s %s\n", series, value) }

func (p *promWriter) gauge(name, help, value string) {
	p.family(name, "gauge", help)
	p.sample(name, value)
}

func (p *promWriter) counter(name, help string, value uint64) {
	p.family(name, "counter", help)
	p.sample(name, uintValue(value))
}

func (p *promWriter) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'g', -1, 64) }

func uintValue(v uint64) string { return strconv.FormatUint(v, 10) }
