package config

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// randomBytes is n deterministic pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestBinaryFileRefused: a 5 MB binary file in checks.d is one error, not
// one per stray byte; the other files still load and report.
func TestBinaryFileRefused(t *testing.T) {
	withNUL := randomBytes(5<<20, 1)
	noNUL := bytes.ReplaceAll(randomBytes(5<<20, 2), []byte{0}, []byte{1})
	tests := []struct {
		name string
		src  []byte
		want string // the rendered diagnostics
	}{
		{"nul", withNUL, "error: Not a text file\n  DIR/blob.hcl is not a text file (a NUL byte at offset %d); it was not read. Check files are UTF-8 HCL text.\n"},
		{"invalid utf-8", noNUL, "error: Not a text file\n  DIR/blob.hcl is not a text file (%d of its first 8192 bytes are not UTF-8 text); it was not read. Check files are UTF-8 HCL text.\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "blob.hcl")
			if err := os.WriteFile(path, tc.src, 0o644); err != nil {
				t.Fatal(err)
			}
			writeTree(t, dir, map[string]string{"ok.hcl": "check \"a\" {\n  " + dummy + "\n}\n"})
			l := newTestLoader()
			cfg, diags := l.Load(dir)
			if cfg != nil || len(diags) != 1 {
				t.Fatalf("Load: cfg %v, %d diagnostics, want nil and 1: %q", cfg, len(diags), summaries(diags))
			}
			var out bytes.Buffer
			if err := l.WriteDiagnostics(&out, diags); err != nil {
				t.Fatal(err)
			}
			var arg int
			switch tc.name {
			case "nul":
				arg = bytes.IndexByte(tc.src, 0)
			default:
				// Random bytes: about half are >= 0x80, nearly all of
				// those invalid UTF-8, and 31 in 256 control characters.
				_, _ = fmt.Sscanf(out.String()[strings.Index(out.String(), "(")+1:], "%d of", &arg)
				if arg < 3500 || arg > 5000 {
					t.Errorf("%d bad bytes of 8192 in random bytes, want about 4300", arg)
				}
			}
			want := path + ":1:1: " + strings.ReplaceAll(fmt.Sprintf(tc.want, arg), "DIR", dir)
			if out.String() != want {
				t.Errorf("output (%d bytes):\n%s\nwant (%d bytes):\n%s", out.Len(), out.String(), len(want), want)
			}
		})
	}
}

func TestNotText(t *testing.T) {
	tests := []struct {
		name, src string
		text      bool
	}{
		{"empty", "", true},
		{"hcl", "check \"a\" {\n\tcommand = [\"x\"]\r\n}\f\n", true},
		{"utf-8", "# Grüße, 監視 \uFFFD\n", true},
		{"a little latin-1", "# Gr\xfc\xdfe aus K\xf6ln, some more text to make it a line\n", true},
		{"nul", "check \"a\" {}\n\x00", false},
		{"mostly invalid", "\xff\xfe\xfd\xfc ab", false},
		{"control characters", "\x01\x02\x03 abc", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if why := notText([]byte(tc.src)); (why == "") != tc.text {
				t.Errorf("notText(%q) = %q, want text %v", tc.src, why, tc.text)
			}
		})
	}
	// A multi-byte rune cut by the end of the sample is not bad.
	src := append(bytes.Repeat([]byte("a"), textSample-1), "é and more"...)
	if why := notText(src); why != "" {
		t.Errorf("a rune cut by the sample's end: %q", why)
	}
}

// TestErrorLimits: at most MaxErrorsPerFile errors per file and MaxErrors
// in all, then one "N more errors".
func TestErrorLimits(t *testing.T) {
	// errorsFile gives n errors: one unsupported top-level argument each.
	errorsFile := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "bogus_%d = 1\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name  string
		files map[string]int // file: errors in it
		shown map[string]int // file: errors shown
		more  int
	}{
		{"under the limits", map[string]int{"a.hcl": 50, "b.hcl": 3}, map[string]int{"a.hcl": 50, "b.hcl": 3}, 0},
		{"one file over", map[string]int{"a.hcl": 51, "b.hcl": 3}, map[string]int{"a.hcl": 50, "b.hcl": 3}, 1},
		{"every file over, and the total", map[string]int{"a.hcl": 80, "b.hcl": 60, "c.hcl": 50, "d.hcl": 70, "e.hcl": 90},
			map[string]int{"a.hcl": 50, "b.hcl": 50, "c.hcl": 50, "d.hcl": 50}, 30 + 10 + 20 + 90},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{}
			for name, n := range tc.files {
				files[name] = errorsFile(n)
			}
			writeTree(t, dir, files)
			l := newTestLoader()
			_, diags := l.Load(dir)
			shown := map[string]int{}
			var more []*hcl.Diagnostic
			for _, d := range diags {
				switch {
				case d.Severity != hcl.DiagError:
					t.Fatalf("unexpected warning %q", d.Summary)
				case d.Subject == nil:
					more = append(more, d)
				case d.Summary != "Unsupported argument":
					t.Fatalf("unexpected error %q: the test's files give other errors than it counts", d.Summary)
				default:
					shown[filepath.Base(d.Subject.Filename)]++
				}
			}
			if fmt.Sprint(shown) != fmt.Sprint(tc.shown) {
				t.Errorf("errors shown per file %v, want %v", shown, tc.shown)
			}
			switch {
			case tc.more == 0 && len(more) != 0:
				t.Errorf("diagnostics without a file: %q", summaries(more))
			case tc.more > 0:
				word := "errors"
				if tc.more == 1 {
					word = "error"
				}
				want := fmt.Sprintf("error: %d more %s: Only the first 50 errors of each file, and 200 in all, are shown.", tc.more, word)
				if len(more) != 1 || summaries(more)[0] != want || diags[len(diags)-1] != more[0] {
					t.Errorf("got %q, want one last diagnostic %q", summaries(more), want)
				}
			}
		})
	}
}

// TestWarningLimits: warnings are capped the same way, counted apart from
// errors.
func TestWarningLimits(t *testing.T) {
	var diags hcl.Diagnostics
	for i := range 60 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: fmt.Sprint("w", i),
			Subject: &hcl.Range{Filename: "a.hcl", Start: hcl.Pos{Byte: i}}})
	}
	diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "e",
		Subject: &hcl.Range{Filename: "a.hcl", Start: hcl.Pos{Byte: 100}}})
	got := limitDiagnostics(diags, 50, 200)
	if len(got) != 52 || got[50].Summary != "e" || got[51].Summary != "10 more warnings" || got[51].Severity != hcl.DiagWarning {
		t.Errorf("got %d diagnostics, last %q", len(got), summaries(got[50:]))
	}
}
