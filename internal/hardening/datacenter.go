package hardening

// DatacenterFirewall is the state of the datacenter firewall
// (/etc/pve/firewall/cluster.fw [OPTIONS] enable, PVE's default off). While
// it is off pve-firewall installs no rule at all: a container's
// firewall.enabled, its policies and its rules are all without effect.
// It is a cluster-wide value, observed once per provider run; the zero value
// means it was not observed, so that a Spec nobody observed is never
// reported as having the datacenter firewall off (or on).
type DatacenterFirewall int8

// The states of the datacenter firewall.
const (
	DatacenterFirewallUnobserved DatacenterFirewall = iota
	DatacenterFirewallOff
	DatacenterFirewallOn
)

// DatacenterFirewallOf is the state for an observed enable value.
func DatacenterFirewallOf(enabled bool) DatacenterFirewall {
	if enabled {
		return DatacenterFirewallOn
	}
	return DatacenterFirewallOff
}
