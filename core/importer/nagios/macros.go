package nagios

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vakt/vakt/core/importer"
)

// This file turns a check_command into the argv (or shell line) of a vakt
// check: it splits off the $ARGn$ values, substitutes the macros and splits
// the command line into words as /bin/sh would.

// macroContext is what the macros of one check_command refer to.
type macroContext struct {
	users   map[string]string
	service string            // the service description; "" for a host check
	svcVars map[string]string // the service's custom variables, by upper-case name without "_"
	// hostVar records a host custom variable the command uses; the host
	// carries it as the tag "_NAME".
	hostVar func(name string)
	// alias records that the command uses $HOSTALIAS$.
	alias func()
}

// splitCheckCommand splits "name!arg1!arg2" at unescaped "!"; "\!" is a
// literal "!".
func splitCheckCommand(s string) (string, []string) {
	var parts []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '!':
			b.WriteByte('!')
			i++
		case s[i] == '!':
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteByte(s[i])
		}
	}
	parts = append(parts, b.String())
	return strings.TrimSpace(parts[0]), parts[1:]
}

// expandMacros substitutes the macros of a command line: $ARGn$ first (their
// values may hold macros too), then $USERn$, the host and service macros
// (host ones become placeholders that Quote turns into host.* references)
// and $$. A macro vakt cannot fill stays as written, and is returned in
// unknown.
func expandMacros(line string, args []string, ctx macroContext) (string, []string) {
	// $ARGn$ first, in one pass, so that an argument's own text is not
	// scanned for $ARGn$ again.
	line = replaceMacros(line, func(name string) (string, bool) {
		if n, ok := strings.CutPrefix(name, "ARG"); ok {
			if i, err := strconv.Atoi(n); err == nil && i >= 1 {
				if i <= len(args) {
					return args[i-1], true
				}
				return "", true // Nagios: an unset argument is empty
			}
		}
		return "", false
	}, true)
	var unknown []string
	line = replaceMacros(line, func(name string) (string, bool) {
		switch name {
		case "":
			return "$", true
		case "HOSTADDRESS":
			return importer.HostAddress, true
		case "HOSTNAME":
			return importer.HostName, true
		case "HOSTALIAS":
			ctx.alias()
			return importer.HostTag("alias"), true
		case "SERVICEDESC", "SERVICEDISPLAYNAME":
			if ctx.service != "" {
				return ctx.service, true
			}
		}
		if strings.HasPrefix(name, "USER") {
			if v, ok := ctx.users[name]; ok {
				return v, true
			}
		}
		if v, ok := strings.CutPrefix(name, "_HOST"); ok && v != "" {
			ctx.hostVar(v)
			return importer.HostTag("_" + v), true
		}
		if v, ok := strings.CutPrefix(name, "_SERVICE"); ok && v != "" && ctx.service != "" {
			return ctx.svcVars[v], true
		}
		unknown = append(unknown, "$"+name+"$")
		// Kept as written; protected from the shell test until
		// restoreMacros.
		return keptDollar + name + keptDollar, true
	}, false)
	return line, unknown
}

// keptDollar stands for the "$" of a macro left as written, so that it
// does not make the line look like it needs a shell.
const keptDollar = "\uE002"

// restoreMacros puts back the "$" of macros left as written.
func restoreMacros(s string) string { return strings.ReplaceAll(s, keptDollar, "$") }

// replaceMacros replaces each $NAME$ for which fn says ok. Text that is not
// a macro (a lone $, or $NAME$ that fn leaves) stays. With onlyArgs, only
// names fn knows are touched and "$$" is left for the second pass.
func replaceMacros(s string, fn func(name string) (string, bool), onlyArgs bool) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '$' {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := strings.IndexByte(s[i+1:], '$')
		if end < 0 {
			b.WriteString(s[i:])
			break
		}
		name := s[i+1 : i+1+end]
		if strings.ContainsAny(name, " \t") || (onlyArgs && name == "") {
			// Not a macro: keep the $ and go on after it.
			b.WriteByte('$')
			i++
			continue
		}
		if v, ok := fn(name); ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i : i+end+2])
		}
		i += end + 2
	}
	return b.String()
}

// shellMeta are the characters that make a command line need /bin/sh
// outside quotes (Nagios runs such lines with sh -c as well).
const shellMeta = "|&;<>()`*?["

// splitWords splits a command line into words as /bin/sh would, for a line
// without shell operators: white space separates words, '...' and "..."
// quote, \ escapes. needShell is true when the line uses what only a shell
// can do (pipes, redirections, globs, $ expansions, command substitution).
func splitWords(line string) (words []string, needShell bool, err error) {
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, false, fmt.Errorf("unterminated ' quote")
			}
			cur.WriteString(line[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == '"':
			j := i + 1
			for ; j < len(line) && line[j] != '"'; j++ {
				switch line[j] {
				case '\\':
					if j+1 < len(line) && strings.IndexByte("\"\\$`\n", line[j+1]) >= 0 {
						j++
					}
					cur.WriteByte(line[j])
				case '$', '`':
					return nil, true, nil
				default:
					cur.WriteByte(line[j])
				}
			}
			if j >= len(line) {
				return nil, false, fmt.Errorf("unterminated \" quote")
			}
			i = j
			inWord = true
		case c == '\\':
			if i+1 < len(line) {
				i++
				cur.WriteByte(line[i])
			}
			inWord = true
		case c == '$' || strings.IndexByte(shellMeta, c) >= 0:
			return nil, true, nil
		case (c == '#' || c == '~') && !inWord:
			// A comment, or a tilde expansion ("~" and "~/..."; "~:10",
			// a Nagios range, stays as it is in sh too).
			if c == '#' || i+1 == len(line) || strings.IndexByte("/ \t", line[i+1]) >= 0 {
				return nil, true, nil
			}
			cur.WriteByte(c)
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, false, nil
}
