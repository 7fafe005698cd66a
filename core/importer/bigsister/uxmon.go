package bigsister

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/vakt/vakt/core/importer"
)

// This file reads uxmon-net files: logical lines (with \ continuations),
// DEFAULT, DESCR, include and host lines.

// arg is one key=value of a uxmon-net line.
type arg struct {
	key, value string
}

// args are the arguments of a check, later ones winning.
type args []arg

func (a args) get(key string) (string, bool) {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i].key == key {
			return a[i].value, true
		}
	}
	return "", false
}

// keys returns the distinct keys, in first-seen order.
func (a args) keys() []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range a {
		if !seen[x.key] {
			seen[x.key] = true
			out = append(out, x.key)
		}
	}
	return out
}

// instance is one check on one host, as a uxmon-net line asks for it.
type instance struct {
	file     string
	line     int
	host     string // what is tested (an address or a name)
	reported string // the name it is reported as; host when not given
	check    string
	negated  bool
	args     args
	text     string // the logical line, for comments
	// skipped, when set, says why the line became only a comment (check
	// is then empty).
	skipped string
}

// hostInfo is what DESCR says about a host.
type hostInfo struct {
	args args
	file string
	line int
}

// agent is what the uxmon-net files of one configuration hold.
type agent struct {
	res       *importer.Result
	base      string
	files     []string // display names, in the order read
	instances []*instance
	descr     map[string]*hostInfo
	defaults  map[string]args // by check name; "ALL" for every check
	seen      map[string]bool
	// lines keeps each file's logical lines that became nothing else
	// (comments are written back as they were).
}

func (a *agent) display(path string) string {
	if rel, err := filepath.Rel(a.base, path); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(path)
}

// logicalLine is a line with its continuations joined.
type logicalLine struct {
	n    int
	text string
}

// readLines reads a file's logical lines: a trailing \ joins the next line.
func readLines(data []byte) []logicalLine {
	var out []logicalLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var cur strings.Builder
	start, n := 0, 0
	for sc.Scan() {
		n++
		l := strings.TrimRight(sc.Text(), " \t\r")
		if cur.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(l, "\\") {
			cur.WriteString(strings.TrimSuffix(l, "\\"))
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(l)
		out = append(out, logicalLine{n: start, text: cur.String()})
		cur.Reset()
	}
	if cur.Len() > 0 {
		out = append(out, logicalLine{n: start, text: cur.String()})
	}
	return out
}

// tokenize splits a line at white space; values may be quoted with " or '
// (key="a b"). A # that starts a token starts a comment.
func tokenize(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		case c == '#' && !in:
			return out, nil
		case c == '"' || c == '\'':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unterminated %c quote", c)
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			in = true
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out, nil
}

// readFile reads one uxmon-net file and the files it includes.
func (a *agent) readFile(path, from string, fromLine int) {
	abs, err := filepath.Abs(path)
	if err == nil {
		path = abs
	}
	if a.seen[path] {
		a.res.Add(from, fromLine, importer.Error, "include of %s again: already read; skipped", a.display(path))
		return
	}
	a.seen[path] = true
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		a.res.Add(from, fromLine, importer.Error, "reading %s: %v", a.display(path), err)
		return
	}
	name := a.display(path)
	a.files = append(a.files, name)
	for _, l := range readLines(data) {
		a.readLine(path, name, l)
	}
}

func (a *agent) readLine(path, name string, l logicalLine) {
	t := strings.TrimSpace(l.text)
	if t == "" || t[0] == '#' {
		return
	}
	toks, err := tokenize(t)
	if err != nil {
		a.skip(name, l, "%v; the line is left as a comment", err)
		return
	}
	if len(toks) == 0 {
		return
	}
	switch toks[0] {
	case "include":
		if len(toks) != 2 {
			a.res.Add(name, l.n, importer.Error, "include takes one file name")
			return
		}
		p := toks[1]
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(path), p)
		}
		a.readFile(p, name, l.n)
	case "DEFAULT":
		if len(toks) < 3 {
			a.skip(name, l, "DEFAULT needs arguments and a check name or ALL: DEFAULT key=value ... CHECK|ALL")
			return
		}
		check := toks[len(toks)-1]
		as, bad := parseArgs(toks[1 : len(toks)-1])
		if bad != "" || strings.Contains(check, "=") {
			a.skip(name, l, "DEFAULT: %q is not key=value, or the line does not end with a check name or ALL", firstNonEmpty(bad, check))
			return
		}
		a.defaults[check] = append(a.defaults[check], as...)
	case "DESCR":
		if len(toks) < 3 {
			a.skip(name, l, "DESCR needs arguments and a host: DESCR key=value ... HOST")
			return
		}
		host := toks[len(toks)-1]
		as, bad := parseArgs(toks[1 : len(toks)-1])
		if bad != "" || strings.Contains(host, "=") {
			a.skip(name, l, "DESCR: %q is not key=value, or the line does not end with a host", firstNonEmpty(bad, host))
			return
		}
		if a.descr[host] == nil {
			a.descr[host] = &hostInfo{file: name, line: l.n}
		}
		a.descr[host].args = append(a.descr[host].args, as...)
	default:
		a.readHostLine(name, l, toks)
	}
}

// skip records a line that is written back only as a comment, and the
// error that says why.
func (a *agent) skip(name string, l logicalLine, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	a.res.Add(name, l.n, importer.Error, "%s", msg)
	a.instances = append(a.instances, &instance{file: name, line: l.n, text: strings.TrimSpace(l.text), skipped: msg})
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// parseArgs reads key=value tokens; bad is the first token that is not one.
func parseArgs(toks []string) (args, string) {
	var out args
	for _, t := range toks {
		k, v, ok := strings.Cut(t, "=")
		if !ok || k == "" {
			return nil, t
		}
		out = append(out, arg{k, v})
	}
	return out, ""
}

// readHostLine reads HOST[(REPORTED)] [args] check [args] check ...
func (a *agent) readHostLine(name string, l logicalLine, toks []string) {
	host, reported := toks[0], toks[0]
	if i := strings.IndexByte(host, '('); i >= 0 {
		if !strings.HasSuffix(host, ")") || i == 0 || i == len(host)-2 {
			a.skip(name, l, "%q is not HOST or HOST(REPORTED-AS); the line is left as a comment", host)
			return
		}
		host, reported = toks[0][:i], toks[0][i+1:len(toks[0])-1]
	}
	if strings.Contains(host, "=") {
		a.skip(name, l, "the line starts with %q, not with a host; the line is left as a comment", host)
		return
	}
	var pending args
	checks := 0
	for _, t := range toks[1:] {
		if k, v, ok := strings.Cut(t, "="); ok && !strings.HasPrefix(t, "!") {
			if k == "" {
				a.res.Add(name, l.n, importer.Error, "%q is not key=value; ignored", t)
				continue
			}
			pending = append(pending, arg{k, v})
			continue
		}
		check, neg := strings.CutPrefix(t, "!")
		if check == "" {
			a.res.Add(name, l.n, importer.Error, "%q names no check; ignored", t)
			continue
		}
		var as args
		as = append(as, a.defaults["ALL"]...)
		as = append(as, a.defaults[check]...)
		as = append(as, pending...)
		a.instances = append(a.instances, &instance{
			file: name, line: l.n, host: host, reported: reported, check: check, negated: neg,
			args: as, text: strings.TrimSpace(l.text),
		})
		pending = nil
		checks++
	}
	if len(pending) > 0 {
		var ks []string
		for _, p := range pending {
			ks = append(ks, p.key+"="+p.value)
		}
		a.res.Add(name, l.n, importer.Error, "%s bind to no check: arguments go before the check they are for; ignored", strings.Join(ks, " "))
	}
	if checks == 0 {
		a.skip(name, l, "host %q has no check on this line; the line is left as a comment", reported)
	}
}
