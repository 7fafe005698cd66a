package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/server"
	"github.com/vakt/vakt/core/store"
	"github.com/vakt/vakt/core/testfs"
)

// TestDaemonOnFullDisk runs vakt run with its state on a small tmpfs that
// fills up: checks keep running, the API keeps answering, /healthz says
// why it is unhealthy, every transition made meanwhile is stored once space
// returns, and SIGTERM on a full disk still stops the daemon within 10 s.
func TestDaemonOnFullDisk(t *testing.T) {
	bin := daemonBinary(t)
	dir := newDaemonDir(t)
	state := testfs.MountTmpfs(t, "8m")
	dir.state = state
	names := []string{"f1", "f2", "f3"}
	var hcl strings.Builder
	for _, n := range names {
		hcl.WriteString(dir.flip(t, n, 0, 1))
	}
	writeFile(t, filepath.Join(dir.checks, "checks.hcl"), hcl.String())
	p := startDaemon(t, bin, nil, dir.args()...)
	base := "http://" + p.httpAddr(t)
	client := &server.Client{BaseURL: base, HTTP: &http.Client{Timeout: 10 * time.Second}}
	health := func() (int, string) {
		resp, err := client.HTTP.Get(base + "/healthz")
		if err != nil {
			t.Fatalf("GET /healthz: %v", err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	states := func() map[string]string {
		checks, err := client.Status(context.Background(), false)
		if err != nil {
			t.Fatalf("the API stopped answering: %v", err)
		}
		out := map[string]string{}
		for _, c := range checks {
			out[c.Check] = c.State
		}
		return out
	}
	allIn := func(want string) func() bool {
		return func() bool {
			s := states()
			for _, n := range names {
				if s[n] != want {
					return false
				}
			}
			return true
		}
	}
	p.waitFor(t, "every check OK", allIn("OK"))

	filler := testfs.Fill(t, state)
	for _, n := range names {
		dir.setState(t, n, 2)
	}
	p.waitFor(t, "every check CRITICAL while the disk is full", allIn("CRITICAL"))
	p.waitFor(t, "/healthz to say the store refuses writes", func() bool {
		code, body := health()
		return code == http.StatusServiceUnavailable && strings.Contains(body, "the store has refused writes")
	})
	for _, n := range names {
		dir.setState(t, n, 0)
	}
	p.waitFor(t, "every check OK again, the disk still full", allIn("OK"))
	if code, _ := health(); code != http.StatusServiceUnavailable {
		t.Fatalf("/healthz = %d while the disk is still full", code)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	p.waitFor(t, "/healthz ok once space returned", func() bool { code, _ := health(); return code == http.StatusOK })

	// Full again, with a change waiting: SIGTERM must still stop it.
	testfs.Fill(t, state)
	dir.setState(t, "f1", 2)
	p.waitFor(t, "f1 CRITICAL", func() bool { return states()["f1"] == "CRITICAL" })
	began := time.Now()
	p.stop(t)
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("SIGTERM on a full disk took %s to stop vakt run; want under 10 s", took)
	}

	if err := os.Remove(filepath.Join(state, "filler")); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(state, stateFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	trs, err := st.Transitions(context.Background(), store.TransitionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, tr := range trs {
		got[tr.CheckID] = append(got[tr.CheckID], tr.Kind)
	}
	for _, n := range names {
		id := "localhost/" + n
		if fmt.Sprint(got[id][:min(2, len(got[id]))]) != "[problem recovery]" {
			t.Errorf("%s: stored transitions %v; want the problem and the recovery made while the disk was full", id, got[id])
		}
	}
}
