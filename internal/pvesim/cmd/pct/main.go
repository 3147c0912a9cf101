// Command pct is the simulator's stand-in for PVE's `pct` on a node
// (internal/pvesim/pctemu): exec, push and pull against the containers of a
// simulator data directory. The node root is HARDENED_NODE_ROOT, which the
// provider's local node channel passes to the commands it runs (its
// node_root); tests put this binary first on PATH.
package main

import (
	"fmt"
	"os"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/pctemu"
)

func main() {
	root := os.Getenv("HARDENED_NODE_ROOT")
	if root == "" {
		fmt.Fprintln(os.Stderr, "pvesim pct: HARDENED_NODE_ROOT is not set (run through the provider's local node channel with node_root)")
		os.Exit(255)
	}
	os.Exit(pctemu.Run(root, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
