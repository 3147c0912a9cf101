// Package require decides what a test does when a system component it
// needs (sshd, apparmor_parser, lxc) is missing: skip, or fail when the run
// requires it (CI sets HARDENED_TEST_REQUIRE).
package require

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Env names the variable listing the system components a test run requires
// (comma-separated, e.g. "sshd,apparmor_parser,lxc"): a test needing a
// listed component that is missing fails instead of skipping.
const Env = "HARDENED_TEST_REQUIRE"

// Required reports whether HARDENED_TEST_REQUIRE lists what.
func Required(what string) bool {
	for _, w := range strings.Split(os.Getenv(Env), ",") {
		if strings.TrimSpace(w) == what {
			return true
		}
	}
	return false
}

// SkipOrFail skips the test, or fails it when HARDENED_TEST_REQUIRE lists what.
func SkipOrFail(t testing.TB, what, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required(what) {
		t.Fatalf("%s (required: %s lists %q)", msg, Env, what)
	}
	t.Skipf("%s (set %s=%s to make this a failure)", msg, Env, what)
}

// Tool returns the path of the program name, or skips/fails the test
// (SkipOrFail) with the hint on how to install it.
func Tool(t testing.TB, name, hint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		SkipOrFail(t, name, "%s is not installed (%s)", name, hint)
	}
	return p
}
