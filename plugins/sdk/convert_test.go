package sdk

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/proto/pluginv1"
)

func TestResultFromProto(t *testing.T) {
	min, max := 0.0, 100.0
	crit := check.MustRange("@90:100")
	warn := check.MustRange("80")
	load := check.MustRange("~:5")
	req := Request{Check: "disk", Host: Host{Name: "db1"}}
	tests := []struct {
		name string
		resp *pluginv1.CheckResponse
		want check.Result
	}{
		{"structured and text perfdata, in that order",
			&pluginv1.CheckResponse{
				State: pluginv1.State_STATE_CRITICAL, Output: "disk full", LongOutput: "more",
				Perfdata: []*pluginv1.Perf{{Label: "used space", Value: 95, Uom: "%", Warn: "80", Crit: "@90:100", Min: &min, Max: &max},
					{Label: "inodes", Undetermined: true}},
				PerfdataText: "load1=0.5;~:5 bad=x",
				Notes:        []string{"from the plugin"},
			},
			check.Result{Check: "disk", Host: "db1", State: check.Critical, ExitCode: 2, Output: "disk full", Long: "more",
				Perfdata: []check.Perf{
					{Label: "used space", Value: 95, UOM: "%", Warn: &warn, Crit: &crit, Min: &min, Max: &max},
					{Label: "inodes", Undetermined: true},
					{Label: "load1", Value: 0.5, Warn: &load},
				},
				Notes: []string{"from the plugin", `perfdata "bad=x" skipped: value "x" is not a number`}}},
		{"nothing but a state", &pluginv1.CheckResponse{State: pluginv1.State_STATE_UNKNOWN},
			check.Result{Check: "disk", Host: "db1", State: check.Unknown, ExitCode: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resultFromProto(req, tt.resp)
			if err != nil {
				t.Fatalf("resultFromProto: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestResultFromProtoRefusesBadStates(t *testing.T) {
	for _, state := range []int32{-1, 4, 255} {
		_, err := resultFromProto(Request{}, &pluginv1.CheckResponse{State: pluginv1.State(state)})
		want := "the plugin returned state " + strconv.Itoa(int(state)) + "; a state must be 0 (OK), 1 (WARNING), 2 (CRITICAL) or 3 (UNKNOWN)"
		if err == nil || err.Error() != want {
			t.Errorf("state %d: got %v, want %q", state, err, want)
		}
	}
}

func TestResultToProtoReplacesInvalidUTF8(t *testing.T) {
	got := resultToProto(check.Result{State: check.OK, Output: "caf\xe9", Long: "ok", Notes: []string{"n\xff"},
		Perfdata: []check.Perf{{Label: "l\xff", Value: 1}}})
	want := &pluginv1.CheckResponse{State: pluginv1.State_STATE_OK, Output: "caf\uFFFD", LongOutput: "ok",
		Notes:    []string{"output had bytes that are not UTF-8; replaced with U+FFFD", "n\uFFFD"},
		Perfdata: []*pluginv1.Perf{{Label: "l\uFFFD", Value: 1}}}
	if !proto.Equal(got, want) {
		t.Fatalf("\n got %v\nwant %v", got, want)
	}
}

func TestValuesProtoRoundTrip(t *testing.T) {
	in := Values{"s": "x", "n": 2.5, "b": true, "l": []string{"a", "b"}, "m": map[string]string{"k": "v"}, "d": 90 * time.Second}
	pv, err := valuesToProto(in)
	if err != nil {
		t.Fatal(err)
	}
	out, errs := valuesFromProto(pv)
	if errs != nil {
		t.Fatal(errs)
	}
	if !reflect.DeepEqual(Values(out), in) {
		t.Fatalf("round trip:\n got %#v\nwant %#v", out, in)
	}
}

func TestValuesProtoMalformed(t *testing.T) {
	_, err := valuesToProto(Values{"ch": make(chan int)})
	if want := `attribute "ch": a chan int cannot be sent to a plugin; use string, number, bool, []string, map[string]string or time.Duration`; err == nil || err.Error() != want {
		t.Fatalf("valuesToProto: got %v, want %q", err, want)
	}
	_, errs := valuesFromProto(map[string]*pluginv1.Value{
		"empty": {},
		"d":     {Kind: &pluginv1.Value_DurationValue{DurationValue: &durationpb.Duration{Seconds: 1, Nanos: -1}}},
		"ok":    {Kind: &pluginv1.Value_BoolValue{BoolValue: true}},
	})
	want := ConfigErrors{
		{Attribute: "d", Message: `attribute "d": invalid duration of 1 s and -1 ns`},
		{Attribute: "empty", Message: `attribute "empty": value has no kind set`},
	}
	if !reflect.DeepEqual(errs, want) {
		t.Fatalf("valuesFromProto errors:\n got %#v\nwant %#v", errs, want)
	}
}

func TestInfoFromProtoMalformed(t *testing.T) {
	tests := []struct {
		name string
		resp *pluginv1.InfoResponse
		want string
	}{
		{"no name", &pluginv1.InfoResponse{}, "the plugin has no name"},
		{"unknown attribute type", &pluginv1.InfoResponse{Name: "x", ConfigSchema: &pluginv1.Schema{Attributes: []*pluginv1.Attribute{
			{Name: "a", Type: pluginv1.AttributeType(42)}}}},
			`invalid config schema: attribute "a": unknown type 42`},
		{"default with no kind", &pluginv1.InfoResponse{Name: "x", ConfigSchema: &pluginv1.Schema{Attributes: []*pluginv1.Attribute{
			{Name: "a", Type: pluginv1.AttributeType_ATTRIBUTE_TYPE_STRING, DefaultValue: &pluginv1.Value{}}}}},
			`attribute "a": default: value has no kind set`},
		{"default of the wrong type", &pluginv1.InfoResponse{Name: "x", ConfigSchema: &pluginv1.Schema{Attributes: []*pluginv1.Attribute{
			{Name: "a", Type: pluginv1.AttributeType_ATTRIBUTE_TYPE_DURATION, DefaultValue: &pluginv1.Value{Kind: &pluginv1.Value_BoolValue{}}}}}},
			`invalid config schema: attribute "a": default: want duration, got bool`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := infoFromProto(tt.resp)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}
