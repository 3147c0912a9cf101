package pve

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
)

// TestLXCLinesInUseAndCreate: deciding whether a shared confinement line is
// still used reads one config when the first container uses it (flat in
// the fleet's size), the whole fleet only for a line nobody uses; parallel
// creates of one client take successive VMIDs without losing a race.
func TestLXCLinesInUseAndCreate(t *testing.T) {
	fast := pvesim.FastTiming()
	sim, err := pvesim.Start(pvesim.Options{Listen: "127.0.0.1:0", PlainHTTP: true, Nodes: []string{"pve1"}, Timing: &fast, UnauthorizedDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Stop() })
	c, err := New(Config{Endpoint: sim.Endpoint(), APIToken: sim.Credentials().APIToken(), Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const n = 8
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			_, upid, err := c.CreateCT(ctx, "pve1", 0, map[string]any{"ostemplate": "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst",
				"rootfs": "local-lvm:1", "hostname": fmt.Sprintf("ct%d", i)})
			if err == nil {
				_, err = c.WaitTask(ctx, upid)
			}
			errs <- err
		}()
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := sim.Stats().Snapshot()["POST /nodes/{node}/lxc"]; got != n {
		t.Errorf("%d creates took %d create calls: they raced for VMIDs", n, got)
	}
	// every container uses the shared profile; none uses "lonely"
	for vmid := 100; vmid < 100+n; vmid++ {
		p := filepath.Join(sim.DataDir(), "etc/pve/nodes/pve1/lxc", fmt.Sprintf("%d.conf", vmid))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, append(b, "lxc.apparmor.profile: shared\n"...), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	shared := LXCLine{Key: "lxc.apparmor.profile", Value: "shared"}
	lonely := LXCLine{Key: "lxc.seccomp.profile", Value: "/var/lib/lonely.seccomp"}
	for _, tc := range []struct {
		lines   []LXCLine
		want    map[LXCLine]bool
		configs int
	}{
		{[]LXCLine{shared}, map[LXCLine]bool{shared: true}, 1},
		{[]LXCLine{shared, lonely}, map[LXCLine]bool{shared: true}, n},
		{nil, map[LXCLine]bool{}, 0},
	} {
		sim.Stats().Reset()
		got, err := c.LXCLinesInUse(ctx, tc.lines)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%v: %v, want %v", tc.lines, got, tc.want)
		}
		if reads := sim.Stats().Snapshot()["GET /nodes/{node}/lxc/{vmid}/config"]; reads != tc.configs {
			t.Errorf("%v: %d config reads, want %d", tc.lines, reads, tc.configs)
		}
	}
}
