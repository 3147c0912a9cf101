package policy

import "github.com/hardened-pve/terraform-provider-hardened/internal/hardening"

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
