package nodeaudit_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
)

const ds = "data.hardened_node_audit.all"

func write(t *testing.T, env *acctest.Env, rel, content string) {
	t.Helper()
	p := filepath.Join(env.DataDir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil { //nolint:gosec // a simulated node file
		t.Fatal(err)
	}
}

// TestAccNodeAudit: a fresh simulated PVE node fails only HC-NODE-003 (the
// kernel's accept_ra = 1); fixed, every rule passes; then a weakened node
// (AppArmor off, a hybrid cgroup host, host.fw disabled on one node, root's
// subuid range shrunk under a container's idmap, the datacenter firewall
// off) fails each rule with what was observed.
func TestAccNodeAudit(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t, acctest.WithNodes("pve1", "pve2"))
	cfg := env.ProviderConfig("local") + "\ndata \"hardened_node_audit\" \"all\" {}\n"
	ct := env.ProviderConfig("local") + `
resource "hardened_container" "web" {
  node       = "pve2"
  vmid       = 170
  hostname   = "web"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  network    = [{ name = "eth0", bridge = "vmbr0", ipv4 = "10.0.40.5/24" }]
}

data "hardened_node_audit" "all" {
  depends_on = [hardened_container.web]
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(ds, "nodes.#", "2"),
					resource.TestCheckResourceAttr(ds, "results.0.node", "pve1"),
					resource.TestCheckResourceAttr(ds, "results.0.summary", "5 pass, 1 fail (HC-NODE-003)"),
					resource.TestCheckResourceAttr(ds, "results.1.summary", "5 pass, 1 fail (HC-NODE-003)"),
					resource.TestCheckResourceAttr(ds, "results.0.findings.2.detail",
						"net.ipv6.conf.all.accept_ra = 1, net.ipv6.conf.default.accept_ra = 1: the node accepts router advertisements"),
					resource.TestCheckResourceAttr(ds, "failing_by_rule.HC-NODE-003.#", "2"),
				),
			},
			{
				PreConfig: func() {
					write(t, env, "proc/sys/net/ipv6/conf/all/accept_ra", "0\n")
					write(t, env, "proc/sys/net/ipv6/conf/default/accept_ra", "0\n")
				},
				Config: ct,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(ds, "results.0.summary", "6 pass, 0 fail"),
					resource.TestCheckResourceAttr(ds, "results.1.compliant", "true"),
					resource.TestCheckResourceAttr(ds, "results.1.findings.3.detail", "root's subordinate ID ranges cover the idmaps of 1 unprivileged container(s)"),
					resource.TestCheckResourceAttr(ds, "non_compliant.#", "0"),
				),
			},
			{
				PreConfig: func() {
					write(t, env, "sys/module/apparmor/parameters/enabled", "N\n")
					write(t, env, "proc/mounts", "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n")
					write(t, env, "etc/pve/nodes/pve2/host.fw", "[OPTIONS]\n\nenable: 0\n\n")
					write(t, env, "etc/subuid", "root:100000:1000\n")
					write(t, env, "etc/pve/firewall/cluster.fw", "[OPTIONS]\n\nenable: 0\n\n")
				},
				Config: ct,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(ds, "results.0.summary", "3 pass, 3 fail (HC-NODE-001, HC-NODE-002, HC-NODE-006)"),
					resource.TestCheckResourceAttr(ds, "results.1.summary", "1 pass, 5 fail (HC-NODE-001, HC-NODE-002, HC-NODE-004, HC-NODE-005, HC-NODE-006)"),
					resource.TestCheckResourceAttr(ds, "results.1.findings.1.detail",
						"cgroup v1 hierarchies are mounted (/sys/fs/cgroup/memory): a legacy or hybrid host, where LXC ignores lxc.cgroup2.* limits"),
					resource.TestCheckResourceAttr(ds, "results.1.findings.3.detail",
						"CT 170 maps host uids 100000-165535: outside root's ranges in /etc/subuid, /etc/subgid"),
					resource.TestCheckResourceAttr(ds, "failing_by_rule.HC-NODE-005.#", "1"),
					resource.TestCheckResourceAttr(ds, "failing_by_rule.HC-NODE-005.0", "pve2"),
				),
			},
		},
	})
}
