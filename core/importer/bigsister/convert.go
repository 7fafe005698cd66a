// Package bigsister converts a Big Sister agent configuration into vakt HCL,
// for `vakt import bigsister`.
//
// Convert reads uxmon-net (every file named uxmon-net* and uxmon-asroot in
// a folder, or one file) with its DEFAULT, DESCR and include lines,
// continuation lines and comments, and bb_event_generator.cfg beside it. A
// line HOST[(REPORTED-AS)] [key=value ...] CHECK [key=value ...] CHECK ...
// gives one check per CHECK on the host REPORTED-AS (whose address is
// HOST); the arguments before a check are its own, after the DEFAULT
// arguments for ALL and for that check. Values may be quoted ("..." or
// '...'). frequency= (minutes) is the interval and item= the check's name.
// The checks:
//
//   - ping: the ping plugin.
//   - tcp: the tcp plugin; service= (a name such as smtp, or a number) or
//     port= is the port, and the check's name is the service.
//   - http: the http plugin; url= is the URL.
//   - procs: the procs plugin; proc= is the program, min= and max= the
//     count that is green (min defaults to 1).
//   - diskfree: the disk plugin; fs= the mount points (comma-separated),
//     yellow= and red= the used percent that warns and fails.
//   - load: the load plugin; yellow= and red= the load averages.
//   - memory: the memory plugin; yellow= and red= the used percent.
//   - command: a command check running exec= (split into arguments, or run
//     by /bin/sh when it needs a shell), time= seconds (default 5) the
//     timeout, and results=PATTERN:COLOUR:TEXT;... the result rules
//     (config results): a number matches the exit code, * anything,
//     timeout the timeout (timeout_state), other patterns the output.
//     Without results, exit 0 is green and anything else red.
//
// !CHECK negates a check: ping, tcp and procs run the equivalent Nagios
// plugin through monitoring-plugins' negate, and command swaps green and
// red. Other checks, other arguments and the alarm rules of
// bb_event_generator.cfg (mail, delay, down, up, {weekday ...}, {daytime
// ...}, @GROUP) become comments that say what they were and where; vakt has
// no notification routes or time periods in HCL yet.
package bigsister

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vakt/vakt/core/importer"
)

// NagiosPlugins is where the Nagios plugins of negated checks are.
const NagiosPlugins = "/usr/lib/nagios/plugins"

// EventFile is the alarm rules file read beside uxmon-net.
const EventFile = "bb_event_generator.cfg"

// Convert reads a Big Sister configuration: a folder (its uxmon-net* and
// uxmon-asroot files and bb_event_generator.cfg) or one uxmon-net file (and
// bb_event_generator.cfg beside it). It returns an error only when there is
// nothing to read; every other problem is in Result.Problems.
func Convert(path string) (*importer.Result, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading the Big Sister configuration: %w", err)
	}
	res := &importer.Result{}
	dir, files := path, []string(nil)
	if info.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("reading the Big Sister configuration: %w", err)
		}
		for _, e := range entries {
			if !e.IsDir() && (strings.HasPrefix(e.Name(), "uxmon-net") || e.Name() == "uxmon-asroot") {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s holds no uxmon-net file", path)
		}
	} else {
		dir, files = filepath.Dir(path), []string{path}
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("finding %s: %w", dir, err)
	}
	a := &agent{res: res, base: absDir, descr: map[string]*hostInfo{}, defaults: map[string]args{}, seen: map[string]bool{}}
	for _, f := range files {
		a.defaults = map[string]args{} // DEFAULT lines hold for their file
		a.readFile(f, a.display(f), 0)
	}
	c := &converter{a: a, res: res, names: map[string]map[string]bool{}}
	c.write()
	if data, err := os.ReadFile(filepath.Join(dir, EventFile)); err == nil {
		content := convertEvents(EventFile, data, res)
		res.Files = append(res.Files, importer.File{Name: "bb_event_generator.hcl", Content: content})
	} else if !os.IsNotExist(err) {
		res.Add(EventFile, 0, importer.Error, "reading it: %v", err)
	}
	res.SortProblems()
	return res, nil
}

type converter struct {
	a     *agent
	res   *importer.Result
	names map[string]map[string]bool // host -> check names used
}

// write produces one HCL file per uxmon-net file.
func (c *converter) write() {
	byFile := map[string]*strings.Builder{}
	for _, f := range c.a.files {
		b := &strings.Builder{}
		fmt.Fprintf(b, "# Converted by vakt import bigsister from %s.\n", f)
		byFile[f] = b
	}
	hostDone := map[string]bool{}
	for _, in := range c.a.instances {
		b := byFile[in.file]
		if in.skipped != "" {
			b.WriteString("\n")
			importer.Comment(b, "", fmt.Sprintf("%s:%d: not converted: %s\n  %s", in.file, in.line, in.skipped, in.text))
			continue
		}
		if !hostDone[in.reported] {
			hostDone[in.reported] = true
			c.writeHost(b, in)
		}
		b.WriteString("\n")
		c.writeCheck(b, in)
	}
	for _, f := range c.a.files {
		name := strings.ReplaceAll(f, "/", "_")
		c.res.Files = append(c.res.Files, importer.File{Name: name + ".hcl", Content: importer.Format([]byte(byFile[f].String()))})
	}
}

func (c *converter) writeHost(b *strings.Builder, in *instance) {
	b.WriteString("\n")
	fmt.Fprintf(b, "# host %q, %s:%d\n", in.reported, in.file, in.line)
	fmt.Fprintf(b, "host %s {\n", importer.Quote(in.reported))
	if in.host != in.reported {
		fmt.Fprintf(b, "  address = %s\n", importer.Quote(in.host))
	} else if in.host == "localhost" {
		b.WriteString("  address = \"127.0.0.1\"\n")
	}
	if d := c.a.descr[in.host]; d != nil || c.a.descr[in.reported] != nil {
		if d == nil {
			d = c.a.descr[in.reported]
		}
		tags := map[string]string{}
		for _, k := range d.args.keys() {
			tags[k], _ = d.args.get(k)
		}
		fmt.Fprintf(b, "  tags = %s # DESCR, %s:%d\n", importer.QuoteMap(tags), d.file, d.line)
	}
	b.WriteString("}\n")
}

// spec is what a check becomes.
type spec struct {
	name    string
	plugin  string
	config  []string // lines of the config block
	command []string
	shell   bool
	extra   []string // further attribute lines
	used    map[string]bool
	skip    string
	// failed: skip comes from an error already reported.
	failed bool
}

func (s *spec) use(keys ...string) {
	for _, k := range keys {
		s.used[k] = true
	}
}

func (c *converter) writeCheck(b *strings.Builder, in *instance) {
	s := &spec{name: in.check, used: map[string]bool{}}
	s.use("frequency", "item")
	if item, ok := in.args.get("item"); ok && item != "" {
		s.name = item
	}
	switch in.check {
	case "ping":
		c.ping(in, s)
	case "tcp":
		c.tcp(in, s)
	case "http":
		c.http(in, s)
	case "procs":
		c.procs(in, s)
	case "diskfree":
		c.diskfree(in, s)
	case "load":
		s.plugin = "load"
		c.levels(in, s, "warning", "critical")
		for i, l := range s.config {
			// One range for all three load averages.
			k, v, _ := strings.Cut(l, " = ")
			s.config[i] = k + " = [" + v + "]"
		}
	case "memory":
		s.plugin = "memory"
		c.levels(in, s, "warning", "critical")
	case "command":
		c.command(in, s)
	default:
		s.skip = fmt.Sprintf("vakt has no equivalent of Big Sister's %q check", in.check)
	}
	if in.negated && s.skip == "" && s.plugin != "" {
		s.skip = fmt.Sprintf("!%s: vakt cannot negate the %s check", in.check, in.check)
	}
	fmt.Fprintf(b, "# %s, %s:%d\n", in.text, in.file, in.line)
	if s.skip != "" {
		if !s.failed {
			c.res.Add(in.file, in.line, importer.Note, "%s%s on %s: %s; left as a comment", neg(in), in.check, in.reported, s.skip)
		}
		importer.Comment(b, "", "not converted: "+s.skip)
		return
	}
	if c.names[in.reported] == nil {
		c.names[in.reported] = map[string]bool{}
	}
	base := s.name
	for i := 2; c.names[in.reported][s.name]; i++ {
		s.name = fmt.Sprintf("%s-%d", base, i)
	}
	if s.name != base {
		c.res.Add(in.file, in.line, importer.Note, "host %s already has a check %q; this one is %q", in.reported, base, s.name)
	}
	c.names[in.reported][s.name] = true

	fmt.Fprintf(b, "check %s {\n", importer.Quote(s.name))
	fmt.Fprintf(b, "  host = %s\n", importer.Quote(in.reported))
	if s.plugin != "" {
		fmt.Fprintf(b, "  plugin = %s\n", importer.Quote(s.plugin))
	} else if s.shell {
		b.WriteString("  shell = true\n")
		fmt.Fprintf(b, "  command = %s\n", importer.Quote(s.command[0]))
	} else {
		fmt.Fprintf(b, "  command = %s\n", importer.QuoteList(s.command))
	}
	if f, ok := in.args.get("frequency"); ok {
		n, err := strconv.ParseFloat(f, 64)
		if err != nil || n <= 0 {
			c.res.Add(in.file, in.line, importer.Error, "frequency=%s is not a number of minutes; left out", f)
		} else {
			fmt.Fprintf(b, "  interval = %s\n", importer.Quote(importer.Duration(time.Duration(n*float64(time.Minute)))))
		}
	}
	for _, l := range s.extra {
		b.WriteString("  " + l + "\n")
	}
	for _, k := range in.args.keys() {
		if !s.used[k] {
			v, _ := in.args.get(k)
			importer.Comment(b, "  ", fmt.Sprintf("%s=%s: not converted: the %s check has no such setting in vakt", k, v, in.check))
			c.res.Add(in.file, in.line, importer.Note, "%s=%s of %s on %s has no vakt equivalent; left as a comment", k, v, in.check, in.reported)
		}
	}
	if len(s.config) > 0 {
		b.WriteString("  config {\n")
		for _, l := range s.config {
			b.WriteString("    " + l + "\n")
		}
		b.WriteString("  }\n")
	}
	b.WriteString("}\n")
}

func neg(in *instance) string {
	if in.negated {
		return "!"
	}
	return ""
}

// negate sets a negated check's command: the Nagios plugin under negate.
func negate(s *spec, argv ...string) {
	s.plugin, s.config = "", nil
	s.command = append([]string{NagiosPlugins + "/negate", NagiosPlugins + "/" + argv[0]}, argv[1:]...)
}

func (c *converter) ping(in *instance, s *spec) {
	s.plugin = "ping"
	s.use("proto")
	if in.negated {
		negate(s, "check_ping", "-H", importer.HostAddress, "-w", "3000,80%", "-c", "5000,100%")
	}
}

// servicePort is the port of a service name uxmon-net uses; 0 if unknown.
func servicePort(name string) int {
	switch name {
	case "ftp":
		return 21
	case "ssh":
		return 22
	case "telnet":
		return 23
	case "smtp":
		return 25
	case "domain", "dns":
		return 53
	case "http":
		return 80
	case "pop3":
		return 110
	case "nntp":
		return 119
	case "imap":
		return 143
	case "ldap":
		return 389
	case "https":
		return 443
	case "smtps":
		return 465
	case "submission":
		return 587
	case "ldaps":
		return 636
	case "imaps":
		return 993
	case "pop3s":
		return 995
	case "mysql":
		return 3306
	case "postgresql", "postgres":
		return 5432
	}
	return 0
}

func (c *converter) tcp(in *instance, s *spec) {
	s.plugin = "tcp"
	s.use("service", "port")
	svc, hasSvc := in.args.get("service")
	p, hasPort := in.args.get("port")
	port := 0
	switch {
	case hasPort:
		port, _ = strconv.Atoi(p)
	case hasSvc:
		if n, err := strconv.Atoi(svc); err == nil {
			port = n
		} else {
			port = servicePort(svc)
		}
	}
	if port < 1 || port > 65535 {
		c.res.Add(in.file, in.line, importer.Error, "tcp on %s: no port: service=%q port=%q (known services: ssh, smtp, http, ...)", in.reported, svc, p)
		s.skip, s.failed = "it names no port vakt knows", true
		return
	}
	if _, ok := in.args.get("item"); !ok {
		s.name = firstNonEmpty(svc, "tcp-"+strconv.Itoa(port))
	}
	s.config = []string{"port = " + strconv.Itoa(port)}
	if in.negated {
		negate(s, "check_tcp", "-H", importer.HostAddress, "-p", strconv.Itoa(port))
	}
}

func (c *converter) http(in *instance, s *spec) {
	s.plugin = "http"
	s.use("url")
	if u, ok := in.args.get("url"); ok {
		s.config = []string{"url = " + importer.Quote(u)}
	}
}

func (c *converter) procs(in *instance, s *spec) {
	s.plugin = "procs"
	s.use("proc", "min", "max")
	proc, ok := in.args.get("proc")
	if !ok || proc == "" {
		c.res.Add(in.file, in.line, importer.Error, "procs on %s needs proc=NAME", in.reported)
		s.skip, s.failed = "it names no process", true
		return
	}
	minV, hasMin := in.args.get("min")
	maxV, hasMax := in.args.get("max")
	if !hasMin {
		minV = "1"
	}
	for _, v := range []string{minV, maxV} {
		if _, err := strconv.Atoi(v); v != "" && err != nil {
			c.res.Add(in.file, in.line, importer.Error, "procs on %s: %q is not a count", in.reported, v)
			s.skip, s.failed = "its min or max is not a count", true
			return
		}
	}
	rng := minV + ":"
	if hasMax {
		rng += maxV
	}
	if _, ok := in.args.get("item"); !ok {
		s.name = "procs " + proc
	}
	if len(proc) <= 15 && !strings.Contains(proc, "/") {
		s.config = []string{"name = " + importer.Quote(proc)}
	} else {
		s.config = []string{"cmdline_regexp = " + importer.Quote(regexp.QuoteMeta(proc))}
	}
	s.config = append(s.config, "critical = "+importer.Quote(rng))
	if in.negated {
		negate(s, "check_procs", "-C", proc, "-c", rng)
	}
}

func (c *converter) diskfree(in *instance, s *spec) {
	s.plugin = "disk"
	s.use("fs")
	if fs, ok := in.args.get("fs"); ok {
		var mounts []string
		for _, m := range strings.Split(fs, ",") {
			if m = strings.TrimSpace(m); m != "" {
				mounts = append(mounts, m)
			}
		}
		s.config = append(s.config, "mounts = "+importer.QuoteList(mounts))
	}
	c.levels(in, s, "warning", "critical")
}

// levels maps yellow= and red= to the plugin's warning and critical.
func (c *converter) levels(in *instance, s *spec, warn, crit string) {
	s.use("yellow", "red")
	for _, x := range []struct{ colour, key string }{{"yellow", warn}, {"red", crit}} {
		v, ok := in.args.get(x.colour)
		if !ok {
			continue
		}
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			c.res.Add(in.file, in.line, importer.Error, "%s=%s of %s on %s is not a number; left out", x.colour, v, in.check, in.reported)
			continue
		}
		s.config = append(s.config, x.key+" = "+importer.Quote(v))
	}
}

// colourState is a Big Sister colour as a vakt state.
func colourState(colour string) (string, bool) {
	switch colour {
	case "green", "clear":
		return "ok", true
	case "yellow":
		return "warning", true
	case "red":
		return "critical", true
	case "purple":
		return "unknown", true
	}
	return "", false
}

// flip swaps green and red, for !command.
func flip(state string) string {
	switch state {
	case "ok":
		return "critical"
	case "critical":
		return "ok"
	}
	return state
}

func (c *converter) command(in *instance, s *spec) {
	s.use("exec", "time", "results")
	ex, ok := in.args.get("exec")
	if !ok || strings.TrimSpace(ex) == "" {
		c.res.Add(in.file, in.line, importer.Error, "command on %s needs exec=PROGRAM", in.reported)
		s.skip, s.failed = "it has no exec=", true
		return
	}
	words, needShell, err := splitWords(ex)
	switch {
	case err != nil:
		c.res.Add(in.file, in.line, importer.Error, "command on %s: exec=%q: %v", in.reported, ex, err)
		s.skip, s.failed = "its exec= does not parse", true
		return
	case needShell:
		s.command, s.shell = []string{ex}, true
	default:
		s.command = words
	}
	timeout := "5"
	if t, ok := in.args.get("time"); ok {
		timeout = t
	}
	secs, err := strconv.ParseFloat(timeout, 64)
	if err != nil || secs <= 0 {
		c.res.Add(in.file, in.line, importer.Error, "command on %s: time=%q is not a number of seconds; using 5", in.reported, timeout)
		secs = 5
	}
	s.extra = append(s.extra, "timeout = "+importer.Quote(importer.Duration(time.Duration(secs*float64(time.Second)))))

	results, hasResults := in.args.get("results")
	if !hasResults {
		results = "0:green;*:red"
	}
	var rules []string
	for _, r := range strings.Split(results, ";") {
		if strings.TrimSpace(r) == "" {
			continue
		}
		parts := strings.SplitN(r, ":", 3)
		if len(parts) < 2 {
			c.res.Add(in.file, in.line, importer.Error, "command on %s: result rule %q is not PATTERN:COLOUR[:TEXT]; left out", in.reported, r)
			continue
		}
		pattern, colour := parts[0], strings.ToLower(strings.TrimSpace(parts[1]))
		state, ok := colourState(colour)
		if !ok {
			c.res.Add(in.file, in.line, importer.Error, "command on %s: result rule %q: %q is not a colour (green, yellow, red, purple); left out", in.reported, r, colour)
			continue
		}
		if in.negated {
			state = flip(state)
		}
		var fields []string
		switch {
		case pattern == "*":
		case pattern == "timeout":
			s.extra = append(s.extra, "timeout_state = "+importer.Quote(state))
			continue
		case pattern == "failed":
			c.res.Add(in.file, in.line, importer.Note, "command on %s: rule %q: a program vakt cannot start is CRITICAL, whatever the rule says", in.reported, r)
			continue
		default:
			if n, err := strconv.Atoi(pattern); err == nil && n >= 0 && n <= 255 {
				fields = append(fields, "exit_code = "+strconv.Itoa(n))
				break
			}
			if _, err := regexp.Compile(pattern); err != nil {
				c.res.Add(in.file, in.line, importer.Note, "command on %s: pattern %q is not a Go regular expression (%v); matched as plain text", in.reported, pattern, err)
				pattern = regexp.QuoteMeta(pattern)
			}
			fields = append(fields, "output = "+importer.Quote(pattern))
		}
		fields = append(fields, "state = "+importer.Quote(state))
		if len(parts) == 3 && parts[2] != "" {
			fields = append(fields, "text = "+importer.Quote(parts[2]))
		}
		rules = append(rules, "{ "+strings.Join(fields, ", ")+" },")
	}
	if len(rules) > 0 {
		s.extra = append(s.extra, "results = [")
		for _, r := range rules {
			s.extra = append(s.extra, "  "+r)
		}
		s.extra = append(s.extra, "]")
	}
}

// splitWords splits a command line as /bin/sh would when it needs no
// shell; needShell is true when it does (pipes, redirections, $, globs).
func splitWords(line string) (words []string, needShell bool, err error) {
	var cur strings.Builder
	in := false
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case ch == ' ' || ch == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case ch == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, false, fmt.Errorf("unterminated ' quote")
			}
			cur.WriteString(line[i+1 : i+1+end])
			i += end + 1
			in = true
		case ch == '"':
			end := strings.IndexByte(line[i+1:], '"')
			if end < 0 {
				return nil, false, fmt.Errorf("unterminated \" quote")
			}
			inner := line[i+1 : i+1+end]
			if strings.ContainsAny(inner, "$`\\") {
				return nil, true, nil
			}
			cur.WriteString(inner)
			i += end + 1
			in = true
		case strings.IndexByte("|&;<>()`$*?[\\#~", ch) >= 0:
			return nil, true, nil
		default:
			cur.WriteByte(ch)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, false, nil
}
