package container_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
)

// TestAccContainerCgroupLayout: on a node whose cgroup hierarchy is not
// unified (read from its /proc/self/mountinfo through the node channel),
// LXC would ignore the container's lxc.cgroup2.* limits: the plan fails on
// each limit, naming the node and the layout, and nothing is created. The
// same configuration plans on a unified node (the simulator's default,
// checked by every other acceptance test).
func TestAccContainerCgroupLayout(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	for _, layout := range []string{pvesim.CgroupHybrid, pvesim.CgroupLegacy} {
		env := acctest.StartSim(t, acctest.WithSimOptions(func(o *pvesim.Options) { o.CgroupLayout = layout }))
		cfg := webConfig(env, "local", `  cpu_limit = 1.5`)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			CheckDestroy:             checkGone(env),
			Steps: []resource.TestStep{
				{Config: cfg, PlanOnly: true, ExpectError: limitError(layout, "memory", "1024", "memory limit")},
				{Config: cfg, PlanOnly: true, ExpectError: limitError(layout, "pids_max", "300", "process limit")},
				{Config: cfg, PlanOnly: true, ExpectError: limitError(layout, "cpu_limit", "1.5", "CPU time limit")},
			},
		})
	}
}

// limitError matches the error on attribute attr (its line in the
// configuration, then the detail naming the node, layout and limit).
func limitError(layout, attr, value, what string) *regexp.Regexp {
	words := func(s string) string { return strings.Join(strings.Fields(regexp.QuoteMeta(s)), `\s+`) }
	return regexp.MustCompile(`(?s)Error: Limit ignored on node pve1 \(` + layout + ` cgroup hierarchy\)\s+with hardened_container.web,[^\n]*\n[^\n]*\n\s*\d+:\s+` +
		attr + `\s+=\s+` + regexp.QuoteMeta(value) + `\s+Node "pve1" has a ` + layout + ` cgroup hierarchy.*?without\s+its\s+` + words(what) + `.*?Ignoring\s+cgroup2\s+limits`)
}
