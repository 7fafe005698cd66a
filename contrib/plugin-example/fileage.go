package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk"
)

// fileAge checks how long ago a file was last modified.
type fileAge struct{}

func (fileAge) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name:        "file_age",
		Version:     "1.0.0",
		Description: "Warns when a file has not been modified for too long.",
		Schema: sdk.Schema{
			{Name: "path", Type: sdk.TypeString, Required: true, Description: "the file to watch"},
			{Name: "warning", Type: sdk.TypeDuration, Default: "1h", Description: "WARNING when older than this"},
			{Name: "critical", Type: sdk.TypeDuration, Default: "24h", Description: "CRITICAL when older than this"},
		},
	}, nil
}

// Configure gets values already checked against the schema; it only has to
// check what the schema cannot say.
func (fileAge) Configure(_ context.Context, cfg sdk.Config) error {
	warning, critical := cfg.Values.Duration("warning"), cfg.Values.Duration("critical")
	if warning > critical {
		return sdk.ConfigErrors{{Attribute: "warning",
			Message: fmt.Sprintf(`attribute "warning" (%s) must not be above "critical" (%s)`, warning, critical)}}
	}
	return nil
}

func (fileAge) Check(ctx context.Context, req sdk.Request) (check.Result, error) {
	path := req.Config.Values.String("path")
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return check.Result{State: check.Critical, Output: fmt.Sprintf("FILE_AGE CRITICAL: %s does not exist", path)}, nil
	}
	if err != nil {
		return check.Result{State: check.Unknown, Output: fmt.Sprintf("FILE_AGE UNKNOWN: %v", err)}, nil
	}
	age := time.Since(info.ModTime()).Truncate(time.Second)
	warning, critical := req.Config.Values.Duration("warning"), req.Config.Values.Duration("critical")
	state := check.OK
	switch {
	case age > critical:
		state = check.Critical
	case age > warning:
		state = check.Warning
	}
	sdk.Logger(ctx).Debug("checked file age", "path", path, "age", age)
	warn := check.MustRange(fmt.Sprint(warning.Seconds()))
	crit := check.MustRange(fmt.Sprint(critical.Seconds()))
	return check.Result{
		State:    state,
		Output:   fmt.Sprintf("FILE_AGE %s: %s is %s old", state, path, age),
		Perfdata: []check.Perf{{Label: "age", Value: age.Seconds(), UOM: "s", Warn: &warn, Crit: &crit}},
	}, nil
}
