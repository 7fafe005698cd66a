package definitions

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/core/timeperiod"
	"github.com/vakt/vakt/plugins/builtin"
	"github.com/vakt/vakt/plugins/sdk"
)

// Notifications is the notification configuration of a load: the
// notifier blocks, each with its plugin configured, and the time periods,
// contacts, teams and routes as core/config decoded them (plain data:
// nothing here refers to HCL bodies). core/notify cannot be the type
// here (it imports core/engine, which imports this package): the daemon
// converts it into a notify.Config once per load.
type Notifications struct {
	// Notifiers by name, each a fresh instance of its plugin configured
	// with the block's config under its name (sdk.Config.ID).
	Notifiers map[string]Notifier
	// Periods holds the time periods, their exclusions resolved; never
	// nil.
	Periods *timeperiod.Set
	// Contacts and Teams by name; Routes in the order they are tried.
	Contacts map[string]config.Contact
	Teams    map[string]config.Team
	Routes   []config.Route
}

// Notifier is a notifier block ready to send.
type Notifier struct {
	Name, Plugin string
	// Instance is the plugin, configured with the block's config under
	// the ID Name.
	Instance sdk.Notifier
	Source   Position
}

// Empty reports whether nothing is configured: no notifier and no route.
func (n *Notifications) Empty() bool {
	return n == nil || (len(n.Notifiers) == 0 && len(n.Routes) == 0)
}

// Notifications returns the notification configuration; never nil.
func (s *Set) Notifications() *Notifications { return s.notify }

// notifications builds the notification configuration of cfg: every
// notifier's plugin must be known, and accept the block's config decoded
// against its schema; every problem is a diagnostic at the block.
func (b *builder) notifications(ctx context.Context, cfg *config.Config) (*Notifications, hcl.Diagnostics) {
	n := &Notifications{
		Notifiers: map[string]Notifier{},
		Periods:   cfg.TimePeriodSet,
		Contacts:  make(map[string]config.Contact, len(cfg.Contacts)),
		Teams:     make(map[string]config.Team, len(cfg.Teams)),
		Routes:    make([]config.Route, 0, len(cfg.Routes)),
	}
	if n.Periods == nil {
		n.Periods = &timeperiod.Set{}
	}
	for name, c := range cfg.Contacts {
		n.Contacts[name] = *c
	}
	for name, t := range cfg.Teams {
		n.Teams[name] = *t
	}
	for _, r := range cfg.Routes {
		n.Routes = append(n.Routes, *r)
	}
	registry := b.opts.Notifiers
	if registry == nil {
		registry = builtin.Notifiers()
	}
	names := make([]string, 0, len(cfg.Notifiers))
	for name := range cfg.Notifiers {
		names = append(names, name)
	}
	sort.Strings(names)
	var diags hcl.Diagnostics
	for _, name := range names {
		nb := cfg.Notifiers[name]
		nf, more := b.notifier(ctx, nb, registry)
		diags = append(diags, more...)
		if nf.Instance != nil {
			n.Notifiers[name] = nf
		}
	}
	return n, sortedUniqueDiagnostics(diags)
}

// notifier makes the instance of one notifier block.
func (b *builder) notifier(ctx context.Context, nb *config.Notifier, registry map[string]func() sdk.Notifier) (Notifier, hcl.Diagnostics) {
	out := Notifier{Name: b.str(nb.Name), Plugin: b.str(nb.Plugin),
		Source: Position{File: b.str(nb.DeclRange.Filename), Line: nb.DeclRange.Start.Line}}
	newPlugin, ok := registry[nb.Plugin]
	if !ok {
		known := make([]string, 0, len(registry))
		for k := range registry {
			known = append(known, k)
		}
		sort.Strings(known)
		return out, hcl.Diagnostics{diagAt(nb.PluginRange, nb.DeclRange, "Unknown notifier plugin",
			fmt.Sprintf("Notifier %q: there is no notifier plugin %q; vakt has %q.", nb.Name, nb.Plugin, known))}
	}
	inst := newPlugin()
	info, err := inst.Info(ctx)
	if err != nil {
		return out, hcl.Diagnostics{diagAt(nb.PluginRange, nb.DeclRange, "Notifier plugin not available",
			fmt.Sprintf("Notifier %q: plugin %q: %v.", nb.Name, nb.Plugin, err))}
	}
	values, diags := nb.DecodeConfig(info.Schema)
	if diags.HasErrors() {
		return out, diags
	}
	// The config ranges are those of a check's plugin config.
	asCheck := &config.Check{Name: nb.Name, Plugin: nb.Plugin, PluginConfig: nb.Config, DeclRange: nb.DeclRange}
	err = inst.Configure(ctx, sdk.Config{ID: nb.Name, Values: values})
	var rejected sdk.ConfigErrors
	switch {
	case err == nil:
		out.Instance = inst
		return out, diags
	case errors.As(err, &rejected):
		for _, ae := range rejected {
			rng := asCheck.PluginConfigRange(ae.Attribute)
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Notifier plugin rejected the config",
				Detail:   fmt.Sprintf("Notifier %q (plugin %q): %s.", nb.Name, nb.Plugin, ae.Message),
				Subject:  &rng,
			})
		}
		return out, diags
	}
	return out, append(diags, diagAt(asCheck.PluginConfigRange(""), nb.DeclRange, "Notifier plugin rejected the config",
		fmt.Sprintf("Notifier %q (plugin %q): %v.", nb.Name, nb.Plugin, err)))
}
