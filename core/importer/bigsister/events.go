package bigsister

import (
	"fmt"
	"strings"

	"github.com/vakt/vakt/core/importer"
)

// This file reads bb_event_generator.cfg: alarm rules
// HOST.TEST[{CONDITION}...] key=value ..., written back as comments that
// say what each rule does, until vakt's HCL has routes and time periods.

// why is the reason alarm rules are not converted.
const why = "vakt has no notification routes or time periods in HCL yet (the notification issue adds them)"

// convertEvents turns the alarm rules into an HCL file of comments.
func convertEvents(name string, data []byte, res *importer.Result) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# Converted by vakt import bigsister from %s.\n", name)
	importer.Comment(&b, "", "Alarm rules are not converted: "+why+".\nEach rule follows as it was, with what it says.")
	for _, l := range readLines(data) {
		t := strings.TrimSpace(l.text)
		if t == "" || t[0] == '#' {
			continue
		}
		desc, err := describeRule(t)
		b.WriteString("\n")
		if err != nil {
			res.Add(name, l.n, importer.Error, "%v; left as a comment", err)
			importer.Comment(&b, "", fmt.Sprintf("%s:%d: not understood: %v\n  %s", name, l.n, err, t))
			continue
		}
		res.Add(name, l.n, importer.Note, "alarm rule %s: %s", desc, why)
		importer.Comment(&b, "", fmt.Sprintf("%s:%d: alarm rule %s\n  %s", name, l.n, desc, t))
	}
	return importer.Format([]byte(b.String()))
}

// describeRule says in words what a rule does, or why it does not parse.
func describeRule(line string) (string, error) {
	// The selector runs to the first white space outside braces.
	depth, end := 0, len(line)
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth < 0 {
				return "", fmt.Errorf("} without {")
			}
		case ' ', '\t':
			if depth == 0 && end == len(line) {
				end = i
			}
		}
		if end != len(line) {
			break
		}
	}
	if depth > 0 {
		return "", fmt.Errorf("{ without }")
	}
	sel, rest := line[:end], strings.TrimSpace(line[end:])
	target, conds, _ := strings.Cut(sel, "{")
	hostPart, test, ok := strings.Cut(target, ".")
	if !ok || hostPart == "" || test == "" {
		return "", fmt.Errorf("%q is not HOST.TEST or @GROUP.TEST", target)
	}
	var parts []string
	who := fmt.Sprintf("host %s", hostPart)
	if g, ok := strings.CutPrefix(hostPart, "@"); ok {
		who = "group " + g
	}
	if hostPart == "*" {
		who = "every host"
	}
	what := "test " + test
	if test == "*" {
		what = "every test"
	}
	parts = append(parts, fmt.Sprintf("for %s, %s", who, what))
	if conds != "" {
		for _, c := range strings.Split("{"+conds, "{") {
			c = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(c), "}"))
			if c == "" {
				continue
			}
			kind, val, _ := strings.Cut(c, " ")
			switch kind {
			case "weekday":
				parts = append(parts, "on "+strings.TrimSpace(val))
			case "daytime":
				parts = append(parts, "between "+strings.TrimSpace(val))
			default:
				parts = append(parts, "when {"+c+"}")
			}
		}
	}
	toks, err := tokenize(rest)
	if err != nil {
		return "", err
	}
	as, bad := parseArgs(toks)
	if bad != "" {
		return "", fmt.Errorf("%q is not key=value", bad)
	}
	for _, k := range as.keys() {
		v, _ := as.get(k)
		switch k {
		case "mail":
			parts = append(parts, "mail to "+v)
		case "delay":
			parts = append(parts, "after "+v+" minutes")
		case "down":
			parts = append(parts, "alarm at "+v+" or worse")
		case "up":
			parts = append(parts, "all clear at "+v)
		default:
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, ", "), nil
}
