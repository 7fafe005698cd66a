// Package definitions turns a loaded checks.d into immutable check
// definitions: the one load path of `vakt validate`, `vakt check`, `vakt
// run` and reload, so that the same files give the same diagnostics
// whichever command reads them.
//
// Load reads the files with core/config, adds what the rest of vakt cannot
// accept (intervals longer than the scheduler's schedule.MaxInterval),
// decodes every plugin check's config block against its plugin's schema
// and has the plugin accept it, and resolves parents: the checks of a host
// whose parent host has checks tagged host_alive = "true" have those
// checks as their state parents. It also makes the notification
// configuration (Set.Notifications): each notifier block's plugin, which
// must be a known one, configured with the block's config decoded against
// the plugin's schema, so `vakt validate` reports a notifier's problems at
// file:line as `vakt run` would refuse them. What it returns is plain data: nothing in
// a Set refers to the HCL syntax trees, the config.Config or the source
// bytes, which are garbage once Load returns.
package definitions

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/core/execute"
	"github.com/vakt/vakt/core/schedule"
	"github.com/vakt/vakt/core/state"
	"github.com/vakt/vakt/plugins/sdk"
)

// HostAliveTag marks the checks that say whether a host is reachable at all
// (a ping, an ssh banner): tagged host_alive = "true", they are the parents
// of the checks on the hosts that have this host as parent.
const HostAliveTag = "host_alive"

// PassiveMaxAttempts is the max_attempts of a dynamic passive check: Big
// Sister knows no soft states, a red status is a problem at once.
const PassiveMaxAttempts = 1

// Definition is one check on one host, ready to schedule and run. It is
// immutable: read it, do not change it (its maps and slices may be shared
// with other definitions).
type Definition struct {
	ID, Host, Name string // ID is "host/name"
	// Job is what runs the check: plain data, of either kind.
	Job execute.Job
	// Schedule is the check's scheduler entry: ID, Interval, RetryInterval.
	Schedule schedule.Entry
	// State is what the state logic needs: MaxAttempts, UnknownAs, and
	// Parents, the host_alive checks of the host's parent host.
	State state.Settings
	// Tags are the check's merged tags; never nil, may be shared.
	Tags map[string]string
	// Team is the first folder below the checks.d root that holds the
	// check's file; "" for a file at the top.
	Team string
	// HostAlive is set for a check tagged host_alive = "true".
	HostAlive bool
	// Source is where the check block is, for messages (file and line:
	// a whole hcl.Range a check would cost 40 bytes more, times 100,000).
	Source Position
}

// Position is a place in a checks.d file.
type Position struct {
	File string
	Line int
}

func (p Position) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// Host is a declared host (or the implicit localhost).
type Host struct {
	Name, Address, Parent string
	Tags                  map[string]string // never nil; read only
}

// Set is a loaded configuration's definitions. It is immutable and safe
// for concurrent use.
type Set struct {
	checks []*Definition
	byID   map[string]*Definition
	hosts  map[string]Host
	// alive holds, per host, the IDs of its checks tagged host_alive.
	alive map[string][]string
	// notify is the notification configuration; never nil.
	notify *Notifications
}

// Checks returns every definition in config order: by file, position in
// the file, then host. The slice is the Set's: do not change it.
func (s *Set) Checks() []*Definition { return s.checks }

// Lookup returns the definition of a check ID.
func (s *Set) Lookup(id string) (*Definition, bool) {
	d, ok := s.byID[id]
	return d, ok
}

// Host returns a host by name.
func (s *Set) Host(name string) (Host, bool) {
	h, ok := s.hosts[name]
	return h, ok
}

// Hosts returns the number of hosts.
func (s *Set) Hosts() int { return len(s.hosts) }

// Len returns the number of checks.
func (s *Set) Len() int { return len(s.checks) }

// ParentsOf returns the state parents of the checks on host: the IDs of the
// host_alive checks of its parent host. Shared: do not change it.
func (s *Set) ParentsOf(host string) []string {
	h, ok := s.hosts[host]
	if !ok || h.Parent == "" {
		return nil
	}
	return s.alive[h.Parent]
}

// PassiveSettings returns the state settings of a dynamic passive check
// (one that checks.d does not declare) with freshness ttl: MaxAttempts 1,
// UNKNOWN an error, and the parents of its host.
func (s *Set) PassiveSettings(id string, ttl time.Duration) state.Settings {
	host, _, _ := strings.Cut(id, "/")
	return state.Settings{
		MaxAttempts: PassiveMaxAttempts,
		UnknownAs:   check.LevelError,
		TTL:         ttl,
		Parents:     s.ParentsOf(host),
	}
}

// Settings returns the state settings of every check by ID, a new map.
func (s *Set) Settings() map[string]state.Settings {
	m := make(map[string]state.Settings, len(s.checks))
	for _, d := range s.checks {
		m[d.ID] = d.State
	}
	return m
}

// Entries returns the scheduler entries of every check, in config order.
func (s *Set) Entries() []schedule.Entry {
	e := make([]schedule.Entry, len(s.checks))
	for i, d := range s.checks {
		e[i] = d.Schedule
	}
	return e
}

// Jobs returns the job of every check, in config order.
func (s *Set) Jobs() []execute.Job {
	j := make([]execute.Job, len(s.checks))
	for i, d := range s.checks {
		j[i] = d.Job
	}
	return j
}

// SchemaSource describes plugins and configures plugin jobs on them, for
// Load; *execute.PluginHost is one. The plugins it starts keep running for
// the runs that follow.
type SchemaSource interface {
	// Schema returns what the plugin says about itself, its config schema
	// included. Errors are those of execute.PluginHost.Schema
	// (execute.ErrUnknownPlugin, execute.ErrChecksumMismatch, or a
	// plugin that did not start).
	Schema(ctx context.Context, ref execute.PluginRef) (sdk.Info, error)
	// Configure has the plugin accept a job's config; an
	// sdk.ConfigErrors (errors.As) lists what the plugin refused.
	Configure(ctx context.Context, job execute.Job) error
}

// Options say what Load reads.
type Options struct {
	// Paths are the checks.d folders and files.
	Paths []string
	// Plugins describes the plugins of plugin checks. Nil means that
	// plugin checks are neither validated nor decoded: their jobs carry no
	// config, which suits a caller that cannot run plugins anyway (they
	// then end UNKNOWN saying that no plugin runner is configured).
	Plugins SchemaSource
	// LookupEnv reads the environment for env(); os.LookupEnv when nil.
	LookupEnv func(key string) (string, bool)
	// FreeOSMemory returns the memory loading needed (syntax trees,
	// tokens: more than a GB for 100,000 checks, while the Set keeps some
	// 60 MB) to the operating system once Load is done
	// (debug.FreeOSMemory), for a long-running process such as the
	// daemon, whose RSS would otherwise stay at the peak for minutes.
	FreeOSMemory bool
	// Notifiers are the notifier plugins a notifier block may name, by
	// name; nil means the built-in ones (plugins/builtin.Notifiers). A
	// notifier block naming another plugin is an error.
	Notifiers map[string]func() sdk.Notifier
}

// Result is what Load found.
type Result struct {
	// Set holds the definitions; nil when Diagnostics has errors.
	Set *Set
	// Diagnostics are every problem, errors and warnings, at
	// file:line:col.
	Diagnostics hcl.Diagnostics
	// Text is Diagnostics rendered with the source lines, as `vakt
	// validate` prints them; "" when there are none.
	Text string
	// Warnings are what Load found worth a warning beyond the
	// diagnostics, e.g. a host's parent without a host_alive check.
	Warnings []string
}

// Errors returns the number of error diagnostics.
func (r Result) Errors() int { return len(r.Diagnostics.Errs()) }

// Load reads the files at opts.Paths into definitions. Every problem is a
// diagnostic at file:line:col, and Text renders them all with their source
// lines. With any error the Result has no Set.
func Load(ctx context.Context, opts Options) Result {
	loader := config.NewLoader()
	if opts.LookupEnv != nil {
		loader.LookupEnv = opts.LookupEnv
	}
	cfg, diags := loader.Load(opts.Paths...)
	var res Result
	if cfg != nil && !diags.HasErrors() {
		b := newBuilder(opts)
		set, more := b.build(ctx, cfg)
		diags = append(diags, more...)
		diags = append(diags, parentDiagnostics(cfg)...)
		res.Set, res.Warnings = set, b.warnings
	}
	if len(diags) > 0 {
		var text strings.Builder
		if err := loader.WriteDiagnostics(&text, diags); err != nil {
			text.WriteString(diags.Error())
		}
		res.Text = text.String()
	}
	res.Diagnostics = detach(diags)
	if diags.HasErrors() {
		res.Set = nil
	}
	if opts.FreeOSMemory {
		debug.FreeOSMemory()
	}
	return res
}

// detach returns copies of diags without their expressions and evaluation
// contexts, which would keep syntax trees and values alive.
func detach(diags hcl.Diagnostics) hcl.Diagnostics {
	if len(diags) == 0 {
		return nil
	}
	out := make(hcl.Diagnostics, len(diags))
	for i, d := range diags {
		c := *d
		c.Expression, c.EvalContext, c.Extra = nil, nil, nil
		out[i] = &c
	}
	return out
}

// builder makes the definitions of one Config.
type builder struct {
	opts     Options
	roots    []string // opts.Paths, absolute
	strs     map[string]string
	tags     map[string]map[string]string
	files    map[string]fileInfo
	schemas  map[string]schemaResult
	states   []check.State // &states[s] is a shared *check.State
	warnings []string
}

// fileInfo is what a check's file decides.
type fileInfo struct {
	team       string
	pluginDirs []string
}

type schemaResult struct {
	info sdk.Info
	err  error
}

func newBuilder(opts Options) *builder {
	b := &builder{
		opts:    opts,
		strs:    map[string]string{},
		tags:    map[string]map[string]string{},
		files:   map[string]fileInfo{},
		schemas: map[string]schemaResult{},
		states:  []check.State{check.OK, check.Warning, check.Critical, check.Unknown},
	}
	for _, p := range opts.Paths {
		b.roots = append(b.roots, absPath(p))
	}
	return b
}

// build makes the Set of cfg, with the diagnostics of what cfg holds but
// vakt cannot run.
func (b *builder) build(ctx context.Context, cfg *config.Config) (*Set, hcl.Diagnostics) {
	set := &Set{
		checks: make([]*Definition, len(cfg.Checks)),
		byID:   make(map[string]*Definition, len(cfg.Checks)),
		hosts:  make(map[string]Host, len(cfg.Hosts)),
		alive:  map[string][]string{},
	}
	for name, h := range cfg.Hosts {
		set.hosts[b.str(name)] = Host{Name: b.str(h.Name), Address: b.str(h.Address), Parent: b.str(h.Parent), Tags: b.tagMap(h.Tags)}
	}
	var diags, pluginDiags hcl.Diagnostics
	defs := make([]Definition, len(cfg.Checks)) // one allocation for all
	for i, c := range cfg.Checks {
		d := &defs[i]
		b.define(d, c, set.hosts[c.Host])
		set.checks[i] = d
		set.byID[d.ID] = d
		if d.HostAlive {
			set.alive[d.Host] = append(set.alive[d.Host], d.ID)
		}
		if c.Interval > schedule.MaxInterval || c.RetryInterval > schedule.MaxInterval {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Interval too long",
				Detail: fmt.Sprintf("Check %s: interval (%s) and retry_interval (%s) may be at most %s.",
					d.ID, c.Interval, c.RetryInterval, schedule.MaxInterval),
				Subject: c.DeclRange.Ptr(),
			})
		}
		if c.Plugin != "" && b.opts.Plugins != nil {
			pluginDiags = append(pluginDiags, b.plugin(ctx, d, c)...)
		}
	}
	for _, d := range set.checks {
		d.State.Parents = set.ParentsOf(d.Host)
	}
	var notifyDiags hcl.Diagnostics
	set.notify, notifyDiags = b.notifications(ctx, cfg)
	diags = append(diags, sortedUniqueDiagnostics(pluginDiags)...)
	return set, append(diags, notifyDiags...)
}

// define fills d from c, which runs on host h.
func (b *builder) define(d *Definition, c *config.Check, h Host) {
	host, name := b.str(c.Host), b.str(c.Name)
	file := b.file(c.DeclRange.Filename)
	d.ID, d.Host, d.Name = host+"/"+name, host, name
	d.Tags = b.tagMap(c.Tags)
	d.Team = file.team
	d.HostAlive = strings.EqualFold(c.Tags[HostAliveTag], "true")
	d.Source = Position{File: b.str(c.DeclRange.Filename), Line: c.DeclRange.Start.Line}
	d.Schedule = schedule.Entry{ID: d.ID, Interval: c.Interval, RetryInterval: c.RetryInterval}
	d.State = state.Settings{MaxAttempts: c.MaxAttempts, UnknownAs: c.UnknownAs}
	address := h.Address
	if address == "" {
		address = host
	}
	d.Job = execute.Job{
		Kind:        execute.KindExec,
		Check:       name,
		Host:        host,
		Address:     address,
		Shell:       c.Shell,
		Timeout:     c.Timeout,
		OutputLimit: c.OutputLimit,
		Results:     c.Results,
	}
	if int(c.TimeoutState) >= 0 && int(c.TimeoutState) < len(b.states) {
		d.Job.TimeoutState = &b.states[c.TimeoutState]
	} else {
		ts := c.TimeoutState
		d.Job.TimeoutState = &ts
	}
	if c.Plugin != "" {
		d.Job.Kind = execute.KindPlugin
		d.Job.Plugin = b.str(c.Plugin)
		d.Job.PluginSHA256 = b.str(c.PluginSHA256)
		d.Job.PluginDirs = file.pluginDirs
		return
	}
	d.Job.Argv = make([]string, len(c.Command))
	for i, a := range c.Command {
		d.Job.Argv[i] = b.str(a)
	}
}

// plugin decodes the config block of plugin check c against its plugin's
// schema into d's job, and has the plugin accept it.
func (b *builder) plugin(ctx context.Context, d *Definition, c *config.Check) hcl.Diagnostics {
	name := fmt.Sprintf("%q", c.Plugin)
	ref := d.Job.PluginRef()
	key := ref.Name + "\x00" + ref.SHA256 + "\x00" + strings.Join(ref.Dirs, "\x00")
	sr, ok := b.schemas[key]
	if !ok {
		sr.info, sr.err = b.opts.Plugins.Schema(ctx, ref)
		b.schemas[key] = sr
	}
	switch {
	case errors.Is(sr.err, execute.ErrUnknownPlugin):
		return hcl.Diagnostics{diagAt(c.PluginRange, c.DeclRange, "Unknown plugin", capitalize(sr.err.Error())+".")}
	case errors.Is(sr.err, execute.ErrChecksumMismatch):
		var mismatch *execute.ChecksumError
		errors.As(sr.err, &mismatch)
		return hcl.Diagnostics{diagAt(c.PluginSHA256Range, c.DeclRange, "Plugin checksum mismatch",
			fmt.Sprintf("The executable of plugin %s is not the pinned one: %s. Check the file, then pin its new digest (sha256sum prints it) if it is trusted.", name, mismatch))}
	case sr.err != nil:
		return hcl.Diagnostics{diagAt(c.PluginRange, c.DeclRange, "Plugin not available", capitalize(sr.err.Error())+".")}
	}
	values, diags := c.DecodePluginConfig(sr.info.Schema)
	if diags.HasErrors() {
		return diags
	}
	data, err := execute.EncodeConfig(values)
	if err != nil {
		return append(diags, diagAt(c.PluginConfigRange(""), c.DeclRange, "Invalid plugin config", capitalize(err.Error())+"."))
	}
	d.Job.Config = data
	err = b.opts.Plugins.Configure(ctx, d.Job)
	var rejected sdk.ConfigErrors
	switch {
	case err == nil:
		return diags
	case errors.As(err, &rejected):
		for _, ae := range rejected {
			rng := c.PluginConfigRange(ae.Attribute)
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Plugin rejected the config",
				Detail:   fmt.Sprintf("Plugin %s: %s.", name, ae.Message),
				Subject:  &rng,
			})
		}
		return diags
	}
	return append(diags, diagAt(c.PluginRange, c.DeclRange, "Plugin not available", capitalize(err.Error())+"."))
}

// str returns s, or an equal string seen before: the definitions share
// their strings (host names, check names, arguments) instead of keeping a
// copy each, and keep nothing of the loader's memory alive.
func (b *builder) str(s string) string {
	if s == "" {
		return ""
	}
	if i, ok := b.strs[s]; ok {
		return i
	}
	s = strings.Clone(s)
	b.strs[s] = s
	return s
}

// tagMap returns a copy of tags, shared with every equal tag map seen
// before.
func (b *builder) tagMap(tags map[string]string) map[string]string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var key strings.Builder
	for _, k := range keys {
		key.WriteString(k)
		key.WriteByte(0)
		key.WriteString(tags[k])
		key.WriteByte(0)
	}
	if m, ok := b.tags[key.String()]; ok {
		return m
	}
	m := make(map[string]string, len(tags))
	for _, k := range keys {
		m[b.str(k)] = b.str(tags[k])
	}
	b.tags[key.String()] = m
	return m
}

// file returns the team and the team plugin folders of a check file.
func (b *builder) file(name string) fileInfo {
	if fi, ok := b.files[name]; ok {
		return fi
	}
	fi := fileInfo{team: b.str(team(absPath(name), b.roots))}
	for _, d := range execute.TeamPluginDirs(name, b.opts.Paths) {
		fi.pluginDirs = append(fi.pluginDirs, b.str(d))
	}
	b.files[name] = fi
	return fi
}

// team returns the first folder below the root (of roots) that holds
// file, or "" for a file at the top of its root or under no root.
func team(file string, roots []string) string {
	for _, root := range roots {
		rel, err := filepath.Rel(root, file)
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		first, _, nested := strings.Cut(filepath.ToSlash(rel), "/")
		if !nested {
			return ""
		}
		return first
	}
	return ""
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return filepath.Clean(p)
}

// diagAt is an error at rng, or at fallback when rng has no position.
func diagAt(rng, fallback hcl.Range, summary, detail string) *hcl.Diagnostic {
	if rng.Filename == "" {
		rng = fallback
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &rng}
}

// sortedUniqueDiagnostics sorts diagnostics by file and position and drops
// repeats: a template's problem, found once per check using it, is
// reported once.
func sortedUniqueDiagnostics(diags hcl.Diagnostics) hcl.Diagnostics {
	seen := map[string]bool{}
	var out hcl.Diagnostics
	for _, d := range diags {
		key := fmt.Sprintf("%d\x00%s\x00%s", d.Severity, d.Summary, d.Detail)
		if d.Subject != nil {
			key += "\x00" + d.Subject.String()
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Subject, out[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
	return out
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// parentDiagnostics warns of every host whose parent has no check tagged
// host_alive = "true": its parent has no effect (see core/daemon).
func parentDiagnostics(cfg *config.Config) hcl.Diagnostics {
	names := make([]string, 0, len(cfg.Hosts))
	for name := range cfg.Hosts {
		names = append(names, name)
	}
	// In file order, as the loader's diagnostics.
	sort.Slice(names, func(i, j int) bool {
		a, b := cfg.Hosts[names[i]].DeclRange, cfg.Hosts[names[j]].DeclRange
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Start.Byte != b.Start.Byte {
			return a.Start.Byte < b.Start.Byte
		}
		return names[i] < names[j]
	})
	alive := map[string]bool{}
	for _, c := range cfg.Checks {
		if strings.EqualFold(c.Tags[HostAliveTag], "true") {
			alive[c.Host] = true
		}
	}
	var diags hcl.Diagnostics
	for _, name := range names {
		h := cfg.Hosts[name]
		if h.Parent == "" || alive[h.Parent] {
			continue
		}
		d := &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Parent without a host_alive check",
			Detail: fmt.Sprintf("Host %q has parent %q, which has no check tagged %s = \"true\": the parent has no effect on the checks of %q. Tag the check that says %q is reachable (a ping) with tags = { %s = \"true\" }.",
				name, h.Parent, HostAliveTag, name, h.Parent, HostAliveTag),
		}
		if h.DeclRange.Filename != "" {
			d.Subject = h.DeclRange.Ptr()
		}
		diags = append(diags, d)
	}
	return diags
}
