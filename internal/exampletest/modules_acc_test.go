package exampletest_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
)

// TestAccExampleModules runs the README's story with examples/modules: the
// web team applies two containers that comply with the platform's baseline
// (and a second plan has nothing to do), the data team applies a database
// container above the baseline's max_memory with an exception that its
// compliance reports as excepted, the same configuration without the
// exception fails terraform plan with the rule ID, and both destroy.
func TestAccExampleModules(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	start := time.Now()
	root := acctest.RepoRoot(t)
	cli := acctest.NewCLI(t)
	src := filepath.Join(root, "examples", "modules")
	cli.Run(t, root, nil, "fmt", "-check", "-recursive", "-diff", "-no-color", src)

	env := acctest.StartSim(t)
	modules := filepath.Join(t.TempDir(), "modules")
	copyDir(t, src, modules)

	// Each team's provider block pointed at the simulator: in an
	// _override.tf file Terraform replaces the provider block's arguments
	// one by one, so endpoint, api_token, ca_file and the node access are
	// the simulator's, ssh is removed (node files are local here), and
	// baseline = module.baseline.baseline stays.
	override := env.ProviderConfigWith(acctest.ProviderOptions{Mode: "local", Extra: "  ssh = null"})
	if strings.Contains(override, "baseline") {
		t.Fatalf("the override would replace the team's baseline:\n%s", override)
	}
	web, data := filepath.Join(modules, "team-web"), filepath.Join(modules, "team-data")
	for _, dir := range []string{web, data} {
		if !strings.Contains(acctest.ReadFile(t, filepath.Join(dir, "main.tf")), "baseline = module.baseline.baseline") {
			t.Fatalf("%s does not pass the platform's baseline to its provider", dir)
		}
		acctest.WriteFile(t, filepath.Join(dir, "simulator_override.tf"), override)
	}
	// the override sets the real token; the variable just needs a value
	vars := []string{"TF_VAR_pve_api_token=unused"}
	step := func(name string, f func()) {
		t.Helper()
		s := time.Now()
		f()
		t.Logf("%s: %s", name, time.Since(s).Round(time.Millisecond))
	}
	rules := len(policy.Catalogue())

	step("team-web: init, apply, plan", func() { applyTeamWeb(t, cli, web, vars, rules) })
	if t.Failed() {
		return
	}

	step("team-data: init, apply, plan", func() { applyTeamData(t, cli, data, vars, rules) })
	if t.Failed() {
		return
	}

	step("team-data without the exception: plan fails", func() { planWithoutException(t, cli, modules, data, vars) })

	step("destroy", func() {
		cli.Run(t, data, vars, "destroy", "-no-color", "-input=false", "-auto-approve")
		cli.Run(t, web, vars, "destroy", "-no-color", "-input=false", "-auto-approve")
	})
	if n := env.CTCount(t); n != 0 {
		t.Errorf("%d containers left after both destroys", n)
	}
	t.Logf("TestAccExampleModules took %s", time.Since(start).Round(time.Millisecond))
}

// applyTeamWeb applies team-web's two containers: they comply with the
// platform's baseline and a second plan has nothing to do.
func applyTeamWeb(t *testing.T, cli *acctest.CLI, web string, vars []string, rules int) {
	cli.Run(t, web, vars, "init", "-no-color", "-input=false")
	cli.Run(t, web, vars, "apply", "-no-color", "-input=false", "-auto-approve")
	expectNoChanges(t, cli, web, vars)
	var compliance map[string]string
	output(t, cli, web, "compliance", &compliance)
	want := fmt.Sprintf("%d pass, 0 fail, 0 excepted", rules)
	if len(compliance) != 2 || compliance["web01"] != want || compliance["web02"] != want {
		t.Errorf("team-web compliance = %v, want web01 and web02 %q", compliance, want)
	}
	for _, addr := range []string{`module.web["web01"].hardened_container.this`, `module.web["web02"].hardened_container.this`} {
		c := container(t, cli, web, addr)
		if !slices.Contains(c.Tags, "owner-web") || len(c.Network) != 1 || c.Network[0].Bridge != "vmbr20" || c.Network[0].VLAN != 20 {
			t.Errorf("%s: tags %v, network %+v: not what hardened-app sets for owner web on VLAN 20", addr, c.Tags, c.Network)
		}
		// the baseline's required_tags and allowed_bridges were checked
		finding(t, addr, c, "HC-TAG-001", "pass", "")
		finding(t, addr, c, "HC-NET-001", "pass", "")
	}
}

// applyTeamData applies team-data's database above the baseline's
// max_memory with an exception, which compliance reports as excepted.
func applyTeamData(t *testing.T, cli *acctest.CLI, data string, vars []string, rules int) {
	cli.Run(t, data, vars, "init", "-no-color", "-input=false")
	cli.Run(t, data, vars, "apply", "-no-color", "-input=false", "-auto-approve")
	expectNoChanges(t, cli, data, vars)
	const addr = "module.db.hardened_container.this"
	c := container(t, cli, data, addr)
	dbID := c.ID
	if c.Memory != 8192 {
		t.Errorf("%s: memory = %d, want 8192", addr, c.Memory)
	}
	finding(t, addr, c, "HC-CG-001", "excepted", `8192`)
	if !slices.Contains(c.Compliance.ExceptedRules, "HC-CG-001") || len(c.Exceptions) != 1 ||
		c.Exceptions[0].Rule != "HC-CG-001" || !strings.Contains(c.Exceptions[0].Reason, "SEC-231") {
		t.Errorf("%s: HC-CG-001 is not excepted with the exception's reason: %v, %+v", addr, c.Compliance.ExceptedRules, c.Exceptions)
	}
	var summary string
	output(t, cli, data, "db_compliance", &summary)
	if want := fmt.Sprintf("%d pass, 0 fail, 1 excepted (HC-CG-001)", rules-1); summary != want {
		t.Errorf("db_compliance = %q, want %q", summary, want)
	}
	// the audit knows no exceptions: db01 fails HC-CG-001 there, and the
	// web team's containers comply
	var notHardened []string
	output(t, cli, data, "not_hardened", &notHardened)
	if !slices.Equal(notHardened, []string{dbID}) {
		t.Errorf("not_hardened = %q, want [%q]", notHardened, dbID)
	}
}

// planWithoutException: team-data's configuration without the exception
// fails terraform plan with the rule ID.
func planWithoutException(t *testing.T, cli *acctest.CLI, modules, data string, vars []string) {
	strict := filepath.Join(modules, "team-data-no-exception")
	copyDir(t, data, strict)
	mainTF := filepath.Join(strict, "main.tf")
	cfg := acctest.ReadFile(t, mainTF)
	without := regexp.MustCompile(`(?s)\n  exceptions = \[\n.*?\n  \]\n`).ReplaceAllString(cfg, "\n")
	if without == cfg || strings.Contains(without, "exceptions =") {
		t.Fatalf("could not remove the exceptions from team-data/main.tf:\n%s", without)
	}
	acctest.WriteFile(t, mainTF, without)
	cli.Run(t, strict, vars, "init", "-no-color", "-input=false")
	stdout, stderr, err := cli.Exec(strict, vars, "plan", "-no-color", "-input=false")
	if code := acctest.ExitCode(err); code != 1 || !strings.Contains(stderr, "HC-CG-001") ||
		!strings.Contains(stderr, "8192") || !strings.Contains(stderr, "4096") {
		t.Errorf("terraform plan without the exception: exit %d (want 1 with HC-CG-001, 8192 and 4096 in stderr)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	} else {
		t.Logf("terraform plan without the exception fails as it should:\n%s", stderr)
	}
}

// expectNoChanges runs terraform plan -detailed-exitcode in dir and fails
// the test unless it exits 0 (no changes).
func expectNoChanges(t *testing.T, cli *acctest.CLI, dir string, vars []string) {
	t.Helper()
	stdout, stderr, err := cli.Exec(dir, vars, "plan", "-no-color", "-input=false", "-detailed-exitcode")
	if code := acctest.ExitCode(err); code != 0 {
		t.Errorf("terraform plan -detailed-exitcode in %s after apply: exit %d, want 0 (no changes)\nstdout:\n%s\nstderr:\n%s",
			filepath.Base(dir), code, stdout, stderr)
	}
}

// output decodes the value of the root module output name into v.
func output(t *testing.T, cli *acctest.CLI, dir, name string, v any) {
	t.Helper()
	out := cli.Run(t, dir, nil, "output", "-no-color", "-json", name)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("terraform output -json %s in %s: %v\n%s", name, filepath.Base(dir), err, out)
	}
}

// ctState is what the test reads of a hardened_container in the state.
type ctState struct {
	ID      string   `json:"id"`
	Memory  int      `json:"memory"`
	Tags    []string `json:"tags"`
	Network []struct {
		Bridge string `json:"bridge"`
		VLAN   int    `json:"vlan"`
	} `json:"network"`
	Compliance struct {
		Rules         map[string]string `json:"rules"`
		Details       map[string]string `json:"details"`
		ExceptedRules []string          `json:"excepted_rules"`
	} `json:"compliance"`
	Exceptions []struct {
		Rule   string `json:"rule"`
		Reason string `json:"reason"`
	} `json:"exceptions"`
}

// finding checks a rule's status in the container's compliance and, for a
// failing or excepted rule, that what was observed matches detail (a
// passing rule has no detail in the compact compliance).
func finding(t *testing.T, addr string, c ctState, rule, status, detail string) {
	t.Helper()
	got, ok := c.Compliance.Rules[rule]
	d, hasDetail := c.Compliance.Details[rule]
	switch {
	case !ok || got != status:
		t.Errorf("%s: %s status %q, want %q", addr, rule, got, status)
	case status == "pass" && hasDetail:
		t.Errorf("%s: passing %s has a detail %q in the compact compliance", addr, rule, d)
	case status != "pass" && !regexp.MustCompile(detail).MatchString(d):
		t.Errorf("%s: %s detail %q, want one matching %q", addr, rule, d, detail)
	}
}

// container returns the state of the resource at addr from terraform show -json.
func container(t *testing.T, cli *acctest.CLI, dir, addr string) ctState {
	t.Helper()
	out := cli.Run(t, dir, nil, "show", "-no-color", "-json")
	type module struct {
		Resources []struct {
			Address string          `json:"address"`
			Values  json.RawMessage `json:"values"`
		} `json:"resources"`
		ChildModules []json.RawMessage `json:"child_modules"`
	}
	var show struct {
		Values struct {
			RootModule json.RawMessage `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(out), &show); err != nil {
		t.Fatalf("terraform show -json in %s: %v", filepath.Base(dir), err)
	}
	var find func(raw json.RawMessage) json.RawMessage
	find = func(raw json.RawMessage) json.RawMessage {
		var m module
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("terraform show -json in %s: %v", filepath.Base(dir), err)
		}
		for _, r := range m.Resources {
			if r.Address == addr {
				return r.Values
			}
		}
		for _, c := range m.ChildModules {
			if v := find(c); v != nil {
				return v
			}
		}
		return nil
	}
	v := find(show.Values.RootModule)
	if v == nil {
		t.Fatalf("%s is not in the state of %s", addr, filepath.Base(dir))
	}
	var c ctState
	if err := json.Unmarshal(v, &c); err != nil {
		t.Fatalf("%s: %v", addr, err)
	}
	return c
}

// copyDir copies the configuration files under src to dst, leaving out
// what a local terraform run may have left there (.terraform, lock files,
// state).
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != src && (strings.HasPrefix(name, ".terraform") || strings.Contains(name, ".tfstate") || name == "tfplan") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
