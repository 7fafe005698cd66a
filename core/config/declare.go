package config

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// This file reads the top-level blocks of every file into declarations:
// variables, hosts, templates, defaults and check blocks. expand.go then
// turns check blocks into Checks.

// parsedFile is a file's body with where it lives.
type parsedFile struct {
	name string
	dir  string
	body hcl.Body
}

// The attributes of check, template and defaults blocks.
const (
	attrHost          = "host"
	attrHosts         = "hosts"
	attrHostTags      = "host_tags"
	attrTemplate      = "template"
	attrCommand       = "command"
	attrShell         = "shell"
	attrPlugin        = "plugin"
	attrPluginSHA256  = "plugin_sha256"
	attrInterval      = "interval"
	attrRetryInterval = "retry_interval"
	attrMaxAttempts   = "max_attempts"
	attrTimeout       = "timeout"
	attrTimeoutState  = "timeout_state"
	attrUnknownAs     = "unknown_as"
	attrOutputLimit   = "output_limit"
	attrTags          = "tags"
	blockConfig       = "config"
)

// targetGroup and runGroup are attributes that decide together: the
// nearest block that sets one of a group decides the whole group, and a
// block may set only one of it.
func targetGroup() []string { return []string{attrHost, attrHosts, attrHostTags} }
func runGroup() []string    { return []string{attrCommand, attrPlugin} }

// hostFields are the attributes of host.* in expressions.
func hostFields() []string { return []string{"name", "address", "tags", "parent"} }

func fileSchema() *hcl.BodySchema {
	return &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "host", LabelNames: []string{"name"}},
		{Type: "template", LabelNames: []string{"name"}},
		{Type: "defaults"},
		{Type: "check", LabelNames: []string{"name"}},
		{Type: "notifier", LabelNames: []string{"name"}},
		{Type: "timeperiod", LabelNames: []string{"name"}},
		{Type: "contact", LabelNames: []string{"name"}},
		{Type: "team", LabelNames: []string{"name"}},
		{Type: "route", LabelNames: []string{"name"}},
	}}
}

// suggestBlockTypes corrects hcl's suggestion for an unknown top-level
// block type, which is the first type close enough in schema order ("rout"
// got "host"), to the nearest one.
func suggestBlockTypes(diags hcl.Diagnostics) {
	var types []string
	for _, b := range fileSchema().Blocks {
		types = append(types, b.Type)
	}
	for _, d := range diags {
		rest, ok := strings.CutPrefix(d.Detail, "Blocks of type ")
		if d.Summary != "Unsupported block type" || !ok || !strings.Contains(rest, " Did you mean \"") {
			continue
		}
		given, err := strconv.QuotedPrefix(rest)
		if err != nil {
			continue
		}
		name, _ := strconv.Unquote(given)
		d.Detail = fmt.Sprintf("Blocks of type %q are not expected here.%s", name, didYouMean(name, types))
	}
}

func variableSchema() *hcl.BodySchema {
	return &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "default", Required: true},
		{Name: "description"},
	}}
}

func hostSchema() *hcl.BodySchema {
	return &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "address"}, {Name: "tags"}, {Name: "parent"},
	}}
}

// checkSchema is the schema of check, template and defaults blocks: a
// template or defaults block may set anything a check sets.
func checkSchema() *hcl.BodySchema {
	names := []string{
		attrHost, attrHosts, attrHostTags, attrTemplate, attrCommand, attrShell, attrPlugin, attrPluginSHA256,
		attrInterval, attrRetryInterval, attrMaxAttempts, attrTimeout, attrTimeoutState,
		attrUnknownAs, attrOutputLimit, attrTags, attrResults,
	}
	s := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: blockConfig}}}
	for _, n := range names {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: n})
	}
	return s
}

// blockKind says which of the three check-like blocks a block is.
type blockKind string

const (
	kindCheck    blockKind = "check"
	kindTemplate blockKind = "template"
	kindDefaults blockKind = "defaults"
)

// block is one check, template or defaults block: the attributes it sets
// itself, before anything is inherited.
type block struct {
	kind   blockKind
	name   string // the label; for defaults, the folder as written
	dir    string // the absolute folder of the file
	def    hcl.Range
	attrs  hcl.Attributes
	config *hcl.Block
	// parent is the template this block names, once resolved.
	parent *block
	// broken marks a block whose errors were reported already; checks
	// that inherit from it are skipped rather than reported again.
	broken bool
}

// attrInfo is what reference checking learnt about an attribute.
type attrInfo struct {
	usesHost bool // refers to host.*, so is evaluated per host
	bad      bool // refers to something that does not exist; not evaluated
}

// resolver holds the declarations while a configuration is decoded, and
// collects diagnostics.
type resolver struct {
	funcs map[string]function.Function
	diags hcl.Diagnostics

	vars    map[string]cty.Value
	varDecl map[string]hcl.Range
	varObj  cty.Value

	hosts     map[string]*Host
	hostOrder []*Host
	localhost *Host // the implicit localhost, once something uses it

	templates     map[string]*block
	templateOrder []*block
	defaults      map[string]*block // by absolute folder
	checks        []*block

	attrs    map[*hcl.Attribute]attrInfo
	contexts map[*Host]*hcl.EvalContext
	// values caches the value of each attribute that does not use host.*:
	// a template's or defaults block's interval is evaluated once, not
	// once per check that inherits it.
	values map[*hcl.Attribute]cachedValue
	// fields are checkFields(), made once.
	fields []field

	// roots are the folders and files Load was given, absolute: a
	// notification block's team is the first folder below its root.
	roots []string

	// syntaxErrors are the parser's errors: a block that contains one is
	// incomplete, so what it lacks is not reported again.
	syntaxErrors hcl.Diagnostics
}

func newResolver(lookupEnv func(string) (string, bool)) *resolver {
	return &resolver{
		funcs:     functions(lookupEnv),
		vars:      map[string]cty.Value{},
		varDecl:   map[string]hcl.Range{},
		hosts:     map[string]*Host{},
		templates: map[string]*block{},
		defaults:  map[string]*block{},
		attrs:     map[*hcl.Attribute]attrInfo{},
		contexts:  map[*Host]*hcl.EvalContext{},
		values:    map[*hcl.Attribute]cachedValue{},
		fields:    checkFields(),
	}
}

// cachedValue is an attribute's value and whether it was usable; its
// diagnostics were recorded when it was evaluated.
type cachedValue struct {
	v  cty.Value
	ok bool
}

// resolve decodes the files into a Config; r.diags holds what went wrong.
func (r *resolver) resolve(files []parsedFile) *Config {
	byType := map[string][]*hcl.Block{}
	dirs := map[*hcl.Block]string{}
	for _, f := range files {
		content, diags := f.body.Content(fileSchema())
		suggestBlockTypes(diags)
		r.diags = append(r.diags, diags...)
		if content == nil {
			continue
		}
		for _, b := range content.Blocks {
			byType[b.Type] = append(byType[b.Type], b)
			dirs[b] = f.dir
		}
	}
	// Each kind may refer only to kinds declared before it here.
	r.declareVariables(byType["variable"])
	r.declareHosts(byType["host"])
	for _, b := range byType["template"] {
		r.declareTemplate(b, dirs[b])
	}
	for _, b := range byType["defaults"] {
		r.declareDefaults(b, dirs[b])
	}
	for _, b := range byType["check"] {
		r.declareCheck(b, dirs[b])
	}
	r.linkTemplates()
	notify := r.declareNotifications(byType)
	cfg := r.expand()
	notify.apply(cfg)
	return cfg
}

// declareVariables reads variable blocks. A default may call functions but
// not refer to other variables.
func (r *resolver) declareVariables(blocks []*hcl.Block) {
	ctx := &hcl.EvalContext{Functions: r.funcs}
	for _, b := range blocks {
		name := b.Labels[0]
		content, diags := b.Body.Content(variableSchema())
		r.diags = append(r.diags, diags...)
		if !hclsyntax.ValidIdentifier(name) {
			r.errorAt(b.LabelRanges[0], "Invalid variable name",
				fmt.Sprintf("%q cannot be a variable name: use letters, digits, _ and -, starting with a letter, so that var.NAME can refer to it.", name))
			continue
		}
		if prev, dup := r.varDecl[name]; dup {
			r.errorAt(b.DefRange, "Duplicate variable",
				fmt.Sprintf("Variable %q is already declared at %s.", name, position(prev)))
			continue
		}
		r.varDecl[name] = b.DefRange
		// Until its default is known, a variable is unknown: expressions
		// that use it are skipped without another error.
		r.vars[name] = cty.DynamicVal
		if a := content.Attributes["description"]; a != nil {
			if v, ok := r.evaluate(a, ctx); ok {
				if _, d := stringValue(a, v); d != nil {
					r.diags = append(r.diags, d)
				}
			}
		}
		if a := content.Attributes["default"]; a != nil {
			if refs := a.Expr.Variables(); len(refs) > 0 {
				r.errorAt(refs[0].SourceRange(), "Variables not allowed",
					"A variable's default cannot use var.* or host.*; it may call functions, like env(\"NAME\", \"fallback\").")
			} else if v, ok := r.evaluate(a, ctx); ok {
				r.vars[name] = v
			}
		}
	}
	r.varObj = cty.ObjectVal(r.vars)
}

// declareHosts reads host blocks, then checks their parents.
func (r *resolver) declareHosts(blocks []*hcl.Block) {
	parents := map[*Host]*hcl.Attribute{}
	ctx := r.context(nil)
	for _, b := range blocks {
		name := b.Labels[0]
		content, diags := b.Body.Content(hostSchema())
		r.diags = append(r.diags, diags...)
		if err := checkHostName(name); err != nil {
			r.errorAt(b.LabelRanges[0], "Invalid host name", capitalize(err.Error())+".")
			continue
		}
		if prev, dup := r.hosts[name]; dup {
			r.errorAt(b.DefRange, "Duplicate host",
				fmt.Sprintf("Host %q is already declared at %s.", name, position(prev.DeclRange)))
			continue
		}
		h := &Host{Name: name, Address: name, Tags: map[string]string{}, DeclRange: b.DefRange}
		r.hosts[name] = h
		r.hostOrder = append(r.hostOrder, h)
		for _, a := range sortedAttributes(content.Attributes) {
			if !r.checkReferences(a, false) {
				continue
			}
			v, ok := r.evaluate(a, ctx)
			if !ok {
				continue
			}
			var d *hcl.Diagnostic
			switch a.Name {
			case "address":
				h.Address, d = stringValue(a, v)
				if d == nil && (h.Address == "" || strings.ContainsAny(h.Address, " \t\r\n")) {
					d = attrError(a, "Invalid address", fmt.Sprintf("Address %q is empty or contains white space.", h.Address))
				}
			case "tags":
				h.Tags, d = stringMapValue(a, v)
			case "parent":
				h.Parent, d = stringValue(a, v)
				parents[h] = a
			}
			if d != nil {
				r.diags = append(r.diags, d)
			}
		}
		if h.Tags == nil {
			h.Tags = map[string]string{}
		}
	}
	for _, h := range r.hostOrder {
		a := parents[h]
		if a == nil || h.Parent == "" {
			continue
		}
		if r.lookupHost(h.Parent, a.Expr.Range()) == nil {
			h.Parent = ""
		}
	}
	r.findParentCycles(parents)
}

// findParentCycles reports each cycle of host parents once, at the parent
// attribute that closes it.
func (r *resolver) findParentCycles(parents map[*Host]*hcl.Attribute) {
	parentOf := func(h *Host) (*Host, bool) {
		p := r.hosts[h.Parent]
		return p, p != nil
	}
	findCycles(r.hostOrder, parentOf, func(cycle []*Host) {
		names := make([]string, 0, len(cycle)+1)
		for _, h := range cycle {
			names = append(names, h.Name)
		}
		names = append(names, cycle[0].Name)
		r.errorAt(parents[cycle[len(cycle)-1]].Expr.Range(), "Parent cycle",
			fmt.Sprintf("Host %q is its own ancestor: %s.", cycle[0].Name, strings.Join(names, " -> ")))
	})
}

// findCycles follows next from each start and calls found once for each
// cycle, with its members in order from where the walk entered it; the last
// member's next is the first. Each node is walked through once.
func findCycles[T comparable](starts []T, next func(T) (T, bool), found func(cycle []T)) {
	done := map[T]bool{}
	for _, start := range starts {
		var path []T
		onPath := map[T]bool{}
		for n, ok := start, true; ok && !done[n]; n, ok = next(n) {
			if onPath[n] {
				found(path[slices.Index(path, n):])
				break
			}
			onPath[n] = true
			path = append(path, n)
		}
		for _, n := range path {
			done[n] = true
		}
	}
}

// lookupHost returns the host with that name, the implicit localhost, or
// nil after reporting an unknown host at rng.
func (r *resolver) lookupHost(name string, rng hcl.Range) *Host {
	if h := r.hosts[name]; h != nil {
		return h
	}
	if name == LocalhostName {
		if r.localhost == nil {
			r.localhost = &Host{Name: LocalhostName, Address: LocalhostAddress, Tags: map[string]string{}}
		}
		return r.localhost
	}
	names := make([]string, 0, len(r.hostOrder))
	for _, h := range r.hostOrder {
		names = append(names, h.Name)
	}
	r.errorAt(rng, "Unknown host",
		fmt.Sprintf("No host %q is declared.%s", name, didYouMean(name, names)))
	return nil
}

func (r *resolver) declareTemplate(b *hcl.Block, dir string) {
	name := b.Labels[0]
	blk := r.declareBlock(kindTemplate, name, b, dir)
	if err := checkLabel("template", name); err != nil {
		r.errorAt(b.LabelRanges[0], "Invalid template name", capitalize(err.Error())+".")
		return
	}
	if prev, dup := r.templates[name]; dup {
		r.errorAt(b.DefRange, "Duplicate template",
			fmt.Sprintf("Template %q is already declared at %s.", name, position(prev.def)))
		return
	}
	r.templates[name] = blk
	r.templateOrder = append(r.templateOrder, blk)
}

func (r *resolver) declareDefaults(b *hcl.Block, dir string) {
	folder := filepath.Dir(b.DefRange.Filename)
	blk := r.declareBlock(kindDefaults, folder, b, dir)
	if prev, dup := r.defaults[dir]; dup {
		r.errorAt(b.DefRange, "Duplicate defaults",
			fmt.Sprintf("The folder %s already has a defaults block at %s; a folder has at most one.", folder, position(prev.def)))
		return
	}
	r.defaults[dir] = blk
}

func (r *resolver) declareCheck(b *hcl.Block, dir string) {
	name := b.Labels[0]
	blk := r.declareBlock(kindCheck, name, b, dir)
	if err := checkLabel("check", name); err != nil {
		r.errorAt(b.LabelRanges[0], "Invalid check name", capitalize(err.Error())+".")
		return
	}
	r.checks = append(r.checks, blk)
}

// declareBlock reads the body of a check, template or defaults block and
// checks what can be checked without its inheritance: unknown attributes,
// references, and attributes that exclude each other.
func (r *resolver) declareBlock(kind blockKind, name string, b *hcl.Block, dir string) *block {
	content, diags := b.Body.Content(checkSchema())
	r.diags = append(r.diags, diags...)
	blk := &block{kind: kind, name: name, dir: dir, def: b.DefRange, attrs: hcl.Attributes{}}
	if content == nil {
		blk.broken = true
		return blk
	}
	blk.attrs = content.Attributes
	blk.broken = r.hasSyntaxError(b)
	for _, a := range blk.attrs {
		inTarget := slices.Contains(targetGroup(), a.Name) || a.Name == attrTemplate
		r.checkReferences(a, !inTarget)
	}
	for _, cb := range content.Blocks {
		if blk.config != nil {
			r.errorAt(cb.DefRange, "Duplicate config block",
				fmt.Sprintf("This block already has a config block at %s; merge them.", position(blk.config.DefRange)))
			continue
		}
		blk.config = cb
		r.checkBodyReferences(cb.Body, true)
	}
	r.checkExclusive(blk, targetGroup(), "host, hosts and host_tags each choose the hosts a check runs on; set only one of them.")
	r.checkExclusive(blk, runGroup(), "A check runs either a command or a plugin, not both.")
	return blk
}

// hasSyntaxError reports whether the parser found an error inside b.
func (r *resolver) hasSyntaxError(b *hcl.Block) bool {
	rng := b.DefRange
	if body, ok := b.Body.(*hclsyntax.Body); ok {
		rng = hcl.RangeBetween(rng, body.SrcRange)
	}
	for _, d := range r.syntaxErrors {
		// An error right at the end counts: the parser may stop a block
		// just where the error is.
		if d.Subject != nil && d.Subject.Filename == rng.Filename &&
			d.Subject.Start.Byte >= rng.Start.Byte && d.Subject.Start.Byte <= rng.End.Byte {
			return true
		}
	}
	return false
}

// checkExclusive reports a block that sets more than one attribute of a
// group, at the later one.
func (r *resolver) checkExclusive(blk *block, group []string, why string) {
	var set []*hcl.Attribute
	for _, name := range group {
		if a := blk.attrs[name]; a != nil {
			set = append(set, a)
		}
	}
	if len(set) < 2 {
		return
	}
	sort.Slice(set, func(i, j int) bool { return set[i].Range.Start.Byte < set[j].Range.Start.Byte })
	names := make([]string, len(set))
	for i, a := range set {
		names[i] = a.Name
	}
	both := "both"
	if len(set) > 2 {
		both = "all"
	}
	r.errorAt(set[1].NameRange, "Conflicting attributes",
		fmt.Sprintf("%s are %s set here. %s", joinAnd(names), both, why))
	blk.broken = true
}

// linkTemplates resolves the template attribute of every block, then
// breaks and reports template cycles.
func (r *resolver) linkTemplates() {
	var blocks []*block
	blocks = append(blocks, r.templateOrder...)
	for _, d := range r.defaults {
		blocks = append(blocks, d)
	}
	blocks = append(blocks, r.checks...)
	ctx := r.context(nil)
	names := make([]string, 0, len(r.templateOrder))
	for _, t := range r.templateOrder {
		names = append(names, t.name)
	}
	for _, blk := range blocks {
		a := blk.attrs[attrTemplate]
		if a == nil {
			continue
		}
		v, ok := r.value(a, nil, ctx)
		if !ok {
			blk.broken = true
			continue
		}
		name, d := stringValue(a, v)
		if d != nil {
			r.diags = append(r.diags, d)
			blk.broken = true
			continue
		}
		t := r.templates[name]
		if t == nil {
			r.errorAt(a.Expr.Range(), "Unknown template",
				fmt.Sprintf("No template %q is declared.%s", name, didYouMean(name, names)))
			blk.broken = true
			continue
		}
		blk.parent = t
	}
	r.findTemplateCycles()
}

// findTemplateCycles reports each cycle of templates once, at the template
// attribute that closes it, and marks the templates in it broken.
func (r *resolver) findTemplateCycles() {
	parentOf := func(b *block) (*block, bool) { return b.parent, b.parent != nil }
	findCycles(r.templateOrder, parentOf, func(cycle []*block) {
		names := make([]string, 0, len(cycle)+1)
		for _, t := range cycle {
			names = append(names, t.name)
			t.broken = true
		}
		names = append(names, cycle[0].name)
		last := cycle[len(cycle)-1]
		r.errorAt(last.attrs[attrTemplate].Expr.Range(), "Template cycle",
			fmt.Sprintf("Template %q uses itself: %s.", cycle[0].name, strings.Join(names, " -> ")))
		last.parent = nil
	})
}

// checkReferences checks the variables an expression refers to: var.NAME
// must be declared, and host.* is allowed only where allowHost says. It
// records what it found for the attribute and reports whether all is well.
func (r *resolver) checkReferences(a *hcl.Attribute, allowHost bool) bool {
	info := r.checkExprReferences(a.Expr, allowHost)
	r.attrs[a] = info
	return !info.bad
}

func (r *resolver) checkExprReferences(expr hcl.Expression, allowHost bool) attrInfo {
	var info attrInfo
	bad := func(rng hcl.Range, summary, detail string) {
		r.errorAt(rng, summary, detail)
		info.bad = true
	}
	for _, t := range expr.Variables() {
		rng := t.SourceRange()
		switch root := t.RootName(); root {
		case "var":
			name, ok := traversalStep(t, 1)
			if !ok {
				bad(rng, "Incomplete reference", "Refer to a variable by name, like var.port.")
				continue
			}
			if _, declared := r.vars[name]; !declared {
				names := make([]string, 0, len(r.vars))
				for n := range r.vars {
					names = append(names, n)
				}
				bad(rng, "Unknown variable",
					fmt.Sprintf("No variable %q is declared; declare it with variable %q { default = ... }.%s", name, name, didYouMeanVar(name, names)))
			}
		case "host":
			if !allowHost {
				bad(rng, "Host not available here",
					"host.* is the host a check runs on; check, template and defaults blocks may use it, except in host, hosts, host_tags and template.")
				continue
			}
			info.usesHost = true
			if name, ok := traversalStep(t, 1); ok && !slices.Contains(hostFields(), name) {
				bad(rng, "Unsupported host attribute",
					fmt.Sprintf("A host has no attribute %q; it has %s.%s", name, joinAnd(hostFields()), didYouMean(name, hostFields())))
			}
		default:
			detail := fmt.Sprintf("There is no variable named %q. Variables are var.NAME; the check's host is host.name, host.address, host.tags.KEY and host.parent.", root)
			if _, ok := r.vars[root]; ok {
				detail += fmt.Sprintf(" Did you mean var.%s?", root)
			}
			bad(rng, "Unknown variable", detail)
		}
	}
	return info
}

// checkBodyReferences checks the references in a config block, whose
// schema only its plugin knows; allowHost says whether host.* is allowed.
func (r *resolver) checkBodyReferences(body hcl.Body, allowHost bool) {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return
	}
	for _, a := range sb.Attributes {
		r.checkExprReferences(a.Expr, allowHost)
	}
	for _, b := range sb.Blocks {
		r.checkBodyReferences(b.Body, allowHost)
	}
}

// traversalStep returns the name at step i of a traversal: .name or
// ["name"].
func traversalStep(t hcl.Traversal, i int) (string, bool) {
	if len(t) <= i {
		return "", false
	}
	switch s := t[i].(type) {
	case hcl.TraverseAttr:
		return s.Name, true
	case hcl.TraverseIndex:
		if s.Key.Type() == cty.String && s.Key.IsKnown() && !s.Key.IsNull() {
			return s.Key.AsString(), true
		}
	}
	return "", false
}

// context returns the evaluation context for expressions: var, the
// functions, and host when h is not nil.
func (r *resolver) context(h *Host) *hcl.EvalContext {
	if ctx := r.contexts[h]; ctx != nil {
		return ctx
	}
	vars := map[string]cty.Value{"var": r.varObj}
	if h != nil {
		tags := map[string]cty.Value{}
		for k, v := range h.Tags {
			tags[k] = cty.StringVal(v)
		}
		tagsVal := cty.MapValEmpty(cty.String)
		if len(tags) > 0 {
			tagsVal = cty.MapVal(tags)
		}
		vars["host"] = cty.ObjectVal(map[string]cty.Value{
			"name":    cty.StringVal(h.Name),
			"address": cty.StringVal(h.Address),
			"tags":    tagsVal,
			"parent":  cty.StringVal(h.Parent),
		})
	}
	ctx := &hcl.EvalContext{Variables: vars, Functions: r.funcs}
	r.contexts[h] = ctx
	return ctx
}

// evaluate evaluates an attribute. A value that is not known (it uses a
// variable whose default failed) or null is not usable; only null is
// reported, the unknown value was reported where it failed.
func (r *resolver) evaluate(a *hcl.Attribute, ctx *hcl.EvalContext) (cty.Value, bool) {
	v, diags := a.Expr.Value(ctx)
	r.diags = append(r.diags, diags...)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	if v.IsNull() {
		r.diags = append(r.diags, attrError(a, "Missing value", fmt.Sprintf("%s must not be null.", a.Name)))
		return cty.NilVal, false
	}
	v, _ = v.UnmarkDeep()
	return v, true
}

// value evaluates an attribute of a check, template or defaults block for
// host h (nil: for no host), unless its references were bad. Diagnostics of
// an attribute that uses host.* name the host.
func (r *resolver) value(a *hcl.Attribute, h *Host, ctx *hcl.EvalContext) (cty.Value, bool) {
	info := r.attrs[a]
	if info.bad {
		return cty.NilVal, false
	}
	if !info.usesHost {
		// The same for every host: evaluated once.
		if c, done := r.values[a]; done {
			return c.v, c.ok
		}
		v, ok := r.evaluate(a, ctx)
		r.values[a] = cachedValue{v, ok}
		return v, ok
	}
	if h == nil {
		return r.evaluate(a, ctx)
	}
	mark := len(r.diags)
	v, ok := r.evaluate(a, ctx)
	r.forHost(mark, h)
	return v, ok
}

// decode evaluates an attribute for host h and hands the value to fn, which
// decodes it. It reports whether both went well; fn's diagnostic, if any,
// is recorded naming the host when the attribute uses host.*.
func (r *resolver) decode(a *hcl.Attribute, h *Host, ctx *hcl.EvalContext, fn func(cty.Value) *hcl.Diagnostic) bool {
	v, ok := r.value(a, h, ctx)
	if !ok {
		return false
	}
	d := fn(v)
	if d == nil {
		return true
	}
	mark := len(r.diags)
	r.diags = append(r.diags, d)
	if h != nil && r.attrs[a].usesHost {
		r.forHost(mark, h)
	}
	return false
}

// forHost adds the host's name to the diagnostics from index mark on, so
// that an error evaluated for several hosts says for which.
func (r *resolver) forHost(mark int, h *Host) {
	for _, d := range r.diags[mark:] {
		d.Detail = strings.TrimSpace(d.Detail + fmt.Sprintf(" (for host %q)", h.Name))
	}
}

func (r *resolver) errorAt(rng hcl.Range, summary, detail string) {
	r.diags = append(r.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   detail,
		Subject:  rng.Ptr(),
	})
}

// sortedAttributes returns attributes in source order.
func sortedAttributes(attrs hcl.Attributes) []*hcl.Attribute {
	list := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Range.Start.Byte < list[j].Range.Start.Byte })
	return list
}

// position writes where a range starts: file:line:column.
func position(rng hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", rng.Filename, rng.Start.Line, rng.Start.Column)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// joinAnd writes "a", "a and b", "a, b and c".
func joinAnd(list []string) string {
	if len(list) <= 1 {
		return strings.Join(list, "")
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}
