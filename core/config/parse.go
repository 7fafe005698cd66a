package config

import (
	"runtime"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// parseChunkSize is about how many bytes of a file parseFile parses at a
// time. hclsyntax lexes a whole buffer into one token slice (some 90 bytes
// a token, a token every few bytes of source) before it parses: a big file
// grows that slice by copying it over and over, which made loading 100,000
// checks allocate some 19 KB of tokens a check. Parsing a few top-level
// blocks at a time keeps the slices small and short-lived.
const parseChunkSize = 1 << 10

// parseFile parses one configuration file as hclsyntax.ParseConfig does,
// a few top-level blocks at a time: the file is cut at line starts that
// begin with a letter (where a top-level block or attribute may start),
// each piece is parsed at its own position in the file, and the pieces'
// bodies are joined into one. When any piece does not parse cleanly (a cut
// fell inside a block, a heredoc or a comment; or the file has an error)
// or the same top-level attribute is set twice, the whole file is parsed
// at once instead, so that results and diagnostics are exactly
// ParseConfig's.
func parseFile(src []byte, name string) (*hcl.File, hcl.Diagnostics) {
	start := hcl.Pos{Line: 1, Column: 1, Byte: 0}
	if len(src) <= 2*parseChunkSize {
		return hclsyntax.ParseConfig(src, name, start)
	}
	body := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}}
	pos := start
	for pos.Byte < len(src) {
		end, lines := chunkEnd(src, pos.Byte)
		f, diags := hclsyntax.ParseConfig(src[pos.Byte:end], name, pos)
		if len(diags) > 0 {
			return hclsyntax.ParseConfig(src, name, start)
		}
		part := f.Body.(*hclsyntax.Body)
		for k, a := range part.Attributes {
			if _, dup := body.Attributes[k]; dup {
				return hclsyntax.ParseConfig(src, name, start)
			}
			body.Attributes[k] = a
		}
		body.Blocks = append(body.Blocks, part.Blocks...)
		body.EndRange = part.EndRange
		pos = hcl.Pos{Line: pos.Line + lines, Column: 1, Byte: end}
	}
	body.SrcRange = hcl.Range{Filename: name, Start: start, End: body.EndRange.End}
	return &hcl.File{Body: body, Bytes: src}, nil
}

// chunkEnd returns where the piece that starts at from ends: the first line
// start after parseChunkSize bytes whose first byte is a letter, or the
// end of src; and how many lines the piece holds.
func chunkEnd(src []byte, from int) (end, lines int) {
	for i := from; i < len(src); i++ {
		if src[i] != '\n' {
			continue
		}
		lines++
		if i+1-from >= parseChunkSize && i+1 < len(src) && isLetter(src[i+1]) {
			return i + 1, lines
		}
	}
	return len(src), lines
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

// parsed is one file as parseFile left it.
type parsed struct {
	file  *hcl.File
	diags hcl.Diagnostics
}

// parseFiles parses sources with parseFile, as many at once as there are
// CPUs, and returns the results in the order of sources.
func parseFiles(sources []source) []parsed {
	out := make([]parsed, len(sources))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(sources)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i].file, out[i].diags = parseFile(sources[i].src, sources[i].name)
			}
		}()
	}
	for i := range sources {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}
