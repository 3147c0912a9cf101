// Package guestlxctest runs hardened_container's guest policies against
// containers that run in real LXC on this machine (the simulator's
// real-LXC backend with LXCOptions.OpenSSH): the provider reaches them
// through the simulator's pct stand-in, which acts on the real container
// (lxc-attach, the container's own root), and the test checks what the
// container's real OpenSSH server makes of the result.
package guestlxctest

import (
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
)

// TestMain puts the simulator's pct stand-in on PATH (acctest.Main).
func TestMain(m *testing.M) { acctest.Main(m) }
