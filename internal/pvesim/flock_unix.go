//go:build !windows

package pvesim

import (
	"os"
	"syscall"
)

const (
	lockExclusiveNB = syscall.LOCK_EX | syscall.LOCK_NB
	lockUnlock      = syscall.LOCK_UN
)

// flock is flock(2) on f: the same lock PVE and the provider's local node
// channel take.
func flock(f *os.File, how int) error {
	return syscall.Flock(int(f.Fd()), how) //nolint:gosec // G115: a file descriptor fits an int
}
