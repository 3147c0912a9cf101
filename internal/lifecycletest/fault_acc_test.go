package lifecycletest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
)

// faults are every fault kind the issue measured, each at rate 0.1.
func faults() []pvesim.FaultRule {
	const rate = 0.1
	return []pvesim.FaultRule{
		{Method: "PUT", Path: "/nodes/*/lxc/*/config", Status: 500, Message: "Internal Server Error", Rate: rate},
		{Path: "/nodes/*/lxc/*/firewall/**", Status: 500, Message: "Internal Server Error", Rate: rate},
		{Path: "/nodes/*/lxc/*/config", Status: 500, Message: "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout", Rate: rate},
		{Path: "/nodes/**", Reset: true, Rate: rate},
		{Path: "/nodes/**", ResetAfter: true, Rate: rate},
		{Task: "vzcreate", TaskError: "unable to create CT - storage 'local-lvm' is full", Rate: rate},
		{Task: "*", TaskWarnings: 1, Rate: rate},
		{Path: "/**", Latency: pvesim.Duration(200 * time.Millisecond), Rate: rate},
	}
}

// TestAccFleetUnderFaults: 24 containers under every fault kind with three
// seeds. The first apply may fail; a clean second apply converges; then no
// container is outside state, unhardened, unfinished or duplicated, and the
// plan is empty.
func TestAccFleetUnderFaults(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	cli := acctest.NewCLI(t)
	const n = 24
	for _, seed := range []int64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			env := acctest.StartSim(t, acctest.WithSimOptions(func(o *pvesim.Options) { o.Seed = seed }))
			dir := t.TempDir()
			writeConfig(t, dir, fleet(env, n))
			cli.Run(t, dir, nil, "init", "-no-color", "-input=false")
			env.Sim.Faults().Seed(seed)
			for _, r := range faults() {
				if _, err := env.Sim.Faults().Add(r); err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now()
			_, stderr, err := cli.Exec(dir, nil, "apply", "-no-color", "-input=false", "-auto-approve", "-parallelism=10")
			t.Logf("apply under faults: exit %d in %s, %d faults fired", acctest.ExitCode(err), time.Since(start).Round(time.Millisecond), fired(env))
			if err != nil {
				t.Logf("errors of the faulted apply (expected):\n%s", summarize(stderr))
				if testing.Verbose() {
					t.Logf("%s", stderr)
				}
			}
			if testing.Verbose() {
				for _, c := range stateContainers(t, cli, dir) {
					t.Logf("after the faulted apply, in state: %s/%d %s", c.Node, c.VMID, c.Hostname)
				}
				confs, _ := filepath.Glob(filepath.Join(env.DataDir, "etc/pve/nodes/*/lxc/*.conf"))
				for _, c := range confs {
					var keep []string
					for _, l := range strings.Split(acctest.ReadFile(t, c), "\n") {
						if strings.HasPrefix(l, "hostname:") || strings.HasPrefix(l, "tags:") || strings.HasPrefix(l, "lock:") || strings.HasPrefix(l, "net0:") {
							keep = append(keep, l)
						}
					}
					t.Logf("after the faulted apply, on the simulator: %s %v", filepath.Base(c), keep)
				}
			}
			env.Sim.Faults().Clear()
			cli.Run(t, dir, nil, "apply", "-no-color", "-input=false", "-auto-approve", "-parallelism=10")
			checkFleet(t, env, cli, dir, n)
			cli.Run(t, dir, nil, "destroy", "-no-color", "-input=false", "-auto-approve", "-parallelism=10")
			if k := env.CTCount(t); k != 0 {
				t.Errorf("%d containers left after destroy", k)
			}
		})
	}
}

func fired(env *acctest.Env) int {
	k := 0
	for key, v := range env.Sim.Stats().Snapshot() {
		if len(key) > 5 && key[:5] == "FAULT" {
			k += v
		}
	}
	return k
}
