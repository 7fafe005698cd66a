package execute

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultPath is the PATH a plugin gets when the daemon itself has none.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// inheritedVars are the variables a plugin inherits from the daemon, when
// they are set there. Everything else in the daemon's environment (secrets,
// proxies, the locale) stays out, so a plugin behaves the same whoever
// started vakt:
//
//   - PATH, HOME, USER, LOGNAME, TMPDIR, TZ: what scripts and tools such as
//     ssh (check_by_ssh) expect of a login;
//   - MP_CONFIG_PATH, NAGIOS_CONFIG_PATH: where monitoring-plugins look for
//     the ini files named by --extra-opts;
//   - MP_STATE_DIRECTORY, NAGIOS_PLUGIN_STATE_DIRECTORY: where
//     monitoring-plugins keep state between runs (check_snmp rates, ...).
var inheritedVars = []string{
	"PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TZ",
	"MP_CONFIG_PATH", "NAGIOS_CONFIG_PATH",
	"MP_STATE_DIRECTORY", "NAGIOS_PLUGIN_STATE_DIRECTORY",
}

// BaseEnviron picks the environment every plugin starts from out of the
// daemon's environment (os.Environ()): the variables listed above when set,
// PATH set to DefaultPath when it is missing or empty, and LANG=C.UTF-8.
//
// LANG is not inherited but fixed: the monitoring-plugins are translated and
// print numbers, perfdata included, with the locale's decimal separator
// ("0,5" under de_DE), which no perfdata parser accepts. C.UTF-8 keeps
// messages in English, numbers with a dot, and UTF-8 text intact. No LC_*
// variable is passed on, so a check can still choose another locale with
// LANG in its own environment (Job.Env).
func BaseEnviron(environ []string) []string {
	have := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			have[k] = v
		}
	}
	base := make([]string, 0, len(inheritedVars)+1)
	for _, name := range inheritedVars {
		v, ok := have[name]
		if name == "PATH" && v == "" {
			v, ok = DefaultPath, true
		}
		if ok {
			base = append(base, name+"="+v)
		}
	}
	return append(base, "LANG=C.UTF-8")
}

// macroEnv returns the macros a plugin sees about its check, as name and
// value. vakt's own names come first; the NAGIOS_* names are those Nagios
// Core exports with enable_environment_macros=1, for plugins and wrapper
// scripts written against Nagios. A macro whose value is unknown is left out
// rather than set empty, as Nagios does.
//
//	VAKT_CHECK, NAGIOS_SERVICEDESC, NAGIOS_SERVICEDISPLAYNAME   the check's name
//	VAKT_HOSTNAME, NAGIOS_HOSTNAME, NAGIOS_HOSTDISPLAYNAME,
//	NAGIOS_HOSTALIAS                                             the host's name
//	VAKT_HOSTADDRESS, NAGIOS_HOSTADDRESS                         the address, or the
//	                                                             host's name when no
//	                                                             address is set (Nagios'
//	                                                             default for address)
//	NAGIOS_TIMET                                                 start time, Unix seconds
func macroEnv(job Job, start time.Time) map[string]string {
	m := make(map[string]string, 11)
	if job.Check != "" {
		m["VAKT_CHECK"] = job.Check
		m["NAGIOS_SERVICEDESC"] = job.Check
		m["NAGIOS_SERVICEDISPLAYNAME"] = job.Check
	}
	if job.Host != "" {
		m["VAKT_HOSTNAME"] = job.Host
		m["NAGIOS_HOSTNAME"] = job.Host
		m["NAGIOS_HOSTDISPLAYNAME"] = job.Host
		m["NAGIOS_HOSTALIAS"] = job.Host
	}
	address := job.Address
	if address == "" {
		address = job.Host
	}
	if address != "" {
		m["VAKT_HOSTADDRESS"] = address
		m["NAGIOS_HOSTADDRESS"] = address
	}
	m["NAGIOS_TIMET"] = strconv.FormatInt(start.Unix(), 10)
	return m
}

// buildEnv merges, later ones winning: base (as from BaseEnviron), the
// check's macros, then the job's own variables. The result is sorted by name
// so that a plugin sees the same environment on every run.
func buildEnv(base []string, job Job, start time.Time) []string {
	vars := make(map[string]string, len(base)+len(job.Env)+11)
	for _, kv := range base {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	for k, v := range macroEnv(job, start) {
		vars[k] = v
	}
	for k, v := range job.Env {
		vars[k] = v
	}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	env := make([]string, len(names))
	for i, k := range names {
		env[i] = k + "=" + vars[k]
	}
	return env
}

// checkEnvVar reports why a job's environment variable cannot be passed to
// a process, or nil when it can.
func checkEnvVar(name, value string) error {
	switch {
	case name == "":
		return fmt.Errorf("environment variable with an empty name (value %q)", value)
	case strings.ContainsAny(name, "=\x00"):
		return fmt.Errorf("environment variable name %q contains '=' or a NUL byte", name)
	case strings.ContainsRune(value, 0):
		return fmt.Errorf("environment variable %s has a NUL byte in its value", name)
	}
	return nil
}
