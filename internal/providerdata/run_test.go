package providerdata

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
)

// TestRunSnapshots: a provider run lists the cluster's containers once for
// every refresh, reads a shared node file once per node, and counts every
// node-channel operation.
func TestRunSnapshots(t *testing.T) {
	if !nodefs.LocalSupported {
		t.Skip("no local node channel on this OS")
	}
	ft := pvesim.FastTiming()
	sim, err := pvesim.Start(pvesim.Options{Nodes: []string{"pve1"}, PlainHTTP: true, Timing: &ft, UnauthorizedDelay: -1, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Stop() })
	api, err := pve.New(pve.Config{Endpoint: sim.Endpoint(), APIToken: sim.Credentials().APIToken()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, upid, err := api.CreateCT(ctx, "pve1", 0, map[string]any{"ostemplate": "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst",
		"rootfs": "local-lvm:1", "hostname": "one"})
	if err == nil {
		_, err = api.WaitTask(ctx, upid)
	}
	if err != nil {
		t.Fatal(err)
	}
	c := &Clients{API: api, Nodes: NewNodeChannels("local", func(context.Context, string) (nodefs.FS, error) {
		return nodefs.NewLocal(sim.DataDir())
	})}
	t.Cleanup(func() { _ = c.Nodes.Close() })

	sim.Stats().Reset()
	for i := 0; i < 3; i++ {
		ct, ok, err := c.ClusterContainer(ctx, "pve1", 100)
		if err != nil || !ok || ct.Status != "stopped" || ct.Name != "one" {
			t.Fatalf("CT 100: %+v %v %v", ct, ok, err)
		}
		if _, ok, err := c.ClusterContainer(ctx, "pve1", 101); err != nil || ok {
			t.Fatalf("CT 101 is not in the snapshot: %v %v", ok, err)
		}
	}
	if got := sim.Stats().Snapshot()["GET /cluster/resources"]; got != 1 {
		t.Errorf("%d cluster listings for one run, want 1", got)
	}

	p := "/etc/apparmor.d/lxc/shared"
	if err := os.MkdirAll(filepath.Join(sim.DataDir(), filepath.Dir(p)), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sim.DataDir(), p), []byte("profile"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := NodeOps()
	for i := 0; i < 3; i++ {
		if b, err := c.RunFile(ctx, "pve1", p); err != nil || string(b) != "profile" {
			t.Fatalf("RunFile: %q %v", b, err)
		}
		if _, err := c.RunFile(ctx, "pve1", "/etc/apparmor.d/lxc/missing"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("a missing file: %v", err)
		}
	}
	if ops := NodeOps() - before; ops != 2 {
		t.Errorf("%d node-channel operations for two files read by three refreshes, want 2", ops)
	}
}
