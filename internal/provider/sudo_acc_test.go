package provider_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/sudouser"
)

const (
	// sudoUser holds exactly the documented sudo rules (acctest.SimSudoers:
	// sudoers.File with the simulator's pct in place of PVE's).
	sudoUser = "hardened-test-sudo"
	// noSudoUser holds no sudo rule.
	noSudoUser = "hardened-test-nosudo"
)

// sudoEnv starts a simulator whose test sshd lets other local users in,
// with the node root traversable for them (flock(1) runs as the SSH user
// and opens the lock files below it, as it opens /run/lock/lxc on a node).
func sudoEnv(t *testing.T) *acctest.Env {
	t.Helper()
	acctest.PreCheck(t)
	sudouser.Check(t)
	env := acctest.StartSim(t, acctest.WithSSHOtherUsers())
	for _, p := range []string{filepath.Dir(env.DataDir), env.DataDir} {
		if err := os.Chmod(p, 0o755); err != nil { //nolint:gosec // G302: test directories
			t.Fatal(err)
		}
	}
	return env
}

// TestAccSSHSudo is the container lifecycle (create with a security group
// and firewall, started; empty re-plan; a hand-made weakening repaired;
// import; destroy) with the least-privilege API token and the SSH node
// channel as a non-root user whose sudo rules are exactly the documented
// ones, against this host's real sshd and sudo.
func TestAccSSHSudo(t *testing.T) {
	env := sudoEnv(t)
	sudouser.Ensure(t, sudoUser)
	sudouser.Grant(t, acctest.SimSudoers(sudoUser))
	token := leastPrivToken(t, env)
	const ct = "hardened_container.web"
	cfg := strings.Replace(env.ProviderConfigWith(acctest.ProviderOptions{Mode: "ssh", SSHUser: sudoUser, SSHExtra: "sudo = true"}), env.Token, token, 1) +
		strings.Replace(leastPrivResources, "%SIZE%", "8", 1)
	conf := filepath.Join(env.DataDir, "etc/pve/nodes/pve1/lxc/150.conf")
	fw := filepath.Join(env.DataDir, "etc/pve/firewall/150.fw")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := os.Stat(fw); !os.IsNotExist(err) {
				t.Errorf("the firewall file is still on the node after destroy: %v", err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(ct, "vmid", "150"),
					resource.TestCheckResourceAttr(ct, "compliance.fail", "0"),
					// the SSH policy went in through `sudo pct exec|push`
					resource.TestCheckResourceAttr(ct, "ssh_server.installed", "true"),
					resource.TestCheckResourceAttr(ct, "compliance.rules.HC-SSH-001", "pass"),
					resource.TestCheckResourceAttr("data.hardened_audit.all", "non_compliant.#", "0"),
					func(*terraform.State) error { ownedByRoot(t, fw); return nil },
				),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				PreConfig: func() {
					raw, err := os.ReadFile(conf)
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(conf, append(raw, "lxc.apparmor.profile: unconfined\n"...), 0o640); err != nil { //nolint:gosec // pmxcfs shows files 0640
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(ct, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if raw, _ := os.ReadFile(conf); strings.Contains(string(raw), "unconfined") {
						t.Errorf("the weakening is still in %s:\n%s", conf, raw)
					}
					return nil
				},
			},
			{ResourceName: ct, ImportState: true, ImportStateId: "pve1/150", ImportStateVerify: true, ImportStateVerifyIgnore: []string{"ostemplate"}},
		},
	})
	log := env.SSHD().Log()
	if !strings.Contains(log, "Accepted publickey for "+sudoUser) || strings.Contains(log, "Accepted publickey for root") {
		t.Errorf("the provider did not log in as %s (only):\n%s", sudoUser, log)
	}
}

// ownedByRoot fails the test unless p is root's (written through sudo).
func ownedByRoot(t *testing.T, p string) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Errorf("stat %s: %v", p, err)
		return
	}
	if uid := fi.Sys().(*syscall.Stat_t).Uid; uid != 0 {
		t.Errorf("%s belongs to uid %d, not root", p, uid)
	}
}

// TestAccSSHSudoNotAllowed: a user with ssh.sudo but no sudo rule gets the
// provider's explanation (the user, the program, sudo's reason, where the
// rules are), not a hang.
func TestAccSSHSudoNotAllowed(t *testing.T) {
	env := sudoEnv(t)
	sudouser.Ensure(t, noSudoUser)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.ProviderConfigWith(acctest.ProviderOptions{Mode: "ssh", SSHUser: noSudoUser, SSHExtra: "sudo = true"}) + nodesDS,
			ExpectError: regexp.MustCompile(`(?s)sudo on\s+127\.0\.0\.1:\d+\s+did\s+not\s+run\s+/usr/lib/openssh/sftp-server\s+as\s+root\s+for\s+SSH\s+user\s+` +
				noSudoUser + `\s+\(sudo:\s+a\s+password\s+is\s+required\).*sudoers`),
		}},
	})
}
