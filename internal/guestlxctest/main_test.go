// Package guestlxctest runs hardened_container's guest policies against
// containers that run in real LXC on this machine (the simulator's
// real-LXC backend with LXCOptions.OpenSSH): the provider reaches them
// through the simulator's pct stand-in, which acts on the real container
// (lxc-attach, the container's own root), and the test checks what the
// container's real OpenSSH server makes of the result.
package guestlxctest

import (
	"fmt"
	"os"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
)

func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC") == "" {
		os.Exit(m.Run()) // acceptance tests skip themselves
	}
	dir, err := os.MkdirTemp("", "pvesim-pct-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := acctest.BuildPct(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	_ = os.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
