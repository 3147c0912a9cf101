package pvesim

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/pctemu"
	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/require"
)

func pct(s *Sim, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := pctemu.Run(s.DataDir(), args, nil, &out, &errb)
	return code, out.String(), errb.String()
}

// With OpenSSH, a Debian container runs this host's real sshd, and pct
// acts on the real container: exec is lxc-attach (the real sshd -T),
// push writes inside the container as its root (owned by the mapped uid
// on the host, symlinks resolved inside the container), pull reads back.
func TestLXCBackendOpenSSHAndPct(t *testing.T) {
	if _, err := os.Stat("/usr/sbin/sshd"); err != nil {
		require.SkipOrFail(t, "sshd", "no /usr/sbin/sshd (apt-get install openssh-server)")
	}
	s := startLXCSimWith(t, &LXCOptions{OpenSSH: true})
	createCT(t, s, "pve1", "100", map[string]string{"unprivileged": "1", "memory": "128", "swap": "0", "cores": "1"})
	if r := call(t, s, "POST", "/nodes/pve1/lxc/100/status/start", nil); waitTask(t, s, r.Data.(string)) != "OK" {
		t.Fatalf("start: %s", taskLog(t, s, r.Data.(string)))
	}
	code, out, errs := pct(s, "exec", "100", "--", "sshd", "-T")
	if code != 0 || !strings.Contains(out, "passwordauthentication yes\n") || !strings.Contains(out, "kbdinteractiveauthentication no\n") ||
		!strings.Contains(out, "usepam yes\n") {
		t.Fatalf("real sshd -T: %d %s\n%s", code, errs, out)
	}
	// PVE's default keeps the caller's environment (lxc-attach --keep-env);
	// --keep-env 0 clears it, and LXC's default PATH still finds sshd
	t.Setenv("PVESIM_TEST_SECRET", "s3cret")
	if code, out, errs := pct(s, "exec", "100", "--", "env"); code != 0 || !strings.Contains(out, "PVESIM_TEST_SECRET=s3cret\n") {
		t.Errorf("pct exec keeps the environment by default: %d %s %q", code, errs, out)
	}
	if code, out, errs := pct(s, "exec", "100", "--keep-env", "0", "--", "env"); code != 0 || strings.Contains(out, "PVESIM_TEST_SECRET") {
		t.Errorf("pct exec --keep-env 0: %d %s %q", code, errs, out)
	}
	if code, out, errs := pct(s, "exec", "100", "--keep-env", "0", "--", "sshd", "-T"); code != 0 || !strings.Contains(out, "usepam yes\n") {
		t.Errorf("sshd by name with a clear environment: %d %s", code, errs)
	}
	if code, out, _ := pct(s, "exec", "100", "--", "systemctl", "is-active", "ssh"); code != 0 || out != "active\n" {
		t.Fatalf("sshd not started at boot: %d %q", code, out)
	}
	if code, _, errs := pct(s, "exec", "100", "--", "nosuchcommand"); code != 127 {
		t.Fatalf("a missing command: %d %s", code, errs)
	}
	pushPull(t, s)
}

// pushPull: push writes as the container's root, through a symlink that
// points at an absolute path (inside the container, not on this host);
// pull reads it back; errors read like PVE's.
func pushPull(t *testing.T, s *Sim) {
	t.Helper()
	if code, _, errs := pct(s, "exec", "100", "--", "ln", "-s", "/etc/ssh/target", "/etc/ssh/link"); code != 0 {
		t.Fatalf("ln: %s", errs)
	}
	src := filepath.Join(s.DataDir(), "run/src")
	if err := os.WriteFile(src, []byte("PermitRootLogin no\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := pct(s, "push", "100", "/run/src", "/etc/ssh/link", "--perms", "0640", "--user", "0", "--group", "0"); code != 0 {
		t.Fatalf("push: %s", errs)
	}
	if _, err := os.Stat("/etc/ssh/target"); err == nil {
		t.Fatal("push followed the symlink on the host")
	}
	onHost := filepath.Join(s.LXC().Path(), "100/rootfs/etc/ssh/target")
	fi, err := os.Stat(onHost)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 100000 || st.Gid != 100000 || fi.Mode().Perm() != 0o640 {
		t.Errorf("pushed file: uid %d gid %d mode %v, want 100000 100000 -rw-r-----", st.Uid, st.Gid, fi.Mode())
	}
	if code, _, errs := pct(s, "pull", "100", "/etc/ssh/link", "/run/back"); code != 0 {
		t.Fatalf("pull: %s", errs)
	}
	if b, _ := os.ReadFile(filepath.Join(s.DataDir(), "run/back")); string(b) != "PermitRootLogin no\n" {
		t.Errorf("pulled %q", b)
	}
	if code, _, errs := pct(s, "pull", "100", "/etc/nothing", "/run/none"); code != 255 || !strings.Contains(errs, "No such file or directory") {
		t.Errorf("pull of a missing file: %d %q", code, errs)
	}
	if code, _, errs := pct(s, "push", "100", "/run/src", "/nodir/x"); code != 255 || !strings.Contains(errs, "failed to create file: /nodir/x: No such file or directory") {
		t.Errorf("push into a missing directory: %d %q", code, errs)
	}
}
