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
		// Match blocks for connections (sshd -T -C)
		{"Match User * after the drop-in's Match all", mapFiles{MainConfig: mustInclude(debianMain) + matchUserAll, DropIn: string(policy.RenderDropIn())}},
		{"the drop-in without its Match all, Match User * in the main file", mapFiles{MainConfig: mustInclude(debianMain) + matchUserAll,
			DropIn: withoutMatchAll(policy.RenderDropIn())}},
		{"Include removed, an earlier file's Match User *", mapFiles{MainConfig: debianMain, DropIn: string(policy.RenderDropIn()),
			"/etc/ssh/sshd_config.d/00-aaa.conf": matchUserAll}},
		{"Match User * adds to AllowUsers", mapFiles{MainConfig: mustInclude(debianMain) + "Match User *\n  AllowUsers mallory\n", DropIn: string(policy.RenderDropIn())}},
		{"address, negation, wildcard, comma lists", mapFiles{MainConfig: mustInclude(debianMain) +
			"Match Address 10.0.0.0/8,!10.9.0.0/16\n  PasswordAuthentication yes\nMatch User *,!root\n  PermitRootLogin yes\n" +
			"Match Address *:*\n  Banner none\nMatch User d?ploy Host *.EXAMPLE.org\n  KbdInteractiveAuthentication yes\n" +
			"Match LocalPort 2222\n  PermitEmptyPasswords yes\nMatch Group root,!nogroup\n  PubkeyAuthentication no\n",
			DropIn: withoutMatchAll(policy.RenderDropIn())}},
		{"a Match User * block before the Include: sshd refuses UsePAM in it", mapFiles{MainConfig: matchUserAll + mustInclude(debianMain),
			DropIn: string(policy.RenderDropIn())}},
		{"Match all before the Include", mapFiles{MainConfig: "Match all\n  PasswordAuthentication yes\n" + mustInclude(debianMain),
			DropIn: string(policy.RenderDropIn())}},
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
			for p, content := range hostUsers {
				tt.files[p] = content // the model reads the users' groups as sshd does (getpwnam)
			}
			// sshd -T, then sshd -T -C for each connection: the model agrees
			// on every keyword it evaluates, and on refusing the configuration
			for _, c := range append([]Conn{{}}, realConns...) {
				args := []string{"-T", "-f", host(MainConfig), "-h", key}
				if c != (Conn{}) {
					args = append(args, "-C", c.Spec())
				}
				out, err := exec.Command("/usr/sbin/sshd", args...).CombinedOutput()
				onSSHD := strings.ReplaceAll(string(out), host("/etc/ssh/")+"/", "/etc/ssh/")
				model, errs := EffectiveFor(tt.files, c)
				switch {
				case err != nil && len(errs) == 1 && strings.Contains(onSSHD, strings.TrimSuffix(errs[0][strings.Index(errs[0], ": ")+2:], ".")):
					continue // both refuse, with sshd's message
				case err != nil || len(errs) > 0:
					t.Fatalf("-C %q: real sshd -T: %v %s\nmodel: %v", c.Spec(), err, onSSHD, errs)
				}
				if c == (Conn{}) {
					for _, p := range []Policy{policy, rootKeyOnly} {
						if a, b := Compare(p, ParseT([]byte(onSSHD))), Compare(p, model); !sameDrift(a, b) {
							t.Fatalf("real sshd: %v\nmodel:     %v", a, b)
						}
					}
				}
				// the simulator's sshd -T (RenderT) prints these keywords as the real one does
				if a, b := tLines(onSSHD), tLines(string(RenderT(model))); a != b {
					t.Fatalf("-C %q: real sshd -T:\n%s\nmodel (RenderT):\n%s", c.Spec(), a, b)
				}
			}
		})
	}
}

// matchUserAll is the hand-added block that turns passwords and root
// logins back on for every connection.
const matchUserAll = "Match User *\n  PasswordAuthentication yes\n  PermitRootLogin yes\n"

// withoutMatchAll is the drop-in with its Match all block cut off.
func withoutMatchAll(dropIn []byte) string {
	s, _, _ := strings.Cut(string(dropIn), "# The same in every Match context")
	return s
}

// realConns are the connections both sshd -T -C and the model evaluate:
// users with and without a Match, addresses in and out of 10.0.0.0/8,
// IPv6, a host name, another local port.
var realConns = []Conn{
	{LPort: 22}, // the probe's fallback for sshd -T when a Match LocalPort line stops it
	{User: "root", Host: "10.0.0.1", Addr: "10.0.0.1", LPort: 22},
	{User: "deploy", Host: "192.0.2.1", Addr: "192.0.2.1", LPort: 22},
	{User: "mallory", Host: "10.9.1.1", Addr: "10.9.1.1", LPort: 2222},
	{User: "deploy", Host: "box.example.org", Addr: "2001:db8::1", LPort: 22},
	{User: "root", Host: "::1", Addr: "::1", LPort: 22},
}

// hostUsers are this machine's user and group files, which the real sshd
// reads for Match Group.
var hostUsers = func() mapFiles {
	m := mapFiles{}
	for _, p := range []string{"/etc/passwd", "/etc/group"} {
		if b, err := os.ReadFile(p); err == nil {
			m[p] = string(b)
		}
	}
	return m
}()

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
