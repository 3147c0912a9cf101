package backupjob_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
)

const res = "hardened_backup_job.nightly"

func jobsCfg(env *acctest.Env) string { return filepath.Join(env.DataDir, "etc/pve/jobs.cfg") }

func fileIs(env *acctest.Env, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		b, err := os.ReadFile(jobsCfg(env))
		if err != nil {
			return err
		}
		if string(b) != want {
			return fmt.Errorf("jobs.cfg:\n%s\nwant:\n%s", b, want)
		}
		return nil
	}
}

func editFile(t *testing.T, p, old, with string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q:\n%s", p, old, b)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, with, 1)), 0o640); err != nil {
		t.Fatal(err)
	}
}

func jobConfig(env *acctest.Env, body string) string {
	return env.ProviderConfig("local") + "\nresource \"hardened_backup_job\" \"nightly\" {\n  id = \"nightly\"\n" + body + "}\n"
}

// TestAccBackupJobLifecycle: create, read back as PVE stores it, update
// the selection and retention, drift by hand (disabled, schedule changed,
// deleted) shown in plan and repaired, import verify.
func TestAccBackupJobLifecycle(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t, acctest.WithoutBackupJobs())
	v1 := jobConfig(env, `  schedule = "21:00"
  storage  = "local"
  vmids    = [101, 100]
  comment  = "web: nightly"
`)
	v2 := jobConfig(env, `  schedule       = "mon..fri 02:30"
  storage        = "local"
  all            = true
  exclude        = [105]
  mode           = "stop"
  notes_template = "{{guestname}} on {{node}}"
  prune_backups  = { keep_daily = 7, keep_weekly = 4 }
`)
	const file1 = "vzdump: nightly\n\tcomment web%3A nightly\n\tschedule 21:00\n\tcompress zstd\n\tenabled 1\n\tmode snapshot\n\trepeat-missed 0\n\tstorage local\n\tvmid 100,101\n\n"
	const file2 = "vzdump: nightly\n\tschedule mon..fri 02:30\n\tall 1\n\tcompress zstd\n\tenabled 1\n\texclude 105\n\tmode stop\n\tnotes-template {{guestname}} on {{node}}\n\tprune-backups keep-daily=7,keep-weekly=4\n\trepeat-missed 0\n\tstorage local\n\n"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: v1,
				Check: resource.ComposeTestCheckFunc(fileIs(env, file1),
					resource.TestCheckResourceAttr(res, "enabled", "true"),
					resource.TestCheckResourceAttr(res, "compress", "zstd"),
					resource.TestCheckResourceAttr(res, "vmids.#", "2"),
					resource.TestCheckNoResourceAttr(res, "prune_backups"),
				),
			},
			{Config: v1, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(fileIs(env, file2),
					resource.TestCheckResourceAttr(res, "prune_backups.keep_daily", "7"),
					resource.TestCheckNoResourceAttr(res, "vmids"),
					resource.TestCheckNoResourceAttr(res, "comment"),
				),
			},
			{ // disabled by hand and its schedule moved: the plan shows both, apply repairs them
				PreConfig: func() {
					editFile(t, jobsCfg(env), "\tenabled 1\n", "\tenabled 0\n")
					editFile(t, jobsCfg(env), "schedule mon..fri 02:30", "schedule sat 02:30")
				},
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(res, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
						plancheck.ExpectKnownValue(res, tfjsonpath.New("schedule"), knownvalue.StringExact("mon..fri 02:30")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: fileIs(env, file2),
			},
			{ // retention and exclusions removed by hand
				PreConfig: func() {
					editFile(t, jobsCfg(env), "\tprune-backups keep-daily=7,keep-weekly=4\n", "")
					editFile(t, jobsCfg(env), "\texclude 105\n", "")
				},
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: fileIs(env, file2),
			},
			{ // deleted by hand: created again
				PreConfig: func() {
					if err := os.WriteFile(jobsCfg(env), nil, 0o640); err != nil {
						t.Fatal(err)
					}
				},
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: fileIs(env, file2),
			},
			{ResourceName: res, ImportState: true, ImportStateId: "nightly", ImportStateVerify: true, ImportStateVerifyIdentifierAttribute: "id"},
		},
	})
}

// TestAccBackupJobPlanErrors: what PVE would refuse fails the plan on its
// attribute.
func TestAccBackupJobPlanErrors(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t, acctest.WithoutBackupJobs())
	step := func(body, want string) resource.TestStep {
		return resource.TestStep{Config: jobConfig(env, body), PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step("  schedule = \"21:00\"\n  storage = \"local\"\n", `The job selects no guest`),
			step("  schedule = \"21:00\"\n  storage = \"local\"\n  all = true\n  vmids = [100]\n", `Conflicting guest selections`),
			step("  schedule = \"21:00\"\n  storage = \"local\"\n  vmids = [100]\n  exclude = [101]\n", `exclude needs all = true`),
			step("  schedule = \"25:00\"\n  storage = \"local\"\n  all = true\n", `Invalid schedule`),
			step("  schedule = \"21:00\"\n  storage = \"local\"\n  all = true\n  notes_template = \"{{name}}\"\n", `variable 'name'`),
			step("  schedule = \"21:00\"\n  storage = \"local\"\n  all = true\n  prune_backups = { keep_all = true, keep_last = 3 }\n", `keep_all conflicts`),
			step("  schedule = \"21:00\"\n  storage = \"local\"\n  all = true\n  mode = \"fast\"\n", `value must be one of`),
			step("  schedule = \"21:00\"\n  storage = \"local\"\n  vmids = [5]\n", `between 100 and 999999999`),
		},
	})
}

// TestAccBackupJobCoverage: a container outside every backup job fails
// HC-BAK-001 (a plan warning, not an error; in its compliance and in
// hardened_audit); a job that selects it makes the next refresh pass; the
// job disabled by hand fails the rule again in the plan, apply repairs it.
func TestAccBackupJobCoverage(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t, acctest.WithoutBackupJobs())
	n := len(policy.Catalogue())
	fail := fmt.Sprintf("%d pass, 1 fail (HC-BAK-001), 0 excepted", n-1)
	pass := fmt.Sprintf("%d pass, 0 fail, 0 excepted", n)
	ct := env.ProviderConfig("local") + `
resource "hardened_container" "db" {
  node       = "pve1"
  vmid       = 160
  hostname   = "db"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  network    = [{ name = "eth0", bridge = "vmbr0", ipv4 = "10.0.30.5/24" }]
}

resource "hardened_backup_job" "other" {
  id       = "other"
  schedule = "21:00"
  storage  = "local"
  vmids    = [999]
}

data "hardened_audit" "all" {
  depends_on = [hardened_container.db]
}
`
	covered := ct + `
resource "hardened_backup_job" "nightly" {
  id       = "nightly"
  schedule = "sat 03:00"
  storage  = "local"
  vmids    = [hardened_container.db.vmid]
}
`
	const db = "hardened_container.db"
	const aud = "data.hardened_audit.all"
	// compliance is compact: every rule's status, the observation only
	// for the failing and excepted ones
	const bakStatus, bakDetail = "compliance.rules.HC-BAK-001", "compliance.details.HC-BAK-001"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: ct,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(db, "compliance.summary", fail),
					resource.TestCheckResourceAttr(db, bakStatus, "fail"),
					resource.TestCheckResourceAttrWith(db, bakDetail, contains("no enabled scheduled backup job")),
					resource.TestCheckResourceAttr(aud, "failing_by_rule.HC-BAK-001.#", "1"),
					resource.TestCheckResourceAttr(aud, "failing_by_rule.HC-BAK-001.0", "pve1/160"),
				),
			},
			{Config: covered}, // creates the job; the container's state keeps this run's observation
			{
				Config:           covered,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(db, "compliance.summary", pass),
					resource.TestCheckResourceAttr(db, bakStatus, "pass"),
					resource.TestCheckNoResourceAttr(db, bakDetail),
					resource.TestCheckNoResourceAttr(aud, "failing_by_rule.HC-BAK-001.#"),
				),
			},
			{ // the job disabled by hand: the container's observed compliance fails, apply re-enables the job
				PreConfig: func() {
					editFile(t, jobsCfg(env), "vzdump: nightly\n\tschedule sat 03:00\n\tcompress zstd\n\tenabled 1", "vzdump: nightly\n\tschedule sat 03:00\n\tcompress zstd\n\tenabled 0")
				},
				Config: covered,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("hardened_backup_job.nightly", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(db, tfjsonpath.New("compliance").AtMapKey("summary"), knownvalue.StringExact(fail)),
				}},
			},
			{
				Config:           covered,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            resource.TestCheckResourceAttr(db, "compliance.summary", pass),
			},
		},
	})
}

func contains(s string) func(string) error {
	return func(v string) error {
		if !strings.Contains(v, s) {
			return fmt.Errorf("%q does not contain %q", v, s)
		}
		return nil
	}
}
