package chunk

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkEncode encodes one day of 1-minute samples of each realistic
// series into one chunk and reports bytes per sample (goal: at most 2 on
// average over the series) and samples encoded per second (goal: at least
// 100,000/s). The "average" sub-benchmark prints the mean over the series.
func BenchmarkEncode(b *testing.B) {
	series := realistic()
	var total, onMinute float64
	for _, s := range series {
		size := len(encode(b, s.samples))
		perSample := float64(size) / float64(len(s.samples))
		total += perSample
		grid := make([]sample, len(s.samples))
		for i, x := range s.samples {
			grid[i] = sample{start + int64(i)*60_000, x.v}
		}
		onMinute += float64(len(encode(b, grid))) / float64(len(grid))
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
		fmt.Printf("chunk: %.2f bytes per sample on average over %d realistic series of 1-minute samples (goal: at most 2); %.2f with times on the minute\n",
			avg, len(series), onMinute/float64(len(series)))
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

// BenchmarkTimeResolution shows what timestamps cost: the constant series
// (whose values take 1 bit) with its times in milliseconds as the engine
// stamps them, rounded to the scheduled minute, and in nanoseconds.
func BenchmarkTimeResolution(b *testing.B) {
	constant := realistic()[len(realistic())-1].samples
	r := rand.New(rand.NewPCG(7, 7))
	variants := []struct {
		name string
		time func(i int, t int64) int64
	}{
		{"ms with run-time jitter", func(_ int, t int64) int64 { return t }},
		{"ms on the minute", func(i int, _ int64) int64 { return start + int64(i)*60_000 }},
		{"ns with run-time jitter", func(_ int, t int64) int64 { return t*1_000_000 + r.Int64N(1_000_000) }},
	}
	for _, v := range variants {
		samples := make([]sample, len(constant))
		for i, s := range constant {
			samples[i] = sample{v.time(i, s.t), s.v}
		}
		size := len(encode(b, samples))
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				encode(b, samples)
			}
			b.ReportMetric(float64(size)/float64(len(samples)), "B/sample")
		})
	}
}
