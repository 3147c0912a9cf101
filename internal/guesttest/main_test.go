// Package guesttest runs the acceptance tests that reach inside containers
// (hardened_container.ssh_server) through PVE's pct, which the simulator
// provides as a stand-in binary put first on PATH for this package.
package guesttest

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
