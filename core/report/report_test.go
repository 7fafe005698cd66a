package report

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/execute"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sample is a fixed set of results covering every state, perfdata with
// and without thresholds, raw perfdata with a malformed item, perfdata
// without raw text (a go-plugin's), long output and characters XML must
// escape.
func sample() []check.Result {
	start := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	disk := check.Result{Check: "disk", Host: "web1", State: check.OK, Start: start, Duration: 12300 * time.Microsecond}
	check.ParseOutput([]byte("DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968  temp=U inodes=0,5%\n")).Fill(&disk)
	return []check.Result{
		disk,
		{Check: "load", Host: "web1", State: check.Warning, Output: "LOAD WARNING - load average: 5.1",
			Perfdata: []check.Perf{{Label: "load1", Value: 5.1, Warn: &check.Range{Text: "5", End: 5}}},
			Long:     "top: java\ncron", Start: start, Duration: 2 * time.Millisecond, ExitCode: 1},
		{Check: "http", Host: "db<1>", State: check.Critical, Output: `HTTP CRITICAL - "500" & <error>`,
			Start: start, Duration: 1500 * time.Millisecond, ExitCode: 2},
		{Check: "slow", Host: "db<1>", State: check.Unknown, Output: "(Service check timed out after 10.00 seconds)",
			Notes: []string{"output cut at a NUL byte"}, TimedOut: true, ExitCode: -1, Start: start, Duration: 10 * time.Second},
	}
}

func TestGolden(t *testing.T) {
	for _, tt := range []struct {
		format  string
		verbose bool
		golden  string
	}{
		{"table", false, "table.golden"},
		{"table", true, "table-verbose.golden"},
		{"json", false, "results.json.golden"},
		{"junit", false, "junit.xml.golden"},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.format, sample(), Options{Verbose: tt.verbose}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading golden file (run go test -update to create it): %v", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s output differs from %s:\n--- got\n%s\n--- want\n%s", tt.format, path, buf.Bytes(), want)
			}
		})
	}
}

// TestGoldenRealPlugins runs test plugins for real (check_ups' exact output
// with its mV and degC units, a Latin-1 plugin, an exit code out of range)
// and compares `vakt check`'s JSON and verbose table with golden files:
// raw_perfdata exactly as printed, labels and text decoded, Nagios' texts.
func TestGoldenRealPlugins(t *testing.T) {
	plugins, err := filepath.Abs(filepath.Join("..", "..", "testdata", "plugins"))
	if err != nil {
		t.Fatal(err)
	}
	jobs := []execute.Job{
		{Check: "ups", Host: "ups1", Argv: []string{filepath.Join(plugins, "check_ups.sh")}},
		{Check: "storage", Host: "fs1", Argv: []string{filepath.Join(plugins, "latin1.sh")}},
		{Check: "odd", Host: "web1", Argv: []string{filepath.Join(plugins, "printf.sh"), "4", "OK but exit 4 | a=1;U;U;0\n"}},
	}
	e := execute.NewExec(zerolog.New(zerolog.NewTestWriter(t)))
	var results []check.Result
	for _, job := range jobs {
		r := e.Run(context.Background(), job)
		r.Start, r.Duration = time.Time{}, 0 // the only parts that vary
		results = append(results, r)
	}
	for _, tt := range []struct{ format, golden string }{
		{"json", "plugins.json.golden"},
		{"table", "plugins-verbose.golden"},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.format, results, Options{Verbose: true}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading golden file (run go test -update to create it): %v", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s output differs from %s:\n--- got\n%s\n--- want\n%s", tt.format, path, buf.Bytes(), want)
			}
		})
	}
}

func TestJUnitParses(t *testing.T) {
	var buf bytes.Buffer
	if err := JUnit(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Class   string `xml:"classname,attr"`
				Failure *struct {
					Type    string `xml:"type,attr"`
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit output does not parse as XML: %v\n%s", err, buf.Bytes())
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Tests != 4 || doc.Suites[0].Failures != 3 || len(doc.Suites[0].Cases) != 4 {
		t.Fatalf("suites = %+v, want one suite with 4 cases and 3 failures", doc.Suites)
	}
	wantTypes := []string{"", "WARNING", "CRITICAL", "UNKNOWN"}
	for i, c := range doc.Suites[0].Cases {
		got := ""
		if c.Failure != nil {
			got = c.Failure.Type
		}
		if got != wantTypes[i] {
			t.Errorf("case %s: failure type %q, want %q", c.Name, got, wantTypes[i])
		}
	}
	if m := doc.Suites[0].Cases[2].Failure.Message; m != `HTTP CRITICAL - "500" & <error>` {
		t.Errorf("escaped message came back as %q", m)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Worst   string
		Code    int
		Results []struct {
			Check, State string
			Perfdata     []struct {
				Label string
				Value *float64
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Worst != "CRITICAL" || doc.Code != 2 || len(doc.Results) != 4 {
		t.Fatalf("worst %s code %d results %d", doc.Worst, doc.Code, len(doc.Results))
	}
	p := doc.Results[0].Perfdata
	if len(p) != 2 || *p[0].Value != 2643 || p[1].Value != nil {
		t.Errorf("perfdata = %+v, want /=2643 and temp=null", p)
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, "yaml", nil, Options{})
	if err == nil || err.Error() != `unknown output format "yaml": want one of table, json, junit` {
		t.Fatalf("error = %v", err)
	}
}

func TestWorst(t *testing.T) {
	if got := Worst(nil); got != check.OK {
		t.Errorf("Worst(nil) = %v", got)
	}
	if got := Worst(sample()[:2]); got != check.Warning {
		t.Errorf("Worst(ok, warning) = %v", got)
	}
	if got := Worst(sample()); got != check.Critical {
		t.Errorf("Worst(all) = %v, want CRITICAL (ranked above UNKNOWN)", got)
	}
}

// failingWriter fails every write, as a full disk or a closed pipe does.
type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWriteErrors(t *testing.T) {
	for _, tt := range []struct{ format, want string }{
		{"table", "writing table: disk full"},
		{"json", "writing JSON: disk full"},
		{"junit", "writing JUnit XML: disk full"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			err := Write(failingWriter{}, tt.format, sample(), Options{Verbose: true})
			if !errors.Is(err, errDiskFull) || err.Error() != tt.want {
				t.Errorf("error = %v, want %q wrapping the writer's error", err, tt.want)
			}
		})
	}
}

// TestJUnitControlCharacters: plugin output may hold bytes XML 1.0 cannot
// carry (terminal colours, form feeds); the document must still parse.
func TestJUnitControlCharacters(t *testing.T) {
	results := []check.Result{{Check: "colour", Host: "h", State: check.Critical,
		Output: "\x1b[31mCRITICAL\x1b[0m \x0c done", Long: "bell \x07"}}
	var buf bytes.Buffer
	if err := JUnit(&buf, results); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suite struct {
			Cases []struct {
				Failure struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit output with control characters does not parse: %v\n%q", err, buf.Bytes())
	}
	if len(doc.Suite.Cases) != 1 {
		t.Fatalf("%d cases, want 1", len(doc.Suite.Cases))
	}
	c := doc.Suite.Cases[0]
	if want := "\uFFFD[31mCRITICAL\uFFFD[0m \uFFFD done"; c.Failure.Message != want || c.SystemOut != "bell \uFFFD" {
		t.Errorf("message %q, system-out %q; want %q and %q", c.Failure.Message, c.SystemOut, want, "bell \uFFFD")
	}
}
