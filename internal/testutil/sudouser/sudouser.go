// Package sudouser gives tests a real unprivileged local user and real
// sudo rules for it: the user is created with useradd when missing (and
// kept: it has no password and no key of its own), the rules go into a
// drop-in file of /etc/sudoers.d that the test removes at its end. It needs
// root, sudo and visudo (Debian package sudo); without them the test is
// skipped, or fails when HARDENED_TEST_REQUIRE lists "sudo".
package sudouser

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/require"
)

// Programs the package needs.
const (
	Sudo    = "/usr/bin/sudo"
	Visudo  = "/usr/sbin/visudo"
	Useradd = "/usr/sbin/useradd"
	// Dir is sudo's drop-in directory (Debian's sudoers includes it).
	Dir = "/etc/sudoers.d"
)

// Check skips (or fails) the test unless it runs as root with sudo installed.
func Check(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		require.SkipOrFail(t, "sudo", "the sudo tests create a local user and sudoers rules: they need root")
	}
	for _, p := range []string{Sudo, Visudo, Useradd} {
		if _, err := os.Stat(p); err != nil {
			require.SkipOrFail(t, "sudo", "%s not found: install the Debian package sudo (.ci/install-deps) to run the sudo tests", p)
		}
	}
}

// Ensure makes sure the local user name exists: created with a home
// directory (sshd changes into it), /bin/sh as its shell and the password
// "*" (no password login; "!", useradd's default, makes sshd refuse the
// account as locked).
func Ensure(t testing.TB, name string) {
	t.Helper()
	Check(t)
	// other test processes may be creating it at the same time (useradd
	// then fails on the locked /etc/passwd): try again until it exists
	var last string
	for attempt := 0; attempt < 20; attempt++ {
		if _, err := user.Lookup(name); err == nil {
			return
		}
		out, err := exec.Command(Useradd, "--create-home", "--shell", "/bin/sh", "--password", "*", name).CombinedOutput()
		if err == nil {
			return
		}
		last = strings.TrimSpace(string(out))
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := user.Lookup(name); err != nil {
		t.Fatalf("useradd %s: %s", name, last)
	}
}

// Grant installs content as a sudoers drop-in file for the rest of the
// test, after visudo accepted it.
func Grant(t testing.TB, content string) {
	t.Helper()
	Check(t)
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	// sudo skips drop-in names with a '.', so the temporary file is inert
	name := "hardened-test-" + hex.EncodeToString(b)
	final := filepath.Join(Dir, name)
	tmp := final + ".tmp"
	if err := os.MkdirAll(Dir, 0o755); err != nil { //nolint:gosec // G301: Debian's mode of /etc/sudoers.d
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, []byte(content), 0o440); err != nil { //nolint:gosec // G306: sudoers files are 0440
		t.Fatal(err)
	}
	if out, err := exec.Command(Visudo, "-c", "-q", "-f", tmp).CombinedOutput(); err != nil {
		_ = os.Remove(tmp)
		t.Fatalf("visudo refuses the sudoers rules: %v: %s\n%s", err, out, content)
	}
	if err := os.Rename(tmp, final); err != nil {
		_ = os.Remove(tmp)
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(final) })
}
