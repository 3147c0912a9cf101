//go:build !linux

package pctemu

import (
	"errors"
	"os"
)

var errNoLXC = errors.New("pvesim: real LXC containers need Linux")

func (c cmd) execLXC(string, bool, []string) int {
	_, _ = c.stderr.Write([]byte(errNoLXC.Error() + "\n"))
	return 255
}

func (c cmd) pushLXC(string, string, string, *os.FileMode, string, string) error { return errNoLXC }

func (c cmd) pullLXC(string, string, string) error { return errNoLXC }
