package acctest

import (
	"testing"
)

// TestMain puts the simulator's pct stand-in on PATH (acctest.Main).
func TestMain(m *testing.M) { Main(m) }
