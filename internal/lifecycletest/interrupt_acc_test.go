//go:build linux

package lifecycletest

import (
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
)

// TestAccFleetInterrupted: terraform and its provider are killed with
// SIGKILL at three points of creating a fleet (creates in flight, hardening
// being written, containers starting); a plain re-apply then converges with
// no container outside state, unhardened, unfinished or duplicated.
func TestAccFleetInterrupted(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	cli := acctest.NewCLI(t)
	const n = 10
	for _, kp := range []struct {
		name string
		key  string // simulator request whose count decides the kill
		at   int
	}{
		{"creates in flight", "POST /nodes/{node}/lxc", 3},
		{"hardening being written", "GET /nodes/{node}/lxc/{vmid}/firewall/rules", 2},
		{"containers starting", "POST /nodes/{node}/lxc/{vmid}/status/start", 1},
	} {
		t.Run(kp.name, func(t *testing.T) {
			// a killed provider leaves the cluster locks it held (a
			// firewall-vm-<vmid> lock, its VMID reused at once); pmxcfs
			// expires them after 120 s: shortened here, so the re-apply
			// waits for the expiry (as it would on PVE) in seconds
			env := acctest.StartSim(t, acctest.WithSimOptions(func(o *pvesim.Options) { o.LockExpiry = 3 * time.Second }))
			dir := t.TempDir()
			writeConfig(t, dir, fleet(env, n))
			cli.Run(t, dir, nil, "init", "-no-color", "-input=false")
			// slow every request down so the kill lands in the middle
			if _, err := env.Sim.Faults().Add(pvesim.FaultRule{Path: "/**", Latency: pvesim.Duration(100 * time.Millisecond)}); err != nil {
				t.Fatal(err)
			}
			env.Sim.Stats().Reset()
			cmd := exec.Command(cli.Path, "apply", "-no-color", "-input=false", "-auto-approve", "-parallelism=10")
			cmd.Dir = dir
			cmd.Env = append(acctest.CleanEnv(), cli.Env...)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			deadline := time.Now().Add(2 * time.Minute)
			killed := false
			for !killed && time.Now().Before(deadline) {
				select {
				case err := <-done:
					t.Fatalf("the apply ended (%v) before the kill point %q was reached: %v", err, kp.key, env.Sim.Stats().Snapshot())
				case <-time.After(20 * time.Millisecond):
				}
				if env.Sim.Stats().Snapshot()[kp.key] >= kp.at {
					// terraform and the provider plugin: the whole group
					_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
					killed = true
				}
			}
			if !killed {
				t.Fatalf("kill point %q not reached: %v", kp.key, env.Sim.Stats().Snapshot())
			}
			<-done
			confs, _ := filepath.Glob(filepath.Join(env.DataDir, "etc/pve/nodes/*/lxc/*.conf"))
			t.Logf("killed at %s >= %d: %d containers on the simulator, %d in state", kp.key, kp.at, len(confs), len(stateContainers(t, cli, dir)))
			// the provider process was killed too: no request of it is in flight;
			// give tasks it started the time to end
			env.Sim.WaitTasks()
			env.Sim.Faults().Clear()
			cli.Run(t, dir, nil, "apply", "-no-color", "-input=false", "-auto-approve", "-parallelism=10")
			checkFleet(t, env, cli, dir, n)
		})
	}
}
