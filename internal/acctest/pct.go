package acctest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/sudoers"
)

// pctDir holds the simulator's pct stand-in while Main runs the tests ("":
// Main did not run).
var pctDir string

// Main is the TestMain of every package whose acceptance tests start a
// simulator: the provider reaches inside containers through PVE's pct
// (hardened_container.ssh_server is on by default for every template that
// ships OpenSSH), so Main builds the simulator's stand-in
// (internal/pvesim/cmd/pct, BuildPct), puts it first on PATH for the local
// node channel (and, through SetEnv, for the test sshd's sessions: see
// Env.SSHD), runs the tests and removes it. Without TF_ACC it only runs the
// tests (acceptance tests skip themselves).
//
//	func TestMain(m *testing.M) { acctest.Main(m) }
func Main(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "pvesim-pct-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if err := BuildPct(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	pctDir = dir
	if err := os.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// requirePct fails the test when the package's TestMain is not Main: a
// container's apply would fail on the missing pct.
func requirePct(t testing.TB) {
	t.Helper()
	if pctDir == "" {
		t.Fatal("acctest: the simulator's pct stand-in is not on PATH: give this package `func TestMain(m *testing.M) { acctest.Main(m) }`")
	}
}

// sshdSetEnv is the test sshd's SetEnv for a simulator with data directory
// root: its sessions run the stand-in pct (first on PATH) against the
// simulator's node root, as the local channel's commands do through
// HARDENED_NODE_ROOT.
func sshdSetEnv(root string) []string {
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	if pctDir != "" {
		path = pctDir + ":" + path
	}
	return []string{"HARDENED_NODE_ROOT=" + root, "PATH=" + path}
}

// BuildPct builds the simulator's stand-in for PVE's pct
// (internal/pvesim/cmd/pct) into dir: the provider's node channel then
// runs it for `pct exec`, `push` and `pull` against the simulator's
// containers (see Main).
func BuildPct(dir string) error {
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "pct"), "github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/cmd/pct")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build pct: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// SimSudoers is the sudoers file a test installs for user on this machine:
// exactly the documented rules (sudoers.File), with the simulator's pct
// stand-in in place of PVE's /usr/sbin/pct, and the two defaults the
// stand-in needs to act like PVE's pct under sudo: its directory first on
// sudo's secure_path (sudo resets PATH, so "pct" resolves there as
// /usr/sbin/pct does on a node) and HARDENED_NODE_ROOT kept (sudo resets
// the environment; the stand-in finds the simulator's node root in it).
func SimSudoers(user string) string {
	file := sudoers.File(user, "")
	if pctDir == "" {
		return file
	}
	stand := filepath.Join(pctDir, "pct")
	file = strings.Replace(file, sudoers.Rule(user, sudoers.Pct), sudoers.Rule(user, stand), 1)
	return file +
		fmt.Sprintf("Defaults:%s secure_path=\"%s:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"\n", user, pctDir) +
		fmt.Sprintf("Defaults:%s env_keep += \"HARDENED_NODE_ROOT\"\n", user)
}
