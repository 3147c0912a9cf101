package container_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
)

// planShows checks that the plan changes attr away from a prior value that
// contains want (the hand-made edit, as the plan shows it to the user) to
// one that does not.
type planShows struct{ attr, want string }

func (p planShows) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != res {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		b, _ := json.Marshal(before[p.attr])
		a, _ := json.Marshal(after[p.attr])
		if !strings.Contains(string(b), p.want) {
			resp.Error = fmt.Errorf("the plan's prior %s = %s does not show %q", p.attr, b, p.want)
		} else if strings.Contains(string(a), p.want) {
			resp.Error = fmt.Errorf("the plan keeps %s = %s", p.attr, a)
		}
		return
	}
	resp.Error = fmt.Errorf("no change of %s planned", res)
}

// confLacks checks that none of the lines is left in the pct.conf.
func confLacks(env *acctest.Env, lines ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		raw, err := os.ReadFile(confFile(env))
		if err != nil {
			return err
		}
		conf := string(raw)
		for _, l := range lines {
			if strings.Contains(conf, "\n"+l+"\n") || strings.HasPrefix(conf, l+"\n") {
				return fmt.Errorf("pct.conf still has %q:\n%s", l, conf)
			}
		}
		return nil
	}
}

// handEdit is one weakening made by hand in the pct.conf, outside what
// the schema used to model.
type handEdit struct {
	name   string
	line   string // appended to the main section (before the raw lxc lines for PVE keys)
	attr   string // the attribute whose plan shows it
	shows  string // how the plan shows it
	rule   string // the rule compliance fails until apply
	remove []string
}

var handEdits = []handEdit{
	{"host root bind mount", "mp0: /,mp=/mnt/host", "mount_points", `"host_path":"/"`, "HC-MNT-001", []string{"mp0: /,mp=/mnt/host"}},
	{"host block device", "dev0: /dev/sda", "devices", `"path":"/dev/sda"`, "HC-DEV-001", []string{"dev0: /dev/sda"}},
	{"every device allowed", "lxc.cgroup2.devices.allow: a", "raw_lxc", "lxc.cgroup2.devices.allow: a", "HC-RAW-001", []string{"lxc.cgroup2.devices.allow: a"}},
	{"host /dev/net mounted", "lxc.mount.entry: /dev/net dev/net none bind,create=dir 0 0", "raw_lxc", "lxc.mount.entry: /dev/net dev/net", "HC-RAW-001",
		[]string{"lxc.mount.entry: /dev/net dev/net none bind,create=dir 0 0"}},
	{"root mapped to host root", "lxc.idmap: u 0 0 65536", "raw_lxc", "lxc.idmap: u 0 0 65536", "HC-RAW-001", []string{"lxc.idmap: u 0 0 65536"}},
	{"hookscript", "hookscript: local:snippets/x.sh", "hookscript", "local:snippets/x.sh", "HC-HOOK-001", []string{"hookscript: local:snippets/x.sh"}},
	{"another init", "entrypoint: /bin/sh", "unmanaged_config", "entrypoint: /bin/sh", "HC-CFG-001", []string{"entrypoint: /bin/sh"}},
	{"unknown key", "frobnicate: 1", "unmanaged_config", "frobnicate: 1", "HC-CFG-001", []string{"frobnicate: 1"}},
	{"no core dump limit", "lxc.prlimit.core: unlimited", "prlimits", `"core":"unlimited"`, "HC-LIM-001", []string{"lxc.prlimit.core: unlimited"}},
}

// addLine puts a line into the main section the way an admin would: PVE
// keys among the keys, raw lxc lines at the end.
func addLine(line string) func(string) string {
	return func(conf string) string {
		if strings.HasPrefix(line, "lxc.") {
			return conf + line + "\n"
		}
		return line + "\n" + conf
	}
}

// TestAccContainerClosedWorld: every hand-made weakening of the
// configuration, modelled or not, shows in compliance and the plan, and
// apply removes it.
func TestAccContainerClosedWorld(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	cfg := webConfig(env, "local", "")
	steps := []resource.TestStep{{Config: cfg, Check: checkFiles(env)}}
	for _, e := range handEdits {
		steps = append(steps,
			resource.TestStep{
				PreConfig:          func() { edit(t, confFile(env), addLine(e.line)) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, findingAttr(e.rule, "status"), "fail"),
					resource.TestCheckTypeSetElemAttr(res, "compliance.failing.*", e.rule),
				),
			},
			resource.TestStep{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate), planShows{e.attr, e.shows}},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(confLacks(env, e.remove...), checkFiles(env),
					resource.TestCheckResourceAttr(res, "compliance.fail", "0")),
			})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(env),
		Steps:                    steps,
	})
}

// TestAccContainerEmptyCapKeep: in keep mode (keep nothing), an empty
// lxc.cap.keep line appended by hand clears LXC's keep list, so the
// container keeps every capability: that is what the plan must show.
func TestAccContainerEmptyCapKeep(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	cfg := webConfig(env, "local", `  capabilities = { keep = [] }`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(env),
		Steps: []resource.TestStep{
			{Config: cfg, Check: resource.TestCheckResourceAttr(res, "lxc_lines.0", "lxc.cap.keep: none")},
			{
				PreConfig:          func() { edit(t, confFile(env), addLine("lxc.cap.keep:")) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckNoResourceAttr(res, "capabilities.keep"),
					resource.TestCheckResourceAttr(res, "capabilities.drop.#", "0"),
					resource.TestCheckResourceAttr(res, findingAttr("HC-CAP-001", "status"), "fail"),
				),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectKnownValue(res, tfjsonpath.New("capabilities").AtMapKey("keep"), knownvalue.SetExact(nil))},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(confLacks(env, "lxc.cap.keep:"), resource.TestCheckResourceAttr(res, "compliance.fail", "0")),
			},
		},
	})
}

// TestAccContainerConfinementObservation: compliance comes from the same
// observation as the audit, file content included; a feature turned on by
// hand does not make the provider's own profile look foreign; a missing
// pids limit reads as no limit.
func TestAccContainerConfinementObservation(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	cfg := webConfig(env, "local", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(env),
		Steps: []resource.TestStep{
			{Config: cfg, Check: checkFiles(env)},
			{
				// the generated profile edited on the node: not the provider's any more
				PreConfig:          func() { edit(t, profileFile(env), replaceLine(`^}$`, "  capability sys_admin,\n}")) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, "apparmor_profile", hardenedProfile),
					resource.TestCheckResourceAttr(res, findingAttr("HC-AA-002", "status"), "fail"),
				),
			},
			{Config: cfg, Check: checkFiles(env), ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				// nesting switched on by hand: the profile is still the provider's
				PreConfig:          func() { edit(t, confFile(env), addLine("features: nesting=1")) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, "apparmor_profile", "hardened"),
					resource.TestCheckResourceAttr(res, "features.nesting", "true"),
					resource.TestCheckResourceAttr(res, findingAttr("HC-AA-002", "status"), "pass"),
					resource.TestCheckResourceAttr(res, findingAttr("HC-FEAT-001", "status"), "fail"),
				),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectKnownValue(res, tfjsonpath.New("apparmor_profile"), knownvalue.StringExact("hardened"))},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				// the seccomp line removed: PVE's own policy, which the baseline does not allow
				PreConfig:          func() { edit(t, confFile(env), replaceLine(`^lxc\.seccomp\.profile: .*\n`, "")) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, "seccomp.mode", "default"),
					resource.TestCheckResourceAttr(res, findingAttr("HC-SC-001", "status"), "fail"),
				),
			},
			{Config: cfg, Check: checkFiles(env)},
			{
				// the pids limit removed: no limit, not a limit of 0
				PreConfig:          func() { edit(t, confFile(env), replaceLine(`^lxc\.cgroup2\.pids\.max: .*\n`, "")) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckNoResourceAttr(res, "pids_max"),
					resource.TestMatchResourceAttr(res, findingAttr("HC-CG-004", "detail"), regexp.MustCompile(`(?i)no limit|not set|unlimited`)),
				),
			},
			{Config: cfg, Check: resource.ComposeTestCheckFunc(checkFiles(env), resource.TestCheckResourceAttr(res, "pids_max", "300"))},
		},
	})
}

// TestAccContainerClosedWorldAttributes: the typed attributes for what
// users legitimately need, gated by the baseline, applied, read back,
// imported.
func TestAccContainerClosedWorldAttributes(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	extra := `  mount_points = [
    { path = "/data", storage = "local-lvm", size = 4, backup = true },
    { path = "/shared", host_path = "/srv/shared/web", read_only = true, mount_options = ["nodev", "nosuid", "noexec"] },
  ]
  devices     = [{ path = "/dev/net/tun", mode = "0666" }]
  hookscript  = "local:snippets/audit.sh"
  environment = { LANG = "C.UTF-8", DB_PASSWORD_FILE = "/run/secrets/db" }
  prlimits    = { nofile = "2048:65535", core = "0", nproc = "512" }
  raw_lxc     = ["lxc.cgroup2.io.weight: 200"]
  exceptions  = [{ rule = "HC-RAW-001", reason = "io weight for the batch tier" }]`
	baseline := `  baseline = {
    allowed_bind_mount_prefixes = ["/srv/shared"]
    allowed_devices             = ["/dev/net/tun"]
    allowed_hookscripts         = ["local:snippets/audit*"]
  }`
	cfg := withBaseline(env, baseline, extra)
	cfg8 := strings.Replace(cfg, "size = 4,", "size = 8,", 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(env),
		Steps: []resource.TestStep{
			{
				// without the baseline's leave, every one of them fails the plan
				Config:      webConfig(env, "local", strings.Replace(extra, "HC-RAW-001", "HC-CG-005", 1)),
				ExpectError: regexp.MustCompile(`(?s)HC-MNT-001.*|HC-DEV-001|HC-HOOK-001|HC-RAW-001`),
			},
			{
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(
					checkFiles(env),
					func(*terraform.State) error {
						conf := read(t, confFile(env))
						for _, want := range []string{
							"\nmp0: local-lvm:vm-150-disk-1,mp=/data,backup=1,mountoptions=nodev;nosuid,size=4G\n",
							"\nmp1: /srv/shared/web,mp=/shared,mountoptions=nodev;noexec;nosuid,ro=1\n",
							"\ndev0: /dev/net/tun,mode=0666\n", "\nhookscript: local:snippets/audit.sh\n",
							"\nlxc.prlimit.nofile: 2048:65535\n", "\nlxc.prlimit.nproc: 512\n", "\nlxc.cgroup2.io.weight: 200\n",
							"lxc.environment.runtime: DB_PASSWORD_FILE=/run/secrets/db\n",
						} {
							if !strings.Contains(conf, want) {
								return fmt.Errorf("pct.conf lacks %q:\n%s", want, conf)
							}
						}
						return nil
					},
					resource.TestCheckResourceAttr(res, "mount_points.0.volume", "local-lvm:vm-150-disk-1"),
					resource.TestCheckResourceAttr(res, findingAttr("HC-RAW-001", "status"), "excepted"),
					resource.TestCheckResourceAttr(res, "compliance.fail", "0"),
					resource.TestCheckResourceAttr(res, "unmanaged_config.#", "0"),
				),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// growing a volume mount point resizes it in place: same volume, no replacement
				Config: cfg8,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, "mount_points.0.volume", "local-lvm:vm-150-disk-1"),
					resource.TestCheckResourceAttr(res, "mount_points.0.size", "8"),
					func(*terraform.State) error {
						if conf := read(t, confFile(env)); !strings.Contains(conf, "\nmp0: local-lvm:vm-150-disk-1,mp=/data,backup=1,mountoptions=nodev;nosuid,size=8G\n") {
							return fmt.Errorf("mp0 not grown in place:\n%s", conf)
						}
						return nil
					},
				),
			},
			{
				// shrinking is refused at plan time, before anything changes
				Config:      cfg,
				ExpectError: regexp.MustCompile(`Cannot shrink a mount point volume`),
			},
			{
				// the bind mount made writable and the device's mode opened by hand
				PreConfig: func() {
					edit(t, confFile(env), replaceLine(`,ro=1`, ""))
					edit(t, confFile(env), replaceLine(`mode=0666`, "mode=0777"))
				},
				Config: cfg8,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.TestCheckResourceAttr(res, "mount_points.1.read_only", "true"),
			},
			{
				// removed from the configuration: gone from the container
				Config: withBaseline(env, baseline, ""),
				Check: resource.ComposeTestCheckFunc(
					confLacks(env, "dev0: /dev/net/tun,mode=0666", "hookscript: local:snippets/audit.sh", "lxc.cgroup2.io.weight: 200",
						"mp1: /srv/shared/web,mp=/shared,mountoptions=nodev;noexec;nosuid,ro=1"),
					resource.TestCheckNoResourceAttr(res, "mount_points.#"),
					resource.TestCheckResourceAttr(res, "prlimits.nofile", "1024:65535"),
				),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config:                  withBaseline(env, baseline, ""),
				ResourceName:            res,
				ImportState:             true,
				ImportStateId:           "pve1/150",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"root_password", "ostemplate", "ssh_public_keys", "exceptions", "restart_on_hardening_change", "task_timeout_seconds"},
			},
		},
	})
}
