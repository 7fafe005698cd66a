package execute

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/hashicorp/hcl/v2"

	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/plugins/sdk"
)

// Validate checks every plugin check of cfg against its plugin, as `vakt
// validate` and `vakt check` do before anything runs: the plugin must
// exist, match the check's plugin_sha256 and start, and the check's config
// block must decode against the plugin's schema and be accepted by the
// plugin's Configure. Each problem is a diagnostic at the offending
// attribute: the plugin attribute for an unknown plugin or one that does not
// start, plugin_sha256 for a checksum mismatch, a config attribute for a
// wrong, unknown or mistyped value, the config block (or the check block
// when it has none) for a missing one. Diagnostics are sorted by file and
// position; a template's problem, found once per check using it, is
// reported once.
//
// Validate starts the plugins the checks use and configures the checks on
// them, so that running the checks afterwards needs neither again.
func (h *PluginHost) Validate(ctx context.Context, cfg *config.Config) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, c := range cfg.Checks {
		if c.Plugin == "" {
			continue
		}
		diags = append(diags, h.validateCheck(ctx, c)...)
	}
	return sortedUniqueDiagnostics(diags)
}

// validateCheck is Validate for one check.
func (h *PluginHost) validateCheck(ctx context.Context, c *config.Check) hcl.Diagnostics {
	name := strconv.Quote(c.Plugin)
	e := h.entry(c)
	if e.err != nil {
		return hcl.Diagnostics{diagAt(c.PluginRange, c.DeclRange, "Unknown plugin", capitalize(e.err.Error())+".")}
	}
	inst, err := e.proc.instance(ctx)
	if err != nil {
		var mismatch *checksumError
		if errors.As(err, &mismatch) {
			return hcl.Diagnostics{diagAt(c.PluginSHA256Range, c.DeclRange, "Plugin checksum mismatch",
				fmt.Sprintf("The executable of plugin %s is not the pinned one: %s. Check the file, then pin its new digest (sha256sum prints it) if it is trusted.", name, mismatch))}
		}
		return hcl.Diagnostics{diagAt(c.PluginRange, c.DeclRange, "Plugin not available",
			fmt.Sprintf("Plugin %s (%s) is not available: %v.", name, e.proc.ref.path, err))}
	}
	err = e.configure(ctx, inst)
	var invalid *invalidConfigError
	var rejected *rejectedConfigError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &invalid):
		return invalid.diags
	case errors.As(err, &rejected):
		var diags hcl.Diagnostics
		for _, ae := range rejected.errs {
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
	return hcl.Diagnostics{diagAt(c.PluginRange, c.DeclRange, "Plugin not available",
		fmt.Sprintf("Configuring check %q on plugin %s failed: %v.", c.ID(), name, err))}
}

// diagAt is an error at rng, or at fallback when rng has no position.
func diagAt(rng, fallback hcl.Range, summary, detail string) *hcl.Diagnostic {
	if rng.Filename == "" {
		rng = fallback
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &rng}
}

// sortedUniqueDiagnostics sorts diagnostics by file and position and drops
// repeats.
func sortedUniqueDiagnostics(diags hcl.Diagnostics) hcl.Diagnostics {
	seen := map[string]bool{}
	out := hcl.Diagnostics{}
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
	if len(out) == 0 {
		return nil
	}
	return out
}

// PluginListing describes one plugin found, for `vakt plugins`.
type PluginListing struct {
	// Name is what a check's plugin attribute calls it.
	Name string
	// Builtin is set for a plugin served by vakt itself.
	Builtin bool
	// Path is the executable: vakt itself for a built-in.
	Path string
	// SHA256 is the executable's digest in hex, as plugin_sha256 pins it.
	SHA256 string
	// Info is what the plugin says about itself: version, description
	// and config schema. Zero when Err is set.
	Info sdk.Info
	// Err says why the plugin could not be started or described.
	Err error
}

// List starts every plugin that can be found and returns what each says
// about itself: the plugins folders under the configuration roots (sorted
// by path), the global plugin folders in order, then the built-ins. A
// plugin that cannot be started is listed with its error. The processes
// keep running for checks until Close.
func (h *PluginHost) List(ctx context.Context) []PluginListing {
	var refs []pluginRef
	var out []PluginListing
	for _, dir := range h.pluginFolders() {
		found, err := pluginFiles(dir)
		if err != nil {
			out = append(out, PluginListing{Path: dir, Err: err})
		}
		refs = append(refs, found...)
	}
	for _, name := range h.builtinNames {
		ref, err := h.builtinRef(name)
		if err != nil {
			out = append(out, PluginListing{Name: name, Builtin: true, Err: err})
			continue
		}
		refs = append(refs, ref)
	}
	for _, ref := range refs {
		l := PluginListing{Name: ref.name, Builtin: ref.builtin, Path: ref.path}
		l.SHA256, l.Err = fileSHA256(ref.path)
		if l.Err == nil {
			var inst *pluginInstance
			inst, l.Err = h.process(ref, "").instance(ctx)
			if inst != nil {
				l.Info = inst.info
			}
		}
		out = append(out, l)
	}
	return out
}
