//go:build linux

package lifecycletest

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
)

// dropNetRaw adds net_raw to the default drop list.
const dropNetRaw = `  capabilities = { drop = ["audit_control", "audit_write", "mac_admin", "mac_override", "mknod", "net_raw", "sys_admin",
    "sys_module", "sys_nice", "sys_pacct", "sys_rawio", "sys_resource", "sys_time", "sys_tty_config"] }
`

// fleetWith is fleet with extra settings in every container.
func fleetWith(env *acctest.Env, n int, extra string) string {
	return strings.Replace(fleet(env, n), "  firewall = {", extra+"  firewall = {", 1)
}

// applyKilled runs terraform args (apply or destroy) and kills terraform
// and its provider (SIGKILL, the whole process group) once the simulator
// has answered at requests of key.
func applyKilled(t *testing.T, env *acctest.Env, cli *acctest.CLI, dir, key string, at int, args ...string) {
	t.Helper()
	env.Sim.Stats().Reset()
	cmd := exec.Command(cli.Path, args...)
	cmd.Dir = dir
	cmd.Env = append(acctest.CleanEnv(), cli.Env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("terraform ended (%v) before the kill point %q was reached: %v", err, key, env.Sim.Stats().Snapshot())
		case <-time.After(20 * time.Millisecond):
		}
		if env.Sim.Stats().Snapshot()[key] >= at {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
			// no request of the killed provider is in flight any more;
			// let the tasks it started end
			env.Sim.WaitTasks()
			env.Sim.Faults().Clear()
			return
		}
	}
	t.Fatalf("kill point %q not reached: %v", key, env.Sim.Stats().Snapshot())
}

// runningWithout counts the running containers whose init (its /proc view
// in the simulator) lacks capability c.
func runningWithout(t *testing.T, env *acctest.Env, c string) (without, total int) {
	t.Helper()
	bit := -1
	for i, name := range hardening.AllCapabilities {
		if name == c {
			bit = i
		}
	}
	files, _ := filepath.Glob(filepath.Join(env.DataDir, "proc/[0-9]*/status"))
	for _, f := range files {
		v := hardening.ParseProcStatus([]byte(acctest.ReadFile(t, f)))
		total++
		if v.HasCapBnd && v.CapBnd&(1<<uint(bit)) == 0 {
			without++
		}
	}
	return without, total
}

// TestAccFleetRestartOwedAfterKill: terraform is killed after an update
// wrote new hardening lines to every running container but before any
// reboot went through (the reboots hang). The containers still run their
// old capabilities; a plain plan shows the owed restart of each, and the
// next apply performs it.
func TestAccFleetRestartOwedAfterKill(t *testing.T) {
	acctest.PreCheck(t)
	cli := acctest.NewCLI(t)
	const n = 4
	env := acctest.StartSim(t)
	dir := t.TempDir()
	writeConfig(t, dir, fleet(env, n))
	cli.Run(t, dir, nil, "init", "-no-color", "-input=false")
	cli.Run(t, dir, nil, "apply", "-no-color", "-input=false", "-auto-approve")
	writeConfig(t, dir, fleetWith(env, n, dropNetRaw))
	// the update reads the pending view after writing the lines, right
	// before the reboot: it hangs there (a GET: the simulator drops it when
	// the client goes), and terraform is killed once every container's
	// firewall is confirmed (the last step of the write; the refresh reads
	// the .fw file through the node channel, not the API)
	if _, err := env.Sim.Faults().Add(pvesim.FaultRule{Method: "GET", Path: "/nodes/*/lxc/*/pending", Latency: pvesim.Duration(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	applyKilled(t, env, cli, dir, "GET /nodes/{node}/lxc/{vmid}/firewall/rules", n,
		"apply", "-no-color", "-input=false", "-auto-approve", "-parallelism=10")
	if without, total := runningWithout(t, env, "net_raw"); without != 0 || total != n {
		t.Fatalf("%d of %d running containers dropped net_raw before any restart, want 0 of %d", without, total, n)
	}
	out, _, err := cli.Exec(dir, nil, "plan", "-no-color", "-input=false", "-detailed-exitcode")
	if acctest.ExitCode(err) != 2 {
		t.Fatalf("plan after the kill: exit %d (%v), want 2 (changes):\n%s", acctest.ExitCode(err), err, out)
	}
	// Terraform 1.5 renders a change to "" as a removal ("- ... -> null"),
	// later versions as "~ ... -> \"\""
	owed := regexp.MustCompile(`(?m)^\s+[~-] pending_restart\s+= "restart owed: lxc\.cap\.drop changed while it ran; lxc\.cap\.drop: the running init still has net_raw" -> (""|null)$`)
	if got := len(owed.FindAllString(out, -1)); got != n {
		t.Errorf("%d owed restarts in the plan, want %d:\n%s", got, n, out)
	}
	t.Logf("plan after the kill:\n%s", out)
	cli.Run(t, dir, nil, "apply", "-no-color", "-input=false", "-auto-approve", "-parallelism=10")
	if without, total := runningWithout(t, env, "net_raw"); without != n || total != n {
		t.Errorf("%d of %d running containers dropped net_raw after the apply, want %d of %d", without, total, n, n)
	}
	checkFleet(t, env, cli, dir, n)
}
