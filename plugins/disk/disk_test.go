package disk

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/plugintest"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

const gib = 1 << 30

// fakeFS answers statfs from a table, for what a test machine cannot
// show: a disk filling up over hours, an NFS mount, a full btrfs. Tests
// change it between checks, so it is locked.
type fakeFS struct {
	mu      sync.Mutex
	answers map[string]usage
	errs    map[string]error
	block   chan struct{} // when set, statfs waits on it
}

func (f *fakeFS) set(path string, u usage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[path] = u
}

func (f *fakeFS) statfs(path string) (usage, error) {
	f.mu.Lock()
	u, ok := f.answers[path]
	err := f.errs[path]
	block := f.block
	f.mu.Unlock()
	if block != nil {
		<-block
	}
	switch {
	case err != nil:
		return usage{}, err
	case !ok:
		return usage{}, &pathError{path}
	}
	return u, nil
}

type pathError struct{ path string }

func (e *pathError) Error() string { return "statfs " + e.path + ": no such file or directory" }
func (e *pathError) Unwrap() error { return syscall.ENOENT }

// fakeClock is the forecast's clock, moved by the test.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newFake(procDir string, fs *fakeFS, clock *fakeClock) *Plugin {
	return &Plugin{procDir: procDir, statfs: fs.statfs, now: clock.Now, history: newHistory()}
}

func hostFS() *fakeFS {
	return &fakeFS{
		answers: map[string]usage{
			"/":             {size: 100 * gib, free: 40 * gib, avail: 40 * gib, inodes: 1000, inodesFree: 900},
			"/srv/my data":  {size: 200 * gib, free: 60 * gib, avail: 50 * gib, inodes: 2000, inodesFree: 2000},
			"/home":         {size: 50 * gib, free: 2 * gib, avail: 2 * gib},
			"/net":          {size: 1024 * gib, free: 100 * gib, avail: 100 * gib, inodes: 100, inodesFree: 50},
			"/etc/hosts":    {size: 100 * gib, free: 40 * gib, avail: 40 * gib, inodes: 1000, inodesFree: 900},
			"/var":          {size: 10 * gib, free: 5 * gib, avail: 5 * gib, inodes: 100, inodesFree: 99},
			"/proc/fs/nfsd": {},
		},
		errs: map[string]error{
			"/run/user/1000/gvfs": syscall.EACCES,
			"/broken":             syscall.EIO,
		},
	}
}

func TestCheckFixtures(t *testing.T) {
	tests := []struct {
		name    string
		procDir string
		values  sdk.Values
		modify  func(*fakeFS) // changes hostFS for the case
		state   check.State
		output  string
		long    string
		perf    string
	}{
		{
			name:    "every real filesystem, defaults",
			procDir: "testdata/host",
			values:  sdk.Values{},
			state:   check.Critical,
			output: "DISK CRITICAL - /home 96.0% used (2.0 GiB free of 50.0 GiB); " +
				"/net 90.2% used (100.0 GiB free of 1.0 TiB), inodes 50.0% used; " +
				"/ 60.0% used (40.0 GiB free of 100.0 GiB), inodes 10.0% used; " +
				"/srv/my data 73.7% used (50.0 GiB free of 200.0 GiB), inodes 0.0% used",
			long: "/home: used 96.00% is CRITICAL (range 95)\n" +
				"/net: used 90.23% is WARNING (range 90)\n" +
				"/run/user/1000/gvfs: left out: permission denied\n" +
				"/proc/fs/nfsd: left out: the filesystem reports no size\n" +
				"/media/usb: left out: statfs /media/usb: no such file or directory",
			perf: "/home:used_pct=96%;90;95;0;100 /home:used=51539607552B;;;0;53687091200 /home:free=2147483648B;;;0;53687091200 /home:growth_per_hour=U /home:hours_to_full=U " +
				"/net:used_pct=90.23%;90;95;0;100 /net:used=992137445376B;;;0;1099511627776 /net:free=107374182400B;;;0;1099511627776 /net:inodes_used_pct=50%;;;0;100 /net:growth_per_hour=U /net:hours_to_full=U " +
				"/:used_pct=60%;90;95;0;100 /:used=64424509440B;;;0;107374182400 /:free=42949672960B;;;0;107374182400 /:inodes_used_pct=10%;;;0;100 /:growth_per_hour=U /:hours_to_full=U " +
				"'/srv/my data:used_pct'=73.68%;90;95;0;100 '/srv/my data:used'=150323855360B;;;0;214748364800 '/srv/my data:free'=53687091200B;;;0;214748364800 '/srv/my data:inodes_used_pct'=0%;;;0;100 '/srv/my data:growth_per_hour'=U '/srv/my data:hours_to_full'=U",
		},
		{
			name:    "the root overlay of a container is checked, its bind-mounted files once",
			procDir: "testdata/container",
			values:  sdk.Values{"warning": "99", "critical": "100"},
			state:   check.OK,
			output:  "DISK OK - / 60.0% used (40.0 GiB free of 100.0 GiB), inodes 10.0% used; /etc/hosts 60.0% used (40.0 GiB free of 100.0 GiB), inodes 10.0% used",
			perf: "/:used_pct=60%;99;100;0;100 /:used=64424509440B;;;0;107374182400 /:free=42949672960B;;;0;107374182400 /:inodes_used_pct=10%;;;0;100 /:growth_per_hour=U /:hours_to_full=U " +
				"/etc/hosts:used_pct=60%;99;100;0;100 /etc/hosts:used=64424509440B;;;0;107374182400 /etc/hosts:free=42949672960B;;;0;107374182400 /etc/hosts:inodes_used_pct=10%;;;0;100 /etc/hosts:growth_per_hour=U /etc/hosts:hours_to_full=U",
		},
		{
			name:    "every filesystem left out",
			procDir: "testdata/container",
			values:  sdk.Values{},
			modify: func(fs *fakeFS) {
				delete(fs.answers, "/")
				fs.answers["/etc/hosts"] = usage{}
			},
			state:  check.Unknown,
			output: "DISK UNKNOWN - no filesystem to check: every one was left out",
			long:   "/: left out: statfs /: no such file or directory\n/etc/hosts: left out: the filesystem reports no size",
		},
		{
			name:    "listed paths with free, used and inode thresholds",
			procDir: "testdata/host",
			values: sdk.Values{
				"mounts":         []string{"/var", "/"},
				"warning":        "99",
				"critical":       "100",
				"free_warning":   "10GB:",
				"free_critical":  "5.5GiB:",
				"used_warning":   "50gb",
				"inodes_warning": "5",
			},
			state: check.Critical,
			output: "DISK CRITICAL - /var 50.0% used (5.0 GiB free of 10.0 GiB), inodes 1.0% used; " +
				"/ 60.0% used (40.0 GiB free of 100.0 GiB), inodes 10.0% used",
			long: "/var: free space 5.0 GiB is CRITICAL (range 5905580032:)\n" +
				"/: used space 60.0 GiB is WARNING (range 53687091200)\n" +
				"/: inodes used 10.00% is WARNING (range 5)",
			perf: "/var:used_pct=50%;99;100;0;100 /var:used=5368709120B;53687091200;;0;10737418240 /var:free=5368709120B;10737418240:;5905580032:;0;10737418240 /var:inodes_used_pct=1%;5;;0;100 /var:growth_per_hour=U /var:hours_to_full=U " +
				"/:used_pct=60%;99;100;0;100 /:used=64424509440B;53687091200;;0;107374182400 /:free=42949672960B;10737418240:;5905580032:;0;107374182400 /:inodes_used_pct=10%;5;;0;100 /:growth_per_hour=U /:hours_to_full=U",
		},
		{
			name:    "listed paths that cannot be read are CRITICAL",
			procDir: "testdata/host",
			values:  sdk.Values{"mounts": []string{"/broken", "/gone", "/run/user/1000/gvfs"}},
			state:   check.Critical,
			output:  "DISK CRITICAL - /broken cannot be read; /gone cannot be read; /run/user/1000/gvfs cannot be read",
			long: "/broken: statfs: input/output error\n" +
				"/gone: statfs: statfs /gone: no such file or directory\n" +
				"/run/user/1000/gvfs: statfs: permission denied",
		},
		{
			name:    "exact_match: a path that is no mount point is CRITICAL",
			procDir: "testdata/host",
			values:  sdk.Values{"mounts": []string{"/var", "/srv/my data/"}, "exact_match": true},
			state:   check.Critical,
			output:  "DISK CRITICAL - /var is not mounted; /srv/my data 73.7% used (50.0 GiB free of 200.0 GiB), inodes 0.0% used",
			long:    "/var: no filesystem is mounted there (exact_match is on)",
			perf:    "'/srv/my data:used_pct'=73.68%;90;95;0;100 '/srv/my data:used'=150323855360B;;;0;214748364800 '/srv/my data:free'=53687091200B;;;0;214748364800 '/srv/my data:inodes_used_pct'=0%;;;0;100 '/srv/my data:growth_per_hour'=U '/srv/my data:hours_to_full'=U",
		},
		{
			name:    "listed paths with no size or contradicting numbers are UNKNOWN",
			procDir: "testdata/host",
			values:  sdk.Values{"mounts": []string{"/proc/fs/nfsd", "/odd"}},
			modify: func(fs *fakeFS) {
				fs.answers["/odd"] = usage{size: 10, free: 20, avail: 5, inodes: 4, inodesFree: 1}
			},
			state:  check.Unknown,
			output: "DISK UNKNOWN - /proc/fs/nfsd has no size; /odd cannot be measured",
			long: "/proc/fs/nfsd: the filesystem reports a size of 0 (a pseudo filesystem?)\n" +
				"/odd: statfs contradicts itself: size 10, free 20, available 5 bytes; 4 inodes, 1 free",
		},
		{
			name:    "an @ range alerts inside",
			procDir: "testdata/host",
			values:  sdk.Values{"mounts": []string{"/"}, "warning": "@50:70", "critical": "100"},
			state:   check.Warning,
			output:  "DISK WARNING - / 60.0% used (40.0 GiB free of 100.0 GiB), inodes 10.0% used",
			long:    "/: used 60.00% is WARNING (range @50:70)",
			perf:    "/:used_pct=60%;@50:70;100;0;100 /:used=64424509440B;;;0;107374182400 /:free=42949672960B;;;0;107374182400 /:inodes_used_pct=10%;;;0;100 /:growth_per_hour=U /:hours_to_full=U",
		},
		{
			name:    "malformed mountinfo",
			procDir: "testdata/malformed",
			values:  sdk.Values{},
			state:   check.Unknown,
			output:  `DISK UNKNOWN - reading the mount table testdata/malformed/self/mountinfo: line 2: "28 27 254:1 / /data rw,relatime shared:2 ext4 /dev/vdb rw" has not the fields of a mountinfo line (id parent major:minor root mount-point options ... - type source options)`,
		},
		{
			name:    "empty mountinfo",
			procDir: "testdata/empty",
			values:  sdk.Values{},
			state:   check.Unknown,
			output:  "DISK UNKNOWN - reading the mount table testdata/empty/self/mountinfo: no mounts listed",
		},
		{
			name:    "no mountinfo",
			procDir: "testdata/missing",
			values:  sdk.Values{"mounts": []string{"/"}, "exact_match": true},
			state:   check.Unknown,
			output:  "DISK UNKNOWN - reading the mount table: open testdata/missing/self/mountinfo: no such file or directory",
		},
		{
			name:    "every type ignored but the root's, which is never left out",
			procDir: "testdata/host",
			values:  sdk.Values{"ignore_fs": []string{"ext4", "xfs", "btrfs", "fuse.sshfs", "nfs4", "nfsd", "vfat", "tmpfs", "proc", "sysfs", "devtmpfs"}},
			state:   check.OK,
			output:  "DISK OK - / 60.0% used (40.0 GiB free of 100.0 GiB), inodes 10.0% used",
			perf:    "/:used_pct=60%;90;95;0;100 /:used=64424509440B;;;0;107374182400 /:free=42949672960B;;;0;107374182400 /:inodes_used_pct=10%;;;0;100 /:growth_per_hour=U /:hours_to_full=U",
		},
		{
			name:    "nothing left after ignore_fs",
			procDir: "testdata/container",
			values:  sdk.Values{"ignore_fs": []string{"ext4", "tmpfs", "proc"}},
			modify:  func(fs *fakeFS) { delete(fs.answers, "/") },
			state:   check.Unknown,
			output:  "DISK UNKNOWN - no filesystem to check: every one was left out",
			long:    "/: left out: statfs /: no such file or directory",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := hostFS()
			if tt.modify != nil {
				tt.modify(fs)
			}
			c := sdktest.ServeCheck(t, newFake(tt.procDir, fs, &fakeClock{now: epoch}))
			got := plugintest.Run(t, c, "disk-1", tt.values)
			plugintest.WantResult(t, got, tt.state, tt.output, tt.long, tt.perf)
		})
	}
}

func TestConfigureRejects(t *testing.T) {
	c := sdktest.ServeCheck(t, New())
	plugintest.WantRejections(t, c, []plugintest.Rejection{
		{Name: "bad range", Values: sdk.Values{"warning": "90:80"},
			Want: sdk.ConfigErrors{{Attribute: "warning", Message: `attribute "warning": parsing range "90:80": start 90 is greater than end 80`}}},
		{Name: "not a range", Values: sdk.Values{"critical": "lots"},
			Want: sdk.ConfigErrors{{Attribute: "critical", Message: `attribute "critical": parsing range "lots": end: "lots" is not a number`}}},
		{Name: "bad inode range", Values: sdk.Values{"inodes_warning": "1:2:3"},
			Want: sdk.ConfigErrors{{Attribute: "inodes_warning", Message: `attribute "inodes_warning": parsing range "1:2:3": more than one colon`}}},
		{Name: "unknown unit", Values: sdk.Values{"free_warning": "10XB:"},
			Want: sdk.ConfigErrors{{Attribute: "free_warning", Message: `attribute "free_warning": parsing range "10XB:": start: "10XB" has unknown unit "XB": want B, KB, MB, GB, TB or PB (powers of 1024)`}}},
		{Name: "negative size", Values: sdk.Values{"used_critical": "-5GB"},
			Want: sdk.ConfigErrors{{Attribute: "used_critical", Message: `attribute "used_critical": parsing range "-5GB": end: "-5GB" is not a size: want a number with an optional unit (B, KB, MB, GB, TB, PB)`}}},
		{Name: "byte range upside down", Values: sdk.Values{"free_critical": "2GB:1GB"},
			Want: sdk.ConfigErrors{{Attribute: "free_critical", Message: `attribute "free_critical": parsing range "2GB:1GB": parsing range "2147483648:1073741824": start 2147483648 is greater than end 1073741824`}}},
		{Name: "unknown attribute", Values: sdk.Values{"mount": []string{"/"}},
			Want: sdk.ConfigErrors{{Attribute: "mount", Message: `unknown attribute "mount"; this plugin accepts critical, exact_match, forecast_critical, forecast_min_span, forecast_warning, forecast_window, free_critical, free_warning, ignore_fs, inodes_critical, inodes_warning, mounts, used_critical, used_warning, warning`}}},
		{Name: "wrong type", Values: sdk.Values{"warning": 90},
			Want: sdk.ConfigErrors{{Attribute: "warning", Message: `attribute "warning": want string, got number`}}},
		{Name: "negative hours", Values: sdk.Values{"forecast_warning": -1, "forecast_critical": -0.5},
			Want: sdk.ConfigErrors{
				{Attribute: "forecast_critical", Message: `attribute "forecast_critical": -0.5 hours is negative; give hours until full (0 turns it off)`},
				{Attribute: "forecast_warning", Message: `attribute "forecast_warning": -1 hours is negative; give hours until full (0 turns it off)`},
			}},
		{Name: "critical horizon beyond warning", Values: sdk.Values{"forecast_warning": 24, "forecast_critical": 48},
			Want: sdk.ConfigErrors{{Attribute: "forecast_critical", Message: `attribute "forecast_critical": 48 hours is more than forecast_warning (24 hours); CRITICAL must be the nearer horizon`}}},
		{Name: "window not positive", Values: sdk.Values{"forecast_window": "0s"},
			Want: sdk.ConfigErrors{{Attribute: "forecast_window", Message: `attribute "forecast_window": 0s is not positive`}}},
		{Name: "min span beyond window", Values: sdk.Values{"forecast_window": "1h", "forecast_min_span": "2h"},
			Want: sdk.ConfigErrors{{Attribute: "forecast_min_span", Message: `attribute "forecast_min_span": 2h0m0s is longer than forecast_window (1h0m0s), so no forecast could ever be made`}}},
		{Name: "bad duration", Values: sdk.Values{"forecast_window": "6 hours"},
			Want: sdk.ConfigErrors{{Attribute: "forecast_window", Message: `attribute "forecast_window": invalid duration "6 hours" (want e.g. 30s, 5m, 1h30m)`}}},
		{Name: "relative, empty and doubled mounts", Values: sdk.Values{"mounts": []string{"var", "", "/", "/"}},
			Want: sdk.ConfigErrors{
				{Attribute: "mounts", Message: `attribute "mounts": "var" is not an absolute path`},
				{Attribute: "mounts", Message: `attribute "mounts": an empty path; list paths such as "/" or "/var"`},
				{Attribute: "mounts", Message: `attribute "mounts": "/" is listed twice`},
			}},
		{Name: "empty mounts", Values: sdk.Values{"mounts": []string{}},
			Want: sdk.ConfigErrors{{Attribute: "mounts", Message: `attribute "mounts": the list is empty; leave mounts unset to check every real filesystem`}}},
	})
}

func TestParseByteRange(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"10GB:", "10737418240:"},
		{"10gb:", "10737418240:"},
		{"1.5k", "1536"},
		{"1.5 TiB", "1649267441664"},
		{"@0:512MiB", "@0:536870912"},
		{"~:1T", "~:1099511627776"},
		{"100", "100"},
		{"100B:200b", "100:200"},
		{" 1PB: ", "1125899906842624:"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := parseByteRange(tt.in)
			if err != nil || r.String() != tt.want {
				t.Fatalf("parseByteRange(%q) = %q, %v; want %q", tt.in, r.String(), err, tt.want)
			}
		})
	}
	bad := []struct{ in, err string }{
		{"", `parsing range "": parsing range "": empty`},
		{"GB", `parsing range "GB": end: "GB" is not a size: want a number with an optional unit (B, KB, MB, GB, TB, PB)`},
		{"1..2GB", `parsing range "1..2GB": end: "1..2GB" is not a size: "1..2" is not a number`},
		{"1:2:3", `parsing range "1:2:3": more than one colon`},
		{"10EB", `parsing range "10EB": end: "10EB" has unknown unit "EB": want B, KB, MB, GB, TB or PB (powers of 1024)`},
		{"99999PB", `parsing range "99999PB": end: "99999PB" is too large`},
		{"5:", ""},
	}
	for _, tt := range bad {
		t.Run("bad "+tt.in, func(t *testing.T) {
			_, err := parseByteRange(tt.in)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("parseByteRange(%q): %v", tt.in, err)
				}
				return
			}
			if err == nil || err.Error() != tt.err {
				t.Fatalf("parseByteRange(%q) error %v, want %s", tt.in, err, tt.err)
			}
		})
	}
}

func TestFormatBytes(t *testing.T) {
	for in, want := range map[float64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 * gib: "5.0 GiB", 1 << 60: "1.0 EiB", -2048: "-2.0 KiB"} {
		if got := formatBytes(in); got != want {
			t.Errorf("formatBytes(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestParseMountinfo(t *testing.T) {
	data := []byte("27 1 254:0 / / rw - ext4 /dev/vda rw\n" +
		"\n" +
		"29 27 254:1 /sub\\134dir /srv/a\\040b\\011c rw shared:3 master:4 - xfs /dev/my\\040disk rw\n")
	got, err := parseMountinfo(data)
	want := []mount{
		{device: "254:0", root: "/", point: "/", fsType: "ext4", source: "/dev/vda"},
		{device: "254:1", root: `/sub\dir`, point: "/srv/a b\tc", fsType: "xfs", source: "/dev/my disk"},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("parseMountinfo = %+v, %v; want %+v", got, err, want)
	}

	bad := []struct{ name, line, err string }{
		{"too few fields", "27 1 254:0 / /", `line 1: "27 1 254:0 / /" has not the fields of a mountinfo line (id parent major:minor root mount-point options ... - type source options)`},
		{"no separator", "27 1 254:0 / / rw ext4 /dev/vda rw", `line 1: "27 1 254:0 / / rw ext4 /dev/vda rw" has not the fields of a mountinfo line (id parent major:minor root mount-point options ... - type source options)`},
		{"nothing after the separator", "27 1 254:0 / / rw - ext4", `line 1: "27 1 254:0 / / rw - ext4" has not the fields of a mountinfo line (id parent major:minor root mount-point options ... - type source options)`},
		{"bad device", "27 1 2540 / / rw - ext4 /dev/vda rw", `line 1: device "2540" is not major:minor`},
		{"relative mount point", "27 1 254:0 / mnt rw - ext4 /dev/vda rw", `line 1: mount point "mnt" is not an absolute path`},
		{"empty", "", "no mounts listed"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseMountinfo([]byte(tt.line))
			if err == nil || err.Error() != tt.err {
				t.Fatalf("error %v, want %s", err, tt.err)
			}
		})
	}
}

func TestUnescapeOctal(t *testing.T) {
	for in, want := range map[string]string{
		`/plain`:        "/plain",
		`/a\040b`:       "/a b",
		`/end\`:         `/end\`,
		`/short\04`:     `/short\04`,
		`/not\999octal`: `/not\999octal`,
		`\134\134`:      `\\`,
	} {
		if got := unescapeOctal(in); got != want {
			t.Errorf("unescapeOctal(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCheckGivesUpOnAHungStatfs: a statfs that never returns (a hung NFS
// server) makes the filesystem CRITICAL when the call's context ends,
// instead of hanging the check.
func TestCheckGivesUpOnAHungStatfs(t *testing.T) {
	fs := hostFS()
	fs.block = make(chan struct{})
	t.Cleanup(func() { close(fs.block) })
	p := newFake("testdata/host", fs, &fakeClock{now: epoch})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := p.Check(ctx, sdk.Request{Config: sdk.Config{ID: "hung", Values: sdk.Values{
		"mounts": []string{"/net"}, "exact_match": false, "ignore_fs": []string{},
		"warning": "90", "critical": "95", "forecast_warning": 0.0, "forecast_critical": 0.0,
		"forecast_window": 6 * time.Hour, "forecast_min_span": time.Hour,
	}}})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	want := check.Result{State: check.Critical, Output: "DISK CRITICAL - /net cannot be read",
		Long: "/net: statfs: statfs gave no answer in time: context canceled"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

// TestCheckRealFilesystems runs statfs(2) on this machine: on / and on the
// filesystem of a temporary directory, and on every real filesystem.
func TestCheckRealFilesystems(t *testing.T) {
	dir := t.TempDir()
	c := sdktest.ServeCheck(t, New())
	var root syscall.Statfs_t
	if err := syscall.Statfs("/", &root); err != nil {
		t.Fatal(err)
	}
	rootSize := float64(root.Blocks) * float64(root.Frsize)

	t.Run("listed paths", func(t *testing.T) {
		got := plugintest.Run(t, c, "real-listed", sdk.Values{"mounts": []string{"/", dir}, "warning": "100", "critical": "100", "inodes_warning": "100"})
		if got.State != check.OK || !strings.HasPrefix(got.Output, "DISK OK - / ") || !strings.Contains(got.Output, "; "+dir+" ") || got.Long != "" {
			t.Fatalf("got %v %q long %q", got.State, got.Output, got.Long)
		}
		perf := perfByLabel(got.Perfdata)
		for _, path := range []string{"/", dir} {
			pct, used, free := perf[path+":used_pct"], perf[path+":used"], perf[path+":free"]
			if pct.Value < 0 || pct.Value > 100 || used.Value < 0 || free.Value < 0 || used.Max == nil || used.Value+free.Value > *used.Max {
				t.Errorf("%s: implausible perfdata %v %v %v", path, pct, used, free)
			}
		}
		if m := perf["/:used"].Max; m == nil || *m != rootSize {
			t.Errorf("size of / is %v, statfs says %v", m, rootSize)
		}
	})
	t.Run("always critical", func(t *testing.T) {
		got := plugintest.Run(t, c, "real-critical", sdk.Values{"mounts": []string{dir}, "critical": "@0:100"})
		if got.State != check.Critical || !strings.HasPrefix(got.Output, "DISK CRITICAL - "+dir+" ") ||
			!strings.HasPrefix(got.Long, dir+": used ") || !strings.HasSuffix(got.Long, "% is CRITICAL (range @0:100)") {
			t.Fatalf("got %v %q long %q", got.State, got.Output, got.Long)
		}
	})
	t.Run("exact match", func(t *testing.T) {
		got := plugintest.Run(t, c, "real-exact", sdk.Values{"mounts": []string{"/", dir}, "exact_match": true, "warning": "100", "critical": "100"})
		if got.State != check.Critical || !strings.HasPrefix(got.Output, "DISK CRITICAL - "+dir+" is not mounted; / ") {
			t.Fatalf("got %v %q long %q", got.State, got.Output, got.Long)
		}
	})
	t.Run("every real filesystem", func(t *testing.T) {
		got := plugintest.Run(t, c, "real-all", sdk.Values{"warning": "100", "critical": "100"})
		if got.State != check.OK || !strings.HasPrefix(got.Output, "DISK OK - ") {
			t.Fatalf("got %v %q long %q", got.State, got.Output, got.Long)
		}
		if _, ok := perfByLabel(got.Perfdata)["/:used_pct"]; !ok {
			t.Fatalf("/ is not among the filesystems checked: %s", check.FormatPerfdata(got.Perfdata))
		}
	})
}

func perfByLabel(items []check.Perf) map[string]check.Perf {
	m := map[string]check.Perf{}
	for _, p := range items {
		m[p.Label] = p
	}
	return m
}
