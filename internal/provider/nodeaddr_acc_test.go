package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
)

// TestAccProviderSSHNodeDiscovery: without ssh.nodes, a node is reached at
// the address the cluster reports for it (/cluster/status), not at the
// endpoint's host; an explicit ssh.nodes address overrides it.
func TestAccProviderSSHNodeDiscovery(t *testing.T) {
	acctest.PreCheck(t)
	// the cluster says pve1 is 127.0.0.2, where no sshd listens
	env := acctest.StartSim(t, acctest.WithSimOptions(func(o *pvesim.Options) { o.NodeIPs = map[string]string{"pve1": "127.0.0.2"} }))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      env.ProviderConfigWith(acctest.ProviderOptions{Mode: "ssh"}) + nodesDS,
				ExpectError: regexp.MustCompile(`(?s)127\.0\.0\.2:\d+.*address of node pve1 from\s+/cluster/status`),
			},
			{
				Config:            env.ProviderConfigWith(acctest.ProviderOptions{Mode: "ssh", SSHExtra: `nodes = { pve1 = { address = "127.0.0.1" } }`}) + nodesDS,
				ConfigStateChecks: nodesChecks("ssh", "pve1"),
			},
		},
	})
}

// TestAccProviderSSHWrongNode: the machine reached for pve2 is pve1
// (/etc/pve/local links to nodes/pve1): the provider refuses it before
// writing anything.
func TestAccProviderSSHWrongNode(t *testing.T) {
	acctest.PreCheck(t)
	env := acctest.StartSim(t, acctest.WithNodes("pve1", "pve2"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      env.ProviderConfigWith(acctest.ProviderOptions{Mode: "ssh", SSHExtra: `nodes = { pve2 = { address = "127.0.0.1" } }`}) + nodesDS,
			ExpectError: regexp.MustCompile(`(?s)refusing node pve2: the machine at\s+127\.0\.0\.1:\d+\s+\(address from\s+ssh\.nodes\)\s+is\s+"pve1"`),
		}},
	})
}
