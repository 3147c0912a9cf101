//go:build !windows

package nodefs

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// LocalSupported reports whether this platform has the local node channel
// (NewLocal): it needs Unix process groups and flock(2).
const LocalSupported = true

// setProcessGroup makes cmd lead its own process group and its
// cancellation kill the whole group (its children too), like over SSH.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

// tryLockFile takes an exclusive flock(2) on f without blocking; it reports
// false (and no error) when another holder has it.
func tryLockFile(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) //nolint:gosec // G115: a file descriptor fits an int
	if err == nil {
		return true, nil
	}
	if errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EINTR) {
		return false, nil
	}
	return false, err
}

// unlockFile releases tryLockFile's lock.
func unlockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:gosec // G115: a file descriptor fits an int
}
