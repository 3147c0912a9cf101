package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
)

// TestAccBenchSmoke runs the bench harness on a fleet of 3 (fast timing,
// plus a realistic-timing apply of 1) so `make bench` cannot rot: every
// figure the table prints must have been collected.
func TestAccBenchSmoke(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC not set (the bench runs the terraform CLI)")
	}
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("terraform not on PATH")
		}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-hardened"), "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	short := pvesim.Timing{Create: 300 * time.Millisecond, Destroy: 50 * time.Millisecond, Start: 50 * time.Millisecond,
		Stop: 50 * time.Millisecond, Shutdown: 50 * time.Millisecond, Reboot: 50 * time.Millisecond}
	res, err := Run(context.Background(), Options{Terraform: tf, ProviderDir: bin, WorkDir: filepath.Join(dir, "work"),
		Parallelism: 4, Sizes: []int{3}, RealisticN: 1, RealisticTiming: &short, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	row := res.Rows[0]
	for name, p := range map[string]Phase{"apply": row.Apply, "plan": row.Plan, "destroy": row.Destroy} {
		if p.APICalls == 0 || p.NodeOps == 0 || p.Procs == 0 || p.CPUSecs <= 0 || p.PeakRSSKiB == 0 || p.Wall <= 0 || p.BaseWall <= 0 {
			t.Errorf("%s: a figure is missing: %+v", name, p)
		}
	}
	if row.Apply.StateBytes == 0 {
		t.Error("apply: no state size")
	}
	if res.Realistic == nil || res.Realistic.TaskTime == 0 {
		t.Errorf("realistic apply: no task time: %+v", res.Realistic)
	}
	table := res.String()
	if n := strings.Count(table, "\n| 3 |"); n != 3 {
		t.Errorf("table has %d rows for N=3, want 3:\n%s", n, table)
	}
	if !strings.Contains(table, "apply/floor") {
		t.Errorf("table lacks the realistic floor:\n%s", table)
	}
	t.Log("\n" + table)
}
