package execute

import (
	"context"
	"fmt"

	"github.com/vakt/vakt/plugins/sdk"
)

// Schema starts the plugin ref names (unless it runs) and returns what it
// says about itself: its version, description and config schema. The load
// path decodes plugin checks' config blocks against that schema. The
// error of a plugin that is not found is ErrUnknownPlugin, of one whose
// executable is not the pinned one ErrChecksumMismatch (errors.Is); any
// other error means that the plugin did not start.
func (h *PluginHost) Schema(ctx context.Context, ref PluginRef) (sdk.Info, error) {
	r, err := h.resolve(ref)
	if err != nil {
		return sdk.Info{}, err
	}
	inst, err := h.process(r, ref.SHA256).instance(ctx)
	if err != nil {
		return sdk.Info{}, fmt.Errorf("plugin %q (%s) is not available: %w", ref.Name, r.path, err)
	}
	return inst.info, nil
}

// Configure configures a plugin job on its plugin, as running it would,
// so that the load path can report a config the plugin refuses before
// anything runs, and so that the run that follows needs neither start nor
// configure again. A config the plugin rejects is an error that
// errors.As finds an sdk.ConfigErrors in, by attribute; the other errors
// are those of Schema, or say that the job's config does not decode
// against the plugin's schema or that configuring failed.
func (h *PluginHost) Configure(ctx context.Context, job Job) error {
	if job.Kind != KindPlugin || job.Plugin == "" {
		return fmt.Errorf("check %s/%s: not a plugin job", job.Host, job.Check)
	}
	e := h.entry(job)
	if e.err != nil {
		return e.err
	}
	inst, err := e.proc.instance(ctx)
	if err != nil {
		return fmt.Errorf("plugin %q (%s) is not available: %w", job.Plugin, e.proc.ref.path, err)
	}
	if err := e.configure(ctx, inst); err != nil {
		return fmt.Errorf("configuring check %s/%s on plugin %q: %w", job.Host, job.Check, job.Plugin, err)
	}
	return nil
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
