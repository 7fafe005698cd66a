// Command vakt-loadgen sends passive results to a running vakt as fast as
// it takes them and prints the rate of results applied and durable:
//
//	go run ./contrib/loadgen/vakt-loadgen -url http://127.0.0.1:8484 -token TOKEN -hosts 100 -per-host 50
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/vakt/vakt/contrib/loadgen"
)

func main() {
	var o loadgen.Options
	flag.StringVar(&o.URL, "url", "http://127.0.0.1:8484", "the vakt API's root")
	flag.StringVar(&o.Token, "token", os.Getenv("VAKT_API_TOKEN"), "an API bearer token (default $VAKT_API_TOKEN)")
	flag.IntVar(&o.Hosts, "hosts", 100, "hosts")
	flag.IntVar(&o.PerHost, "per-host", 50, "checks per host")
	flag.IntVar(&o.Batch, "batch", 500, "results per request")
	flag.IntVar(&o.Concurrency, "concurrency", 8, "requests in flight")
	flag.DurationVar(&o.Duration, "duration", 10*time.Second, "how long to send")
	flag.BoolVar(&o.Perfdata, "perfdata", false, "add a perfdata item to every result")
	flag.Parse()
	r, err := loadgen.Run(context.Background(), o)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("%d results applied and durable in %s: %.0f results/s (%d refused)\n", r.Accepted, r.Elapsed.Round(time.Millisecond), r.PerSecond(), r.Refused)
	if r.FirstError != "" {
		fmt.Println("first error:", r.FirstError)
		os.Exit(1)
	}
}
