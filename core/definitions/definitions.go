// Package definitions turns a loaded checks.d into immutable check
// definitions: what every command (validate, check, run, reload) works
// from.
package definitions

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/core/execute"
	"github.com/vakt/vakt/core/schedule"
	"github.com/vakt/vakt/core/state"
)

// HostAliveTag marks the checks that say whether a host is reachable at all
// (a ping, an ssh banner): tagged host_alive = "true", they are the parents
// of the checks on the hosts that have this host as parent.
const HostAliveTag = "host_alive"

// passiveMaxAttempts is the max_attempts of a dynamic passive check: Big
// Sister knows no soft states, a red status is a problem at once.
const passiveMaxAttempts = 1

// Definition is one check, ready to run. Plain data, never changed once
// loaded.
type Definition struct {
	ID, Host, Name string
	Job            execute.Job
	Schedule       schedule.Entry
	State          state.Settings
	// Tags never nil; may be shared between definitions: read only.
	Tags map[string]string
	// Team is the first folder below the checks.d root that holds the
	// check's file; "" for files at the top.
	Team      string
	HostAlive bool
	Source    hcl.Range
}

// Host is a machine checks run against.
type Host struct {
	Name, Address, Parent string
	Tags                  map[string]string
}

// Set is every definition of one load.
type Set struct {
	checks []*Definition
	byID   map[string]*Definition
	hosts  map[string]Host
	alive  map[string][]string // host -> its host_alive check IDs
	// Config is the loaded configuration (for the plugin runner, until
	// plugin jobs are plain data).
	Config *config.Config
}

// Checks returns the definitions in configuration order.
func (s *Set) Checks() []*Definition { return s.checks }

// Len is the number of checks.
func (s *Set) Len() int { return len(s.checks) }

// Lookup finds a definition by ID.
func (s *Set) Lookup(id string) (*Definition, bool) { d, ok := s.byID[id]; return d, ok }

// Host returns a host by name.
func (s *Set) Host(name string) (Host, bool) { h, ok := s.hosts[name]; return h, ok }

// ParentsOf returns the parent check IDs of the checks on host: the
// host_alive checks of its parent host.
func (s *Set) ParentsOf(host string) []string {
	h, ok := s.hosts[host]
	if !ok || h.Parent == "" {
		return nil
	}
	return s.alive[h.Parent]
}

// PassiveSettings are the state settings of a dynamic passive check.
func (s *Set) PassiveSettings(id string, ttl time.Duration) state.Settings {
	host, _, _ := strings.Cut(id, "/")
	return state.Settings{
		MaxAttempts: passiveMaxAttempts,
		UnknownAs:   check.LevelError,
		TTL:         ttl,
		Parents:     s.ParentsOf(host),
	}
}

// Settings returns every check's state settings by ID.
func (s *Set) Settings() map[string]state.Settings {
	out := make(map[string]state.Settings, len(s.checks))
	for _, d := range s.checks {
		out[d.ID] = d.State
	}
	return out
}

// SchemaSource validates plugin checks against their plugins
// (execute.PluginHost).
type SchemaSource interface {
	Validate(ctx context.Context, cfg *config.Config) hcl.Diagnostics
}

// Options say what to load.
type Options struct {
	Paths   []string
	Plugins SchemaSource
}

// Result is what Load found.
type Result struct {
	Set         *Set
	Diagnostics hcl.Diagnostics
	Text        string
	Warnings    []string
}

// Load reads the paths and makes the definitions.
func Load(ctx context.Context, opts Options) Result {
	loader := config.NewLoader()
	cfg, diags := loader.Load(opts.Paths...)
	if !diags.HasErrors() {
		diags = append(diags, scheduleDiagnostics(cfg)...)
	}
	if opts.Plugins != nil && !diags.HasErrors() {
		diags = append(diags, opts.Plugins.Validate(ctx, cfg)...)
	}
	var text strings.Builder
	if len(diags) > 0 {
		if err := loader.WriteDiagnostics(&text, diags); err != nil {
			text.WriteString(diags.Error())
		}
	}
	res := Result{Diagnostics: diags, Text: text.String()}
	if diags.HasErrors() {
		return res
	}
	s := &Set{
		checks: make([]*Definition, 0, len(cfg.Checks)),
		byID:   make(map[string]*Definition, len(cfg.Checks)),
		hosts:  make(map[string]Host, len(cfg.Hosts)),
		alive:  make(map[string][]string),
		Config: cfg,
	}
	for name, h := range cfg.Hosts {
		s.hosts[name] = Host{Name: name, Address: h.Address, Parent: h.Parent, Tags: h.Tags}
	}
	for _, c := range cfg.Checks {
		if strings.EqualFold(c.Tags[HostAliveTag], "true") {
			s.alive[c.Host] = append(s.alive[c.Host], c.ID())
		}
	}
	for _, c := range cfg.Checks {
		d := &Definition{
			ID: c.ID(), Host: c.Host, Name: c.Name,
			Schedule:  schedule.Entry{ID: c.ID(), Interval: c.Interval, RetryInterval: c.RetryInterval},
			State:     state.Settings{MaxAttempts: c.MaxAttempts, UnknownAs: c.UnknownAs, Parents: s.ParentsOf(c.Host)},
			Tags:      c.Tags,
			Team:      teamOf(opts.Paths, c.DeclRange.Filename),
			HostAlive: strings.EqualFold(c.Tags[HostAliveTag], "true"),
			Source:    c.DeclRange,
		}
		if c.Plugin == "" {
			timeoutState := c.TimeoutState
			d.Job = execute.Job{Check: c.Name, Host: c.Host, Argv: c.Command, Shell: c.Shell,
				Timeout: c.Timeout, TimeoutState: &timeoutState, OutputLimit: c.OutputLimit}
			if h := cfg.Hosts[c.Host]; h != nil {
				d.Job.Address = h.Address
			}
		}
		s.checks = append(s.checks, d)
		s.byID[d.ID] = d
	}
	names := make([]string, 0, len(cfg.Hosts))
	for name := range cfg.Hosts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		h := cfg.Hosts[name]
		if h.Parent != "" && len(s.alive[h.Parent]) == 0 {
			res.Warnings = append(res.Warnings, fmt.Sprintf("host %q has parent %q, which has no check tagged %s = \"true\": the parent has no effect on the checks of %q",
				name, h.Parent, HostAliveTag, name))
		}
	}
	res.Set = s
	return res
}

// teamOf is the first folder below the root in paths that holds file.
func teamOf(roots []string, file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		return ""
	}
	for _, r := range roots {
		root, err := filepath.Abs(r)
		if err != nil {
			continue
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
			continue
		}
		if first, _, found := strings.Cut(filepath.ToSlash(rel), "/"); found {
			return first
		}
		return ""
	}
	return ""
}

// scheduleDiagnostics reports what the loader accepts but the scheduler
// cannot: intervals longer than schedule.MaxInterval.
func scheduleDiagnostics(cfg *config.Config) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, c := range cfg.Checks {
		if c.Interval > schedule.MaxInterval || c.RetryInterval > schedule.MaxInterval {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Interval too long",
				Detail: fmt.Sprintf("Check %s: interval (%s) and retry_interval (%s) may be at most %s.",
					c.ID(), c.Interval, c.RetryInterval, schedule.MaxInterval),
				Subject: c.DeclRange.Ptr(),
			})
		}
	}
	return diags
}
