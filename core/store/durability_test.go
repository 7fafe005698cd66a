package store

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashChildEnv names the database a re-executed test binary writes to
// until it is killed.
const crashChildEnv = "VAKT_STORE_CRASH_CHILD"

// TestDurabilityAfterKill runs a child process (this test binary again) that
// records state changes with notifications as fast as it can, while another
// goroutine commits batches of results with Commit; it prints the ids of
// every change as soon as RecordChange returns and the count of results as
// soon as Commit does. The parent kills it with SIGKILL mid-stream,
// re-opens the file and must find every printed change, notification and
// result.
func TestDurabilityAfterKill(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "vakt.db")
	ctx := testCtx(t)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestDurabilityAfterKill$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	type printed struct{ transition, notification int64 }
	var seen []printed
	results := 0 // results 0..results-1 were printed as committed
	const killAfter = 150
	killed := false
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		fields := strings.Fields(lines.Text())
		if len(fields) == 2 && fields[0] == "results" {
			end, err := strconv.Atoi(fields[1])
			if err != nil || end <= results {
				t.Fatalf("bad line from the child: %q after results %d", lines.Text(), results)
			}
			results = end
			continue
		}
		if len(fields) != 3 || fields[0] != "committed" {
			continue // the test framework's own output
		}
		tid, err1 := strconv.ParseInt(fields[1], 10, 64)
		nid, err2 := strconv.ParseInt(fields[2], 10, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad line from the child: %q", lines.Text())
		}
		seen = append(seen, printed{tid, nid})
		if len(seen) >= killAfter && results > 0 && !killed {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
		// Lines written before the kill keep arriving until EOF.
	}
	waitErr := cmd.Wait()
	if !killed {
		t.Fatalf("the child ended after %d changes without being killed: %v", len(seen), waitErr)
	}
	var exitErr *exec.ExitError
	if !errors.As(waitErr, &exitErr) || exitErr.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL", waitErr)
	}

	s := openAt(t, path, Options{})
	var integrity string
	if err := s.read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check after kill: %q %v", integrity, err)
	}
	for i, p := range seen {
		tr, err := s.Transition(ctx, p.transition)
		if err != nil {
			t.Fatalf("change %d: transition %d was printed as committed but is gone: %v", i, p.transition, err)
		}
		if want := fmt.Sprintf("change %d", i); tr.Output != want || tr.CheckID != fmt.Sprintf("check-%d", i%10) {
			t.Fatalf("transition %d = %+v, want output %q", p.transition, tr, want)
		}
		n, err := s.Notification(ctx, p.notification)
		if err != nil {
			t.Fatalf("change %d: notification %d was printed as committed but is gone: %v", i, p.notification, err)
		}
		if n.TransitionID != p.transition || n.Status != OutboxPending {
			t.Fatalf("notification %d = %+v, want pending for transition %d", p.notification, n, p.transition)
		}
		st, err := s.State(ctx, tr.CheckID)
		if err != nil {
			t.Fatalf("state of %s: %v", tr.CheckID, err)
		}
		if st.LastCheck.Before(tr.Time) {
			t.Fatalf("state of %s is from %s, older than its committed transition at %s", tr.CheckID, st.LastCheck, tr.Time)
		}
	}
	if n := count(t, s, "perf_raw"); n < 3*results {
		t.Fatalf("%d raw samples, fewer than the %d of the %d results printed as committed", n, 3*results, results)
	}
	last := result(fmt.Sprintf("load-%d", (results-1)%20), results-1)
	st, err := s.State(ctx, last.State.CheckID)
	if err != nil {
		t.Fatal(err)
	}
	if st.LastCheck.Before(last.State.LastCheck) {
		t.Fatalf("state of %s is from %s, older than its result committed at %s", st.CheckID, st.LastCheck, last.State.LastCheck)
	}
	t.Logf("%d changes and %d results printed (killed after %d changes), all found", len(seen), results, killAfter)
}

// crashChild writes until it is killed, or gives up after two minutes so a
// lost parent cannot leave it running.
func crashChild(path string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	go func() { // background load: batches of 50 results, as the group committer writes them
		for n := 0; ctx.Err() == nil; n += 50 {
			var rs []Result
			for i := n; i < n+50; i++ {
				rs = append(rs, result(fmt.Sprintf("load-%d", i%20), i))
			}
			if _, err := s.Commit(ctx, resultsBatch(rs...)); err != nil {
				fmt.Fprintln(os.Stderr, "child:", err)
				os.Exit(3)
			}
			fmt.Printf("results %d\n", n+50)
		}
	}()
	for i := 0; ctx.Err() == nil; i++ {
		id := fmt.Sprintf("check-%d", i%10)
		when := t0.Add(time.Duration(i) * time.Second)
		tr := problem(id, when)
		tr.Output = fmt.Sprintf("change %d", i)
		st := okState(id, when)
		c, err := s.RecordChange(ctx, Change{Transition: tr, State: &st, Notifications: []Notification{
			{Notifier: "sms", Recipient: "+4700000000", Payload: json.RawMessage(fmt.Sprintf(`{"change":%d}`, i))},
		}})
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		fmt.Printf("committed %d %d\n", c.Transition.ID, c.Notifications[0].ID)
	}
	os.Exit(4)
}
