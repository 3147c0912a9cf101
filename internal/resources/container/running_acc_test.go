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
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
)

// dropNetRaw is the default drop list and net_raw.
const dropNetRaw = `  capabilities = { drop = ["audit_control", "audit_write", "mac_admin", "mac_override", "mknod", "net_raw", "sys_admin",
    "sys_module", "sys_nice", "sys_pacct", "sys_rawio", "sys_resource", "sys_time", "sys_tty_config"] }
`

// initPid is CT 150's init pid as PVE reports it (status/current).
func initPid(t *testing.T, env *acctest.Env) int {
	t.Helper()
	var st struct {
		PID int `json:"pid"`
	}
	if err := env.CallJSON(t, "GET", "/nodes/pve1/lxc/150/status/current", &st); err != nil {
		t.Fatal(err)
	}
	if st.PID == 0 {
		t.Fatal("CT 150 has no pid: not running")
	}
	return st.PID
}

func procFile(env *acctest.Env, pid int, name string) string {
	return filepath.Join(env.DataDir, "proc", fmt.Sprint(pid), name)
}

// runningCaps is CT 150's init's bounding set as the node shows it.
func runningHas(t *testing.T, env *acctest.Env, capability string) bool {
	t.Helper()
	v := hardening.ParseProcStatus([]byte(read(t, procFile(env, initPid(t, env), "status"))))
	for bit, name := range hardening.AllCapabilities {
		if name == capability {
			return v.HasCapBnd && v.CapBnd&(1<<uint(bit)) != 0
		}
	}
	t.Fatalf("no capability %s", capability)
	return false
}

func expectRunningHas(t *testing.T, env *acctest.Env, capability string, want bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := runningHas(t, env, capability); got != want {
			return fmt.Errorf("the running init has %s: %v, want %v", capability, got, want)
		}
		return nil
	}
}

// pendingRestart checks the planned pending_restart (before and after).
func pendingRestart(before *regexp.Regexp) plancheck.PlanCheck {
	return plancheckBefore{key: "pending_restart", re: before}
}

// TestAccContainerOwedRestart: an update whose reboot fails (a connection
// reset on the reboot POST) leaves the container running its old
// capabilities; the next plan shows the owed restart as drift and its
// apply performs it. A running init whose /proc view shows another
// AppArmor label or a capability the config drops is drift too; with
// restart_on_hardening_change = false it stays a warning and a failing
// HC-RUN-001.
func TestAccContainerOwedRestart(t *testing.T) {
	acctest.PreCheck(t)
	env := acctest.StartSim(t)
	base := webConfig(env, "local", "")
	changed := webConfig(env, "local", dropNetRaw)
	offWithAudit := webConfig(env, "local", dropNetRaw+"  restart_on_hardening_change = false\n") +
		"\ndata \"hardened_audit\" \"all\" {\n  depends_on = [hardened_container.web]\n}\n"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: base, Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(res, "pending_restart", ""),
				expectRunningHas(t, env, "net_raw", true), expectRunningHas(t, env, "sys_admin", false))},
			{
				PreConfig: func() {
					if _, err := env.Sim.Faults().Add(pvesim.FaultRule{Method: "POST", Path: "/nodes/*/lxc/*/status/reboot", Reset: true, Count: 1}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      changed,
				ExpectError: regexp.MustCompile(`Changing the container's power state failed`),
			},
			{
				// the files match the configuration; what runs does not
				PreConfig: func() {
					if !strings.Contains(read(t, confFile(env)), "net_raw") {
						t.Error("the new lxc.cap.drop line was not written")
					}
					if !runningHas(t, env, "net_raw") {
						t.Error("the container restarted although the reboot failed")
					}
					env.Sim.Stats().Reset()
				},
				Config: changed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
					pendingRestart(regexp.MustCompile(`^restart owed: lxc\.cap\.drop changed while it ran; lxc\.cap\.drop: the running init still has net_raw$`)),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("pending_restart"), knownvalue.StringExact("")),
				}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, "pending_restart", ""),
					expectRunningHas(t, env, "net_raw", false),
					func(*terraform.State) error {
						if n := env.Sim.Stats().Snapshot()[rebootKey]; n != 1 {
							return fmt.Errorf("%d reboots for the owed restart, want 1", n)
						}
						if _, err := os.Stat(filepath.Join(env.DataDir, "etc/pve/hardened/restart/150")); !os.IsNotExist(err) {
							return fmt.Errorf("the restart record outlived the restart (%w)", err)
						}
						return nil
					}),
			},
			{
				// the running init says another profile: drift, repaired by a restart
				PreConfig: func() {
					if err := os.WriteFile(procFile(env, initPid(t, env), "attr/current"), []byte("unconfined\n"), 0o644); err != nil {
						t.Fatal(err)
					}
				},
				Config: changed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
					pendingRestart(regexp.MustCompile(`^lxc\.apparmor\.profile: the running init runs under "unconfined", not "lxc-hardened-`)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("pending_restart"), knownvalue.StringExact("")),
				},
			},
			{
				// with restarts off a running init that lacks a dropped
				// capability is a warning and a failing HC-RUN-001
				PreConfig: func() {
					edit(t, procFile(env, initPid(t, env), "status"), replaceLine(`^CapBnd:.*$`, "CapBnd:\t000001ffffffffff"))
				},
				Config: offWithAudit,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
					pendingRestart(regexp.MustCompile(`^lxc\.cap\.drop: the running init still has .*net_raw.*sys_admin`)),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("pending_restart"), knownvalue.StringRegexp(regexp.MustCompile(`still has`))),
				}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, "compliance.failing.#", "1"),
					resource.TestCheckResourceAttr(res, "compliance.failing.0", "HC-RUN-001"),
					// the audit sees what the refresh sees
					resource.TestCheckResourceAttr("data.hardened_audit.all", "non_compliant.#", "1"),
					resource.TestCheckResourceAttr("data.hardened_audit.all", "containers.0.failing.#", "1"),
					resource.TestCheckResourceAttr("data.hardened_audit.all", "containers.0.failing.0", "HC-RUN-001"),
					expectRunningHas(t, env, "sys_admin", true)),
			},
			{
				Config:   offWithAudit,
				PlanOnly: true,
			},
		},
	})
}

// plancheckBefore checks that res's prior value of key matches re.
type plancheckBefore struct {
	key string
	re  *regexp.Regexp
}

func (p plancheckBefore) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != res {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		if got, _ := before[p.key].(string); !p.re.MatchString(got) {
			resp.Error = fmt.Errorf("prior state %s = %q, want a match of %s", p.key, got, p.re)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", res)
}
