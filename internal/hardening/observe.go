package hardening

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/apparmor"
	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
)

// Observed is what the provider reads from a live container: the API config
// (values as text), its raw lxc.* entries, the firewall options and rules as
// the API returns them, and the power state.
type Observed struct {
	Node      string
	VMID      int
	Config    map[string]string
	LXC       []pctconf.Line
	FWOptions map[string]string
	FWRules   []firewall.Rule
	FWIPSets  []firewall.IPSet
	FWAliases []firewall.Alias
	// DeclaredIPSets are the ipset names the configuration declares. An
	// observed ipfilter-netN set that is not declared and is exactly what
	// DerivedIPFilterSets gives is the provider's own and not reported; any
	// other content shows as drift.
	DeclaredIPSets map[string]bool
	// AppArmor are the configured settings of the generated profile (the
	// node only shows its name).
	AppArmor apparmor.Settings
	// Seccomp is the configured seccomp policy (the pct.conf only names
	// its file).
	Seccomp seccomp.Policy
	// Files are the contents of the confinement files the raw lines name
	// (ConfinementPaths), nil when missing or unreadable.
	Files   map[string][]byte
	Running bool
}

// ParseProps splits a PVE property string; a bare first value goes to
// defaultKey (e.g. rootfs's volume).
func ParseProps(s, defaultKey string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			out[defaultKey] = part
			continue
		}
		out[k] = v
	}
	return out
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func isTrue(s string) bool { return s == "1" || s == "on" || s == "yes" || s == "true" }

// Observe maps a live container back to a Spec, unconditionally: whatever was
// changed out of band shows as a difference to the configuration.
// Write-only inputs (root password, SSH keys) and the template are not
// observable and are left empty.
func Observe(o Observed) Spec {
	c := o.Config
	get := func(k, def string) string {
		if v, ok := c[k]; ok {
			return v
		}
		return def
	}
	s := Spec{
		Node:         o.Node,
		VMID:         o.VMID,
		Hostname:     c["hostname"],
		Description:  c["description"],
		Arch:         get("arch", DefaultArch),
		OSType:       c["ostype"],
		Unprivileged: isTrue(c["unprivileged"]),
		Cores:        atoi(c["cores"]),
		CPUUnits:     atoi(get("cpuunits", strconv.Itoa(DefaultCPUUnits))),
		MemoryMiB:    atoi(get("memory", "512")),
		SwapMiB:      atoi(get("swap", "512")),
		OnBoot:       isTrue(c["onboot"]),
		Protection:   isTrue(c["protection"]),
		Timezone:     c["timezone"],
		SearchDomain: c["searchdomain"],
		TTY:          atoi(get("tty", strconv.Itoa(DefaultTTY))),
		Console:      isTrue(get("console", "1")),
		CMode:        get("cmode", DefaultCMode),
		Started:      o.Running,
	}
	if v := c["cpulimit"]; v != "" {
		s.CPULimit, _ = strconv.ParseFloat(v, 64)
	}
	if v := c["tags"]; v != "" {
		s.Tags = SortedUnique(strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' || r == ' ' }))
	}
	if v := c["env"]; v != "" {
		s.Environment = SortedUnique(strings.Split(v, "\x00"))
	}
	s.Hookscript = c["hookscript"]
	s.MountPoints = observeMountPoints(c)
	s.Devices = observeDevices(c)
	s.Unmanaged = unmanagedKeys(c)
	if v := c["nameserver"]; v != "" {
		s.Nameservers = strings.Fields(v)
	}
	if v := c["startup"]; v != "" {
		p := ParseProps(v, "order")
		s.Startup = Startup{Order: atoi(p["order"]), Up: atoi(p["up"]), Down: atoi(p["down"])}
	}
	if v := c["features"]; v != "" {
		p := ParseProps(v, "")
		s.Features = Features{Nesting: isTrue(p["nesting"]), Keyctl: isTrue(p["keyctl"]), Fuse: isTrue(p["fuse"]), Mknod: isTrue(p["mknod"])}
		if m := p["mount"]; m != "" {
			s.Features.Mount = strings.Split(m, ";")
		}
	}
	s.RootFS = observeRootFS(c["rootfs"])
	for i := 0; i < 32; i++ {
		v, ok := c["net"+strconv.Itoa(i)]
		if !ok {
			// NICs are positional: a gap ends the managed list
			break
		}
		s.NICs = append(s.NICs, observeNIC(v))
	}
	lxc := ApplyLXC(o.LXC)
	s.Capabilities, s.PidsMax, s.PRLimits, s.RawLXC = lxc.Caps, lxc.PidsMax, lxc.PRLimits, lxc.Raw
	s.AppArmorProfile = lxc.AppArmorProfile
	if s.AppArmorProfile == "" {
		s.AppArmorProfile = AppArmorPVE
	}
	// a generated profile or policy is recognised only from its file's
	// content (nodesync.Recoverer), never from its name alone: an edited
	// file is not the provider's
	s.AppArmor = o.AppArmor
	observeSeccomp(&s, o.Seccomp, lxc)
	recoverConfinement(&s, o.Seccomp, o.Files)
	s.Firewall = observeFirewall(o.FWOptions, o.FWRules)
	s.Firewall.Aliases = sortedAliases(o.FWAliases)
	s.Firewall.IPSets = observeIPSets(s, o)
	return s
}

func sortedAliases(in []firewall.Alias) []firewall.Alias {
	out := append([]firewall.Alias(nil), in...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// observeIPSets returns the observed ipsets without the provider's own
// derived ipfilter sets (see Observed.DeclaredIPSets), sorted by name with
// sorted entries.
func observeIPSets(s Spec, o Observed) []firewall.IPSet {
	derived := map[string]string{}
	for _, d := range DerivedIPFilterSets(s) {
		derived[d.Name] = ipsetKey(d)
	}
	var out []firewall.IPSet
	for _, set := range o.FWIPSets {
		set.Entries = append([]firewall.IPSetEntry(nil), set.Entries...)
		sort.Slice(set.Entries, func(i, j int) bool { return set.Entries[i].CIDR < set.Entries[j].CIDR })
		if k, ok := derived[set.Name]; ok && !o.DeclaredIPSets[set.Name] && k == ipsetKey(set) {
			continue
		}
		out = append(out, set)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func ipsetKey(set firewall.IPSet) string {
	entries := append([]firewall.IPSetEntry(nil), set.Entries...)
	sort.Slice(entries, func(i, j int) bool { return entries[i].CIDR < entries[j].CIDR })
	return fmt.Sprintf("%q %v", set.Comment, entries)
}

func observeRootFS(v string) RootFS {
	p := ParseProps(v, "volume")
	r := RootFS{Volume: p["volume"]}
	if st, _, ok := strings.Cut(r.Volume, ":"); ok {
		r.Storage = st
	}
	if sz := p["size"]; sz != "" {
		r.SizeGiB = sizeGiB(sz)
	}
	if m := p["mountoptions"]; m != "" {
		r.MountOptions = strings.Split(m, ";")
	}
	return r
}

// sizeGiB converts a PVE size ("8G", "8192M", "1T") to whole GiB (rounded up).
func sizeGiB(s string) int {
	unit := s[len(s)-1]
	num := s
	mult := 1.0 / (1 << 30)
	switch unit {
	case 'K':
		mult, num = 1.0/(1<<20), s[:len(s)-1]
	case 'M':
		mult, num = 1.0/(1<<10), s[:len(s)-1]
	case 'G':
		mult, num = 1, s[:len(s)-1]
	case 'T':
		mult, num = 1<<10, s[:len(s)-1]
	}
	f, _ := strconv.ParseFloat(num, 64)
	g := f * mult
	n := int(g)
	if float64(n) < g {
		n++
	}
	return n
}

func observeNIC(v string) NIC {
	p := ParseProps(v, "name")
	n := NIC{Name: p["name"], Bridge: p["bridge"], IPv4: p["ip"], GatewayIPv4: p["gw"], IPv6: p["ip6"],
		GatewayIPv6: p["gw6"], MAC: p["hwaddr"], Firewall: isTrue(p["firewall"]), VLAN: atoi(p["tag"]), MTU: atoi(p["mtu"])}
	if r := p["rate"]; r != "" {
		n.RateMbps, _ = strconv.ParseFloat(r, 64)
	}
	return n
}

// observeFirewall applies PVE's option defaults (enable 0, dhcp 0,
// macfilter 1, ndp 1, radv 0, ipfilter 0, policy_in DROP, policy_out ACCEPT).
func observeFirewall(opts map[string]string, rules []firewall.Rule) Firewall {
	get := func(k, def string) string {
		if v, ok := opts[k]; ok && v != "" {
			return v
		}
		return def
	}
	return Firewall{
		Enabled:     isTrue(get("enable", "0")),
		DHCP:        isTrue(get("dhcp", "0")),
		MACFilter:   isTrue(get("macfilter", "1")),
		IPFilter:    isTrue(get("ipfilter", "0")),
		NDP:         isTrue(get("ndp", "1")),
		RADV:        isTrue(get("radv", "0")),
		PolicyIn:    get("policy_in", "DROP"),
		PolicyOut:   get("policy_out", "ACCEPT"),
		LogLevelIn:  get("log_level_in", DefaultLogLevel),
		LogLevelOut: get("log_level_out", DefaultLogLevel),
		Rules:       rules,
	}
}
