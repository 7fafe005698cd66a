// Package plugintest holds what the tests of vakt's built-in check plugins
// share: running a plugin's checks over gRPC (served in-process by
// sdktest) and comparing results, checking its Info, sample.hcl, README.md
// and shipped example against its schema (decoded the way vakt decodes a
// check's config block), the loopback servers the checks are pointed at
// (TCP and TLS listeners with test certificates, a DNS server), and
// building a main package, such as vakt itself, to run as a process.
//
// Every helper fails the test it is given on anything unexpected; none
// skips. It is imported by tests only.
package plugintest

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk"
)

// Generous bounds every call a test makes, so that a loaded CI machine
// does not fail it; the checks themselves use short timeouts.
const Generous = 2 * time.Minute

// Context returns a context that ends after Generous or when the test
// ends.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), Generous)
	t.Cleanup(cancel)
	return ctx
}

// Localhost is the host the tests run checks for: localhost at 127.0.0.1.
func Localhost() sdk.Host { return sdk.Host{Name: "localhost", Address: "127.0.0.1"} }

// Configure configures values on c under id, failing the test when c
// rejects them.
func Configure(t testing.TB, c sdk.Checker, id string, values sdk.Values) {
	t.Helper()
	if err := c.Configure(Context(t), sdk.Config{ID: id, Values: values}); err != nil {
		t.Fatalf("Configure(%v): %v", values, err)
	}
}

// CheckByID runs the check configured on c under id once, for Localhost,
// failing the test when the call fails.
func CheckByID(t testing.TB, c sdk.Checker, id string) check.Result {
	t.Helper()
	r, err := c.Check(Context(t), sdk.Request{Config: sdk.Config{ID: id}, Check: id, Host: Localhost()})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return r
}

// Run configures values on c under id and runs the check once.
func Run(t testing.TB, c sdk.Checker, id string, values sdk.Values) check.Result {
	t.Helper()
	Configure(t, c, id, values)
	return CheckByID(t, c, id)
}

// WantRejected checks that c rejects values with exactly the errors want:
// when they are configured, and when a check sends them inline.
func WantRejected(t testing.TB, c sdk.Checker, values sdk.Values, want sdk.ConfigErrors) {
	t.Helper()
	ctx := Context(t)
	err := c.Configure(ctx, sdk.Config{ID: "bad", Values: values})
	var got sdk.ConfigErrors
	if !errors.As(err, &got) || !reflect.DeepEqual(got, want) {
		t.Fatalf("Configure:\n got %#v\nwant %#v", err, want)
	}
	_, err = c.Check(ctx, sdk.Request{Config: sdk.Config{Values: values}, Check: "bad", Host: Localhost()})
	got = nil
	if !errors.As(err, &got) || !reflect.DeepEqual(got, want) {
		t.Fatalf("Check with the config inline:\n got %#v\nwant %#v", err, want)
	}
}

// Rejection is a config a plugin must reject, with exactly the errors it
// must give (see WantRejected).
type Rejection struct {
	Name   string
	Values sdk.Values
	Want   sdk.ConfigErrors
}

// WantRejections runs WantRejected for each of rejections, in a subtest
// named by its Name.
func WantRejections(t *testing.T, c sdk.Checker, rejections []Rejection) {
	t.Helper()
	for _, r := range rejections {
		t.Run(r.Name, func(t *testing.T) { WantRejected(t, c, r.Values, r.Want) })
	}
}

// OutputPattern turns an expected output in which {t} stands for measured
// seconds ("0.004") into an anchored regular expression.
func OutputPattern(want string) *regexp.Regexp {
	quoted := regexp.QuoteMeta(want)
	return regexp.MustCompile("^" + strings.ReplaceAll(quoted, regexp.QuoteMeta("{t}"), `[0-9]+\.[0-9]{3}`) + "$")
}

// WantOutput fails the test unless the result has the state and an output
// that matches output, in which {t} stands for measured seconds (see
// OutputPattern).
func WantOutput(t testing.TB, got check.Result, state check.State, output string) {
	t.Helper()
	if got.State != state || !OutputPattern(output).MatchString(got.Output) {
		t.Fatalf("got %v %q\nwant %v %q", got.State, got.Output, state, output)
	}
}

// WantResult compares a result with what a test expects, exactly: its
// state, output, long output and perfdata (as check.FormatPerfdata writes
// it), and no notes (perfdata the SDK had to skip).
func WantResult(t testing.TB, got check.Result, state check.State, output, long, perf string) {
	t.Helper()
	if got.State != state || got.Output != output || got.Long != long {
		t.Errorf("got %v\n%q\nlong %q\nwant %v\n%q\nlong %q", got.State, got.Output, got.Long, state, output, long)
	}
	if p := check.FormatPerfdata(got.Perfdata); p != perf {
		t.Errorf("perfdata\n got %s\nwant %s", p, perf)
	}
	if got.Notes != nil {
		t.Errorf("notes %q, want none", got.Notes)
	}
}

// WantTimedPerfdata compares perfdata whose first item is a measured time
// with want: that time must be positive and its value is not compared;
// everything else is, exactly.
func WantTimedPerfdata(t testing.TB, got, want []check.Perf) {
	t.Helper()
	if len(got) == 0 || got[0].Value <= 0 {
		t.Fatalf("perfdata %v: want a positive time first", got)
	}
	got = append([]check.Perf(nil), got...)
	got[0].Value = 0
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("perfdata\n got %s\nwant %s", check.FormatPerfdata(got), check.FormatPerfdata(want))
	}
}

// CheckInfo checks what a plugin says about itself: its name and version,
// a description, and a schema the SDK accepts. It returns the Info.
func CheckInfo(t testing.TB, plugin sdk.Checker, name, version string) sdk.Info {
	t.Helper()
	info, err := plugin.Info(Context(t))
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	if info.Name != name || info.Version != version || info.Description == "" {
		t.Fatalf("Info: %+v, want name %q, version %q and a description", info, name, version)
	}
	if err := info.Schema.Validate(); err != nil {
		t.Fatalf("Info: the schema: %v", err)
	}
	return info
}
