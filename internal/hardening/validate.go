package hardening

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/apparmor"
)

// Problem is a plan-time error on one attribute. Path holds attribute names
// (string), list indexes (int) and map keys (Key), e.g. ["network", 0, "ipv4"].
type Problem struct {
	Path    []any
	Summary string
	Detail  string
	// Warning marks a finding that does not stop the plan (e.g. an
	// allowlist that misses syscalls every container needs).
	Warning bool
	// Needs are the other attributes the finding was derived from: when
	// one of them is unknown at plan time (validated as empty), the
	// finding is not reported then and is checked again at apply.
	Needs [][]any
}

// Key is a map key in a Problem path (e.g. an ipset's name).
type Key string

// PathString renders a path as Terraform shows it: network[0].ipv4.
func PathString(p []any) string {
	var b strings.Builder
	for _, e := range p {
		switch x := e.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", x)
		case Key:
			fmt.Fprintf(&b, "[%q]", string(x))
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, x)
		}
	}
	return b.String()
}

var (
	hostnameRE = regexp.MustCompile(`^(([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?)\.)*([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?)$`)
	ifNameRE   = regexp.MustCompile(`^[-_.\w\d]+$`)
	tagRE      = regexp.MustCompile(`^(?i)[a-z0-9_][a-z0-9_\-+.]*$`)
	macRE      = regexp.MustCompile(`(?i)^[a-f0-9][02468ace](:[a-f0-9]{2}){5}$`)
)

// Validate returns every reason the Spec is unsafe or invalid. It only looks
// at values that are set (callers leave unknown values empty).
func Validate(s Spec) []Problem {
	var ps []Problem
	add := func(path []any, summary, detail string, a ...any) {
		ps = append(ps, Problem{Path: path, Summary: summary, Detail: fmt.Sprintf(detail, a...)})
	}
	if s.Hostname != "" && (!hostnameRE.MatchString(s.Hostname) || len(s.Hostname) > MaxHostnameLength) {
		add([]any{"hostname"}, "Invalid hostname",
			"%q is not a valid DNS name (PVE's dns-name format): use letters, digits and inner hyphens, dot-separated labels.", s.Hostname)
	}
	ps = append(ps, validateInputs(s)...)
	for _, t := range s.Tags {
		if IsProviderTag(t) {
			add([]any{"tags"}, "Reserved tag", "%q is a tag the provider sets on a container whose creation did not finish and removes itself; choose "+
				"another tag.", t)
		}
		if !tagRE.MatchString(t) {
			add([]any{"tags"}, "Invalid tag", "Tag %q contains characters PVE does not accept in tags: start with a letter, digit or _, then letters, "+
				"digits, _ - + or .", t)
		}
	}
	if !s.Unprivileged {
		add([]any{"unprivileged"}, "Privileged containers are not allowed",
			"unprivileged = false would map root inside the container to root on the host: any container escape becomes a "+
				"full host compromise (seed 000, \"the most important security decision\"). Remove the attribute or set it to "+
				"true; bind mounts that need host root can be solved with lxc.idmap mappings instead.")
	}
	ps = append(ps, validateAppArmor(s.AppArmorProfile)...)
	ps = append(ps, validateConfinement(s)...)
	ps = append(ps, validateCapabilities(s.Capabilities)...)
	for _, o := range s.RootFS.MountOptions {
		if !contains(MountOptions, o) {
			add([]any{"rootfs", "mount_options"}, "Invalid mount option",
				"%q is not a mount option PVE accepts; use some of: %s.", o, strings.Join(MountOptions, ", "))
		}
	}
	for _, fs := range s.Features.Mount {
		if !regexp.MustCompile(`^[a-zA-Z0-9_]+$`).MatchString(fs) {
			add([]any{"features", "mount"}, "Invalid file system type", "%q is not a file system type name (letters, digits, _), e.g. \"nfs\" or \"cifs\".", fs)
		}
	}
	ps = append(ps, validateNICs(s.NICs)...)
	ps = append(ps, validateMountPoints(s.MountPoints)...)
	ps = append(ps, validateDevices(s.Devices)...)
	ps = append(ps, validateEnvironment(s.Environment)...)
	ps = append(ps, validateHookscript(s.Hookscript)...)
	ps = append(ps, validatePRLimits(s.PRLimits)...)
	ps = append(ps, validateRawLXC(s.RawLXC)...)
	ps = append(ps, validateFirewall(s)...)
	return ps
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func validateAppArmor(p string) []Problem {
	path := []any{"apparmor_profile"}
	switch {
	case p == "" || p == AppArmorHardened || p == AppArmorPVE:
		return nil
	case p == "unconfined" || strings.HasPrefix(p, "unconfined"):
		return []Problem{{Path: path, Summary: "AppArmor must not be disabled",
			Detail: "apparmor_profile = \"unconfined\" removes the mandatory access control that blocks writes to /proc/sys, /sys " +
				"and mounts from inside the container (seed 000, seed 003). Use \"hardened\" (the default: a profile generated " +
				"from the apparmor settings), \"generated\" (PVE's profile) or a named profile that starts with lxc- and is " +
				"loaded on every node (hardened_apparmor_profile)."}}
	case strings.HasPrefix(p, apparmor.NamePrefix):
		return []Problem{{Path: path, Summary: "Reserved AppArmor profile name",
			Detail: fmt.Sprintf("%q is the name of a profile the provider generates; write \"hardened\" and choose its rules in the apparmor block.", p)}}
	case !apparmor.ProfileNameRE.MatchString(p):
		return []Problem{{Path: path, Summary: "Invalid AppArmor profile name",
			Detail: fmt.Sprintf("%q is neither \"hardened\", \"generated\" nor an lxc-* profile name. Container profiles live in "+
				"/etc/apparmor.d/lxc/ and must be named lxc-<something> (seed 003), e.g. \"lxc-webserver\".", p)}}
	}
	return nil
}

func validateCapabilities(c Capabilities) []Problem {
	var ps []Problem
	check := func(attr string, names []string) {
		for _, n := range names {
			if err := ValidateCapability(n); err != nil {
				ps = append(ps, Problem{Path: []any{"capabilities", attr}, Summary: "Invalid capability", Detail: err.Error()})
			}
		}
	}
	check("drop", c.Drop)
	check("keep", c.Keep)
	return ps
}

func validateNICs(nics []NIC) []Problem {
	var ps []Problem
	seen := map[string]int{}
	for i, n := range nics {
		at := func(attr string) []any { return []any{"network", i, attr} }
		add := func(attr, summary, detail string, a ...any) {
			ps = append(ps, Problem{Path: at(attr), Summary: summary, Detail: fmt.Sprintf(detail, a...)})
		}
		if n.Name != "" {
			if !ifNameRE.MatchString(n.Name) {
				add("name", "Invalid interface name", "%q: use letters, digits, -, _ and . (e.g. eth0).", n.Name)
			}
			if j, dup := seen[n.Name]; dup {
				add("name", "Duplicate interface name", "network[%d] is already named %q; every interface needs its own name.", j, n.Name)
			}
			seen[n.Name] = i
		}
		if n.Bridge != "" && !ifNameRE.MatchString(n.Bridge) {
			add("bridge", "Invalid bridge name", "%q is not a bridge name (e.g. vmbr0).", n.Bridge)
		}
		if !n.Firewall {
			add("firewall", "The interface firewall cannot be turned off",
				"firewall = false on network[%d] would bypass every firewall rule and the default-deny policy for this "+
					"interface (seed 000 \"Dedicated network interface with firewall rules applied\"). Remove the attribute; open "+
					"traffic with firewall rules instead.", i)
		}
		ps = append(ps, checkIPConfig(at("ipv4"), n.IPv4, 4, "dhcp manual")...)
		ps = append(ps, checkIPConfig(at("ipv6"), n.IPv6, 6, "auto dhcp manual")...)
		ps = append(ps, checkGateway(at("ipv4_gateway"), at("ipv4"), n.GatewayIPv4, n.IPv4, 4)...)
		ps = append(ps, checkGateway(at("ipv6_gateway"), at("ipv6"), n.GatewayIPv6, n.IPv6, 6)...)
		if n.MAC != "" && !macRE.MatchString(n.MAC) {
			add("mac", "Invalid MAC address", "%q is not a unicast MAC address (XX:XX:XX:XX:XX:XX with an even first octet), e.g. BC:24:11:12:34:56.", n.MAC)
		}
	}
	return ps
}

func checkIPConfig(path []any, v string, ver int, keywords string) []Problem {
	if v == "" || contains(strings.Fields(keywords), v) {
		return nil
	}
	p, err := netip.ParsePrefix(v)
	if err != nil || p.Addr().Is4() != (ver == 4) {
		return []Problem{{Path: path, Summary: "Invalid IP configuration", Detail: fmt.Sprintf(
			"%q is not an IPv%d address with prefix length (e.g. %s) nor one of: %s.", v, ver,
			map[int]string{4: "10.0.20.15/24", 6: "fd00:20::15/64"}[ver], strings.ReplaceAll(keywords, " ", ", "))}}
	}
	return nil
}

// checkGateway checks a gateway against its interface's address (at ipPath;
// unknown at plan time it reads as empty, so the address is a Need).
func checkGateway(path, ipPath []any, gw, ip string, ver int) []Problem {
	if gw == "" {
		return nil
	}
	a, err := netip.ParseAddr(gw)
	if err != nil || a.Is4() != (ver == 4) {
		return []Problem{{Path: path, Summary: "Invalid gateway", Detail: fmt.Sprintf("%q is not an IPv%d address.", gw, ver)}}
	}
	if p, err := netip.ParsePrefix(ip); err != nil {
		return []Problem{{Path: path, Needs: [][]any{ipPath}, Summary: "Gateway needs a static address", Detail: fmt.Sprintf(
			"A gateway only applies to a static address; set the interface's address to a CIDR (e.g. %s) or remove the gateway.",
			map[int]string{4: "10.0.20.15/24", 6: "fd00:20::15/64"}[ver])}}
	} else if !p.Masked().Contains(a) {
		return []Problem{{Path: path, Needs: [][]any{ipPath}, Summary: "Gateway outside the interface's network", Detail: fmt.Sprintf(
			"%s is not inside %s; the container could not reach it.", gw, p.Masked())}}
	}
	return nil
}

func ifaceOK(iface string, nics int) bool {
	if !strings.HasPrefix(iface, "net") {
		return false
	}
	n := 0
	for _, c := range iface[3:] {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return len(iface) > 3 && n < nics
}
