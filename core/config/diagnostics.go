package config

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// WriteDiagnostics writes diagnostics as text for a terminal or a log, each
// as
//
//	checks.d/web.hcl:4:14: error: Invalid duration
//	   4 |   interval = "5x"
//	     |              ^^^^
//	  "5x" is not a duration: write a number and a unit (s, m, h, d), ...
//
// with the source lines of the files from the last Load. (hcl's own text
// writer shows neither the column nor, without colour, what the subject is.)
func (l *Loader) WriteDiagnostics(w io.Writer, diags hcl.Diagnostics) error {
	var buf bytes.Buffer
	for i, d := range diags {
		if i > 0 {
			buf.WriteByte('\n')
		}
		l.writeDiagnostic(&buf, d)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing diagnostics: %w", err)
	}
	return nil
}

func (l *Loader) writeDiagnostic(buf *bytes.Buffer, d *hcl.Diagnostic) {
	severity := "error"
	if d.Severity == hcl.DiagWarning {
		severity = "warning"
	}
	if d.Subject != nil {
		fmt.Fprintf(buf, "%s: ", position(*d.Subject))
	}
	fmt.Fprintf(buf, "%s: %s\n", severity, d.Summary)
	if d.Subject != nil {
		if f := l.files[d.Subject.Filename]; f != nil {
			writeSnippet(buf, f.Bytes, *d.Subject)
		}
	}
	if d.Detail != "" {
		for _, line := range strings.Split(d.Detail, "\n") {
			fmt.Fprintf(buf, "  %s\n", line)
		}
	}
}

// writeSnippet writes the first source line of rng with carets under the
// part that rng covers on it.
func writeSnippet(buf *bytes.Buffer, src []byte, rng hcl.Range) {
	start := rng.Start.Byte
	if start < 0 || start > len(src) || rng.Start.Line < 1 {
		return
	}
	lineStart := bytes.LastIndexByte(src[:start], '\n') + 1
	lineEnd := len(src)
	if i := bytes.IndexByte(src[start:], '\n'); i >= 0 {
		lineEnd = start + i
	}
	line := bytes.TrimRight(src[lineStart:lineEnd], "\r")
	if start > lineStart+len(line) {
		start = lineStart + len(line)
	}
	end := rng.End.Byte
	if end > lineStart+len(line) {
		end = lineStart + len(line)
	}
	if end < start {
		end = start
	}

	var pad strings.Builder
	for _, r := range string(src[lineStart:start]) {
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	carets := utf8.RuneCount(src[start:end])
	if carets == 0 {
		carets = 1
	}
	number := fmt.Sprint(rng.Start.Line)
	gutter := strings.Repeat(" ", len(number))
	fmt.Fprintf(buf, "  %s | %s\n", number, printable(line))
	fmt.Fprintf(buf, "  %s | %s%s\n", gutter, pad.String(), strings.Repeat("^", carets))
}

// sortDiagnostics orders diagnostics by file (in load order), then
// position; those without a position come first. The sort is stable.
func sortDiagnostics(diags hcl.Diagnostics, order map[string]int) hcl.Diagnostics {
	key := func(d *hcl.Diagnostic) (int, int) {
		if d.Subject == nil {
			return -2, 0
		}
		i, ok := order[d.Subject.Filename]
		if !ok {
			i = -1
		}
		return i, d.Subject.Start.Byte
	}
	sort.SliceStable(diags, func(i, j int) bool {
		fi, bi := key(diags[i])
		fj, bj := key(diags[j])
		if fi != fj {
			return fi < fj
		}
		return bi < bj
	})
	return diags
}

// dedupeDiagnostics drops repeats: a template's error is found for every
// check that uses it.
func dedupeDiagnostics(diags hcl.Diagnostics) hcl.Diagnostics {
	seen := map[string]bool{}
	out := diags[:0]
	for _, d := range diags {
		k := fmt.Sprintf("%d\x00%s\x00%s", d.Severity, d.Summary, d.Detail)
		if d.Subject != nil {
			k += "\x00" + d.Subject.String()
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}

// The most diagnostics Load returns of each severity: a file that is not
// HCL at all would otherwise give thousands.
const (
	MaxErrorsPerFile = 50
	MaxErrors        = 200
)

// limitDiagnostics keeps, of each severity, the first perFile diagnostics
// of each file and the first total in all (those without a file count
// toward total only), and adds one diagnostic per severity that says how
// many it left out. diags are sorted by file already.
func limitDiagnostics(diags hcl.Diagnostics, perFile, total int) hcl.Diagnostics {
	type key struct {
		sev  hcl.DiagnosticSeverity
		file string
	}
	inFile := map[key]int{}
	all := map[hcl.DiagnosticSeverity]int{}
	dropped := map[hcl.DiagnosticSeverity]int{}
	out := diags[:0]
	for _, d := range diags {
		k := key{sev: d.Severity}
		if d.Subject != nil {
			k.file = d.Subject.Filename
		}
		if all[d.Severity] >= total || (k.file != "" && inFile[k] >= perFile) {
			dropped[d.Severity]++
			continue
		}
		all[d.Severity]++
		inFile[k]++
		out = append(out, d)
	}
	for _, sev := range []hcl.DiagnosticSeverity{hcl.DiagError, hcl.DiagWarning} {
		n := dropped[sev]
		if n == 0 {
			continue
		}
		word := "errors"
		if sev == hcl.DiagWarning {
			word = "warnings"
		}
		if n == 1 {
			word = strings.TrimSuffix(word, "s")
		}
		out = append(out, &hcl.Diagnostic{
			Severity: sev,
			Summary:  fmt.Sprintf("%d more %s", n, word),
			Detail: fmt.Sprintf("Only the first %d %s of each file, and %d in all, are shown.",
				perFile, strings.TrimSuffix(word, "s")+"s", total),
		})
	}
	return out
}

// didYouMean suggests the candidate nearest to name, as ` Did you mean
// "x"?`, or returns "".
func didYouMean(name string, candidates []string) string {
	if best := nearest(name, candidates); best != "" {
		return fmt.Sprintf(" Did you mean %q?", best)
	}
	return ""
}

// didYouMeanVar suggests a variable, as " Did you mean var.x?", or returns "".
func didYouMeanVar(name string, candidates []string) string {
	if best := nearest(name, candidates); best != "" {
		return fmt.Sprintf(" Did you mean var.%s?", best)
	}
	return ""
}

// nearest returns the candidate at most two edits from name (and fewer
// than name is long), the nearest and then alphabetically first, or "".
func nearest(name string, candidates []string) string {
	best, bestDist := "", min(3, utf8.RuneCountInString(name))
	for _, c := range candidates {
		d := editDistance(name, c)
		if d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// printable returns a source line safe to print on a terminal: invalid
// UTF-8 and control characters other than tab become U+FFFD, one for each
// rune, so that the carets below stay aligned.
func printable(line []byte) string {
	var b strings.Builder
	for len(line) > 0 {
		r, size := utf8.DecodeRune(line)
		line = line[size:]
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\t') {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}
