package main

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// resolveSettings parses args as `vakt run` does (with the root command's
// persistent log flags) and returns the settings it would use.
func resolveSettings(t *testing.T, args ...string) (settings, error) {
	t.Helper()
	root := &cobra.Command{Use: "vakt", SilenceUsage: true, SilenceErrors: true}
	var g globals
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "warn", "")
	root.PersistentFlags().StringVar(&g.logFormat, "log-format", "auto", "")
	runCmd := newRunCmd(&g)
	var got settings
	runCmd.RunE = func(cmd *cobra.Command, _ []string) error {
		var err error
		got, err = loadSettings(cmd)
		return err
	}
	root.AddCommand(runCmd)
	root.SetArgs(append([]string{"run"}, args...))
	err := root.Execute()
	return got, err
}

// TestSettingsPrecedence: a flag beats a VAKT_* variable, which beats the
// settings file, which beats the default; per setting.
func TestSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	yamlFile := filepath.Join(dir, "vakt.yaml")
	writeFile(t, yamlFile, `
checks_dir: /file/checks.d
plugin_dirs: [/file/plugins-a, /file/plugins-b]
state_dir: /file/state
listen: 127.0.0.1:9001
bb_listen: 127.0.0.1:9002
api_tokens: [file-token]
concurrency: 7
log_level: warn
log_format: json
max_passive_checks: 500
max_passive_checks_per_source: -1
passive_expiry: "0s"
`)
	tomlFile := filepath.Join(dir, "vakt.toml")
	writeFile(t, tomlFile, `
checks_dir = "/toml/checks.d"
concurrency = 9
api_tokens = ["t1", "t2"]
`)
	defaults := settings{
		ChecksDir: "/etc/vakt/checks.d", PluginDirs: []string{}, StateDir: "/var/lib/vakt", Listen: "127.0.0.1:8484",
		BBListen: "127.0.0.1:1984", APITokens: []string{}, Concurrency: 64, LogLevel: "info", LogFormat: "auto",
		MaxPassive: 10_000, MaxPassivePerSource: 2_000, PassiveExpiry: 72 * time.Hour,
	}
	fromFile := settings{
		ChecksDir: "/file/checks.d", PluginDirs: []string{"/file/plugins-a", "/file/plugins-b"}, StateDir: "/file/state",
		Listen: "127.0.0.1:9001", BBListen: "127.0.0.1:9002", APITokens: []string{"file-token"}, Concurrency: 7,
		LogLevel: "warn", LogFormat: "json", File: yamlFile, MaxPassive: 500, MaxPassivePerSource: -1, PassiveExpiry: -1,
	}
	with := func(s settings, edit func(*settings)) settings {
		s.PluginDirs = append([]string{}, s.PluginDirs...)
		s.APITokens = append([]string{}, s.APITokens...)
		edit(&s)
		return s
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want settings
	}{
		{"defaults", nil, nil, defaults},
		{"file", nil, []string{"--config", yamlFile}, fromFile},
		{"Big Brother allow-lists", map[string]string{"VAKT_BB_ALLOW": "10.0.0.0/8,192.0.2.7"}, []string{"--bb-admin-allow", "none"},
			with(defaults, func(s *settings) {
				s.BBAllow = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
				s.BBAdmin = []netip.Prefix{}
			})},
		{"file named by VAKT_CONFIG", map[string]string{"VAKT_CONFIG": yamlFile}, nil, fromFile},
		{"toml file", nil, []string{"--config", tomlFile}, with(defaults, func(s *settings) {
			s.ChecksDir, s.Concurrency, s.APITokens, s.File = "/toml/checks.d", 9, []string{"t1", "t2"}, tomlFile
		})},
		{"env over file", map[string]string{
			"VAKT_CHECKS_DIR": "/env/checks.d", "VAKT_API_TOKENS": "env-1, env-2", "VAKT_CONCURRENCY": "11",
			"VAKT_LOG_LEVEL": "debug", "VAKT_BB_LISTEN": "off", "VAKT_PLUGIN_DIRS": "/env/p",
		}, []string{"--config", yamlFile}, with(fromFile, func(s *settings) {
			s.ChecksDir, s.APITokens, s.Concurrency, s.LogLevel, s.BBListen, s.PluginDirs = "/env/checks.d", []string{"env-1", "env-2"}, 11, "debug", "", []string{"/env/p"}
		})},
		{"flags over env over file", map[string]string{
			"VAKT_CHECKS_DIR": "/env/checks.d", "VAKT_CONCURRENCY": "11", "VAKT_LOG_LEVEL": "debug", "VAKT_STATE_DIR": "/env/state",
		}, []string{"--config", yamlFile, "--checks-dir", "/flag/checks.d", "--concurrency", "13", "--log-level", "error",
			"--api-token", "f1", "--api-token", "f2", "--plugin-dir", "/flag/p", "--listen", "off"},
			with(fromFile, func(s *settings) {
				s.ChecksDir, s.Concurrency, s.LogLevel, s.StateDir = "/flag/checks.d", 13, "error", "/env/state"
				s.APITokens, s.PluginDirs, s.Listen = []string{"f1", "f2"}, []string{"/flag/p"}, ""
			})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearVaktEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			got, err := resolveSettings(t, tc.args...)
			if err != nil {
				t.Fatalf("settings: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("settings =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

// TestSettingsErrors: malformed settings, wherever they come from, are
// refused with a message naming the setting.
func TestSettingsErrors(t *testing.T) {
	dir := t.TempDir()
	file := func(name, text string) string {
		path := filepath.Join(dir, name)
		writeFile(t, path, text)
		return path
	}
	typo := file("typo.yaml", "checks_dri: /x\n")
	broken := file("broken.yaml", "checks_dir: [unclosed\n")
	listTok := file("list.yaml", "api_tokens: [1, 2]\n")
	dirList := file("dirlist.yaml", "checks_dir: [a, b]\n")
	wrongExt := file("vakt.json", "{}\n")
	nested := file("nested.yaml", "server:\n  listen: 127.0.0.1:1\n")
	floatConc := file("float.yaml", "concurrency: 1.5\n")
	boolConc := file("bool.yaml", "concurrency: true\n")
	wordConc := file("word.yaml", "concurrency: many\n")
	mapListen := file("map.yaml", "listen: {host: 127.0.0.1, port: 8484}\n")
	badTOML := file("bad.toml", "checks_dir = /no/quotes\n")
	twoErrors := file("two.yaml", "concurrency: -1\nlisten: nowhere\n")
	unreadable := filepath.Join(dir, "dir.yaml")
	if err := os.Mkdir(unreadable, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown key in the file", nil, []string{"--config", typo}, `unknown setting "checks_dri"`},
		{"malformed file", nil, []string{"--config", broken}, "reading settings file " + broken},
		{"missing file", nil, []string{"--config", filepath.Join(dir, "none.yaml")}, "settings file: stat " + filepath.Join(dir, "none.yaml")},
		{"file of another kind", nil, []string{"--config", wrongExt}, `the name must end in .yaml, .yml or .toml, not ".json"`},
		{"tokens not strings", nil, []string{"--config", listTok}, "setting api_tokens: item 0: want a string, got int (1)"},
		{"list for a string", nil, []string{"--config", dirList}, "setting checks_dir: want a string, got []interface {}"},
		{"concurrency not a number", map[string]string{"VAKT_CONCURRENCY": "many"}, nil, `setting concurrency: "many" is not a whole number`},
		{"concurrency zero", nil, []string{"--concurrency", "0"}, "setting concurrency: 0 is less than 1"},
		{"concurrency flag not a number", nil, []string{"--concurrency", "x"}, `invalid argument "x" for "--concurrency"`},
		{"listen without port", map[string]string{"VAKT_LISTEN": "localhost"}, nil, `setting listen: "localhost" is not host:port (or off)`},
		{"empty checks dir", nil, []string{"--checks-dir", ""}, "setting checks_dir is empty"},
		{"nested unknown key", nil, []string{"--config", nested}, `settings file ` + nested + `: unknown setting "server.listen"; the settings are checks_dir, plugin_dirs,`},
		{"unreadable file", nil, []string{"--config", unreadable}, "reading settings file " + unreadable + ": read " + unreadable + ": is a directory"},
		{"malformed TOML", nil, []string{"--config", badTOML}, "reading settings file " + badTOML + ": "},
		{"concurrency a fraction", nil, []string{"--config", floatConc}, "settings (file " + floatConc + ", VAKT_* variables, flags): setting concurrency: want a whole number, got float64 (1.5)"},
		{"concurrency a boolean", nil, []string{"--config", boolConc}, "setting concurrency: want a whole number, got bool (true)"},
		{"concurrency a word in the file", nil, []string{"--config", wordConc}, `setting concurrency: "many" is not a whole number`},
		{"concurrency out of range", map[string]string{"VAKT_CONCURRENCY": "99999999999999999999"}, nil, `setting concurrency: "99999999999999999999" is out of range`},
		{"listen a map", nil, []string{"--config", mapListen}, "settings file " + mapListen + `: setting listen must be a single value, not a map (it has "listen.host")`},
		{"two errors at once", nil, []string{"--config", twoErrors}, "settings (file " + twoErrors + `, VAKT_* variables, flags): setting listen: "nowhere" is not host:port (or off): address nowhere: missing port in address` + "\nsetting concurrency: -1 is less than 1"},
		{"listen port out of range", nil, []string{"--listen", "127.0.0.1:99999"}, `settings (VAKT_* variables, flags): setting listen: "127.0.0.1:99999" is not host:port (or off): bad port "99999": want a number from 0 to 65535`},
		{"listen port not a port", map[string]string{"VAKT_BB_LISTEN": ":bigbrother"}, nil, `setting bb_listen: ":bigbrother" is not host:port (or off): bad port "bigbrother": want a number from 0 to 65535`},
		{"listen without a port after the colon", nil, []string{"--listen", "127.0.0.1:"}, `setting listen: "127.0.0.1:" is not host:port (or off): missing port after the colon`},
		{"listen with two colons", nil, []string{"--bb-listen", "::1:1984"}, `setting bb_listen: "::1:1984" is not host:port (or off): address ::1:1984: too many colons in address`},
		{"bad bb_allow", map[string]string{"VAKT_BB_ALLOW": "10.0.0.0/8,agents.example.com"}, nil, `setting bb_allow: allow-list: bad address "agents.example.com": want an IP address or a network such as 192.0.2.0/24`},
		{"bad log level", map[string]string{"VAKT_LOG_LEVEL": "loud"}, nil, `setting log_level: "loud" is not a log level: want debug, info, warn or error`},
		{"bad log format", nil, []string{"--log-format", "xml"}, `setting log_format: "xml" is not a log format: want json, console or auto`},
		{"unknown flag", nil, []string{"--checksdir", "/x"}, "unknown flag: --checksdir"},
		{"argument", nil, []string{"/etc/vakt/checks.d"}, `unknown command "/etc/vakt/checks.d" for "vakt run"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearVaktEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := resolveSettings(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("settings error = %v; want one containing %q", err, tc.want)
			}
		})
	}
}

// clearVaktEnv unsets every VAKT_* variable for the rest of the test.
func clearVaktEnv(t *testing.T) {
	t.Helper()
	for _, s := range allSettings() {
		t.Setenv("VAKT_"+strings.ToUpper(s.key), "")
	}
	t.Setenv("VAKT_CONFIG", "")
}
