package config

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// functions returns the functions that expressions in checks.d may call.
// env reads the environment through lookupEnv.
func functions(lookupEnv func(string) (string, bool)) map[string]function.Function {
	return map[string]function.Function{
		"env":    envFunction(lookupEnv),
		"format": stdlib.FormatFunc,
		"join":   stdlib.JoinFunc,
		"lower":  stdlib.LowerFunc,
		"upper":  stdlib.UpperFunc,
	}
}

// envFunction is env(NAME) or env(NAME, DEFAULT): the value of an
// environment variable. Without a default, an unset variable is an error, so
// that a typo does not silently become an empty string.
func envFunction(lookupEnv func(string) (string, bool)) function.Function {
	return function.New(&function.Spec{
		Description: "Returns the value of an environment variable, or the default when it is not set.",
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		VarParam:    &function.Parameter{Name: "default", Type: cty.String},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 2 {
				return cty.NilVal, function.NewArgErrorf(2, "env takes a name and at most one default")
			}
			name := args[0].AsString()
			if v, ok := lookupEnv(name); ok {
				return cty.StringVal(v), nil
			}
			if len(args) == 2 {
				return args[1], nil
			}
			return cty.NilVal, fmt.Errorf("environment variable %s is not set; give a default as the second argument: env(%q, \"...\")", name, name)
		},
	})
}
