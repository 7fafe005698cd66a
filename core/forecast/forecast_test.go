package forecast

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)

// series returns n samples step apart from t0, valued f(seconds since t0).
func series(n int, step time.Duration, f func(sec float64) float64) []Sample {
	out := make([]Sample, n)
	for i := range out {
		at := t0.Add(time.Duration(i) * step)
		out[i] = Sample{At: at, Value: f(at.Sub(t0).Seconds())}
	}
	return out
}

func TestTimeUntil(t *testing.T) {
	noise := rand.New(rand.NewPCG(11, 0))
	const GiB = 1 << 30
	cases := []struct {
		name     string
		samples  []Sample
		at       time.Time
		limit    float64
		opts     Options
		slope    float64 // per second
		now      float64
		ok       bool
		left     time.Duration
		tol      float64 // relative tolerance on slope and now; 0: exact
		leftTol  time.Duration
		wantSpan time.Duration
	}{
		{
			// 500 GiB used, growing 100 GiB an hour: 1000 GiB at the last
			// sample (5 h), so a 1500 GiB disk is full 5 h later.
			name:    "linear, exact",
			samples: series(6, time.Hour, func(s float64) float64 { return 500*GiB + 100*GiB*s/3600 }),
			at:      t0.Add(5 * time.Hour), limit: 1500 * GiB,
			slope: 100 * GiB / 3600.0, now: 1000 * GiB, ok: true, left: 5 * time.Hour, wantSpan: 5 * time.Hour,
		},
		{
			name:    "linear, falling toward a lower limit",
			samples: series(61, time.Minute, func(s float64) float64 { return 100 - s/60 }),
			at:      t0.Add(time.Hour), limit: 10,
			slope: -1 / 60.0, now: 40, ok: true, left: 30 * time.Minute, tol: 1e-12, leftTol: time.Microsecond,
			wantSpan: time.Hour,
		},
		{
			name:    "reference time after the last sample",
			samples: series(3, time.Hour, func(s float64) float64 { return s }),
			at:      t0.Add(4 * time.Hour), limit: 5 * 3600,
			slope: 1, now: 4 * 3600, ok: true, left: time.Hour, wantSpan: 2 * time.Hour,
		},
		{
			name: "noisy",
			samples: series(1440, time.Minute, func(s float64) float64 {
				return 20*GiB + 2e4*s + noise.NormFloat64()*50e6
			}),
			at: t0.Add(1439 * time.Minute), limit: 30 * GiB,
			slope: 2e4, now: 20*GiB + 2e4*1439*60, ok: true,
			left: time.Duration((30*GiB - 20*GiB - 2e4*1439*60) / 2e4 * float64(time.Second)),
			tol:  0.01, leftTol: 30 * time.Minute, wantSpan: 1439 * time.Minute,
		},
		{
			name:    "flat",
			samples: series(10, time.Minute, func(float64) float64 { return 7 }),
			at:      t0.Add(9 * time.Minute), limit: 10,
			slope: 0, now: 7, ok: false, wantSpan: 9 * time.Minute,
		},
		{
			name:    "flat on the limit",
			samples: series(10, time.Minute, func(float64) float64 { return 10 }),
			at:      t0.Add(9 * time.Minute), limit: 10,
			slope: 0, now: 10, ok: true, left: 0, wantSpan: 9 * time.Minute,
		},
		{
			// Up 1/s for 100 s, then down 1/s for 200 s: the fit falls, away
			// from an upper limit.
			name: "rising then falling, upper limit",
			samples: series(31, 10*time.Second, func(s float64) float64 {
				if s <= 100 {
					return s
				}
				return 200 - s
			}),
			at: t0.Add(300 * time.Second), limit: 1000,
			ok: false, tol: -1, wantSpan: 300 * time.Second,
		},
		{
			name: "rising then falling, lower limit",
			samples: series(31, 10*time.Second, func(s float64) float64 {
				if s <= 100 {
					return s
				}
				return 200 - s
			}),
			at: t0.Add(300 * time.Second), limit: -1000,
			ok: true, tol: -1, wantSpan: 300 * time.Second,
		},
		{
			name:    "NaN and Inf samples are skipped",
			samples: append(series(4, time.Minute, func(s float64) float64 { return s }), Sample{t0.Add(time.Hour), math.NaN()}, Sample{t0.Add(2 * time.Hour), math.Inf(1)}),
			at:      t0.Add(3 * time.Minute), limit: 360,
			slope: 1, now: 180, ok: true, left: 3 * time.Minute, wantSpan: 3 * time.Minute,
		},
		{
			name:    "tiny slope saturates at MaxLeft",
			samples: series(3, time.Hour, func(s float64) float64 { return 1e-12 * s }),
			at:      t0.Add(2 * time.Hour), limit: 1e300,
			slope: 1e-12, now: 1e-12 * 7200, ok: true, left: MaxLeft, tol: 1e-9, wantSpan: 2 * time.Hour,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := TimeUntil(c.samples, c.at, c.limit, c.opts)
			if err != nil {
				t.Fatalf("TimeUntil: %v", err)
			}
			if f.OK != c.ok || f.Limit != c.limit || !f.At.Equal(c.at) || f.Span != c.wantSpan {
				t.Fatalf("got %+v, want ok %v, limit %v, at %v, span %v", f, c.ok, c.limit, c.at, c.wantSpan)
			}
			if !f.OK && f.Left != 0 {
				t.Fatalf("Left = %v when not OK", f.Left)
			}
			if c.tol >= 0 {
				near(t, "slope", f.Slope, c.slope, c.tol)
				near(t, "now", f.Now, c.now, c.tol)
				if d := f.Left - c.left; d < -c.leftTol || d > c.leftTol {
					t.Fatalf("Left = %v, want %v ± %v", f.Left, c.left, c.leftTol)
				}
			}
			if got := f.ValueAt(f.At.Add(time.Hour)); c.tol == 0 && got != c.now+3600*c.slope {
				t.Fatalf("ValueAt(+1h) = %v, want %v", got, c.now+3600*c.slope)
			}
		})
	}
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if tol == 0 {
		if got != want {
			t.Fatalf("%s = %v, want exactly %v", what, got, want)
		}
		return
	}
	if math.Abs(got-want) > tol*math.Max(math.Abs(want), 1e-300) {
		t.Fatalf("%s = %v, want %v within %v", what, got, want, tol)
	}
}

// TestRisingThenFalling checks the sign of the fitted slope exactly: the
// tail outweighs the rise.
func TestRisingThenFalling(t *testing.T) {
	s := series(31, 10*time.Second, func(s float64) float64 {
		if s <= 100 {
			return s
		}
		return 200 - s
	})
	l, err := Fit(s, t0.Add(300*time.Second), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !(l.Slope < 0) {
		t.Fatalf("slope %v, want negative", l.Slope)
	}
}

func TestNotEnough(t *testing.T) {
	linear := func(n int, step time.Duration) []Sample {
		return series(n, step, func(s float64) float64 { return s })
	}
	cases := []struct {
		name    string
		samples []Sample
		opts    Options
		want    error
	}{
		{"none", nil, Options{}, ErrTooFew},
		{"two of the default three", linear(2, time.Minute), Options{}, ErrTooFew},
		{"MinSamples below the default is the default", linear(2, time.Minute), Options{MinSamples: 1}, ErrTooFew},
		{"four of five", linear(4, time.Minute), Options{MinSamples: 5}, ErrTooFew},
		{"NaN does not count", append(linear(2, time.Minute), Sample{t0.Add(time.Hour), math.NaN()}), Options{}, ErrTooFew},
		{"all at one time", series(5, 0, func(float64) float64 { return 1 }), Options{}, ErrTooShort},
		{"span below MinSpan", linear(10, time.Minute), Options{MinSpan: time.Hour}, ErrTooShort},
		{"overflowing values", []Sample{{t0, -math.MaxFloat64}, {t0.Add(time.Second), math.MaxFloat64}, {t0.Add(2 * time.Second), math.MaxFloat64}}, Options{}, ErrNotFinite},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := TimeUntil(c.samples, t0, 100, c.opts)
			if !errors.Is(err, c.want) || f.OK {
				t.Fatalf("TimeUntil = %+v, %v, want %v", f, err, c.want)
			}
		})
	}
	t.Run("span equal to MinSpan is enough", func(t *testing.T) {
		if _, err := Fit(linear(61, time.Minute), t0, Options{MinSpan: time.Hour}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("infinite limit", func(t *testing.T) {
		if _, err := TimeUntil(linear(5, time.Minute), t0, math.Inf(1), Options{}); err == nil {
			t.Fatal("no error for an infinite limit")
		}
	})
}

// FuzzTimeUntil: whatever the samples, an OK forecast has finite numbers
// and a Left in [0, MaxLeft], and a fit error is one of the package's.
func FuzzTimeUntil(f *testing.F) {
	f.Add(int64(0), 100.0, []byte("0123456789abcdef0123456789abcdef01234567"))
	f.Add(int64(time.Hour), -1.0, make([]byte, 48))
	f.Fuzz(func(t *testing.T, atOffset int64, limit float64, data []byte) {
		var samples []Sample
		for i := 0; i+16 <= len(data); i += 16 {
			at := t0.Add(time.Duration(binary.LittleEndian.Uint64(data[i:])))
			v := math.Float64frombits(binary.LittleEndian.Uint64(data[i+8:]))
			samples = append(samples, Sample{at, v})
		}
		fc, err := TimeUntil(samples, t0.Add(time.Duration(atOffset)), limit, Options{})
		if err != nil {
			if fc.OK {
				t.Fatal("OK with an error")
			}
			return
		}
		if !finite(fc.Slope) || !finite(fc.Now) || fc.Samples < DefaultMinSamples || fc.Span <= 0 {
			t.Fatalf("fit %+v", fc.Line)
		}
		if fc.OK && (fc.Left < 0 || fc.Left > MaxLeft) || !fc.OK && fc.Left != 0 {
			t.Fatalf("forecast %+v", fc)
		}
	})
}
