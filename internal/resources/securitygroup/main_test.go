package securitygroup_test

import (
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
)

// TestMain puts the simulator's pct stand-in on PATH (acctest.Main).
func TestMain(m *testing.M) { acctest.Main(m) }
