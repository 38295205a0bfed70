//go:build unix

package sweep

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// tryLock takes an exclusive advisory lock (flock) on path, creating the file if needed. It
// returns errBusy if another process holds the lock. The operating system releases the lock when
// the process exits, so a killed sweep leaves no stale lock behind.
//
// NOTE: flock is reliable on local filesystems. On NFS, Linux emulates it with byte-range locks,
// which work only when the server supports locking (NFSv4, or NFSv3 with lockd).
func tryLock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("sweep: cannot create lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errBusy
		}
		return nil, fmt.Errorf("sweep: cannot lock %s: %w", path, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
