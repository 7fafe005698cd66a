package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/vakt/vakt/core/check"
)

// This file decodes the results attribute of a command check: rules that map
// what the plugin did (its exit code, its output) to a state, for programs
// that do not follow the Nagios exit codes, as Big Sister's command check
// allows.

// attrResults is the attribute that holds the result rules.
const attrResults = "results"

// ResultRule is check.ResultRule: the rules are plain data that travel
// with a check's job.
type ResultRule = check.ResultRule

// resultRuleKeys are the attributes of one rule.
func resultRuleKeys() []string { return []string{"exit_code", "output", "state", "text"} }

// setResults decodes results: a list of rules, evaluated in order.
func setResults(c *Check, a *hcl.Attribute, v cty.Value) *hcl.Diagnostic {
	if !v.Type().IsListType() && !v.Type().IsTupleType() {
		return attrError(a, "Invalid results",
			fmt.Sprintf("results must be a list of rules like { exit_code = 1, output = \"regexp\", state = \"warning\" }, not %s.", typeName(v.Type())))
	}
	rules := make([]ResultRule, 0, v.LengthInt())
	for i, it := 0, v.ElementIterator(); it.Next(); i++ {
		_, el := it.Element()
		rule, err := resultRule(el)
		if err != "" {
			return attrError(a, "Invalid result rule", fmt.Sprintf("Rule %d of results: %s", i+1, err))
		}
		rules = append(rules, rule)
	}
	c.Results = rules
	return nil
}

// resultRule decodes one rule, or says what is wrong with it.
func resultRule(v cty.Value) (ResultRule, string) {
	var rule ResultRule
	if v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		return rule, fmt.Sprintf("a rule is an object like { exit_code = 1, state = \"warning\" }, not %s.", typeName(v.Type()))
	}
	attrs := map[string]cty.Value{}
	for it := v.ElementIterator(); it.Next(); {
		k, val := it.Element()
		attrs[k.AsString()] = val
	}
	for k := range attrs {
		if !slices.Contains(resultRuleKeys(), k) {
			return rule, fmt.Sprintf("unknown key %q; a rule has exit_code, output, state and text.%s", k, didYouMean(k, resultRuleKeys()))
		}
	}
	if code, ok := attrs["exit_code"]; ok {
		if code.IsNull() || code.Type() != cty.Number {
			return rule, "exit_code must be a whole number from 0 to 255."
		}
		bf := code.AsBigFloat()
		n, acc := bf.Int64()
		if !bf.IsInt() || acc != 0 || n < 0 || n > 255 {
			return rule, fmt.Sprintf("exit_code must be a whole number from 0 to 255, not %s.", bf.Text('g', -1))
		}
		i := int(n)
		rule.ExitCode = &i
	}
	if out, ok := attrs["output"]; ok {
		if out.IsNull() || out.Type() != cty.String {
			return rule, "output must be a regular expression (Go RE2 syntax) as a string."
		}
		if _, err := regexp.Compile(out.AsString()); err != nil {
			return rule, fmt.Sprintf("output %q is not a regular expression: %v.", out.AsString(), err)
		}
		rule.Output = out.AsString()
	}
	st, ok := attrs["state"]
	if !ok || st.IsNull() || st.Type() != cty.String {
		return rule, "state is required: ok, warning, critical or unknown (or green, yellow, red)."
	}
	state, err := parseRuleState(st.AsString())
	if err != nil {
		return rule, fmt.Sprintf("state must be ok, warning, critical or unknown (or green, yellow, red), not %q.", st.AsString())
	}
	rule.State = state
	if text, ok := attrs["text"]; ok {
		if text.IsNull() || text.Type() != cty.String {
			return rule, "text must be a string."
		}
		rule.Text = text.AsString()
	}
	return rule, ""
}

// parseRuleState reads a state, or a Big Sister colour.
func parseRuleState(s string) (check.State, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "green":
		return check.OK, nil
	case "yellow":
		return check.Warning, nil
	case "red":
		return check.Critical, nil
	}
	return check.ParseState(s)
}
