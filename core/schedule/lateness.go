package schedule

import (
	"math"
	"slices"
	"time"
)

// Lateness summarises how late runs started: for every run, the time it
// actually started minus the time it was due. A run is late when no slot was
// free, or when the machine was too busy to wake the scheduler in time.
type Lateness struct {
	// Count is the number of runs started.
	Count uint64
	// Sum is the total lateness of all runs.
	Sum time.Duration
	// P50 and P99 are the median and 99th percentile. They are the upper
	// bound of the histogram bucket that holds the percentile, but never
	// more than Max; buckets step 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8 per
	// decade from 1µs to 8000s, so a value is at most a third above the
	// true one. A run on time exactly counts as 0.
	P50, P99 time.Duration
	// Max is the largest lateness seen, exactly.
	Max time.Duration
}

// histogram counts lateness samples in fixed buckets: cheap to record into
// (a binary search over about a hundred bounds) and small (under 2 KiB),
// however many runs it has seen.
type histogram struct {
	bounds []time.Duration // upper bounds, ascending; bounds[0] is 0
	counts []uint64        // counts[i] for bounds[i]; the last one for anything above the last bound
	count  uint64
	sum    time.Duration
	max    time.Duration
}

func newHistogram() *histogram {
	steps := []time.Duration{100, 125, 150, 200, 250, 300, 400, 500, 600, 800}
	bounds := []time.Duration{0}
	for decade := time.Microsecond; decade <= 1000*time.Second; decade *= 10 {
		for _, s := range steps {
			bounds = append(bounds, decade*s/100)
		}
	}
	return &histogram{bounds: bounds, counts: make([]uint64, len(bounds)+1)}
}

// record adds one sample; a negative one counts as 0.
func (h *histogram) record(d time.Duration) {
	d = max(d, 0)
	i, _ := slices.BinarySearch(h.bounds, d) // the first bound >= d
	h.counts[i]++
	h.count++
	h.sum += d
	h.max = max(h.max, d)
}

// quantile returns the bucket bound holding the q-th sample (0 < q <= 1),
// capped at the maximum; 0 when there are no samples.
func (h *histogram) quantile(q float64) time.Duration {
	if h.count == 0 {
		return 0
	}
	rank := max(uint64(math.Ceil(q*float64(h.count))), 1)
	var seen uint64
	for i, n := range h.counts {
		seen += n
		if seen >= rank {
			if i < len(h.bounds) {
				return min(h.bounds[i], h.max)
			}
			break
		}
	}
	return h.max
}

func (h *histogram) summary() Lateness {
	return Lateness{
		Count: h.count,
		Sum:   h.sum,
		P50:   h.quantile(0.50),
		P99:   h.quantile(0.99),
		Max:   h.max,
	}
}
