package config

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/vakt/vakt/core/check"
)

// This file turns check blocks into Checks: it stacks each check block on
// its templates and defaults, chooses its hosts, and evaluates its
// attributes for each host.

// expand builds the Config from the declarations.
func (r *resolver) expand() *Config {
	// Report the errors of templates and defaults once, at their source,
	// even when no check uses them; errors of expressions that use host.*
	// can only show per check and host.
	for _, t := range r.templateOrder {
		r.validateBlock(t)
	}
	dirs := make([]string, 0, len(r.defaults))
	for dir := range r.defaults {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		r.validateBlock(r.defaults[dir])
	}

	cfg := &Config{Hosts: make(map[string]*Host, len(r.hostOrder)+1)}
	seen := map[string]*Check{}
	for _, cb := range r.checks {
		r.validateBlock(cb)
		for _, c := range r.expandCheck(cb) {
			if prev := seen[c.ID()]; prev != nil {
				r.errorAt(c.DeclRange, "Duplicate check",
					fmt.Sprintf("Check %q on host %q is already defined at %s; check names must be unique per host.", c.Name, c.Host, position(prev.DeclRange)))
				continue
			}
			seen[c.ID()] = c
			cfg.Checks = append(cfg.Checks, c)
		}
	}
	for _, h := range r.hostOrder {
		cfg.Hosts[h.Name] = h
	}
	if r.localhost != nil {
		cfg.Hosts[LocalhostName] = r.localhost
	}
	return cfg
}

// layers returns the blocks a check inherits from, nearest first: the
// check, its template and that template's templates, then the defaults of
// its folder and their templates, then those of each enclosing folder. The
// first layer that sets an attribute decides it.
func (r *resolver) layers(cb *block) []*block {
	var out []*block
	add := func(b *block) {
		for ; b != nil; b = b.parent {
			out = append(out, b)
		}
	}
	add(cb)
	for dir := cb.dir; ; dir = filepath.Dir(dir) {
		add(r.defaults[dir])
		if filepath.Dir(dir) == dir {
			break
		}
	}
	return out
}

// firstWith returns the nearest layer that sets any of the attributes.
func firstWith(layers []*block, names ...string) *block {
	for _, l := range layers {
		for _, n := range names {
			if l.attrs[n] != nil {
				return l
			}
		}
	}
	return nil
}

// expandCheck returns the Checks of a check block, one per host.
func (r *resolver) expandCheck(cb *block) []*Check {
	layers := r.layers(cb)
	for _, l := range layers {
		if l.broken {
			return nil // reported already
		}
	}
	hosts, ok := r.targets(layers)
	if !ok {
		return nil
	}
	run := firstWith(layers, runGroup()...)
	if run == nil {
		r.errorAt(cb.def, "Missing command",
			fmt.Sprintf("Check %q has neither command nor plugin: set command = [\"/usr/lib/nagios/plugins/check_...\", ...] to run a Nagios plugin, or plugin = \"NAME\".", cb.name))
		return nil
	}
	var checks []*Check
	for _, h := range hosts {
		if c, ok := r.build(cb, layers, run, h); ok {
			checks = append(checks, c)
		}
	}
	return checks
}

// targets returns the hosts a check runs on: localhost unless a layer sets
// host, hosts or host_tags.
func (r *resolver) targets(layers []*block) ([]*Host, bool) {
	sel := firstWith(layers, targetGroup()...)
	if sel == nil {
		return []*Host{r.lookupHost(LocalhostName, hcl.Range{})}, true
	}
	ctx := r.context(nil)
	if a := sel.attrs[attrHost]; a != nil {
		var h *Host
		ok := r.decode(a, nil, ctx, func(v cty.Value) *hcl.Diagnostic {
			name, d := stringValue(a, v)
			if d == nil {
				h = r.lookupHost(name, a.Expr.Range())
			}
			return d
		})
		return []*Host{h}, ok && h != nil
	}
	if a := sel.attrs[attrHosts]; a != nil {
		var names []string
		ok := r.decode(a, nil, ctx, func(v cty.Value) (d *hcl.Diagnostic) {
			names, d = stringListValue(a, v)
			if d == nil && len(names) == 0 {
				d = attrError(a, "No hosts", "hosts lists no host: list at least one, or leave hosts out to run on localhost.")
			}
			return d
		})
		if !ok {
			return nil, false
		}
		ranges := elementRanges(a.Expr, len(names))
		hosts := make([]*Host, 0, len(names))
		listed := map[string]bool{}
		for i, name := range names {
			if listed[name] {
				r.errorAt(ranges[i], "Duplicate host", fmt.Sprintf("Host %q is listed twice.", name))
				ok = false
				continue
			}
			listed[name] = true
			if h := r.lookupHost(name, ranges[i]); h != nil {
				hosts = append(hosts, h)
			} else {
				ok = false
			}
		}
		return hosts, ok
	}
	a := sel.attrs[attrHostTags]
	var want map[string]string
	ok := r.decode(a, nil, ctx, func(v cty.Value) (d *hcl.Diagnostic) {
		want, d = stringMapValue(a, v)
		if d == nil && len(want) == 0 {
			d = attrError(a, "No host tags", "host_tags needs at least one tag to match, like { role = \"web\" }; to name hosts, use hosts = [...].")
		}
		return d
	})
	if !ok {
		return nil, false
	}
	var hosts []*Host
	for _, h := range r.hostOrder {
		if hasTags(h, want) {
			hosts = append(hosts, h)
		}
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].Name < hosts[j].Name })
	if len(hosts) == 0 {
		r.diags = append(r.diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "No matching host",
			Detail:   fmt.Sprintf("No host has the tags %s, so check %q runs nowhere.", formatTags(want), layers[0].name),
			Subject:  a.Expr.Range().Ptr(),
		})
	}
	return hosts, true
}

// hasTags reports whether h has every tag in want, with the same value.
func hasTags(h *Host, want map[string]string) bool {
	for k, v := range want {
		if got, ok := h.Tags[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// formatTags writes tags as in HCL, keys sorted: { a = "1", b = "2" }.
func formatTags(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s = %q", k, tags[k])
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// elementRanges returns the range of each element of a list expression
// written out in the source, or the whole expression's range for each.
func elementRanges(expr hcl.Expression, n int) []hcl.Range {
	ranges := make([]hcl.Range, n)
	exprs, diags := hcl.ExprList(expr)
	for i := range ranges {
		if !diags.HasErrors() && len(exprs) == n {
			ranges[i] = exprs[i].Range()
		} else {
			ranges[i] = expr.Range()
		}
	}
	return ranges
}

// field decodes one plain attribute of a check.
type field struct {
	name string
	set  func(c *Check, a *hcl.Attribute, v cty.Value) *hcl.Diagnostic
}

// checkFields are the attributes that each layer may set and that the
// nearest layer decides. shell comes before command, which depends on it.
func checkFields() []field {
	return []field{
		{attrShell, func(c *Check, a *hcl.Attribute, v cty.Value) (d *hcl.Diagnostic) {
			c.Shell, d = boolValue(a, v)
			return d
		}},
		{attrInterval, func(c *Check, a *hcl.Attribute, v cty.Value) (d *hcl.Diagnostic) {
			c.Interval, d = durationValue(a, v, time.Second)
			return d
		}},
		{attrRetryInterval, func(c *Check, a *hcl.Attribute, v cty.Value) (d *hcl.Diagnostic) {
			c.RetryInterval, d = durationValue(a, v, time.Second)
			return d
		}},
		{attrTimeout, func(c *Check, a *hcl.Attribute, v cty.Value) (d *hcl.Diagnostic) {
			c.Timeout, d = durationValue(a, v, time.Second)
			return d
		}},
		{attrMaxAttempts, func(c *Check, a *hcl.Attribute, v cty.Value) (d *hcl.Diagnostic) {
			c.MaxAttempts, d = intValue(a, v, 1, 100)
			return d
		}},
		{attrOutputLimit, func(c *Check, a *hcl.Attribute, v cty.Value) (d *hcl.Diagnostic) {
			c.OutputLimit, d = intValue(a, v, 1, MaxOutputLimit)
			return d
		}},
		{attrTimeoutState, func(c *Check, a *hcl.Attribute, v cty.Value) *hcl.Diagnostic {
			s, d := stringValue(a, v)
			if d != nil {
				return d
			}
			state, err := check.ParseState(s)
			if err != nil {
				return attrError(a, "Invalid state",
					fmt.Sprintf("timeout_state must be ok, warning, critical or unknown, not %q.", s))
			}
			c.TimeoutState = state
			return nil
		}},
		{attrUnknownAs, func(c *Check, a *hcl.Attribute, v cty.Value) *hcl.Diagnostic {
			s, d := stringValue(a, v)
			if d != nil {
				return d
			}
			level, err := check.ParseLevel(s)
			if err != nil {
				return attrError(a, "Invalid level",
					fmt.Sprintf("unknown_as must be ok, warning or error, not %q.", s))
			}
			c.UnknownAs = level
			return nil
		}},
		{attrPlugin, setPlugin},
		{attrPluginSHA256, setPluginSHA256},
		{attrTags, setTags},
		{attrResults, setResults},
	}
}

func setPlugin(c *Check, a *hcl.Attribute, v cty.Value) *hcl.Diagnostic {
	s, d := stringValue(a, v)
	if d != nil {
		return d
	}
	if !validPluginName(s) {
		return attrError(a, "Invalid plugin name",
			fmt.Sprintf("%q is not a plugin name: use letters, digits, '_', '-' and '.', starting with a letter or digit.", s))
	}
	c.Plugin, c.PluginRange = s, a.Expr.Range()
	return nil
}

// setTags adds tags to the check's, replacing those with the same key.
func setTags(c *Check, a *hcl.Attribute, v cty.Value) *hcl.Diagnostic {
	tags, d := stringMapValue(a, v)
	for k, v := range tags {
		c.Tags[k] = v
	}
	return d
}

// validateBlock decodes the attributes of one block on their own, so that
// their errors show even if no check uses the block. Attributes that use
// host.*, and command, which depends on shell, wait for the checks.
func (r *resolver) validateBlock(blk *block) {
	scratch := &Check{Tags: map[string]string{}}
	ctx := r.context(nil)
	for _, f := range r.fields {
		a := blk.attrs[f.name]
		if a == nil || r.attrs[a].usesHost {
			continue
		}
		r.decode(a, nil, ctx, func(v cty.Value) *hcl.Diagnostic { return f.set(scratch, a, v) })
	}
}

// build evaluates a check block for one host.
func (r *resolver) build(cb *block, layers []*block, run *block, h *Host) (*Check, bool) {
	ctx := r.context(h)
	c := &Check{
		Name:          cb.name,
		Host:          h.Name,
		EvalContext:   ctx,
		Interval:      DefaultInterval,
		RetryInterval: DefaultRetryInterval,
		Timeout:       DefaultTimeout,
		MaxAttempts:   DefaultMaxAttempts,
		TimeoutState:  DefaultTimeoutState,
		UnknownAs:     DefaultUnknownAs,
		OutputLimit:   DefaultOutputLimit,
		Tags:          map[string]string{},
		DeclRange:     cb.def,
	}
	ok := true
	for _, f := range r.fields {
		if f.name == attrPlugin || f.name == attrTags {
			continue // decided by run, and merged, below
		}
		if a := firstWith(layers, f.name); a != nil {
			attr := a.attrs[f.name]
			ok = r.decode(attr, h, ctx, func(v cty.Value) *hcl.Diagnostic { return f.set(c, attr, v) }) && ok
		}
	}

	if a := run.attrs[attrCommand]; a != nil {
		ok = r.decode(a, h, ctx, func(v cty.Value) (d *hcl.Diagnostic) {
			c.Command, d = commandValue(a, v, c.Shell)
			return d
		}) && ok
		if c.PluginSHA256 != "" {
			r.errorAt(c.PluginSHA256Range, "plugin_sha256 without plugin",
				fmt.Sprintf("plugin_sha256 pins a plugin's executable, but check %q runs a command.", cb.name))
			ok = false
		}
	} else {
		a := run.attrs[attrPlugin]
		ok = r.decode(a, h, ctx, func(v cty.Value) *hcl.Diagnostic { return setPlugin(c, a, v) }) && ok
		if res := firstWith(layers, attrResults); res != nil && c.Results != nil {
			r.errorAt(res.attrs[attrResults].NameRange, "Results without command",
				fmt.Sprintf("results maps a command's exit code and output to a state, but check %q runs a plugin.", cb.name))
			ok = false
		}
		if shell := firstWith(layers, attrShell); shell != nil && c.Shell {
			r.errorAt(shell.attrs[attrShell].NameRange, "Shell without command",
				fmt.Sprintf("shell = true applies to command, but check %q runs a plugin.", cb.name))
			ok = false
		}
	}

	var config *hcl.Block
	for _, l := range layers {
		if l.config != nil {
			config = l.config
			break
		}
	}
	switch {
	case run.attrs[attrPlugin] != nil && config != nil:
		c.PluginConfig = config.Body
	case run.attrs[attrPlugin] != nil:
		c.PluginConfig = hcl.EmptyBody()
	case config != nil:
		r.errorAt(config.DefRange, "Unexpected config block",
			fmt.Sprintf("Check %q runs a command; a config block belongs to a check that runs a plugin.", cb.name))
		ok = false
	}

	// Tags merge: outer layers first, so that nearer layers win per key.
	for i := len(layers) - 1; i >= 0; i-- {
		if a := layers[i].attrs[attrTags]; a != nil {
			ok = r.decode(a, h, ctx, func(v cty.Value) *hcl.Diagnostic { return setTags(c, a, v) }) && ok
		}
	}
	return c, ok
}
