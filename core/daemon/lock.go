package daemon

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockStateFile takes an exclusive lock on statePath+".lock", so that a
// second vakt started by mistake on the same state (a manual run beside the
// service) is refused instead of running every check twice and writing
// both daemons' transitions into one store. The lock is an flock on an
// open file: the kernel drops it when the process ends, kill -9 included,
// so a stale lock file never blocks a restart. Closing the file releases it.
func lockStateFile(statePath string) (*os.File, error) {
	path := statePath + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking the state: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("locking the state: another vakt is running on %s (%s is locked)", statePath, path)
		}
		return nil, fmt.Errorf("locking the state %s: %w", path, err)
	}
	return f, nil
}
