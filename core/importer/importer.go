// Package importer holds what the converters of `vakt import` share: the
// problems they report with the file and line they come from, the HCL files
// they produce, and helpers that write HCL text safely. The converters are
// its subpackages: nagios (Nagios, Naemon and Icinga 1 object
// configuration) and bigsister (Big Sister uxmon-net and
// bb_event_generator.cfg).
//
// A converter never stops at the first problem: whatever it cannot read or
// convert is reported as a Problem and, where it was input, left as a
// comment in the output, so that nothing is dropped silently.
package importer

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Severity says whether a problem is an error in the input or something
// that was read fine but has no vakt equivalent.
type Severity int

const (
	// Note: the input is fine, but this part of it became a comment.
	Note Severity = iota
	// Error: the input is malformed here; what could be read around it is
	// still converted.
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "note"
}

// Problem is one thing a converter could not convert, where it is in the
// input and why.
type Problem struct {
	File     string
	Line     int // 0 when the problem is about the whole file
	Severity Severity
	Message  string
}

// String writes the problem as file:line: severity: message.
func (p Problem) String() string {
	pos := p.File
	if p.Line > 0 {
		pos += ":" + strconv.Itoa(p.Line)
	}
	return fmt.Sprintf("%s: %s: %s", pos, p.Severity, p.Message)
}

// File is one HCL file a converter wrote, by its path relative to the
// output folder.
type File struct {
	Name    string
	Content []byte
}

// Result is what a conversion produced.
type Result struct {
	Files    []File
	Problems []Problem
}

// Errors counts the problems of severity Error.
func (r *Result) Errors() int {
	n := 0
	for _, p := range r.Problems {
		if p.Severity == Error {
			n++
		}
	}
	return n
}

// Add records a problem.
func (r *Result) Add(file string, line int, sev Severity, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{File: file, Line: line, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

// SortProblems orders the problems by file, then line, keeping the order of
// problems on the same line.
func (r *Result) SortProblems() {
	sort.SliceStable(r.Problems, func(i, j int) bool {
		a, b := r.Problems[i], r.Problems[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
}

// WriteProblems writes one line per problem.
func (r *Result) WriteProblems(w io.Writer) error {
	for _, p := range r.Problems {
		if _, err := fmt.Fprintln(w, p.String()); err != nil {
			return fmt.Errorf("writing problems: %w", err)
		}
	}
	return nil
}

// WriteFiles writes the files under dir, creating folders as needed. It
// refuses names that would leave dir.
func (r *Result) WriteFiles(dir string) error {
	for _, f := range r.Files {
		if !filepath.IsLocal(f.Name) {
			return fmt.Errorf("writing %s: the name leaves the output folder", f.Name)
		}
		path := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("creating the folder of %s: %w", path, err)
		}
		if err := os.WriteFile(path, f.Content, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return nil
}

// Format aligns HCL text as hclwrite (and terraform fmt) do.
func Format(src []byte) []byte { return hclwrite.Format(src) }

// Placeholders stand for the check's host in text that Quote writes: they
// become ${host.address}, ${host.name} and ${host.tags["KEY"]}. They use
// Unicode private-use characters, which configuration text does not hold.
const (
	HostAddress = "\uE000address\uE001"
	HostName    = "\uE000name\uE001"
)

// HostTag returns the placeholder of the host's tag key.
func HostTag(key string) string { return "\uE000tag:" + key + "\uE001" }

// Quote writes s as an HCL string literal: quotes, backslashes and control
// characters escaped, "${" and "%{" escaped so that they stay literal, and
// the placeholders turned into interpolations of the check's host.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "\uE000") {
			end := strings.Index(s[i:], "\uE001")
			if end > 0 {
				name := s[i+len("\uE000") : i+end]
				switch {
				case name == "address":
					b.WriteString("${host.address}")
				case name == "name":
					b.WriteString("${host.name}")
				case strings.HasPrefix(name, "tag:"):
					b.WriteString("${host.tags[" + strconv.Quote(strings.TrimPrefix(name, "tag:")) + "]}")
				}
				i += end + len("\uE001")
				continue
			}
		}
		c := s[i]
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, c)
		case (c == '$' || c == '%') && i+1 < len(s) && s[i+1] == '{':
			b.WriteByte(c)
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
		i++
	}
	b.WriteByte('"')
	return b.String()
}

// QuoteList writes a list of strings as an HCL tuple on one line.
func QuoteList(list []string) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = Quote(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// QuoteMap writes a map of strings as an HCL object on one line, keys
// sorted and quoted.
func QuoteMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = Quote(k) + " = " + Quote(m[k])
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// Comment writes text as # comment lines, each prefixed with indent.
func Comment(b *strings.Builder, indent, text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		line = strings.TrimRight(line, " \t\r")
		if line == "" {
			b.WriteString(indent + "#\n")
			continue
		}
		b.WriteString(indent + "# " + strings.ToValidUTF8(line, "\uFFFD") + "\n")
	}
}

// Duration writes d as vakt durations are written: "30s", "5m", "1h30m",
// "2d"; at least one second.
func Duration(d time.Duration) string {
	if d < time.Second {
		d = time.Second
	}
	d = d.Round(time.Second)
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	s := ""
	if days > 0 {
		s = strconv.Itoa(int(days)) + "d"
		if d == 0 {
			return s
		}
	}
	t := d.String()
	if strings.HasSuffix(t, "m0s") {
		t = strings.TrimSuffix(t, "0s")
	}
	if strings.HasSuffix(t, "h0m") {
		t = strings.TrimSuffix(t, "0m")
	}
	return s + t
}

// ProblemsFile is the file of a golden folder that holds the problems.
const ProblemsFile = "problems.txt"

// CompareGolden compares a result with a golden folder: one file per
// output file, and ProblemsFile with the problems. With update it
// rewrites the folder instead. It returns what differs.
func CompareGolden(res *Result, dir string, update bool) error {
	var problems strings.Builder
	if err := res.WriteProblems(&problems); err != nil {
		return err
	}
	want := map[string][]byte{ProblemsFile: []byte(problems.String())}
	for _, f := range res.Files {
		want[f.Name] = f.Content
	}
	if update {
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("clearing %s: %w", dir, err)
		}
		if err := res.WriteFiles(dir); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, ProblemsFile), want[ProblemsFile], 0o644)
	}
	var diffs []string
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		got, ok := want[rel]
		if !ok {
			diffs = append(diffs, rel+": in the golden folder, not in the output")
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if string(data) != string(got) {
			diffs = append(diffs, fmt.Sprintf("%s differs:\n%s", rel, firstDiff(string(data), string(got))))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading golden folder %s: %w", dir, err)
	}
	for name := range want {
		if !seen[name] {
			diffs = append(diffs, name+": in the output, not in the golden folder")
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		return fmt.Errorf("output differs from %s (run the test with -update to rewrite it, then read the diff):\n%s", dir, strings.Join(diffs, "\n"))
	}
	return nil
}

// firstDiff shows the first line where want and got differ.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("  line %d\n  want: %q\n  got:  %q", i+1, wl, gl)
		}
	}
	return "  (same lines)"
}
