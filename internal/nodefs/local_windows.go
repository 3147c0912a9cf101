//go:build windows

package nodefs

import (
	"os"
	"os/exec"
)

// LocalSupported reports whether this platform has the local node channel
// (NewLocal): Windows has neither Unix process groups nor flock(2), and a
// Proxmox node is never Windows, so the provider reaches nodes over SSH there.
const LocalSupported = false

// The local channel is never built on Windows (NewLocal fails with
// ErrLocalUnsupported); these keep local.go and lock.go portable.

func setProcessGroup(*exec.Cmd) {}

func tryLockFile(*os.File) (bool, error) { return false, ErrLocalUnsupported }

func unlockFile(*os.File) error { return ErrLocalUnsupported }
