package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/vakt/vakt/core/daemon"
	"github.com/vakt/vakt/core/engine"
	"github.com/vakt/vakt/core/execute"
	"github.com/vakt/vakt/core/passive"
	"github.com/vakt/vakt/core/schedule"
)

// The daemon's settings: each has a key in the config file (vakt.yaml or
// vakt.toml), an environment variable VAKT_<KEY in upper case> and a flag.
// A flag beats the environment, which beats the file, which beats the
// default. Lists are YAML/TOML lists in the file, comma-separated in the
// environment, and repeated (or comma-separated) flags.
const (
	keyChecksDir   = "checks_dir"
	keyPluginDirs  = "plugin_dirs"
	keyStateDir    = "state_dir"
	keyListen      = "listen"
	keyBBListen    = "bb_listen"
	keyBBAllow     = "bb_allow"
	keyBBAdmin     = "bb_admin_allow"
	keyAPITokens   = "api_tokens"
	keyConcurrency = "concurrency"
	// The engine's limits on dynamic passive checks.
	keyMaxPassive          = "max_passive_checks"
	keyMaxPassivePerSource = "max_passive_checks_per_source"
	keyPassiveExpiry       = "passive_expiry"
	keyLogLevel            = "log_level"
	keyLogFormat           = "log_format"

	// pluginStopTimeout is how long plugin processes have to exit when
	// vakt run stops.
	pluginStopTimeout = 10 * time.Second
	// stateFile is the store's file name inside state_dir.
	stateFile = "vakt.db"
	// listenOff turns a listener off: an empty value cannot come from the
	// environment.
	listenOff = "off"
)

// setting describes one daemon setting.
type setting struct {
	key, flag, usage string
	def              any // string, int or []string
}

// allSettings lists every setting, in the order of `vakt run --help`.
func allSettings() []setting {
	return []setting{
		{keyChecksDir, "checks-dir", "folder of HCL check files", "/etc/vakt/checks.d"},
		{keyPluginDirs, "plugin-dir", "folder of third-party go-plugins, vakt-plugin-NAME (repeatable, or comma-separated)", []string{}},
		{keyStateDir, "state-dir", "folder of the state database (" + stateFile + ")", "/var/lib/vakt"},
		{keyListen, "listen", "address of the HTTP API, or off", "127.0.0.1:8484"},
		{keyBBListen, "bb-listen", "address of the Big Brother listener, or off", passive.DefaultBBAddr},
		{keyBBAllow, "bb-allow", "networks (CIDR or IP) that may send Big Brother status messages (repeatable; default loopback only)", []string{}},
		{keyBBAdmin, "bb-admin-allow", "networks (CIDR or IP) that may send Big Brother disable/enable (repeatable; default loopback only)", []string{}},
		{keyAPITokens, "api-token", "bearer token of the HTTP API (repeatable; better set in the config file or VAKT_API_TOKENS)", []string{}},
		{keyConcurrency, "concurrency", "most check runs at once", schedule.DefaultConcurrency},
		{keyMaxPassive, "max-passive-checks", "most dynamic passive checks (created by results for checks checks.d does not define)", engine.DefaultMaxPassiveChecks},
		{keyMaxPassivePerSource, "max-passive-checks-per-source", "most dynamic passive checks one sender address may create; -1: no limit", engine.DefaultMaxPassivePerSource},
		{keyPassiveExpiry, "passive-expiry", "a dynamic passive check stale this long is removed (Go duration); 0: never", engine.DefaultPassiveExpiry.String()},
		{keyLogLevel, "log-level", "log level: debug, info, warn, error", "info"},
		{keyLogFormat, "log-format", "log format: json, console, or auto (console on a terminal)", "auto"},
	}
}

// settings are the resolved daemon settings.
type settings struct {
	ChecksDir   string
	PluginDirs  []string
	StateDir    string
	Listen      string // "" when off
	BBListen    string // "" when off
	APITokens   []string
	BBAllow     []netip.Prefix // nil: loopback only
	BBAdmin     []netip.Prefix // nil: loopback only
	Concurrency int
	// The engine's limits on dynamic passive checks.
	MaxPassive, MaxPassivePerSource int
	PassiveExpiry                   time.Duration // <0: never
	LogLevel                        string
	LogFormat                       string
	// File is the config file that was read, "" when none.
	File string
}

// addSettingFlags adds the flags of the settings named by keys, and
// --config, to fs. log_level and log_format are the root command's
// persistent flags and are not added again.
func addSettingFlags(fs *pflag.FlagSet, keys ...string) {
	fs.String("config", "", "settings file (.yaml or .toml); default: $VAKT_CONFIG, else ./vakt.{yaml,yml,toml} or /etc/vakt/vakt.{yaml,yml,toml} if present")
	for _, s := range allSettings() {
		if !slices.Contains(keys, s.key) || s.key == keyLogLevel || s.key == keyLogFormat {
			continue
		}
		switch def := s.def.(type) {
		case string:
			fs.String(s.flag, def, s.usage)
		case int:
			fs.Int(s.flag, def, s.usage)
		case []string:
			fs.StringSlice(s.flag, def, s.usage)
		}
	}
}

// loadSettings resolves the settings of cmd from its flags, the environment
// and the config file.
func loadSettings(cmd *cobra.Command) (settings, error) {
	v := viper.New()
	v.SetEnvPrefix("VAKT")
	v.AutomaticEnv()
	for _, s := range allSettings() {
		v.SetDefault(s.key, s.def)
		if f := cmd.Flags().Lookup(s.flag); f != nil {
			if err := v.BindPFlag(s.key, f); err != nil {
				return settings{}, fmt.Errorf("binding flag --%s: %w", s.flag, err)
			}
		}
	}
	file, err := configFile(cmd)
	if err != nil {
		return settings{}, err
	}
	if file != "" {
		if err := checkConfigKeys(file); err != nil {
			return settings{}, err
		}
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			return settings{}, fmt.Errorf("reading settings file %s: %w", file, err)
		}
	}

	var (
		out  = settings{File: file}
		errs []error
	)
	str := func(key string) string {
		s, err := stringSetting(v.Get(key))
		if err != nil {
			errs = append(errs, fmt.Errorf("setting %s: %w", key, err))
		}
		return s
	}
	list := func(key string) []string {
		l, err := listSetting(v.Get(key))
		if err != nil {
			errs = append(errs, fmt.Errorf("setting %s: %w", key, err))
		}
		return l
	}
	addr := func(key string) string {
		a := str(key)
		if a == listenOff || a == "" {
			return ""
		}
		if err := checkListenAddr(a); err != nil {
			errs = append(errs, fmt.Errorf("setting %s: %q is not host:port (or %s): %w", key, a, listenOff, err))
		}
		return a
	}
	out.ChecksDir = str(keyChecksDir)
	out.PluginDirs = list(keyPluginDirs)
	out.StateDir = str(keyStateDir)
	out.Listen = addr(keyListen)
	out.BBListen = addr(keyBBListen)
	allowList := func(key string) []netip.Prefix {
		p, err := passive.ParseAllowList(list(key))
		if err != nil {
			errs = append(errs, fmt.Errorf("setting %s: %w", key, err))
		}
		return p
	}
	out.BBAllow, out.BBAdmin = allowList(keyBBAllow), allowList(keyBBAdmin)
	out.APITokens = list(keyAPITokens)
	out.LogLevel = str(keyLogLevel)
	if _, err := zerolog.ParseLevel(out.LogLevel); err != nil || out.LogLevel == "" {
		errs = append(errs, fmt.Errorf("setting %s: %q is not a log level: want debug, info, warn or error", keyLogLevel, out.LogLevel))
	}
	out.LogFormat = str(keyLogFormat)
	if !slices.Contains([]string{"json", "console", "auto"}, out.LogFormat) {
		errs = append(errs, fmt.Errorf("setting %s: %q is not a log format: want json, console or auto", keyLogFormat, out.LogFormat))
	}
	out.Concurrency, err = intSetting(v.Get(keyConcurrency))
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("setting %s: %w", keyConcurrency, err))
	case out.Concurrency < 1:
		errs = append(errs, fmt.Errorf("setting %s: %d is less than 1", keyConcurrency, out.Concurrency))
	}
	for _, n := range []struct {
		key string
		to  *int
		min int
	}{{keyMaxPassive, &out.MaxPassive, 0}, {keyMaxPassivePerSource, &out.MaxPassivePerSource, -1}} {
		v, err := intSetting(v.Get(n.key))
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("setting %s: %w", n.key, err))
		case v < n.min:
			errs = append(errs, fmt.Errorf("setting %s: %d is less than %d", n.key, v, n.min))
		}
		*n.to = v
	}
	if expiry := str(keyPassiveExpiry); expiry != "" {
		d, err := time.ParseDuration(expiry)
		switch {
		case err != nil || d < 0:
			errs = append(errs, fmt.Errorf("setting %s: %q is not a duration such as 72h, or 0 for never", keyPassiveExpiry, expiry))
		case d == 0:
			out.PassiveExpiry = -1
		default:
			out.PassiveExpiry = d
		}
	}
	if out.ChecksDir == "" {
		errs = append(errs, fmt.Errorf("setting %s is empty", keyChecksDir))
	}
	if out.StateDir == "" {
		errs = append(errs, fmt.Errorf("setting %s is empty", keyStateDir))
	}
	if err := errors.Join(errs...); err != nil {
		if file != "" {
			return settings{}, fmt.Errorf("settings (file %s, VAKT_* variables, flags): %w", file, err)
		}
		return settings{}, fmt.Errorf("settings (VAKT_* variables, flags): %w", err)
	}
	return out, nil
}

// checkListenAddr checks a listen address: host:port, the port a number
// from 0 to 65535 (0: any free port) or a service name such as http.
func checkListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if port == "" {
		return errors.New("missing port after the colon")
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("bad port %q: want a number from 0 to 65535", port)
	}
	return nil
}

// configFile is the settings file to read: --config, else $VAKT_CONFIG,
// else the first vakt.yaml, vakt.yml or vakt.toml in the working folder or
// /etc/vakt; "" when there is none. A file named explicitly must exist.
func configFile(cmd *cobra.Command) (string, error) {
	file := ""
	if f := cmd.Flags().Lookup("config"); f != nil {
		file = f.Value.String()
	}
	if file == "" {
		file = os.Getenv("VAKT_CONFIG")
	}
	if file != "" {
		switch ext := strings.ToLower(filepath.Ext(file)); ext {
		case ".yaml", ".yml", ".toml":
		default:
			return "", fmt.Errorf("settings file %s: the name must end in .yaml, .yml or .toml, not %q", file, ext)
		}
		if _, err := os.Stat(file); err != nil {
			return "", fmt.Errorf("settings file: %w", err)
		}
		return file, nil
	}
	for _, dir := range []string{".", "/etc/vakt"} {
		for _, name := range []string{"vakt.yaml", "vakt.yml", "vakt.toml"} {
			path := filepath.Join(dir, name)
			if _, err := os.Stat(path); err == nil {
				return path, nil
			}
		}
	}
	return "", nil
}

// checkConfigKeys refuses a settings file with a key vakt does not know, so
// that a misspelt setting does not pass silently.
func checkConfigKeys(file string) error {
	fv := viper.New()
	fv.SetConfigFile(file)
	if err := fv.ReadInConfig(); err != nil {
		return fmt.Errorf("reading settings file %s: %w", file, err)
	}
	var known []string
	for _, s := range allSettings() {
		known = append(known, s.key)
	}
	keys := fv.AllKeys()
	slices.Sort(keys)
	for _, k := range keys {
		if parent, _, nested := strings.Cut(k, "."); nested && slices.Contains(known, parent) {
			return fmt.Errorf("settings file %s: setting %s must be a single value, not a map (it has %q)", file, parent, k)
		}
		if !slices.Contains(known, k) {
			return fmt.Errorf("settings file %s: unknown setting %q; the settings are %s", file, k, strings.Join(known, ", "))
		}
	}
	return nil
}

func stringSetting(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v), nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("want a string, got %T (%v)", v, v)
}

func intSetting(v any) (int, error) {
	switch v := v.(type) {
	case int:
		return v, nil
	case int64:
		return int(v), nil
	case float64:
		if v == float64(int(v)) {
			return int(v), nil
		}
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("%q is out of range", v)
		}
		if err != nil {
			return 0, fmt.Errorf("%q is not a whole number", v)
		}
		return n, nil
	}
	return 0, fmt.Errorf("want a whole number, got %T (%v)", v, v)
}

// listSetting reads a list: a list from the file or a flag, or a
// comma-separated string from the environment. Empty items are dropped.
func listSetting(v any) ([]string, error) {
	var items []string
	switch v := v.(type) {
	case nil:
	case string:
		items = strings.Split(v, ",")
	case []string:
		items = v
	case []any:
		for i, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("item %d: want a string, got %T (%v)", i, item, item)
			}
			items = append(items, s)
		}
	default:
		return nil, fmt.Errorf("want a list of strings, got %T (%v)", v, v)
	}
	out := []string{}
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

func newRunCmd(g0 *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run every check forever: the vakt daemon",
		Long: `run loads the HCL checks of checks_dir and runs them on their schedule,
remembers states, transitions and perfdata in state_dir/vakt.db, takes passive
results over HTTP (POST /api/v1/results) and on the Big Brother port, and serves
the HTTP API on listen. SIGHUP (or vakt reload) reloads checks_dir; a broken
file keeps the running configuration. SIGINT and SIGTERM stop it.

Settings come from a file (--config, vakt.yaml or vakt.toml), VAKT_* variables
(VAKT_CHECKS_DIR, VAKT_API_TOKENS=a,b ...) and flags; flags win over variables,
variables over the file. Keys in the file are the flag names with _ for -
(checks_dir, plugin_dirs, api_tokens ...); log_level is info for run unless set.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			g := globals{logLevel: s.LogLevel, logFormat: s.LogFormat, options: g0.options}
			log, err := g.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			tracker, stopProcs, err := g.startProcs(log)
			if err != nil {
				return err
			}
			defer stopProcs() // after the plugins have stopped (defers run last first)
			if s.File != "" {
				log.Info().Str("file", s.File).Msg("settings read")
			}
			if err := os.MkdirAll(s.StateDir, 0o750); err != nil {
				return fmt.Errorf("creating state_dir: %w", err)
			}

			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			// Catch SIGHUP from the start: its default action would end
			// vakt while it is still starting.
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			plugins := newPluginHost(execute.PluginOptions{
				Log:         log.With().Str("component", "plugins").Logger(),
				Dirs:        s.PluginDirs,
				ConfigRoots: []string{s.ChecksDir},
				Procs:       tracker,
			})
			defer func() {
				cctx, cancel := context.WithTimeout(context.Background(), pluginStopTimeout)
				defer cancel()
				if err := plugins.Close(cctx); err != nil {
					log.Warn().Err(err).Msg("stopping plugins")
				}
			}()
			d, err := daemon.New(ctx, daemon.Options{
				Checks:      []string{s.ChecksDir},
				StatePath:   filepath.Join(s.StateDir, stateFile),
				Listen:      s.Listen,
				BBListen:    s.BBListen,
				BB:          passive.BBConfig{Allow: s.BBAllow, AdminAllow: s.BBAdmin},
				Tokens:      s.APITokens,
				Concurrency: s.Concurrency,
				Logger:      log,
				Plugins:     plugins,
				Exec:        &execute.Exec{Log: log, Environ: execute.BaseEnviron(os.Environ()), Procs: tracker},
				Engine: engine.Options{MaxPassiveChecks: s.MaxPassive, MaxPassivePerSource: s.MaxPassivePerSource,
					PassiveExpiry: s.PassiveExpiry},
			})
			var cfgErr *daemon.ConfigError
			if errors.As(err, &cfgErr) {
				fmt.Fprint(cmd.ErrOrStderr(), cfgErr.Text)
				fmt.Fprintf(cmd.ErrOrStderr(), "vakt: %d error(s) in %s; not started\n", len(cfgErr.Diagnostics.Errs()), s.ChecksDir)
				return exitError{code: 1}
			}
			if err != nil {
				return err
			}
			// Holding the state dir's lock, before anything is scheduled:
			// kill what a vakt killed with -9 on this state dir left.
			if _, err := tracker.Takeover(s.StateDir); err != nil {
				log.Warn().Err(err).Msg("killing the plugin processes of the previous run")
			}

			go func() {
				for {
					select {
					case <-ctx.Done():
						return
					case <-hup:
						log.Info().Msg("SIGHUP: reloading")
						d.Reload(ctx, false)
					}
				}
			}()
			return d.Run(ctx)
		},
	}
	addSettingFlags(cmd.Flags(), keyChecksDir, keyPluginDirs, keyStateDir, keyListen, keyBBListen, keyBBAllow, keyBBAdmin, keyAPITokens, keyConcurrency,
		keyMaxPassive, keyMaxPassivePerSource, keyPassiveExpiry)
	return cmd
}
