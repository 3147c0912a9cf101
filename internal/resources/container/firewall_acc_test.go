package container_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
)

// fwConfig is a container with the complete firewall: ipsets (one entry
// nomatch), aliases, macros, an ipset and an alias reference, a group
// reference, a disabled rule, ICMP and logging. rules is the rule list.
func fwConfig(env *acctest.Env, rules string) string {
	return env.ProviderConfig("local") + `
resource "hardened_security_group" "web" {
  name    = "webservers"
  comment = "platform baseline for web servers"
  rules = [
    { type = "in", action = "ACCEPT", macro = "HTTPS" },
    { type = "in", action = "ACCEPT", proto = "tcp", dport = "80", comment = "redirect to https" },
  ]
}

resource "hardened_container" "web" {
  node       = "pve1"
  vmid       = 150
  hostname   = "web"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  network = [{ name = "eth0", bridge = "vmbr0", ipv4 = "10.0.20.15/24", ipv4_gateway = "10.0.20.1" }]
  firewall = {
    log_level_in = "info"
    aliases = {
      dns1 = { cidr = "10.0.0.53", comment = "resolver" }
    }
    ipsets = {
      mgmt = {
        comment = "management hosts"
        entries = [
          { cidr = "10.0.10.0/24" },
          { cidr = "10.0.10.66", nomatch = true, comment = "the kiosk" },
        ]
      }
    }
    rules = ` + rules + `
  }
}
`
}

const fwRules = `[
      { type = "group", action = hardened_security_group.web.name, iface = "net0" },
      { type = "in", action = "ACCEPT", macro = "SSH", source = "+mgmt", comment = "SSH from management only" },
      { type = "out", action = "ACCEPT", proto = "udp", dport = "53", dest = "dns1" },
      { type = "in", action = "ACCEPT", proto = "icmp", icmp_type = "echo-request", log = "debug" },
      { type = "in", action = "DROP", proto = "tcp", dport = "3306", enabled = false },
    ]`

// fwReordered swaps rules 1 and 2.
const fwReordered = `[
      { type = "group", action = hardened_security_group.web.name, iface = "net0" },
      { type = "out", action = "ACCEPT", proto = "udp", dport = "53", dest = "dns1" },
      { type = "in", action = "ACCEPT", macro = "SSH", source = "+mgmt", comment = "SSH from management only" },
      { type = "in", action = "ACCEPT", proto = "icmp", icmp_type = "echo-request", log = "debug" },
      { type = "in", action = "DROP", proto = "tcp", dport = "3306", enabled = false },
    ]`

const wantFW = "[OPTIONS]\n\ndhcp: 0\nenable: 1\nipfilter: 1\nlog_level_in: info\nlog_level_out: nolog\nmacfilter: 1\nndp: 1\npolicy_in: DROP\npolicy_out: DROP\nradv: 0\n\n" +
	"[ALIASES]\n\ndns1 10.0.0.53 # resolver\n\n" +
	"[IPSET ipfilter-net0] # addresses of net0 (derived by terraform-provider-hardened)\n\n10.0.20.15\n\n" +
	"[IPSET mgmt] # management hosts\n\n10.0.10.0/24\n!10.0.10.66 # the kiosk\n\n" +
	"[RULES]\n\n" +
	"GROUP webservers -i net0\n" +
	"IN SSH(ACCEPT) -source +mgmt # SSH from management only\n" +
	"OUT ACCEPT -dest dns1 -p udp -dport 53\n" +
	"IN ACCEPT -p icmp -log debug -icmp-type echo-request\n" +
	"|IN DROP -p tcp -dport 3306\n\n"

// apiView is what the simulator's firewall API reports for CT 150.
type apiView struct {
	Options map[string]any
	Rules   []map[string]any
	IPSets  map[string][]map[string]any
	Aliases []map[string]any
}

func readAPIView(t *testing.T, env *acctest.Env) (apiView, error) {
	v := apiView{IPSets: map[string][]map[string]any{}}
	base := "/nodes/pve1/lxc/150/firewall"
	if err := env.CallJSON(t, "GET", base+"/options", &v.Options); err != nil {
		return v, err
	}
	if err := env.CallJSON(t, "GET", base+"/rules", &v.Rules); err != nil {
		return v, err
	}
	var sets []map[string]any
	if err := env.CallJSON(t, "GET", base+"/ipset", &sets); err != nil {
		return v, err
	}
	for _, s := range sets {
		var entries []map[string]any
		name := s["name"].(string)
		if err := env.CallJSON(t, "GET", base+"/ipset/"+name, &entries); err != nil {
			return v, err
		}
		v.IPSets[name] = entries
	}
	err := env.CallJSON(t, "GET", base+"/aliases", &v.Aliases)
	return v, err
}

// strip drops the digests (they change with every content change) for a
// content comparison.
func strip(ms []map[string]any) []map[string]any {
	out := make([]map[string]any, len(ms))
	for i, m := range ms {
		c := map[string]any{}
		for k, v := range m {
			if k != "digest" {
				c[k] = v
			}
		}
		out[i] = c
	}
	return out
}

// checkAPIView proves that PVE's view of the file the provider wrote is
// exactly the intended model: options, every rule at its position (no
// verify errors), ipsets with nomatch, aliases.
func checkAPIView(t *testing.T, env *acctest.Env) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := read(t, fwFile(env)); got != wantFW {
			return fmt.Errorf(".fw:\n%s\nwant:\n%s", got, wantFW)
		}
		v, err := readAPIView(t, env)
		if err != nil {
			return err
		}
		wantOpts := map[string]any{"enable": 1.0, "dhcp": 0.0, "ipfilter": 1.0, "log_level_in": "info", "log_level_out": "nolog",
			"macfilter": 1.0, "ndp": 1.0, "policy_in": "DROP", "policy_out": "DROP", "radv": 0.0}
		delete(v.Options, "digest")
		if !reflect.DeepEqual(v.Options, wantOpts) {
			return fmt.Errorf("options: %v\nwant %v", v.Options, wantOpts)
		}
		wantRules := []map[string]any{
			{"pos": 0.0, "type": "group", "action": "webservers", "iface": "net0", "enable": 1.0},
			{"pos": 1.0, "type": "in", "action": "ACCEPT", "macro": "SSH", "source": "+mgmt", "comment": "SSH from management only", "enable": 1.0},
			{"pos": 2.0, "type": "out", "action": "ACCEPT", "dest": "dns1", "proto": "udp", "dport": "53", "enable": 1.0, "ipversion": 4.0},
			{"pos": 3.0, "type": "in", "action": "ACCEPT", "proto": "icmp", "icmp-type": "echo-request", "log": "debug", "enable": 1.0, "ipversion": 4.0},
			{"pos": 4.0, "type": "in", "action": "DROP", "proto": "tcp", "dport": "3306", "enable": 0.0},
		}
		if got := strip(v.Rules); !reflect.DeepEqual(got, wantRules) {
			return fmt.Errorf("rules:\n%v\nwant\n%v", got, wantRules)
		}
		wantSets := map[string][]map[string]any{
			"ipfilter-net0": {{"cidr": "10.0.20.15"}},
			"mgmt":          {{"cidr": "10.0.10.0/24"}, {"cidr": "10.0.10.66", "nomatch": 1.0, "comment": "the kiosk"}},
		}
		for name, want := range wantSets {
			if got := strip(v.IPSets[name]); !reflect.DeepEqual(got, want) {
				return fmt.Errorf("ipset %s: %v\nwant %v", name, got, want)
			}
		}
		if len(v.IPSets) != len(wantSets) {
			return fmt.Errorf("ipsets: %v", v.IPSets)
		}
		wantAliases := []map[string]any{{"name": "dns1", "cidr": "10.0.0.53", "comment": "resolver", "ipversion": 4.0}}
		if got := strip(v.Aliases); !reflect.DeepEqual(got, wantAliases) {
			return fmt.Errorf("aliases: %v\nwant %v", got, wantAliases)
		}
		return nil
	}
}

// TestAccContainerFirewallComplete: create with ipsets, aliases and a group
// reference; PVE's API view is exactly the model; re-plan is empty; a
// reorder by config is applied in order; hand tampering with rule order,
// an option, a rule and an ipset entry is detected and repaired.
func TestAccContainerFirewallComplete(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	cfg := fwConfig(env, fwRules)
	repaired := func(do func()) resource.TestStep {
		return resource.TestStep{
			PreConfig: do,
			Config:    cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: checkAPIView(t, env),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(env),
		Steps: []resource.TestStep{
			{Config: cfg, Check: checkAPIView(t, env)},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				Config: fwConfig(env, fwReordered),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					fw := read(t, fwFile(env))
					if !strings.Contains(fw, "GROUP webservers -i net0\nOUT ACCEPT -dest dns1 -p udp -dport 53\nIN SSH(ACCEPT)") {
						return fmt.Errorf("rules not in the configured order:\n%s", fw)
					}
					return nil
				},
			},
			{Config: cfg, Check: checkAPIView(t, env)},
			repaired(func() { // the group reference moved to the end
				edit(t, fwFile(env), replaceLine(`^GROUP webservers -i net0\n((?:.*\n)*?)(\|IN DROP .*\n)`, "$1$2GROUP webservers -i net0\n"))
			}),
			repaired(func() { edit(t, fwFile(env), replaceLine(`^macfilter: 1$`, "macfilter: 0")) }),
			repaired(func() { edit(t, fwFile(env), replaceLine(`-source \+mgmt`, "-source 0.0.0.0/0")) }),
			repaired(func() { edit(t, fwFile(env), replaceLine(`^!10\.0\.10\.66 # the kiosk$`, "10.0.10.66 # the kiosk")) }),
			repaired(func() { edit(t, fwFile(env), replaceLine(`^10\.0\.20\.15$`, "10.0.20.0/24")) }), // spoofing room in the ipfilter set
			repaired(func() { // the rule through the API, as an admin in the GUI would
				if err := env.Call(t, "POST", "/nodes/pve1/lxc/150/firewall/rules", "type", "in", "action", "ACCEPT", "proto", "tcp", "dport", "22", "enable", "1"); err != nil {
					t.Fatal(err)
				}
			}),
		},
	})
}
