package container_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/apparmor"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
)

const res = "hardened_container.web"

// webConfig is a complete hardened container; extra is spliced into the
// resource block.
func webConfig(env *acctest.Env, mode, extra string) string {
	return env.ProviderConfig(mode) + `
resource "hardened_container" "web" {
  node       = "pve1"
  vmid       = 150
  hostname   = "web"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  root_password = "s3cret-pw"
  tags       = ["owner-web"]
  cores      = 2
  memory     = 1024
  pids_max   = 300
  network = [{
    name         = "eth0"
    bridge       = "vmbr0"
    vlan         = 20
    ipv4         = "10.0.20.15/24"
    ipv4_gateway = "10.0.20.1"
  }]
  firewall = {
    rules = [
      { type = "in", action = "ACCEPT", macro = "SSH", source = "10.0.10.0/24", comment = "ssh from mgmt" },
      { type = "in", action = "ACCEPT", proto = "tcp", dport = "443" },
      { type = "out", action = "ACCEPT", proto = "udp", dport = "53" },
    ]
  }
` + extra + `
}
`
}

func confFile(env *acctest.Env) string {
	return filepath.Join(env.DataDir, "etc/pve/nodes/pve1/lxc/150.conf")
}
func fwFile(env *acctest.Env) string { return filepath.Join(env.DataDir, "etc/pve/firewall/150.fw") }

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// edit rewrites a node file the way an admin would by hand.
func edit(t *testing.T, p string, f func(string) string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(f(read(t, p))), 0o640); err != nil {
		t.Fatal(err)
	}
}

func replaceLine(re, with string) func(string) string {
	return func(s string) string { return regexp.MustCompile(`(?m)`+re).ReplaceAllString(s, with) }
}

// hardenedProfile is the default generated AppArmor profile's name.
var hardenedProfile = apparmor.Name(apparmor.Hardened())

func profileFile(env *acctest.Env) string {
	return filepath.Join(env.DataDir, "etc/apparmor.d/lxc", hardenedProfile)
}

// seccompDefault is the hardened default seccomp policy (the denylist).
var seccompDefault = seccomp.Policy{Mode: seccomp.ModeDenylist, Errno: seccomp.EPERM}

func seccompFile(env *acctest.Env, p seccomp.Policy) string {
	return filepath.Join(env.DataDir, p.Path())
}

func seccompText(p seccomp.Policy) []byte {
	b, err := p.Render()
	if err != nil {
		panic(err)
	}
	return b
}

const wantDrop = "lxc.cap.drop: audit_control audit_write mac_admin mac_override mknod sys_admin sys_module sys_nice sys_pacct sys_rawio sys_resource sys_time sys_tty_config"

func checkFiles(env *acctest.Env) resource.TestCheckFunc {
	return func(*terraform.State) error {
		conf, err := os.ReadFile(confFile(env))
		if err != nil {
			return err
		}
		for _, want := range []string{wantDrop + "\n", "lxc.cgroup2.pids.max: 300\n", "unprivileged: 1\n",
			"net0: name=eth0,bridge=vmbr0,firewall=1,gw=10.0.20.1,hwaddr="} {
			if !strings.Contains(string(conf), want) {
				return fmt.Errorf("pct.conf lacks %q:\n%s", want, conf)
			}
		}
		// the hardened default: the generated profile, named in the conf,
		// on every node of the cluster
		if !strings.Contains(string(conf), "\nlxc.apparmor.profile: "+hardenedProfile+"\n") {
			return fmt.Errorf("pct.conf does not name the generated profile %s:\n%s", hardenedProfile, conf)
		}
		if got, err := os.ReadFile(profileFile(env)); err != nil || string(got) != string(apparmor.Render(apparmor.Hardened())) {
			return fmt.Errorf("profile file %s: %w\n%s", profileFile(env), err, got)
		}
		// the hardened seccomp denylist, on the cluster file system
		if !strings.Contains(string(conf), "\nlxc.seccomp.profile: "+seccompDefault.Path()+"\n") {
			return fmt.Errorf("pct.conf does not name the seccomp policy %s:\n%s", seccompDefault.Path(), conf)
		}
		if got, err := os.ReadFile(seccompFile(env, seccompDefault)); err != nil || string(got) != string(seccompText(seccompDefault)) {
			return fmt.Errorf("seccomp file %s: %w\n%s", seccompFile(env, seccompDefault), err, got)
		}
		fw, err := os.ReadFile(fwFile(env))
		if err != nil {
			return err
		}
		want := "[OPTIONS]\n\ndhcp: 0\nenable: 1\nipfilter: 1\nlog_level_in: nolog\nlog_level_out: nolog\nmacfilter: 1\nndp: 1\npolicy_in: DROP\npolicy_out: DROP\nradv: 0\n\n" +
			"[IPSET ipfilter-net0] # addresses of net0 (derived by terraform-provider-hardened)\n\n10.0.20.15\n\n" +
			"[RULES]\n\nIN SSH(ACCEPT) -source 10.0.10.0/24 # ssh from mgmt\nIN ACCEPT -p tcp -dport 443\nOUT ACCEPT -p udp -dport 53\n\n"
		if string(fw) != want {
			return fmt.Errorf(".fw:\n%s\nwant:\n%s", fw, want)
		}
		return nil
	}
}

func checkGone(env *acctest.Env) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, p := range []string{confFile(env), fwFile(env), profileFile(env), seccompFile(env, seccompDefault)} {
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				return fmt.Errorf("%s still exists after destroy (%w)", p, err)
			}
		}
		return nil
	}
}

const rebootKey = "POST /nodes/{node}/lxc/{vmid}/status/reboot"

var importIgnore = []string{"ostemplate", "root_password", "ssh_public_keys"}

func TestAccContainerLifecycleLocal(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	// every attribute group changed from its default
	updated := webConfig(env, "local", `
  description = "managed by terraform"
  cpu_limit   = 1.5
  swap        = 256
  apparmor_profile = "lxc-webserver"
  capabilities = { keep = ["net_bind_service", "chown"] }
  features = { nesting = true }
  rootfs = { mount_options = ["nodev", "nosuid", "noexec"] }
  startup = { order = 3 }
  nameservers = ["10.0.0.53"]
  exceptions = [
    { rule = "HC-FEAT-001", reason = "runs a nested build container" },
    { rule = "HC-AA-002", reason = "lxc-webserver is reviewed by the platform team" },
  ]
`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(env),
		Steps: []resource.TestStep{
			{
				Config: webConfig(env, "local", ""),
				Check:  checkFiles(env),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.StringExact("pve1/150")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("unprivileged"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("ostype"), knownvalue.StringExact("debian")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("apparmor_profile"), knownvalue.StringExact("hardened")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("lxc_lines"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact(wantDrop), knownvalue.StringExact("lxc.cgroup2.pids.max: 300"),
						knownvalue.StringExact("lxc.apparmor.profile: " + hardenedProfile),
						knownvalue.StringExact("lxc.seccomp.profile: " + seccompDefault.Path()),
						knownvalue.StringExact("lxc.prlimit.core: 0"), knownvalue.StringExact("lxc.prlimit.nofile: 1024:65535")})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("node_files"), knownvalue.MapExact(map[string]knownvalue.Check{
						"/etc/apparmor.d/lxc/" + hardenedProfile: knownvalue.StringExact(hardening.FileDigest(apparmor.Render(apparmor.Hardened()))),
						seccompDefault.Path():                    knownvalue.StringExact(hardening.FileDigest(seccompText(seccompDefault)))})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("seccomp"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"mode": knownvalue.StringExact("denylist"), "errno": knownvalue.Int64Exact(1), "syscalls": knownvalue.SetExact(nil),
						"allow_user_namespaces": knownvalue.Bool(false)})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("network").AtSliceIndex(0).AtMapKey("mac"), knownvalue.StringRegexp(regexp.MustCompile(`^BC:24:11:`))),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("started"), knownvalue.Bool(true)),
				},
			},
			{
				// idempotent: nothing to do
				Config:           webConfig(env, "local", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				ResourceName: res, ImportState: true, ImportStateId: "pve1/150", ImportStateVerify: true,
				ImportStateVerifyIgnore: importIgnore,
			},
			{
				// every attribute group updated in place
				Config: updated,
				PreConfig: func() {
					// the named profile is loaded on the node (as hardened_apparmor_profile
					// would): PVE refuses to start a container whose profile is not
					if err := os.WriteFile(filepath.Join(env.DataDir, "etc/apparmor.d/lxc/lxc-webserver"),
						[]byte("profile lxc-webserver flags=(attach_disconnected,mediate_deleted) {\n}\n"), 0o644); err != nil {
						t.Fatal(err)
					}
					env.Sim.Stats().Reset()
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)}},
				Check: func(st *terraform.State) error {
					// new lxc.* lines on a running CT only apply at start: one reboot
					if n := env.Sim.Stats().Snapshot()[rebootKey]; n != 1 {
						return fmt.Errorf("%d reboots after a hardening change, want 1 (%v)", n, env.Sim.Stats().Snapshot())
					}
					conf := read(t, confFile(env))
					for _, want := range []string{"lxc.cap.keep: chown net_bind_service\n", "lxc.apparmor.profile: lxc-webserver\n",
						"features: nesting=1\n", "cpulimit: 1.5\n", "mountoptions=nodev;noexec;nosuid", "startup: order=3\n", "#managed by terraform\n"} {
						if !strings.Contains(conf, want) {
							return fmt.Errorf("pct.conf lacks %q:\n%s", want, conf)
						}
					}
					if strings.Contains(conf, "lxc.cap.drop") {
						return fmt.Errorf("cap.drop must be gone with keep:\n%s", conf)
					}
					if err := resource.TestCheckResourceAttr(res, "compliance.summary", fmt.Sprintf("%d pass, 0 fail, 2 excepted (HC-AA-002, HC-FEAT-001)", len(policy.Catalogue())-2))(st); err != nil {
						return err
					}
					if _, err := os.Stat(profileFile(env)); !os.IsNotExist(err) {
						return fmt.Errorf("the generated profile no container uses any more is still on the node (%w)", err)
					}
					return nil
				},
			},
			{
				Config:           updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// back to the defaults: the optional keys are removed again
				Config: webConfig(env, "local", ""),
				Check:  checkFiles(env),
			},
			{
				// an immutable attribute replaces the container
				Config: strings.Replace(webConfig(env, "local", ""), "debian-12-standard_12.12-1_amd64.tar.zst", "debian-13-standard_13.1-2_amd64.tar.zst", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate)}},
				Check: checkFiles(env),
			},
		},
	})
}

// tamper is one out-of-band change an admin might make on the node.
type tamper struct {
	name   string
	do     func(t *testing.T, env *acctest.Env)
	action plancheck.ResourceActionType
}

var tampers = []tamper{
	{"apparmor unconfined", func(t *testing.T, env *acctest.Env) {
		edit(t, confFile(env), func(s string) string { return s + "lxc.apparmor.profile: unconfined\n" })
	}, plancheck.ResourceActionUpdate},
	{"apparmor line removed (PVE's profile instead)", func(t *testing.T, env *acctest.Env) {
		edit(t, confFile(env), replaceLine(`^lxc\.apparmor\.profile: .*\n`, ""))
	}, plancheck.ResourceActionUpdate},
	{"profile file weakened on the node", func(t *testing.T, env *acctest.Env) {
		edit(t, profileFile(env), replaceLine(`^  deny ptrace \(trace\),\n`, ""))
	}, plancheck.ResourceActionUpdate},
	{"profile file deleted on the node", func(t *testing.T, env *acctest.Env) {
		if err := os.Remove(profileFile(env)); err != nil {
			t.Fatal(err)
		}
	}, plancheck.ResourceActionUpdate},
	{"seccomp line removed (PVE's policy instead)", func(t *testing.T, env *acctest.Env) {
		edit(t, confFile(env), replaceLine(`^lxc\.seccomp\.profile: .*\n`, ""))
	}, plancheck.ResourceActionUpdate},
	{"seccomp line pointed at a hand-written policy", func(t *testing.T, env *acctest.Env) {
		weak := filepath.Join(env.DataDir, "etc/pve/weak.seccomp")
		if err := os.WriteFile(weak, []byte("2\ndenylist\n[all]\nkexec_load errno 1\n"), 0o640); err != nil {
			t.Fatal(err)
		}
		edit(t, confFile(env), replaceLine(`^lxc\.seccomp\.profile: .*$`, "lxc.seccomp.profile: /etc/pve/weak.seccomp"))
	}, plancheck.ResourceActionUpdate},
	{"seccomp policy file weakened", func(t *testing.T, env *acctest.Env) {
		edit(t, seccompFile(env, seccompDefault), replaceLine(`^bpf errno 1\n`, ""))
	}, plancheck.ResourceActionUpdate},
	{"seccomp policy file deleted", func(t *testing.T, env *acctest.Env) {
		if err := os.Remove(seccompFile(env, seccompDefault)); err != nil {
			t.Fatal(err)
		}
	}, plancheck.ResourceActionUpdate},
	{"cap.drop line removed", func(t *testing.T, env *acctest.Env) {
		edit(t, confFile(env), replaceLine(`^lxc\.cap\.drop: .*\n`, ""))
	}, plancheck.ResourceActionUpdate},
	{"dropped capability re-added", func(t *testing.T, env *acctest.Env) {
		edit(t, confFile(env), replaceLine(`^lxc\.cap\.drop: (.*) sys_admin (.*)$`, "lxc.cap.drop: $1 $2"))
	}, plancheck.ResourceActionUpdate},
	{"pids limit raised", func(t *testing.T, env *acctest.Env) {
		edit(t, confFile(env), replaceLine(`^lxc\.cgroup2\.pids\.max: .*$`, "lxc.cgroup2.pids.max: max"))
	}, plancheck.ResourceActionUpdate},
	{"nesting enabled", func(t *testing.T, env *acctest.Env) {
		edit(t, confFile(env), replaceLine(`^hostname: `, "features: nesting=1\nhostname: "))
	}, plancheck.ResourceActionUpdate},
	{"nic firewall off", func(t *testing.T, env *acctest.Env) {
		edit(t, confFile(env), replaceLine(`firewall=1`, "firewall=0"))
	}, plancheck.ResourceActionUpdate},
	{"memory limit changed", func(t *testing.T, env *acctest.Env) {
		edit(t, confFile(env), replaceLine(`^memory: .*$`, "memory: 65536"))
	}, plancheck.ResourceActionUpdate},
	{"firewall disabled", func(t *testing.T, env *acctest.Env) {
		edit(t, fwFile(env), replaceLine(`^enable: 1$`, "enable: 0"))
	}, plancheck.ResourceActionUpdate},
	{"firewall rule added", func(t *testing.T, env *acctest.Env) {
		edit(t, fwFile(env), replaceLine(`^\[RULES\]\n\n`, "[RULES]\n\nIN ACCEPT -p tcp -dport 3306\n"))
	}, plancheck.ResourceActionUpdate},
	{"firewall rules reordered", func(t *testing.T, env *acctest.Env) {
		edit(t, fwFile(env), replaceLine(`(IN SSH\(ACCEPT\).*\n)(IN ACCEPT -p tcp -dport 443\n)`, "$2$1"))
	}, plancheck.ResourceActionUpdate},
	{"firewall rule disabled", func(t *testing.T, env *acctest.Env) {
		edit(t, fwFile(env), replaceLine(`^OUT ACCEPT`, "|OUT ACCEPT"))
	}, plancheck.ResourceActionUpdate},
	{"outbound policy opened", func(t *testing.T, env *acctest.Env) {
		edit(t, fwFile(env), replaceLine(`^policy_out: DROP$`, "policy_out: ACCEPT"))
	}, plancheck.ResourceActionUpdate},
	{"container stopped", func(t *testing.T, env *acctest.Env) {
		if r := env.Call(t, "POST", "/nodes/pve1/lxc/150/status/stop"); r != nil {
			t.Fatal(r)
		}
	}, plancheck.ResourceActionUpdate},
	{"made privileged", func(t *testing.T, env *acctest.Env) {
		edit(t, confFile(env), replaceLine(`^unprivileged: 1$`, "unprivileged: 0"))
	}, plancheck.ResourceActionDestroyBeforeCreate},
}

// TestAccContainerDrift: each out-of-band weakening shows in plan and the
// next apply repairs it.
func TestAccContainerDrift(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	cfg := webConfig(env, "local", "")
	steps := []resource.TestStep{{Config: cfg, Check: checkFiles(env)}}
	for _, tp := range tampers {
		steps = append(steps, resource.TestStep{
			PreConfig: func() { tp.do(t, env) },
			Config:    cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, tp.action)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: checkFiles(env),
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(env),
		Steps:                    steps,
	})
}

func TestAccContainerPlanTimeErrors(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	base := webConfig(env, "local", "")
	with := func(extra string) string { return webConfig(env, "local", extra) }
	cases := []struct{ config, want string }{
		{with(`unprivileged = false`), `Privileged containers are not allowed`},
		{with(`apparmor_profile = "unconfined"`), `AppArmor must not be disabled`},
		{with(`capabilities = { drop = ["sys_admn"] }`), `value must be one of`},
		{with(`apparmor = { extra_rules = ["/usr/bin/tool ux,"] }`), `unconfined execution`},
		{with(`features = { nesting = true }`), `(?s)nesting needs mounts.*deny_mount = false`},
		{with(`apparmor_profile = "lxc-hardened-123456789abc"`), `Reserved AppArmor profile name`},
		{with(`seccomp = { syscalls = ["kexec_laod"] }`), `(?s)unknown syscall.*Did you mean "kexec_load"`},
		{with(`seccomp = { mode = "allowlist", syscalls = ["read", "bpf"] }`), `(?s)denied by the hardened.*baseline`},
		{with(`seccomp = { mode = "default", syscalls = ["ptrace"] }`), `syscalls need a denylist or allowlist`},
		{with(`seccomp = { mode = "custom" }`), `value must be one of`},
		{with(`seccomp = { errno = 4095 }`), `errno value must be between 1 and 4094`},
		{with(`seccomp = { mode = "allowlist" }`), `empty allowlist`},
		{with("capabilities = {\n    drop = [\"sys_admin\"]\n    keep = [\"chown\"]\n  }"), `cannot be specified when`},
		{strings.Replace(base, "pids_max   = 300", "pids_max   = 5", 1), `pids_max value must be between 16 and 4194304`},
	}
	for _, c := range cases {
		if c.config == base {
			t.Fatalf("case %q did not change the configuration", c.want)
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{{Config: c.config, PlanOnly: true,
				ExpectError: regexp.MustCompile(c.want)}},
		})
	}
	if n := env.CTCount(t); n != 0 {
		t.Fatalf("%d containers exist after plan-time errors", n)
	}
}

// TestAccContainerNoOrphans: a failed create leaves no container behind.
func TestAccContainerNoOrphans(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	// the create task fails: PVE removes the half-made CT itself
	if _, err := env.Sim.Faults().Add(pvesim.FaultRule{Task: "vzcreate", VMID: 150, TaskError: "storage 'local-lvm' is full", Count: 1}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{Config: webConfig(env, "local", ""),
			ExpectError: regexp.MustCompile(`storage 'local-lvm' is full`)}},
	})
	if n := env.CTCount(t); n != 0 {
		t.Fatalf("%d containers left after a failed create task", n)
	}
	// the container exists, then writing the hardening files fails (a read
	// that fails on every one of the client's retries): the provider
	// deletes it again and says so
	if _, err := env.Sim.Faults().Add(pvesim.FaultRule{Method: "GET", Path: "/nodes/pve1/lxc/150/config", Status: 500, Message: "injected failure",
		Count: pve.DefaultRetryPolicy.Attempts}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{Config: webConfig(env, "local", ""),
			ExpectError: regexp.MustCompile(`(?s)Writing the hardening files failed.*injected failure.*CT 150 on pve1 was removed again`)}},
	})
	if n := env.CTCount(t); n != 0 {
		t.Fatalf("%d containers left after a failed node-file write", n)
	}
	if _, err := os.Stat(fwFile(env)); !os.IsNotExist(err) {
		t.Fatalf("firewall file left behind: %v", err)
	}
}

// TestAccContainerSSH is the core path with the node files written over SSH
// and SFTP to a real sshd (host key verified): create, idempotent re-plan,
// two hand-made weakenings (pct.conf and .fw) detected and repaired, import,
// destroy.
func TestAccContainerSSH(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	cfg := webConfig(env, "ssh", "")
	repair := func(name string, do func()) resource.TestStep {
		return resource.TestStep{
			PreConfig: do,
			Config:    cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: checkFiles(env),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(env),
		Steps: []resource.TestStep{
			{Config: cfg, Check: checkFiles(env)},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			repair("apparmor unconfined", func() {
				edit(t, confFile(env), func(s string) string { return s + "lxc.apparmor.profile: unconfined\n" })
			}),
			repair("firewall rule added", func() {
				edit(t, fwFile(env), replaceLine(`^\[RULES\]\n\n`, "[RULES]\n\nIN ACCEPT -p tcp -dport 3306\n"))
			}),
			{ResourceName: res, ImportState: true, ImportStateId: "pve1/150", ImportStateVerify: true, ImportStateVerifyIgnore: importIgnore},
		},
	})
	if log := env.SSHD().Log(); !strings.Contains(log, "Accepted publickey for "+env.SSHD().User) {
		t.Errorf("the node files were not written over SSH; sshd log:\n%s", log)
	}
}

// TestAccContainerFailedRestart: a hardening change whose restart fails
// (PVE refuses to start a container whose AppArmor profile is not loaded)
// fails the apply with LXC's message, removes the generated profile no
// container names any more, and leaves a state that says what the
// container is; once the profile exists, the next apply starts it.
func TestAccContainerFailedRestart(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	named := webConfig(env, "local", `  apparmor_profile = "lxc-absent"
  exceptions = [{ rule = "HC-AA-002", reason = "profile rolled out by hand" }]
`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: webConfig(env, "local", ""), Check: checkFiles(env)},
			{Config: named, ExpectError: regexp.MustCompile(`(?s)startup for container '150' failed.*Failed to change AppArmor profile to lxc-absent`)},
			{
				PreConfig: func() {
					if _, err := os.Stat(profileFile(env)); !os.IsNotExist(err) {
						t.Errorf("the generated profile no container names is still on the node (%v)", err)
					}
					if err := os.WriteFile(filepath.Join(env.DataDir, "etc/apparmor.d/lxc/lxc-absent"), []byte("profile lxc-absent {\n}\n"), 0o644); err != nil {
						t.Fatal(err)
					}
				},
				Config: named,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// the state says the container is stopped, with the new profile
					expectBefore{"apparmor_profile": "lxc-absent", "started": false},
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				Check: resource.TestCheckResourceAttr(res, "started", "true"),
			},
		},
	})
}

// expectBefore checks values of res's prior state in a plan.
type expectBefore map[string]any

func (e expectBefore) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != res {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		for k, want := range e {
			if before[k] != want {
				resp.Error = fmt.Errorf("prior state %s = %v, want %v", k, before[k], want)
			}
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", res)
}
