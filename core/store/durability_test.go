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
// records state changes with notifications as fast as it can, while a Writer
// commits batches of results, and prints the ids of every change as soon as
// RecordChange returns. The parent kills it with SIGKILL mid-stream,
// re-opens the file and must find every printed change and notification.
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
	const killAfter = 150
	killed := false
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		fields := strings.Fields(lines.Text())
		if len(fields) != 3 || fields[0] != "committed" {
			continue // the test framework's own output
		}
		tid, err1 := strconv.ParseInt(fields[1], 10, 64)
		nid, err2 := strconv.ParseInt(fields[2], 10, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad line from the child: %q", lines.Text())
		}
		seen = append(seen, printed{tid, nid})
		if len(seen) == killAfter && !killed {
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
	t.Logf("%d changes printed (killed after %d), all found", len(seen), killAfter)
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
	w, err := s.NewWriter(WriterOptions{MaxDelay: 5 * time.Millisecond, MaxBatch: 50})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	go func() { // background load: results the kill may lose
		for n := 0; ctx.Err() == nil; n++ {
			if err := w.Add(ctx, result(fmt.Sprintf("load-%d", n%20), n)); err != nil {
				return
			}
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
