package provider_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/provider"
)

// leastPrivToken creates terraform@pve with a privilege-separated token and
// grants exactly the roles of provider.LeastPrivilegeRoles() to both, as the
// guide's pveum commands do; it returns the token ("id=secret").
func leastPrivToken(t *testing.T, env *acctest.Env) string {
	t.Helper()
	if err := env.Sim.AddUserConfig("user:terraform@pve:1:0::::::"); err != nil {
		t.Fatal(err)
	}
	secret, err := env.Sim.AddToken("terraform@pve!provider", true)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Sim.AddUserConfig(provider.UserCfgLines("terraform@pve", "provider", provider.LeastPrivilegeRoles())); err != nil {
		t.Fatal(err)
	}
	return "terraform@pve!provider=" + secret
}

// dropPrivilege rewrites role's line in user.cfg without priv (pveum role
// modify ROLE --privs ... with one privilege less).
func dropPrivilege(t *testing.T, env *acctest.Env, role, priv string) {
	t.Helper()
	p := filepath.Join(env.DataDir, "etc/pve/user.cfg")
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	found := false
	for i, l := range lines {
		if !strings.HasPrefix(l, "role:"+role+":") {
			continue
		}
		f := strings.Split(l, ":")
		var keep []string
		for _, x := range strings.Split(f[2], ",") {
			if x != priv {
				keep = append(keep, x)
			}
		}
		found = len(keep) < len(strings.Split(f[2], ","))
		f[2] = strings.Join(keep, ",")
		lines[i] = strings.Join(f, ":")
	}
	if !found {
		t.Fatalf("role %s has no %s in user.cfg:\n%s", role, priv, raw)
	}
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o640); err != nil { //nolint:gosec // pmxcfs shows files 0640
		t.Fatal(err)
	}
}

const leastPrivResources = `
resource "hardened_security_group" "web" {
  name  = "webservers"
  rules = [{ type = "in", action = "ACCEPT", macro = "HTTPS" }]
}

resource "hardened_container" "web" {
  node       = "pve1"
  vmid       = 150
  hostname   = "web"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  rootfs     = { storage = "local-lvm", size = %SIZE% }
  network    = [{ name = "eth0", bridge = "vmbr0", ipv4 = "10.0.20.15/24", ipv4_gateway = "10.0.20.1" }]
  started    = true
  firewall = {
    rules = [
      { type = "group", action = hardened_security_group.web.name, iface = "net0" },
      { type = "in", action = "ACCEPT", macro = "SSH", source = "10.0.10.0/24" },
    ]
  }
}

data "hardened_audit" "all" {
  depends_on = [hardened_container.web]
}
`

func leastPrivConfig(env *acctest.Env, token, size, extra string) string {
	return strings.Replace(env.ProviderConfig("local"), env.Token, token, 1) +
		strings.Replace(leastPrivResources, "%SIZE%", size, 1) + extra
}

// TestAccLeastPrivilege runs the container lifecycle (create with firewall
// and a security group, read, grow rootfs, restart-free update, import,
// destroy) and the audit with a privilege-separated API token that holds
// exactly the documented roles, then shows that the same roles with one
// privilege less fail with PVE's own 403 message.
func TestAccLeastPrivilege(t *testing.T) {
	acctest.PreCheck(t)
	env := acctest.StartSim(t)
	token := leastPrivToken(t, env)
	const ct = "hardened_container.web"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: leastPrivConfig(env, token, "8", ""),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(ct, "vmid", "150"),
					resource.TestCheckResourceAttr("data.hardened_audit.all", "containers.#", "1"),
					resource.TestCheckResourceAttr("data.hardened_audit.all", "non_compliant.#", "0"),
				),
			},
			{
				Config:           leastPrivConfig(env, token, "8", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// grow the root volume in place: PVE's resize (VM.Config.Disk, VM.Config.Options, Datastore.AllocateSpace)
				Config: leastPrivConfig(env, token, "10", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(ct, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.TestCheckResourceAttr(ct, "rootfs.size", "10"),
			},
			{ResourceName: ct, ImportState: true, ImportStateId: "pve1/150", ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"ostemplate"}},
			{
				// one privilege less: VM.Config.Disk on /vms
				PreConfig: func() { dropPrivilege(t, env, "HardenedGuests", "VM.Config.Disk") },
				Config: leastPrivConfig(env, token, "10", `
resource "hardened_container" "db" {
  node       = "pve1"
  vmid       = 100
  hostname   = "db"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  network    = [{ name = "eth0", bridge = "vmbr0", ipv4 = "10.0.20.16/24", ipv4_gateway = "10.0.20.1" }]
}
`),
				ExpectError: regexp.MustCompile(`Permission check failed \(/vms/100,\s+VM\.Config\.Disk\)`),
			},
		},
	})
}

// TestAccLeastPrivilegeSSH: with the same token over the SSH node channel,
// the node's address comes from /cluster/status (Sys.Audit on /, part of the
// roles) and its identity is checked before the container is created.
func TestAccLeastPrivilegeSSH(t *testing.T) {
	acctest.PreCheck(t)
	env := acctest.StartSim(t)
	token := leastPrivToken(t, env)
	cfg := strings.Replace(env.ProviderConfigWith(acctest.ProviderOptions{Mode: "ssh"}), env.Token, token, 1) +
		strings.Replace(leastPrivResources, "%SIZE%", "8", 1) + nodesDS
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr("hardened_container.web", "vmid", "150"),
				resource.TestCheckResourceAttr("data.hardened_nodes.all", "nodes.0.name", "pve1"),
			),
		}},
	})
	if !strings.Contains(env.SSHD().Log(), "Accepted publickey for "+env.SSHD().User) {
		t.Errorf("the provider did not log in over SSH:\n%s", env.SSHD().Log())
	}
}
