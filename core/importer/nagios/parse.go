package nagios

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/vakt/vakt/core/importer"
)

// This file reads the main configuration file (nagios.cfg), the resource
// files and the object configuration files into objects, as Nagios'
// xodtemplate.c does.

// directive is one "key value" line of an object definition.
type directive struct {
	key, value string
	line       int
}

// object is one define block, before templates are applied.
type object struct {
	typ  string // host, service, command, ...
	file string // the file as the result names it
	line int    // the line of "define"
	raw  []string

	own   map[string]*directive // the directives set in this block
	order []*directive          // in the order written
	uses  []string              // the templates named by use, in order
	use   *directive

	// name is the template name (the name directive); register is false
	// for register 0.
	name     string
	register bool

	// resolved holds every directive after inheritance, once resolve ran.
	resolved map[string]*directive
	// unterminated marks a define whose } is missing: it is only written
	// back as a comment.
	unterminated bool
	// parents are the resolved templates of uses (unknown ones left out).
	parents   []*object
	resolving bool
}

// knownType reports whether typ is a define type Nagios knows.
func knownType(typ string) bool {
	switch typ {
	case "host", "service", "command", "contact", "contactgroup", "hostgroup", "servicegroup",
		"timeperiod", "servicedependency", "hostdependency", "serviceescalation", "hostescalation",
		"hostextinfo", "serviceextinfo":
		return true
	}
	return false
}

// source is what was read from nagios.cfg and the files it names.
type source struct {
	res            *importer.Result
	base           string            // the folder of nagios.cfg
	mainFile       string            // nagios.cfg as named in problems
	users          map[string]string // $USERn$ from resource files
	intervalLength int               // seconds per interval unit
	settings       map[string]string // other main settings vakt uses
	files          []string          // object files in the order read (display names)
	objects        []*object         // every define, in the order read
	seenFiles      map[string]bool
}

// display names a file in problems and output: relative to nagios.cfg's
// folder when it is inside it, else the path as it is.
func (s *source) display(path string) string {
	if rel, err := filepath.Rel(s.base, path); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(path)
}

// path resolves a path of nagios.cfg: relative ones are relative to its
// folder, as in Nagios 4.
func (s *source) path(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(s.base, p)
}

// readMain reads nagios.cfg and every file it names.
func readMain(mainPath string, res *importer.Result) (*source, error) {
	abs, err := filepath.Abs(mainPath)
	if err != nil {
		return nil, fmt.Errorf("finding %s: %w", mainPath, err)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("reading the main configuration file: %w", err)
	}
	s := &source{
		res: res, base: filepath.Dir(abs), mainFile: filepath.Base(abs),
		users: map[string]string{}, intervalLength: 60, settings: map[string]string{},
		seenFiles: map[string]bool{},
	}
	for i, line := range splitLines(data) {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			res.Add(s.mainFile, n, importer.Error, "%q is not a setting: want name=value", line)
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch key {
		case "cfg_file":
			s.readObjectFile(s.path(value), s.mainFile, n)
		case "cfg_dir":
			s.readObjectDir(s.path(value), s.mainFile, n)
		case "resource_file":
			s.readResource(s.path(value), n)
		case "interval_length":
			v, err := strconv.Atoi(value)
			if err != nil || v < 1 {
				res.Add(s.mainFile, n, importer.Error, "interval_length %q is not a positive whole number of seconds; using 60", value)
				continue
			}
			s.intervalLength = v
		case "service_check_timeout", "host_check_timeout", "service_check_timeout_state":
			s.settings[key] = value
			s.settings[key+"@line"] = strconv.Itoa(n)
		}
	}
	return s, nil
}

// readResource reads $USERn$=value lines.
func (s *source) readResource(path string, line int) {
	data, err := os.ReadFile(path)
	if err != nil {
		s.res.Add(s.mainFile, line, importer.Error, "reading resource file %s: %v", s.display(path), pathErr(err))
		return
	}
	name := s.display(path)
	for i, l := range splitLines(data) {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' || l[0] == ';' {
			continue
		}
		key, value, ok := strings.Cut(l, "=")
		key = strings.TrimSpace(key)
		if !ok || !strings.HasPrefix(key, "$USER") || !strings.HasSuffix(key, "$") {
			s.res.Add(name, i+1, importer.Error, "%q is not a $USERn$=value line", l)
			continue
		}
		s.users[strings.Trim(key, "$")] = strings.TrimSpace(value)
	}
}

// readObjectDir reads every *.cfg file under dir, recursively, in lexical
// order.
func (s *source) readObjectDir(dir, from string, line int) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".cfg") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		s.res.Add(from, line, importer.Error, "reading cfg_dir %s: %v", s.display(dir), pathErr(err))
		return
	}
	sort.Strings(files)
	for _, f := range files {
		s.readObjectFile(f, from, line)
	}
}

// readObjectFile reads the define blocks of one object file.
func (s *source) readObjectFile(path, from string, fromLine int) {
	if s.seenFiles[path] {
		return
	}
	s.seenFiles[path] = true
	data, err := os.ReadFile(path)
	if err != nil {
		s.res.Add(from, fromLine, importer.Error, "reading object file %s: %v", s.display(path), pathErr(err))
		return
	}
	name := s.display(path)
	s.files = append(s.files, name)
	var cur *object
	lines := splitLines(data)
	for i, raw := range lines {
		n := i + 1
		line := stripComment(raw)
		if line == "" {
			if cur != nil {
				cur.raw = append(cur.raw, raw)
			}
			continue
		}
		if cur == nil {
			if key, value, ok := strings.Cut(line, "="); ok && (strings.TrimSpace(key) == "include_file" || strings.TrimSpace(key) == "include_dir") {
				p := strings.TrimSpace(value)
				if !filepath.IsAbs(p) {
					p = filepath.Join(filepath.Dir(path), p)
				}
				if strings.TrimSpace(key) == "include_file" {
					s.readObjectFile(p, name, n)
				} else {
					s.readObjectDir(p, name, n)
				}
				continue
			}
			typ, ok := defineType(line)
			if !ok {
				s.res.Add(name, n, importer.Error, "%q is outside any define block; skipped", strings.TrimSpace(raw))
				continue
			}
			cur = s.newObject(typ, name, n, raw)
			continue
		}
		if typ, ok := defineType(line); ok {
			s.res.Add(name, cur.line, importer.Error, "define %s is not terminated: no } before the define at line %d; left as a comment", cur.typ, n)
			s.unterminated(cur)
			cur = s.newObject(typ, name, n, raw)
			continue
		}
		cur.raw = append(cur.raw, raw)
		if line == "}" || strings.HasSuffix(line, "}") && !strings.Contains(line, " ") && !strings.Contains(line, "\t") {
			if line != "}" {
				s.addDirective(cur, strings.TrimSuffix(line, "}"), n)
			}
			s.finish(cur)
			cur = nil
			continue
		}
		s.addDirective(cur, line, n)
	}
	if cur != nil {
		s.res.Add(name, cur.line, importer.Error, "define %s is not terminated: the file ends before its }; left as a comment", cur.typ)
		s.unterminated(cur)
	}
}

// defineType reads "define TYPE {" (the brace may be missing or on a
// later line).
func defineType(line string) (string, bool) {
	rest, ok := strings.CutPrefix(line, "define")
	if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t' && rest[0] != '{') {
		return "", false
	}
	rest = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "{"))
	return strings.TrimSpace(rest), true
}

func (s *source) newObject(typ, file string, line int, raw string) *object {
	return &object{typ: typ, file: file, line: line, raw: []string{raw}, own: map[string]*directive{}, register: true}
}

// addDirective reads one "key value" line of cur.
func (s *source) addDirective(cur *object, line string, n int) {
	line = strings.TrimSpace(line)
	if line == "" || line == "{" {
		return
	}
	key, value := line, ""
	if i := strings.IndexAny(line, " \t"); i >= 0 {
		key, value = line[:i], strings.TrimSpace(line[i+1:])
	}
	if cur.typ == "timeperiod" && !knownTimeperiodKey(key) {
		// "monday 1 september 00:00-24:00": the key has spaces; only the
		// raw text is kept, as a comment.
		return
	}
	d := &directive{key: key, value: value, line: n}
	if prev := cur.own[key]; prev != nil {
		s.res.Add(cur.file, n, importer.Note, "%s is set twice in this define (also at line %d); the later one counts", key, prev.line)
	}
	cur.own[key] = d
	cur.order = append(cur.order, d)
}

func knownTimeperiodKey(k string) bool {
	switch k {
	case "timeperiod_name", "alias", "name", "use", "register", "exclude":
		return true
	}
	return false
}

// unterminated records a define without its }, to be written back as a
// comment only.
func (s *source) unterminated(o *object) {
	o.unterminated, o.register = true, false
	o.own = map[string]*directive{}
	s.objects = append(s.objects, o)
}

// finish records a complete define.
func (s *source) finish(o *object) {
	if !knownType(o.typ) {
		s.res.Add(o.file, o.line, importer.Error, "unknown object type %q; the define is left as a comment", o.typ)
	}
	if d := o.own["use"]; d != nil {
		o.use = d
		for _, u := range strings.Split(d.value, ",") {
			if u = strings.TrimSpace(u); u != "" {
				o.uses = append(o.uses, u)
			}
		}
		delete(o.own, "use")
	}
	if d := o.own["name"]; d != nil {
		o.name = d.value
		delete(o.own, "name")
	}
	if d := o.own["register"]; d != nil {
		o.register = d.value != "0"
		delete(o.own, "register")
	}
	s.objects = append(s.objects, o)
}

// stripComment removes a comment: lines starting with # or ;, and
// everything from an unescaped ; on. It trims white space.
func stripComment(line string) string {
	t := strings.TrimSpace(line)
	if t == "" || t[0] == '#' || t[0] == ';' {
		return ""
	}
	if !strings.Contains(t, ";") {
		return t
	}
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		if t[i] == '\\' && i+1 < len(t) && t[i+1] == ';' {
			b.WriteByte(';')
			i++
			continue
		}
		if t[i] == ';' {
			break
		}
		b.WriteByte(t[i])
	}
	return strings.TrimSpace(b.String())
}

// pathErr is an error without the path a *fs.PathError repeats.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// splitLines splits data into lines without their line ends.
func splitLines(data []byte) []string {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	return lines
}
