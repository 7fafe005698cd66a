package chunk

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// sample is one (time, value) pair of a test series.
type sample struct {
	t int64
	v float64
}

// day is one day of 1-minute samples, the size of chunk the realistic
// series are measured at.
const day = 1440

// start is 2026-12-08 00:00:00 UTC in Unix milliseconds.
const start int64 = 1796688000000

// checkTimes returns n times one minute apart as the engine stamps them:
// the scheduled minute plus the plugin's run time, 10 to 80 ms.
func checkTimes(r *rand.Rand, n int) []int64 {
	ts := make([]int64, n)
	for i := range ts {
		ts[i] = start + int64(i)*60_000 + 10 + r.Int64N(70)
	}
	return ts
}

// printed parses the value as a plugin prints it with digits decimals, as
// perfdata arrives: 0.52, not 0.5199999.
func printed(v float64, digits int) float64 {
	f, err := strconv.ParseFloat(strconv.FormatFloat(v, 'f', digits, 64), 64)
	if err != nil {
		panic(err)
	}
	return f
}

// realistic returns the named realistic series of one day, each from its
// own fixed seed so that figures are comparable from run to run.
func realistic() []struct {
	name    string
	samples []sample
} {
	type series = struct {
		name    string
		samples []sample
	}
	build := func(seed uint64, value func(r *rand.Rand, i int, prev float64) float64) []sample {
		r := rand.New(rand.NewPCG(seed, 1))
		ts := checkTimes(r, day)
		out := make([]sample, day)
		prev := 0.0
		for i, t := range ts {
			prev = value(r, i, prev)
			out[i] = sample{t, prev}
		}
		return out
	}
	return []series{
		// vakt's disk plugin: used bytes, in 4 KiB blocks, creeping up by
		// up to 2 MiB a minute with a cleanup now and then.
		{"disk used bytes", build(1, func(r *rand.Rand, i int, prev float64) float64 {
			if i == 0 {
				return 412 << 30
			}
			if r.IntN(100) == 0 {
				return prev - float64(r.IntN(1<<15))*4096
			}
			return prev + float64(r.IntN(512))*4096
		})},
		// check_disk: used MB as an integer, creeping.
		{"disk used MB", build(2, func(r *rand.Rand, i int, prev float64) float64 {
			if i == 0 {
				return 41234
			}
			return prev + float64(r.IntN(3))
		})},
		// check_disk: used percent with two decimals.
		{"disk used pct", build(3, func(r *rand.Rand, i int, prev float64) float64 {
			return printed(71.3+float64(i)*0.004+r.Float64()*0.01, 2)
		})},
		// check_load: load1 with two decimals, noisy.
		{"load noisy", build(4, func(r *rand.Rand, i int, prev float64) float64 {
			return printed(math.Abs(1.5+math.Sin(float64(i)/90)+r.NormFloat64()*0.4), 2)
		})},
		// An interface's octet counter.
		{"counter", build(5, func(r *rand.Rand, i int, prev float64) float64 {
			return prev + float64(5_000_000+r.IntN(2_000_000))
		})},
		// A value that does not change: a process count, a 0 for OK.
		{"constant", build(6, func(r *rand.Rand, i int, prev float64) float64 { return 1 })},
	}
}
