// Package loadgen sends passive results to a running vakt's HTTP API as
// fast as it takes them: batches of results for a fixed set of checks,
// from several connections at once. A 202 means the results are applied
// and durable, so what it counts is what vakt has stored. The benchmarks
// use it in-process; vakt-loadgen is its command.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Options say what to send.
type Options struct {
	URL         string // the API's root, e.g. http://127.0.0.1:8484
	Token       string // a bearer token of the API
	Hosts       int    // results go to checks host0/load .. host(Hosts-1)/load ...
	PerHost     int    // ... and each host has this many checks (check0..)
	Batch       int    // results per request
	Concurrency int    // requests in flight
	Duration    time.Duration
	// Perfdata adds one perfdata item to every result.
	Perfdata bool
}

// Report is what a run did.
type Report struct {
	Requests, Accepted, Refused uint64 // Accepted/Refused count results
	Elapsed                     time.Duration
	FirstError                  string
}

// PerSecond is the rate of accepted (applied and durable) results.
func (r Report) PerSecond() float64 { return float64(r.Accepted) / r.Elapsed.Seconds() }

// Run sends batches until opts.Duration has passed or ctx ends.
func Run(ctx context.Context, opts Options) (Report, error) {
	if opts.Hosts < 1 || opts.PerHost < 1 || opts.Batch < 1 || opts.Concurrency < 1 || opts.Duration <= 0 {
		return Report{}, fmt.Errorf("load generator: hosts, per-host checks, batch, concurrency and duration must be positive: %+v", opts)
	}
	bodies, err := batches(opts)
	if err != nil {
		return Report{}, err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: opts.Concurrency}, Timeout: time.Minute}
	ctx, cancel := context.WithTimeout(ctx, opts.Duration)
	defer cancel()
	var (
		next                        atomic.Uint64
		requests, accepted, refused atomic.Uint64
		errOnce                     sync.Once
		firstErr                    string
		wg                          sync.WaitGroup
	)
	began := time.Now()
	for range opts.Concurrency {
		wg.Go(func() {
			for ctx.Err() == nil {
				body := bodies[next.Add(1)%uint64(len(bodies))]
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, opts.URL+"/api/v1/results", bytes.NewReader(body))
				if err != nil {
					errOnce.Do(func() { firstErr = err.Error() })
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+opts.Token)
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errOnce.Do(func() { firstErr = err.Error() })
					}
					continue
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				requests.Add(1)
				if resp.StatusCode == http.StatusAccepted {
					accepted.Add(uint64(opts.Batch))
				} else {
					refused.Add(uint64(opts.Batch))
					errOnce.Do(func() { firstErr = fmt.Sprintf("%s: %s", resp.Status, bytes.TrimSpace(msg)) })
				}
			}
		})
	}
	wg.Wait()
	return Report{Requests: requests.Load(), Accepted: accepted.Load(), Refused: refused.Load(),
		Elapsed: time.Since(began), FirstError: firstErr}, nil
}

type result struct {
	Host   string `json:"host"`
	Check  string `json:"check"`
	State  string `json:"state"`
	Output string `json:"output"`
}

// batches encodes the request bodies once: every check appears in turn,
// with a state that changes now and then so that some results are
// transitions, as in a real site.
func batches(opts Options) ([][]byte, error) {
	total := opts.Hosts * opts.PerHost
	n := (total + opts.Batch - 1) / opts.Batch
	var out [][]byte
	for round := range 4 {
		for b := range n {
			rs := make([]result, 0, opts.Batch)
			for i := range opts.Batch {
				k := (b*opts.Batch + i) % total
				st := "ok"
				if round == 3 && k%50 == 0 {
					st = "warning"
				}
				output := fmt.Sprintf("LOAD OK - load average %d.%02d", round, k%100)
				if opts.Perfdata {
					output += fmt.Sprintf("|load1=%d.%02d;5;10;0", round, k%100)
				}
				rs = append(rs, result{Host: fmt.Sprintf("host%d", k/opts.PerHost), Check: fmt.Sprintf("check%d", k%opts.PerHost), State: st, Output: output})
			}
			body, err := json.Marshal(struct {
				Results []result `json:"results"`
			}{rs})
			if err != nil {
				return nil, err
			}
			out = append(out, body)
		}
	}
	return out, nil
}
