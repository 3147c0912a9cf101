package pctemu

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/sshdconfig"
)

func setup(t *testing.T, ostype string) string {
	t.Helper()
	root := t.TempDir()
	conf := filepath.Join(root, "etc/pve/nodes/pve1/lxc/100.conf")
	if err := os.MkdirAll(filepath.Dir(conf), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte("ostype: "+ostype+"\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := Extract(root, 100, ostype); err != nil {
		t.Fatal(err)
	}
	return root
}

func run(root string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(root, args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestStoppedContainer(t *testing.T) {
	root := setup(t, "debian")
	if code, _, e := run(root, "exec", "100", "--", "sshd", "-T"); code != 255 || e != "container '100' not running!\n" {
		t.Fatalf("%d %q", code, e)
	}
	if code, _, e := run(root, "push", "100", "/tmp/x", "/etc/x"); code != 255 || e != "can only push files to a running CT\n" {
		t.Fatalf("%d %q", code, e)
	}
	if code, _, e := run(root, "exec", "101", "--", "true"); code != 255 || !strings.Contains(e, "101.conf' does not exist") {
		t.Fatalf("%d %q", code, e)
	}
}

func TestPushPullExec(t *testing.T) {
	root := setup(t, "debian")
	if err := WriteRunning(root, []int{100}); err != nil {
		t.Fatal(err)
	}
	code, out, _ := run(root, "exec", "100", "--", "sshd", "-T")
	if code != 0 || !strings.Contains(out, "passwordauthentication yes\n") || !strings.Contains(out, "kbdinteractiveauthentication no\n") {
		t.Fatalf("%d %q", code, out)
	}
	pol := sshdconfig.Policy{PermitRootLogin: "no"}
	src := filepath.Join(root, "run/hardened/dropin")
	_ = os.MkdirAll(filepath.Dir(src), 0o700)
	if err := os.WriteFile(src, pol.RenderDropIn(), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, e := run(root, "push", "100", "/run/hardened/dropin", sshdconfig.DropIn, "--perms", "0644", "--user", "0", "--group", "0"); code != 0 {
		t.Fatalf("push: %d %q", code, e)
	}
	_, out, _ = run(root, "exec", "100", "--", "/usr/sbin/sshd", "-T")
	if d := sshdconfig.Compare(pol, sshdconfig.ParseT([]byte(out))); len(d) > 0 {
		t.Fatalf("drift after push: %v", d)
	}
	if code, _, e := run(root, "pull", "100", sshdconfig.DropIn, "/run/hardened/back"); code != 0 {
		t.Fatalf("pull: %d %q", code, e)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "run/hardened/back")); !bytes.Equal(b, pol.RenderDropIn()) {
		t.Fatalf("pulled %q", b)
	}
	if code, _, _ := run(root, "exec", "100", "--", "systemctl", "reload", "ssh"); code != 0 {
		t.Fatal("reload")
	}
	if code, _, _ := run(root, "exec", "100", "--", "test", "-x", "/usr/sbin/sshd"); code != 0 {
		t.Fatal("test -x")
	}
}

// A symlink planted in the container never leads outside its root file
// system: pushing through it writes inside the container.
func TestSymlinkStaysInside(t *testing.T) {
	root := setup(t, "debian")
	_ = WriteRunning(root, []int{100})
	rfs := Rootfs(root, 100)
	if err := os.Symlink("/../../../../etc", filepath.Join(rfs, "etc/ssh/sshd_config.d/evil")); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(root, "src")
	_ = os.WriteFile(src, []byte("x"), 0o600)
	if code, _, e := run(root, "push", "100", "/src", "/etc/ssh/sshd_config.d/evil/pwned"); code != 0 {
		t.Fatalf("push: %d %q", code, e)
	}
	if _, err := os.Stat(filepath.Join(rfs, "etc/pwned")); err != nil {
		t.Fatalf("not written inside the container: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/pwned")); err == nil {
		t.Fatal("written outside the container")
	}
}

func TestAlpineHasNoSSHD(t *testing.T) {
	root := setup(t, "alpine")
	_ = WriteRunning(root, []int{100})
	code, _, e := run(root, "exec", "100", "--", "sshd", "-T")
	if code != 127 || !strings.Contains(e, `Failed to exec "sshd"`) {
		t.Fatalf("%d %q", code, e)
	}
}

// The provider's SSH probe (sh -c sshdconfig.ProbeScript) is answered as
// the script answers in a container: sshd -T, then sshd -T -C for root
// (the template's only login account) from each probe address, then the
// banner; a Match block shows for the connections it matches. sshd -T -C
// and sshd -t are emulated too; Alpine's template has sh but no sshd.
func TestSSHProbe(t *testing.T) {
	root := setup(t, "debian")
	_ = WriteRunning(root, []int{100})
	main := filepath.Join(Rootfs(root, 100), "etc/ssh/sshd_config")
	if err := os.WriteFile(main, []byte("PasswordAuthentication no\n"+DebianSSHDConfig+"Match Address 10.0.0.0/8\n  PasswordAuthentication yes\n"), 0o644); err != nil { //nolint:gosec // test file
		t.Fatal(err)
	}
	code, out, e := run(root, "exec", "100", "--keep-env", "0", "--", "sh", "-c", sshdconfig.ProbeScript)
	p, ok := sshdconfig.ParseProbe([]byte(out))
	if code != 0 || !ok || len(p.Conns) != len(sshdconfig.ProbeAddrs) || p.BannerFound {
		t.Fatalf("%d %q %q", code, out, e)
	}
	for _, c := range p.Conns {
		want := "no"
		if strings.Contains(c.Spec, "addr=10.0.0.1,") {
			want = "yes"
		}
		if !strings.HasPrefix(c.Spec, "user=root,") || c.Eff["passwordauthentication"][0] != want {
			t.Errorf("%s: %v", c.Spec, c.Eff)
		}
	}
	if code, out, _ := run(root, "exec", "100", "--", "sshd", "-T", "-C", "user=bob,addr=10.1.2.3,host=x"); code != 0 ||
		!strings.Contains(out, "passwordauthentication yes\n") {
		t.Fatalf("sshd -T -C: %d %q", code, out)
	}
	if code, _, e := run(root, "exec", "100", "--", "sshd", "-t"); code != 0 {
		t.Fatalf("sshd -t: %d %q", code, e)
	}
	if code, _, _ := run(root, "exec", "100", "--", "sh", "-c", "id"); code != 126 {
		t.Fatal("sh -c with another script is not emulated")
	}
	alpine := setup(t, "alpine")
	_ = WriteRunning(alpine, []int{100})
	if code, _, e := run(alpine, "exec", "100", "--", "sh", "-c", sshdconfig.ProbeScript); code != 127 || e != "sshd: not found\n" {
		t.Fatalf("alpine: %d %q", code, e)
	}
}

// rm -f removes a file inside the container, a missing one is no error,
// a symlink is removed itself (never what it points at, inside or outside
// the container), a directory is refused.
func TestRm(t *testing.T) {
	root := setup(t, "debian")
	_ = WriteRunning(root, []int{100})
	rfs := Rootfs(root, 100)
	drop := filepath.Join(rfs, filepath.FromSlash(sshdconfig.DropIn))
	if err := os.WriteFile(drop, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, e := run(root, "exec", "100", "--", "rm", "-f", "--", sshdconfig.DropIn); code != 0 {
		t.Fatalf("rm: %d %q", code, e)
	}
	if _, err := os.Lstat(drop); !os.IsNotExist(err) {
		t.Fatalf("still there: %v", err)
	}
	if code, _, e := run(root, "exec", "100", "--", "rm", "-f", "--", sshdconfig.DropIn); code != 0 {
		t.Fatalf("rm -f of a missing file: %d %q", code, e)
	}
	if code, _, _ := run(root, "exec", "100", "--", "rm", "--", sshdconfig.DropIn); code != 1 {
		t.Fatalf("rm of a missing file without -f: %d", code)
	}
	outside := filepath.Join(root, "outside")
	_ = os.WriteFile(outside, []byte("keep"), 0o600)
	if err := os.Symlink(outside, drop); err != nil {
		t.Fatal(err)
	}
	if code, _, e := run(root, "exec", "100", "--", "rm", "-f", "--", sshdconfig.DropIn); code != 0 {
		t.Fatalf("rm of a symlink: %d %q", code, e)
	}
	if _, err := os.Lstat(drop); !os.IsNotExist(err) {
		t.Fatalf("symlink still there: %v", err)
	}
	if b, err := os.ReadFile(outside); err != nil || string(b) != "keep" {
		t.Fatalf("the symlink's target was touched: %q %v", b, err)
	}
	if code, _, e := run(root, "exec", "100", "--", "rm", "-f", "--", "/etc/ssh"); code != 1 || !strings.Contains(e, "Is a directory") {
		t.Fatalf("rm of a directory: %d %q", code, e)
	}
}
