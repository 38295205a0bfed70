//go:build !unix

package sweep

import (
	"errors"
	"fmt"
	"os"
)

// tryLock creates path exclusively and removes it on unlock. It returns errBusy if the file
// exists.
//
// NOTE: a process killed while it holds the lock leaves the file behind; delete it by hand
// before running the sweep again.
func tryLock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, errBusy
		}
		return nil, fmt.Errorf("sweep: cannot create lock file: %w", err)
	}
	f.Close()
	return func() { os.Remove(path) }, nil
}
