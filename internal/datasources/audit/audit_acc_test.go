package audit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/datasources/audit"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
)

func containers(env *acctest.Env) string {
	var b strings.Builder
	b.WriteString(env.ProviderConfig("local"))
	for _, id := range []int{201, 202, 203} {
		fmt.Fprintf(&b, `
resource "hardened_container" "ct%d" {
  node       = "pve1"
  vmid       = %d
  hostname   = "app%d"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  tags       = ["owner-team-a"]
  network    = [{ name = "eth0", bridge = "vmbr0", ipv4 = "10.0.0.%d/24" }]
}
`, id, id, id, id-200)
	}
	return b.String()
}

const audits = `
data "hardened_audit" "all" {
  depends_on = [hardened_container.ct201, hardened_container.ct202, hardened_container.ct203]
}

data "hardened_audit" "strict" {
  vmids      = [201, 303]
  baseline   = { required_tags = ["owner-*"], max_pids = 512 }
  depends_on = [hardened_container.ct201, hardened_container.ct202, hardened_container.ct203]
}
`

// handMade copies CT 201's files to three containers nobody manages with
// Terraform, each weakened by hand in one way.
func handMade(t *testing.T, env *acctest.Env) {
	lxc := filepath.Join(env.DataDir, "etc/pve/nodes/pve1/lxc")
	fw := filepath.Join(env.DataDir, "etc/pve/firewall")
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	conf, fwText := read(filepath.Join(lxc, "201.conf")), read(filepath.Join(fw, "201.fw"))
	rename := func(s string, id int) string {
		return strings.NewReplacer("hostname: app201", fmt.Sprintf("hostname: legacy%d", id), "vm-201-disk", fmt.Sprintf("vm-%d-disk", id)).Replace(s)
	}
	// privileged
	write(filepath.Join(lxc, "301.conf"), strings.Replace(rename(conf, 301), "unprivileged: 1\n", "unprivileged: 0\n", 1))
	write(filepath.Join(fw, "301.fw"), fwText)
	// AppArmor off
	write(filepath.Join(lxc, "302.conf"), regexp.MustCompile(`(?m)^lxc\.apparmor\.profile: .*$`).ReplaceAllString(rename(conf, 302), "lxc.apparmor.profile: unconfined"))
	write(filepath.Join(fw, "302.fw"), fwText)
	// firewall off and outbound open
	write(filepath.Join(lxc, "303.conf"), rename(conf, 303))
	write(filepath.Join(fw, "303.fw"), strings.NewReplacer("enable: 1\n", "enable: 0\n", "policy_out: DROP\n", "policy_out: ACCEPT\n").Replace(fwText))
	// keys outside any typed setting: the host's root bind-mounted, a host
	// disk passed through with every device allowed, root mapped to host
	// root with another init
	write(filepath.Join(lxc, "304.conf"), "mp0: /,mp=/mnt/host\n"+rename(conf, 304))
	write(filepath.Join(fw, "304.fw"), fwText)
	write(filepath.Join(lxc, "305.conf"), "dev0: /dev/sda\n"+rename(conf, 305)+"lxc.cgroup2.devices.allow: a\n")
	write(filepath.Join(fw, "305.fw"), fwText)
	write(filepath.Join(lxc, "306.conf"), "entrypoint: /bin/sh\n"+rename(conf, 306)+"lxc.idmap: u 0 0 65536\n")
	write(filepath.Join(fw, "306.fw"), fwText)
}

// TestAccAudit: three compliant containers managed by Terraform and six
// hand-made non-compliant ones; the audit reports exactly the failing rules.
func TestAccAudit(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	const all = "data.hardened_audit.all"
	const strict = "data.hardened_audit.strict"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: containers(env)},
			{
				PreConfig: func() { handMade(t, env) },
				Config:    containers(env) + audits,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(all, "containers.#", "9"),
					checkList(all, "compliant", "pve1/201", "pve1/202", "pve1/203"),
					checkList(all, "non_compliant", "pve1/301", "pve1/302", "pve1/303", "pve1/304", "pve1/305", "pve1/306"),
					checkList(all, "containers.3.failing", "HC-PRIV-001"),
					checkList(all, "containers.4.failing", "HC-AA-001", "HC-AA-002"),
					checkList(all, "containers.5.failing", "HC-FW-001", "HC-FW-003"),
					checkList(all, "containers.6.failing", "HC-MNT-001", "HC-MNT-002"),
					checkList(all, "containers.7.failing", "HC-DEV-001", "HC-RAW-001"),
					checkList(all, "containers.8.failing", "HC-CFG-001", "HC-RAW-001"),
					resource.TestMatchResourceAttr(all, "containers.8.failures.1.detail", regexp.MustCompile(`lxc\.idmap`)),
					resource.TestCheckResourceAttr(all, "containers.3.hostname", "legacy301"),
					resource.TestCheckResourceAttr(all, "containers.3.failures.0.severity", "critical"),
					resource.TestMatchResourceAttr(all, "containers.5.failures.0.detail", regexp.MustCompile(`firewall`)),
					checkList(all, "failing_by_rule.HC-FW-003", "pve1/303"),
					checkList(all, "failing_by_rule.HC-RAW-001", "pve1/305", "pve1/306"),
					resource.TestCheckResourceAttr(all, "failing_by_rule.%", "10"),
					// the data source's own baseline on top of the provider's
					resource.TestCheckResourceAttr(strict, "containers.#", "2"),
					checkList(strict, "containers.0.failing", "HC-CG-004"),
					checkList(strict, "containers.1.failing", "HC-CG-004", "HC-FW-001", "HC-FW-003"),
					auditCost(env),
				),
			},
		},
	})
}

// checkList checks a list attribute's exact elements in order.
func checkList(name, attr string, want ...string) resource.TestCheckFunc {
	checks := []resource.TestCheckFunc{resource.TestCheckResourceAttr(name, attr+".#", fmt.Sprint(len(want)))}
	for i, w := range want {
		checks = append(checks, resource.TestCheckResourceAttr(name, fmt.Sprintf("%s.%d", attr, i), w))
	}
	return resource.ComposeTestCheckFunc(checks...)
}

// auditCost runs the audit directly and counts its API calls: one list
// call, one of the datacenter firewall's options (for every container's
// HC-FW-004), one of the backup jobs (HC-BAK-001), plus two per container
// and one more per running container (its init's pid, for HC-RUN-001).
func auditCost(env *acctest.Env) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ca, err := os.ReadFile(env.CAFile)
		if err != nil {
			return err
		}
		api, err := pve.New(pve.Config{Endpoint: env.Endpoint, APIToken: env.Token, CACertPEM: ca})
		if err != nil {
			return err
		}
		c := &providerdata.Clients{API: api, Nodes: providerdata.NewNodeChannels("local", func(context.Context, string) (nodefs.FS, error) {
			return nodefs.NewLocal(env.DataDir)
		})}
		defer c.Nodes.Close()
		defer api.CloseIdleConnections()
		env.Sim.Stats().Reset()
		res, err := audit.Run(context.Background(), c, audit.Filter{}, policy.Default())
		if err != nil {
			return err
		}
		calls := 0
		for k, n := range env.Sim.Stats().Snapshot() {
			if strings.HasPrefix(k, "GET ") || strings.HasPrefix(k, "POST ") || strings.HasPrefix(k, "PUT ") || strings.HasPrefix(k, "DELETE ") {
				calls += n
			}
		}
		running := 0
		for _, r := range res {
			if r.CT.Status == "running" {
				running++
			}
		}
		st := env.Sim.Stats().Snapshot()
		if want := 3 + 2*len(res) + running; len(res) != 9 || running == 0 || calls != want || st["GET /cluster/firewall/options"] != 1 || st["GET /cluster/backup"] != 1 {
			return fmt.Errorf("audit of %d containers (%d running) made %d API calls, want %d: %v", len(res), running, calls, want, st)
		}
		for _, r := range res {
			for _, f := range r.Findings {
				if f.Rule == "HC-FW-004" && f.Status != policy.StatusPass {
					return fmt.Errorf("%d: HC-FW-004 %s: %s", r.CT.VMID, f.Status, f.Detail)
				}
			}
		}
		return nil
	}
}
