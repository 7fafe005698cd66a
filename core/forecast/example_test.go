package forecast_test

import (
	"fmt"
	"time"

	"github.com/vakt/vakt/core/forecast"
)

// A disk of 1000 GiB, 600 GiB used and growing 10 GiB an hour: full in 40 h.
func ExampleTimeUntil() {
	const GiB = 1 << 30
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	var samples []forecast.Sample
	for h := 6; h >= 0; h-- {
		samples = append(samples, forecast.Sample{At: now.Add(-time.Duration(h) * time.Hour), Value: float64(600*GiB - h*10*GiB)})
	}
	f, err := forecast.TimeUntil(samples, now, 1000*GiB, forecast.Options{MinSpan: time.Hour})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.1f GiB/h, %.0f GiB now, full in %s (ok %v)\n", f.Slope*3600/GiB, f.Now/GiB, f.Left, f.OK)
	// Output: 10.0 GiB/h, 600 GiB now, full in 40h0m0s (ok true)
}
