package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/state"
	"github.com/vakt/vakt/core/store"
	"github.com/vakt/vakt/core/testfs"
)

// Nagios' alert log has a row per SOFT attempt and a soft recovery as
// OK;SOFT;N+1: the history keeps the same rows.
func TestHistoryKeepsSoftAttempts(t *testing.T) {
	te := startEngine(t, loadDefs(t, checksHCL([]string{"db1"}, 1)), "", nil)
	const id = "db1/c0"
	for _, st := range []check.State{check.Critical, check.Critical, check.OK, check.Critical, check.Critical, check.Critical, check.OK} {
		te.apply(t, id, st, st.String())
	}
	te.sync(t)
	want := []string{
		"db1/c0 problem CRITICAL;SOFT;1",
		"db1/c0 problem CRITICAL;SOFT;2",
		"db1/c0 recovery OK;SOFT;3",
		"db1/c0 problem CRITICAL;SOFT;1",
		"db1/c0 problem CRITICAL;SOFT;2",
		"db1/c0 problem CRITICAL;HARD;3",
		"db1/c0 recovery OK;HARD;1",
	}
	if got := history(t, te.store, id); !slices.Equal(got, want) {
		t.Fatalf("history:\n%v\nwant:\n%v", got, want)
	}
}

// Results applied together are written together: many transitions, few
// commits, every one stored once, each check's in order.
func TestGroupCommit(t *testing.T) {
	const hosts, perHost = 10, 50
	names := make([]string, hosts)
	for i := range names {
		names[i] = fmt.Sprintf("h%d", i)
	}
	te := startEngine(t, loadDefs(t, checksHCL(names, perHost)), "", nil)
	var wg sync.WaitGroup
	for _, h := range names {
		wg.Go(func() {
			for i := range perHost {
				id := fmt.Sprintf("%s/c%d", h, i)
				for _, st := range []check.State{check.Critical, check.OK} {
					if _, err := te.Apply(id, check.Result{State: st}); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	te.sync(t)
	stats := te.Stats()
	const want = hosts * perHost * 2
	if stats.Transitions != want {
		t.Fatalf("%d transitions committed; want %d", stats.Transitions, want)
	}
	if stats.Commits >= want/2 {
		t.Errorf("%d commits for %d transitions: results that came together were not committed together", stats.Commits, want)
	}
	for _, id := range []string{"h0/c0", "h9/c49"} {
		if got := history(t, te.store, id); !slices.Equal(got, []string{id + " problem CRITICAL;SOFT;1", id + " recovery OK;SOFT;2"}) {
			t.Errorf("%s: %v", id, got)
		}
	}
	rows, err := te.store.States(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != hosts*perHost {
		t.Errorf("%d state rows; want %d", len(rows), hosts*perHost)
	}
}

// Consumers read committed transitions by id, from memory or, once they
// left the in-memory feed, from the store, and wait for new ones.
func TestTransitionsFeed(t *testing.T) {
	te := startEngine(t, loadDefs(t, checksHCL([]string{"web"}, 3)), "", func(o *Options) { o.FeedSize = 2 })
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()

	got := make(chan []Committed, 1)
	go func() {
		cs, err := te.Transitions(ctx, 0, 10)
		if err != nil {
			t.Error(err)
		}
		got <- cs
	}()
	select {
	case cs := <-got:
		t.Fatalf("Transitions returned %v before anything was committed", cs)
	case <-time.After(50 * time.Millisecond):
	}
	for i := range 3 {
		te.apply(t, fmt.Sprintf("web/c%d", i), check.Warning, "slow")
	}
	te.sync(t)
	first := <-got
	if len(first) == 0 || first[0].ID != 1 || first[0].Check != "web/c0" || first[0].Kind != state.KindProblem {
		t.Fatalf("first read: %+v", first)
	}
	// The feed keeps 2: the first one is read back from the store, with
	// everything the engine published.
	all, err := te.Transitions(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range all {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, []int64{1, 2, 3}) || all[0].To.Type != state.Soft || all[0].To.Attempt != 1 || all[0].Output != "slow" {
		t.Fatalf("from the store: ids %v, first %+v", ids, all[0])
	}
	tail, err := te.Transitions(ctx, 2, 10)
	if err != nil || len(tail) != 1 || tail[0].ID != 3 || tail[0].Check != "web/c2" {
		t.Fatalf("after 2: %+v, %v", tail, err)
	}
}

// Dynamic passive checks are created one at a time, within the global
// limit and the limit per sender, removed by hand or once stale for
// PassiveExpiry, and survive a restart with their sender.
func TestPassiveChecks(t *testing.T) {
	set := loadDefs(t, checksHCL([]string{"known"}, 1))
	var now time.Time
	var nowMu sync.Mutex
	clock := func() time.Time { nowMu.Lock(); defer nowMu.Unlock(); return now }
	advance := func(d time.Duration) { nowMu.Lock(); now = now.Add(d); nowMu.Unlock() }
	now = time.Now()
	edit := func(o *Options) {
		o.MaxPassiveChecks, o.MaxPassivePerSource, o.PassiveExpiry, o.Now = 5, 3, time.Hour, clock
	}
	te := startEngine(t, set, "", edit)
	ctx := context.Background()
	submit := func(host, source string, ttl time.Duration) error {
		return te.Submit(ctx, passiveFrom(host, "disk", source, check.OK, ttl))
	}
	for i := range 3 {
		if err := submit(fmt.Sprintf("a%d", i), "bb:192.0.2.1:4000"+fmt.Sprint(i), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	// A fourth from the same address (another port) is over its limit;
	// the same check again is not new.
	if err := submit("a3", "bb:192.0.2.1:5000", time.Minute); !errors.Is(err, ErrTooManyPassiveChecks) {
		t.Fatalf("fourth from one sender: %v", err)
	}
	if err := submit("a0", "bb:192.0.2.1:5001", time.Minute); err != nil {
		t.Fatalf("a known passive check refused: %v", err)
	}
	// A result for a defined check never counts.
	if err := te.Submit(ctx, passiveFrom("known", "c0", "bb:192.0.2.1:5002", check.Warning, 0)); err != nil {
		t.Fatal(err)
	}
	for i, src := range []string{"http:198.51.100.2:1", "http:198.51.100.3:1"} {
		if err := submit(fmt.Sprintf("b%d", i), src, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := submit("b2", "http:198.51.100.4:1", time.Minute); !errors.Is(err, ErrTooManyPassiveChecks) {
		t.Fatalf("sixth passive check: %v", err)
	}
	// Removing one by hand makes room; a defined check cannot be removed so.
	if err := te.RemovePassive(ctx, "b1/disk", "test"); err != nil {
		t.Fatal(err)
	}
	if err := te.RemovePassive(ctx, "known/c0", "test"); err == nil {
		t.Fatal("a check of checks.d was removed as a passive one")
	}
	if err := submit("b2", "http:198.51.100.4:1", 0); err != nil {
		t.Fatalf("after a removal: %v", err)
	}
	var ids []string
	for _, p := range te.PassiveChecks() {
		ids = append(ids, p.ID+" "+p.Source)
	}
	want := []string{"a0/disk bb:192.0.2.1", "a1/disk bb:192.0.2.1", "a2/disk bb:192.0.2.1", "b0/disk http:198.51.100.2", "b2/disk http:198.51.100.4"}
	if !slices.Equal(ids, want) {
		t.Fatalf("passive checks %v; want %v", ids, want)
	}
	te.sync(t)
	if got := history(t, te.store, "b1/disk"); !slices.Equal(got, []string{"b1/disk removed OK;HARD;1"}) {
		t.Errorf("b1/disk history: %v", got)
	}

	// A restart keeps them, with their sender's count.
	path := te.path
	if err := te.stop(); err != nil {
		t.Fatal(err)
	}
	again := startEngine(t, set, path, edit)
	if got := len(again.PassiveChecks()); got != 5 {
		t.Fatalf("after a restart: %d passive checks", got)
	}
	if err := again.Submit(ctx, passiveFrom("a9", "disk", "bb:192.0.2.1:9", check.OK, 0)); !errors.Is(err, ErrTooManyPassiveChecks) {
		t.Fatalf("after a restart the sender's limit is forgotten: %v", err)
	}

	// The ones with a TTL go stale after a minute, and are removed an hour
	// after that; b2 (no TTL) never goes stale.
	advance(2 * time.Minute)
	again.Tick()
	advance(61 * time.Minute)
	again.Tick()
	again.sync(t)
	ids = nil
	for _, p := range again.PassiveChecks() {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(ids, []string{"b2/disk"}) {
		t.Fatalf("after expiry: %v; want only b2/disk", ids)
	}
	if got := history(t, again.store, "a1/disk"); !slices.Equal(got, []string{"a1/disk stale UNKNOWN;HARD;1", "a1/disk removed UNKNOWN;HARD;1"}) {
		t.Errorf("a1/disk history after expiry: %v", got)
	}
	if rows, _ := again.store.States(ctx); len(rows) != 2 { // known/c0 and b2/disk
		t.Errorf("%d state rows after expiry; want 2", len(rows))
	}
}

// Acks and downtimes go through the engine, leave history rows, and live
// in each check's status, so a restart keeps them.
func TestAcksAndDowntimes(t *testing.T) {
	set := loadDefs(t, checksHCL([]string{"db1", "db2"}, 2))
	te := startEngine(t, set, "", nil)
	ctx := context.Background()
	for _, id := range []string{"db1/c0", "db1/c1", "db2/c0"} {
		for range 3 {
			te.apply(t, id, check.Critical, "down")
		}
	}
	for _, tc := range []struct {
		name string
		ack  Ack
		err  error
	}{
		{"no author", Ack{Target: Target{Check: "db1/c0"}}, state.ErrInvalid},
		{"two targets", Ack{Target: Target{Check: "db1/c0", Host: "db1"}, Author: "ana"}, state.ErrInvalid},
		{"unknown check", Ack{Target: Target{Check: "db9/c0"}, Author: "ana"}, ErrNoTarget},
		{"OK check", Ack{Target: Target{Check: "db2/c1"}, Author: "ana"}, state.ErrConflict},
		{"bad tag", Ack{Target: Target{Tag: "role"}, Author: "ana"}, state.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := te.Acknowledge(ctx, tc.ack); !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
		})
	}
	acked, err := te.Acknowledge(ctx, Ack{Target: Target{Host: "db1"}, Author: "ana", Comment: "on it", Sticky: true})
	if err != nil || !slices.Equal(acked, []string{"db1/c0", "db1/c1"}) {
		t.Fatalf("ack host db1: %v, %v", acked, err)
	}
	removed, err := te.Unacknowledge(ctx, Target{Check: "db1/c1"})
	if err != nil || !slices.Equal(removed, []string{"db1/c1"}) {
		t.Fatalf("unack: %v, %v", removed, err)
	}
	// A tag: role=db is c0 of both hosts.
	start := time.Now()
	ref, made, err := te.ScheduleDowntime(ctx, DowntimeRequest{Target: Target{Tag: "role=db"}, Fixed: true,
		Start: start, End: start.Add(time.Hour), Author: "ops", Comment: "patching"})
	if err != nil || len(made) != 2 || made[0].Check != "db1/c0" || made[1].Check != "db2/c0" || made[0].Phase != state.DowntimeActive {
		t.Fatalf("downtime on role=db: %q %+v %v", ref, made, err)
	}
	if _, _, err := te.ScheduleDowntime(ctx, DowntimeRequest{Target: Target{Host: "db1"}, Fixed: true,
		Start: start, End: start.Add(-time.Hour), Author: "ops"}); !errors.Is(err, state.ErrInvalid) {
		t.Fatalf("a downtime that ends before it starts: %v", err)
	}
	if got := te.Downtimes(); len(got) != 2 || got[0].Ref != ref || got[1].Ref != ref {
		t.Fatalf("Downtimes() = %+v", got)
	}

	// A restart keeps the ack and the downtimes.
	if err := te.stop(); err != nil {
		t.Fatal(err)
	}
	again := startEngine(t, set, te.path, nil)
	if st, _ := again.Status("db1/c0"); st.Ack == nil || st.Ack.Author != "ana" || !st.InDowntime() {
		t.Fatalf("after a restart db1/c0 = %+v", st)
	}
	cancelled, err := again.CancelDowntime(ctx, ref)
	if err != nil || len(cancelled) != 2 {
		t.Fatalf("cancel %s: %+v %v", ref, cancelled, err)
	}
	if _, err := again.CancelDowntime(ctx, ref); !errors.Is(err, state.ErrUnknownDowntime) {
		t.Fatalf("cancel twice: %v", err)
	}
	want := []string{
		"db1/c0 problem CRITICAL;SOFT;1", "db1/c0 problem CRITICAL;SOFT;2", "db1/c0 problem CRITICAL;HARD;3",
		"db1/c0 acknowledgement CRITICAL;HARD;3",
		"db1/c0 downtime_scheduled CRITICAL;HARD;3", "db1/c0 downtime_start CRITICAL;HARD;3",
		"db1/c0 downtime_cancelled CRITICAL;HARD;3",
	}
	if got := history(t, again.store, "db1/c0"); !slices.Equal(got, want) {
		t.Errorf("db1/c0 history:\n%v\nwant\n%v", got, want)
	}
	if got := history(t, again.store, "db1/c1"); !slices.Contains(got, "db1/c1 acknowledgement_removed CRITICAL;HARD;3") {
		t.Errorf("db1/c1 history has no acknowledgement_removed: %v", got)
	}
}

// A reload keeps what stays, forgets what went (its history stays) and
// keeps the dynamic passive checks.
func TestConfigure(t *testing.T) {
	te := startEngine(t, loadDefs(t, checksHCL([]string{"a", "b"}, 1)), "", nil)
	ctx := context.Background()
	te.apply(t, "a/c0", check.Critical, "down")
	te.apply(t, "b/c0", check.Critical, "down")
	if err := te.Submit(ctx, passiveFrom("agent", "cpu", "bb:192.0.2.9:1", check.Warning, 0)); err != nil {
		t.Fatal(err)
	}
	removed, err := te.Configure(loadDefs(t, checksHCL([]string{"a", "c"}, 1)))
	if err != nil || !slices.Equal(removed, []string{"b/c0"}) {
		t.Fatalf("Configure: %v %v", removed, err)
	}
	te.sync(t)
	var ids []string
	for _, v := range te.Statuses() {
		ids = append(ids, fmt.Sprintf("%s:%s:%v", v.Check, v.State, v.Checked))
	}
	if want := []string{"a/c0:CRITICAL:true", "agent/cpu:WARNING:true", "c/c0:OK:false"}; !slices.Equal(ids, want) {
		t.Fatalf("after reload: %v; want %v", ids, want)
	}
	rows, err := te.store.States(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.CheckID == "b/c0" {
			t.Error("the state of the removed check is still stored")
		}
	}
	if got := history(t, te.store, "b/c0"); len(got) != 1 {
		t.Errorf("the removed check's history: %v", got)
	}
}

// perf values: undetermined values and units the store refuses are left
// out; the raw perfdata string is stored as the plugin printed it.
func TestRawPerfdataStored(t *testing.T) {
	te := startEngine(t, loadDefs(t, checksHCL([]string{"ups"}, 1)), "", nil)
	res := check.Result{State: check.OK, Output: "UPS OK", RawPerfdata: "voltage=229000mV;;;0 temperature=31.0degC;;;0",
		Perfdata: []check.Perf{{Label: "voltage", Value: 229000, UOM: "mV"}, {Label: "x", Undetermined: true}}}
	if _, err := te.Apply("ups/c0", res); err != nil {
		t.Fatal(err)
	}
	te.sync(t)
	row, err := te.store.State(context.Background(), "ups/c0")
	if err != nil || row.Perfdata != res.RawPerfdata {
		t.Fatalf("stored raw perfdata %q, %v; want %q", row.Perfdata, err, res.RawPerfdata)
	}
	samples, err := te.store.Samples(context.Background(), "ups/c0", "voltage", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil || len(samples) != 1 || samples[0].Value != 229000 {
		t.Fatalf("samples %+v, %v", samples, err)
	}
}

var _ = store.Hard

// With the store's disk full the engine keeps applying results and keeps
// every transition it could not write; health says why; once space
// returns everything is written, none lost, none twice.
func TestStoreFullLosesNothing(t *testing.T) {
	dir := testfs.MountTmpfs(t, "4m")
	const hosts = 4
	names := []string{"a", "b", "c", "d"}
	te := startEngine(t, loadDefs(t, checksHCL(names, 50)), filepath.Join(dir, "vakt.db"), func(o *Options) { o.MaxQueuedPerf = 10 })
	te.apply(t, "a/c0", check.Critical, "before the disk filled")
	te.sync(t)

	filler := testfs.Fill(t, dir)
	want := 1
	for round := range 3 {
		for _, h := range names {
			for i := range 50 {
				st := check.Critical
				if round == 1 {
					st = check.OK
				}
				id := fmt.Sprintf("%s/c%d", h, i)
				if _, err := te.Apply(id, check.Result{State: st, Output: "round " + fmt.Sprint(round),
					Perfdata: []check.Perf{{Label: "x", Value: float64(round)}}}); err != nil {
					t.Fatalf("Apply while the disk is full: %v", err)
				}
				want++
			}
		}
	}
	deadline := time.Now().Add(waitTimeout)
	for te.Health() == "" {
		if time.Now().After(deadline) {
			t.Fatal("the engine never noticed the full disk")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if why := te.Health(); !strings.Contains(why, "the store has refused writes since") || !strings.Contains(strings.ToLower(why), "full") {
		t.Errorf("health = %q; want it to say the store is full", why)
	}
	stats := te.Stats()
	if stats.QueuedTransitions == 0 || !stats.StoreFailing || stats.CommitFailures == 0 {
		t.Errorf("stats while full: %+v", stats)
	}
	// Reads and waits with a deadline keep answering.
	if got := len(te.Statuses()); got != hosts*50 {
		t.Errorf("Statuses while full: %d checks", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	err := te.Sync(ctx)
	cancel()
	if err == nil || !strings.Contains(err.Error(), "not yet stored") {
		t.Errorf("Sync while full = %v; want an error saying the results are not stored yet", err)
	}
	if stats.PerfShed == 0 {
		t.Errorf("perfdata was not shed while the store failed (MaxQueuedPerf 10): %+v", stats)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	te.sync(t)
	if why := te.Health(); why != "" {
		t.Errorf("health after space returned: %q", why)
	}
	if got := len(history(t, te.store, "")); got != want {
		t.Fatalf("%d transitions stored after space returned; want %d", got, want)
	}
	if got := history(t, te.store, "b/c7"); !slices.Equal(got, []string{
		"b/c7 problem CRITICAL;SOFT;1", "b/c7 recovery OK;SOFT;2", "b/c7 problem CRITICAL;SOFT;1"}) {
		t.Errorf("b/c7 history: %v", got)
	}
	row, err := te.store.State(context.Background(), "d/c49")
	if err != nil || row.Output != "round 2" || row.State != check.Critical {
		t.Errorf("d/c49 stored state %+v, %v; want the last result", row, err)
	}
}

// With the queue full (MaxQueuedTransitions) and the store refusing
// writes, a result is refused before it changes anything.
func TestBackpressure(t *testing.T) {
	dir := testfs.MountTmpfs(t, "4m")
	te := startEngine(t, loadDefs(t, checksHCL([]string{"a"}, 10)), filepath.Join(dir, "vakt.db"),
		func(o *Options) { o.MaxQueuedTransitions = 5 })
	te.sync(t)
	filler := testfs.Fill(t, dir)
	for i := range 5 {
		te.apply(t, fmt.Sprintf("a/c%d", i), check.Critical, "down")
	}
	_, err := te.Apply("a/c5", check.Result{State: check.Critical})
	if !errors.Is(err, ErrBackpressure) || !IsRefusal(err) {
		t.Fatalf("sixth transition with 5 waiting: %v; want ErrBackpressure", err)
	}
	if st, _ := te.Status("a/c5"); st.Checked {
		t.Fatalf("a refused result changed the check: %+v", st)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	te.sync(t)
	te.apply(t, "a/c5", check.Critical, "down")
	te.sync(t)
	if got := len(history(t, te.store, "")); got != 6 {
		t.Fatalf("%d transitions stored; want 6", got)
	}
}

// A state change without a result (a downtime starting) keeps the last
// result's long output and perfdata in the stored row.
func TestCommandKeepsResultText(t *testing.T) {
	te := startEngine(t, loadDefs(t, checksHCL([]string{"db"}, 1)), "", nil)
	res := check.Result{State: check.OK, Output: "fine", Long: "line 2\nline 3", RawPerfdata: "x=1;2;3"}
	if _, err := te.Apply("db/c0", res); err != nil {
		t.Fatal(err)
	}
	te.sync(t)
	if _, _, err := te.ScheduleDowntime(context.Background(), DowntimeRequest{Target: Target{Check: "db/c0"}, Fixed: true,
		Start: time.Now(), End: time.Now().Add(time.Hour), Author: "ops"}); err != nil {
		t.Fatal(err)
	}
	row, err := te.store.State(context.Background(), "db/c0")
	if err != nil || row.LongOutput != res.Long || row.Perfdata != res.RawPerfdata || row.Output != "fine" {
		t.Fatalf("row after a downtime: %+v, %v; want the last result's long output and perfdata kept", row, err)
	}
	if st, err := decodeStatus(row); err != nil || len(st.Downtimes) != 1 {
		t.Fatalf("the stored status has no downtime: %+v, %v", st, err)
	}
}
