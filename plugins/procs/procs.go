// Package procs is vakt's built-in process check plugin: "is the program
// running". It counts the processes in /proc that match a name, a command
// line regexp and a user, and compares the count with Nagios ranges, as
// check_procs -w/-c does (critical = "1:" means at least one). See
// README.md.
package procs

import (
	"context"
	_ "embed" // for the sample configuration
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/configcache"
	"github.com/vakt/vakt/plugins/internal/configcheck"
	"github.com/vakt/vakt/plugins/sdk"
)

//go:embed sample.hcl
var sampleConfig string

// commLen is how much of a program's name the kernel keeps as its comm
// (TASK_COMM_LEN less the NUL).
const commLen = 15

// Plugin is the procs check plugin.
type Plugin struct {
	procDir  string                      // where proc(5) is mounted
	selfPID  int                         // the plugin's own process, never counted
	settings configcache.Cache[settings] // parsed configs by id
}

// New returns the procs plugin, reading the real /proc.
func New() sdk.Checker { return &Plugin{procDir: "/proc", selfPID: os.Getpid()} }

// SampleConfig returns a check file with the plugin's configuration: every
// attribute, commented out, at its default or with an example value.
func SampleConfig() string { return sampleConfig }

// Info describes the plugin and its configuration.
func (p *Plugin) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name:        "procs",
		Version:     "1.0.0",
		Description: "Counts the processes matching a name, a command line regexp and a user.",
		Schema: sdk.Schema{
			{Name: "name", Type: sdk.TypeString,
				Description: "the program's name as the kernel has it (comm, the first 15 characters), e.g. \"sshd\""},
			{Name: "cmdline_regexp", Type: sdk.TypeString,
				Description: "a regular expression (RE2) searched in the command line, arguments joined by spaces"},
			{Name: "user", Type: sdk.TypeString,
				Description: "the user the processes run as (effective uid): a name or a number"},
			{Name: "all", Type: sdk.TypeBool, Default: false,
				Description: "count every process; instead of name, cmdline_regexp and user"},
			{Name: "warning", Type: sdk.TypeString,
				Description: "range for the count; WARNING outside it"},
			{Name: "critical", Type: sdk.TypeString,
				Description: "range for the count; CRITICAL outside it, e.g. \"1:\" for at least one"},
		},
	}, nil
}

// settings is one configuration, parsed.
type settings struct {
	name    string // "" for any
	cmdline *regexp.Regexp
	user    string // "" for any
	warn    *check.Range
	crit    *check.Range
}

// parseSettings reads validated Values, reporting every problem.
func parseSettings(v sdk.Values) (settings, error) {
	var p configcheck.Problems
	var s settings
	selectors := 0
	if name, set := v["name"].(string); set {
		selectors++
		if name == "" {
			p.Add("name", `empty; give the program's name, e.g. "sshd"`)
		}
		s.name = name
	}
	if expr, set := v["cmdline_regexp"].(string); set {
		selectors++
		re, err := regexp.Compile(expr)
		switch {
		case expr == "":
			p.Add("cmdline_regexp", "empty; give a regular expression the command line must match")
		case err != nil:
			p.Add("cmdline_regexp", "%v", err)
		}
		s.cmdline = re
	}
	if u, set := v["user"].(string); set {
		selectors++
		if u == "" {
			p.Add("user", "empty; give a user name or a uid")
		}
		s.user = u
	}
	switch all := v.Bool("all"); {
	case all && selectors > 0:
		p.Add("all", "all = true counts every process; it cannot be combined with name, cmdline_regexp or user")
	case !all && selectors == 0:
		p.Add("", "choose the processes to count: set name, cmdline_regexp or user, or all = true to count every process")
	}
	s.warn = p.SetRange(v, "warning")
	s.crit = p.SetRange(v, "critical")
	if err := p.ErrByAttribute(); err != nil {
		return settings{}, err
	}
	return s, nil
}

// Configure checks the selection and the ranges. A user name is looked up
// when the check runs, not here: the user may not exist yet where the
// configuration is validated.
func (p *Plugin) Configure(_ context.Context, cfg sdk.Config) error {
	_, err := p.settings.Configure(cfg, parseSettings)
	return err
}

// Check counts the matching processes.
func (p *Plugin) Check(ctx context.Context, req sdk.Request) (check.Result, error) {
	s, err := p.settings.Get(req.Config, parseSettings)
	if err != nil {
		return check.Result{}, fmt.Errorf("reading the config: %w", err)
	}
	uid := -1
	if s.user != "" {
		if uid, err = lookupUID(s.user); err != nil {
			return unknown(err), nil
		}
	}
	count, err := p.count(ctx, s, uid)
	if err != nil {
		return unknown(err), nil
	}

	state := check.Evaluate(float64(count), s.warn, s.crit)
	noun := "processes"
	if count == 1 {
		noun = "process"
	}
	output := fmt.Sprintf("PROCS %s - %d %s", state, count, noun)
	if what := s.describe(); what != "" {
		output += " with " + what
	}
	var long string
	if state != check.OK {
		rg := s.warn
		if state == check.Critical {
			rg = s.crit
		}
		long = fmt.Sprintf("process count %d is %s (range %s)", count, state, rg)
	}
	zero := 0.0
	return check.Result{
		State:    state,
		Output:   output,
		Long:     long,
		Perfdata: []check.Perf{{Label: "procs", Value: float64(count), Warn: s.warn, Crit: s.crit, Min: &zero}},
	}, nil
}

func unknown(err error) check.Result {
	return check.Result{State: check.Unknown, Output: "PROCS UNKNOWN - " + err.Error()}
}

// describe says which processes were counted, for the output.
func (s settings) describe() string {
	var parts []string
	if s.name != "" {
		parts = append(parts, fmt.Sprintf("name %q", s.name))
	}
	if s.cmdline != nil {
		parts = append(parts, fmt.Sprintf("command line matching %q", s.cmdline))
	}
	if s.user != "" {
		parts = append(parts, "user "+s.user)
	}
	return strings.Join(parts, ", ")
}

// lookupUID turns a user name or number into a uid.
func lookupUID(name string) (int, error) {
	if uid, err := strconv.Atoi(name); err == nil && uid >= 0 {
		return uid, nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return 0, fmt.Errorf("looking up user %q: %w", name, err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return 0, fmt.Errorf("looking up user %q: uid %q is not a number", name, u.Uid)
	}
	return uid, nil
}

// count scans the process directories of /proc. A process that exits
// while it is being read is not counted and is no error; a file of a live
// process that cannot be read is.
func (p *Plugin) count(ctx context.Context, s settings, uid int) (int, error) {
	entries, err := os.ReadDir(p.procDir)
	if err != nil {
		return 0, fmt.Errorf("listing processes: %w", err)
	}
	count := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 || pid == p.selfPID {
			continue
		}
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("listing processes: %w", err)
		}
		match, err := p.matches(filepath.Join(p.procDir, e.Name()), s, uid)
		switch {
		case errors.Is(err, errVanished):
		case err != nil:
			return 0, err
		case match:
			count++
		}
	}
	return count, nil
}

// errVanished means a process exited while it was being read.
var errVanished = errors.New("the process exited")

// matches reports whether the process in dir is counted. Zombies (state Z)
// and dead processes (X) are not: they have exited.
func (p *Plugin) matches(dir string, s settings, uid int) (bool, error) {
	comm, state, err := readStat(filepath.Join(dir, "stat"))
	if err != nil {
		return false, err
	}
	if state == 'Z' || state == 'X' || (s.name != "" && comm != commOf(s.name)) {
		return false, nil
	}
	if uid >= 0 {
		euid, err := readEUID(filepath.Join(dir, "status"))
		if err != nil || euid != uid {
			return false, err
		}
	}
	if s.cmdline != nil {
		line, err := readCmdline(filepath.Join(dir, "cmdline"), comm)
		if err != nil || !s.cmdline.MatchString(line) {
			return false, err
		}
	}
	return true, nil
}

// commOf is the comm the kernel keeps for a program called name.
func commOf(name string) string {
	if len(name) > commLen {
		return name[:commLen]
	}
	return name
}

// readProcFile reads a file of a process, telling a process that exited
// (the file is gone, the read says ESRCH, or it is empty) by errVanished.
func readProcFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH):
		return nil, errVanished
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return data, nil
}

// readStat reads the name and state from /proc/PID/stat:
// "1234 (name) S 1 ...". The name may hold spaces and parentheses, so it
// ends at the last ")".
func readStat(path string) (comm string, state byte, err error) {
	data, err := readProcFile(path)
	if err != nil {
		return "", 0, err
	}
	text := strings.TrimSpace(string(data))
	if text == "" {
		return "", 0, errVanished
	}
	open, end := strings.IndexByte(text, '('), strings.LastIndexByte(text, ')')
	if open < 0 || end < open || len(text) < end+3 || text[end+1] != ' ' {
		return "", 0, fmt.Errorf("reading %s: %q does not start with \"PID (name) STATE\"", path, cut(text))
	}
	return text[open+1 : end], text[end+2], nil
}

// readEUID reads the effective uid from the Uid line of /proc/PID/status:
// "Uid:	1000	1000	1000	1000" (real, effective, saved, filesystem).
func readEUID(path string) (int, error) {
	data, err := readProcFile(path)
	if err != nil {
		return 0, err
	}
	if len(data) == 0 {
		return 0, errVanished
	}
	for _, line := range strings.Split(string(data), "\n") {
		rest, ok := strings.CutPrefix(line, "Uid:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) < 2 {
			return 0, fmt.Errorf("reading %s: Uid line %q has no effective uid", path, line)
		}
		uid, err := strconv.Atoi(fields[1])
		if err != nil || uid < 0 {
			return 0, fmt.Errorf("reading %s: effective uid %q is not a number", path, fields[1])
		}
		return uid, nil
	}
	return 0, fmt.Errorf("reading %s: no Uid line", path)
}

// readCmdline reads /proc/PID/cmdline, its arguments joined by spaces. A
// kernel thread has none; like ps, it is shown as its name in brackets.
func readCmdline(path, comm string) (string, error) {
	data, err := readProcFile(path)
	if err != nil {
		return "", err
	}
	line := strings.TrimRight(strings.ReplaceAll(string(data), "\x00", " "), " ")
	if line == "" {
		return "[" + comm + "]", nil
	}
	return line, nil
}

// cut shortens file content quoted in an error.
func cut(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
