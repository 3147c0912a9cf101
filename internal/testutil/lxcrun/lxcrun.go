// Package lxcrun runs real LXC busybox containers for tests: one container
// per test in a private LXC path (a t.TempDir, never /var/lib/lxc), created
// with lxc-create -t busybox, started in the foreground with a config the
// test writes anew for each start, stopped with lxc-stop -k and destroyed
// when the test ends. Without LXC, busybox or root the test is skipped, or
// fails when HARDENED_TEST_REQUIRE lists "lxc" (CI).
package lxcrun

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/require"
)

// Requirement is the HARDENED_TEST_REQUIRE name of real LXC.
const Requirement = "lxc"

// IDMap are the lines of an unprivileged container: root and the first
// 65536 ids map to 100000.. on the host, as PVE maps unprivileged CTs.
const IDMap = "lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n"

// Container is a busybox container in a private LXC path.
type Container struct {
	Name, Dir string
	// Base is the config every start begins with: the busybox template's
	// config without its network, AppArmor and seccomp lines, with no
	// network (lxc.net.0.type = empty), AppArmor unconfined (the kernel may
	// have none) and no console, so the init command writes to lxc-start's
	// stdout; plus IDMap when unprivileged.
	Base string
}

// Options choose the container's kind.
type Options struct {
	// Prefix names the container (Prefix-<pid>).
	Prefix string
	// Unprivileged adds IDMap to Base and opens the container's directory
	// to the mapped root (uid 100000), which must traverse it to its rootfs.
	Unprivileged bool
}

// New creates the container, or skips the test (require.SkipOrFail) when
// LXC cannot run here.
func New(t testing.TB, o Options) *Container {
	t.Helper()
	for _, tool := range []string{"lxc-start", "lxc-create", "lxc-stop", "lxc-destroy"} {
		if _, err := exec.LookPath(tool); err != nil {
			require.SkipOrFail(t, Requirement, "%s not installed (apt-get install lxc busybox-static)", tool)
		}
	}
	if _, err := exec.LookPath("busybox"); err != nil {
		require.SkipOrFail(t, Requirement, "busybox not installed: lxc-create -t busybox needs it (apt-get install busybox-static)")
	}
	if os.Geteuid() != 0 {
		require.SkipOrFail(t, Requirement, "starting LXC containers needs root")
	}
	if o.Unprivileged {
		// With shadow's newuidmap installed, LXC insists that root owns the
		// mapped range in /etc/subuid and /etc/subgid (without it, root
		// writes the maps itself).
		if _, err := exec.LookPath("newuidmap"); err == nil {
			for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
				if !hasRootRange(f) {
					require.SkipOrFail(t, Requirement, "%s has no range root:100000:65536 for an unprivileged container (echo root:100000:65536 >> %s)", f, f)
				}
			}
		}
	}
	prefix := o.Prefix
	if prefix == "" {
		prefix = "hardened-test"
	}
	c := &Container{Name: fmt.Sprintf("%s-%d", prefix, os.Getpid()), Dir: t.TempDir()}
	if out, err := c.run(30*time.Second, "lxc-create", "-t", "busybox", "-n", c.Name, "-P", c.Dir); err != nil {
		t.Fatalf("lxc-create -t busybox: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		c.Stop()
		if out, err := c.run(30*time.Second, "lxc-destroy", "-n", c.Name, "-P", c.Dir); err != nil {
			t.Errorf("lxc-destroy: %v\n%s", err, out)
		}
	})
	if o.Unprivileged {
		// t.TempDir's directories are 0700 and lxc-create's container
		// directory 0770: the container's root (host uid 100000) could not
		// reach its rootfs.
		for _, d := range []string{filepath.Dir(c.Dir), c.Dir, filepath.Join(c.Dir, c.Name)} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	orig, err := os.ReadFile(c.configPath())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, l := range strings.Split(string(orig), "\n") {
		k := strings.TrimSpace(l)
		if strings.HasPrefix(k, "lxc.net.") || strings.HasPrefix(k, "lxc.apparmor.") || strings.HasPrefix(k, "lxc.seccomp.") {
			continue
		}
		b.WriteString(l + "\n")
	}
	// GORACE: a Go probe built with -race would sleep a second before exiting.
	b.WriteString("lxc.net.0.type = empty\nlxc.apparmor.profile = unconfined\nlxc.console.path = none\n" +
		"lxc.environment = GORACE=atexit_sleep_ms=0\n")
	if o.Unprivileged {
		b.WriteString(IDMap)
	}
	c.Base = b.String()
	return c
}

// hasRootRange reports whether file (subuid(5) format) gives root a range
// covering 100000..165535.
func hasRootRange(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		p := strings.Split(strings.TrimSpace(s.Text()), ":")
		if len(p) != 3 || (p[0] != "root" && p[0] != "0") {
			continue
		}
		start, err1 := strconv.Atoi(p[1])
		n, err2 := strconv.Atoi(p[2])
		if err1 == nil && err2 == nil && start <= 100000 && start+n >= 165536 {
			return true
		}
	}
	return false
}

// RootFS is the container's root directory on the host.
func (c *Container) RootFS() string { return filepath.Join(c.Dir, c.Name, "rootfs") }

func (c *Container) configPath() string { return filepath.Join(c.Dir, c.Name, "config") }

func (c *Container) run(timeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s timed out after %s", name, timeout)
	}
	return out.String(), err
}

// Stop kills the container if it still runs (lxc-stop fails harmlessly
// when it does not).
func (c *Container) Stop() {
	_, _ = c.run(20*time.Second, "lxc-stop", "-k", "-n", c.Name, "-P", c.Dir)
}

// Start writes Base followed by extra (raw config lines, each ending in a
// newline) as the container's config, runs cmd as its init in the
// foreground and returns what lxc-start and cmd printed. An error means
// lxc-start failed (a config LXC refuses, a failed start, or cmd's non-zero
// exit).
func (c *Container) Start(t testing.TB, extra string, cmd ...string) (string, error) {
	t.Helper()
	if err := os.WriteFile(c.configPath(), []byte(c.Base+extra), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-n", c.Name, "-P", c.Dir, "-F", "--"}, cmd...)
	out, err := c.run(20*time.Second, "lxc-start", args...)
	if err != nil {
		c.Stop()
	}
	return out, err
}
