// Package nagios converts a Nagios Core (or Naemon, or Icinga 1) object
// configuration into vakt HCL, for `vakt import nagios`.
//
// Convert reads nagios.cfg and what it names (cfg_file, cfg_dir,
// resource_file, interval_length, the check timeouts), applies templates
// (use with several templates, first wins; register 0; "+" additive values;
// null) and writes one HCL file per object file:
//
//   - a host becomes a host block (address, the first of its parents, its
//     host groups as tags "hostgroup:NAME" = "true", alias and custom
//     variables as tags), and its check_command a check named "host"
//     tagged host_alive = "true", which vakt's parents use;
//   - a service becomes a check: on one host (host), several (hosts), or a
//     host group (host_tags), with *, exclusions (!name) and duplicates
//     resolved as Nagios does;
//   - a host or service template becomes a vakt template ("host:NAME" for
//     host templates) holding the intervals and attempts, so the output
//     stays about as short as the input; a second and later template of
//     use are folded into the template or check that uses them;
//   - check_command becomes the command, with $ARGn$, $USERn$, $HOSTADDRESS$,
//     $HOSTNAME$, $HOSTALIAS$, $SERVICEDESC$, custom variables ($_HOSTX$,
//     $_SERVICEX$) and $$ substituted, and split into an argument list
//     unless it needs a shell (then shell = true);
//   - intervals are counted in interval_length seconds.
//
// Contacts, notification settings, time periods, escalations, dependencies
// and every directive without a vakt equivalent become comments saying what
// they were and where (file:line), and are listed as problems.
package nagios

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/core/importer"
)

// HostCheckName is the name of the check made of a host's check_command.
const HostCheckName = "host"

// HostgroupTag returns the tag key a host in the host group carries.
func HostgroupTag(group string) string { return "hostgroup:" + group }

// Convert reads the Nagios configuration whose main file is mainPath. It
// returns an error only when the main file cannot be read; every other
// problem is in Result.Problems.
func Convert(mainPath string) (*importer.Result, error) {
	res := &importer.Result{}
	src, err := readMain(mainPath, res)
	if err != nil {
		return nil, err
	}
	c := &converter{
		src: src, res: res, ix: newIndex(src.objects, res),
		hostByName: map[string]*object{}, groups: map[string][]string{},
		commands: map[string]*object{}, hostVars: map[string]bool{},
		taken: map[string]map[string]*object{}, plans: map[*object]*plan{},
		commandUses: map[*object]int{},
	}
	c.run()
	res.SortProblems()
	return res, nil
}

type converter struct {
	src *source
	res *importer.Result
	ix  *index

	hosts       []*object // registered hosts in order
	hostByName  map[string]*object
	groups      map[string][]string // host group -> member host names, in order
	hostGroups  map[string][]string // host -> its host groups, by name
	groupDefs   map[string]*object
	commands    map[string]*object
	commandUses map[*object]int

	hostVars  map[string]bool // host custom variables some command uses
	needAlias bool

	// taken records, per host, the service that has each description.
	taken map[string]map[string]*object
	plans map[*object]*plan
}

// plan is what a service or a host check becomes, decided before any text
// is written (the hosts' tags depend on the commands).
type plan struct {
	hosts    []string // target hosts
	hostTags string   // a single host group, when host_tags fits
	argv     []string
	shell    bool
	skip     string // why the check is left as a comment; "" if not
	line     string // the command line after macros, with host placeholders
}

func (c *converter) run() {
	c.plan()
	c.write()
}

// plan reads the objects and decides every check.
func (c *converter) plan() {
	objs := c.src.objects
	for _, o := range objs {
		c.ix.resolve(o)
	}
	c.groupDefs = map[string]*object{}
	for _, o := range objs {
		if !o.register {
			continue
		}
		switch o.typ {
		case "command":
			name := value(o.own, "command_name")
			if name == "" {
				c.res.Add(o.file, o.line, importer.Error, "command without command_name; skipped")
				continue
			}
			if prev := c.commands[name]; prev != nil {
				c.res.Add(o.file, o.line, importer.Error, "command %q is defined twice (also at %s:%d); the first one counts", name, prev.file, prev.line)
				continue
			}
			c.commands[name] = o
		case "host":
			name := value(o.resolved, "host_name")
			if name == "" {
				c.res.Add(o.file, o.line, importer.Error, "host without host_name; skipped")
				o.register = false
				continue
			}
			if prev := c.hostByName[name]; prev != nil {
				c.res.Add(o.file, o.line, importer.Error, "host %q is defined twice (also at %s:%d); the first one counts", name, prev.file, prev.line)
				o.register = false
				continue
			}
			c.hostByName[name] = o
			c.hosts = append(c.hosts, o)
		case "hostgroup":
			if name := value(o.resolved, "hostgroup_name"); name != "" {
				c.groupDefs[name] = o
			}
		}
	}
	c.buildGroups()
	// Services by host_name alone come first: they win over services on
	// host groups, as in Nagios.
	var services []*object
	for _, o := range objs {
		if o.typ == "service" && o.register {
			services = append(services, o)
		}
	}
	sort.SliceStable(services, func(i, j int) bool {
		return explicitOnly(services[i]) && !explicitOnly(services[j])
	})
	for _, o := range services {
		c.planService(o)
	}
	for _, h := range c.hosts {
		c.planHostCheck(h)
	}
}

// Commands returns what Nagios itself would run for each check it
// converts, by check ID (host/name, as vakt names it): the command line
// with every macro substituted for that host, as Nagios hands it to
// /bin/sh -c. It is the reference of the round-trip test: the same
// plugins, run the way the source system runs them.
func Commands(mainPath string) (map[string]string, error) {
	res := &importer.Result{}
	src, err := readMain(mainPath, res)
	if err != nil {
		return nil, err
	}
	c := &converter{
		src: src, res: res, ix: newIndex(src.objects, res),
		hostByName: map[string]*object{}, groups: map[string][]string{},
		commands: map[string]*object{}, hostVars: map[string]bool{},
		taken: map[string]map[string]*object{}, plans: map[*object]*plan{},
		commandUses: map[*object]int{},
	}
	c.plan()
	out := map[string]string{}
	for o, p := range c.plans {
		if p.skip != "" {
			continue
		}
		for _, h := range p.hosts {
			name := c.hostCheckName(h)
			if o.typ == "service" {
				name = value(o.resolved, "service_description")
			}
			host := c.hostByName[h]
			addr := value(host.resolved, "address")
			if addr == "" {
				addr = h
			}
			alias := value(host.resolved, "alias")
			if alias == "" {
				alias = h
			}
			line := strings.NewReplacer(importer.HostAddress, addr, importer.HostName, h, importer.HostTag("alias"), alias).Replace(p.line)
			for k, d := range host.resolved {
				if strings.HasPrefix(k, "_") {
					line = strings.ReplaceAll(line, importer.HostTag(strings.ToUpper(k)), d.value)
				}
			}
			// custom variables the host does not have are empty
			line = regexp.MustCompile("\uE000tag:[^\uE001]*\uE001").ReplaceAllString(line, "")
			out[h+"/"+name] = line
		}
	}
	return out, nil
}

// hostCheckName is the name of a host's check: HostCheckName, or "host
// check" when a service of the host is named so.
func (c *converter) hostCheckName(host string) string {
	if c.taken[host][HostCheckName] != nil {
		return HostCheckName + " check"
	}
	return HostCheckName
}

// explicitOnly reports whether a service names its hosts by host_name only.
func explicitOnly(o *object) bool {
	return value(o.resolved, "hostgroup_name") == "" && !strings.ContainsAny(value(o.resolved, "host_name"), "*!")
}

// buildGroups computes the members of each host group: members,
// hostgroup_members (nested) and the hosts' hostgroups.
func (c *converter) buildGroups() {
	direct := map[string][]string{}
	in := map[string]map[string]bool{}
	add := func(group, host string) {
		if in[group] == nil {
			in[group] = map[string]bool{}
		}
		if !in[group][host] {
			in[group][host] = true
			direct[group] = append(direct[group], host)
		}
	}
	var names []string
	for name := range c.groupDefs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		g := c.groupDefs[name]
		d := g.resolved["members"]
		var excluded []string
		for _, m := range splitList(value(g.resolved, "members")) {
			switch {
			case strings.HasPrefix(m, "!") && c.hostByName[m[1:]] != nil:
				excluded = append(excluded, m[1:])
			case m == "*":
				for _, h := range c.hosts {
					add(name, value(h.resolved, "host_name"))
				}
			case c.hostByName[m] != nil:
				add(name, m)
			default:
				c.res.Add(g.file, d.line, importer.Error, "host group %q lists unknown host %q", name, strings.TrimPrefix(m, "!"))
			}
		}
		for _, h := range excluded {
			if in[name][h] {
				delete(in[name], h)
				direct[name] = slices.DeleteFunc(direct[name], func(x string) bool { return x == h })
			}
		}
	}
	for _, h := range c.hosts {
		for _, g := range splitList(value(h.resolved, "hostgroups")) {
			if c.groupDefs[g] == nil {
				c.res.Add(h.file, h.resolved["hostgroups"].line, importer.Error, "host %q names unknown host group %q", value(h.resolved, "host_name"), g)
				continue
			}
			add(g, value(h.resolved, "host_name"))
		}
	}
	subs := map[string][]string{}
	for _, name := range names {
		g := c.groupDefs[name]
		for _, sub := range splitList(value(g.resolved, "hostgroup_members")) {
			if c.groupDefs[sub] == nil {
				c.res.Add(g.file, g.resolved["hostgroup_members"].line, importer.Error, "host group %q names unknown host group %q", name, sub)
				continue
			}
			subs[name] = append(subs[name], sub)
		}
	}
	// A group's members are its own, then those of its member groups,
	// depth first; a cycle of groups ends where it began.
	var expand func(name string, seen map[string]bool, out *[]string, has map[string]bool)
	expand = func(name string, seen map[string]bool, out *[]string, has map[string]bool) {
		if seen[name] {
			return
		}
		seen[name] = true
		for _, h := range direct[name] {
			if !has[h] {
				has[h] = true
				*out = append(*out, h)
			}
		}
		for _, sub := range subs[name] {
			expand(sub, seen, out, has)
		}
	}
	c.hostGroups = map[string][]string{}
	for _, name := range names {
		var members []string
		expand(name, map[string]bool{}, &members, map[string]bool{})
		c.groups[name] = members
		for _, h := range members {
			c.hostGroups[h] = append(c.hostGroups[h], name)
		}
	}
}

// targets returns the hosts a service applies to, in order: host_name
// items, then host group members; * is every host, !NAME excludes.
func (c *converter) targets(o *object) []string {
	var hosts, excluded []string
	addHost := func(h string) {
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	if d := o.resolved["host_name"]; d != nil && d.value != "null" {
		for _, item := range splitList(d.value) {
			neg := strings.HasPrefix(item, "!")
			item = strings.TrimPrefix(item, "!")
			var list []string
			switch {
			case item == "*":
				for _, h := range c.hosts {
					list = append(list, value(h.resolved, "host_name"))
				}
			case c.hostByName[item] != nil:
				list = []string{item}
			default:
				c.res.Add(o.file, d.line, importer.Error, "service %q names unknown host %q", value(o.resolved, "service_description"), item)
			}
			for _, h := range list {
				if neg {
					excluded = append(excluded, h)
				} else {
					addHost(h)
				}
			}
		}
	}
	if d := o.resolved["hostgroup_name"]; d != nil && d.value != "null" {
		for _, item := range splitList(d.value) {
			neg := strings.HasPrefix(item, "!")
			item = strings.TrimPrefix(item, "!")
			var list []string
			switch {
			case item == "*":
				for _, h := range c.hosts {
					list = append(list, value(h.resolved, "host_name"))
				}
			case c.groupDefs[item] != nil:
				list = c.groups[item]
			default:
				c.res.Add(o.file, d.line, importer.Error, "service %q names unknown host group %q", value(o.resolved, "service_description"), item)
			}
			for _, h := range list {
				if neg {
					excluded = append(excluded, h)
				} else {
					addHost(h)
				}
			}
		}
	}
	return slices.DeleteFunc(hosts, func(h string) bool { return slices.Contains(excluded, h) })
}

// planService decides the hosts and the command of a service.
func (c *converter) planService(o *object) {
	p := &plan{}
	c.plans[o] = p
	desc := value(o.resolved, "service_description")
	if desc == "" {
		c.res.Add(o.file, o.line, importer.Error, "service without service_description; left as a comment")
		p.skip = "it has no service_description"
		return
	}
	all := c.targets(o)
	for _, h := range all {
		if prev := c.taken[h][desc]; prev != nil {
			c.res.Add(o.file, o.line, importer.Note, "service %q on host %q is also defined at %s:%d, which wins; not converted for this host", desc, h, prev.file, prev.line)
			continue
		}
		if c.taken[h] == nil {
			c.taken[h] = map[string]*object{}
		}
		c.taken[h][desc] = o
		p.hosts = append(p.hosts, h)
	}
	if len(p.hosts) == 0 {
		if len(all) == 0 {
			c.res.Add(o.file, o.line, importer.Error, "service %q applies to no host; left as a comment", desc)
		}
		p.skip = "it applies to no host"
		return
	}
	if value(o.resolved, "host_name") == "" {
		groups := splitList(value(o.resolved, "hostgroup_name"))
		if len(groups) == 1 && !strings.ContainsAny(groups[0], "*!") && slices.Equal(p.hosts, c.groups[groups[0]]) {
			p.hostTags = groups[0]
		}
	}
	if value(o.resolved, "active_checks_enabled") == "0" {
		d := o.resolved["active_checks_enabled"]
		c.res.Add(o.file, d.line, importer.Note, "service %q has active_checks_enabled 0 (set at line %d): vakt has no passive-only checks in HCL yet; left as a comment", desc, d.line)
		p.skip = "active_checks_enabled is 0: Nagios only accepts passive results for it"
		return
	}
	vars := map[string]string{}
	for k, d := range o.resolved {
		if strings.HasPrefix(k, "_") {
			vars[strings.ToUpper(k[1:])] = d.value
		}
	}
	c.planCommand(o, p, desc, vars)
}

// planHostCheck decides the command of a host's check.
func (c *converter) planHostCheck(h *object) {
	if value(h.resolved, "check_command") == "" {
		return
	}
	p := &plan{hosts: []string{value(h.resolved, "host_name")}}
	c.plans[h] = p
	c.planCommand(h, p, "", nil)
}

// planCommand expands the object's check_command.
func (c *converter) planCommand(o *object, p *plan, service string, vars map[string]string) {
	d := o.resolved["check_command"]
	if d == nil || d.value == "null" || d.value == "" {
		c.res.Add(o.file, o.line, importer.Error, "service %q has no check_command; left as a comment", service)
		p.skip = "it has no check_command"
		return
	}
	name, args := splitCheckCommand(d.value)
	cmd := c.commands[name]
	if cmd == nil {
		c.res.Add(o.file, d.line, importer.Error, "check_command names unknown command %q; left as a comment", name)
		p.skip = fmt.Sprintf("its command %q is not defined", name)
		return
	}
	c.commandUses[cmd]++
	line := value(cmd.own, "command_line")
	ctx := macroContext{
		users: c.src.users, service: service, svcVars: vars,
		hostVar: func(v string) { c.hostVars[v] = true },
		alias:   func() { c.needAlias = true },
	}
	expanded, unknown := expandMacros(line, args, ctx)
	for _, m := range unknown {
		c.res.Add(o.file, d.line, importer.Note, "macro %s of command %q has no vakt equivalent; left as written", m, name)
	}
	words, needShell, err := splitWords(expanded)
	expanded = restoreMacros(expanded)
	p.line = strings.TrimSpace(expanded)
	for i := range words {
		words[i] = restoreMacros(words[i])
	}
	switch {
	case err != nil:
		c.res.Add(cmd.file, cmd.own["command_line"].line, importer.Error, "command %q: %v; left as a comment", name, err)
		p.skip = fmt.Sprintf("its command %q does not parse: %v", name, err)
	case needShell:
		p.argv, p.shell = []string{strings.TrimSpace(expanded)}, true
	case len(words) == 0:
		c.res.Add(cmd.file, cmd.own["command_line"].line, importer.Error, "command %q has an empty command_line; left as a comment", name)
		p.skip = fmt.Sprintf("its command %q is empty", name)
	default:
		p.argv = words
	}
}

// write produces the output files, one per object file.
func (c *converter) write() {
	byFile := map[string]*strings.Builder{}
	for _, f := range c.src.files {
		b := &strings.Builder{}
		fmt.Fprintf(b, "# Converted by vakt import nagios from %s.\n", f)
		byFile[f] = b
	}
	for _, o := range c.src.objects {
		b := byFile[o.file]
		b.WriteString("\n")
		c.writeObject(b, o)
	}
	main := &strings.Builder{}
	fmt.Fprintf(main, "# Converted by vakt import nagios from %s.\n", c.src.mainFile)
	c.writeDefaults(main)
	c.res.Files = append(c.res.Files, importer.File{Name: "nagios.hcl", Content: importer.Format([]byte(main.String()))})
	for _, f := range c.src.files {
		c.res.Files = append(c.res.Files, importer.File{Name: outName(f), Content: importer.Format([]byte(byFile[f].String()))})
	}
}

// outName is the output file of an object file: the same path with .hcl;
// absolute paths outside nagios.cfg's folder go under external/.
func outName(f string) string {
	f = strings.TrimSuffix(f, ".cfg") + ".hcl"
	if strings.HasPrefix(f, "/") {
		return "external" + path.Clean(f)
	}
	return f
}

// writeDefaults writes the main file's check timeouts as a defaults block.
func (c *converter) writeDefaults(b *strings.Builder) {
	var lines []string
	if v, ok := c.src.settings["service_check_timeout"]; ok {
		if n, err := strconv.Atoi(v); err == nil && n > 0 && time.Duration(n)*time.Second != config.DefaultTimeout {
			lines = append(lines, "  timeout = "+importer.Quote(importer.Duration(time.Duration(n)*time.Second))+"  # service_check_timeout, "+c.src.mainFile+":"+c.src.settings["service_check_timeout@line"])
		}
	}
	if v, ok := c.src.settings["service_check_timeout_state"]; ok {
		states := map[string]string{"o": "ok", "w": "warning", "c": "critical", "u": "unknown"}
		if s, ok := states[v]; ok && s != "critical" {
			lines = append(lines, "  timeout_state = "+importer.Quote(s)+"  # service_check_timeout_state, "+c.src.mainFile+":"+c.src.settings["service_check_timeout_state@line"])
		}
	}
	if len(lines) == 0 {
		b.WriteString("# The check timeouts of " + c.src.mainFile + " are vakt's defaults.\n")
		return
	}
	b.WriteString("\ndefaults {\n" + strings.Join(lines, "\n") + "\n}\n")
}

// hostTimeout is host_check_timeout when it differs from the services'
// timeout, for the host checks; "" otherwise.
func (c *converter) hostTimeout() string {
	svc := 60
	if v, err := strconv.Atoi(c.src.settings["service_check_timeout"]); err == nil && v > 0 {
		svc = v
	}
	host := 30 // Nagios' default host_check_timeout
	if v, err := strconv.Atoi(c.src.settings["host_check_timeout"]); err == nil && v > 0 {
		host = v
	}
	if host == svc {
		return ""
	}
	return importer.Duration(time.Duration(host) * time.Second)
}

func (c *converter) writeObject(b *strings.Builder, o *object) {
	switch {
	case o.unterminated:
		c.writeRaw(b, o, "the define is not terminated (no })")
	case !knownType(o.typ):
		c.writeRaw(b, o, "unknown object type")
	case o.typ == "command":
		c.writeCommand(b, o)
	case (o.typ == "host" || o.typ == "service") && (o.name != "" || o.register):
		if o.name != "" && c.ix.templates[o.typ][o.name] == o {
			c.writeTemplate(b, o)
		}
		if o.register && o.typ == "host" && c.hostByName[value(o.resolved, "host_name")] == o {
			c.writeHost(b, o)
		}
		if o.register && o.typ == "service" {
			c.writeService(b, o)
		}
		if !o.register && o.name == "" {
			c.writeRaw(b, o, "it has register 0 and no name, so nothing can use it")
		}
	case o.typ == "hostgroup" && o.register:
		name := value(o.resolved, "hostgroup_name")
		fmt.Fprintf(b, "# hostgroup %q (%s:%d) became the tag %q = \"true\" on its %d hosts.\n", name, o.file, o.line, HostgroupTag(name), len(c.groups[name]))
		c.writeLeftovers(b, "", o, o.own, "hostgroup_name", "members", "hostgroup_members", "alias")
	default:
		c.writeRaw(b, o, whyNot(o.typ))
		c.res.Add(o.file, o.line, importer.Note, "define %s %q left as a comment: %s", o.typ, label(o), whyNot(o.typ))
	}
}

// whyNot says why a kind of object has no vakt equivalent.
func whyNot(typ string) string {
	switch typ {
	case "contact", "contactgroup":
		return "vakt has no contacts in HCL yet (the notification issue adds them)"
	case "timeperiod":
		return "vakt has no time periods in HCL yet (the notification issue adds them)"
	case "serviceescalation", "hostescalation":
		return "vakt has no escalations in HCL yet (the notification issue adds them)"
	case "servicedependency", "hostdependency":
		return "vakt has dependencies only through host parents"
	case "servicegroup":
		return "service groups are tags \"servicegroup:NAME\" on the checks that name them in servicegroups; members lists are not converted"
	case "hostgroup", "host", "service":
		return "it is a template (register 0) nothing can refer to"
	case "hostextinfo", "serviceextinfo":
		return "display information only"
	}
	return "unknown object type"
}

// writeRaw writes a define as a comment, with where it was.
func (c *converter) writeRaw(b *strings.Builder, o *object, why string) {
	importer.Comment(b, "", fmt.Sprintf("%s:%d: not converted: %s", o.file, o.line, why))
	for _, l := range o.raw {
		importer.Comment(b, "", "  "+strings.TrimRight(l, " \t"))
	}
}

func (c *converter) writeCommand(b *strings.Builder, o *object) {
	name := value(o.own, "command_name")
	uses := "not used by any converted check"
	if n := c.commandUses[c.commands[name]]; n > 0 && c.commands[name] == o {
		uses = fmt.Sprintf("inlined into %d check(s)", n)
	}
	importer.Comment(b, "", fmt.Sprintf("command %q (%s:%d), %s:\n  %s", name, o.file, o.line, uses, value(o.own, "command_line")))
}

// isConverted reports whether a directive of a host or service turns into
// HCL; the others become comments.
func isConverted(typ, key string) bool {
	switch key {
	case "host_name", "check_command", "check_interval", "retry_interval", "max_check_attempts", "active_checks_enabled":
		return true
	case "alias", "address", "parents", "hostgroups":
		return typ == "host"
	case "service_description", "hostgroup_name", "servicegroups":
		return typ == "service"
	}
	return false
}

// reason says why a directive has no vakt equivalent.
func reason(key string) string {
	switch {
	case key == "check_period":
		return "vakt has no time periods in HCL yet; it checks around the clock"
	case strings.HasPrefix(key, "notification") || strings.Contains(key, "_notification") ||
		key == "contacts" || key == "contact_groups" || key == "first_notification_delay":
		return "vakt has no notification settings in HCL yet (the notification issue adds them)"
	case strings.HasPrefix(key, "event_handler"):
		return "vakt has no event handlers"
	case strings.HasPrefix(key, "flap_detection") || strings.HasSuffix(key, "_flap_threshold"):
		return "vakt detects flapping with Nagios' default thresholds, always"
	case key == "process_perf_data" || strings.HasPrefix(key, "retain_"):
		return "vakt keeps perfdata and state always"
	case key == "passive_checks_enabled":
		return "vakt accepts passive results through its API and port 1984"
	case key == "display_name" || key == "notes" || key == "notes_url" || key == "action_url" ||
		strings.HasPrefix(key, "icon_image") || key == "statusmap_image" || key == "vrml_image" ||
		key == "2d_coords" || key == "3d_coords":
		return "display information only"
	}
	return "no vakt equivalent"
}

// writeLeftovers writes the directives of attrs that are not converted, as
// comments, and lists them as problems.
func (c *converter) writeLeftovers(b *strings.Builder, indent string, o *object, attrs map[string]*directive, skip ...string) {
	var list []*directive
	for k, d := range attrs {
		if isConverted(o.typ, k) || slices.Contains(skip, k) || strings.HasPrefix(k, "_") {
			continue
		}
		list = append(list, d)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].line < list[j].line })
	for _, d := range list {
		why := reason(d.key)
		if d.key == "active_checks_enabled" {
			continue
		}
		importer.Comment(b, indent, fmt.Sprintf("%s %s (%s:%d): %s", d.key, d.value, o.file, d.line, why))
		c.res.Add(o.file, d.line, importer.Note, "%s %s: %s; left as a comment", d.key, d.value, why)
	}
}

// templateName is the vakt template of a Nagios template.
func templateName(typ, name string) string {
	if typ == "host" {
		return "host:" + name
	}
	return name
}

// local returns the directives a block writes itself: its own, and those
// of its second and later templates (the first is its vakt template).
func local(o *object) map[string]*directive {
	if len(o.parents) <= 1 {
		return merge(o.own, nil)
	}
	out := merge(o.own, o.parents[1:])
	for k := range out {
		// What the first template's chain sets wins over the later
		// templates: the vakt template gives it.
		if o.own[k] == nil && o.parents[0].resolved[k] != nil {
			delete(out, k)
		}
	}
	return out
}

// writeSchedule writes interval, retry_interval and max_attempts.
func (c *converter) writeSchedule(b *strings.Builder, o *object, attrs map[string]*directive) {
	for _, k := range []struct{ nagios, vakt string }{{"check_interval", "interval"}, {"retry_interval", "retry_interval"}} {
		d := attrs[k.nagios]
		if d == nil {
			continue
		}
		if d.value == "null" {
			def := config.DefaultInterval
			if k.vakt == "retry_interval" {
				def = config.DefaultRetryInterval
			}
			fmt.Fprintf(b, "  %s = %s\n", k.vakt, importer.Quote(importer.Duration(def)))
			continue
		}
		f, err := strconv.ParseFloat(d.value, 64)
		switch {
		case err != nil || f < 0:
			c.res.Add(o.file, d.line, importer.Error, "%s %q is not a number of intervals; left out", k.nagios, d.value)
			importer.Comment(b, "  ", fmt.Sprintf("%s %s (%s:%d): not a number", k.nagios, d.value, o.file, d.line))
		case f == 0:
			c.res.Add(o.file, d.line, importer.Note, "%s 0: Nagios does not schedule it regularly; vakt runs it every %s (its default)", k.nagios, importer.Duration(config.DefaultInterval))
			importer.Comment(b, "  ", fmt.Sprintf("%s 0 (%s:%d): Nagios does not schedule it regularly; vakt uses its default", k.nagios, o.file, d.line))
		default:
			secs := f * float64(c.src.intervalLength)
			fmt.Fprintf(b, "  %s = %s\n", k.vakt, importer.Quote(importer.Duration(time.Duration(secs*float64(time.Second)))))
		}
	}
	if d := attrs["max_check_attempts"]; d != nil && d.value != "null" {
		n, err := strconv.Atoi(d.value)
		switch {
		case err != nil || n < 1:
			c.res.Add(o.file, d.line, importer.Error, "max_check_attempts %q is not a positive whole number; left out", d.value)
		case n > 100:
			c.res.Add(o.file, d.line, importer.Note, "max_check_attempts %d is more than vakt's 100; 100 it is", n)
			b.WriteString("  max_attempts = 100\n")
		default:
			fmt.Fprintf(b, "  max_attempts = %d\n", n)
		}
	}
}

// writeTemplate writes a host or service template as a vakt template.
func (c *converter) writeTemplate(b *strings.Builder, o *object) {
	fmt.Fprintf(b, "# %s template %q, %s:%d\n", o.typ, o.name, o.file, o.line)
	fmt.Fprintf(b, "template %s {\n", importer.Quote(templateName(o.typ, o.name)))
	c.writeUse(b, o)
	attrs := local(o)
	c.writeSchedule(b, o, attrs)
	c.writeLeftovers(b, "  ", o, o.own, "host_name", "hostgroup_name", "service_description", "check_command", "alias", "address", "parents", "hostgroups", "servicegroups")
	b.WriteString("}\n")
}

// writeUse writes the template attribute and notes the templates folded in.
func (c *converter) writeUse(b *strings.Builder, o *object) {
	if len(o.parents) == 0 {
		return
	}
	fmt.Fprintf(b, "  template = %s\n", importer.Quote(templateName(o.typ, o.parents[0].name)))
	if len(o.parents) > 1 {
		var names []string
		for _, p := range o.parents[1:] {
			names = append(names, p.name)
		}
		importer.Comment(b, "  ", fmt.Sprintf("use %s (%s:%d): what %s set is written here, unless %s sets it", o.use.value, o.file, o.use.line, strings.Join(names, ", "), o.parents[0].name))
	}
}

// writeHost writes a host block and its host check.
func (c *converter) writeHost(b *strings.Builder, o *object) {
	name := value(o.resolved, "host_name")
	fmt.Fprintf(b, "# host %q, %s:%d\n", name, o.file, o.line)
	fmt.Fprintf(b, "host %s {\n", importer.Quote(name))
	if addr := value(o.resolved, "address"); addr != "" && addr != name {
		fmt.Fprintf(b, "  address = %s\n", importer.Quote(addr))
	}
	if parents := splitList(value(o.resolved, "parents")); len(parents) > 0 {
		d := o.resolved["parents"]
		switch {
		case c.hostByName[parents[0]] == nil:
			c.res.Add(o.file, d.line, importer.Error, "host %q has unknown parent %q; left out", name, parents[0])
			importer.Comment(b, "  ", fmt.Sprintf("parents %s (%s:%d): unknown host", d.value, o.file, d.line))
		default:
			fmt.Fprintf(b, "  parent = %s\n", importer.Quote(parents[0]))
		}
		if len(parents) > 1 {
			c.res.Add(o.file, d.line, importer.Note, "host %q has %d parents; vakt has one, %q, the others are a comment", name, len(parents), parents[0])
			importer.Comment(b, "  ", fmt.Sprintf("parents %s (%s:%d): vakt has one parent per host; not converted: %s", d.value, o.file, d.line, strings.Join(parents[1:], ", ")))
		}
	}
	tags := map[string]string{}
	for _, g := range c.hostGroups[name] {
		tags[HostgroupTag(g)] = "true"
	}
	if alias := value(o.resolved, "alias"); alias != "" {
		tags["alias"] = alias
	} else if c.needAlias {
		tags["alias"] = name
	}
	for k, d := range o.resolved {
		if strings.HasPrefix(k, "_") && d.value != "null" {
			tags[strings.ToUpper(k)] = d.value
		}
	}
	for v := range c.hostVars {
		if _, ok := tags["_"+v]; !ok {
			tags["_"+v] = ""
		}
	}
	if len(tags) > 0 {
		fmt.Fprintf(b, "  tags = %s\n", importer.QuoteMap(tags))
	}
	c.writeLeftovers(b, "  ", o, o.own)
	b.WriteString("}\n")

	p := c.plans[o]
	if p == nil {
		return
	}
	var body strings.Builder
	fmt.Fprintf(&body, "  host = %s\n", importer.Quote(name))
	if len(o.parents) > 0 {
		fmt.Fprintf(&body, "  template = %s\n", importer.Quote(templateName("host", o.parents[0].name)))
	}
	c.writeCommandAttr(&body, p)
	if t := c.hostTimeout(); t != "" {
		fmt.Fprintf(&body, "  timeout = %s  # host_check_timeout\n", importer.Quote(t))
	}
	c.writeSchedule(&body, o, local(o))
	fmt.Fprintf(&body, "  tags = { host_alive = \"true\" }\n")
	c.writeCheck(b, c.hostCheckName(name), fmt.Sprintf("# the host check of %q", name), &body, p, o)
}

// writeService writes a service as a check.
func (c *converter) writeService(b *strings.Builder, o *object) {
	p := c.plans[o]
	desc := value(o.resolved, "service_description")
	var body strings.Builder
	if len(o.parents) > 0 {
		// the template comes first, as the Nagios use line does
		c.writeUse(&body, o)
	}
	switch {
	case p.hostTags != "":
		fmt.Fprintf(&body, "  host_tags = { %s = \"true\" }\n", importer.Quote(HostgroupTag(p.hostTags)))
	case len(p.hosts) == 1:
		fmt.Fprintf(&body, "  host = %s\n", importer.Quote(p.hosts[0]))
	case len(p.hosts) > 1:
		fmt.Fprintf(&body, "  hosts = %s\n", importer.QuoteList(p.hosts))
	}
	c.writeCommandAttr(&body, p)
	c.writeSchedule(&body, o, local(o))
	tags := map[string]string{}
	for _, g := range splitList(value(o.resolved, "servicegroups")) {
		tags["servicegroup:"+g] = "true"
	}
	for k, d := range o.resolved {
		if strings.HasPrefix(k, "_") && d.value != "null" {
			tags[strings.ToUpper(k)] = d.value
		}
	}
	if len(tags) > 0 {
		fmt.Fprintf(&body, "  tags = %s\n", importer.QuoteMap(tags))
	}
	c.writeLeftovers(&body, "  ", o, o.own)
	c.writeCheck(b, desc, fmt.Sprintf("# service %q, %s:%d", desc, o.file, o.line), &body, p, o)
}

// writeCommandAttr writes command (and shell).
func (c *converter) writeCommandAttr(b *strings.Builder, p *plan) {
	if p.argv == nil {
		return
	}
	if p.shell {
		b.WriteString("  shell   = true\n")
		fmt.Fprintf(b, "  command = %s\n", importer.Quote(p.argv[0]))
		return
	}
	fmt.Fprintf(b, "  command = %s\n", importer.QuoteList(p.argv))
}

// writeCheck writes a check block, or the same as a comment when the check
// cannot be converted.
func (c *converter) writeCheck(b *strings.Builder, name, header string, body *strings.Builder, p *plan, o *object) {
	b.WriteString(header + "\n")
	if p.skip != "" {
		importer.Comment(b, "", fmt.Sprintf("not converted: %s (%s:%d)", p.skip, o.file, o.line))
		for _, l := range o.raw {
			importer.Comment(b, "", "  "+strings.TrimRight(l, " \t"))
		}
		return
	}
	fmt.Fprintf(b, "check %s {\n%s}\n", importer.Quote(name), body.String())
}
