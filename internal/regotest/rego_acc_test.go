package regotest_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/require"
)

// The configuration planned against the simulator: web and worker comply
// with hardened.rego, legacy breaks both of its rules (its exceptions let it
// past the provider's own plan-time baseline check, not past the policy).
const resources = `
resource "hardened_container" "web" {
  node       = "pve1"
  hostname   = "web"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  network    = [{ name = "eth0", bridge = "vmbr0", ipv4 = "10.0.20.15/24", ipv4_gateway = "10.0.20.1" }]
  firewall = {
    rules = [{ type = "out", action = "ACCEPT", proto = "udp", dport = "53" }]
  }
}

resource "hardened_container" "worker" {
  node         = "pve1"
  hostname     = "worker"
  ostemplate   = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  capabilities = { keep = ["chown", "net_bind_service"] }
  firewall     = { policy_out = "REJECT" }
}

resource "hardened_container" "legacy" {
  node         = "pve1"
  hostname     = "legacy"
  ostemplate   = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  firewall     = { policy_out = "ACCEPT" }
  capabilities = { drop = ["sys_module"] }
  exceptions = [
    { rule = "HC-FW-003", reason = "regotest" },
    { rule = "HC-CAP-001", reason = "regotest" },
  ]
}
`

var wantDeny = []string{
	`HC-CAP-001 hardened_container.legacy: required capabilities dropped: mac_admin, mac_override, sys_admin, sys_rawio, sys_time missing from capabilities.drop`,
	`HC-FW-003 hardened_container.legacy: outbound firewall policy must be default deny (firewall.enabled = true, firewall.policy_out = "ACCEPT"; want true and "DROP" or "REJECT")`,
}

func TestAccRegoPolicyExample(t *testing.T) {
	t.Parallel()
	root := acctest.RepoRoot(t)
	opa := findOPA(t, root)
	policyDir := filepath.Join(root, "examples", "policy", "opa")
	policy := filepath.Join(policyDir, "hardened.rego")

	t.Run("opa", func(t *testing.T) {
		acctest.Run(t, root, nil, opa, "check", "--strict", policyDir)
		if out := acctest.Run(t, root, nil, opa, "fmt", "--list", policyDir); strings.TrimSpace(out) != "" {
			t.Errorf("opa fmt would change (run: bin/opa fmt -w examples/policy/opa):\n%s", out)
		}
		acctest.Run(t, root, nil, opa, "test", "--verbose", policyDir)
	})
	if t.Failed() {
		return
	}

	acctest.PreCheck(t)
	// the real CLI, installing the provider built from this tree (see acctest.NewCLI)
	cli := acctest.NewCLI(t)
	env := acctest.StartSim(t)
	work := t.TempDir()

	const terraformBlock = "terraform {\n  required_providers {\n    hardened = { source = \"hardened-pve/hardened\" }\n  }\n}\n\n"

	// The README's example gives what the README says: its provider block
	// pointed at the simulator by an override file, the two messages for
	// hardened_container.legacy and none for hardened_container.web.
	example := filepath.Join(work, "example")
	if err := os.Mkdir(example, 0o755); err != nil {
		t.Fatal(err)
	}
	acctest.WriteFile(t, filepath.Join(example, "main.tf"), acctest.ReadFile(t, filepath.Join(policyDir, "main.tf")))
	acctest.WriteFile(t, filepath.Join(example, "simulator_override.tf"),
		env.ProviderConfigWith(acctest.ProviderOptions{Mode: "local", Extra: "  ssh = null"}))
	cli.Run(t, example, nil, "init", "-no-color", "-input=false")
	cli.Run(t, example, nil, "plan", "-no-color", "-input=false", "-var", "pve_api_token=unused", "-out=tfplan")
	acctest.WriteFile(t, filepath.Join(example, "plan.json"), cli.Run(t, example, nil, "show", "-json", "tfplan"))
	if got := deny(t, opa, example, policy); !reflect.DeepEqual(got, wantDeny) {
		t.Errorf("data.hardened.deny for examples/policy/opa/main.tf:\n got %q\nwant %q", got, wantDeny)
	}

	dir := filepath.Join(work, "plan")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	acctest.WriteFile(t, filepath.Join(dir, "main.tf"), terraformBlock+env.ProviderConfig("local")+resources)
	start := time.Now()
	cli.Run(t, dir, nil, "init", "-no-color", "-input=false")
	cli.Run(t, dir, nil, "plan", "-no-color", "-input=false", "-out=tfplan")
	planJSON := cli.Run(t, dir, nil, "show", "-json", "tfplan")
	t.Logf("terraform init, plan and show took %s", time.Since(start).Round(time.Millisecond))
	acctest.WriteFile(t, filepath.Join(dir, "plan.json"), planJSON)
	checkPlan(t, planJSON)

	if got := deny(t, opa, dir, policy); !reflect.DeepEqual(got, wantDeny) {
		t.Errorf("data.hardened.deny:\n got %q\nwant %q", got, wantDeny)
	}
}

// deny evaluates data.hardened.deny with opa eval on dir/plan.json, sorted.
func deny(t *testing.T, opa, dir, policy string) []string {
	t.Helper()
	out := acctest.Run(t, dir, nil, opa, "eval", "--format", "json", "-d", policy, "-i", "plan.json", "data.hardened.deny")
	var res struct {
		Result []struct {
			Expressions []struct {
				Value []string `json:"value"`
			} `json:"expressions"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Result) != 1 || len(res.Result[0].Expressions) != 1 {
		t.Fatalf("opa eval output (%v):\n%s", err, out)
	}
	got := res.Result[0].Expressions[0].Value
	slices.Sort(got)
	return got
}

// checkPlan makes sure the plan has what the policy must judge, so that no
// message for a compliant container cannot mean it was not looked at.
func checkPlan(t *testing.T, planJSON string) {
	t.Helper()
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions []string `json:"actions"`
				After   struct {
					Firewall *struct {
						Enabled   *bool  `json:"enabled"`
						PolicyOut string `json:"policy_out"`
					} `json:"firewall"`
					Capabilities *struct {
						Drop []string `json:"drop"`
						Keep []string `json:"keep"`
					} `json:"capabilities"`
				} `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(planJSON), &plan); err != nil {
		t.Fatalf("terraform show -json: %v", err)
	}
	want := map[string]string{"hardened_container.web": "DROP", "hardened_container.worker": "REJECT", "hardened_container.legacy": "ACCEPT"}
	for _, rc := range plan.ResourceChanges {
		a := rc.Change.After
		pol, ok := want[rc.Address]
		if !ok {
			continue
		}
		delete(want, rc.Address)
		if !slices.Equal(rc.Change.Actions, []string{"create"}) || a.Firewall == nil || a.Firewall.Enabled == nil ||
			!*a.Firewall.Enabled || a.Firewall.PolicyOut != pol || a.Capabilities == nil {
			t.Errorf("%s: planned change is not what the policy test expects: %+v", rc.Address, rc.Change)
		}
	}
	if len(want) > 0 {
		t.Errorf("resource changes missing from the plan: %v", want)
	}
}

// findOPA returns HARDENED_OPA, else bin/opa in the repository, else opa on
// PATH: an OPA 1.x (the policy is Rego v1 without `import rego.v1`).
func findOPA(t *testing.T, root string) string {
	t.Helper()
	var p string
	if v := os.Getenv("HARDENED_OPA"); v != "" {
		abs, err := filepath.Abs(v)
		if err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(abs); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			t.Fatalf("HARDENED_OPA=%s is not an executable file", v)
		}
		p = abs
	} else if st, err := os.Stat(filepath.Join(root, "bin", "opa")); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
		p = filepath.Join(root, "bin", "opa")
	} else if lp, err := exec.LookPath("opa"); err == nil {
		p = lp
	} else {
		require.SkipOrFail(t, "opa", "opa is not installed (make opa builds bin/opa from tools/go.mod; or set HARDENED_OPA)")
	}
	out, err := exec.Command(p, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s version: %v\n%s", p, err, out)
	}
	m := regexp.MustCompile(`(?m)^Version: (\d+)\.`).FindSubmatch(out)
	if m == nil || string(m[1]) == "0" {
		require.SkipOrFail(t, "opa", "%s is not OPA 1.x (make opa builds one into bin/opa):\n%s", p, out)
	}
	t.Logf("opa: %s (%s)", p, strings.SplitN(string(out), "\n", 2)[0])
	return p
}
