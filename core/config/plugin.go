package config

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/vakt/vakt/plugins/sdk"
)

// This file holds what the configuration knows about go-plugin checks: the
// plugin_sha256 pin, and decoding a check's config block against the schema
// its plugin describes (which only the plugin knows, so it is done after
// Load, by whoever can ask the plugin).

// setPluginSHA256 decodes plugin_sha256: a SHA-256 digest in hex, as
// sha256sum prints it; upper case is accepted and stored in lower case.
func setPluginSHA256(c *Check, a *hcl.Attribute, v cty.Value) *hcl.Diagnostic {
	s, d := stringValue(a, v)
	if d != nil {
		return d
	}
	digest := strings.ToLower(s)
	if len(digest) != 64 || strings.Trim(digest, "0123456789abcdef") != "" {
		return attrError(a, "Invalid SHA-256",
			fmt.Sprintf("plugin_sha256 must be 64 hex digits, as sha256sum prints them, not %q.", s))
	}
	c.PluginSHA256, c.PluginSHA256Range = digest, a.Expr.Range()
	return nil
}

// DecodePluginConfig decodes the check's config block against the schema of
// its plugin and returns the values as the plugin receives them: each of
// its attribute's Go type, defaults filled in. Expressions are evaluated
// with c.EvalContext. Every problem is a diagnostic: an attribute the
// schema does not know (at its name), a value of the wrong type (at its
// value), a block inside config, and a required attribute that is missing
// (at the config block, or at the check block when it has none).
//
// Values convert as elsewhere in the configuration: a number or bool where
// a string is wanted becomes a string, a string that reads as a number
// where a number is wanted becomes one, and a duration is a string such as
// "30s" or "1d". A null value counts as not set.
func (c *Check) DecodePluginConfig(schema sdk.Schema) (sdk.Values, hcl.Diagnostics) {
	body := c.PluginConfig
	if body == nil {
		body = hcl.EmptyBody()
	}
	attrs, diags := body.JustAttributes()
	raw := make(map[string]any, len(attrs))
	set := make(map[string]bool, len(attrs))
	for _, a := range sortedAttributes(attrs) {
		spec, known := schema.Attribute(a.Name)
		if !known {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unsupported plugin attribute",
				Detail: fmt.Sprintf("Plugin %q has no attribute %q; %s.%s",
					c.Plugin, a.Name, acceptedAttributes(schema), didYouMean(a.Name, schemaNames(schema))),
				Subject: a.NameRange.Ptr(),
			})
			continue
		}
		v, valueDiags := a.Expr.Value(c.EvalContext)
		diags = append(diags, valueDiags...)
		if valueDiags.HasErrors() {
			set[a.Name] = true // it is set, wrongly; not missing as well
			continue
		}
		if !v.IsWhollyKnown() {
			set[a.Name] = true // reported where the unknown value came from
			continue
		}
		if v.IsNull() {
			continue
		}
		v, _ = v.UnmarkDeep()
		set[a.Name] = true
		value, d := pluginValue(a, spec.Type, v)
		if d != nil {
			diags = append(diags, d)
			continue
		}
		raw[a.Name] = value
	}
	for _, spec := range schema {
		if spec.Required && !set[spec.Name] {
			diags = append(diags, c.missingPluginAttribute(spec))
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	values, err := schema.ValidateValues(raw)
	if err != nil {
		// The decoding above makes every value of its attribute's type, so
		// this is a schema the SDK refuses, a bug in the plugin.
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid plugin config",
			Detail:   fmt.Sprintf("Plugin %q refused the config: %v.", c.Plugin, err),
			Subject:  c.PluginConfigRange("").Ptr(),
		})
	}
	return values, diags
}

// PluginConfigRange returns where a diagnostic about the config attribute
// called name belongs: the attribute's value when the config block sets
// it, otherwise the config block's opening brace, or the check block when
// it has no config block. An empty name means the config as a whole.
func (c *Check) PluginConfigRange(name string) hcl.Range {
	if c.PluginConfig == nil {
		return c.DeclRange
	}
	if name != "" {
		// JustAttributes reports blocks in the body; they were reported
		// when the config was decoded, so they are ignored here.
		attrs, _ := c.PluginConfig.JustAttributes()
		if a := attrs[name]; a != nil {
			return a.Expr.Range()
		}
	}
	if c.hasConfigBlock() {
		return c.PluginConfig.MissingItemRange()
	}
	return c.DeclRange
}

// hasConfigBlock reports whether the check has a config block in a file
// (Load gives a check without one an empty body, which has no position).
func (c *Check) hasConfigBlock() bool {
	return c.PluginConfig != nil && c.PluginConfig.MissingItemRange().Start.Line >= 1
}

// missingPluginAttribute is the diagnostic of a required attribute that the
// config block does not set.
func (c *Check) missingPluginAttribute(spec sdk.Attribute) *hcl.Diagnostic {
	what := spec.Type.String()
	if spec.Description != "" {
		what += ": " + spec.Description
	}
	where := "its config block"
	if !c.hasConfigBlock() {
		where = "a config block, which this check does not have"
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Missing required plugin attribute",
		Detail: fmt.Sprintf("Plugin %q requires %q (%s); set it in %s.",
			c.Plugin, spec.Name, what, where),
		Subject: c.PluginConfigRange("").Ptr(),
	}
}

// pluginValue converts an evaluated value to the Go type of an attribute
// type, as sdk.Values holds it.
func pluginValue(a *hcl.Attribute, t sdk.AttributeType, v cty.Value) (any, *hcl.Diagnostic) {
	switch t {
	case sdk.TypeString:
		s, d := stringValue(a, v)
		return s, d
	case sdk.TypeNumber:
		return numberValue(a, v)
	case sdk.TypeBool:
		b, d := boolValue(a, v)
		return b, d
	case sdk.TypeListOfString:
		l, d := stringListValue(a, v)
		return l, d
	case sdk.TypeMapOfString:
		m, d := stringMapValue(a, v)
		return m, d
	case sdk.TypeDuration:
		dur, d := durationValue(a, v, 0)
		return dur, d
	}
	return nil, attrError(a, "Invalid plugin schema",
		fmt.Sprintf("The plugin declares %s with %v, which vakt does not know.", a.Name, t))
}

// numberValue decodes a finite number.
func numberValue(a *hcl.Attribute, v cty.Value) (float64, *hcl.Diagnostic) {
	n, err := convert.Convert(v, cty.Number)
	if err != nil {
		return 0, attrError(a, "Invalid value",
			fmt.Sprintf("%s must be a number, not %s.", a.Name, describeValue(v)))
	}
	f, _ := n.AsBigFloat().Float64()
	if math.IsInf(f, 0) {
		return 0, attrError(a, "Invalid value", fmt.Sprintf("%s must be a finite number.", a.Name))
	}
	return f, nil
}

// describeValue names a value's kind; a string that is not a number is
// quoted, since it is what the author wrote where a number belongs.
func describeValue(v cty.Value) string {
	if v.Type() == cty.String && !v.IsNull() {
		return fmt.Sprintf("%q", v.AsString())
	}
	return describe(v)
}

// acceptedAttributes lists a schema's attribute names for a message.
func acceptedAttributes(schema sdk.Schema) string {
	names := schemaNames(schema)
	if len(names) == 0 {
		return "it accepts no attributes"
	}
	sort.Strings(names)
	return "it accepts " + joinAnd(names)
}

func schemaNames(schema sdk.Schema) []string {
	names := make([]string, len(schema))
	for i, a := range schema {
		names[i] = a.Name
	}
	return names
}
