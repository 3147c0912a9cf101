// Package lifecycletest drives fleets of hardened_container with the real
// Terraform CLI against the simulator under fault injection and
// interruption, and checks that no container is ever left outside state,
// unhardened or duplicated.
package lifecycletest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
)

// fleet is n containers with ordinary fleet settings; VMIDs come from
// /cluster/nextid.
func fleet(env *acctest.Env, n int) string {
	return `terraform {
  required_providers {
    hardened = { source = "hardened-pve/hardened" }
  }
}
` + env.ProviderConfig("local") + fmt.Sprintf(`
resource "hardened_container" "ct" {
  count      = %d
  node       = "pve1"
  hostname   = "fleet${count.index}"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  network = [{
    name         = "eth0"
    bridge       = "vmbr0"
    ipv4         = "10.0.20.${count.index + 10}/24"
    ipv4_gateway = "10.0.20.1"
  }]
  firewall = {
    rules = [
      { type = "in", action = "ACCEPT", proto = "tcp", dport = "443" },
      { type = "out", action = "ACCEPT", proto = "udp", dport = "53" },
    ]
  }
}
`, n)
}

// stateCT is a container as terraform show -json has it.
type stateCT struct {
	Node     string `json:"node"`
	VMID     int    `json:"vmid"`
	Hostname string `json:"hostname"`
}

func stateContainers(t *testing.T, cli *acctest.CLI, dir string) []stateCT {
	t.Helper()
	var show struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Type   string  `json:"type"`
					Values stateCT `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(cli.Run(t, dir, nil, "show", "-json")), &show); err != nil {
		t.Fatal(err)
	}
	var out []stateCT
	for _, r := range show.Values.RootModule.Resources {
		if r.Type == "hardened_container" {
			out = append(out, r.Values)
		}
	}
	return out
}

// checkFleet is the four checks: every container on the simulator is in
// state (and nothing in state is missing), every one has its hardening
// lines and its .fw, no hostname or VMID twice, and the plan is empty.
func checkFleet(t *testing.T, env *acctest.Env, cli *acctest.CLI, dir string, n int) {
	t.Helper()
	confs, _ := filepath.Glob(filepath.Join(env.DataDir, "etc/pve/nodes/*/lxc/*.conf"))
	onSim := map[string]string{} // node/vmid -> hostname
	hostnames := map[string]int{}
	for _, c := range confs {
		conf := acctest.ReadFile(t, c)
		node := filepath.Base(filepath.Dir(filepath.Dir(c)))
		vmid := strings.TrimSuffix(filepath.Base(c), ".conf")
		host := ""
		for _, l := range strings.Split(conf, "\n") {
			if h, ok := strings.CutPrefix(l, "hostname: "); ok {
				host = h
			}
		}
		onSim[node+"/"+vmid] = host
		hostnames[host]++
		for _, want := range []string{"\nlxc.cap.drop: ", "\nlxc.cgroup2.pids.max: ", "\nlxc.apparmor.profile: ", "\nlxc.seccomp.profile: "} {
			if !strings.Contains(conf, want) {
				t.Errorf("CT %s (%s) lacks %q:\n%s", vmid, host, strings.TrimSpace(want), conf)
			}
		}
		if strings.Contains(conf, "hardened-unfinished") {
			t.Errorf("CT %s (%s) is still marked unfinished", vmid, host)
		}
		if _, err := os.Stat(filepath.Join(env.DataDir, "etc/pve/firewall", vmid+".fw")); err != nil {
			t.Errorf("CT %s (%s) has no firewall file: %v", vmid, host, err)
		}
	}
	for h, k := range hostnames {
		if k > 1 {
			t.Errorf("hostname %s on %d containers", h, k)
		}
	}
	inState := map[string]string{}
	for _, c := range stateContainers(t, cli, dir) {
		id := fmt.Sprintf("%s/%d", c.Node, c.VMID)
		if h, twice := inState[id]; twice {
			t.Errorf("%s twice in state: %s and %s (on the simulator: %s)", id, h, c.Hostname, onSim[id])
		}
		inState[id] = c.Hostname
		if _, ok := onSim[id]; !ok {
			t.Errorf("%s (%s) is in state but not on the simulator", id, c.Hostname)
		}
	}
	var outside []string
	for id, h := range onSim {
		if _, ok := inState[id]; !ok {
			outside = append(outside, id+" ("+h+")")
		}
	}
	sort.Strings(outside)
	if len(outside) > 0 {
		t.Errorf("containers outside state: %v", outside)
	}
	if len(onSim) != n || len(inState) != n {
		t.Errorf("%d containers on the simulator, %d in state, want %d", len(onSim), len(inState), n)
	}
	_, stderr, err := cli.Exec(dir, nil, "plan", "-no-color", "-detailed-exitcode", "-input=false")
	if code := acctest.ExitCode(err); code != 0 {
		t.Errorf("plan after convergence: exit %d\n%s", code, stderr)
	}
	t.Logf("%d containers on the simulator, %d in state", len(onSim), len(inState))
}

func writeConfig(t *testing.T, dir, cfg string) {
	t.Helper()
	acctest.WriteFile(t, filepath.Join(dir, "main.tf"), cfg)
}

// summarize keeps the error headlines of a terraform run's stderr.
func summarize(stderr string) string {
	counts := map[string]int{}
	var order []string
	for _, l := range strings.Split(stderr, "\n") {
		if h, ok := strings.CutPrefix(strings.TrimSpace(l), "Error: "); ok {
			if counts[h] == 0 {
				order = append(order, h)
			}
			counts[h]++
		}
	}
	var b strings.Builder
	for _, h := range order {
		fmt.Fprintf(&b, "  %dx %s\n", counts[h], h)
	}
	return b.String()
}
