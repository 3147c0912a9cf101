// Command proof prints the reviewer's table for the containers of a
// Terraform state (`terraform show -json`) that run in the simulator's
// real-LXC backend: control | configured | observed inside the running
// container | result. It exits 1 when any control is not in effect.
// examples/demo/proof.sh (make proof) runs it on the demo's containers.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/hardened-pve/terraform-provider-hardened/internal/cgroupmode"
	"github.com/hardened-pve/terraform-provider-hardened/internal/conformance"
)

func main() {
	state := flag.String("state", "", "`terraform show -json` output")
	lxcPath := flag.String("lxc-path", "", "the simulator's LXC path (pvesim -lxc prints it)")
	data := flag.String("data", "", "the simulator's data directory (the node's files)")
	flag.Parse()
	if *state == "" || *lxcPath == "" || *data == "" {
		flag.Usage()
		os.Exit(2)
	}
	doc, err := os.ReadFile(*state)
	if err != nil {
		fail(err)
	}
	containers, err := conformance.FromShowJSON(doc)
	if err != nil {
		fail(err)
	}
	if len(containers) == 0 {
		fail(fmt.Errorf("no hardened_container in %s", *state))
	}
	var rows []conformance.Row
	for _, e := range containers {
		r, err := conformance.Observe(*lxcPath, e)
		if err != nil {
			fail(fmt.Errorf("%s (CT %d): %w", e.Name, e.VMID, err))
		}
		rows = append(rows, conformance.Check(e, r, *data)...)
	}
	fmt.Print(conformance.Table(rows))
	if f := conformance.Failed(rows); len(f) > 0 {
		fmt.Printf("\n%d controls NOT in effect\n", len(f))
		os.Exit(1)
	}
	fmt.Printf("\nevery control in effect in the running containers (%d rows); AppArmor compiled only: this kernel has no AppArmor\n", len(rows))
	notes()
}

// notes say what the table cannot show on this machine.
func notes() {
	if mi, err := os.ReadFile(cgroupmode.MountinfoPath); err == nil {
		if l := cgroupmode.FromMountinfo(mi); l != cgroupmode.Unified {
			fmt.Printf("this host's cgroup layout is %s: the simulator's LXC backend wrote the limits' lxc.cgroup2.* keys in their cgroup v1 form (LXC "+
				"ignores cgroup2 keys here; PVE 9 nodes are cgroup v2, and the provider refuses such limits on a node that is not)\n", l)
		}
	}
	fmt.Println("not shown: the firewall (the backend gives containers a loopback-only network namespace)")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "proof:", err)
	os.Exit(1)
}
