// Package guesttest runs the acceptance tests that reach inside containers
// (hardened_container.ssh_server, the required guest files) through PVE's
// pct, which the simulator provides as a stand-in binary (acctest.Main).
package guesttest

import (
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
)

// TestMain puts the simulator's pct stand-in on PATH (acctest.Main).
func TestMain(m *testing.M) { acctest.Main(m) }
