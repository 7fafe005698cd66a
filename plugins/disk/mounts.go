package disk

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// mount is one line of /proc/self/mountinfo.
type mount struct {
	device string // major:minor, the same for every mount of one filesystem
	root   string // the directory of the filesystem mounted here ("/" unless a bind mount)
	point  string // where it is mounted
	fsType string
	source string
}

// parseMountinfo reads /proc/self/mountinfo (proc(5)):
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//
// A line it cannot read is an error: the kernel writes this file, so a
// malformed line means the file is not what it should be.
func parseMountinfo(data []byte) ([]mount, error) {
	var mounts []mount
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Fields(line)
		sep := -1
		for i := 6; i < len(fields); i++ {
			if fields[i] == "-" {
				sep = i
				break
			}
		}
		if len(fields) < 6 || sep < 0 || len(fields) < sep+3 {
			return nil, fmt.Errorf("line %d: %q has not the fields of a mountinfo line (id parent major:minor root mount-point options ... - type source options)", n, line)
		}
		if !strings.Contains(fields[2], ":") {
			return nil, fmt.Errorf("line %d: device %q is not major:minor", n, fields[2])
		}
		m := mount{device: fields[2], root: unescapeOctal(fields[3]), point: unescapeOctal(fields[4]),
			fsType: fields[sep+1], source: unescapeOctal(fields[sep+2])}
		if !strings.HasPrefix(m.point, "/") {
			return nil, fmt.Errorf("line %d: mount point %q is not an absolute path", n, fields[4])
		}
		mounts = append(mounts, m)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(mounts) == 0 {
		return nil, fmt.Errorf("no mounts listed")
	}
	return mounts, nil
}

// unescapeOctal undoes the kernel's escaping of space, tab, newline and
// backslash in mountinfo paths (\040, \011, \012, \134).
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// realFilesystems chooses what to check when no mounts are listed: one
// mount per filesystem (by device), leaving out the ignored types except
// for the root filesystem. Of several mounts of one filesystem (bind
// mounts, a disk mounted twice) it keeps the one of the filesystem's own
// root directory, then the shortest mount point, so that / is reported
// rather than a file bind-mounted from it. A mount hidden by a later mount
// on the same point is left out. The order is that of mountinfo.
func realFilesystems(mounts []mount, ignore map[string]bool) []mount {
	// The last mount on a point is the one visible there.
	visible := map[string]int{}
	for i, m := range mounts {
		visible[m.point] = i
	}
	chosen := map[string]int{} // device -> index into out
	var out []mount
	for i, m := range mounts {
		if visible[m.point] != i || (ignore[m.fsType] && m.point != "/") {
			continue
		}
		j, seen := chosen[m.device]
		if !seen {
			chosen[m.device] = len(out)
			out = append(out, m)
			continue
		}
		if better(m, out[j]) {
			out[j] = m
		}
	}
	return out
}

// better reports whether a is the better mount to report a filesystem by.
func better(a, b mount) bool {
	if (a.root == "/") != (b.root == "/") {
		return a.root == "/"
	}
	return len(a.point) < len(b.point)
}

// isMountPoint reports whether path is a mount point in mounts.
func isMountPoint(mounts []mount, path string) bool {
	for _, m := range mounts {
		if m.point == path {
			return true
		}
	}
	return false
}
