package sshdconfig

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/require"
)

// TestRealSSHD checks the model against OpenSSH's own sshd: the drop-in
// is a configuration sshd accepts; sshd -T's output reads back as no drift;
// and for each weakening the real sshd and Effective agree on what is in
// effect (first value wins, Include order, Match skipped). The files live
// in a temporary directory: the Include paths are rewritten to point there.
func TestRealSSHD(t *testing.T) {
	if _, err := os.Stat("/usr/sbin/sshd"); err != nil {
		require.SkipOrFail(t, "sshd", "no /usr/sbin/sshd (apt-get install openssh-server)")
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "hostkey")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	// the container's paths, mapped into dir
	host := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	relocate := func(s string) string { return strings.ReplaceAll(s, "/etc/ssh/", host("/etc/ssh/")+"/") }
	tests := []struct {
		name  string
		files mapFiles
	}{
		{"hardened", mapFiles{MainConfig: mustInclude(debianMain), DropIn: string(policy.RenderDropIn())}},
		{"drop-in edited", mapFiles{MainConfig: mustInclude(debianMain),
			DropIn: strings.Replace(string(policy.RenderDropIn()), "PermitRootLogin no", "PermitRootLogin yes", 1)}},
		{"Include removed, earlier file wins", mapFiles{MainConfig: debianMain, DropIn: string(policy.RenderDropIn()),
			"/etc/ssh/sshd_config.d/00-aaa.conf": "PasswordAuthentication yes\n"}},
		{"line before the Include", mapFiles{MainConfig: "PermitRootLogin yes\n" + mustInclude(debianMain), DropIn: string(policy.RenderDropIn())}},
		{"Match block", mapFiles{MainConfig: mustInclude(debianMain) + "Match User bob\n  PasswordAuthentication yes\n", DropIn: string(policy.RenderDropIn())}},
		{"root with a key only", mapFiles{MainConfig: mustInclude(debianMain), DropIn: string(rootKeyOnly.RenderDropIn())}},
		{"AllowUsers twice, by hand", mapFiles{MainConfig: mustInclude(debianMain) + "AllowUsers mallory eve\nDenyUsers bob\n",
			DropIn: string(policy.RenderDropIn())}},
		{"Match all overrides the drop-in", mapFiles{MainConfig: mustInclude(debianMain) + "Match all\n  PasswordAuthentication yes\n  AllowUsers mallory\n" +
			"Match all\n  PasswordAuthentication no\n", DropIn: string(policy.RenderDropIn())}},
		{"the drop-in included inside a Match block", mapFiles{MainConfig: debianMain + "Match User bob\n  Include " + DropIn + "\n",
			DropIn: string(policy.RenderDropIn())}},
		{"Match all in an included file", mapFiles{MainConfig: mustInclude(debianMain), DropIn: string(policy.RenderDropIn()),
			"/etc/ssh/sshd_config.d/50-x.conf": "Match User bob\n  X11Forwarding no\nMatch all\n  PermitRootLogin yes\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_ = os.RemoveAll(host("/etc"))
			for p, content := range tt.files {
				if err := os.MkdirAll(filepath.Dir(host(p)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(host(p), []byte(relocate(content)), 0o644); err != nil { //nolint:gosec // test config
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(host(BannerFile), policy.RenderBanner(), 0o644); err != nil { //nolint:gosec // test config
				t.Fatal(err)
			}
			out, err := exec.Command("/usr/sbin/sshd", "-T", "-f", host(MainConfig), "-h", key).CombinedOutput()
			if err != nil {
				t.Fatalf("sshd -T: %v\n%s", err, out)
			}
			got := ParseT([]byte(strings.ReplaceAll(string(out), host("/etc/ssh/")+"/", "/etc/ssh/")))
			model, errs := Effective(tt.files)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			for _, p := range []Policy{policy, rootKeyOnly} {
				if a, b := Compare(p, got), Compare(p, model); !sameDrift(a, b) {
					t.Fatalf("real sshd: %v\nmodel:     %v", a, b)
				}
			}
			// the simulator's sshd -T (RenderT) prints these keywords as the real one does
			fromSSHD := strings.ReplaceAll(string(out), host("/etc/ssh/")+"/", "/etc/ssh/")
			if a, b := tLines(fromSSHD), tLines(string(RenderT(model))); a != b {
				t.Fatalf("real sshd -T:\n%s\nRenderT:\n%s", a, b)
			}
		})
	}
}

// rootKeyOnly lets root log in with a key: real sshd -T prints it as
// "without-password" (OpenSSH 9.2), which must read back as no drift.
var rootKeyOnly = Policy{PermitRootLogin: RootLoginProhibitPassword, Banner: "Keys only.", AllowUsers: []string{"root", "deploy"}}

// tLines are sshd -T's lines of the keywords the model evaluates, sorted.
func tLines(out string) string {
	keys := map[string]bool{"acceptenv": true, "allowusers": true, "denyusers": true, "subsystem": true}
	for k := range policy.Want() {
		keys[k] = true
	}
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if k, _, _ := strings.Cut(l, " "); keys[k] {
			lines = append(lines, l)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func mustInclude(main string) string {
	out, _ := EnsureIncludeFirst([]byte(main))
	return string(out)
}

func sameDrift(a, b []Drift) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].String() != b[i].String() {
			return false
		}
	}
	return true
}
