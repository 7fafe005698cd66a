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
