package provider_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/provider"
)

const nodesDS = `
data "hardened_nodes" "all" {
  verify_node_access = true
}
`

func nodesChecks(mode string, nodes ...string) []statecheck.StateCheck {
	var list []knownvalue.Check
	for _, n := range nodes {
		list = append(list, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"name": knownvalue.StringExact(n), "status": knownvalue.StringExact("online"),
		}))
	}
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.hardened_nodes.all", tfjsonpath.New("nodes"), knownvalue.ListExact(list)),
		statecheck.ExpectKnownValue("data.hardened_nodes.all", tfjsonpath.New("node_access"), knownvalue.StringExact(mode)),
	}
}

// TestAccProviderNodeAccess configures the provider against the simulator
// in both node access modes and has hardened_nodes open the node channel to
// every node: Configure ran, the API answered, the channel dialled (in ssh
// mode through a real sshd, host key verified) and found /etc/pve under
// node_root.
func TestAccProviderNodeAccess(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"local", "ssh"} {
		t.Run(mode, func(t *testing.T) {
			acctest.PreCheck(t)
			env := acctest.StartSim(t, acctest.WithNodes("pve1", "pve2"))
			o := acctest.ProviderOptions{Mode: mode}
			if mode == "ssh" {
				// both node names are this one machine: the identity check
				// (see TestAccProviderSSHWrongNode) is off for this setup only
				o.SSHExtra = "nodes = { pve2 = { address = \"127.0.0.1\" } }\nverify_node_identity = false"
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:            env.ProviderConfigWith(o) + nodesDS,
					ConfigStateChecks: nodesChecks(mode, "pve1", "pve2"),
				}},
			})
			if mode == "ssh" && !strings.Contains(env.SSHD().Log(), "Accepted publickey for "+env.SSHD().User) {
				t.Errorf("sshd did not log the provider's login:\n%s", env.SSHD().Log())
			}
		})
	}
}

// TestAccProviderSSHHostKeyMismatch: a node whose host key differs from
// known_hosts is refused, with an error that says so.
func TestAccProviderSSHHostKeyMismatch(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	d := env.SSHD()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      env.ProviderConfigWith(acctest.ProviderOptions{Mode: "ssh", KnownHostsFile: d.WrongKnownHostsFile}) + nodesDS,
			ExpectError: regexp.MustCompile(`(?s)SSH host key verification failed for node pve1.*does not\s+match\s+known_hosts.*possible\s+man-in-the-middle`),
		}},
	})
	if strings.Contains(d.Log(), "Accepted publickey") {
		t.Errorf("the client authenticated to a server whose host key it should have refused:\n%s", d.Log())
	}
}

// TestAccProviderSSHUnknownHost: a node missing from known_hosts is refused.
func TestAccProviderSSHUnknownHost(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	env.SSHD()
	empty := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "id")
	if err := os.WriteFile(keyFile, env.SSHD().ClientKeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      env.ProviderConfigWith(acctest.ProviderOptions{Mode: "ssh", KnownHostsFile: empty, PrivateKeyFile: keyFile}) + nodesDS,
			ExpectError: regexp.MustCompile(`(?s)SSH host key of node pve1 is not in known_hosts.*ssh-keyscan`),
		}},
	})
}

// TestAccProviderTicketAuth: username + password (ticket) authentication.
func TestAccProviderTicketAuth(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            env.ProviderConfigWith(acctest.ProviderOptions{Mode: "local", Auth: "ticket"}) + nodesDS,
			ConfigStateChecks: nodesChecks("local", "pve1"),
		}},
	})
}

// TestAccProviderEnvironment: an empty provider block configured entirely
// from environment variables.
func TestAccProviderEnvironment(t *testing.T) {
	acctest.PreCheck(t)
	env := acctest.StartSim(t)
	t.Setenv(provider.EnvEndpoint, env.Endpoint)
	t.Setenv(provider.EnvAPIToken, env.Token)
	t.Setenv(provider.EnvCAFile, env.CAFile)
	t.Setenv(provider.EnvNodeAccess, "local")
	t.Setenv(provider.EnvNodeRoot, env.DataDir)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            `provider "hardened" {}` + nodesDS,
			ConfigStateChecks: nodesChecks("local", "pve1"),
		}},
	})
}

// TestAccProviderErrors: configuration errors surface through Terraform
// with their explanations.
func TestAccProviderErrors(t *testing.T) {
	acctest.PreCheck(t)
	env := acctest.StartSim(t)
	for _, e := range []string{provider.EnvEndpoint, provider.EnvAPIToken, provider.EnvUsername, provider.EnvPassword} {
		t.Setenv(e, "")
	}
	emptyRoot := t.TempDir()
	cases := []struct {
		name, config, want string
	}{
		{"plan-time conflict", env.ProviderConfigWith(acctest.ProviderOptions{Mode: "local", Extra: `  username = "root@pam"`}),
			`(?s)Invalid Attribute Combination.*cannot be configured together`},
		{"missing endpoint", `provider "hardened" {
  api_token   = "root@pam!x=y"
  node_access = "local"
}`, "endpoint is not set: set `endpoint` or PROXMOX_VE_ENDPOINT"},
		{"wrong token", strings.Replace(env.ProviderConfig("local"), env.Token, "root@pam!sim=00000000-0000-0000-0000-000000000000", 1),
			`(?s)Cannot list the PVE nodes.*GET /nodes as root@pam!sim`},
		{"untrusted certificate", strings.Replace(env.ProviderConfig("local"), "  ca_file", "  # ca_file", 1),
			`(?s)Cannot list the PVE nodes.*certificate`},
		{"wrong node root", strings.Replace(env.ProviderConfig("local"), acctest.HCLString(env.DataDir), acctest.HCLString(emptyRoot), 1),
			`(?s)Node pve1 has no /etc/pve.*node_root`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tc.config + nodesDS,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
