package chunk

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkEncode encodes one day of 1-minute samples of each realistic
// series into one chunk and reports bytes per sample (goal: at most 2 on
// average over the series) and samples encoded per second (goal: at least
// 100,000/s). The "average" sub-benchmark prints the mean over the series.
func BenchmarkEncode(b *testing.B) {
	series := realistic()
	var total float64
	for _, s := range series {
		size := len(encode(b, s.samples))
		perSample := float64(size) / float64(len(s.samples))
		total += perSample
		b.Run(s.name, func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				a := NewAppender()
				for _, x := range s.samples {
					if err := a.Append(x.t, x.v); err != nil {
						b.Fatal(err)
					}
				}
				_ = a.Bytes()
			}
			elapsed := time.Since(start)
			b.ReportMetric(perSample, "B/sample")
			b.ReportMetric(float64(b.N*len(s.samples))/elapsed.Seconds(), "samples/s")
		})
	}
	b.Run("average", func(b *testing.B) {
		avg := total / float64(len(series))
		for b.Loop() {
		}
		b.ReportMetric(avg, "B/sample")
		fmt.Printf("chunk: %.2f bytes per sample on average over %d realistic series of 1-minute samples (goal: at most 2)\n", avg, len(series))
	})
}

// BenchmarkDecode reads the same chunks back (samples decoded per second).
func BenchmarkDecode(b *testing.B) {
	for _, s := range realistic() {
		chunk := encode(b, s.samples)
		b.Run(s.name, func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				it := NewIterator(chunk)
				for it.Next() {
				}
				if it.Err() != nil {
					b.Fatal(it.Err())
				}
			}
			b.ReportMetric(float64(b.N*len(s.samples))/time.Since(start).Seconds(), "samples/s")
		})
	}
}
