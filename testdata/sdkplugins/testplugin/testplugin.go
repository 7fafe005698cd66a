// Package testplugin is the check and notifier plugin the SDK's tests
// serve, both in-process and as the echo executable. What a check does
// depends on the host it runs for, so that one plugin covers every case:
//
//   - block: logs "blocking until cancelled", waits for the call's context to
//     end, and tells the next cancel-report check whether it had a deadline;
//   - cancel-report: answers with what the last blocked check saw;
//   - bad-state: returns state 7;
//   - bad-perf: returns one good perfdata item and four malformed ones;
//   - fail: fails with an error;
//   - print: prints a line to stdout and one to stderr;
//   - anything else: a WARNING result echoing its request and config.
//
// Notify writes each notification as a JSON line to the file named by the
// notifier config's spool attribute; kind "fail" fails, kind "reject"
// fails permanently.
package testplugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk"
)

// CheckSchema is the check plugin's schema.
func CheckSchema() sdk.Schema {
	return sdk.Schema{
		{Name: "message", Type: sdk.TypeString, Required: true, Description: "what to print"},
		{Name: "threshold", Type: sdk.TypeNumber, Default: 10.0, Description: "the warning threshold"},
		{Name: "verbose", Type: sdk.TypeBool, Default: false, Description: "print more"},
		{Name: "tags", Type: sdk.TypeListOfString, Description: "tags to print"},
		{Name: "labels", Type: sdk.TypeMapOfString, Description: "labels to print"},
		{Name: "interval", Type: sdk.TypeDuration, Default: "30s", Description: "an interval to print"},
	}
}

// Checker is the test check plugin. Make it with NewChecker.
type Checker struct {
	blocked chan string // what the last blocked check saw
}

// NewChecker returns a test check plugin.
func NewChecker() *Checker { return &Checker{blocked: make(chan string, 1)} }

// Info describes the plugin.
func (c *Checker) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "echo", Version: "1.2.3", Description: "echoes its request", Schema: CheckSchema()}, nil
}

// Configure refuses the message "reject".
func (c *Checker) Configure(ctx context.Context, cfg sdk.Config) error {
	sdk.Logger(ctx).Info("configured", "id", cfg.ID)
	if cfg.Values.String("message") == "reject" {
		return sdk.ConfigErrors{{Attribute: "message", Message: `attribute "message": the word "reject" is refused`}}
	}
	return nil
}

// Check runs the test check; see the package comment.
func (c *Checker) Check(ctx context.Context, req sdk.Request) (check.Result, error) {
	log := sdk.Logger(ctx)
	switch req.Host.Name {
	case "block":
		_, hasDeadline := ctx.Deadline()
		log.Info("blocking until cancelled", "has_deadline", hasDeadline)
		<-ctx.Done()
		log.Info("check cancelled", "reason", ctx.Err())
		c.blocked <- fmt.Sprintf("the blocked check had a deadline: %t; it saw its context end", hasDeadline)
		return check.Result{}, ctx.Err()
	case "cancel-report":
		select {
		case s := <-c.blocked:
			return check.Result{State: check.OK, Output: s}, nil
		case <-ctx.Done():
			return check.Result{}, fmt.Errorf("no blocked check ended: %w", ctx.Err())
		}
	case "bad-state":
		return check.Result{State: check.State(7), Output: "seven"}, nil
	case "bad-perf":
		one := 1.0
		return check.Result{State: check.OK, Output: "perf", Perfdata: []check.Perf{
			{Label: "good", Value: 1.5, UOM: "s", Warn: &check.Range{Text: "2"}, Min: &one},
			{Label: "", Value: 1},
			{Label: "unit", Value: 1, UOM: "p(c)"}, // any unit is kept, but not one with brackets
			{Label: "nan", Value: math.NaN()},
			{Label: "range", Value: 1, Crit: &check.Range{Text: "2:1"}},
		}}, nil
	case "fail":
		return check.Result{}, errors.New("cannot reach the moon")
	case "print":
		fmt.Println("printed to stdout")
		fmt.Fprintln(os.Stderr, "printed to stderr")
		return check.Result{State: check.OK, Output: "printed"}, nil
	}
	v := req.Config.Values
	log.Info("check ran", "text", v.String("message"))
	labels := make([]string, 0, len(v.Map("labels")))
	for k, val := range v.Map("labels") {
		labels = append(labels, k+"="+val)
	}
	sort.Strings(labels)
	threshold := v.Number("threshold")
	warn := check.MustRange(fmt.Sprint(threshold))
	return check.Result{
		State:  check.Warning,
		Output: fmt.Sprintf("%s from %s (%s)", v.String("message"), req.Host.Name, req.Host.Address),
		Long: strings.Join([]string{
			"config: " + req.Config.ID,
			"check: " + req.Check,
			fmt.Sprintf("timeout: %s", req.Timeout),
			fmt.Sprintf("verbose: %t", v.Bool("verbose")),
			"tags: " + strings.Join(v.List("tags"), ","),
			"labels: " + strings.Join(labels, ","),
			fmt.Sprintf("interval: %s", v.Duration("interval")),
		}, "\n"),
		Perfdata: []check.Perf{{Label: "threshold", Value: threshold, Warn: &warn}},
		Notes:    []string{"echoed"},
	}, nil
}

// NotifierSchema is the notifier plugin's schema.
func NotifierSchema() sdk.Schema {
	return sdk.Schema{{Name: "spool", Type: sdk.TypeString, Required: true, Description: "file to append notifications to"}}
}

// Notifier is the test notifier plugin.
type Notifier struct{}

// Info describes the plugin.
func (Notifier) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "spool", Version: "0.1.0", Description: "writes notifications to a file", Schema: NotifierSchema()}, nil
}

// Configure accepts every valid config.
func (Notifier) Configure(context.Context, sdk.Config) error { return nil }

// Notify appends n to the spool file as one JSON line.
func (Notifier) Notify(ctx context.Context, n sdk.Notification) error {
	switch n.Kind {
	case "fail":
		return errors.New("relay unreachable")
	case "reject":
		return sdk.Permanent(errors.New("recipient rejected"))
	}
	sdk.Logger(ctx).Info("notifying", "recipients", len(n.Recipients))
	line, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("encoding the notification: %w", err)
	}
	f, err := os.OpenFile(n.Config.Values.String("spool"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("opening the spool: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		_ = f.Close()
		return fmt.Errorf("writing the spool: %w", err)
	}
	return f.Close()
}
