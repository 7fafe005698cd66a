// Package pluginkit holds the check plugins that core/execute's tests run as
// real plugin processes, one per main package beside this one (echo,
// trivial, panic, exit, hang, ignorectx), and that its benchmark also calls
// in-process.
package pluginkit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk"
)

// Echo echoes its request and config. Its state is the config's state
// attribute; the message "reject" is refused by Configure, and the message
// "fail" makes Check fail with an error.
type Echo struct{}

// EchoSchema is Echo's config schema, with an attribute of every type.
func EchoSchema() sdk.Schema {
	return sdk.Schema{
		{Name: "message", Type: sdk.TypeString, Required: true, Description: "what to print"},
		{Name: "state", Type: sdk.TypeString, Default: "ok", Description: "the state to return"},
		{Name: "threshold", Type: sdk.TypeNumber, Default: 10.0, Description: "a number to print as perfdata"},
		{Name: "verbose", Type: sdk.TypeBool, Default: false, Description: "print more"},
		{Name: "tags", Type: sdk.TypeListOfString, Description: "tags to print"},
		{Name: "labels", Type: sdk.TypeMapOfString, Description: "labels to print"},
		{Name: "interval", Type: sdk.TypeDuration, Default: "30s", Description: "an interval to print"},
	}
}

// Info describes Echo.
func (Echo) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "echo", Version: "1.0.0", Description: "echoes its config", Schema: EchoSchema()}, nil
}

// Configure refuses the message "reject" and an unknown state.
func (Echo) Configure(_ context.Context, cfg sdk.Config) error {
	var errs sdk.ConfigErrors
	if cfg.Values.String("message") == "reject" {
		errs = append(errs, sdk.AttributeError{Attribute: "message", Message: `attribute "message": the word "reject" is refused`})
	}
	if _, err := check.ParseState(cfg.Values.String("state")); err != nil {
		errs = append(errs, sdk.AttributeError{Attribute: "state", Message: fmt.Sprintf("attribute %q: %v", "state", err)})
	}
	if errs != nil {
		return errs
	}
	return nil
}

// Check echoes the request and config.
func (Echo) Check(_ context.Context, req sdk.Request) (check.Result, error) {
	v := req.Config.Values
	if v.String("message") == "fail" {
		return check.Result{}, errors.New("asked to fail")
	}
	state, _ := check.ParseState(v.String("state"))
	labels := make([]string, 0, len(v.Map("labels")))
	for k, l := range v.Map("labels") {
		labels = append(labels, k+"="+l)
	}
	sort.Strings(labels)
	long := []string{
		"config: " + req.Config.ID,
		fmt.Sprintf("threshold: %g", v.Number("threshold")),
		fmt.Sprintf("verbose: %t", v.Bool("verbose")),
		"tags: " + strings.Join(v.List("tags"), ","),
		"labels: " + strings.Join(labels, ","),
		"interval: " + v.Duration("interval").String(),
		"timeout: " + req.Timeout.String(),
	}
	return check.Result{
		State:    state,
		Output:   fmt.Sprintf("%s on %s (%s)", v.String("message"), req.Host.Name, req.Host.Address),
		Long:     strings.Join(long, "\n"),
		Perfdata: []check.Perf{{Label: "threshold", Value: v.Number("threshold")}},
	}, nil
}

// Trivial answers OK at once: the cheapest check there is.
type Trivial struct{}

// Info describes Trivial.
func (Trivial) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "trivial", Version: "1.0.0", Description: "always OK"}, nil
}

// Configure accepts the empty config.
func (Trivial) Configure(context.Context, sdk.Config) error { return nil }

// Check returns OK.
func (Trivial) Check(context.Context, sdk.Request) (check.Result, error) {
	return check.Result{State: check.OK, Output: "ok"}, nil
}

// Misbehaving is a plugin that does something bad in Check when its
// config's mode attribute is "bad" (the default). With mode "wait" it
// waits until the call's context ends, and with any other mode it answers
// OK with its process id: "fine from pid N". Each call logs "check called"
// with the mode first; a call whose context ends while it waits logs
// "check context ended" with the mode, the reason and whether the context
// had a deadline, which shows that vakt's timeout or cancellation reached
// the plugin process.
type Misbehaving struct {
	Name string
	// Bad is what it does; when it returns, Check fails with its error.
	Bad func(ctx context.Context, req sdk.Request) error
}

// Info describes the plugin.
func (m Misbehaving) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: m.Name, Version: "1.0.0", Description: "misbehaves in Check", Schema: sdk.Schema{
		{Name: "mode", Type: sdk.TypeString, Default: "bad", Description: "bad, wait, or ok to behave"},
	}}, nil
}

// Configure accepts any mode.
func (Misbehaving) Configure(context.Context, sdk.Config) error { return nil }

// Check misbehaves, or reports the process id.
func (m Misbehaving) Check(ctx context.Context, req sdk.Request) (check.Result, error) {
	mode := req.Config.Values.String("mode")
	sdk.Logger(ctx).Info("check called", "mode", mode)
	switch mode {
	case "bad":
		return check.Result{}, m.Bad(ctx, req)
	case "wait":
		return check.Result{}, waitForEnd(ctx, mode)
	}
	return check.Result{State: check.OK, Output: fmt.Sprintf("fine from pid %d", os.Getpid())}, nil
}

// waitForEnd waits until ctx ends, logs "check context ended", and
// returns why it ended.
func waitForEnd(ctx context.Context, mode string) error {
	<-ctx.Done()
	_, hasDeadline := ctx.Deadline()
	sdk.Logger(ctx).Info("check context ended", "mode", mode, "reason", ctx.Err().Error(), "deadline", hasDeadline)
	return ctx.Err()
}

// Panic panics in Check.
func Panic() Misbehaving {
	return Misbehaving{Name: "panic", Bad: func(_ context.Context, req sdk.Request) error {
		panic("boom in check " + req.Check)
	}}
}

// Exit exits the process with status 1 in Check.
func Exit() Misbehaving {
	return Misbehaving{Name: "exit", Bad: func(context.Context, sdk.Request) error {
		os.Exit(1)
		return nil
	}}
}

// Hang blocks in Check until the call's context ends, as a slow check
// that respects its deadline does.
func Hang() Misbehaving {
	return Misbehaving{Name: "hang", Bad: func(ctx context.Context, _ sdk.Request) error {
		return waitForEnd(ctx, "bad")
	}}
}

// IgnoreContext blocks in Check for a day, whatever its context says.
func IgnoreContext() Misbehaving {
	return Misbehaving{Name: "ignorectx", Bad: func(context.Context, sdk.Request) error {
		time.Sleep(24 * time.Hour)
		return errors.New("woke up after a day")
	}}
}
