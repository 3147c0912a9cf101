//go:build windows

package pvesim

import (
	"errors"
	"os"
)

const (
	lockExclusiveNB = 1
	lockUnlock      = 0
)

// flock fails on Windows: the simulator stands for a Linux node and shares
// its locks with the provider's local node channel through flock(2), which
// Windows does not have. It builds there only so that `go build ./...` does.
func flock(*os.File, int) error {
	return errors.New("the PVE simulator needs flock(2): it does not run on Windows")
}
