package execute

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// PluginFilePrefix starts the file name of a plugin executable in a plugin
// folder: the file vakt-plugin-NAME serves the plugin NAME. Other files in
// the folder (a README, data files) are not plugins.
const PluginFilePrefix = "vakt-plugin-"

// PluginDirName is the name of a team's plugin folder: a folder called
// plugins next to a team's HCL files holds that team's plugins.
const PluginDirName = "plugins"

// pluginRef is where a plugin comes from: the executable and the arguments
// that make it serve the plugin.
type pluginRef struct {
	name    string
	path    string   // absolute path of the executable
	args    []string // ["plugin-serve", NAME] for a built-in
	builtin bool
}

// ErrUnknownPlugin is what the error of a plugin that is not found is (errors.Is).
var ErrUnknownPlugin = errors.New("unknown plugin")

// ErrChecksumMismatch is what the error of a plugin whose executable is
// not the pinned one is (errors.Is).
var ErrChecksumMismatch = errors.New("plugin checksum mismatch")

// unknownPluginError says that no plugin of that name was found.
type unknownPluginError struct {
	name     string
	searched []string // the folders looked in
	builtins []string
}

func (e *unknownPluginError) Is(target error) bool { return target == ErrUnknownPlugin }

func (e *unknownPluginError) Error() string {
	where := "no plugin folder is configured"
	if len(e.searched) > 0 {
		where = "it is not in " + strings.Join(e.searched, ", ")
	}
	builtins := "there are no built-in plugins"
	if len(e.builtins) > 0 {
		builtins = "the built-ins are " + strings.Join(e.builtins, ", ")
	}
	return fmt.Sprintf("no plugin %q: no file %s%s is found (%s) and %s",
		e.name, PluginFilePrefix, e.name, where, builtins)
}

// resolve finds the plugin a job names: the file vakt-plugin-NAME in the
// job's team plugin folders (nearest first), then in the global plugin
// folders in order, then a built-in plugin of that name. The first found
// wins.
func (h *PluginHost) resolve(r PluginRef) (pluginRef, error) {
	dirs := append(append([]string(nil), r.Dirs...), h.dirs...)
	for _, dir := range dirs {
		path := filepath.Join(dir, PluginFilePrefix+r.Name)
		info, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return pluginRef{}, fmt.Errorf("looking for plugin %q: %w", r.Name, err)
		case info.IsDir():
			continue
		case info.Mode().Perm()&0o111 == 0:
			return pluginRef{}, fmt.Errorf("plugin %q: %s is not executable (chmod +x it)", r.Name, path)
		}
		return pluginRef{name: r.Name, path: path}, nil
	}
	if h.builtins[r.Name] {
		return h.builtinRef(r.Name)
	}
	return pluginRef{}, &unknownPluginError{name: r.Name, searched: dirs, builtins: h.builtinNames}
}

func (h *PluginHost) builtinRef(name string) (pluginRef, error) {
	if h.selfExeErr != nil {
		return pluginRef{}, fmt.Errorf("built-in plugin %q: %w", name, h.selfExeErr)
	}
	return pluginRef{name: name, path: h.selfExe, args: []string{"plugin-serve", name}, builtin: true}, nil
}

// pluginFolders returns every folder plugins are discovered in, for List:
// the plugins folders under the configuration roots (hidden folders
// skipped), then the global plugin folders.
func (h *PluginHost) pluginFolders() []string {
	var folders []string
	for _, root := range h.roots {
		info, err := os.Stat(root)
		if err != nil || !info.IsDir() {
			continue
		}
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			if path != root && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			if d.Name() == PluginDirName {
				folders = append(folders, path)
				return fs.SkipDir
			}
			return nil
		})
	}
	return append(folders, h.dirs...)
}

// pluginFiles lists the plugin executables in a folder, by plugin name.
func pluginFiles(dir string) ([]pluginRef, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing plugin folder: %w", err)
	}
	var refs []pluginRef
	for _, e := range entries {
		name, ok := strings.CutPrefix(e.Name(), PluginFilePrefix)
		if !ok || name == "" || e.IsDir() {
			continue
		}
		refs = append(refs, pluginRef{name: name, path: filepath.Join(dir, e.Name())})
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].name < refs[j].name })
	return refs, nil
}

// fileSHA256 returns the SHA-256 of a file in hex.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}

// ChecksumError is the error of a plugin whose executable is not the one a
// job pins; errors.As finds it in the errors of Schema and Configure.
type ChecksumError = checksumError

// checksumError says that a plugin's executable is not the one a check
// pins.
type checksumError struct {
	path, got, want string
}

func (e *checksumError) Is(target error) bool { return target == ErrChecksumMismatch }

func (e *checksumError) Error() string {
	return fmt.Sprintf("%s has SHA-256 %s, but plugin_sha256 pins %s", e.path, e.got, e.want)
}
