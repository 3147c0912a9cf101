package policy

import (
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// checkDatacenterFirewall is HC-FW-004. A Spec whose datacenter firewall
// was not observed fails: nothing shows the firewall in effect.
func checkDatacenterFirewall(s hardening.Spec, b Baseline) (bool, string, []any) {
	state := map[hardening.DatacenterFirewall]string{
		hardening.DatacenterFirewallOn: "the datacenter firewall is enabled (cluster.fw [OPTIONS] enable: 1)",
		hardening.DatacenterFirewallOff: "the datacenter firewall is disabled (cluster.fw [OPTIONS] enable: 0 or unset, PVE's default): no container " +
			"firewall rule is in effect",
		hardening.DatacenterFirewallUnobserved: "the datacenter firewall was not observed: nothing shows the container's firewall in effect",
	}[s.DatacenterFirewall]
	if !b.RequireDatacenterFirewall {
		return true, notRequired + " (" + state + ")", nil
	}
	return s.DatacenterFirewall == hardening.DatacenterFirewallOn, state, nil
}

// checkRuntime is HC-RUN-001: what the running container runs is what its
// config says (observed only; a planned Spec has no Runtime and passes).
// The pass detail is the same whether or not the node showed the init's
// /proc view, so a plan predicts it exactly.
func checkRuntime(s hardening.Spec, _ Baseline) (bool, string, []any) {
	if len(s.Runtime.Stale) > 0 {
		return false, "configured but not active, a restart is owed: " + strings.Join(s.Runtime.Stale, "; "), nil
	}
	return true, "no restart is owed: the container runs its configured confinement (checked against the running init's /proc view where the " +
		"node shows it)", nil
}
