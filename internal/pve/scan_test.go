package pve_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
)

// scanSim is a simulator with n containers (100..) whose config names an
// AppArmor profile, and a client for it.
func scanSim(t *testing.T, n int) (*pvesim.Sim, *pve.Client) {
	t.Helper()
	ft := pvesim.FastTiming()
	sim, err := pvesim.Start(pvesim.Options{Nodes: []string{"pve1"}, PlainHTTP: true, Timing: &ft})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Stop() })
	for i := 0; i < n; i++ {
		conf := fmt.Sprintf("arch: amd64\nhostname: ct%d\nmemory: 512\nostype: debian\nrootfs: local-lvm:vm-%d-disk-0,size=8G\nunprivileged: 1\nlxc.apparmor.profile: lxc-shared\n", i, 100+i)
		if err := os.WriteFile(filepath.Join(sim.DataDir(), "etc/pve/nodes/pve1/lxc", fmt.Sprintf("%d.conf", 100+i)), []byte(conf), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	creds := sim.Credentials()
	c, err := pve.New(pve.Config{Endpoint: sim.Endpoint(), APIToken: creds.TokenID + "=" + creds.TokenSecret})
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

// TestScanSkipsVanishedContainer: a container deleted between the cluster
// listing and the read of its config (PVE answers 500 "Configuration file
// ... does not exist") no longer uses anything: the scan goes on.
func TestScanSkipsVanishedContainer(t *testing.T) {
	sim, c := scanSim(t, 3)
	if _, err := sim.Faults().Add(pvesim.FaultRule{Method: "GET", Path: "/nodes/pve1/lxc/101/config", Status: 500,
		Message: "Configuration file 'nodes/pve1/lxc/101.conf' does not exist"}); err != nil {
		t.Fatal(err)
	}
	users, err := c.LXCLineUsers(context.Background(), "lxc.apparmor.profile", "lxc-shared")
	if err != nil {
		t.Fatalf("scan failed on a vanished container: %v", err)
	}
	if fmt.Sprint(users) != "[pve1/100 pve1/102]" {
		t.Errorf("users = %v, want [pve1/100 pve1/102]", users)
	}
	// any other failure still fails the scan
	sim.Faults().Clear()
	if _, err := sim.Faults().Add(pvesim.FaultRule{Method: "GET", Path: "/nodes/pve1/lxc/102/config", Status: 403, Message: "Permission check failed"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LXCLineUsers(context.Background(), "lxc.apparmor.profile", "lxc-shared"); err == nil {
		t.Error("a permission error was ignored")
	}
}

// TestScanWithConcurrentDeletes: containers deleted while the scan runs
// (their config files removed, as a concurrent destroy does) never fail
// it; every container still there is listed.
func TestScanWithConcurrentDeletes(t *testing.T) {
	const n = 40
	sim, c := scanSim(t, n)
	// the config reads are slowed down; the deletes start once the scan
	// has listed the containers
	if _, err := sim.Faults().Add(pvesim.FaultRule{Method: "GET", Path: "/nodes/pve1/lxc/*/config", Latency: pvesim.Duration(3 * time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for sim.Stats().Snapshot()["GET /cluster/resources"] == 0 {
			time.Sleep(time.Millisecond)
		}
		for i := 0; i < n; i += 2 {
			_ = os.Remove(filepath.Join(sim.DataDir(), "etc/pve/nodes/pve1/lxc", fmt.Sprintf("%d.conf", 100+i)))
		}
	}()
	users, err := c.LXCLineUsers(context.Background(), "lxc.apparmor.profile", "lxc-shared")
	wg.Wait()
	if err != nil {
		t.Fatalf("scan failed while containers were deleted: %v", err)
	}
	odd := 0
	for _, u := range users {
		var vmid int
		if _, err := fmt.Sscanf(u, "pve1/%d", &vmid); err != nil {
			t.Fatal(err)
		}
		if vmid%2 == 1 {
			odd++
		}
	}
	if odd != n/2 {
		t.Errorf("%d of the %d containers that stayed are listed: %v", odd, n/2, users)
	}
}
