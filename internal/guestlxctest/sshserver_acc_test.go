package guestlxctest

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/sshdconfig"
)

const (
	res  = "hardened_container.web"
	vmid = 180
	// canary is a variable of the provider's environment that must not
	// reach the container (pct exec --keep-env 0)
	canary = "HARDENED_TEST_CANARY"
)

// policy is what the configuration asks for.
var policy = sshdconfig.Policy{PermitRootLogin: "no", Banner: "Authorised use only.", AllowUsers: []string{"deploy"}}

func config(env *acctest.Env, p sshdconfig.Policy) string {
	users := make([]string, len(p.AllowUsers))
	for i, u := range p.AllowUsers {
		users[i] = fmt.Sprintf("%q", u)
	}
	return env.ProviderConfig("local") + fmt.Sprintf(`
resource "hardened_container" "web" {
  node       = "pve1"
  vmid       = %d
  hostname   = "web"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  network    = [{ name = "eth0", bridge = "vmbr0", ipv4 = "10.0.50.5/24" }]
  ssh_server = {
    permit_root_login = %q
    banner            = %q
    allow_users       = [%s]
  }
}
`, vmid, p.PermitRootLogin, p.Banner, strings.Join(users, ", "))
}

// TestAccSSHServerRealLXC applies ssh_server to a container that runs in
// real LXC with Debian's real OpenSSH server, then checks with the real
// sshd: `sshd -T`, and `sshd -T -C` for each of the provider's probe
// connections, inside the container show the policy in effect, and their
// weakest values equal what the provider read back; a client is offered
// public keys only, the allowed user logs in with a key, another user and
// root do not. Hand edits that the drop-in's Match all block (read first)
// leaves without effect on the real sshd leave the plan empty: the
// drop-in's global PasswordAuthentication edited, a "Match User *" block
// turning passwords and root logins on at the end of the main file, an
// earlier file's PasswordAuthentication yes with the provider's Include
// removed, a global PermitRootLogin yes put first in the main file. Three that take effect each show in plan with the value the real
// sshd has in effect, and apply repairs them (the running sshd reloaded:
// the client is offered keys only again): the drop-in edited (its Match all
// block cut off, so the main file's Match User * is in effect while the
// real sshd -T without -C still prints "no"), an earlier file's Match
// User * PasswordAuthentication yes with the provider's Include removed,
// and the main file changed (a Match all block put first). At every
// weakened state the provider's model (internal/sshdconfig) and the real
// sshd -T (-C) agree on the policy's keywords. The provider's environment
// does not reach the processes it runs in the container. Last, root with a
// key only: the real sshd -T prints it "without-password" (OpenSSH 9.2),
// the plan stays empty, and root logs in with its key.
func TestAccSSHServerRealLXC(t *testing.T) {
	acctest.PreCheck(t)
	t.Setenv(canary, "s3cret") // in the provider's environment (it runs in this process)
	env := startSim(t)
	c := ct{t: t, lxcPath: env.Sim.LXC().Path(), vmid: vmid}
	key := filepath.Join(t.TempDir(), "id_ed25519")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	cfg := config(env, policy)
	rootKeys := sshdconfig.Policy{PermitRootLogin: "prohibit-password", Banner: policy.Banner, AllowUsers: []string{"deploy", "root"}}
	earlier := "/etc/ssh/sshd_config.d/00-aaa.conf"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: resource.ComposeTestCheckFunc(inEffect(c, policy), logins(c, key))},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			noEffect(c, "the drop-in's global PasswordAuthentication edited (and sshd reloaded by hand)", func() {
				c.sh(`sed -i 's/^PasswordAuthentication no$/PasswordAuthentication yes/' ` + sshdconfig.DropIn + ` && systemctl reload ssh`)
			}, cfg),
			noEffect(c, "a Match User * block at the end of the main file", func() {
				c.sh(`printf 'Match User *\n  PasswordAuthentication yes\n  PermitRootLogin yes\n' >>` + sshdconfig.MainConfig + ` && systemctl reload ssh`)
			}, cfg),
			weakened(c, "the drop-in edited: its Match all block cut off, the main file's Match User * in effect", func() {
				c.sh(`sed -i -e 's/^PasswordAuthentication yes$/PasswordAuthentication no/' -e '/^# The same in every Match context/,$d' ` +
					sshdconfig.DropIn + ` && systemctl reload ssh`)
				if _, raw, _ := c.sshdT(); !strings.Contains(raw, "passwordauthentication no\n") {
					t.Fatalf("the real sshd -T without -C: %s", policyLines(raw))
				}
				if m := methods(c); m != "publickey,password" {
					t.Fatalf("after the hand reload sshd offers %q, want publickey,password", m)
				}
			}, cfg, "key_only", false),
			{ // the provider's pct exec does not pass its environment into the container
				PreConfig: func() {
					c.sh(`mkdir -p /usr/local/sbin && printf '#!/bin/sh\nenv >/tmp/sshd-env\nexec /usr/sbin/sshd "$@"\n' >/usr/local/sbin/sshd && chmod 755 /usr/local/sbin/sshd`)
				},
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(*terraform.State) error {
					seen := c.sh(`cat /tmp/sshd-env && rm /tmp/sshd-env /usr/local/sbin/sshd`)
					var names []string // names only: the host's values may be secrets
					for _, l := range strings.Split(seen, "\n") {
						if n, _, ok := strings.Cut(l, "="); ok {
							names = append(names, n)
						}
					}
					if !strings.Contains(seen, "PATH=") || strings.Contains(seen, canary) {
						return fmt.Errorf("the provider's sshd -T ran in the container with the variables %v (its own environment leaks)", names)
					}
					return nil
				},
			},
			noEffect(c, "an earlier file's PasswordAuthentication yes, the provider's Include removed", func() {
				c.sh(`echo 'PasswordAuthentication yes' >` + earlier + ` && sed -i '\|^Include ` + sshdconfig.DropIn + `$|d' ` + sshdconfig.MainConfig +
					` && systemctl reload ssh`)
			}, cfg),
			weakened(c, "an earlier file's Match User * PasswordAuthentication yes, the provider's Include removed", func() {
				c.sh(`printf 'Match User *\n  PasswordAuthentication yes\n' >` + earlier + ` && sed -i '\|^Include ` + sshdconfig.DropIn + `$|d' ` +
					sshdconfig.MainConfig + ` && systemctl reload ssh`)
			}, cfg, "key_only", false),
			noEffect(c, "a global PermitRootLogin yes put first in the main file", func() {
				c.sh(`rm ` + earlier + ` && sed -i '1i PermitRootLogin yes' ` + sshdconfig.MainConfig + ` && systemctl reload ssh`)
			}, cfg),
			weakened(c, "the main file changed: a Match all block put first", func() {
				c.sh(`{ printf 'Match all\n  PasswordAuthentication yes\n  PermitRootLogin yes\n'; cat ` + sshdconfig.MainConfig +
					`; } >/tmp/main && cat /tmp/main >` + sshdconfig.MainConfig + ` && systemctl reload ssh`)
			}, cfg, "permit_root_login", "yes"),
			{ // root with a key: OpenSSH 9.2's sshd -T says "without-password", read back as configured
				Config: config(env, rootKeys),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(inEffect(c, rootKeys), func(*terraform.State) error {
					if out, err := c.ssh(key, "root", "id", "-un"); err != nil || out != "root" {
						return fmt.Errorf("root's key login with prohibit-password: %w %q", err, out)
					}
					if m := methods(c); m != "publickey" {
						return fmt.Errorf("sshd offers %q, want publickey only", m)
					}
					return nil
				}),
			},
		},
	})
}

// weakened is one hand weakening inside the container: the plan shows it
// with the value the real sshd has in effect, apply repairs it, and the
// plan is empty after.
func weakened(c ct, what string, change func(), cfg, attr string, before any) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() {
			change()
			onSSHD := logReal(c, "weakened ("+what+")")
			if w := sshdconfig.Compare(policy, onSSHD.Weakest()); len(w) == 0 {
				c.t.Fatalf("%s: no effect on the real sshd", what)
			}
		},
		Config: cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				readBack{c: c, what: what, attr: attr, before: before},
			},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		Check: resource.ComposeTestCheckFunc(inEffect(c, policy), func(*terraform.State) error {
			if m := methods(c); m != "publickey" {
				return fmt.Errorf("after apply the running sshd offers %q, want publickey (not reloaded?)", m)
			}
			return nil
		}),
	}
}

// inEffect: the real sshd -T, and sshd -T -C for every probe connection,
// show the policy p, and their weakest values equal the provider's
// read-back in state.
func inEffect(c ct, p sshdconfig.Policy) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		onSSHD, err := c.realProbe()
		if err != nil {
			return err
		}
		c.t.Logf("real sshd -T in the container:\n%s", policyLines(string(sshdconfig.RenderT(onSSHD.Global))))
		for _, conn := range append([]sshdconfig.ConnEff{{Spec: "(none)", Eff: onSSHD.Global}}, onSSHD.Conns...) {
			if d := sshdconfig.Compare(p, conn.Eff); len(d) > 0 {
				return fmt.Errorf("the real sshd has not the policy in effect for the connection %s: %v", conn.Spec, d)
			}
		}
		eff := onSSHD.Weakest()
		if err := c.scriptAgrees(p, onSSHD); err != nil {
			return err
		}
		a := s.RootModule().Resources[res].Primary.Attributes
		got := map[string]any{"permit_root_login": a["ssh_server.permit_root_login"], "key_only": a["ssh_server.key_only"] == "true",
			"banner": a["ssh_server.banner"], "allow_users": stateList(a, "ssh_server.allow_users")}
		return c.compare("state", got, eff)
	}
}

// compare checks the provider's read-back against the real sshd's weakest
// values (sshd -T and sshd -T -C per probe connection): the keywords, and
// the banner file's content where sshd points.
func (c ct) compare(where string, got map[string]any, eff map[string][]string) error {
	want := map[string]any{"permit_root_login": first(eff["permitrootlogin"]), "key_only": keyOnly(eff),
		"allow_users": strings.Join(sshdconfig.Users(eff), ",")}
	if b := first(eff["banner"]); b == sshdconfig.BannerFile {
		out, err := c.attach("/bin/cat", b)
		if err != nil {
			return fmt.Errorf("cat %s: %w %s", b, err, out)
		}
		want["banner"] = strings.TrimSuffix(out, "\n")
	}
	for k, w := range want {
		if fmt.Sprint(got[k]) != fmt.Sprint(w) {
			return fmt.Errorf("%s: ssh_server.%s read back as %v, the real sshd has %v in effect", where, k, got[k], w)
		}
	}
	return nil
}

// readBack checks the plan's prior state (the provider's read-back at
// refresh) against the real sshd -T, and that it shows the weakening.
type readBack struct {
	c      ct
	what   string
	attr   string
	before any
}

func (r readBack) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != res {
			continue
		}
		b, _ := rc.Change.Before.(map[string]any)
		ssh, _ := b["ssh_server"].(map[string]any)
		if ssh == nil {
			resp.Error = fmt.Errorf("%s: no ssh_server in the plan's prior state", r.what)
			return
		}
		if fmt.Sprint(ssh[r.attr]) != fmt.Sprint(r.before) {
			resp.Error = fmt.Errorf("%s: plan shows ssh_server.%s = %v before, want %v", r.what, r.attr, ssh[r.attr], r.before)
			return
		}
		onSSHD, err := r.c.realProbe()
		if err != nil {
			resp.Error = err
			return
		}
		eff := onSSHD.Weakest()
		got := map[string]any{"permit_root_login": ssh["permit_root_login"], "key_only": ssh["key_only"], "banner": ssh["banner"]}
		var users []string
		if l, ok := ssh["allow_users"].([]any); ok {
			for _, u := range l {
				users = append(users, fmt.Sprint(u))
			}
		}
		got["allow_users"] = strings.Join(users, ",")
		resp.Error = r.c.compare("plan ("+r.what+")", got, eff)
		after, _ := rc.Change.After.(map[string]any)["ssh_server"].(map[string]any)
		r.c.t.Logf("plan (%s): ssh_server: permit_root_login %v -> %v, key_only %v -> %v, allow_users %v -> %v", r.what,
			ssh["permit_root_login"], after["permit_root_login"], ssh["key_only"], after["key_only"], ssh["allow_users"], after["allow_users"])
		return
	}
	resp.Error = fmt.Errorf("%s: %s not in the plan", r.what, res)
}

// logins: a client is offered public keys only; deploy (allowed) logs in
// with its key, intruder (same key, not allowed) and root (same key,
// PermitRootLogin no) are refused.
func logins(c ct, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		pub, err := readFile(key + ".pub")
		if err != nil {
			return err
		}
		c.sh(`set -e
for u in deploy:1000 intruder:1001; do n=${u%:*} id=${u#*:}
  echo "$n:x:$id:$id::/home/$n:/bin/sh" >>/etc/passwd; echo "$n:x:$id:" >>/etc/group
  mkdir -p /home/$n/.ssh; echo '` + pub + `' >/home/$n/.ssh/authorized_keys
  chmod 700 /home/$n/.ssh; chmod 600 /home/$n/.ssh/authorized_keys; chown -R $id:$id /home/$n
done
mkdir -p /root/.ssh; echo '` + pub + `' >/root/.ssh/authorized_keys; chmod 700 /root/.ssh`)
		if m := methods(c); m != "publickey" {
			return fmt.Errorf("sshd offers %q, want publickey only", m)
		}
		if out, err := c.ssh(key, "deploy", "id", "-un"); err != nil || out != "deploy" {
			return fmt.Errorf("deploy's key login: %w %q", err, out)
		}
		for _, u := range []string{"intruder", "root"} {
			if out, err := c.ssh(key, u, "id", "-un"); err == nil || !strings.Contains(out, "Permission denied") {
				return fmt.Errorf("%s logged in with a key: %w %q", u, err, out)
			}
		}
		c.t.Logf("logins: publickey only offered; deploy in with its key; intruder and root refused")
		return nil
	}
}

// methods are the authentication methods sshd offers a client without a
// key ("Permission denied (publickey,password).").
func methods(c ct) string {
	c.t.Helper()
	out, err := c.ssh("", "deploy", "true")
	i, j := strings.LastIndex(out, "Permission denied ("), strings.LastIndex(out, ").")
	if err == nil || i < 0 || j < i {
		c.t.Fatalf("ssh without a key: %v %q", err, out)
	}
	return out[i+len("Permission denied (") : j]
}

func policyLines(raw string) string {
	var out []string
	for _, l := range strings.Split(raw, "\n") {
		k, _, _ := strings.Cut(l, " ")
		if _, ok := policy.Want()[k]; ok {
			out = append(out, "  "+l)
		}
	}
	return strings.Join(out, "\n")
}

func keyOnly(eff map[string][]string) bool {
	return first(eff["passwordauthentication"]) == "no" && first(eff["kbdinteractiveauthentication"]) == "no" &&
		first(eff["permitemptypasswords"]) == "no" && first(eff["pubkeyauthentication"]) == "yes"
}

func stateList(a map[string]string, prefix string) string {
	var out []string
	for i := 0; ; i++ {
		v, ok := a[fmt.Sprintf("%s.%d", prefix, i)]
		if !ok {
			return strings.Join(out, ",")
		}
		out = append(out, v)
	}
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func sorted(v []string) []string {
	out := append([]string(nil), v...)
	sort.Strings(out)
	return out
}
