package sdk

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"
)

// AttributeType is the type of one configuration attribute.
type AttributeType int

// The attribute types, with the Go type each value has in Values.
const (
	TypeString       AttributeType = iota + 1 // string
	TypeNumber                                // float64
	TypeBool                                  // bool
	TypeListOfString                          // []string
	TypeMapOfString                           // map[string]string
	TypeDuration                              // time.Duration
)

// String returns the type as written in documentation and error messages:
// string, number, bool, list(string), map(string) or duration.
func (t AttributeType) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeNumber:
		return "number"
	case TypeBool:
		return "bool"
	case TypeListOfString:
		return "list(string)"
	case TypeMapOfString:
		return "map(string)"
	case TypeDuration:
		return "duration"
	}
	return fmt.Sprintf("AttributeType(%d)", int(t))
}

// Valid reports whether t is one of the six attribute types.
func (t AttributeType) Valid() bool { return t >= TypeString && t <= TypeDuration }

// Attribute describes one configuration attribute a plugin accepts.
type Attribute struct {
	// Name as written in a check file: letters, digits, _ and -, starting
	// with a letter or _.
	Name string
	Type AttributeType
	// Required attributes must be set and have no Default.
	Required bool
	// Default is used when the attribute is not set; nil for none. It has
	// the Go type of Type (a duration may also be given as a string such
	// as "30s").
	Default     any
	Description string
}

// Schema is the configuration a plugin accepts, in the order it documents
// its attributes.
type Schema []Attribute

var attributeName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// Attribute returns the attribute called name.
func (s Schema) Attribute(name string) (Attribute, bool) {
	for _, a := range s {
		if a.Name == name {
			return a, true
		}
	}
	return Attribute{}, false
}

// Validate reports what is wrong with the schema itself, which is a bug in
// the plugin: a missing or malformed name, a name declared twice, an
// unknown type, a required attribute with a default, a default of the
// wrong type.
func (s Schema) Validate() error {
	var problems []string
	seen := make(map[string]bool, len(s))
	for i, a := range s {
		switch {
		case a.Name == "":
			problems = append(problems, fmt.Sprintf("attribute %d has no name", i+1))
			continue
		case !attributeName.MatchString(a.Name):
			problems = append(problems, fmt.Sprintf("attribute %q: a name must start with a letter or _ and hold only letters, digits, _ and -", a.Name))
		case seen[a.Name]:
			problems = append(problems, fmt.Sprintf("attribute %q is declared twice", a.Name))
		}
		seen[a.Name] = true
		if !a.Type.Valid() {
			problems = append(problems, fmt.Sprintf("attribute %q: unknown type %d", a.Name, int(a.Type)))
			continue
		}
		if a.Default == nil {
			continue
		}
		if a.Required {
			problems = append(problems, fmt.Sprintf("attribute %q: a required attribute cannot have a default", a.Name))
			continue
		}
		if _, msg := normalize(a.Type, a.Default); msg != "" {
			problems = append(problems, fmt.Sprintf("attribute %q: default: %s", a.Name, msg))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid config schema: %s", strings.Join(problems, "; "))
	}
	return nil
}

// ValidateValues checks configuration values against the schema and returns
// them complete: every value converted to the Go type of its attribute
// (ints to float64, duration strings such as "30s" to time.Duration) and
// every unset attribute that has a default set to it. A nil value counts as
// not set. When anything is wrong it returns a ConfigErrors listing every
// problem, sorted by attribute name: a missing required attribute, an
// attribute the schema does not know, a value of the wrong type. The input
// is not changed.
func (s Schema) ValidateValues(in map[string]any) (Values, error) {
	out := make(Values, len(s))
	var errs ConfigErrors
	for _, a := range s {
		v, set := in[a.Name]
		if !set || v == nil {
			switch {
			case a.Required:
				errs = append(errs, AttributeError{Attribute: a.Name, Message: fmt.Sprintf("missing required attribute %q", a.Name)})
			case a.Default != nil:
				if d, msg := normalize(a.Type, a.Default); msg == "" {
					out[a.Name] = d
				}
			}
			continue
		}
		n, msg := normalize(a.Type, v)
		if msg != "" {
			errs = append(errs, AttributeError{Attribute: a.Name, Message: fmt.Sprintf("attribute %q: %s", a.Name, msg)})
			continue
		}
		out[a.Name] = n
	}
	for name := range in {
		if _, known := s.Attribute(name); !known {
			errs = append(errs, AttributeError{Attribute: name, Message: fmt.Sprintf("unknown attribute %q; %s", name, s.accepts())})
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Attribute < errs[j].Attribute })
		return nil, errs
	}
	return out, nil
}

// accepts lists the attribute names, for the unknown-attribute message.
func (s Schema) accepts() string {
	if len(s) == 0 {
		return "this plugin accepts no attributes"
	}
	names := make([]string, len(s))
	for i, a := range s {
		names[i] = a.Name
	}
	sort.Strings(names)
	return "this plugin accepts " + strings.Join(names, ", ")
}

// normalize converts v to the Go type of t, or says why it cannot. Values
// themselves never appear in messages: they may be secrets.
func normalize(t AttributeType, v any) (any, string) {
	switch t {
	case TypeString:
		if s, ok := v.(string); ok {
			return s, ""
		}
	case TypeNumber:
		if f, ok := toFloat(v); ok {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Sprintf("want a finite number, got %v", f)
			}
			return f, ""
		}
	case TypeBool:
		if b, ok := v.(bool); ok {
			return b, ""
		}
	case TypeListOfString:
		if l, ok := v.([]string); ok {
			return append([]string{}, l...), ""
		}
	case TypeMapOfString:
		if m, ok := v.(map[string]string); ok {
			c := make(map[string]string, len(m))
			for k, e := range m {
				c[k] = e
			}
			return c, ""
		}
	case TypeDuration:
		switch d := v.(type) {
		case time.Duration:
			return d, ""
		case string:
			parsed, err := time.ParseDuration(d)
			if err != nil {
				return nil, fmt.Sprintf("invalid duration %q (want e.g. 30s, 5m, 1h30m)", d)
			}
			return parsed, ""
		}
	default:
		return nil, fmt.Sprintf("unknown type %d", int(t))
	}
	return nil, fmt.Sprintf("want %s, got %s", t, typeName(v))
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

// typeName names the type of v in schema terms where it has one.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "bool"
	case []string:
		return "list(string)"
	case map[string]string:
		return "map(string)"
	case time.Duration:
		return "duration"
	}
	if _, ok := toFloat(v); ok {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// Values are configuration values by attribute name, each of the Go type of
// its attribute (see the AttributeType constants). The accessors return the
// zero value for an attribute that is unset or of another type; after
// Schema.ValidateValues neither happens for a required attribute or one with
// a default.
type Values map[string]any

// String returns the string attribute called name.
func (v Values) String(name string) string { s, _ := v[name].(string); return s }

// Number returns the number attribute called name.
func (v Values) Number(name string) float64 { f, _ := v[name].(float64); return f }

// Bool returns the bool attribute called name.
func (v Values) Bool(name string) bool { b, _ := v[name].(bool); return b }

// List returns the list(string) attribute called name.
func (v Values) List(name string) []string { l, _ := v[name].([]string); return l }

// Map returns the map(string) attribute called name.
func (v Values) Map(name string) map[string]string { m, _ := v[name].(map[string]string); return m }

// Duration returns the duration attribute called name.
func (v Values) Duration(name string) time.Duration { d, _ := v[name].(time.Duration); return d }
