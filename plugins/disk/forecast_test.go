package disk

import (
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/plugintest"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

// forecastValues configures /data with the forecast on and the used
// percent out of the way.
func forecastValues(window, minSpan string) sdk.Values {
	return sdk.Values{
		"mounts": []string{"/data"}, "warning": "99", "critical": "100",
		"forecast_warning": 4, "forecast_critical": 2,
		"forecast_window": window, "forecast_min_span": minSpan,
	}
}

// fillTo sets /data, a 1000 GiB filesystem, to usedGiB used.
func fillTo(fs *fakeFS, usedGiB uint64) {
	fs.set("/data", usage{size: 1000 * gib, free: (1000 - usedGiB) * gib, avail: (1000 - usedGiB) * gib})
}

// TestForecastGrowingDisk feeds a disk that grows by 100 GiB an hour from
// 500 GiB used, one check an hour: the forecast needs three samples over
// at least an hour, then says exactly how many hours of free space are
// left and raises WARNING below 4 hours, CRITICAL below 2.
func TestForecastGrowingDisk(t *testing.T) {
	fs := &fakeFS{answers: map[string]usage{}}
	clock := &fakeClock{now: epoch}
	c := sdktest.ServeCheck(t, newFake("testdata/host", fs, clock))
	plugintest.Configure(t, c, "grow", forecastValues("6h", "1h"))
	steps := []struct {
		state  check.State
		output string
		long   string
		perf   string
	}{
		{check.OK, "DISK OK - /data 50.0% used (500.0 GiB free of 1000.0 GiB)", "",
			"/data:growth_per_hour=U /data:hours_to_full=U;4:;2:"},
		{check.OK, "DISK OK - /data 60.0% used (400.0 GiB free of 1000.0 GiB)", "",
			"/data:growth_per_hour=U /data:hours_to_full=U;4:;2:"},
		{check.Warning, "DISK WARNING - /data 70.0% used (300.0 GiB free of 1000.0 GiB), full in 3.0 h",
			"/data: full in 3.00 h at 100.0 GiB/h is WARNING (range 4:)",
			"/data:growth_per_hour=107374182400B /data:hours_to_full=3;4:;2:"},
		{check.Warning, "DISK WARNING - /data 80.0% used (200.0 GiB free of 1000.0 GiB), full in 2.0 h",
			"/data: full in 2.00 h at 100.0 GiB/h is WARNING (range 4:)",
			"/data:growth_per_hour=107374182400B /data:hours_to_full=2;4:;2:"},
		{check.Critical, "DISK CRITICAL - /data 90.0% used (100.0 GiB free of 1000.0 GiB), full in 1.0 h",
			"/data: full in 1.00 h at 100.0 GiB/h is CRITICAL (range 2:)",
			"/data:growth_per_hour=107374182400B /data:hours_to_full=1;4:;2:"},
	}
	for k, want := range steps {
		clock.set(epoch.Add(time.Duration(k) * time.Hour))
		fillTo(fs, 500+100*uint64(k))
		got := plugintest.CheckByID(t, c, "grow")
		perf := check.FormatPerfdata(got.Perfdata[3:]) // after used_pct, used and free
		if got.State != want.state || got.Output != want.output || got.Long != want.long || perf != want.perf {
			t.Errorf("hour %d: got %v %q long %q perf %s\nwant %v %q long %q perf %s",
				k, got.State, got.Output, got.Long, perf, want.state, want.output, want.long, want.perf)
		}
	}
}

// TestForecastWindow: the rate is fitted over the window only. Flat for
// six hours, then 50 GiB an hour: with a 2h window the fit at hour 8 sees
// only the growth (hours 6, 7 and 8; hour 6 is exactly at the window's
// edge and stays), so 750 GiB free last 15 hours.
func TestForecastWindow(t *testing.T) {
	fs := &fakeFS{answers: map[string]usage{}}
	clock := &fakeClock{now: epoch}
	c := sdktest.ServeCheck(t, newFake("testdata/host", fs, clock))
	plugintest.Configure(t, c, "window", forecastValues("2h", "1h"))
	var got check.Result
	for k := uint64(0); k <= 8; k++ {
		clock.set(epoch.Add(time.Duration(k) * time.Hour))
		used := uint64(100)
		if k > 5 {
			used += 50 * (k - 5)
		}
		fillTo(fs, used)
		got = plugintest.CheckByID(t, c, "window")
		if k == 5 {
			wantOutput := "DISK OK - /data 10.0% used (900.0 GiB free of 1000.0 GiB), not growing"
			wantPerf := "/data:growth_per_hour=0B /data:hours_to_full=U;4:;2:"
			if perf := check.FormatPerfdata(got.Perfdata[3:]); got.Output != wantOutput || perf != wantPerf {
				t.Errorf("hour 5: got %q perf %s, want %q perf %s", got.Output, perf, wantOutput, wantPerf)
			}
		}
	}
	wantOutput := "DISK OK - /data 25.0% used (750.0 GiB free of 1000.0 GiB), full in 15.0 h"
	wantPerf := "/data:growth_per_hour=53687091200B /data:hours_to_full=15;4:;2:"
	if perf := check.FormatPerfdata(got.Perfdata[3:]); got.State != check.OK || got.Output != wantOutput || perf != wantPerf {
		t.Errorf("hour 8: got %v %q perf %s, want OK %q perf %s", got.State, got.Output, perf, wantOutput, wantPerf)
	}
}

// TestForecastStartsOver: a resized filesystem, or a clock that went
// backwards, makes the old samples meaningless: the forecast waits for
// three new ones. Each config id has its own history.
func TestForecastStartsOver(t *testing.T) {
	fs := &fakeFS{answers: map[string]usage{}}
	clock := &fakeClock{now: epoch}
	c := sdktest.ServeCheck(t, newFake("testdata/host", fs, clock))
	for _, id := range []string{"a", "b"} {
		plugintest.Configure(t, c, id, forecastValues("6h", "1h"))
	}
	hours := func(id string) string {
		t.Helper()
		r := plugintest.CheckByID(t, c, id)
		return check.FormatPerfdata(r.Perfdata[len(r.Perfdata)-1:])
	}
	for k := uint64(0); k < 2; k++ {
		clock.set(epoch.Add(time.Duration(k) * time.Hour))
		fillTo(fs, 100+100*k)
		hours("a")
	}
	clock.set(epoch.Add(2 * time.Hour))
	fillTo(fs, 300)
	if got, want := hours("a"), "/data:hours_to_full=7;4:;2:"; got != want {
		t.Fatalf("after three hours: %s, want %s", got, want)
	}
	if got, want := hours("b"), "/data:hours_to_full=U;4:;2:"; got != want {
		t.Fatalf("config b, checked once: %s, want %s", got, want)
	}

	// Resized to 2000 GiB at hour 3, then growing by 100 GiB an hour.
	resized := func(k uint64) {
		clock.set(epoch.Add(time.Duration(k) * time.Hour))
		free := (1700 - 100*(k-3)) * gib
		fs.set("/data", usage{size: 2000 * gib, free: free, avail: free})
	}
	resized(3)
	if got, want := hours("a"), "/data:hours_to_full=U;4:;2:"; got != want {
		t.Fatalf("after a resize: %s, want %s", got, want)
	}
	resized(4)
	hours("a")
	resized(5)
	if got, want := hours("a"), "/data:hours_to_full=15;4:;2:"; got != want {
		t.Fatalf("three hours after the resize: %s, want %s", got, want)
	}
	// The clock goes back to hour 1; from there three new samples, a
	// growth of 100 GiB an hour again.
	for k := uint64(1); k <= 3; k++ {
		clock.set(epoch.Add(time.Duration(k) * time.Hour))
		free := (1100 - 100*k) * gib
		fs.set("/data", usage{size: 2000 * gib, free: free, avail: free})
		want := "/data:hours_to_full=U;4:;2:"
		if k == 3 {
			want = "/data:hours_to_full=8;4:;2:"
		}
		if got := hours("a"); got != want {
			t.Fatalf("hour %d after the clock went back: %s, want %s", k, got, want)
		}
	}
}

func TestFit(t *testing.T) {
	at := func(h float64) time.Time { return epoch.Add(time.Duration(h * float64(time.Hour))) }
	tests := []struct {
		name    string
		samples []sample
		minSpan time.Duration
		want    growth
	}{
		{"least squares over scattered points", []sample{{at(0), 0}, {at(1), 1}, {at(2), 3}}, time.Hour, growth{known: true, perHour: 1.5}},
		{"shrinking", []sample{{at(0), 30}, {at(0.5), 20}, {at(1), 10}}, time.Hour, growth{known: true, perHour: -20}},
		{"too few samples", []sample{{at(0), 0}, {at(5), 10}}, time.Hour, growth{}},
		{"too short a span", []sample{{at(0), 0}, {at(0.25), 1}, {at(0.5), 2}}, time.Hour, growth{}},
		{"all at one time", []sample{{at(1), 0}, {at(1), 1}, {at(1), 2}}, 0, growth{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fit(tt.samples, tt.minSpan); got != tt.want {
				t.Fatalf("fit = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestHistoryIsBounded(t *testing.T) {
	h := newHistory()
	key := seriesKey{"bounded", "/"}
	for i := 0; i < maxSamples+904; i++ {
		h.record(key, epoch.Add(time.Duration(i)*time.Second), float64(i), 100, 24*time.Hour, time.Minute)
	}
	s := h.series[key]
	if len(s.samples) != maxSamples || s.samples[0].used != 904 {
		t.Fatalf("%d samples from %v, want %d from 904", len(s.samples), s.samples[0].used, maxSamples)
	}
}

func TestHistoryPrune(t *testing.T) {
	h := newHistory()
	old, fresh := seriesKey{"removed-check", "/"}, seriesKey{"live-check", "/"}
	h.record(old, epoch, 1, 100, time.Hour, time.Minute)
	h.record(fresh, epoch.Add(50*time.Minute), 1, 100, time.Hour, time.Minute)
	h.prune(epoch.Add(time.Hour + time.Second))
	if _, ok := h.series[old]; ok {
		t.Error("a series silent for longer than its window was kept")
	}
	if _, ok := h.series[fresh]; !ok {
		t.Error("a series with a sample inside its window was dropped")
	}
}
