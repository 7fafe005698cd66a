package sdk

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/proto/pluginv1"
)

// This file maps between the SDK's Go types and the protocol's messages.

func attributeTypeToProto(t AttributeType) pluginv1.AttributeType {
	if !t.Valid() {
		return pluginv1.AttributeType_ATTRIBUTE_TYPE_UNSPECIFIED
	}
	// The Go and proto enums number the types alike.
	return pluginv1.AttributeType(t)
}

func attributeTypeFromProto(t pluginv1.AttributeType) AttributeType {
	return AttributeType(t) // an unknown number stays invalid; Schema.Validate says so
}

// valueToProto converts one Go value of an attribute type. It fails only for
// a type the protocol cannot carry.
func valueToProto(v any) (*pluginv1.Value, error) {
	switch x := v.(type) {
	case string:
		return &pluginv1.Value{Kind: &pluginv1.Value_StringValue{StringValue: x}}, nil
	case bool:
		return &pluginv1.Value{Kind: &pluginv1.Value_BoolValue{BoolValue: x}}, nil
	case []string:
		return &pluginv1.Value{Kind: &pluginv1.Value_ListValue{ListValue: &pluginv1.StringList{Values: x}}}, nil
	case map[string]string:
		return &pluginv1.Value{Kind: &pluginv1.Value_MapValue{MapValue: &pluginv1.StringMap{Values: x}}}, nil
	case time.Duration:
		return &pluginv1.Value{Kind: &pluginv1.Value_DurationValue{DurationValue: durationpb.New(x)}}, nil
	}
	if f, ok := toFloat(v); ok {
		return &pluginv1.Value{Kind: &pluginv1.Value_NumberValue{NumberValue: f}}, nil
	}
	return nil, fmt.Errorf("a %T cannot be sent to a plugin; use string, number, bool, []string, map[string]string or time.Duration", v)
}

// valueFromProto converts one protocol value to its Go type.
func valueFromProto(v *pluginv1.Value) (any, error) {
	switch k := v.GetKind().(type) {
	case *pluginv1.Value_StringValue:
		return k.StringValue, nil
	case *pluginv1.Value_NumberValue:
		return k.NumberValue, nil
	case *pluginv1.Value_BoolValue:
		return k.BoolValue, nil
	case *pluginv1.Value_ListValue:
		return append([]string{}, k.ListValue.GetValues()...), nil
	case *pluginv1.Value_MapValue:
		m := make(map[string]string, len(k.MapValue.GetValues()))
		for key, e := range k.MapValue.GetValues() {
			m[key] = e
		}
		return m, nil
	case *pluginv1.Value_DurationValue:
		if k.DurationValue.CheckValid() != nil {
			return nil, fmt.Errorf("invalid duration of %d s and %d ns", k.DurationValue.GetSeconds(), k.DurationValue.GetNanos())
		}
		return k.DurationValue.AsDuration(), nil
	}
	return nil, fmt.Errorf("value has no kind set")
}

func valuesToProto(values Values) (map[string]*pluginv1.Value, error) {
	out := make(map[string]*pluginv1.Value, len(values))
	for _, name := range sortedKeys(values) {
		pv, err := valueToProto(values[name])
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", name, err)
		}
		out[name] = pv
	}
	return out, nil
}

// valuesFromProto converts protocol values, collecting one AttributeError
// per value that does not convert.
func valuesFromProto(values map[string]*pluginv1.Value) (map[string]any, ConfigErrors) {
	out := make(map[string]any, len(values))
	var errs ConfigErrors
	for _, name := range sortedKeys(values) {
		v, err := valueFromProto(values[name])
		if err != nil {
			errs = append(errs, AttributeError{Attribute: name, Message: fmt.Sprintf("attribute %q: %v", name, err)})
			continue
		}
		out[name] = v
	}
	return out, errs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func configToProto(cfg Config) (*pluginv1.Config, error) {
	values, err := valuesToProto(cfg.Values)
	if err != nil {
		return nil, fmt.Errorf("config %q: %w", cfg.ID, err)
	}
	return &pluginv1.Config{Id: cfg.ID, Values: values}, nil
}

func infoToProto(info Info) (*pluginv1.InfoResponse, error) {
	attrs := make([]*pluginv1.Attribute, len(info.Schema))
	for i, a := range info.Schema {
		pa := &pluginv1.Attribute{
			Name:        a.Name,
			Type:        attributeTypeToProto(a.Type),
			Required:    a.Required,
			Description: a.Description,
		}
		if a.Default != nil {
			d, msg := normalize(a.Type, a.Default)
			if msg != "" {
				return nil, fmt.Errorf("attribute %q: default: %s", a.Name, msg)
			}
			if pa.DefaultValue, _ = valueToProto(d); pa.DefaultValue == nil {
				return nil, fmt.Errorf("attribute %q: default of type %T", a.Name, d)
			}
		}
		attrs[i] = pa
	}
	return &pluginv1.InfoResponse{
		Name:         info.Name,
		Version:      info.Version,
		Description:  info.Description,
		ConfigSchema: &pluginv1.Schema{Attributes: attrs},
	}, nil
}

func infoFromProto(resp *pluginv1.InfoResponse) (Info, error) {
	info := Info{Name: resp.GetName(), Version: resp.GetVersion(), Description: resp.GetDescription()}
	for _, pa := range resp.GetConfigSchema().GetAttributes() {
		a := Attribute{
			Name:        pa.GetName(),
			Type:        attributeTypeFromProto(pa.GetType()),
			Required:    pa.GetRequired(),
			Description: pa.GetDescription(),
		}
		if pa.DefaultValue != nil {
			d, err := valueFromProto(pa.DefaultValue)
			if err != nil {
				return Info{}, fmt.Errorf("attribute %q: default: %w", pa.GetName(), err)
			}
			a.Default = d
		}
		info.Schema = append(info.Schema, a)
	}
	if info.Name == "" {
		return Info{}, fmt.Errorf("the plugin has no name")
	}
	if err := info.Schema.Validate(); err != nil {
		return Info{}, err
	}
	return info, nil
}

func attributeErrorsToProto(errs ConfigErrors) []*pluginv1.AttributeError {
	out := make([]*pluginv1.AttributeError, len(errs))
	for i, e := range errs {
		out[i] = &pluginv1.AttributeError{Attribute: validUTF8(e.Attribute), Message: validUTF8(e.Message)}
	}
	return out
}

func attributeErrorsFromProto(errs []*pluginv1.AttributeError) ConfigErrors {
	var out ConfigErrors
	for _, e := range errs {
		out = append(out, AttributeError{Attribute: e.GetAttribute(), Message: e.GetMessage()})
	}
	return out
}

func hostFromProto(h *pluginv1.Host) Host {
	return Host{Name: h.GetName(), Address: h.GetAddress()}
}

// resultToProto converts a plugin's result. Strings that are not UTF-8
// (which protobuf cannot carry) get U+FFFD and a note.
func resultToProto(r check.Result) *pluginv1.CheckResponse {
	resp := &pluginv1.CheckResponse{
		State:      pluginv1.State(r.State),
		Output:     validUTF8(r.Output),
		LongOutput: validUTF8(r.Long),
	}
	if resp.Output != r.Output || resp.LongOutput != r.Long {
		resp.Notes = append(resp.Notes, "output had bytes that are not UTF-8; replaced with U+FFFD")
	}
	for _, n := range r.Notes {
		resp.Notes = append(resp.Notes, validUTF8(n))
	}
	for _, p := range r.Perfdata {
		pp := &pluginv1.Perf{
			Label:        validUTF8(p.Label),
			Value:        p.Value,
			Undetermined: p.Undetermined,
			Uom:          validUTF8(p.UOM),
			Min:          p.Min,
			Max:          p.Max,
		}
		if p.Warn != nil {
			pp.Warn = validUTF8(p.Warn.String())
		}
		if p.Crit != nil {
			pp.Crit = validUTF8(p.Crit.String())
		}
		resp.Perfdata = append(resp.Perfdata, pp)
	}
	return resp
}

// resultFromProto checks and converts what a plugin sent. A state outside
// 0..3 is an error: the result cannot be trusted. A malformed perfdata item
// is left out with a note, as for a Nagios plugin's perfdata.
func resultFromProto(req Request, resp *pluginv1.CheckResponse) (check.Result, error) {
	raw := resp.GetState()
	state := check.State(raw)
	if raw < 0 || raw > 3 || !state.Valid() {
		return check.Result{}, fmt.Errorf("the plugin returned state %d; a state must be 0 (OK), 1 (WARNING), 2 (CRITICAL) or 3 (UNKNOWN)", raw)
	}
	r := check.Result{
		Check:    req.Check,
		Host:     req.Host.Name,
		State:    state,
		Output:   resp.GetOutput(),
		Long:     resp.GetLongOutput(),
		Notes:    append([]string{}, resp.GetNotes()...),
		ExitCode: int(state),
	}
	for _, pp := range resp.GetPerfdata() {
		p, note := perfFromProto(pp)
		if note != "" {
			r.Notes = append(r.Notes, note)
			continue
		}
		r.Perfdata = append(r.Perfdata, p)
	}
	if text := strings.TrimSpace(resp.GetPerfdataText()); text != "" {
		items, notes := check.ParsePerfdata(text)
		r.Perfdata = append(r.Perfdata, items...)
		r.Notes = append(r.Notes, notes...)
	}
	if len(r.Notes) == 0 {
		r.Notes = nil
	}
	return r, nil
}

// perfFromProto validates a structured perfdata item by the same rules as
// perfdata text: it writes the item in Nagios syntax and parses it back, so
// a label, unit, number or range that ParsePerfdata would refuse is refused
// here too, with the parser's note.
func perfFromProto(pp *pluginv1.Perf) (check.Perf, string) {
	p := check.Perf{
		Label:        pp.GetLabel(),
		Value:        pp.GetValue(),
		Undetermined: pp.GetUndetermined(),
		UOM:          pp.GetUom(),
		Min:          pp.Min,
		Max:          pp.Max,
	}
	if pp.GetWarn() != "" {
		p.Warn = &check.Range{Text: pp.GetWarn()}
	}
	if pp.GetCrit() != "" {
		p.Crit = &check.Range{Text: pp.GetCrit()}
	}
	if p.Label == "" {
		return check.Perf{}, fmt.Sprintf("perfdata %q skipped: empty label", p.String())
	}
	items, notes := check.ParsePerfdata(p.String())
	if len(notes) > 0 {
		return check.Perf{}, notes[0]
	}
	if len(items) != 1 {
		return check.Perf{}, fmt.Sprintf("perfdata %q skipped: it does not read back as one item", p.String())
	}
	return items[0], ""
}

func notificationToProto(n Notification) *pluginv1.Notification {
	pn := &pluginv1.Notification{
		Id:         n.ID,
		Check:      validUTF8(n.Check),
		Host:       validUTF8(n.Host),
		State:      pluginv1.State(n.State),
		Level:      pluginv1.Level(n.Level),
		Kind:       n.Kind,
		Output:     validUTF8(n.Output),
		LongOutput: validUTF8(n.Long),
		Extra:      n.Extra,
	}
	if !n.Time.IsZero() {
		pn.Time = timestamppb.New(n.Time)
	}
	for _, r := range n.Recipients {
		pn.Recipients = append(pn.Recipients, &pluginv1.Recipient{Name: r.Name, Address: r.Address})
	}
	return pn
}

func notificationFromProto(pn *pluginv1.Notification, cfg Config) Notification {
	n := Notification{
		Config: cfg,
		ID:     pn.GetId(),
		Check:  pn.GetCheck(),
		Host:   pn.GetHost(),
		State:  check.State(pn.GetState()),
		Level:  check.Level(pn.GetLevel()),
		Kind:   pn.GetKind(),
		Output: pn.GetOutput(),
		Long:   pn.GetLongOutput(),
		Extra:  pn.GetExtra(),
	}
	if pn.Time != nil {
		n.Time = pn.Time.AsTime()
	}
	for _, r := range pn.GetRecipients() {
		n.Recipients = append(n.Recipients, Recipient{Name: r.GetName(), Address: r.GetAddress()})
	}
	return n
}

func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
