package schedule

import (
	"testing"
	"time"
)

func TestHistogramBounds(t *testing.T) {
	h := newHistogram()
	if len(h.bounds) != 101 {
		t.Fatalf("%d bounds, want 101", len(h.bounds))
	}
	want := map[int]time.Duration{
		0: 0, 1: time.Microsecond, 2: 1250 * time.Nanosecond, 10: 8 * time.Microsecond,
		11: 10 * time.Microsecond, 36: 3 * time.Millisecond, 100: 8000 * time.Second,
	}
	for i, w := range want {
		if h.bounds[i] != w {
			t.Errorf("bound %d = %s, want %s", i, h.bounds[i], w)
		}
	}
}

func TestHistogramSummary(t *testing.T) {
	repeat := func(d time.Duration, n int) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = d
		}
		return out
	}
	tests := []struct {
		name    string
		samples []time.Duration
		want    Lateness
	}{
		{"no runs", nil, Lateness{}},
		{"one on time", []time.Duration{0}, Lateness{Count: 1}},
		{"early counts as on time", []time.Duration{-5 * time.Millisecond}, Lateness{Count: 1}},
		{"one nanosecond: capped at the maximum", []time.Duration{1}, Lateness{Count: 1, Sum: 1, P50: 1, P99: 1, Max: 1}},
		{"values on bucket bounds are exact", []time.Duration{0, 5 * time.Second, 10 * time.Second},
			Lateness{Count: 3, Sum: 15 * time.Second, P50: 5 * time.Second, P99: 10 * time.Second, Max: 10 * time.Second}},
		{"one outlier in a hundred is above p99", append(repeat(3*time.Millisecond, 99), 2*time.Second),
			Lateness{Count: 100, Sum: 297*time.Millisecond + 2*time.Second, P50: 3 * time.Millisecond, P99: 3 * time.Millisecond, Max: 2 * time.Second}},
		{"between bounds: the upper bound", append(repeat(3100*time.Microsecond, 100), 7*time.Millisecond),
			Lateness{Count: 101, Sum: 310*time.Millisecond + 7*time.Millisecond, P50: 4 * time.Millisecond, P99: 4 * time.Millisecond, Max: 7 * time.Millisecond}},
		{"beyond the last bound: the maximum", []time.Duration{3 * time.Hour, 3 * time.Hour},
			Lateness{Count: 2, Sum: 6 * time.Hour, P50: 3 * time.Hour, P99: 3 * time.Hour, Max: 3 * time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHistogram()
			for _, d := range tt.samples {
				h.record(d)
			}
			if got := h.summary(); got != tt.want {
				t.Errorf("summary = %+v, want %+v", got, tt.want)
			}
		})
	}
}
