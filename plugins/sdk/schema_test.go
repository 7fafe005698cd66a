package sdk

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"
)

func testSchema() Schema {
	return Schema{
		{Name: "path", Type: TypeString, Required: true},
		{Name: "max_age", Type: TypeDuration, Default: "1h"},
		{Name: "warn", Type: TypeNumber, Default: 3},
		{Name: "follow", Type: TypeBool},
		{Name: "exclude", Type: TypeListOfString},
		{Name: "env", Type: TypeMapOfString},
	}
}

func TestValidateValues(t *testing.T) {
	tests := []struct {
		name    string
		in      map[string]any
		want    Values
		wantErr ConfigErrors
	}{
		{"only the required attribute: defaults filled in",
			map[string]any{"path": "/var/log/syslog"},
			Values{"path": "/var/log/syslog", "max_age": time.Hour, "warn": 3.0}, nil},
		{"every type, converted",
			map[string]any{"path": "/p", "max_age": "90s", "warn": int64(7), "follow": true,
				"exclude": []string{"a"}, "env": map[string]string{"K": "v"}},
			Values{"path": "/p", "max_age": 90 * time.Second, "warn": 7.0, "follow": true,
				"exclude": []string{"a"}, "env": map[string]string{"K": "v"}}, nil},
		{"time.Duration and float64 as they are",
			map[string]any{"path": "/p", "max_age": 2 * time.Minute, "warn": 0.5},
			Values{"path": "/p", "max_age": 2 * time.Minute, "warn": 0.5}, nil},
		{"nil counts as unset",
			map[string]any{"path": "/p", "max_age": nil, "follow": nil},
			Values{"path": "/p", "max_age": time.Hour, "warn": 3.0}, nil},
		{"missing required attribute",
			map[string]any{}, nil,
			ConfigErrors{{Attribute: "path", Message: `missing required attribute "path"`}}},
		{"required attribute set to nil",
			map[string]any{"path": nil}, nil,
			ConfigErrors{{Attribute: "path", Message: `missing required attribute "path"`}}},
		{"every problem, sorted by attribute",
			map[string]any{"path": 5, "warn": "high", "follow": "yes", "exclude": []any{"a"}, "env": map[string]any{},
				"max_age": "10 parsecs", "zeta": 1, "alpha": 2},
			nil, ConfigErrors{
				{Attribute: "alpha", Message: `unknown attribute "alpha"; this plugin accepts env, exclude, follow, max_age, path, warn`},
				{Attribute: "env", Message: `attribute "env": want map(string), got map[string]interface {}`},
				{Attribute: "exclude", Message: `attribute "exclude": want list(string), got []interface {}`},
				{Attribute: "follow", Message: `attribute "follow": want bool, got string`},
				{Attribute: "max_age", Message: `attribute "max_age": invalid duration "10 parsecs" (want e.g. 30s, 5m, 1h30m)`},
				{Attribute: "path", Message: `attribute "path": want string, got number`},
				{Attribute: "warn", Message: `attribute "warn": want number, got string`},
				{Attribute: "zeta", Message: `unknown attribute "zeta"; this plugin accepts env, exclude, follow, max_age, path, warn`},
			}},
		{"numbers must be finite",
			map[string]any{"path": "/p", "warn": math.Inf(1)}, nil,
			ConfigErrors{{Attribute: "warn", Message: `attribute "warn": want a finite number, got +Inf`}}},
		{"a duration must not be a number",
			map[string]any{"path": "/p", "max_age": 30}, nil,
			ConfigErrors{{Attribute: "max_age", Message: `attribute "max_age": want duration, got number`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := testSchema().ValidateValues(tt.in)
			if tt.wantErr != nil {
				var ce ConfigErrors
				if !errors.As(err, &ce) {
					t.Fatalf("got %v (%T), want ConfigErrors", err, err)
				}
				if !reflect.DeepEqual(ce, tt.wantErr) {
					t.Fatalf("errors:\n got %#v\nwant %#v", ce, tt.wantErr)
				}
				if got != nil {
					t.Fatalf("values with errors: got %#v, want nil", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("values:\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestValidateValuesCopiesItsInput(t *testing.T) {
	list := []string{"a"}
	env := map[string]string{"K": "v"}
	in := map[string]any{"path": "/p", "exclude": list, "env": env}
	got, err := testSchema().ValidateValues(in)
	if err != nil {
		t.Fatal(err)
	}
	got.List("exclude")[0] = "changed"
	got.Map("env")["K"] = "changed"
	if list[0] != "a" || env["K"] != "v" || len(in) != 3 {
		t.Fatalf("input changed: list %v, env %v, in %v", list, env, in)
	}
}

func TestValidateValuesEmptySchema(t *testing.T) {
	_, err := Schema{}.ValidateValues(map[string]any{"x": 1})
	want := `unknown attribute "x"; this plugin accepts no attributes`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

func TestSchemaValidate(t *testing.T) {
	tests := []struct {
		name   string
		schema Schema
		want   string // empty for valid
	}{
		{"valid", testSchema(), ""},
		{"empty", Schema{}, ""},
		{"no name", Schema{{Type: TypeString}},
			"invalid config schema: attribute 1 has no name"},
		{"bad name", Schema{{Name: "1st", Type: TypeString}},
			`invalid config schema: attribute "1st": a name must start with a letter or _ and hold only letters, digits, _ and -`},
		{"declared twice", Schema{{Name: "a", Type: TypeString}, {Name: "a", Type: TypeBool}},
			`invalid config schema: attribute "a" is declared twice`},
		{"unknown type", Schema{{Name: "a"}, {Name: "b", Type: AttributeType(99)}},
			`invalid config schema: attribute "a": unknown type 0; attribute "b": unknown type 99`},
		{"required with default", Schema{{Name: "a", Type: TypeString, Required: true, Default: "x"}},
			`invalid config schema: attribute "a": a required attribute cannot have a default`},
		{"default of the wrong type", Schema{{Name: "a", Type: TypeNumber, Default: "3"}},
			`invalid config schema: attribute "a": default: want number, got string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.schema.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestAttributeTypeString(t *testing.T) {
	want := map[AttributeType]string{
		TypeString: "string", TypeNumber: "number", TypeBool: "bool", TypeListOfString: "list(string)",
		TypeMapOfString: "map(string)", TypeDuration: "duration", AttributeType(0): "AttributeType(0)",
	}
	for typ, name := range want {
		if got := typ.String(); got != name {
			t.Errorf("%d.String() = %q, want %q", int(typ), got, name)
		}
	}
}

func TestValuesAccessors(t *testing.T) {
	v := Values{"s": "x", "n": 2.5, "b": true, "l": []string{"a"}, "m": map[string]string{"k": "v"}, "d": time.Second}
	if v.String("s") != "x" || v.Number("n") != 2.5 || !v.Bool("b") || !reflect.DeepEqual(v.List("l"), []string{"a"}) ||
		!reflect.DeepEqual(v.Map("m"), map[string]string{"k": "v"}) || v.Duration("d") != time.Second {
		t.Fatalf("accessors of %#v returned the wrong values", v)
	}
	// Unset or of another type: the zero value.
	if v.String("n") != "" || v.Number("s") != 0 || v.Bool("missing") || v.List("m") != nil || v.Map("l") != nil || v.Duration("s") != 0 {
		t.Fatalf("accessors of unset or mistyped attributes did not return zero values")
	}
}

func TestPermanent(t *testing.T) {
	base := errors.New("bad address")
	if Permanent(nil) != nil {
		t.Fatal("Permanent(nil) is not nil")
	}
	p := Permanent(base)
	if !IsPermanent(p) || p.Error() != "bad address" || !errors.Is(p, base) {
		t.Fatalf("Permanent(%v) = %v: IsPermanent %t, Is(base) %t", base, p, IsPermanent(p), errors.Is(p, base))
	}
	if IsPermanent(base) {
		t.Fatal("an unmarked error is permanent")
	}
	wrapped := errors.Join(errors.New("context"), p)
	if !IsPermanent(wrapped) {
		t.Fatal("a wrapped permanent error is not permanent")
	}
}
