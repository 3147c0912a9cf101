package guestlxctest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
	"github.com/hardened-pve/terraform-provider-hardened/internal/sshdconfig"
	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/require"
)

// ct is one real container of the simulator's LXC backend.
type ct struct {
	t       *testing.T
	lxcPath string
	vmid    int
}

// startSim starts a simulator whose Debian containers run in real LXC with
// this host's OpenSSH server, or skips (fails when HARDENED_TEST_REQUIRE
// lists lxc or sshd, as in CI).
func startSim(t *testing.T) *acctest.Env {
	t.Helper()
	if os.Geteuid() != 0 {
		require.SkipOrFail(t, "lxc", "real LXC containers need root")
	}
	for _, tool := range []string{"lxc-start", "lxc-attach", "lxc-info", "busybox", "nsenter"} {
		if _, err := exec.LookPath(tool); err != nil {
			require.SkipOrFail(t, "lxc", "%s is not installed (.ci/install-deps: apt-get install lxc busybox-static util-linux)", tool)
		}
	}
	for _, p := range []string{"/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen"} {
		if _, err := os.Stat(p); err != nil {
			require.SkipOrFail(t, "sshd", "%s is missing (apt-get install openssh-server openssh-client)", p)
		}
	}
	return acctest.StartSim(t, acctest.WithSimOptions(func(o *pvesim.Options) {
		o.LXC = &pvesim.LXCOptions{OpenSSH: true}
		o.Logf = t.Logf
	}))
}

// sh runs a shell command inside the container as its root, by hand
// (lxc-attach, not the provider's channel), and returns its output.
func (c ct) sh(script string) string {
	c.t.Helper()
	out, err := c.attach("/bin/sh", "-c", script)
	if err != nil {
		c.t.Fatalf("in the container: %s: %v\n%s", script, err, out)
	}
	return out
}

func (c ct) attach(argv ...string) (string, error) {
	args := append([]string{"-n", strconv.Itoa(c.vmid), "-P", c.lxcPath, "--clear-env", "--"}, argv...)
	var out bytes.Buffer
	cmd := exec.Command("lxc-attach", args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// sshdT is the real sshd's effective configuration in the container:
// sshd -T, or sshd -T -C spec.
func (c ct) sshdT(spec ...string) (map[string][]string, string, error) {
	args := append([]string{"-n", strconv.Itoa(c.vmid), "-P", c.lxcPath, "--clear-env", "--"}, "/usr/sbin/sshd", "-T")
	if len(spec) > 0 {
		args = append(args, "-C", spec[0])
	}
	var out, errb bytes.Buffer
	cmd := exec.Command("lxc-attach", args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, "", fmt.Errorf("sshd -T %v in the container: %w: %s", spec, err, errb.String())
	}
	return sshdconfig.ParseT(out.Bytes()), out.String(), nil
}

// realProbe is what the real sshd has in effect, asked by hand (sshd -T,
// then sshd -T -C for each of the provider's probe connections: the users
// of the container's passwd with a login shell and AllowUsers, from each
// probe address), and the banner file.
func (c ct) realProbe() (sshdconfig.Probed, error) {
	global, _, err := c.sshdT()
	if err != nil {
		return sshdconfig.Probed{}, err
	}
	p := sshdconfig.Probed{Global: global}
	files := c.files()
	passwd, _ := files.Read("/etc/passwd")
	for _, conn := range sshdconfig.ProbeConns(sshdconfig.ProbeUsers(global, passwd), 22) {
		eff, _, err := c.sshdT(conn.Spec())
		if err != nil {
			return p, err
		}
		p.Conns = append(p.Conns, sshdconfig.ConnEff{Spec: conn.Spec(), Eff: eff})
	}
	p.Banner, p.BannerFound = files.Read(sshdconfig.BannerFile)
	return p, nil
}

func (c ct) files() rootfs { return rootfs(filepath.Join(c.lxcPath, strconv.Itoa(c.vmid), "rootfs")) }

// pid is the container's init on this host.
func (c ct) pid() string {
	c.t.Helper()
	out, err := exec.Command("lxc-info", "-n", strconv.Itoa(c.vmid), "-P", c.lxcPath, "-p", "-H").Output()
	if err != nil {
		c.t.Fatalf("lxc-info: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// ssh runs the host's ssh client in the container's network namespace
// (the container has loopback only) against its sshd on 127.0.0.1:22.
func (c ct) ssh(key, user string, argv ...string) (string, error) {
	args := []string{"--net=/proc/" + c.pid() + "/ns/net", "--", "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"}
	if key == "" {
		args = append(args, "-o", "PubkeyAuthentication=no")
	} else {
		args = append(args, "-o", "IdentitiesOnly=yes", "-i", key)
	}
	args = append(append(args, user+"@127.0.0.1"), argv...)
	// sshd re-executes itself on SIGHUP (a reload): for a moment nothing
	// listens
	for i := 0; ; i++ {
		out, err := exec.Command("nsenter", args...).CombinedOutput()
		if i == 50 || err == nil || !strings.Contains(string(out), "Connection refused") {
			return strings.TrimSpace(string(out)), err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// rootfs is the container's root file system as sshdconfig.Files (the
// model's input), read from this host.
type rootfs string

func (r rootfs) Read(p string) ([]byte, bool) {
	b, err := os.ReadFile(filepath.Join(string(r), filepath.FromSlash(p)))
	return b, err == nil
}

func (r rootfs) Glob(pattern string) []string {
	m, _ := filepath.Glob(filepath.Join(string(r), filepath.FromSlash(pattern)))
	out := make([]string, len(m))
	for i, p := range m {
		out[i] = "/" + filepath.ToSlash(strings.TrimPrefix(p, string(r)+string(filepath.Separator)))
	}
	return out
}

func readFile(p string) (string, error) {
	b, err := os.ReadFile(p)
	return strings.TrimSpace(string(b)), err
}
