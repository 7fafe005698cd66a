package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// Loader reads checks.d files and remembers their source, so that
// WriteDiagnostics can show the lines a diagnostic points at. A Loader is
// not safe for concurrent use; each Load replaces the remembered source.
type Loader struct {
	// LookupEnv reads the environment for env(); os.LookupEnv unless set.
	LookupEnv func(key string) (string, bool)

	files map[string]*hcl.File
}

// NewLoader returns a Loader that reads the process environment.
func NewLoader() *Loader {
	return &Loader{LookupEnv: os.LookupEnv, files: map[string]*hcl.File{}}
}

// source is one configuration file as read.
type source struct {
	name string // the path as passed or found; diagnostics show it
	dir  string // the file's folder, absolute; defaults blocks apply by it
	src  []byte
}

// Load reads every path: a folder means every *.hcl file under it (hidden
// files and folders, named .*, are skipped), in lexical order; a file means
// that file, whatever its name. All files form one configuration.
//
// The diagnostics hold every problem found in all files, sorted by file and
// position. When they hold an error the Config is nil; warnings come with a
// Config.
func (l *Loader) Load(paths ...string) (*Config, hcl.Diagnostics) {
	sources, diags := readSources(paths)
	roots := make([]string, 0, len(paths))
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			abs = filepath.Clean(p)
		}
		roots = append(roots, abs)
	}
	cfg, more := l.load(sources, roots...)
	diags = limitDiagnostics(append(diags, more...), MaxErrorsPerFile, MaxErrors)
	if diags.HasErrors() {
		return nil, diags
	}
	return cfg, diags
}

// load parses and decodes sources; it is Load without the file system.
// roots are the absolute paths Load was given, for the teams of
// notification blocks.
func (l *Loader) load(sources []source, roots ...string) (*Config, hcl.Diagnostics) {
	l.files = make(map[string]*hcl.File, len(sources))
	var diags hcl.Diagnostics
	order := make(map[string]int, len(sources))
	files := make([]parsedFile, 0, len(sources))
	parsed := parseFiles(sources)
	for i, s := range sources {
		f, parseDiags := parsed[i].file, parsed[i].diags
		diags = append(diags, parseDiags...)
		l.files[s.name] = f
		order[s.name] = i
		if f != nil && f.Body != nil {
			// A file with syntax errors still contributes the blocks the
			// parser recovered, so that its hosts and templates exist for
			// the other files and their errors are not hidden.
			files = append(files, parsedFile{name: s.name, dir: s.dir, body: f.Body})
		}
	}
	lookupEnv := l.LookupEnv
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	r := newResolver(lookupEnv)
	r.syntaxErrors = diags
	r.roots = roots
	cfg := r.resolve(files)
	diags = append(diags, r.diags...)
	return cfg, sortDiagnostics(dedupeDiagnostics(diags), order)
}

// readSources finds and reads the files named by paths, once each.
func readSources(paths []string) ([]source, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	if len(paths) == 0 {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No configuration",
			Detail:   "No file or folder was given to load checks from.",
		}}
	}
	var names []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			diags = append(diags, readError(err))
			continue
		}
		if !info.IsDir() {
			names = append(names, p)
			continue
		}
		found, walkDiags := findFiles(p)
		diags = append(diags, walkDiags...)
		if len(found) == 0 && len(walkDiags) == 0 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "No configuration files",
				Detail:   fmt.Sprintf("The folder %s holds no *.hcl files.", p),
			})
		}
		names = append(names, found...)
	}
	seen := make(map[string]bool, len(names))
	sources := make([]source, 0, len(names))
	for _, name := range names {
		abs, err := filepath.Abs(name)
		if err != nil {
			abs = filepath.Clean(name)
		}
		if seen[abs] {
			continue
		}
		seen[abs] = true
		src, err := os.ReadFile(name)
		if err != nil {
			diags = append(diags, readError(err))
			continue
		}
		if why := notText(src); why != "" {
			// Refused before parsing: a binary file would give one
			// diagnostic per stray byte.
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Not a text file",
				Detail:   fmt.Sprintf("%s is not a text file (%s); it was not read. Check files are UTF-8 HCL text.", name, why),
				Subject:  &hcl.Range{Filename: name, Start: hcl.InitialPos, End: hcl.InitialPos},
			})
			continue
		}
		sources = append(sources, source{name: name, dir: filepath.Dir(abs), src: src})
	}
	return sources, diags
}

// textSample is how much of a file notText looks at.
const textSample = 8 << 10

// notText says why src is not a text file, or returns "": a file is not
// text when the first textSample bytes hold a NUL byte, or when more than a
// quarter of them are bytes of invalid UTF-8 or control characters other
// than tab, newline, carriage return and form feed. (A Latin-1 file with a
// few accented letters is text: the parser reports its bad characters.)
func notText(src []byte) string {
	sample := src[:min(len(src), textSample)]
	if i := bytes.IndexByte(sample, 0); i >= 0 {
		return fmt.Sprintf("a NUL byte at offset %d", i)
	}
	bad := 0
	for rest := sample; len(rest) > 0; {
		r, size := utf8.DecodeRune(rest)
		switch {
		case r == utf8.RuneError && size <= 1:
			if len(rest) < utf8.UTFMax && len(sample) < len(src) && !utf8.FullRune(rest) {
				size = len(rest) // a rune cut by the end of the sample
			} else {
				bad++
			}
			size = max(size, 1)
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f':
			bad++
		}
		rest = rest[size:]
	}
	if bad*4 > len(sample) {
		return fmt.Sprintf("%d of its first %d bytes are not UTF-8 text", bad, len(sample))
	}
	return ""
}

// findFiles lists the *.hcl files under root in lexical order, skipping
// hidden files and folders.
func findFiles(root string) ([]string, hcl.Diagnostics) {
	var names []string
	var diags hcl.Diagnostics
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			diags = append(diags, readError(err))
			if d != nil && d.IsDir() && path != root {
				return fs.SkipDir
			}
			return nil
		}
		hidden := strings.HasPrefix(d.Name(), ".") && path != root
		switch {
		case d.IsDir() && hidden:
			return fs.SkipDir
		case d.IsDir() || hidden || !strings.HasSuffix(d.Name(), ".hcl"):
			return nil
		}
		names = append(names, path)
		return nil
	})
	if err != nil {
		diags = append(diags, readError(err))
	}
	return names, diags
}

// readError turns a file system error into a diagnostic; err names the path.
func readError(err error) *hcl.Diagnostic {
	detail := err.Error()
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		detail = fmt.Sprintf("%s: %v", pathErr.Path, pathErr.Err)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Cannot read configuration",
		Detail:   detail + ".",
	}
}
