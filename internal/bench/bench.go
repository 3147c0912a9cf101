// Package bench measures the provider on a fleet: terraform apply, plan and
// destroy of N hardened containers against the simulator, with the figures
// of issue 13 (wall time, API calls and node-channel operations per
// container, provider CPU per container, peak RSS, state bytes per
// container) beside a same-run baseline of Terraform itself (terraform_data
// with count = N). `make bench` runs it; a small smoke of it runs in tests.
package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
)

// Options configure a run.
type Options struct {
	Terraform   string // the CLI
	ProviderDir string // holds terraform-provider-hardened (dev_overrides)
	WorkDir     string
	Parallelism int
	Sizes       []int
	// RealisticN > 0 also applies RealisticN containers with
	// pvesim.RealisticTiming, for the floor and the apply/floor ratio.
	RealisticN int
	// RealisticTiming overrides pvesim.RealisticTiming (the smoke test's
	// shorter tasks).
	RealisticTiming *pvesim.Timing
	Logf            func(format string, a ...any)
}

// Phase is one terraform command's figures.
type Phase struct {
	Wall        time.Duration
	APICalls    int
	NodeOps     int64
	CPUSecs     float64
	PeakRSSKiB  int64
	StateBytes  int64
	BaseWall    time.Duration // terraform_data count = N, same command
	Procs       int           // provider processes that reported
	TaskTime    time.Duration // simulated task durations (realistic mode)
	Parallelism int
	Calls       map[string]int // API calls by "METHOD /path/template"
}

// Row is one fleet size.
type Row struct {
	N                    int
	Apply, Plan, Destroy Phase
}

// Result is a whole run.
type Result struct {
	Rows      []Row
	Realistic *Phase // apply of RealisticN containers with realistic timing
	RealN     int
}

// Run measures every size in o.Sizes, then the realistic apply.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Parallelism == 0 {
		o.Parallelism = 10
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	res := &Result{}
	for _, n := range o.Sizes {
		row, err := runSize(ctx, o, n)
		if err != nil {
			return res, fmt.Errorf("fleet of %d: %w", n, err)
		}
		res.Rows = append(res.Rows, row)
	}
	if o.RealisticN > 0 {
		t := pvesim.RealisticTiming()
		if o.RealisticTiming != nil {
			t = *o.RealisticTiming
		}
		p, err := realistic(ctx, o, o.RealisticN, t)
		if err != nil {
			return res, fmt.Errorf("realistic fleet of %d: %w", o.RealisticN, err)
		}
		res.Realistic, res.RealN = &p, o.RealisticN
	}
	return res, nil
}

func runSize(ctx context.Context, o Options, n int) (Row, error) {
	row := Row{N: n}
	t := pvesim.FastTiming()
	sim, ws, err := setup(o, fmt.Sprintf("n%d", n), n, &t)
	if err != nil {
		return row, err
	}
	defer func() { _ = sim.Stop() }()
	base, err := newWorkspace(o, filepath.Join(o.WorkDir, fmt.Sprintf("n%d-baseline", n)), baselineConfig(n), nil)
	if err != nil {
		return row, err
	}
	steps := []struct {
		p    *Phase
		args []string
	}{
		{&row.Apply, []string{"apply", "-auto-approve"}},
		{&row.Plan, []string{"plan", "-detailed-exitcode"}},
		{&row.Destroy, []string{"destroy", "-auto-approve"}},
	}
	for _, st := range steps {
		o.Logf("N=%d: terraform %s", n, st.args[0])
		p, err := ws.measure(ctx, sim, st.args)
		if err != nil {
			return row, err
		}
		if st.args[0] == "apply" {
			if fi, err := os.Stat(filepath.Join(ws.dir, "terraform.tfstate")); err == nil {
				p.StateBytes = fi.Size()
			}
		}
		start := time.Now()
		if _, err := base.terraform(ctx, st.args...); err != nil {
			return row, fmt.Errorf("baseline: %w", err)
		}
		p.BaseWall = time.Since(start)
		*st.p = p
	}
	return row, nil
}

func realistic(ctx context.Context, o Options, n int, t pvesim.Timing) (Phase, error) {
	sim, ws, err := setup(o, fmt.Sprintf("real%d", n), n, &t)
	if err != nil {
		return Phase{}, err
	}
	defer func() { _ = sim.Stop() }()
	o.Logf("N=%d realistic timing: terraform apply", n)
	p, err := ws.measure(ctx, sim, []string{"apply", "-auto-approve"})
	p.TaskTime = sim.TaskTime()
	p.Parallelism = o.Parallelism
	return p, err
}

func setup(o Options, name string, n int, t *pvesim.Timing) (*pvesim.Sim, *workspace, error) {
	simDir := filepath.Join(o.WorkDir, name+"-pve")
	sim, err := pvesim.Start(pvesim.Options{Listen: "127.0.0.1:0", DataDir: simDir, Nodes: []string{"pve1", "pve2"},
		Timing: t, UnauthorizedDelay: -1})
	if err != nil {
		return nil, nil, err
	}
	ws, err := newWorkspace(o, filepath.Join(o.WorkDir, name), fleetConfig(n), sim)
	if err != nil {
		_ = sim.Stop()
		return nil, nil, err
	}
	return sim, ws, nil
}

type workspace struct {
	o     Options
	dir   string
	env   []string
	stats string
}

func newWorkspace(o Options, dir, config string, sim *pvesim.Sim) (*workspace, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides { \"hardened-pve/hardened\" = %q }\n  direct {}\n}\n", o.ProviderDir)
	if err := os.WriteFile(filepath.Join(dir, "terraformrc"), []byte(rc), 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		return nil, err
	}
	ws := &workspace{o: o, dir: dir, stats: filepath.Join(dir, "provider-stats.jsonl")}
	// PVE's pct on the node (the SSH policy inside each container), the simulator's stand-in first on PATH
	pctDir := filepath.Join(o.WorkDir, "pct")
	if _, err := os.Stat(filepath.Join(pctDir, "pct")); err != nil {
		build := exec.Command("go", "build", "-o", filepath.Join(pctDir, "pct"), "github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/cmd/pct")
		if out, err := build.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("building the pct stand-in: %w\n%s", err, out)
		}
	}
	ws.env = append(os.Environ(), "PATH="+pctDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"TF_CLI_CONFIG_FILE="+filepath.Join(dir, "terraformrc"), "TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1", "TF_LOG=", "TF_LOG_PROVIDER=", "HARDENED_PROVIDER_STATS="+ws.stats)
	if sim != nil {
		ca := filepath.Join(sim.DataDir(), pvesim.CertFile)
		ws.env = append(ws.env, "TF_VAR_endpoint="+sim.Endpoint(), "TF_VAR_api_token="+sim.Credentials().APIToken(),
			"TF_VAR_ca_file="+ca, "TF_VAR_node_root="+sim.DataDir())
	}
	return ws, nil
}

func (w *workspace) terraform(ctx context.Context, args ...string) (int, error) {
	full := append([]string{args[0], "-no-color", "-input=false", fmt.Sprintf("-parallelism=%d", w.o.Parallelism)}, args[1:]...)
	cmd := exec.CommandContext(ctx, w.o.Terraform, full...)
	cmd.Dir, cmd.Env = w.dir, w.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := cmd.ProcessState.ExitCode()
	if err != nil && !(args[0] == "plan" && code == 2) {
		return code, fmt.Errorf("terraform %s: %w\n%s", args[0], err, tail(out.Bytes(), 4000))
	}
	if args[0] == "plan" && code == 2 {
		return code, fmt.Errorf("terraform plan after apply is not empty (the fleet drifted):\n%s", tail(out.Bytes(), 4000))
	}
	return code, nil
}

// measure runs one command and collects the simulator's and the provider
// processes' figures.
func (w *workspace) measure(ctx context.Context, sim *pvesim.Sim, args []string) (Phase, error) {
	_ = os.Remove(w.stats)
	sim.Stats().Reset()
	start := time.Now()
	_, err := w.terraform(ctx, args...)
	p := Phase{Wall: time.Since(start), Calls: sim.Stats().Snapshot()}
	for k, v := range p.Calls {
		if len(k) > 0 && k[0] != 'F' { // "FAULT ..." entries are no requests
			p.APICalls += v
		}
	}
	if err != nil {
		return p, err
	}
	return p, w.readStats(&p)
}

func (w *workspace) readStats(p *Phase) error {
	f, err := os.Open(w.stats)
	if os.IsNotExist(err) {
		// a provider built without the stats hook (e.g. an older one, for
		// a before/after comparison): its figures are left out
		w.o.Logf("the provider wrote no figures (%s): CPU, RSS and node operations not measured", w.stats)
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var st struct {
			CPUSecs   float64 `json:"cpu_s"`
			MaxRSSKiB int64   `json:"max_rss_kib"`
			NodeOps   int64   `json:"node_ops"`
		}
		if err := json.Unmarshal(sc.Bytes(), &st); err != nil {
			return fmt.Errorf("%s: %w", w.stats, err)
		}
		p.Procs++
		p.CPUSecs += st.CPUSecs
		p.NodeOps += st.NodeOps
		p.PeakRSSKiB = max(p.PeakRSSKiB, st.MaxRSSKiB)
	}
	return sc.Err()
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
