// Package report writes the results of a one-shot run (`vakt check`) for
// people and for CI systems: an aligned table, JSON, or JUnit XML.
package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vakt/vakt/core/check"
)

// Formats names the formats Write accepts.
const Formats = "table, json, junit"

// Options change what a report includes.
type Options struct {
	// Verbose adds long output, perfdata (as the plugin printed it) and
	// parser notes to the table.
	Verbose bool
}

// CheckFormat returns an error unless format is one Write accepts.
func CheckFormat(format string) error {
	switch format {
	case "table", "", "json", "junit":
		return nil
	}
	return fmt.Errorf("unknown output format %q: want one of %s", format, Formats)
}

// Write writes results in the named format.
func Write(w io.Writer, format string, results []check.Result, opts Options) error {
	if err := CheckFormat(format); err != nil {
		return err
	}
	switch format {
	case "json":
		return JSON(w, results)
	case "junit":
		return JUnit(w, results)
	}
	return Table(w, results, opts)
}

// Worst returns the worst state of results (OK for none) as check.Worse
// ranks them; its number is the exit code of `vakt check`.
func Worst(results []check.Result) check.State {
	worst := check.OK
	for _, r := range results {
		worst = check.Worse(worst, r.State)
	}
	return worst
}

// Table writes one aligned line per result: check, host, state, duration
// and the first line of output; with Verbose, the long output, perfdata and
// notes follow each line, indented.
func Table(w io.Writer, results []check.Result, opts Options) error {
	// Align the result lines first, then put the details between them, so
	// that the details do not widen the columns.
	var rows bytes.Buffer
	tw := tabwriter.NewWriter(&rows, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tHOST\tSTATE\tDURATION\tOUTPUT")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Check, r.Host, r.State, formatDuration(r.Duration), oneLine(r.Output))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing table: %w", err)
	}
	lines := strings.SplitAfter(rows.String(), "\n")
	var out strings.Builder
	out.WriteString(lines[0])
	for i, r := range results {
		out.WriteString(lines[i+1])
		if opts.Verbose {
			writeDetails(&out, r)
		}
	}
	if _, err := io.WriteString(w, out.String()); err != nil {
		return fmt.Errorf("writing table: %w", err)
	}
	return nil
}

func writeDetails(out *strings.Builder, r check.Result) {
	for _, line := range strings.Split(r.Long, "\n") {
		if line != "" {
			fmt.Fprintf(out, "    %s\n", line)
		}
	}
	if perf := perfText(r); perf != "" {
		fmt.Fprintf(out, "    perfdata: %s\n", perf)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(out, "    note: %s\n", n)
	}
}

// perfText is the perfdata as the plugin printed it, or, for a result
// without that text (a go-plugin's), its items in Nagios syntax.
func perfText(r check.Result) string {
	if r.RawPerfdata != "" {
		return r.RawPerfdata
	}
	return check.FormatPerfdata(r.Perfdata)
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.ReplaceAll(s, "\t", " ")
}

func formatDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// jsonResult is the stable JSON shape of one result.
type jsonResult struct {
	Check      string     `json:"check"`
	Host       string     `json:"host"`
	State      string     `json:"state"`
	Code       int        `json:"code"`
	Output     string     `json:"output"`
	Long       string     `json:"long_output,omitempty"`
	Perfdata   []jsonPerf `json:"perfdata,omitempty"`
	RawPerf    string     `json:"raw_perfdata,omitempty"` // as the plugin printed it
	Notes      []string   `json:"notes,omitempty"`
	ExitCode   int        `json:"exit_code"`
	TimedOut   bool       `json:"timed_out,omitempty"`
	Start      time.Time  `json:"start"`
	DurationMS float64    `json:"duration_ms"`
}

type jsonPerf struct {
	Label string   `json:"label"`
	Value *float64 `json:"value"` // null when the plugin wrote U
	UOM   string   `json:"uom,omitempty"`
	Warn  string   `json:"warn,omitempty"`
	Crit  string   `json:"crit,omitempty"`
	Min   *float64 `json:"min,omitempty"`
	Max   *float64 `json:"max,omitempty"`
}

// JSON writes {"worst": ..., "code": ..., "results": [...]}.
func JSON(w io.Writer, results []check.Result) error {
	out := struct {
		Worst   string       `json:"worst"`
		Code    int          `json:"code"`
		Results []jsonResult `json:"results"`
	}{Results: make([]jsonResult, 0, len(results))}
	worst := Worst(results)
	out.Worst, out.Code = worst.String(), int(worst)
	for _, r := range results {
		jr := jsonResult{Check: r.Check, Host: r.Host, State: r.State.String(), Code: int(r.State),
			Output: r.Output, Long: r.Long, RawPerf: r.RawPerfdata, Notes: r.Notes, ExitCode: r.ExitCode, TimedOut: r.TimedOut,
			Start: r.Start, DurationMS: float64(r.Duration.Microseconds()) / 1000}
		for _, p := range r.Perfdata {
			jp := jsonPerf{Label: p.Label, UOM: p.UOM, Min: p.Min, Max: p.Max}
			if !p.Undetermined {
				v := p.Value
				jp.Value = &v
			}
			if p.Warn != nil {
				jp.Warn = p.Warn.String()
			}
			if p.Crit != nil {
				jp.Crit = p.Crit.String()
			}
			jr.Perfdata = append(jr.Perfdata, jp)
		}
		out.Results = append(out.Results, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// The JUnit XML shape that CI systems (Jenkins, GitLab) read.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit writes one testsuite named vakt with a testcase per check
// (classname the host, name the check) and a failure element, typed with
// the state, for every check that is not OK.
func JUnit(w io.Writer, results []check.Result) error {
	suite := junitSuite{Name: "vakt", Tests: len(results)}
	var total time.Duration
	for _, r := range results {
		total += r.Duration
		c := junitCase{Classname: r.Host, Name: r.Check, Time: seconds(r.Duration), SystemOut: details(r)}
		if r.State != check.OK {
			suite.Failures++
			c.Failure = &junitFailure{Message: r.Output, Type: r.State.String(),
				Text: r.State.String() + ": " + r.Output}
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{suite}}); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	return nil
}

func details(r check.Result) string {
	var parts []string
	if r.Long != "" {
		parts = append(parts, r.Long)
	}
	if perf := perfText(r); perf != "" {
		parts = append(parts, "perfdata: "+perf)
	}
	for _, n := range r.Notes {
		parts = append(parts, "note: "+n)
	}
	return strings.Join(parts, "\n")
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
