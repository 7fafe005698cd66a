package check

import (
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
		{in: "@~:", want: Range{NegInf: true, PosInf: true, Inside: true, Text: "@~:"}, probes: []probe{{-5, true}, {5, true}}},
		{in: " 5 ", want: Range{End: 5, Text: "5"}, probes: []probe{{5, false}}},
	}
	for _, tt := range tests {
		if tt.probes == nil {
			continue
		}
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
		})
	}
}

func TestParseRangeInvalid(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2:1", `parsing range "2:1": start 2 is greater than end 1`},
		{"", `parsing range "": empty`},
		{"@", `parsing range "@": no end`},
		{"1:2:3", `parsing range "1:2:3": more than one colon`},
		{"a:5", `parsing range "a:5": start: "a" is not a number`},
		{"5:b", `parsing range "5:b": end: "b" is not a number`},
		{"~", `parsing range "~": end: "~" is not a number`},
		{"+5", `parsing range "+5": end: "+5" is not a number`},
		{"1e999", `parsing range "1e999": end: "1e999" is not a number`},
		{"0x10", `parsing range "0x10": end: "0x10" is not a number`},
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

func TestEvaluate(t *testing.T) {
	// monitoring-plugins: thresholds ('30', '60').
	warn, crit := MustRange("30"), MustRange("60")
	tests := []struct {
		v          float64
		warn, crit *Range
		want       State
	}{
		{15.3, &warn, &crit, OK},
		{30.0001, &warn, &crit, Warning},
		{69, &warn, &crit, Critical},
		{-1, &warn, &crit, Critical}, // critical is evaluated first
		{69, nil, nil, OK},
		{69, &warn, nil, Warning},
		{45, nil, &crit, OK},
	}
	for _, tt := range tests {
		if got := Evaluate(tt.v, tt.warn, tt.crit); got != tt.want {
			t.Errorf("Evaluate(%v) = %v, want %v", tt.v, got, tt.want)
		}
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

func TestStatesAndLevels(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want State
	}{{"ok", OK}, {"WARNING", Warning}, {"crit", Critical}, {"3", Unknown}} {
		if got, err := ParseState(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseState(%q) = %v, %v", tt.in, got, err)
		}
	}
	if _, err := ParseState("purple"); err == nil || err.Error() != `unknown state "purple": want ok, warning, critical or unknown` {
		t.Errorf("ParseState(purple) error = %v", err)
	}
	if _, err := ParseLevel("fatal"); err == nil || err.Error() != `unknown level "fatal": want ok, warning or error` {
		t.Errorf("ParseLevel(fatal) error = %v", err)
	}
	levels := map[State]Level{OK: LevelOK, Warning: LevelWarning, Critical: LevelError, Unknown: LevelError}
	for s, want := range levels {
		if got := s.Level(LevelError); got != want {
			t.Errorf("%v.Level(error) = %v, want %v", s, got, want)
		}
	}
	if got := Unknown.Level(LevelWarning); got != LevelWarning {
		t.Errorf("UNKNOWN with unknown_as warning = %v", got)
	}
	worst := OK
	for _, s := range []State{Warning, OK, Unknown, Warning} {
		worst = Worse(worst, s)
	}
	if worst != Unknown || Worse(Unknown, Critical) != Critical || Worse(Critical, Warning) != Critical {
		t.Errorf("Worse ranks wrongly: worst = %v", worst)
	}
}
