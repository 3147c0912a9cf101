//go:build unix

package pvesim

import "syscall"

// nofileHardLimit is this process's hard RLIMIT_NOFILE, which lxc-start
// inherits (0 when unknown).
func nofileHardLimit() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	return r.Max
}
