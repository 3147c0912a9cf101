//go:build linux

package lifecycletest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
)

// confinementFiles are the generated AppArmor profiles, seccomp policies
// and restart records on the simulator's node.
func confinementFiles(env *acctest.Env) []string {
	var out []string
	for _, g := range []string{"etc/apparmor.d/lxc/lxc-hardened-*", "etc/pve/hardened/seccomp/*", "etc/pve/hardened/restart/*"} {
		m, _ := filepath.Glob(filepath.Join(env.DataDir, g))
		out = append(out, m...)
	}
	return out
}

// TestAccFleetDestroyKilledBeforeCleanup: a destroy is killed after every
// container is deleted but before any cleanup (the "who still uses this
// file" scan hangs); the shared generated profile and seccomp policy are
// still on the node. The next destroy, whose refresh finds the containers
// gone, leaves nothing behind.
func TestAccFleetDestroyKilledBeforeCleanup(t *testing.T) {
	acctest.PreCheck(t)
	cli := acctest.NewCLI(t)
	const n = 4
	env := acctest.StartSim(t)
	dir := t.TempDir()
	writeConfig(t, dir, fleet(env, n))
	cli.Run(t, dir, nil, "init", "-no-color", "-input=false")
	cli.Run(t, dir, nil, "apply", "-no-color", "-input=false", "-auto-approve")
	if got := confinementFiles(env); len(got) != 2 {
		t.Fatalf("confinement files after the apply: %v, want the shared profile and policy", got)
	}
	if _, err := env.Sim.Faults().Add(pvesim.FaultRule{Method: "GET", Path: "/cluster/resources", Latency: pvesim.Duration(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	// -refresh=false: the refresh would wait on the same slow
	// /cluster/resources (one per run, shared by every container's Read)
	// before any delete; the kill must land between the deletes and their
	// cleanup scans
	applyKilled(t, env, cli, dir, "DELETE /nodes/{node}/lxc/{vmid}", n,
		"destroy", "-no-color", "-input=false", "-auto-approve", "-refresh=false", "-parallelism=10")
	if confs, _ := filepath.Glob(filepath.Join(env.DataDir, "etc/pve/nodes/*/lxc/*.conf")); len(confs) != 0 {
		t.Fatalf("containers left after the deletes: %v", confs)
	}
	if got := confinementFiles(env); len(got) != 2 {
		t.Fatalf("confinement files after the killed destroy: %v, want both still there (the kill landed before the cleanup)", got)
	}
	cli.Run(t, dir, nil, "destroy", "-no-color", "-input=false", "-auto-approve")
	if got := confinementFiles(env); len(got) != 0 {
		t.Errorf("left behind after the next destroy: %v", got)
	}
	if cts := stateContainers(t, cli, dir); len(cts) != 0 {
		t.Errorf("containers in state after destroy: %v", cts)
	}
	if _, err := os.Stat(filepath.Join(env.DataDir, "etc/pve/firewall/100.fw")); !os.IsNotExist(err) {
		t.Errorf("a firewall file is left behind (%v)", err)
	}
}
