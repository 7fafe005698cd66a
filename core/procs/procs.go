// Package procs keeps track of the processes vakt starts and finds those
// that escape them: a plugin's descendant that calls setsid, or forks
// twice, leaves the plugin's process group, so a group kill misses it, and
// it outlives the plugin.
//
// vakt makes itself a child subreaper (SetSubreaper), so that such
// descendants are reparented to vakt instead of to init. A Tracker tells
// them apart from vakt's own children: every child vakt starts gets the
// environment markers VAKT_RUN_ID (random per Tracker) and VAKT_CHILD (a
// number per start) and is registered with its pid once started. A process
// whose parent is vakt is vakt's own when its pid is registered, or when
// its marker names a start that is still in progress (its pid not known
// yet); every other child of vakt escaped from a plugin. Reap kills such
// processes, reaps them with wait4 on their own pid (never wait4(-1), which
// would steal the exit status of os/exec's children) and logs each at
// warn with its pid and command line.
//
// A process without a marker (a plugin that clears its environment) is
// only taken for an escaped one while no start is in progress, since a
// child between fork and exec still shows vakt's own environment.
//
// Processes outlive a kill -9 of vakt, but keep their marker: KillRun finds
// the processes of an earlier run by its run id, which the daemon keeps in
// its state dir (Takeover), and kills them before anything is scheduled.
package procs

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"
)

// The environment markers every child of vakt carries.
const (
	EnvRunID = "VAKT_RUN_ID"
	EnvChild = "VAKT_CHILD"
)

// Defaults of Watch.
const (
	// DefaultScanInterval is how often Watch scans without being kicked.
	DefaultScanInterval = 5 * time.Second
	// MinScanGap is the least time between two scans that kicks cause.
	MinScanGap = 200 * time.Millisecond
)

// SetSubreaper makes the calling process a child subreaper: orphaned
// descendants are reparented to it rather than to init.
func SetSubreaper() error {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_CHILD_SUBREAPER): %w", err)
	}
	return nil
}

// IsSubreaper reports whether the calling process is a child subreaper.
func IsSubreaper() (bool, error) {
	var v int32
	if err := unix.Prctl(unix.PR_GET_CHILD_SUBREAPER, uintptr(unsafe.Pointer(&v)), 0, 0, 0); err != nil {
		return false, fmt.Errorf("prctl(PR_GET_CHILD_SUBREAPER): %w", err)
	}
	return v != 0, nil
}

// Tracker registers the children vakt starts and reaps those that escaped
// them. The zero value is not usable; a nil *Tracker tracks nothing (its
// methods, and those of the Child it returns, do nothing).
type Tracker struct {
	log   zerolog.Logger
	runID string
	self  int
	kick  chan struct{}

	mu       sync.Mutex
	next     uint64
	children map[uint64]int // start number -> pid; 0 while starting
	pids     map[int]uint64 // registered pid -> start number
	starting int            // children with pid 0
	reaping  map[int]bool   // escaped processes killed, not yet reaped
	wg       sync.WaitGroup // reaping goroutines
}

// NewTracker returns a Tracker with a fresh random run id.
func NewTracker(log zerolog.Logger) (*Tracker, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("making a run id: %w", err)
	}
	return &Tracker{
		log:      log,
		runID:    hex.EncodeToString(b[:]),
		self:     os.Getpid(),
		kick:     make(chan struct{}, 1),
		children: map[uint64]int{},
		pids:     map[int]uint64{},
		reaping:  map[int]bool{},
	}, nil
}

// RunID is the value of VAKT_RUN_ID in this Tracker's children.
func (t *Tracker) RunID() string {
	if t == nil {
		return ""
	}
	return t.runID
}

// Child is one start of a child process.
type Child struct {
	t *Tracker
	n uint64
}

// Begin registers a child about to be started. Put Env in its environment
// (last, so that it wins), start it, then call Started or Failed, and Done
// once it has been reaped.
func (t *Tracker) Begin() *Child {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next++
	t.children[t.next] = 0
	t.starting++
	return &Child{t: t, n: t.next}
}

// Env is the child's markers, as KEY=VALUE.
func (c *Child) Env() []string {
	if c == nil {
		return nil
	}
	return []string{EnvRunID + "=" + c.t.runID, EnvChild + "=" + strconv.FormatUint(c.n, 10)}
}

// Started registers the pid of the child once it has started.
func (c *Child) Started(pid int) {
	if c == nil {
		return
	}
	t := c.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if old, ok := t.children[c.n]; ok && old == 0 {
		t.starting--
		t.children[c.n] = pid
		t.pids[pid] = c.n
	}
}

// Failed forgets a child that could not be started.
func (c *Child) Failed() { c.Done() }

// Done forgets a child that has been reaped (or never started). Processes
// that carry its marker and have vakt as parent are escaped ones from now
// on; Done kicks Watch to look for them.
func (c *Child) Done() {
	if c == nil {
		return
	}
	t := c.t
	t.mu.Lock()
	pid, ok := t.children[c.n]
	if ok {
		delete(t.children, c.n)
		if pid == 0 {
			t.starting--
		} else if t.pids[pid] == c.n {
			delete(t.pids, pid)
		}
	}
	t.mu.Unlock()
	t.Kick()
}

// Kick asks Watch to scan soon.
func (t *Tracker) Kick() {
	if t == nil {
		return
	}
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// Watch reaps escaped processes until ctx is done: every interval (0 means
// DefaultScanInterval), and after a kick, at most every MinScanGap. Call it
// only in a child subreaper; then it waits for the reaping it started.
func (t *Tracker) Watch(ctx context.Context, interval time.Duration) {
	if t == nil {
		return
	}
	if interval <= 0 {
		interval = DefaultScanInterval
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			t.Reap()
			t.wg.Wait()
			return
		case <-tick.C:
		case <-t.kick:
		}
		t.Reap()
		select {
		case <-ctx.Done():
		case <-time.After(MinScanGap):
		}
	}
}

// Wait waits for the escaped processes Reap killed to be reaped.
func (t *Tracker) Wait() {
	if t != nil {
		t.wg.Wait()
	}
}

// proc is what a scan of /proc tells of a process.
type proc struct {
	pid, ppid int
	state     byte // R, S, D, Z, ...
	comm      string
}

// readStat reads /proc/PID/stat.
func readStat(pid int) (proc, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return proc{}, err
	}
	// pid (comm) state ppid ...: comm may hold spaces and parentheses.
	open, closing := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || closing < open {
		return proc{}, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	fields := strings.Fields(string(b[closing+1:]))
	if len(fields) < 2 || len(fields[0]) != 1 {
		return proc{}, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return proc{}, fmt.Errorf("/proc/%d/stat: ppid %q: %w", pid, fields[1], err)
	}
	return proc{pid: pid, ppid: ppid, state: fields[0][0], comm: string(b[open+1 : closing])}, nil
}

// pids lists the processes in /proc.
func pids() ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("listing /proc: %w", err)
	}
	out := make([]int, 0, len(entries))
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil && pid > 0 {
			out = append(out, pid)
		}
	}
	return out, nil
}

// markers returns the VAKT_RUN_ID and VAKT_CHILD values in the environment
// of pid, "" when absent or unreadable.
func markers(pid int) (runID, child string) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return "", ""
	}
	for _, kv := range bytes.Split(b, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte(EnvRunID+"=")); ok {
			runID = string(v)
		} else if v, ok := bytes.CutPrefix(kv, []byte(EnvChild+"=")); ok {
			child = string(v)
		}
	}
	return runID, child
}

// commandLine is pid's command line with spaces between the arguments, or
// its name in brackets when it has none (a zombie, a kernel thread).
func commandLine(p proc) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/cmdline")
	b = bytes.TrimRight(b, "\x00")
	if err != nil || len(b) == 0 {
		return "[" + p.comm + "]"
	}
	return string(bytes.ReplaceAll(b, []byte{0}, []byte{' '}))
}

// Reap kills and reaps every child of vakt that escaped a plugin (see the
// package documentation) and returns how many it found. The reaping goes on
// in the background; Wait waits for it.
func (t *Tracker) Reap() int {
	if t == nil {
		return 0
	}
	all, err := pids()
	if err != nil {
		t.log.Warn().Err(err).Msg("looking for escaped plugin processes")
		return 0
	}
	// Our children, read without the lock: a child started meanwhile is
	// missed by this scan, which is harmless. Only they are looked at
	// under the lock, so that Begin waits for little.
	var kids []proc
	for _, pid := range all {
		if p, err := readStat(pid); err == nil && p.ppid == t.self {
			kids = append(kids, p)
		}
	}
	var found []proc
	t.mu.Lock()
	for _, p := range kids {
		pid := p.pid
		if t.reaping[pid] {
			continue
		}
		// Again, under the lock: a registered child may have been reaped
		// and forgotten since, and its pid taken by another process. Now
		// a registered child stays registered until we unlock, and an
		// escaped one is reaped by nobody but us.
		p, err := readStat(pid)
		if err != nil || p.ppid != t.self {
			continue
		}
		if _, own := t.pids[pid]; own {
			continue
		}
		run, child := markers(pid)
		if run == t.runID {
			n, err := strconv.ParseUint(child, 10, 64)
			if err == nil {
				if started, ok := t.children[n]; ok && started == 0 {
					continue // may be that start's own process, its pid not registered yet
				}
			}
		} else if t.starting > 0 {
			// Unmarked: may be a child between fork and exec, which still
			// shows vakt's environment. Look again later.
			continue
		}
		t.reaping[pid] = true
		found = append(found, p)
	}
	t.mu.Unlock()

	for _, p := range found {
		cmdline := commandLine(p)
		ev := t.log.Warn().Int("pid", p.pid).Str("cmdline", cmdline)
		if p.state == 'Z' {
			ev.Msg("reaping a process that escaped its plugin and exited")
		} else {
			// Our child: its pid cannot be reused before we reap it.
			_ = unix.Kill(p.pid, unix.SIGKILL)
			ev.Msg("killed a process that escaped its plugin")
		}
		t.wg.Add(1)
		go t.reap(p.pid)
	}
	return len(found)
}

// reap waits for the escaped child pid to end, collecting its exit status.
func (t *Tracker) reap(pid int) {
	defer t.wg.Done()
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if !errors.Is(err, unix.EINTR) {
			if err != nil {
				t.log.Warn().Err(err).Int("pid", pid).Msg("reaping an escaped plugin process")
			}
			break
		}
	}
	t.mu.Lock()
	delete(t.reaping, pid)
	t.mu.Unlock()
}

// KillRun kills every process (other than the caller) whose environment
// says VAKT_RUN_ID=runID: what an earlier vakt run with that id left
// behind. Each is logged at warn with its pid and command line. It scans
// again until a scan finds none (a process may fork meanwhile), at most
// five times, and returns how many it killed. Signals go through a pidfd,
// so a pid reused between the scan and the kill is never hit.
func KillRun(log zerolog.Logger, runID string) (int, error) {
	if runID == "" {
		return 0, nil
	}
	self := os.Getpid()
	killed := map[int]bool{} // a killed process may take a moment to die
	for range 5 {
		all, err := pids()
		if err != nil {
			return len(killed), err
		}
		n := 0
		for _, pid := range all {
			if pid == self || killed[pid] {
				continue
			}
			fd, err := unix.PidfdOpen(pid, 0)
			if err != nil {
				continue // gone, or not ours to open
			}
			if run, _ := markers(pid); run == runID {
				p, _ := readStat(pid)
				p.pid = pid
				cmdline := commandLine(p) // before the kill: a dead process has none
				if err := unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0); err == nil {
					log.Warn().Int("pid", pid).Str("cmdline", cmdline).Str("run_id", runID).
						Msg("killed a plugin process left by an earlier run of vakt")
					killed[pid] = true
					n++
				}
			}
			_ = unix.Close(fd)
		}
		if n == 0 {
			break
		}
	}
	return len(killed), nil
}

// RunFile is the name of the file in the state dir that holds the run id
// of the daemon that uses it.
const RunFile = "vakt.run"

// Takeover kills what the previous daemon on stateDir left running (by the
// run id in stateDir/RunFile) and records t's run id there instead. Call it
// holding the state dir's lock, before scheduling anything.
func (t *Tracker) Takeover(stateDir string) (killed int, err error) {
	path := filepath.Join(stateDir, RunFile)
	prev, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return 0, fmt.Errorf("reading the previous run id: %w", err)
	default:
		if id := strings.TrimSpace(string(prev)); id != t.RunID() {
			if killed, err = KillRun(t.log, id); err != nil {
				return killed, fmt.Errorf("killing the processes of run %s: %w", id, err)
			}
		}
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(t.RunID()+"\n"), 0o640); err != nil {
		return killed, fmt.Errorf("recording the run id: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return killed, fmt.Errorf("recording the run id: %w", err)
	}
	return killed, nil
}
