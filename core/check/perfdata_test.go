package check

import (
	"reflect"
	"strings"
	"testing"
)

func ptr(v float64) *float64 { return &v }
func rng(s string) *Range    { r := MustRange(s); return &r }

func TestParsePerfdata(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  []Perf
		notes []string
	}{
		{name: "full item", in: "/=2643MB;5948;5958;0;5968",
			want: []Perf{{Label: "/", Value: 2643, UOM: "MB", Warn: rng("5948"), Crit: rng("5958"), Min: ptr(0), Max: ptr(5968)}}},
		{name: "value only", in: "users=3", want: []Perf{{Label: "users", Value: 3}}},
		{name: "empty fields", in: "load1=0.5;;;0;", want: []Perf{{Label: "load1", Value: 0.5, Min: ptr(0)}}},
		{name: "ranges as thresholds", in: "rta=0.05ms;@10:20;~:30",
			want: []Perf{{Label: "rta", Value: 0.05, UOM: "ms", Warn: rng("@10:20"), Crit: rng("~:30")}}},
		{name: "every unit", in: "a=1s b=1ms c=1us d=1% e=1B f=1KB g=1MB h=1GB i=1TB j=1c",
			want: []Perf{{Label: "a", Value: 1, UOM: "s"}, {Label: "b", Value: 1, UOM: "ms"}, {Label: "c", Value: 1, UOM: "us"},
				{Label: "d", Value: 1, UOM: "%"}, {Label: "e", Value: 1, UOM: "B"}, {Label: "f", Value: 1, UOM: "KB"},
				{Label: "g", Value: 1, UOM: "MB"}, {Label: "h", Value: 1, UOM: "GB"}, {Label: "i", Value: 1, UOM: "TB"},
				{Label: "j", Value: 1, UOM: "c"}}},
		{name: "undetermined", in: "temp=U;;;U;U", want: []Perf{{Label: "temp", Undetermined: true}}},
		{name: "negative and exponent", in: "x=-1.5e3;;;-2e3", want: []Perf{{Label: "x", Value: -1500, Min: ptr(-2000)}}},
		{name: "quoted label with spaces", in: "'C:\\ used space'=10GB;20;30;0;40",
			want: []Perf{{Label: "C:\\ used space", Value: 10, UOM: "GB", Warn: rng("20"), Crit: rng("30"), Min: ptr(0), Max: ptr(40)}}},
		{name: "doubled quote is a literal quote", in: "'it''s'=1", want: []Perf{{Label: "it's", Value: 1}}},
		{name: "quoted label with = inside", in: "'a=b'=2", want: []Perf{{Label: "a=b", Value: 2}}},
		{name: "several separated by runs of space", in: "  a=1   b=2\tc=3 ",
			want: []Perf{{Label: "a", Value: 1}, {Label: "b", Value: 2}, {Label: "c", Value: 3}}},
		{name: "line ends separate items", in: "a=1\r\nb=2\rc=3\nd=4",
			want: []Perf{{Label: "a", Value: 1}, {Label: "b", Value: 2}, {Label: "c", Value: 3}, {Label: "d", Value: 4}}},
		{name: "empty", in: ""},
		{name: "only white space", in: " \t\r\n "},
		{name: "trailing semicolons dropped", in: "a=1;;;; b=2;3", want: []Perf{{Label: "a", Value: 1}, {Label: "b", Value: 2, Warn: rng("3")}}},
		{name: "unquoted label with a space", in: "free space=10MB", want: []Perf{{Label: "space", Value: 10, UOM: "MB"}},
			notes: []string{`perfdata "free" skipped: no = in item`}},
		{name: "quote inside an unquoted label", in: "it's=1", notes: []string{`perfdata "it's=1" skipped: quote inside an unquoted label`}},
		{name: "no equals", in: "garbage a=1", want: []Perf{{Label: "a", Value: 1}},
			notes: []string{`perfdata "garbage" skipped: no = in item`}},
		{name: "no value", in: "a= b=1", want: []Perf{{Label: "b", Value: 1}},
			notes: []string{`perfdata "a=" skipped: no value`}},
		{name: "value not a number", in: "a=x1 b=1.2.3", notes: []string{
			`perfdata "a=x1" skipped: value "x1" is not a number`,
			`perfdata "b=1.2.3" skipped: value: "1.2.3" is not a number`}},
		{name: "units beyond the guidelines are kept", in: "temp=20C volt=12V rate=3pps t2=21.5°C tx=3B/s mem=1KiB p=2m3 sig=-61dBm",
			want: []Perf{{Label: "temp", Value: 20, UOM: "C"}, {Label: "volt", Value: 12, UOM: "V"}, {Label: "rate", Value: 3, UOM: "pps"},
				{Label: "t2", Value: 21.5, UOM: "°C"}, {Label: "tx", Value: 3, UOM: "B/s"}, {Label: "mem", Value: 1, UOM: "KiB"},
				{Label: "p", Value: 2, UOM: "m3"}, {Label: "sig", Value: -61, UOM: "dBm"}}},
		// monitoring-plugins' check_ups, as it prints it.
		{name: "check_ups", in: "voltage=229000mV;;;0 battery=100.000000%;;;0;100 load=21.000000%;;;0;100 temperature=31.0degC;;;0",
			want: []Perf{{Label: "voltage", Value: 229000, UOM: "mV", Min: ptr(0)},
				{Label: "battery", Value: 100, UOM: "%", Min: ptr(0), Max: ptr(100)},
				{Label: "load", Value: 21, UOM: "%", Min: ptr(0), Max: ptr(100)},
				{Label: "temperature", Value: 31, UOM: "degC", Min: ptr(0)}}},
		{name: "garbage after the number is not a unit", in: "a=5-3 b=5(x) c=1+2 d=5, e=5_s", notes: []string{
			`perfdata "a=5-3" skipped: unit "-3" is not a unit: a unit is letters, digits, %, °, / and _, starting with a letter, % or °`,
			`perfdata "b=5(x)" skipped: unit "(x)" is not a unit: a unit is letters, digits, %, °, / and _, starting with a letter, % or °`,
			`perfdata "c=1+2" skipped: unit "+2" is not a unit: a unit is letters, digits, %, °, / and _, starting with a letter, % or °`,
			`perfdata "d=5," skipped: unit "," is not a unit: a unit is letters, digits, %, °, / and _, starting with a letter, % or °`,
			`perfdata "e=5_s" skipped: unit "_s" is not a unit: a unit is letters, digits, %, °, / and _, starting with a letter, % or °`}},
		{name: "unit of 32 bytes and longer", in: "a=1abcdefghijklmnopqrstuvwxyzABCDEF b=1abcdefghijklmnopqrstuvwxyzABCDEFG",
			want:  []Perf{{Label: "a", Value: 1, UOM: "abcdefghijklmnopqrstuvwxyzABCDEF"}},
			notes: []string{`perfdata "b=1abcdefghijklmnopqrstuvwxyzABCDEFG" skipped: unit "abcdefghijklmnopqrstuvwxyzABCDEFG" is longer than 32 bytes`}},
		{name: "U thresholds and bounds are none", in: "c=5;U;U;U;U d=U;U;3", want: []Perf{{Label: "c", Value: 5}, {Label: "d", Undetermined: true, Crit: rng("3")}}},
		{name: "decimal comma in the value", in: "a=0,5 b=1,25s;2 c=1", want: []Perf{{Label: "c", Value: 1}}, notes: []string{
			`perfdata "a=0,5" skipped: value "0,5" has a decimal comma; perfdata numbers take a decimal point`,
			`perfdata "b=1,25s;2" skipped: value "1,25s" has a decimal comma; perfdata numbers take a decimal point`}},
		{name: "decimal comma in thresholds and bounds", in: "a=1;0,5 b=1;;1,5:2 c=1;;;0,1 d=1;;;;9,9", notes: []string{
			`perfdata "a=1;0,5" skipped: warning threshold "0,5" has a decimal comma; perfdata numbers take a decimal point`,
			`perfdata "b=1;;1,5:2" skipped: critical threshold "1,5:2" has a decimal comma; perfdata numbers take a decimal point`,
			`perfdata "c=1;;;0,1" skipped: min "0,1" has a decimal comma; perfdata numbers take a decimal point`,
			`perfdata "d=1;;;;9,9" skipped: max "9,9" has a decimal comma; perfdata numbers take a decimal point`}},
		{name: "double-quoted label", in: `"it's up"=5 "a ""b"""=1`, want: []Perf{{Label: "it's up", Value: 5}, {Label: `a "b"`, Value: 1}}},
		{name: "quote not doubled inside a quoted label", in: "'it's up'=5 'Bob's disk'=1GB", want: []Perf{{Label: "it's up", Value: 5}, {Label: "Bob's disk", Value: 1, UOM: "GB"}}},
		{name: "quote before a space ends the label", in: "'disks' usage'=1 x=2", want: []Perf{{Label: "x", Value: 2}}, notes: []string{
			`perfdata "'disks'" skipped: no = after the label`, `perfdata "usage'=1" skipped: quote inside an unquoted label`}},
		{name: "tail of a broken double-quoted label", in: `up"=5`, notes: []string{`perfdata "up\"=5" skipped: quote inside an unquoted label`}},
		{name: "unclosed double quote", in: `"abc=1 d=2`, want: []Perf{{Label: "d", Value: 2}},
			notes: []string{`perfdata "\"abc=1" skipped: label has no closing quote`}},
		{name: "bad warning range", in: "a=1;2:1", notes: []string{`perfdata "a=1;2:1" skipped: warning threshold: parsing range "2:1": start 2 is greater than end 1`}},
		{name: "bad critical range", in: "a=1;;x", notes: []string{`perfdata "a=1;;x" skipped: critical threshold: parsing range "x": end: "x" is not a number`}},
		{name: "bad max", in: "a=1;;;0;big", notes: []string{`perfdata "a=1;;;0;big" skipped: max: "big" is not a number`}},
		{name: "too many fields", in: "a=1;2;3;4;5;6", notes: []string{`perfdata "a=1;2;3;4;5;6" skipped: 6 fields after the =, want at most 5 (value;warn;crit;min;max)`}},
		{name: "unclosed quote", in: "'abc=1 d=2", want: []Perf{{Label: "d", Value: 2}},
			notes: []string{`perfdata "'abc=1" skipped: label has no closing quote`}},
		{name: "empty label", in: "=1 ''=2", notes: []string{`perfdata "=1" skipped: empty label`, `perfdata "''=2" skipped: empty label`}},
		{name: "nothing after quoted label", in: "'a b' c=1", want: []Perf{{Label: "c", Value: 1}},
			notes: []string{`perfdata "'a b'" skipped: no = after the label`}},
		{name: "infinity refused", in: "a=Inf b=NaN", notes: []string{
			`perfdata "a=Inf" skipped: value "Inf" is not a number`,
			`perfdata "b=NaN" skipped: value "NaN" is not a number`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, notes := ParsePerfdata(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("items:\n got %s\nwant %s", FormatPerfdata(got), FormatPerfdata(tt.want))
				t.Errorf("got %+v", got)
			}
			if !reflect.DeepEqual(notes, tt.notes) {
				t.Errorf("notes:\n got %q\nwant %q", notes, tt.notes)
			}
		})
	}
}

func TestPerfString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/=2643MB;5948;5958;0;5968", "/=2643MB;5948;5958;0;5968"},
		{"load1=0.500;;;0;", "load1=0.5;;;0"},
		{"'a b'=1", "'a b'=1"},
		{"'it''s'=1", "'it''s'=1"},
		{"x=U", "x=U"},
		{"rta=1ms;@10:20;~:30", "rta=1ms;@10:20;~:30"},
		{"'\r'=0", "'\r'=0"}, // found by FuzzParsePerfdata
		{"'a\nb'=1", "'a\nb'=1"},
		{"'it's up'=5", "'it''s up'=5"},
		{`"a"b"=5`, `'a"b'=5`},
		{"t=31.0degC;;;0", "t=31degC;;;0"},
		{"c=5;U;U;U;U", "c=5"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			items, notes := ParsePerfdata(tt.in)
			if len(notes) != 0 || len(items) != 1 {
				t.Fatalf("ParsePerfdata(%q) = %v, %q", tt.in, items, notes)
			}
			if got := items[0].String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzParsePerfdata checks that any input parses without panic and that
// every item it accepts survives a round trip through String.
func FuzzParsePerfdata(f *testing.F) {
	// More seeds are in testdata/fuzz/FuzzParsePerfdata.
	f.Add("/=2643MB;5948;5958;0;5968 'a b'=1;@10:20;~:5;U;")
	f.Fuzz(func(t *testing.T, in string) {
		items, _ := ParsePerfdata(in)
		if strings.TrimSpace(in) == "" && len(items) != 0 {
			t.Fatalf("items from blank input: %v", items)
		}
		again, notes := ParsePerfdata(FormatPerfdata(items))
		if len(notes) != 0 {
			t.Fatalf("formatted items do not parse again: %q: %q", FormatPerfdata(items), notes)
		}
		if FormatPerfdata(again) != FormatPerfdata(items) {
			t.Fatalf("round trip changed items: %q became %q", FormatPerfdata(items), FormatPerfdata(again))
		}
	})
}
