package daemon

import (
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/contrib/loadgen"
	"github.com/vakt/vakt/core/engine"
)

// passiveDaemon runs a daemon with no configured checks, the HTTP API and
// the Big Brother listener on loopback, and room for many passive checks
// from one sender.
func passiveDaemon(b *testing.B) (*Daemon, func()) {
	dir := b.TempDir()
	writeFile(b, filepath.Join(dir, "checks.hcl"), idleCheck("localhost", "idle", 0, "ok", ""))
	d, err := New(context.Background(), Options{
		Checks:    []string{dir},
		StatePath: filepath.Join(dir, "vakt.db"),
		Listen:    "127.0.0.1:0",
		BBListen:  "127.0.0.1:0",
		Tokens:    []string{testToken},
		Logger:    zerolog.New(io.Discard).Level(zerolog.WarnLevel),
		Engine:    engine.Options{MaxPassiveChecks: 50_000, MaxPassivePerSource: -1},
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	return d, func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}
}

// BenchmarkPassiveHTTP: steady HTTP batches of results for 5,000 known
// passive checks, from the load generator in contrib/loadgen; a 202 means
// the results are applied and durable. Goal: at least 100,000 results/s.
// Beside it: the same requests answered by a handler that only reads and
// decodes them, the most any HTTP receiver on this machine could take.
//
//	go test -run '^$' -bench PassiveHTTP -benchtime 1x -v ./core/daemon
func BenchmarkPassiveHTTP(b *testing.B) {
	d, stop := passiveDaemon(b)
	defer stop()
	opts := loadgen.Options{URL: "http://" + d.HTTPAddr(), Token: testToken, Hosts: 100, PerHost: 50,
		Batch: 1000, Concurrency: 32, Duration: 2 * time.Second}
	// The first round creates the 5,000 checks; they are known after it.
	if r, err := loadgen.Run(context.Background(), opts); err != nil || r.FirstError != "" {
		b.Fatal(err, r.FirstError)
	}
	if n := d.engine.Stats().PassiveChecks; n != 5000 {
		b.Fatalf("%d passive checks after the first round; want 5000", n)
	}
	opts.Duration = 5 * time.Second
	for b.Loop() {
		r, err := loadgen.Run(context.Background(), opts)
		if err != nil {
			b.Fatal(err)
		}
		if r.Refused > 0 || r.FirstError != "" {
			b.Fatalf("%d results refused: %s", r.Refused, r.FirstError)
		}
		stats := d.engine.Stats()
		b.ReportMetric(r.PerSecond(), "results/s")
		b.Logf("%d results applied and durable in %s: %.0f results/s (goal: 100,000/s); %d commits so far, %.0f results and %.1f ms each",
			r.Accepted, r.Elapsed.Round(time.Millisecond), r.PerSecond(), stats.Commits, float64(stats.Results)/float64(stats.Commits), 1000*stats.CommitSeconds/float64(stats.Commits))
	}
}

// BenchmarkNewPassiveBB: 10,000 new passive checks arrive as Big Brother
// status messages over TCP 1984 (one message per connection, 16 senders at
// once) and are timed until every one exists and is durable. Goal: under
// 2 s.
//
//	go test -run '^$' -bench NewPassiveBB -benchtime 1x -v ./core/daemon
func BenchmarkNewPassiveBB(b *testing.B) {
	const n, senders = 10_000, 16
	for round := 0; b.Loop(); round++ {
		b.StopTimer()
		d, stop := passiveDaemon(b)
		b.StartTimer()
		began := time.Now()
		var wg sync.WaitGroup
		for s := range senders {
			wg.Go(func() {
				for i := s; i < n; i += senders {
					conn, err := net.Dial("tcp", d.BBAddr())
					if err != nil {
						b.Error(err)
						return
					}
					fmt.Fprintf(conn, "status h%d.disk green disk ok on round %d\n", i, round)
					conn.Close()
				}
			})
		}
		wg.Wait()
		for d.engine.Stats().PassiveChecks < n {
			if time.Since(began) > 20*time.Second {
				b.Fatalf("only %d of %d passive checks after a minute; Big Brother listener: %+v", d.engine.Stats().PassiveChecks, n, d.bb.Stats())
			}
			time.Sleep(time.Millisecond)
		}
		if err := d.engine.Sync(context.Background()); err != nil {
			b.Fatal(err)
		}
		took := time.Since(began)
		b.ReportMetric(took.Seconds(), "s/10k-new")
		b.Logf("%d new passive checks over TCP 1984 applied and durable in %s (goal: under 2 s)", n, took.Round(time.Millisecond))
		b.StopTimer()
		stop()
		b.StartTimer()
	}
}
