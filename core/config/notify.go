package config

import (
	"errors"
	"fmt"
	"net/mail"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/timeperiod"
	"github.com/vakt/vakt/plugins/sdk"
)

// This file reads the notification language: notifier, timeperiod,
// contact, team and route blocks (see "Notifications" in the package
// documentation). It decodes and checks them; nothing here sends anything.

// The built-in defaults of a route, as Nagios Core has them.
const (
	// DefaultRepeat is a route's repeat when it sets none: Nagios'
	// notification_interval defaults to 30 minutes.
	DefaultRepeat = 30 * time.Minute
	// MinRepeat is the shortest repeat other than 0 (once).
	MinRepeat = time.Minute
	// MaxAfterNotifications bounds escalate's after_notifications.
	MaxAfterNotifications = 10000
)

// Notifier is a notifier block: a notifier plugin and its config.
type Notifier struct {
	// Name is the block's label; routes refer to it.
	Name string
	// Plugin names the notifier plugin ("email", "sms", "webhook", ...);
	// PluginRange is where it is set.
	Plugin      string
	PluginRange hcl.Range
	// Config is the config block, left undecoded because only the plugin
	// knows its schema: an empty body when the block has none. Decode it
	// with DecodeConfig, or with EvalContext (var and the functions).
	Config      hcl.Body
	EvalContext *hcl.EvalContext
	// DeclRange is the notifier block's header.
	DeclRange hcl.Range
}

// DecodeConfig decodes the notifier's config block against its plugin's
// schema, as Check.DecodePluginConfig does for a check.
func (n *Notifier) DecodeConfig(schema sdk.Schema) (sdk.Values, hcl.Diagnostics) {
	c := &Check{Name: n.Name, Plugin: n.Plugin, PluginConfig: n.Config, EvalContext: n.EvalContext, DeclRange: n.DeclRange}
	return c.DecodePluginConfig(schema)
}

// TimePeriod is a timeperiod block.
type TimePeriod struct {
	Name string
	// Spec is the block as written; Period is it parsed, its exclusions
	// resolved (the same as Config.TimePeriodSet.Get(Name)).
	Spec      timeperiod.Spec
	Period    *timeperiod.TimePeriod
	DeclRange hcl.Range
}

// Contact is a contact block: a person or a shared address that routes
// send to.
type Contact struct {
	Name string
	// FullName is how messages address the contact; Email and Phone are
	// where the email and sms notifiers send; Addresses holds addresses
	// for other notifiers by a key of the user's choosing. Never nil.
	FullName, Email, Phone string
	Addresses              map[string]string
	// Folder is the folder of the file that declares the contact, as
	// written; Team is the first folder below the checks.d root that
	// holds that file ("" for a file at the top), as for checks.
	Folder, Team string
	DeclRange    hcl.Range
}

// Team is a team block: a named group of contacts.
type Team struct {
	Name string
	// Members name contacts, in the order written.
	Members      []string
	Folder, Team string // as for Contact
	DeclRange    hcl.Range
}

// Route is a route block. Routes are tried in Config.Routes order; the
// first that matches a notification decides, unless it has Continue.
type Route struct {
	Name  string
	Match RouteMatch
	// During and NotDuring name a time period in which the route applies,
	// or outside of which; at most one is set.
	During, NotDuring string
	// Notifiers name the notifiers that send (at least one); To names the
	// contacts and teams they send to (may be empty: a webhook needs
	// nobody).
	Notifiers []string
	To        []string
	// Repeat is how often a lasting problem is sent again; 0 sends it
	// once. FirstDelay holds the first notification back (Nagios'
	// first_notification_delay).
	Repeat, FirstDelay time.Duration
	// Escalations are the escalate blocks in order.
	Escalations []Escalation
	// Fallback names notifiers that send when one of Notifiers cannot.
	Fallback []string
	// Continue: later routes are tried too when this one matches.
	Continue bool
	// Folder and Team are as for Contact. A route in a team folder (Team
	// not "") applies to the checks of that team only.
	Folder, Team string
	DeclRange    hcl.Range
}

// RouteMatch is a route's match block. What it does not set matches
// anything; what it sets must all match.
type RouteMatch struct {
	// Level is LevelWarning or LevelError, or LevelOK for any level.
	Level check.Level
	// Check and Host are shell patterns (path.Match: *, ?, [a-z]) on the
	// check's name and its host's name.
	Check, Host string
	// Tags must all be among the check's tags. Never nil.
	Tags map[string]string
	// Team is the check's team (the first folder below checks.d).
	Team string
}

// Matches reports whether a notification about a check with these
// properties matches the route: its match block, and, for a route in a
// team folder, the check's team. Time periods are not considered.
func (r *Route) Matches(level check.Level, host, checkName string, tags map[string]string, team string) bool {
	m := &r.Match
	switch {
	case r.Team != "" && team != r.Team,
		m.Level != check.LevelOK && level != m.Level,
		m.Team != "" && team != m.Team,
		m.Check != "" && !globMatch(m.Check, checkName),
		m.Host != "" && !globMatch(m.Host, host):
		return false
	}
	for k, v := range m.Tags {
		if got, ok := tags[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func globMatch(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return ok && err == nil
}

// Escalation is an escalate block: after AfterNotifications notifications,
// or After unacknowledged (exactly one is set), Add adds recipients or
// Replace replaces them (exactly one is set).
type Escalation struct {
	AfterNotifications int
	After              time.Duration
	Add, Replace       []string
	DeclRange          hcl.Range
}

func notifierSchema() *hcl.BodySchema {
	return &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: attrPlugin, Required: true}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: blockConfig}},
	}
}

func timeperiodSchema() *hcl.BodySchema {
	return attributesSchema("time_zone", "weekdays", "dates", "holidays", "exclude")
}

func contactSchema() *hcl.BodySchema {
	return attributesSchema("full_name", "email", "phone", "addresses")
}

func teamSchema() *hcl.BodySchema {
	return &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "members", Required: true}}}
}

func routeSchema() *hcl.BodySchema {
	s := attributesSchema("during", "not_during", "notifiers", "to", "repeat", "first_delay", "fallback", "continue")
	s.Blocks = []hcl.BlockHeaderSchema{{Type: "match"}, {Type: "escalate"}}
	return s
}

func matchSchema() *hcl.BodySchema {
	return attributesSchema("level", "check", "host", "tags", "team")
}

func escalateSchema() *hcl.BodySchema {
	return attributesSchema("after_notifications", "after", "add", "replace")
}

func attributesSchema(names ...string) *hcl.BodySchema {
	s := &hcl.BodySchema{}
	for _, n := range names {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: n})
	}
	return s
}

// notifications holds the notification blocks while they are decoded.
type notifications struct {
	notifiers   map[string]*Notifier
	declared    map[string]map[string]hcl.Range // by kind: notifier, time period
	periods     map[string]*TimePeriod
	periodAttrs map[string]hcl.Attributes
	periodOrder []*TimePeriod
	periodSet   *timeperiod.Set
	contacts    map[string]*Contact
	teams       map[string]*Team
	// recipients are contacts and teams, which share names.
	recipients map[string]hcl.Range
	routes     []*Route
	routeNames map[string]hcl.Range
}

// nameRef is a name that refers to another block, and where it is written.
type nameRef struct {
	name string
	rng  hcl.Range
}

// routeRefs are the references of a route, checked once all is declared.
type routeRefs struct {
	route                     *Route
	during, notDuring         *nameRef
	notifiers, fallback, to   []nameRef
	escalations               [][]nameRef
	matchTeam                 *nameRef
	notifiersAttr, blockBroke bool
}

type teamRefs struct {
	team    *Team
	members []nameRef
}

// declareNotifications reads the notification blocks and checks their
// references to one another; it runs after the variables are declared.
func (r *resolver) declareNotifications(byType map[string][]*hcl.Block) *notifications {
	n := &notifications{
		notifiers:   map[string]*Notifier{},
		declared:    map[string]map[string]hcl.Range{"notifier": {}, "time period": {}},
		periods:     map[string]*TimePeriod{},
		periodAttrs: map[string]hcl.Attributes{},
		contacts:    map[string]*Contact{},
		teams:       map[string]*Team{},
		recipients:  map[string]hcl.Range{},
		routeNames:  map[string]hcl.Range{},
	}
	for _, b := range byType["notifier"] {
		r.declareNotifier(n, b)
	}
	for _, b := range byType["timeperiod"] {
		r.declareTimePeriod(n, b)
	}
	r.buildPeriods(n)
	for _, b := range byType["contact"] {
		r.declareContact(n, b)
	}
	var teams []teamRefs
	for _, b := range byType["team"] {
		if t, ok := r.declareTeam(n, b); ok {
			teams = append(teams, t)
		}
	}
	var routes []routeRefs
	for _, b := range byType["route"] {
		routes = append(routes, r.declareRoute(n, b))
	}
	for _, t := range teams {
		for _, m := range t.members {
			if c := n.contacts[m.name]; c != nil {
				r.checkTeamScope(m, c.Team, c.DeclRange, "contact", t.team.Team)
				continue
			}
			what := fmt.Sprintf("No contact %q is declared.", m.name)
			if _, isTeam := n.teams[m.name]; isTeam {
				what = fmt.Sprintf("%q is a team; a team's members are contacts.", m.name)
			}
			r.errorAt(m.rng, "Unknown contact", what+didYouMean(m.name, mapKeys(n.contacts)))
		}
	}
	for _, rr := range routes {
		r.checkRouteRefs(n, rr)
	}
	return n
}

// declaredOnce checks a block's label and that no block of its kind has it
// already; it reports and returns false when either fails.
func (r *resolver) declaredOnce(b *hcl.Block, kind string, names map[string]hcl.Range) bool {
	name := b.Labels[0]
	if err := checkLabel(kind, name); err != nil {
		r.errorAt(b.LabelRanges[0], "Invalid "+kind+" name", capitalize(err.Error())+".")
		return false
	}
	if prev, dup := names[name]; dup {
		r.errorAt(b.DefRange, "Duplicate "+kind,
			fmt.Sprintf("%s %q is already declared at %s.", capitalize(kind), name, position(prev)))
		return false
	}
	names[name] = b.DefRange
	return true
}

func (r *resolver) declareNotifier(n *notifications, b *hcl.Block) {
	content, diags := b.Body.Content(notifierSchema())
	r.diags = append(r.diags, diags...)
	if !r.declaredOnce(b, "notifier", n.declared["notifier"]) {
		return
	}
	nf := &Notifier{Name: b.Labels[0], Config: hcl.EmptyBody(), EvalContext: r.context(nil), DeclRange: b.DefRange}
	n.notifiers[nf.Name] = nf
	if content == nil {
		return
	}
	if a := content.Attributes[attrPlugin]; a != nil {
		if s, ok := decodeAttr(r, a, stringValue); ok {
			if !validPluginName(s) {
				r.errorAt(a.Expr.Range(), "Invalid plugin name",
					fmt.Sprintf("%q cannot name a plugin: use letters, digits, _, - and ., starting with a letter or digit, like \"email\".", s))
			}
			nf.Plugin, nf.PluginRange = s, a.Expr.Range()
		}
	}
	var config *hcl.Block
	for _, cb := range content.Blocks {
		if config != nil {
			r.errorAt(cb.DefRange, "Duplicate config block",
				fmt.Sprintf("This block already has a config block at %s; merge them.", position(config.DefRange)))
			continue
		}
		config = cb
		nf.Config = cb.Body
		mark := len(r.diags)
		r.checkBodyReferences(cb.Body, false)
		r.noHostInNotifications(mark)
	}
}

func (r *resolver) declareTimePeriod(n *notifications, b *hcl.Block) {
	content, diags := b.Body.Content(timeperiodSchema())
	r.diags = append(r.diags, diags...)
	if !r.declaredOnce(b, "time period", n.declared["time period"]) {
		return
	}
	p := &TimePeriod{Name: b.Labels[0], Spec: timeperiod.Spec{Name: b.Labels[0]}, DeclRange: b.DefRange}
	n.periods[p.Name] = p
	n.periodOrder = append(n.periodOrder, p)
	if content == nil {
		return
	}
	n.periodAttrs[p.Name] = content.Attributes
	for _, a := range sortedAttributes(content.Attributes) {
		switch a.Name {
		case "time_zone":
			p.Spec.TimeZone, _ = decodeAttr(r, a, stringValue)
		case "weekdays":
			p.Spec.Weekdays, _ = decodeAttr(r, a, rangesMapValue)
		case "dates":
			p.Spec.Dates, _ = decodeAttr(r, a, rangesMapValue)
		case "holidays":
			p.Spec.Holidays, _ = decodeAttr(r, a, stringListValue)
		case "exclude":
			p.Spec.Exclude, _ = decodeAttr(r, a, stringListValue)
		}
	}
}

// buildPeriods validates the time periods together, as timeperiod.NewSet
// does, and reports its errors at the attributes they are about.
func (r *resolver) buildPeriods(n *notifications) {
	specs := make([]timeperiod.Spec, 0, len(n.periodOrder))
	for _, p := range n.periodOrder {
		specs = append(specs, p.Spec)
	}
	set, err := timeperiod.NewSet(specs...)
	if err != nil {
		for _, e := range flattenErrors(err) {
			r.periodError(n, e)
		}
		return
	}
	n.periodSet = set
	for _, p := range n.periodOrder {
		p.Period, _ = set.Get(p.Name)
	}
}

// flattenErrors undoes errors.Join, recursively.
func flattenErrors(err error) []error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range joined.Unwrap() {
			out = append(out, flattenErrors(e)...)
		}
		return out
	}
	return []error{err}
}

// periodError reports an error of timeperiod.NewSet at what it is about:
// the value in a list, the key or the value in a map, or the attribute.
func (r *resolver) periodError(n *notifications, err error) {
	var e *timeperiod.Error
	p := (*TimePeriod)(nil)
	if errors.As(err, &e) {
		p = n.periods[e.Period]
	}
	if p == nil {
		// Not one of ours; cannot happen, but do not lose it.
		r.diags = append(r.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid time period", Detail: capitalize(err.Error()) + "."})
		return
	}
	rng := p.DeclRange
	if a := n.periodAttrs[p.Name][e.Field]; a != nil {
		rng = r.periodValueRange(a, e.Key, e.Value)
	}
	summary := "Invalid time period"
	detail := fmt.Sprintf("Time period %q: %s", p.Name, e.Field)
	if e.Key != "" {
		detail += fmt.Sprintf("[%q]", e.Key)
	}
	detail += fmt.Sprintf(": %q: %s", e.Value, e.Reason)
	if e.Err != nil {
		detail += ": " + e.Err.Error()
	}
	detail += "."
	switch {
	case e.Field == "exclude" && strings.HasPrefix(e.Reason, "exclusion cycle"):
		summary = "Time period exclusion cycle"
	case e.Field == "exclude" && e.Reason == "no time period of that name":
		summary = "Unknown time period"
		detail = fmt.Sprintf("No time period %q is declared.%s", e.Value, didYouMean(e.Value, mapKeys(n.periods)))
	}
	r.errorAt(rng, summary, detail)
}

// periodValueRange finds, in a timeperiod attribute, the key or the list
// element that an error names; the whole value when it cannot.
func (r *resolver) periodValueRange(a *hcl.Attribute, key, value string) hcl.Range {
	expr := a.Expr
	if obj, ok := expr.(*hclsyntax.ObjectConsExpr); ok {
		for _, item := range obj.Items {
			k, diags := item.KeyExpr.Value(nil)
			if diags.HasErrors() || k.Type() != cty.String || !k.IsKnown() || k.IsNull() {
				continue
			}
			switch {
			case key == "" && k.AsString() == value:
				return item.KeyExpr.Range()
			case key != "" && k.AsString() == key:
				expr = item.ValueExpr
			}
		}
		if expr == a.Expr {
			return a.Expr.Range()
		}
	}
	if tuple, ok := expr.(*hclsyntax.TupleConsExpr); ok {
		for _, e := range tuple.Exprs {
			v, diags := e.Value(r.context(nil))
			if !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() &&
				strings.Contains(v.AsString(), value) {
				return e.Range()
			}
		}
	}
	return expr.Range()
}

// rangesMapValue decodes weekdays and dates: a map of lists of time
// ranges; one string stands for a list of one.
func rangesMapValue(a *hcl.Attribute, v cty.Value) (map[string][]string, *hcl.Diagnostic) {
	ty := v.Type()
	if !ty.IsObjectType() && !ty.IsMapType() {
		return nil, attrError(a, "Invalid value",
			fmt.Sprintf("%s must be a map of lists of time ranges, like { \"monday-friday\" = [\"08:00-17:00\"] }, not %s.", a.Name, typeName(ty)))
	}
	m := make(map[string][]string, v.LengthInt())
	for k, e := range v.AsValueMap() {
		if !e.IsNull() && e.Type() == cty.String {
			m[k] = []string{e.AsString()}
			continue
		}
		if e.IsNull() || (!e.Type().IsTupleType() && !e.Type().IsListType()) {
			return nil, attrError(a, "Invalid value",
				fmt.Sprintf("%s[%q] must be a list of time ranges, like [\"08:00-12:00\", \"13:00-17:00\"], not %s.", a.Name, k, describe(e)))
		}
		list := make([]string, 0, e.LengthInt())
		for i, r := range e.AsValueSlice() {
			if r.IsNull() || r.Type() != cty.String {
				return nil, attrError(a, "Invalid value",
					fmt.Sprintf("%s[%q][%d] must be a string, like \"08:00-17:00\", not %s.", a.Name, k, i, describe(r)))
			}
			list = append(list, r.AsString())
		}
		m[k] = list
	}
	return m, nil
}

func (r *resolver) declareContact(n *notifications, b *hcl.Block) {
	content, diags := b.Body.Content(contactSchema())
	r.diags = append(r.diags, diags...)
	if !r.declaredRecipient(n, b, "contact") {
		return
	}
	folder, team := r.folderOf(b.DefRange)
	c := &Contact{Name: b.Labels[0], Addresses: map[string]string{}, Folder: folder, Team: team, DeclRange: b.DefRange}
	n.contacts[c.Name] = c
	if content == nil {
		return
	}
	for _, a := range sortedAttributes(content.Attributes) {
		switch a.Name {
		case "full_name":
			c.FullName, _ = decodeAttr(r, a, stringValue)
		case "email":
			c.Email, _ = decodeAttr(r, a, emailValue)
		case "phone":
			c.Phone, _ = decodeAttr(r, a, phoneValue)
		case "addresses":
			if m, ok := decodeAttr(r, a, stringMapValue); ok {
				c.Addresses = m
			}
		}
	}
	if len(content.Attributes) == 0 && !r.hasSyntaxError(b) {
		r.errorAt(b.DefRange, "Contact without address",
			fmt.Sprintf("Contact %q has no email, phone or addresses: nothing can reach it.", c.Name))
	}
}

// declaredRecipient checks the label of a contact or team, which share
// names.
func (r *resolver) declaredRecipient(n *notifications, b *hcl.Block, kind string) bool {
	name := b.Labels[0]
	if err := checkLabel(kind, name); err != nil {
		r.errorAt(b.LabelRanges[0], "Invalid "+kind+" name", capitalize(err.Error())+".")
		return false
	}
	if prev, dup := n.recipients[name]; dup {
		what := "contact"
		if _, isTeam := n.teams[name]; isTeam {
			what = "team"
		}
		r.errorAt(b.DefRange, "Duplicate "+kind,
			fmt.Sprintf("A %s %q is already declared at %s; contacts and teams share names, because routes send to either.", what, name, position(prev)))
		return false
	}
	n.recipients[name] = b.DefRange
	return true
}

func emailValue(a *hcl.Attribute, v cty.Value) (string, *hcl.Diagnostic) {
	s, d := stringValue(a, v)
	if d != nil {
		return "", d
	}
	if _, err := mail.ParseAddress(s); err != nil {
		return "", attrError(a, "Invalid email address",
			fmt.Sprintf("%q is not a mail address, like \"ops@example.com\" or \"Kari Nordmann <kari@example.com>\".", s))
	}
	return s, nil
}

// phoneValue decodes a phone number: digits, led by an optional +, with
// spaces, dashes, dots and parentheses between them.
func phoneValue(a *hcl.Attribute, v cty.Value) (string, *hcl.Diagnostic) {
	s, d := stringValue(a, v)
	if d != nil {
		return "", d
	}
	digits := 0
	ok := true
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && i == 0, c == ' ', c == '-', c == '.', c == '(', c == ')':
		default:
			ok = false
		}
	}
	if !ok || digits < 3 {
		return "", attrError(a, "Invalid phone number",
			fmt.Sprintf("%q is not a phone number: write digits, led by + and the country code, like \"+47 912 34 567\".", s))
	}
	return s, nil
}

func (r *resolver) declareTeam(n *notifications, b *hcl.Block) (teamRefs, bool) {
	content, diags := b.Body.Content(teamSchema())
	r.diags = append(r.diags, diags...)
	if !r.declaredRecipient(n, b, "team") {
		return teamRefs{}, false
	}
	folder, team := r.folderOf(b.DefRange)
	t := &Team{Name: b.Labels[0], Folder: folder, Team: team, DeclRange: b.DefRange}
	n.teams[t.Name] = t
	refs := teamRefs{team: t}
	if content == nil {
		return refs, true
	}
	if a := content.Attributes["members"]; a != nil {
		refs.members, t.Members = r.nameList(a)
	}
	return refs, true
}

// nameList decodes a list of names, and where each is written.
func (r *resolver) nameList(a *hcl.Attribute) ([]nameRef, []string) {
	list, ok := decodeAttr(r, a, stringListValue)
	if !ok {
		return nil, nil
	}
	refs := make([]nameRef, len(list))
	for i, name := range list {
		refs[i] = nameRef{name: name, rng: elementRange(a, i)}
	}
	return refs, list
}

// elementRange is where element i of a list attribute is written, or the
// whole value when it is not a literal list.
func elementRange(a *hcl.Attribute, i int) hcl.Range {
	if t, ok := a.Expr.(*hclsyntax.TupleConsExpr); ok && i < len(t.Exprs) {
		return t.Exprs[i].Range()
	}
	return a.Expr.Range()
}

func (r *resolver) declareRoute(n *notifications, b *hcl.Block) routeRefs {
	content, diags := b.Body.Content(routeSchema())
	r.diags = append(r.diags, diags...)
	folder, team := r.folderOf(b.DefRange)
	rt := &Route{Name: b.Labels[0], Repeat: DefaultRepeat, Match: RouteMatch{Tags: map[string]string{}},
		Folder: folder, Team: team, DeclRange: b.DefRange}
	refs := routeRefs{route: rt}
	if !r.declaredOnce(b, "route", n.routeNames) {
		return refs
	}
	n.routes = append(n.routes, rt)
	if content == nil {
		refs.blockBroke = true
		return refs
	}
	refs.blockBroke = r.hasSyntaxError(b)
	attrs := content.Attributes
	for _, a := range sortedAttributes(attrs) {
		switch a.Name {
		case "during", "not_during":
			if s, ok := decodeAttr(r, a, stringValue); ok {
				ref := &nameRef{name: s, rng: a.Expr.Range()}
				if a.Name == "during" {
					rt.During, refs.during = s, ref
				} else {
					rt.NotDuring, refs.notDuring = s, ref
				}
			}
		case "notifiers":
			refs.notifiersAttr = true
			refs.notifiers, rt.Notifiers = r.nameList(a)
		case "to":
			refs.to, rt.To = r.nameList(a)
		case "fallback":
			refs.fallback, rt.Fallback = r.nameList(a)
		case "repeat":
			rt.Repeat, _ = decodeAttr(r, a, repeatValue)
		case "first_delay":
			rt.FirstDelay, _ = decodeAttr(r, a, func(a *hcl.Attribute, v cty.Value) (time.Duration, *hcl.Diagnostic) {
				return durationValue(a, v, 0)
			})
		case "continue":
			rt.Continue, _ = decodeAttr(r, a, boolValue)
		}
	}
	if d, nd := attrs["during"], attrs["not_during"]; d != nil && nd != nil {
		later := nd
		if d.Range.Start.Byte > nd.Range.Start.Byte {
			later = d
		}
		r.errorAt(later.NameRange, "Conflicting attributes",
			"during and not_during are both set here. A route applies during a time period or outside of one; for both, declare a time period that excludes the other.")
	}
	if !refs.notifiersAttr && !refs.blockBroke {
		r.errorAt(b.DefRange, "Route without notifiers",
			fmt.Sprintf("Route %q sends nothing: set notifiers = [\"NAME\", ...] to the notifiers it sends with.", rt.Name))
	} else if a := attrs["notifiers"]; a != nil && rt.Notifiers != nil && len(rt.Notifiers) == 0 {
		r.errorAt(a.Expr.Range(), "Route without notifiers",
			fmt.Sprintf("Route %q sends nothing: notifiers names the notifiers it sends with, at least one.", rt.Name))
	}
	var match *hcl.Block
	var lastAfter, lastCount *hcl.Attribute
	var lastAfterV time.Duration
	var lastCountV int
	for _, sub := range content.Blocks {
		switch sub.Type {
		case "match":
			if match != nil {
				r.errorAt(sub.DefRange, "Duplicate match block",
					fmt.Sprintf("This route already has a match block at %s; put all conditions in one.", position(match.DefRange)))
				continue
			}
			match = sub
			refs.matchTeam = r.decodeMatch(&rt.Match, sub)
		case "escalate":
			esc, names, body := r.decodeEscalation(sub)
			rt.Escalations = append(rt.Escalations, esc)
			refs.escalations = append(refs.escalations, names)
			if a := body["after"]; a != nil && esc.After > 0 {
				if lastAfter != nil && esc.After <= lastAfterV {
					r.errorAt(a.Expr.Range(), "Escalation out of order",
						fmt.Sprintf("This step escalates after %s, but the step before it, at %s, already escalates after %s: write the steps in the order they happen.",
							formatDuration(esc.After), position(lastAfter.Expr.Range()), formatDuration(lastAfterV)))
				}
				lastAfter, lastAfterV = a, esc.After
			}
			if a := body["after_notifications"]; a != nil && esc.AfterNotifications > 0 {
				if lastCount != nil && esc.AfterNotifications <= lastCountV {
					r.errorAt(a.Expr.Range(), "Escalation out of order",
						fmt.Sprintf("This step escalates after %d notifications, but the step before it, at %s, already escalates after %d: write the steps in the order they happen.",
							esc.AfterNotifications, position(lastCount.Expr.Range()), lastCountV))
				}
				lastCount, lastCountV = a, esc.AfterNotifications
			}
		}
	}
	return refs
}

// repeatValue decodes repeat: a duration of at least MinRepeat, or 0
// (written 0, "0" or "0s") for once.
func repeatValue(a *hcl.Attribute, v cty.Value) (time.Duration, *hcl.Diagnostic) {
	if v.Type() == cty.Number && v.Equals(cty.Zero).True() {
		return 0, nil
	}
	d, diag := durationValue(a, v, 0)
	if diag != nil {
		return 0, diag
	}
	if d != 0 && d < MinRepeat {
		return 0, attrError(a, "Duration too short",
			fmt.Sprintf("repeat must be at least %s, or 0 to send once, not %q.", formatDuration(MinRepeat), v.AsString()))
	}
	return d, nil
}

// decodeMatch decodes a match block; it returns the team it matches, to be
// checked against the route's folder.
func (r *resolver) decodeMatch(m *RouteMatch, b *hcl.Block) *nameRef {
	content, diags := b.Body.Content(matchSchema())
	r.diags = append(r.diags, diags...)
	if content == nil {
		return nil
	}
	var team *nameRef
	for _, a := range sortedAttributes(content.Attributes) {
		switch a.Name {
		case "level":
			m.Level, _ = decodeAttr(r, a, func(a *hcl.Attribute, v cty.Value) (check.Level, *hcl.Diagnostic) {
				s, d := stringValue(a, v)
				if d != nil {
					return check.LevelOK, d
				}
				level, err := check.ParseLevel(s)
				if err != nil || level == check.LevelOK {
					return check.LevelOK, attrError(a, "Invalid level",
						fmt.Sprintf("level must be warning or error, not %q (a recovery goes to whoever was told of the problem).", s))
				}
				return level, nil
			})
		case "check", "host":
			if s, ok := decodeAttr(r, a, patternValue); ok {
				if a.Name == "check" {
					m.Check = s
				} else {
					m.Host = s
				}
			}
		case "tags":
			if tags, ok := decodeAttr(r, a, stringMapValue); ok {
				m.Tags = tags
			}
		case "team":
			if s, ok := decodeAttr(r, a, stringValue); ok {
				m.Team = s
				team = &nameRef{name: s, rng: a.Expr.Range()}
			}
		}
	}
	return team
}

// patternValue decodes a shell pattern, as path.Match reads it.
func patternValue(a *hcl.Attribute, v cty.Value) (string, *hcl.Diagnostic) {
	s, d := stringValue(a, v)
	if d != nil {
		return "", d
	}
	if _, err := path.Match(s, ""); err != nil {
		return "", attrError(a, "Invalid pattern",
			fmt.Sprintf("%q is not a valid pattern: * matches any text, ? one character, [a-z] one of a set, \\ quotes the next character.", s))
	}
	return s, nil
}

// decodeEscalation decodes an escalate block and returns the names it adds
// or puts in place, and its attributes.
func (r *resolver) decodeEscalation(b *hcl.Block) (Escalation, []nameRef, hcl.Attributes) {
	esc := Escalation{DeclRange: b.DefRange}
	content, diags := b.Body.Content(escalateSchema())
	r.diags = append(r.diags, diags...)
	if content == nil {
		return esc, nil, nil
	}
	attrs := content.Attributes
	var names []nameRef
	for _, a := range sortedAttributes(attrs) {
		switch a.Name {
		case "after_notifications":
			esc.AfterNotifications, _ = decodeAttr(r, a, func(a *hcl.Attribute, v cty.Value) (int, *hcl.Diagnostic) {
				return intValue(a, v, 1, MaxAfterNotifications)
			})
		case "after":
			esc.After, _ = decodeAttr(r, a, func(a *hcl.Attribute, v cty.Value) (time.Duration, *hcl.Diagnostic) {
				return durationValue(a, v, time.Second)
			})
		case "add", "replace":
			refs, list := r.nameList(a)
			names = append(names, refs...)
			if a.Name == "add" {
				esc.Add = list
			} else {
				esc.Replace = list
			}
		}
	}
	broken := r.hasSyntaxError(b)
	r.exactlyOne(b, attrs, broken, "after_notifications", "after",
		"An escalation step happens after a number of notifications or after a time unacknowledged",
		"after_notifications = 3 or after = \"15m\"")
	r.exactlyOne(b, attrs, broken, "add", "replace",
		"An escalation step adds recipients to those of the route, or replaces them",
		"add = [\"NAME\", ...] or replace = [\"NAME\", ...]")
	return esc, names, attrs
}

// exactlyOne reports a block that sets both or neither of two attributes.
func (r *resolver) exactlyOne(b *hcl.Block, attrs hcl.Attributes, broken bool, x, y, why, example string) {
	ax, ay := attrs[x], attrs[y]
	switch {
	case ax != nil && ay != nil:
		later := ay
		if ax.Range.Start.Byte > ay.Range.Start.Byte {
			later = ax
		}
		r.errorAt(later.NameRange, "Conflicting attributes",
			fmt.Sprintf("%s and %s are both set here. %s; set only one.", x, y, why))
	case ax == nil && ay == nil && !broken:
		r.errorAt(b.DefRange, "Missing attribute",
			fmt.Sprintf("%s: set %s.", why, example))
	}
}

// checkRouteRefs checks that what a route names is declared, and that a
// route in a team folder stays within its team.
func (r *resolver) checkRouteRefs(n *notifications, rr routeRefs) {
	rt := rr.route
	for _, ref := range []*nameRef{rr.during, rr.notDuring} {
		if ref != nil && n.periods[ref.name] == nil {
			r.errorAt(ref.rng, "Unknown time period",
				fmt.Sprintf("No time period %q is declared.%s", ref.name, didYouMean(ref.name, mapKeys(n.periods))))
		}
	}
	for _, list := range [][]nameRef{rr.notifiers, rr.fallback} {
		for _, ref := range list {
			if n.notifiers[ref.name] == nil {
				r.errorAt(ref.rng, "Unknown notifier",
					fmt.Sprintf("No notifier %q is declared.%s", ref.name, didYouMean(ref.name, mapKeys(n.notifiers))))
			}
		}
	}
	for _, ref := range rr.fallback {
		if slices.Contains(rt.Notifiers, ref.name) {
			r.errorAt(ref.rng, "Fallback is a notifier",
				fmt.Sprintf("Notifier %q is among this route's notifiers already; a fallback sends when those cannot.", ref.name))
		}
	}
	lists := append([][]nameRef{rr.to}, rr.escalations...)
	for _, list := range lists {
		for _, ref := range list {
			switch c, t := n.contacts[ref.name], n.teams[ref.name]; {
			case c != nil:
				r.checkTeamScope(ref, c.Team, c.DeclRange, "contact", rt.Team)
			case t != nil:
				r.checkTeamScope(ref, t.Team, t.DeclRange, "team", rt.Team)
			default:
				r.errorAt(ref.rng, "Unknown contact or team",
					fmt.Sprintf("No contact or team %q is declared.%s", ref.name, didYouMean(ref.name, mapKeys(n.recipients))))
			}
		}
	}
	if m := rr.matchTeam; m != nil && rt.Team != "" && m.name != rt.Team {
		r.errorAt(m.rng, "Route for another team",
			fmt.Sprintf("This route is in team %q's folder, %s, and applies to team %q's checks only; it cannot match team %q's. Put it in %q's folder or at the top of checks.d.",
				rt.Team, rt.Folder, rt.Team, m.name, m.name))
	}
}

// checkTeamScope reports a reference, from a block in team folder from, to
// a contact or team declared in another team's folder.
func (r *resolver) checkTeamScope(ref nameRef, owner string, decl hcl.Range, kind, from string) {
	if owner == "" || from == "" || owner == from {
		return
	}
	r.errorAt(ref.rng, "Contact of another team",
		fmt.Sprintf("The %s %q is declared in team %q's folder (at %s); team %q can use its own contacts and teams and those at the top of checks.d.",
			kind, ref.name, owner, position(decl), from))
}

// folderOf returns the folder of a block's file as written, and its team:
// the first folder below the checks.d root that holds the file.
func (r *resolver) folderOf(rng hcl.Range) (folder, team string) {
	folder = filepath.Dir(rng.Filename)
	abs, err := filepath.Abs(rng.Filename)
	if err != nil {
		abs = filepath.Clean(rng.Filename)
	}
	for _, root := range r.roots {
		rel, err := filepath.Rel(root, abs)
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		first, _, nested := strings.Cut(filepath.ToSlash(rel), "/")
		if !nested {
			return folder, ""
		}
		return folder, first
	}
	return folder, ""
}

// apply puts the decoded notification blocks into cfg.
func (n *notifications) apply(cfg *Config) {
	cfg.Notifiers = n.notifiers
	cfg.TimePeriods = n.periods
	cfg.TimePeriodSet = n.periodSet
	cfg.Contacts = n.contacts
	cfg.Teams = n.teams
	cfg.Routes = n.routes
}

// decodeAttr evaluates a notification block's attribute (var and the
// functions; no host) and decodes it with fn, recording what went wrong.
func decodeAttr[T any](r *resolver, a *hcl.Attribute, fn func(*hcl.Attribute, cty.Value) (T, *hcl.Diagnostic)) (T, bool) {
	var zero T
	mark := len(r.diags)
	if !r.checkReferences(a, false) {
		r.noHostInNotifications(mark)
		return zero, false
	}
	v, ok := r.evaluate(a, r.context(nil))
	if !ok {
		return zero, false
	}
	out, d := fn(a, v)
	if d != nil {
		r.diags = append(r.diags, d)
		return zero, false
	}
	return out, true
}

// noHostInNotifications says, in the diagnostics from index mark on, why
// notification blocks cannot use host.*.
func (r *resolver) noHostInNotifications(mark int) {
	for _, d := range r.diags[mark:] {
		if d.Summary == "Host not available here" {
			d.Detail = "host.* is the host a check runs on; notification blocks serve many checks, so they cannot use it; they may use var.* and the functions."
		}
	}
}

// mapKeys returns a map's keys, sorted.
func mapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
