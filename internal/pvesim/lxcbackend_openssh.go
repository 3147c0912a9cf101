package pvesim

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/pctemu"
)

// With LXCOptions.OpenSSH, a container whose template ships OpenSSH (the
// template volume has /usr/sbin/sshd: Debian's and Ubuntu's) gets this
// host's real OpenSSH server in its busybox root file system: sshd (and
// the sshd-session/sshd-auth helpers of OpenSSH 9.8+), the libraries ldd
// names, Debian's packaged sshd_config, host keys (ssh-keygen -A, as PVE
// generates them at create), the privilege separation user and directory,
// a minimal PAM stack, and a systemctl stand-in for the ssh unit. Its init
// starts sshd like systemd starts ssh.service at boot.

// sshdHelpers are OpenSSH's own executables sshd runs, when this host's
// version has them.
var sshdHelpers = []string{"/usr/sbin/sshd", "/usr/lib/openssh/sshd-session", "/usr/lib/openssh/sshd-auth"}

// pamModules are the PAM modules the container's /etc/pam.d/sshd uses.
var pamModules = []string{"pam_permit.so", "pam_deny.so"}

// sshdPAM is the container's PAM stack for sshd: accounts and sessions
// pass (sshd's key authentication needs them), PAM's own password
// authentication always fails. (Debian's pulls in common-auth and a dozen
// modules; with the policy's PasswordAuthentication and
// KbdInteractiveAuthentication off, sshd never asks PAM to authenticate.)
const sshdPAM = "auth required pam_deny.so\naccount required pam_permit.so\nsession required pam_permit.so\npassword required pam_deny.so\n"

// initWithSSH is initScript that also brings up the loopback interface
// (Debian's ifupdown does at boot) and starts sshd (ssh.service).
const initWithSSH = `#!/bin/sh
trap 'exit 0' PWR TERM INT
ip link set lo up
/usr/bin/systemctl start ssh >/var/log/ssh-start.log 2>&1
while :; do sleep 3600 & wait $!; done
`

// systemctlStandIn answers for the ssh unit as systemd does with Debian's
// ssh.service (ExecStartPre and ExecReload run sshd -t first; reload is
// SIGHUP to the main PID, on which sshd re-executes itself).
const systemctlStandIn = `#!/bin/sh
# pvesim real-LXC backend: systemctl for the ssh unit only (Debian's ssh.service)
verb=$1 unit=${2%.service}
case "$unit" in
ssh|sshd) ;;
*) echo "Failed to $verb $2.service: Unit $2.service not found." >&2; exit 5 ;;
esac
mainpid() { [ -f /run/sshd.pid ] && p=$(cat /run/sshd.pid) && kill -0 "$p" 2>/dev/null && echo "$p"; }
failed() { echo "Job for ssh.service failed because the control process exited with error code." >&2; exit 1; }
start() {
	mainpid >/dev/null && return 0
	mkdir -p /run/sshd && chmod 0755 /run/sshd
	/usr/sbin/sshd -t || failed
	/usr/sbin/sshd -E /var/log/sshd.log || failed
}
case "$verb" in
start) start ;;
stop) p=$(mainpid) && kill "$p"; rm -f /run/sshd.pid ;;
restart) p=$(mainpid) && { kill "$p"; while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; }; start ;;
reload|try-reload-or-restart|reload-or-restart)
	p=$(mainpid) || { [ "$verb" = reload ] && { echo "ssh.service is not active, cannot reload." >&2; exit 1; }; start; exit; }
	/usr/sbin/sshd -t || failed
	kill -HUP "$p" ;;
is-active) if mainpid >/dev/null; then echo active; else echo inactive; exit 3; fi ;;
*) echo "Unknown command verb $verb." >&2; exit 1 ;;
esac
`

// templateShipsSSH: the container's template volume has sshd (pctemu's
// stand-in, see pctemu.Extract).
func (b *LXCBackend) templateShipsSSH(vmid int) bool {
	fi, err := os.Stat(filepath.Join(pctemu.Rootfs(b.root, vmid), "usr/sbin/sshd"))
	return err == nil && fi.Mode().IsRegular()
}

// lddPath is a library path in ldd's output ("name => /path (addr)" or
// "/path (addr)" for the loader).
var lddPath = regexp.MustCompile(`(?m)^\s*(?:\S+ => )?(/\S+) \(0x[0-9a-f]+\)$`)

// installOpenSSH copies this host's OpenSSH server into rootfs.
func installOpenSSH(rootfs string) error {
	if err := copyOpenSSH(rootfs); err != nil {
		return err
	}
	main, err := os.ReadFile("/usr/share/openssh/sshd_config") // the packaged default
	if err != nil {
		main = []byte(pctemu.DebianSSHDConfig)
	}
	for _, d := range []string{"etc/ssh/sshd_config.d", "etc/pam.d", "run/sshd"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			return err
		}
	}
	files := map[string]string{"etc/ssh/sshd_config": string(main), "etc/pam.d/sshd": sshdPAM,
		"etc/os-release": "ID=debian\nVERSION_ID=\"12\"\n"}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(rootfs, name), []byte(content), 0o644); err != nil { //nolint:gosec // world-readable like on Debian
			return err
		}
	}
	for name, content := range map[string]string{"usr/bin/systemctl": systemctlStandIn, "sbin/init": initWithSSH} {
		if err := os.WriteFile(filepath.Join(rootfs, name), []byte(content), 0o755); err != nil { //nolint:gosec // executables
			return err
		}
	}
	if err := appendFile(filepath.Join(rootfs, "etc/passwd"), "sshd:x:100:65534::/run/sshd:/usr/sbin/nologin\n"); err != nil {
		return err
	}
	if out, err := exec.Command("ssh-keygen", "-A", "-f", rootfs).CombinedOutput(); err != nil {
		return fmt.Errorf("pvesim: ssh-keygen -A: %w: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

// copyOpenSSH copies sshd, its helpers, the PAM modules and every library
// they load (ldd) to the same paths in rootfs.
func copyOpenSSH(rootfs string) error {
	var bins []string
	for _, p := range sshdHelpers {
		if _, err := os.Stat(p); err == nil {
			bins = append(bins, p)
		}
	}
	if len(bins) == 0 || bins[0] != "/usr/sbin/sshd" {
		return errors.New("pvesim: LXCOptions.OpenSSH needs this host's /usr/sbin/sshd (apt-get install openssh-server)")
	}
	libs := map[string]bool{}
	for _, dir := range []string{"/lib/x86_64-linux-gnu/security", "/usr/lib/x86_64-linux-gnu/security"} {
		for _, m := range pamModules {
			if _, err := os.Stat(filepath.Join(dir, m)); err == nil {
				libs[filepath.Join(dir, m)] = true
			}
		}
	}
	for _, p := range append(append([]string(nil), bins...), keys(libs)...) {
		out, err := exec.Command("ldd", p).Output()
		if err != nil {
			return fmt.Errorf("pvesim: ldd %s: %w", p, err)
		}
		for _, m := range lddPath.FindAllStringSubmatch(string(out), -1) {
			libs[m[1]] = true
		}
	}
	for _, p := range append(bins, keys(libs)...) {
		dst := filepath.Join(rootfs, p)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := copyFile(p, dst, 0o755); err != nil {
			return err
		}
	}
	return nil
}

func appendFile(p, s string) error {
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(s); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
