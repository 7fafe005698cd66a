package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestParseFileAsParseConfig: parsing a big file a few blocks at a time
// gives the blocks, attributes, ranges and diagnostics that parsing it
// whole gives, also where a cut falls inside a heredoc, a comment or a
// block, and where the file has errors.
func TestParseFileAsParseConfig(t *testing.T) {
	var checks strings.Builder
	for i := range 300 {
		fmt.Fprintf(&checks, "# check %d\ncheck \"c%d\" {\n  command = [\"/bin/echo\", \"${host.name} %d\"]\n  tags    = { n = \"%d\" }\n}\n\n", i, i, i, i)
	}
	many := checks.String()
	heredoc := "check \"doc\" {\n  shell   = true\n  command = <<EOT\n" + strings.Repeat("echo a line\n", 1000) + "EOT\n}\n"
	comment := "/*\n" + strings.Repeat("commented out\n", 1000) + "*/\n"
	tests := []struct {
		name, src string
		errors    bool
	}{
		{"many blocks", many, false},
		{"top-level attributes", "a = 1\n" + many + "b = 2\n", false},
		{"a heredoc with lines that start with letters", many + heredoc + many, false},
		{"a long comment", many + comment + many, false},
		{"a syntax error late in the file", many + "check \"bad\" {\n  command = [\n}\n" + many, true},
		{"a top-level attribute set twice", "a = 1\n" + many + "a = 2\n", true},
		{"CRLF line ends", strings.ReplaceAll(many, "\n", "\r\n"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.src) <= 2*parseChunkSize {
				t.Fatalf("the source has %d bytes: too small to be cut", len(tt.src))
			}
			want, wantDiags := hclsyntax.ParseConfig([]byte(tt.src), "f.hcl", hcl.Pos{Line: 1, Column: 1})
			got, gotDiags := parseFile([]byte(tt.src), "f.hcl")
			if wantDiags.HasErrors() != tt.errors {
				t.Fatalf("ParseConfig errors: %v; the test expects errors: %v", wantDiags, tt.errors)
			}
			if fmt.Sprint(gotDiags) != fmt.Sprint(wantDiags) {
				t.Errorf("diagnostics:\n got %v\nwant %v", gotDiags, wantDiags)
			}
			gb, wb := got.Body.(*hclsyntax.Body), want.Body.(*hclsyntax.Body)
			if len(gb.Blocks) != len(wb.Blocks) || len(gb.Attributes) != len(wb.Attributes) {
				t.Fatalf("%d blocks and %d attributes, want %d and %d", len(gb.Blocks), len(gb.Attributes), len(wb.Blocks), len(wb.Attributes))
			}
			for i, b := range gb.Blocks {
				w := wb.Blocks[i]
				if b.Type != w.Type || !reflect.DeepEqual(b.Labels, w.Labels) || b.Range() != w.Range() ||
					b.Body.SrcRange != w.Body.SrcRange || len(b.Body.Attributes) != len(w.Body.Attributes) {
					t.Fatalf("block %d: %s %q at %s, want %s %q at %s", i, b.Type, b.Labels, b.Range(), w.Type, w.Labels, w.Range())
				}
				for name, a := range b.Body.Attributes {
					if wa := w.Body.Attributes[name]; wa == nil || a.SrcRange != wa.SrcRange {
						t.Fatalf("block %d attribute %s at %s, want %v", i, name, a.SrcRange, wa)
					}
				}
			}
			for name, a := range gb.Attributes {
				if wa := wb.Attributes[name]; wa == nil || a.SrcRange != wa.SrcRange {
					t.Errorf("attribute %s at %s, want %v", name, a.SrcRange, wa)
				}
			}
			if gb.SrcRange != wb.SrcRange || gb.EndRange != wb.EndRange || string(got.Bytes) != tt.src {
				t.Errorf("body range %s end %s, want %s end %s", gb.SrcRange, gb.EndRange, wb.SrcRange, wb.EndRange)
			}
		})
	}
}
