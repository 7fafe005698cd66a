package disk

import (
	"sync"
	"time"
)

// maxSamples bounds the history of one filesystem of one check, whatever
// its interval and window: past it the oldest samples are dropped.
const maxSamples = 4096

// minSamples is how many samples a growth rate needs before it is trusted.
const minSamples = 3

// sample is the used space of a filesystem at one time.
type sample struct {
	at   time.Time
	used float64 // bytes
}

// series is the recent history of one filesystem as one check sees it.
type series struct {
	size    uint64        // the filesystem's size in bytes; when it changes the history restarts
	window  time.Duration // how long samples are kept
	samples []sample      // oldest first
}

// seriesKey names a series: the check's config id and the path it reports.
type seriesKey struct{ config, path string }

// history holds the series of every check of one plugin process, so that
// each Check call can fit a growth rate over the calls before it.
type history struct {
	mu     sync.Mutex
	series map[seriesKey]*series
}

func newHistory() *history { return &history{series: map[seriesKey]*series{}} }

// growth is what a series says about a filesystem's growth.
type growth struct {
	// known is set once the series holds at least minSamples samples over
	// at least the minimum span.
	known bool
	// perHour is the fitted growth in bytes per hour; negative when the
	// filesystem shrinks.
	perHour float64
}

// record adds a sample and fits the growth rate over the window. A change
// of the filesystem's size (it was resized, or another filesystem is now
// mounted there) or a clock that went backwards starts the series afresh.
func (h *history) record(key seriesKey, at time.Time, used float64, size uint64, window, minSpan time.Duration) growth {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.series[key]
	if s == nil || s.size != size || (len(s.samples) > 0 && at.Before(s.samples[len(s.samples)-1].at)) {
		s = &series{size: size}
		h.series[key] = s
	}
	s.window = window
	s.samples = append(s.samples, sample{at: at, used: used})
	cut := 0
	for cut < len(s.samples) && s.samples[cut].at.Before(at.Add(-window)) {
		cut++
	}
	if n := len(s.samples) - cut; n > maxSamples {
		cut += n - maxSamples
	}
	s.samples = append(s.samples[:0], s.samples[cut:]...)
	return fit(s.samples, minSpan)
}

// prune forgets the series that have had no sample within their window,
// such as those of a check that was removed.
func (h *history) prune(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for key, s := range h.series {
		if len(s.samples) == 0 || s.samples[len(s.samples)-1].at.Before(now.Add(-s.window)) {
			delete(h.series, key)
		}
	}
}

// fit returns the least-squares slope of used space over time, in bytes
// per hour, once the samples are enough and span at least minSpan.
func fit(samples []sample, minSpan time.Duration) growth {
	n := len(samples)
	if n < minSamples || samples[n-1].at.Sub(samples[0].at) < minSpan {
		return growth{}
	}
	// Hours since the first sample keep the numbers small and exact for
	// whole hours.
	t0 := samples[0].at
	var meanX, meanY float64
	for _, s := range samples {
		meanX += s.at.Sub(t0).Hours()
		meanY += s.used
	}
	meanX /= float64(n)
	meanY /= float64(n)
	var sxy, sxx float64
	for _, s := range samples {
		dx := s.at.Sub(t0).Hours() - meanX
		sxy += dx * (s.used - meanY)
		sxx += dx * dx
	}
	if sxx == 0 {
		return growth{}
	}
	return growth{known: true, perHour: sxy / sxx}
}
