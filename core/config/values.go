package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/gocty"
)

// This file turns evaluated HCL values into Go values. Each decoder takes the
// attribute the value came from, so that its diagnostic points at it.

// maxDays bounds the days of a duration, far beyond any sensible interval.
const maxDays = 10000

var errTooManyDays = fmt.Errorf("more than %d days", maxDays)

// parseDuration reads a duration in Go's syntax ("30s", "5m", "1h30m",
// "1.5h"), optionally led by a whole number of days ("1d", "2d12h").
func parseDuration(s string) (time.Duration, error) {
	digits := 0
	for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	if digits == 0 || digits == len(s) || s[digits] != 'd' {
		return time.ParseDuration(s)
	}
	days, err := strconv.Atoi(s[:digits])
	if err != nil || days > maxDays {
		return 0, errTooManyDays
	}
	d := time.Duration(days) * 24 * time.Hour
	rest := s[digits+1:]
	if rest == "" {
		return d, nil
	}
	r, err := time.ParseDuration(rest)
	if err != nil {
		return 0, err
	}
	if r < 0 || r > math.MaxInt64-d {
		return 0, errors.New("out of range")
	}
	return d + r, nil
}

// durationValue decodes a duration attribute that must be at least min.
func durationValue(a *hcl.Attribute, v cty.Value, min time.Duration) (time.Duration, *hcl.Diagnostic) {
	if v.Type() == cty.Number {
		return 0, attrError(a, "Invalid duration",
			fmt.Sprintf("%s needs a unit: write a string like \"30s\", \"5m\", \"1h30m\" or \"1d\" (a bare number is ambiguous; Nagios counts minutes).", a.Name))
	}
	if v.Type() != cty.String {
		return 0, attrError(a, "Invalid duration",
			fmt.Sprintf("%s must be a string like \"30s\", \"5m\", \"1h30m\" or \"1d\", not %s.", a.Name, typeName(v.Type())))
	}
	s := v.AsString()
	d, err := parseDuration(s)
	if errors.Is(err, errTooManyDays) {
		return 0, attrError(a, "Duration too long", fmt.Sprintf("%q is more than %d days.", s, maxDays))
	}
	if err != nil {
		return 0, attrError(a, "Invalid duration",
			fmt.Sprintf("%q is not a duration: write a number and a unit (s, m, h, d), like \"30s\", \"5m\", \"1h30m\" or \"1d\".", s))
	}
	if d < min {
		return 0, attrError(a, "Duration too short",
			fmt.Sprintf("%s must be at least %s, not %q.", a.Name, formatDuration(min), s))
	}
	return d, nil
}

// formatDuration writes d without Go's zero units: 1s, 5m, 1h30m.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// stringValue decodes a string; numbers and bools are converted.
func stringValue(a *hcl.Attribute, v cty.Value) (string, *hcl.Diagnostic) {
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		return "", attrError(a, "Invalid value",
			fmt.Sprintf("%s must be a string, not %s.", a.Name, typeName(v.Type())))
	}
	return s.AsString(), nil
}

// boolValue decodes true or false.
func boolValue(a *hcl.Attribute, v cty.Value) (bool, *hcl.Diagnostic) {
	b, err := convert.Convert(v, cty.Bool)
	if err != nil {
		return false, attrError(a, "Invalid value",
			fmt.Sprintf("%s must be true or false, not %s.", a.Name, typeName(v.Type())))
	}
	return b.True(), nil
}

// intValue decodes a whole number from min to max.
func intValue(a *hcl.Attribute, v cty.Value, min, max int) (int, *hcl.Diagnostic) {
	n, err := convert.Convert(v, cty.Number)
	if err != nil {
		return 0, attrError(a, "Invalid value",
			fmt.Sprintf("%s must be a number, not %s.", a.Name, typeName(v.Type())))
	}
	var i int
	if err := gocty.FromCtyValue(n, &i); err != nil || i < min || i > max {
		return 0, attrError(a, "Invalid value",
			fmt.Sprintf("%s must be a whole number from %d to %d, not %s.", a.Name, min, max, n.AsBigFloat().Text('f', -1)))
	}
	return i, nil
}

// stringListValue decodes a list of strings; elements that are numbers or
// bools are converted, null elements are an error.
func stringListValue(a *hcl.Attribute, v cty.Value) ([]string, *hcl.Diagnostic) {
	ty := v.Type()
	if !ty.IsTupleType() && !ty.IsListType() {
		return nil, attrError(a, "Invalid value",
			fmt.Sprintf("%s must be a list of strings, like [\"a\", \"b\"], not %s.", a.Name, typeName(ty)))
	}
	list := make([]string, 0, v.LengthInt())
	for i, e := range v.AsValueSlice() {
		s, err := convert.Convert(e, cty.String)
		if err != nil || s.IsNull() {
			return nil, attrError(a, "Invalid value",
				fmt.Sprintf("%s[%d] must be a string, not %s.", a.Name, i, describe(e)))
		}
		list = append(list, s.AsString())
	}
	return list, nil
}

// stringMapValue decodes a map of strings, like tags = { role = "web" }.
func stringMapValue(a *hcl.Attribute, v cty.Value) (map[string]string, *hcl.Diagnostic) {
	ty := v.Type()
	if !ty.IsObjectType() && !ty.IsMapType() {
		return nil, attrError(a, "Invalid value",
			fmt.Sprintf("%s must be a map of strings, like { role = \"web\" }, not %s.", a.Name, typeName(ty)))
	}
	m := make(map[string]string, v.LengthInt())
	for k, e := range v.AsValueMap() {
		s, err := convert.Convert(e, cty.String)
		if err != nil || s.IsNull() {
			return nil, attrError(a, "Invalid value",
				fmt.Sprintf("%s[%q] must be a string, not %s.", a.Name, k, describe(e)))
		}
		m[k] = s.AsString()
	}
	return m, nil
}

// commandValue decodes command: a list of arguments, or with shell = true
// one string for /bin/sh -c.
func commandValue(a *hcl.Attribute, v cty.Value, shell bool) ([]string, *hcl.Diagnostic) {
	if shell {
		if v.Type() != cty.String {
			return nil, attrError(a, "Invalid command",
				fmt.Sprintf("With shell = true, command is one string for /bin/sh -c, like \"df -P / | tail -1\", not %s.", typeName(v.Type())))
		}
		if strings.TrimSpace(v.AsString()) == "" {
			return nil, attrError(a, "Empty command", "command is empty: give the command line to run.")
		}
		return []string{v.AsString()}, nil
	}
	if v.Type() == cty.String {
		return nil, attrError(a, "Invalid command",
			"command is a list of arguments, like [\"/usr/lib/nagios/plugins/check_tcp\", \"-H\", host.address, \"-p\", \"22\"]; to run a shell command line, set shell = true.")
	}
	argv, d := stringListValue(a, v)
	switch {
	case d != nil:
		return nil, d
	case len(argv) == 0:
		return nil, attrError(a, "Empty command", "command is empty: its first element is the program to run.")
	case argv[0] == "":
		return nil, attrError(a, "Empty command", "The program to run, command[0], is an empty string.")
	}
	return argv, nil
}

// validPluginName reports whether s can name a plugin: letters, digits,
// '_', '-' and '.', starting with a letter or digit.
func validPluginName(s string) bool {
	for i, r := range s {
		alnum := r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))
		if !alnum && (i == 0 || (r != '_' && r != '-' && r != '.')) {
			return false
		}
	}
	return s != ""
}

// describe names the kind of a value for an error message.
func describe(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	return typeName(v.Type())
}

// checkHostName reports what is wrong with a host name, or nil. A host name
// has no slash (check IDs are host/check), no white space and no control
// characters.
func checkHostName(name string) error {
	if name == "" {
		return errors.New("a host name must not be empty")
	}
	for _, r := range name {
		switch {
		case r == '/':
			return fmt.Errorf("host name %q contains a slash", name)
		case unicode.IsSpace(r) || unicode.IsControl(r):
			return fmt.Errorf("host name %q contains white space or a control character", name)
		}
	}
	return nil
}

// checkLabel reports what is wrong with a check or template name, or nil:
// it must not be empty, have control characters, or begin or end with white
// space. It may contain spaces and slashes, as Nagios service descriptions
// do.
func checkLabel(kind, name string) error {
	if name == "" {
		return fmt.Errorf("a %s name must not be empty", kind)
	}
	if strings.TrimSpace(name) != name {
		return fmt.Errorf("%s name %q begins or ends with white space", kind, name)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("%s name %q contains a control character", kind, name)
		}
	}
	return nil
}

// attrError is an error about an attribute's value.
func attrError(a *hcl.Attribute, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   detail,
		Subject:  a.Expr.Range().Ptr(),
	}
}

// typeName names a type as the configuration language has it: a string, a
// number, a bool, a list or a map.
func typeName(ty cty.Type) string {
	switch {
	case ty == cty.String:
		return "a string"
	case ty == cty.Number:
		return "a number"
	case ty == cty.Bool:
		return "a bool"
	case ty.IsListType() || ty.IsTupleType() || ty.IsSetType():
		return "a list"
	case ty.IsMapType() || ty.IsObjectType():
		return "a map"
	}
	return ty.FriendlyName()
}
