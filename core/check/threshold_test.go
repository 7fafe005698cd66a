package check

import (
	"math"
	"testing"
)

func TestParseRange(t *testing.T) {
	type probe struct {
		v     float64
		alert bool
	}
	tests := []struct {
		in     string
		want   Range
		probes []probe
	}{
		// SPEC.md section 4.
		{in: "10", want: Range{End: 10, Text: "10"},
			probes: []probe{{-0.1, true}, {0, false}, {10, false}, {10.1, true}}},
		{in: "10:", want: Range{Start: 10, PosInf: true, Text: "10:"},
			probes: []probe{{9.99, true}, {10, false}, {1e300, false}}},
		{in: "~:10", want: Range{NegInf: true, End: 10, Text: "~:10"},
			probes: []probe{{-1e300, false}, {10, false}, {10.01, true}}},
		{in: "10:20", want: Range{Start: 10, End: 20, Text: "10:20"},
			probes: []probe{{9, true}, {10, false}, {20, false}, {21, true}}},
		// The known trap: @10:20 keeps its low bound of 10.
		{in: "@10:20", want: Range{Start: 10, End: 20, Inside: true, Text: "@10:20"},
			probes: []probe{{9.99, false}, {10, true}, {15, true}, {20, true}, {20.01, false}}},

		// monitoring-plugins lib/tests/test_utils.c.
		{in: "6", want: Range{End: 6, Text: "6"}, probes: []probe{{6, false}, {6.01, true}}},
		{in: "1:12%", want: Range{Start: 1, End: 12, Text: "1:12%"}, probes: []probe{{0.5, true}, {12, false}}},
		{in: "-7:23", want: Range{Start: -7, End: 23, Text: "-7:23"}, probes: []probe{{-7, false}, {-7.5, true}}},
		{in: ":5.75", want: Range{End: 5.75, Text: ":5.75"}, probes: []probe{{0, false}, {-1, true}, {5.76, true}}},
		{in: "~:-95.99", want: Range{NegInf: true, End: -95.99, Text: "~:-95.99"}, probes: []probe{{-96, false}, {-95, true}}},
		{in: "12345678901234567890:", want: Range{Start: 12345678901234567890, PosInf: true, Text: "12345678901234567890:"},
			probes: []probe{{12345678901234567890 / 1.1, true}, {12345678901234567890, false}, {12345678901234567890 * 2, false}}},
		{in: "~:0", want: Range{NegInf: true, Text: "~:0"}, probes: []probe{{0.5, true}, {-10, false}, {0, false}}},
		{in: "@0:657.8210567", want: Range{End: 657.8210567, Inside: true, Text: "@0:657.8210567"},
			probes: []probe{{32.88, true}, {-2, false}, {657.8210567, true}, {0, true}}},
		{in: "1:1", want: Range{Start: 1, End: 1, Text: "1:1"}, probes: []probe{{0.5, true}, {1, false}, {5.2, true}}},

		// Monitoring::Plugin t/Monitoring-Plugin-Range.t (alert inside).
		{in: "@6", want: Range{End: 6, Inside: true, Text: "@6"},
			probes: []probe{{-1, false}, {0, true}, {4, true}, {6, true}, {6.1, false}, {79.999999, false}}},
		{in: "@-7:23", want: Range{Start: -7, End: 23, Inside: true, Text: "@-7:23"},
			probes: []probe{{-23, false}, {-7, true}, {0, true}, {23, true}, {23.1, false}}},
		{in: "@:5.75", want: Range{End: 5.75, Inside: true, Text: "@:5.75"},
			probes: []probe{{-1, false}, {0, true}, {5.75, true}, {5.7501, false}}},
		{in: "@~:-95.99", want: Range{NegInf: true, End: -95.99, Inside: true, Text: "@~:-95.99"},
			probes: []probe{{-1001341, true}, {-95.99, true}, {-95.989, false}, {0, false}}},
		{in: "@10:", want: Range{Start: 10, PosInf: true, Inside: true, Text: "@10:"},
			probes: []probe{{-1, false}, {9.91, false}, {10, true}, {123456789012346, true}}},
		{in: "@123456789012345:", want: Range{Start: 123456789012345, PosInf: true, Inside: true, Text: "@123456789012345:"},
			probes: []probe{{123456789012344.91, false}, {123456789012345, true}, {123456789012345.61, true}}},
		{in: "@~:0", want: Range{NegInf: true, Inside: true, Text: "@~:0"},
			probes: []probe{{-123456789012344.91, true}, {0, true}, {0.001, false}}},
		{in: "0:657.8210567", want: Range{End: 657.8210567, Text: "0:657.8210567"},
			probes: []probe{{-134151, true}, {0, false}, {657.8210567, false}, {657.9, true}}},
		{in: "@1:1", want: Range{Start: 1, End: 1, Inside: true, Text: "@1:1"},
			probes: []probe{{0.5, false}, {1, true}, {1.001, false}}},

		// Edges vakt adds.
		{in: "@~:", want: Range{NegInf: true, PosInf: true, Inside: true, Text: "@~:"}, probes: []probe{{-5, true}, {5, true}}},
		{in: "~:", want: Range{NegInf: true, PosInf: true, Text: "~:"}, probes: []probe{{-1e300, false}, {1e300, false}}},
		{in: " 5 ", want: Range{End: 5, Text: "5"}, probes: []probe{{5, false}, {5.5, true}}},
		{in: "1e3", want: Range{End: 1000, Text: "1e3"}, probes: []probe{{1000, false}, {1001, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRange(tt.in)
			if err != nil {
				t.Fatalf("ParseRange(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParseRange(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			for _, p := range tt.probes {
				if a := got.Alert(p.v); a != p.alert {
					t.Errorf("Alert(%v) = %v, want %v", p.v, a, p.alert)
				}
			}
			if got.Alert(math.NaN()) != true {
				t.Errorf("Alert(NaN) = false, want true: a value that is not a number always alerts")
			}
		})
	}
}

func TestParseRangeInvalid(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2:1", `parsing range "2:1": start 2 is greater than end 1`},
		{"@2:1", `parsing range "@2:1": start 2 is greater than end 1`},
		{"", `parsing range "": empty`},
		{"  ", `parsing range "  ": empty`},
		{"@", `parsing range "@": no end`},
		{"%", `parsing range "%": no end`},
		{":", `parsing range ":": neither start nor end`},
		{"@:", `parsing range "@:": neither start nor end`},
		{"1:2:3", `parsing range "1:2:3": more than one colon`},
		{"a:5", `parsing range "a:5": start: "a" is not a number`},
		{"5:b", `parsing range "5:b": end: "b" is not a number`},
		{"~", `parsing range "~": end: "~" is not a number`},
		{"+5", `parsing range "+5": end: "+5" is not a number`},
		{"1e999", `parsing range "1e999": end: "1e999" is not a number`},
		{"0x10", `parsing range "0x10": end: "0x10" is not a number`},
		{"NaN", `parsing range "NaN": end: "NaN" is not a number`},
		// Monitoring::Plugin t/Monitoring-Plugin-Range.t, garbage in.
		{"1:~", `parsing range "1:~": end: "~" is not a number`},
		{"10:~", `parsing range "10:~": end: "~" is not a number`},
		{"foo", `parsing range "foo": end: "foo" is not a number`},
		{"1-10", `parsing range "1-10": end: "1-10" is not a number`},
		{"1-10:2.4", `parsing range "1-10:2.4": start: "1-10" is not a number`},
		{"1,10", `parsing range "1,10": end: "1,10" is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseRange(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("ParseRange(%q) error = %v, want %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestMustRangePanics(t *testing.T) {
	defer func() {
		r := recover()
		err, ok := r.(error)
		if !ok || err.Error() != `parsing range "2:1": start 2 is greater than end 1` {
			t.Errorf("MustRange(2:1) panicked with %v, want the ParseRange error", r)
		}
	}()
	MustRange("2:1")
}

func TestEvaluate(t *testing.T) {
	rng := func(s string) *Range { r := MustRange(s); return &r }
	tests := []struct {
		name       string
		v          float64
		warn, crit *Range
		want       State
	}{
		// monitoring-plugins test_utils.c: thresholds (NULL, NULL),
		// (NULL, "80"), ("5:33", NULL) and ("30", "60").
		{"no thresholds", 69, nil, nil, OK},
		{"critical only, inside", 80, nil, rng("80"), OK},
		{"critical only, outside", 80.1, nil, rng("80"), Critical},
		{"warning only, inside", 5, rng("5:33"), nil, OK},
		{"warning only, below", 4.9, rng("5:33"), nil, Warning},
		{"warning only, above", 33.1, rng("5:33"), nil, Warning},
		{"15.3 ok", 15.3, rng("30"), rng("60"), OK},
		{"30.0001 warning", 30.0001, rng("30"), rng("60"), Warning},
		{"69 critical", 69, rng("30"), rng("60"), Critical},
		// SPEC.md section 4: critical is evaluated before warning.
		{"critical wins when both alert", -1, rng("30"), rng("60"), Critical},
		{"inside ranges", 15, rng("@10:20"), rng("@14:16"), Critical},
		{"inside warning only", 11, rng("@10:20"), rng("@14:16"), Warning},
		{"NaN is critical", math.NaN(), rng("30"), rng("60"), Critical},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Evaluate(tt.v, tt.warn, tt.crit); got != tt.want {
				t.Errorf("Evaluate(%v, %v, %v) = %v, want %v", tt.v, tt.warn, tt.crit, got, tt.want)
			}
		})
	}
}

func TestRangeString(t *testing.T) {
	tests := []struct {
		r    Range
		want string
	}{
		{Range{End: 10}, "10"},
		{Range{Start: 10, PosInf: true}, "10:"},
		{Range{NegInf: true, End: 10}, "~:10"},
		{Range{Start: 10, End: 20, Inside: true}, "@10:20"},
		{Range{Start: -1.5, End: 2}, "-1.5:2"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.r, got, tt.want)
		}
		back, err := ParseRange(tt.want)
		if err != nil || back.Contains(1) != tt.r.Contains(1) || back.Alert(15) != tt.r.Alert(15) {
			t.Errorf("ParseRange(%q) = %+v, %v; does not match %+v", tt.want, back, err, tt.r)
		}
	}
}

// TestStatesAndLevels covers SPEC.md section 1's four states as names, the
// levels they raise (DESIGN.md: UNKNOWN is error unless a check says
// otherwise) and the order in which a CI run ranks them.
func TestStatesAndLevels(t *testing.T) {
	t.Run("ParseState", func(t *testing.T) {
		for _, tt := range []struct {
			in   string
			want State
		}{{"ok", OK}, {"0", OK}, {"WARNING", Warning}, {"warn", Warning}, {"1", Warning},
			{"crit", Critical}, {" Critical ", Critical}, {"2", Critical}, {"unknown", Unknown}, {"3", Unknown}} {
			if got, err := ParseState(tt.in); err != nil || got != tt.want {
				t.Errorf("ParseState(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		}
		for _, in := range []string{"purple", "4", "", "-1"} {
			want := `unknown state "` + in + `": want ok, warning, critical or unknown`
			if _, err := ParseState(in); err == nil || err.Error() != want {
				t.Errorf("ParseState(%q) error = %v, want %q", in, err, want)
			}
		}
	})
	t.Run("ParseLevel", func(t *testing.T) {
		for _, tt := range []struct {
			in   string
			want Level
		}{{"ok", LevelOK}, {"Warning", LevelWarning}, {"warn", LevelWarning}, {"ERROR", LevelError}} {
			if got, err := ParseLevel(tt.in); err != nil || got != tt.want {
				t.Errorf("ParseLevel(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		}
		if _, err := ParseLevel("critical"); err == nil || err.Error() != `unknown level "critical": want ok, warning or error` {
			t.Errorf("ParseLevel(critical) error = %v", err)
		}
	})
	t.Run("names", func(t *testing.T) {
		for s, want := range map[State]string{OK: "OK", Warning: "WARNING", Critical: "CRITICAL", Unknown: "UNKNOWN", State(7): "State(7)"} {
			if got := s.String(); got != want {
				t.Errorf("State(%d).String() = %q, want %q", int(s), got, want)
			}
			if s.Valid() != (want != "State(7)") {
				t.Errorf("State(%d).Valid() = %v", int(s), s.Valid())
			}
		}
		for l, want := range map[Level]string{LevelOK: "ok", LevelWarning: "warning", LevelError: "error", Level(9): "Level(9)"} {
			if got := l.String(); got != want {
				t.Errorf("Level(%d).String() = %q, want %q", int(l), got, want)
			}
		}
	})
	t.Run("Level", func(t *testing.T) {
		for _, tt := range []struct {
			state     State
			unknownAs Level
			want      Level
		}{
			{OK, LevelError, LevelOK}, {Warning, LevelError, LevelWarning}, {Critical, LevelError, LevelError},
			{Unknown, LevelError, LevelError}, {Unknown, LevelWarning, LevelWarning}, {Unknown, LevelOK, LevelOK},
			{Critical, LevelOK, LevelError}, // unknown_as applies to UNKNOWN only
		} {
			if got := tt.state.Level(tt.unknownAs); got != tt.want {
				t.Errorf("%v.Level(%v) = %v, want %v", tt.state, tt.unknownAs, got, tt.want)
			}
		}
	})
	t.Run("Worse", func(t *testing.T) {
		order := []State{OK, Warning, Unknown, Critical} // least severe first
		for i, a := range order {
			for j, b := range order {
				want := order[max(i, j)]
				if got := Worse(a, b); got != want {
					t.Errorf("Worse(%v, %v) = %v, want %v", a, b, got, want)
				}
			}
		}
	})
}
