package sdk

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/rs/zerolog"
)

// Logging crosses the process boundary the go-plugin way: the plugin writes
// JSON lines through hclog to its stderr, go-plugin reads them on the host
// and replays them into the client's hclog.Logger, which NewHCLogger makes
// write into vakt's zerolog logger.

type loggerKey struct{}

// Logger returns the logger of a plugin call: vakt receives what is logged
// through it, tagged with the plugin's name (and with the check and host for
// a Check call, the notification id for a Notify call). Outside a call
// served by the SDK it returns a logger that discards everything.
func Logger(ctx context.Context) hclog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(hclog.Logger); ok {
		return l
	}
	return hclog.NewNullLogger()
}

func withLogger(ctx context.Context, l hclog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// newPluginLogger returns the plugin-side logger: JSON lines on the
// process's stderr as it is now (go-plugin later points os.Stderr
// elsewhere), at the level vakt asked for in LogLevelEnv.
func newPluginLogger() hclog.Logger {
	level := hclog.LevelFromString(os.Getenv(LogLevelEnv))
	if level == hclog.NoLevel {
		level = hclog.Info
	}
	return hclog.New(&hclog.LoggerOptions{
		Output:     os.Stderr,
		JSONFormat: true,
		Level:      level,
	})
}

// hclogLevelName maps a zerolog level to the name LogLevelEnv takes.
func hclogLevelName(l zerolog.Level) string {
	return hclogLevel(l).String()
}

func hclogLevel(l zerolog.Level) hclog.Level {
	switch {
	case l <= zerolog.TraceLevel:
		return hclog.Trace
	case l == zerolog.DebugLevel:
		return hclog.Debug
	case l == zerolog.InfoLevel:
		return hclog.Info
	case l == zerolog.WarnLevel:
		return hclog.Warn
	case l == zerolog.Disabled:
		return hclog.Off
	}
	return hclog.Error
}

func zerologLevel(l hclog.Level) zerolog.Level {
	switch l {
	case hclog.Trace:
		return zerolog.TraceLevel
	case hclog.Debug:
		return zerolog.DebugLevel
	case hclog.Info, hclog.NoLevel:
		return zerolog.InfoLevel
	case hclog.Warn:
		return zerolog.WarnLevel
	case hclog.Off:
		return zerolog.Disabled
	}
	return zerolog.ErrorLevel
}

// NewHCLogger returns an hclog.Logger that writes into log, every line
// tagged with plugin="<pluginName>". Give it to go-plugin as the client's
// logger (NewClientConfig does) and a plugin's log lines, and go-plugin's
// own, reach vakt's zerolog output. Its level starts at log's level;
// SetLevel changes it for this logger and every logger derived from it.
func NewHCLogger(log zerolog.Logger, pluginName string) hclog.Logger {
	level := new(atomic.Int32)
	level.Store(int32(hclogLevel(effectiveLevel(log))))
	return &zerologHCLogger{log: log.With().Str("plugin", pluginName).Logger(), level: level}
}

// effectiveLevel is the level below which log drops events, taking the
// global level into account.
func effectiveLevel(log zerolog.Logger) zerolog.Level {
	if g := zerolog.GlobalLevel(); g > log.GetLevel() {
		return g
	}
	return log.GetLevel()
}

// zerologHCLogger is an hclog.Logger writing into a zerolog.Logger.
type zerologHCLogger struct {
	log   zerolog.Logger
	name  string
	args  []any         // implied args, from With
	level *atomic.Int32 // an hclog.Level, shared with derived loggers
}

var _ hclog.Logger = (*zerologHCLogger)(nil)

func (z *zerologHCLogger) Log(level hclog.Level, msg string, args ...any) {
	if level == hclog.Off || level < z.GetLevel() {
		return
	}
	e := z.log.WithLevel(zerologLevel(level))
	if e == nil {
		return
	}
	if z.name != "" {
		e = e.Str("logger", z.name)
	}
	e = addFields(addFields(e, z.args), args)
	e.Msg(msg)
}

// reservedField reports whether the adapter itself writes a field called
// key. An hclog key of the same name (go-plugin logs the executable's path
// as "plugin") is written as hclog_<key> instead, so that a line never
// holds a key twice.
func reservedField(key string) bool {
	switch key {
	case "plugin", "logger", zerolog.LevelFieldName, zerolog.MessageFieldName, zerolog.TimestampFieldName:
		return true
	}
	return false
}

// addFields adds hclog's key/value pairs to e. An odd trailing value goes
// under EXTRA_VALUE_AT_END, as hclog does.
func addFields(e *zerolog.Event, args []any) *zerolog.Event {
	for i := 0; i < len(args); i += 2 {
		if i+1 == len(args) {
			e = e.Interface("EXTRA_VALUE_AT_END", args[i])
			break
		}
		key, ok := args[i].(string)
		if !ok {
			key = fmt.Sprint(args[i])
		}
		if reservedField(key) {
			key = "hclog_" + key
		}
		switch v := args[i+1].(type) {
		case string:
			e = e.Str(key, v)
		case bool:
			e = e.Bool(key, v)
		case int:
			e = e.Int(key, v)
		case int64:
			e = e.Int64(key, v)
		case float64:
			e = e.Float64(key, v)
		case time.Duration:
			e = e.Str(key, v.String())
		case time.Time:
			e = e.Time(key, v)
		case error:
			e = e.Str(key, v.Error())
		case fmt.Stringer:
			e = e.Str(key, v.String())
		default:
			e = e.Interface(key, v)
		}
	}
	return e
}

func (z *zerologHCLogger) Trace(msg string, args ...any) { z.Log(hclog.Trace, msg, args...) }
func (z *zerologHCLogger) Debug(msg string, args ...any) { z.Log(hclog.Debug, msg, args...) }
func (z *zerologHCLogger) Info(msg string, args ...any)  { z.Log(hclog.Info, msg, args...) }
func (z *zerologHCLogger) Warn(msg string, args ...any)  { z.Log(hclog.Warn, msg, args...) }
func (z *zerologHCLogger) Error(msg string, args ...any) { z.Log(hclog.Error, msg, args...) }

func (z *zerologHCLogger) IsTrace() bool { return z.GetLevel() <= hclog.Trace }
func (z *zerologHCLogger) IsDebug() bool { return z.GetLevel() <= hclog.Debug }
func (z *zerologHCLogger) IsInfo() bool  { return z.GetLevel() <= hclog.Info }
func (z *zerologHCLogger) IsWarn() bool  { return z.GetLevel() <= hclog.Warn }
func (z *zerologHCLogger) IsError() bool { return z.GetLevel() <= hclog.Error }

func (z *zerologHCLogger) ImpliedArgs() []any { return append([]any{}, z.args...) }

func (z *zerologHCLogger) With(args ...any) hclog.Logger {
	c := *z
	c.args = append(append([]any{}, z.args...), args...)
	return &c
}

func (z *zerologHCLogger) Name() string { return z.name }

func (z *zerologHCLogger) Named(name string) hclog.Logger {
	if z.name != "" {
		name = z.name + "." + name
	}
	return z.ResetNamed(name)
}

func (z *zerologHCLogger) ResetNamed(name string) hclog.Logger {
	c := *z
	c.name = name
	return &c
}

func (z *zerologHCLogger) SetLevel(level hclog.Level) { z.level.Store(int32(level)) }
func (z *zerologHCLogger) GetLevel() hclog.Level      { return hclog.Level(z.level.Load()) }

func (z *zerologHCLogger) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	return log.New(z.StandardWriter(opts), "", 0)
}

// StandardWriter returns a writer that logs each line written to it, at
// opts.ForceLevel when set and at info otherwise.
func (z *zerologHCLogger) StandardWriter(opts *hclog.StandardLoggerOptions) io.Writer {
	level := hclog.Info
	if opts != nil && opts.ForceLevel != hclog.NoLevel {
		level = opts.ForceLevel
	}
	return &lineLogger{log: z, level: level}
}

// lineLogger logs every line written to it as one message. A write that
// does not end in a newline is logged as it is.
type lineLogger struct {
	log   hclog.Logger
	level hclog.Level
	args  []any
}

func (w *lineLogger) Write(p []byte) (int, error) {
	for _, line := range bytes.Split(bytes.TrimRight(p, "\r\n"), []byte{'\n'}) {
		if s := strings.TrimRight(string(line), "\r"); s != "" {
			w.log.Log(w.level, s, w.args...)
		}
	}
	return len(p), nil
}
