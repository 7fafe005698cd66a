package execute

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk"
)

// Kind is the kind of a Job.
type Kind string

// The kinds of job.
const (
	// KindExec runs a legacy Nagios plugin: Job.Argv, without a shell
	// unless Job.Shell.
	KindExec Kind = "exec"
	// KindPlugin calls a go-plugin: Job.Plugin with Job.Config.
	KindPlugin Kind = "plugin"
)

// JobRunner runs one job; *Exec, *PluginHost and *Runner are JobRunners.
type JobRunner interface {
	Run(ctx context.Context, job Job) check.Result
}

// Runner runs a job of either kind: exec jobs with Exec, plugin jobs with
// Plugins. It is the one entry point `vakt check` and the daemon run
// checks through. Results are named after the job's check and host.
type Runner struct {
	// Exec runs exec jobs; nil gives them UNKNOWN saying so.
	Exec JobRunner
	// Plugins runs plugin jobs (a *PluginHost); nil gives them UNKNOWN
	// saying that no plugin runner is configured.
	Plugins JobRunner
}

// Run runs job with the runner of its kind. It never fails: a job of an
// unknown kind, or of a kind that has no runner, is UNKNOWN saying why.
func (r *Runner) Run(ctx context.Context, job Job) check.Result {
	var run JobRunner
	switch job.Kind {
	case "", KindExec:
		run = r.Exec
		if run == nil {
			return jobUnknown(job, fmt.Sprintf("(check %s/%s runs a command, but no command runner is configured)", job.Host, job.Check))
		}
	case KindPlugin:
		run = r.Plugins
		if run == nil {
			return jobUnknown(job, fmt.Sprintf("(check %s/%s uses plugin %q, but no plugin runner is configured)", job.Host, job.Check, job.Plugin))
		}
	default:
		return jobUnknown(job, fmt.Sprintf("(Invalid check job: unknown kind %q)", job.Kind))
	}
	res := run.Run(ctx, job)
	res.Check, res.Host = job.Check, job.Host
	return res
}

func jobUnknown(job Job, output string) check.Result {
	return check.Result{Check: job.Check, Host: job.Host, State: check.Unknown, Output: output,
		ExitCode: -1, Start: time.Now()}
}

// PluginRef names a plugin as a job does: the name, the pin, and the team
// plugin folders searched first.
type PluginRef struct {
	Name   string
	SHA256 string
	Dirs   []string
}

// PluginRef returns the plugin the job calls.
func (job Job) PluginRef() PluginRef {
	return PluginRef{Name: job.Plugin, SHA256: job.PluginSHA256, Dirs: job.PluginDirs}
}

// ConfigID is the id a plugin job's config is configured under on its
// plugin: the check's ID and a digest of everything that makes up the
// configuration (plugin, pin, plugin folders, config). An identical job
// after a reload has the same id, so it is not configured again; a
// changed one has another.
func (job Job) ConfigID() string {
	h := sha256.New()
	for _, s := range []string{job.Plugin, job.PluginSHA256, strings.Join(job.PluginDirs, "\x00"), job.Address} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	h.Write(job.Config)
	return job.Host + "/" + job.Check + "#" + hex.EncodeToString(h.Sum(nil)[:8])
}

// EncodeConfig encodes plugin config values (as Schema.ValidateValues
// returns them) for Job.Config: a JSON object with the keys sorted, each
// duration as a Go duration string ("1m30s"). DecodeConfig, given the same
// schema, returns equal values.
func EncodeConfig(values sdk.Values) ([]byte, error) {
	if len(values) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(values))
	for k, v := range values {
		if d, ok := v.(time.Duration); ok {
			v = d.String()
		}
		out[k] = v
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encoding plugin config: %w", err)
	}
	return b, nil
}

// DecodeConfig decodes a Job.Config against a plugin's schema: the values
// of the attributes' Go types, defaults filled in. An attribute the schema
// does not know, a value of the wrong type or a missing required attribute
// is an sdk.ConfigErrors, which happens when the plugin changed since the
// job was made.
func DecodeConfig(schema sdk.Schema, data []byte) (sdk.Values, error) {
	raw := map[string]any{}
	if len(data) > 0 {
		var decoded map[string]json.RawMessage
		if err := json.Unmarshal(data, &decoded); err != nil {
			return nil, fmt.Errorf("decoding plugin config: %w", err)
		}
		for name, msg := range decoded {
			v, err := decodeConfigValue(schema, name, msg)
			if err != nil {
				return nil, sdk.ConfigErrors{{Attribute: name, Message: err.Error()}}
			}
			raw[name] = v
		}
	}
	return schema.ValidateValues(raw)
}

// decodeConfigValue decodes one value as the Go type of its attribute, so
// that ValidateValues sees that type (a list of strings, not of any).
func decodeConfigValue(schema sdk.Schema, name string, msg json.RawMessage) (any, error) {
	spec, known := schema.Attribute(name)
	var target any
	switch {
	case !known:
		// Decoded as it is, so that ValidateValues reports it as unknown.
	case spec.Type == sdk.TypeListOfString:
		var l []string
		if err := json.Unmarshal(msg, &l); err != nil {
			return nil, fmt.Errorf("attribute %q: want %s", name, spec.Type)
		}
		if l == nil {
			l = []string{}
		}
		return l, nil
	case spec.Type == sdk.TypeMapOfString:
		var m map[string]string
		if err := json.Unmarshal(msg, &m); err != nil {
			return nil, fmt.Errorf("attribute %q: want %s", name, spec.Type)
		}
		if m == nil {
			m = map[string]string{}
		}
		return m, nil
	}
	if err := json.Unmarshal(msg, &target); err != nil {
		return nil, fmt.Errorf("attribute %q: %w", name, err)
	}
	return target, nil
}

// TeamPluginDirs returns the team plugin folders of a check declared in
// file: the plugins folder of the file's folder and of each folder above
// it, nearest first, up to the configuration root (of roots) that holds
// the file; only the file's own folder's when no root holds it.
func TeamPluginDirs(file string, roots []string) []string {
	if file == "" {
		return nil
	}
	abs := absPath(file)
	dir := filepath.Dir(abs)
	top := dir
	for _, r := range roots {
		root := absPath(r)
		if root == abs {
			break // the root is the file itself
		}
		if rel, err := filepath.Rel(root, dir); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			top = root
			break
		}
	}
	var dirs []string
	for d := dir; ; d = filepath.Dir(d) {
		dirs = append(dirs, filepath.Join(d, PluginDirName))
		if d == top || filepath.Dir(d) == d {
			return dirs
		}
	}
}
