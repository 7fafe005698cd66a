// Package forecast fits a straight line through the recent samples of a
// series by least squares and says when it reaches a limit: the disk that
// is full within 48 hours, the counter that wraps, the queue that reaches
// its maximum. It is Prometheus' deriv and predict_linear: the slope is the
// least-squares slope over the samples, and the value "now" is the fitted
// line's value at a reference time (not the last sample), so one noisy
// sample does not move the forecast far.
//
// The package holds no state: the caller chooses the samples (a window of
// the series) and the reference time.
package forecast

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Sample is one value of a series at one time.
type Sample struct {
	At    time.Time
	Value float64
}

// Options are what a fit needs before it is trusted.
type Options struct {
	// MinSamples is the fewest usable samples; less than DefaultMinSamples
	// (including 0) means DefaultMinSamples.
	MinSamples int
	// MinSpan is the least time between the oldest and the newest usable
	// sample; 0 means any span that is not empty.
	MinSpan time.Duration
}

// DefaultMinSamples is the fewest samples a fit uses unless told more: two
// points always lie on a line, three start to say whether they do.
const DefaultMinSamples = 3

var (
	// ErrTooFew: fewer usable samples than Options.MinSamples.
	ErrTooFew = errors.New("forecast: too few samples")
	// ErrTooShort: the samples span less than Options.MinSpan, or all lie
	// at one time.
	ErrTooShort = errors.New("forecast: samples span too short a time")
	// ErrNotFinite: the values are so large that the fit overflows.
	ErrNotFinite = errors.New("forecast: the fit is not a finite number")
)

// Line is a least-squares line through samples.
type Line struct {
	// Slope is the change of the value per second (Prometheus' deriv).
	Slope float64
	// Now is the line's value at At (Prometheus' predict_linear at 0 s).
	Now float64
	// At is the reference time the line was fitted for.
	At time.Time
	// Samples is how many samples the fit used; Span is the time from the
	// oldest to the newest of them.
	Samples int
	Span    time.Duration
}

// ValueAt is the line's value at t (predict_linear for t - At).
func (l Line) ValueAt(t time.Time) float64 {
	return l.Now + l.Slope*t.Sub(l.At).Seconds()
}

// Fit returns the least-squares line through samples, in any order, with
// its value at the reference time at. Samples whose value is NaN or ±Inf
// are skipped. It returns an error wrapping ErrTooFew, ErrTooShort or
// ErrNotFinite when the samples do not make a trustworthy line.
func Fit(samples []Sample, at time.Time, opts Options) (Line, error) {
	minSamples := max(opts.MinSamples, DefaultMinSamples)
	n := 0
	var first, last time.Time
	for _, s := range samples {
		if !finite(s.Value) {
			continue
		}
		if n == 0 || s.At.Before(first) {
			first = s.At
		}
		if n == 0 || s.At.After(last) {
			last = s.At
		}
		n++
	}
	if n < minSamples {
		return Line{}, fmt.Errorf("%w: %d usable, need %d", ErrTooFew, n, minSamples)
	}
	span := last.Sub(first)
	if span <= 0 || span < opts.MinSpan {
		return Line{}, fmt.Errorf("%w: %s, need %s", ErrTooShort, span, max(opts.MinSpan, time.Nanosecond))
	}
	// Seconds relative to the reference time keep the numbers small; the
	// means are taken first (two passes), which keeps the sums exact for
	// exactly linear series and avoids the cancellation of the one-pass
	// formula.
	var meanX, meanY float64
	for _, s := range samples {
		if finite(s.Value) {
			meanX += s.At.Sub(at).Seconds()
			meanY += s.Value
		}
	}
	meanX /= float64(n)
	meanY /= float64(n)
	var sxy, sxx float64
	for _, s := range samples {
		if finite(s.Value) {
			dx := s.At.Sub(at).Seconds() - meanX
			sxy += dx * (s.Value - meanY)
			sxx += dx * dx
		}
	}
	slope := sxy / sxx
	now := meanY - slope*meanX
	if !finite(slope) || !finite(now) || sxx == 0 {
		return Line{}, fmt.Errorf("%w: slope %v, value %v", ErrNotFinite, slope, now)
	}
	return Line{Slope: slope, Now: now, At: at, Samples: n, Span: span}, nil
}

// Forecast is when a fitted line reaches a limit.
type Forecast struct {
	Line
	// Limit is the value the line must not reach.
	Limit float64
	// OK is set when the line, from its value at At, moves toward Limit
	// (or sits on it): then it reaches Limit after Left. A flat line, or
	// one moving away from Limit, never reaches it: OK is false.
	OK bool
	// Left is the time from At until the line reaches Limit, 0 when it is
	// on it, at most MaxLeft; 0 when not OK.
	Left time.Duration
}

// MaxLeft is the longest Left a Forecast says, about 292 years: a line
// further from its limit than that reports MaxLeft.
const MaxLeft = time.Duration(math.MaxInt64)

// TimeUntil fits a line through samples as Fit does and says how long
// after at it reaches limit. A limit alone has no side: a line already
// past it and moving on looks the same as one moving away from it, and is
// not OK either; a caller that cares compares Now with Limit.
func TimeUntil(samples []Sample, at time.Time, limit float64, opts Options) (Forecast, error) {
	if !finite(limit) {
		return Forecast{}, fmt.Errorf("forecast: limit %v is not a finite number", limit)
	}
	line, err := Fit(samples, at, opts)
	if err != nil {
		return Forecast{}, err
	}
	f := Forecast{Line: line, Limit: limit}
	if line.Now == limit {
		f.OK = true
		return f, nil
	}
	if line.Slope == 0 {
		return f, nil
	}
	secs := (limit - line.Now) / line.Slope
	if !(secs > 0) { // moving away; NaN cannot occur but is not OK either
		return f, nil
	}
	f.OK = true
	if secs >= MaxLeft.Seconds()-1 { // the margin keeps the conversion in range

		f.Left = MaxLeft
	} else {
		f.Left = time.Duration(secs * float64(time.Second))
	}
	return f, nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
