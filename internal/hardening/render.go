package hardening

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
)

var reDevKey = regexp.MustCompile(`^dev\d+$`)

func b01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// NetValue renders a NIC as PVE's net[n] property string (required key
// first, the rest alphabetically, like print_property_string). The firewall
// flag is always written.
func NetValue(n NIC) string {
	kv := map[string]string{"bridge": n.Bridge, "firewall": b01(n.Firewall), "type": "veth"}
	set := func(k, v string) {
		if v != "" {
			kv[k] = v
		}
	}
	set("ip", n.IPv4)
	set("gw", n.GatewayIPv4)
	set("ip6", n.IPv6)
	set("gw6", n.GatewayIPv6)
	set("hwaddr", n.MAC)
	if n.VLAN > 0 {
		kv["tag"] = strconv.Itoa(n.VLAN)
	}
	if n.RateMbps > 0 {
		kv["rate"] = fmtFloat(n.RateMbps)
	}
	if n.MTU > 0 {
		kv["mtu"] = strconv.Itoa(n.MTU)
	}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := []string{"name=" + n.Name}
	for _, k := range keys {
		parts = append(parts, k+"="+kv[k])
	}
	return strings.Join(parts, ",")
}

// FeaturesValue renders `features` ("" when nothing is enabled).
func FeaturesValue(f Features) string {
	var parts []string
	for _, x := range []struct {
		k  string
		on bool
	}{{"fuse", f.Fuse}, {"keyctl", f.Keyctl}, {"mknod", f.Mknod}, {"nesting", f.Nesting}} {
		if x.on {
			parts = append(parts, x.k+"=1")
		}
	}
	if len(f.Mount) > 0 {
		parts = append(parts, "mount="+strings.Join(f.Mount, ";"))
	}
	return strings.Join(parts, ",")
}

// StartupValue renders `startup` ("" when unset).
func StartupValue(s Startup) string {
	var parts []string
	if s.Order > 0 {
		parts = append(parts, "order="+strconv.Itoa(s.Order))
	}
	if s.Up > 0 {
		parts = append(parts, "up="+strconv.Itoa(s.Up))
	}
	if s.Down > 0 {
		parts = append(parts, "down="+strconv.Itoa(s.Down))
	}
	return strings.Join(parts, ",")
}

// RootFSValue renders `rootfs`: on create "<storage>:<GiB>", afterwards the
// observed volume id; mount options and size follow.
func RootFSValue(r RootFS, create bool) string {
	v := r.Volume
	if create || v == "" {
		v = r.Storage + ":" + strconv.Itoa(r.SizeGiB)
	}
	if len(r.MountOptions) > 0 {
		v += ",mountoptions=" + strings.Join(r.MountOptions, ";")
	}
	if !create {
		v += ",size=" + strconv.Itoa(r.SizeGiB) + "G"
	}
	return v
}

// ConfigParams are the API-settable config keys the Spec manages, as PVE
// stores them (values as strings). Keys absent here are to be absent on the
// container. Create-only keys (ostemplate, password, ...) are not included.
func ConfigParams(s Spec) map[string]string {
	p := map[string]string{
		"hostname": s.Hostname,
		"arch":     s.Arch,
		"cores":    strconv.Itoa(s.Cores),
		"cpuunits": strconv.Itoa(s.CPUUnits),
		"memory":   strconv.Itoa(s.MemoryMiB),
		"swap":     strconv.Itoa(s.SwapMiB),
		"onboot":   b01(s.OnBoot),
		"tty":      strconv.Itoa(s.TTY),
		"console":  b01(s.Console),
		"cmode":    s.CMode,
	}
	if s.Protection {
		p["protection"] = "1"
	}
	if s.Cores == 0 {
		delete(p, "cores")
	}
	if s.CPULimit > 0 {
		p["cpulimit"] = fmtFloat(s.CPULimit)
	}
	if s.Description != "" {
		p["description"] = s.Description
	}
	if len(s.Tags) > 0 {
		p["tags"] = strings.Join(SortedUnique(s.Tags), ";")
	}
	if v := FeaturesValue(s.Features); v != "" {
		p["features"] = v
	}
	if v := StartupValue(s.Startup); v != "" {
		p["startup"] = v
	}
	if s.Timezone != "" {
		p["timezone"] = s.Timezone
	}
	if len(s.Nameservers) > 0 {
		p["nameserver"] = strings.Join(s.Nameservers, " ")
	}
	if s.SearchDomain != "" {
		p["searchdomain"] = s.SearchDomain
	}
	for i, n := range s.NICs {
		p["net"+strconv.Itoa(i)] = NetValue(n)
	}
	if len(s.Environment) > 0 {
		p["env"] = strings.Join(SortedUnique(s.Environment), "\x00")
	}
	return p
}

// MountPointValue renders a mount point as PVE's mp[n] property string:
// a new volume as "<storage>:<GiB>", an existing one by its volume id and
// size, a bind mount by its host path.
func MountPointValue(m MountPoint, create bool) string {
	vol := m.HostPath
	if !m.IsBind() {
		vol = m.Volume
		if create || vol == "" {
			vol = m.Storage + ":" + strconv.Itoa(m.SizeGiB)
		}
	}
	parts := []string{vol, "mp=" + m.Path}
	if m.Backup && !m.IsBind() {
		parts = append(parts, "backup=1")
	}
	if len(m.MountOptions) > 0 {
		parts = append(parts, "mountoptions="+strings.Join(SortedUnique(m.MountOptions), ";"))
	}
	if m.ReadOnly {
		parts = append(parts, "ro=1")
	}
	if !m.IsBind() && !create && vol == m.Volume {
		parts = append(parts, "size="+strconv.Itoa(m.SizeGiB)+"G")
	}
	return strings.Join(parts, ",")
}

// DeviceValue renders a device as PVE's dev[n] property string.
func DeviceValue(d Device) string {
	parts := []string{d.Path}
	if d.DenyWrite {
		parts = append(parts, "deny-write=1")
	}
	if d.GID != 0 {
		parts = append(parts, "gid="+strconv.Itoa(d.GID))
	}
	if d.Mode != "" {
		parts = append(parts, "mode="+d.Mode)
	}
	if d.UID != 0 {
		parts = append(parts, "uid="+strconv.Itoa(d.UID))
	}
	return strings.Join(parts, ",")
}

// FileKeys are the config keys the provider writes through the node
// channel, beside the raw lxc.* lines: device passthrough, bind mounts and
// the hookscript. PVE lets only root@pam set them through the API (an API
// token of root@pam is refused), and the node channel is root on the node.
func FileKeys(s Spec) map[string]string {
	out := map[string]string{}
	for i, d := range s.Devices {
		out["dev"+strconv.Itoa(i)] = DeviceValue(d)
	}
	for i, m := range s.MountPoints {
		if m.IsBind() {
			out["mp"+strconv.Itoa(i)] = MountPointValue(m, false)
		}
	}
	if s.Hookscript != "" {
		out["hookscript"] = s.Hookscript
	}
	return out
}

// FileOwnedKey reports whether the node channel owns a main-section key of
// the pct.conf for s: it removes the key unless FileKeys(s) sets it.
// Unmanaged keys (and positional keys after a gap) are removed for every
// container; devices and the hookscript are the channel's own; an mp[n]
// is when s wants a bind mount there.
//
// A volume's mp[n] line is never removed here: the API deletes unwanted
// mount points first and keeps a removed volume as unusedN, where a file
// edit would orphan it.
func FileOwnedKey(s Spec, key string, present map[string]string) bool {
	if m := reIndexed.FindStringSubmatch(key); m != nil && m[1] == "mp" {
		i, _ := strconv.Atoi(m[2])
		return i < len(s.MountPoints) && s.MountPoints[i].IsBind() && ParseMountPoint(present[key]).IsBind()
	}
	if key == "hookscript" || reDevKey.MatchString(key) {
		return true
	}
	return ClassifyKey(key).Class == KeyUnmanaged || beyondGap(present, key)
}

// CreateParams are the parameters of POST /nodes/{node}/lxc.
func CreateParams(s Spec) map[string]any {
	out := map[string]any{}
	for k, v := range ConfigParams(s) {
		out[k] = v
	}
	out["vmid"] = s.VMID
	out["ostemplate"] = s.OSTemplate
	out["unprivileged"] = 1
	out["rootfs"] = RootFSValue(s.RootFS, true)
	out["start"] = 0
	for i, m := range s.MountPoints {
		if !m.IsBind() {
			out["mp"+strconv.Itoa(i)] = MountPointValue(m, true)
		}
	}
	if s.RootPassword != "" {
		out["password"] = s.RootPassword
	}
	if len(s.SSHPublicKeys) > 0 {
		out["ssh-public-keys"] = strings.Join(s.SSHPublicKeys, "\n") + "\n"
	}
	return out
}

// LXCLines are the raw lxc.* lines the provider writes into the pct.conf:
// the typed keys, then the raw_lxc lines in their order. The provider owns
// every lxc.* line of the file (except lxc.environment.runtime, which is
// PVE's env).
func LXCLines(s Spec) []pctconf.Line {
	var out []pctconf.Line
	if s.Capabilities.KeepMode {
		keep := "none"
		if len(s.Capabilities.Keep) > 0 {
			keep = strings.Join(SortedUnique(s.Capabilities.Keep), " ")
		}
		out = append(out, pctconf.Line{Key: "lxc.cap.keep", Value: keep})
	} else if len(s.Capabilities.Drop) > 0 {
		out = append(out, pctconf.Line{Key: "lxc.cap.drop", Value: strings.Join(SortedUnique(s.Capabilities.Drop), " ")})
	}
	out = append(out, pctconf.Line{Key: "lxc.cgroup2.pids.max", Value: strconv.Itoa(s.PidsMax)})
	if s.AppArmorProfile != "" && s.AppArmorProfile != AppArmorPVE {
		out = append(out, pctconf.Line{Key: "lxc.apparmor.profile", Value: AppArmorProfileName(s)})
	}
	if p := SeccompProfilePath(s); p != "" || s.Seccomp.Mode == SeccompCustom {
		out = append(out, pctconf.Line{Key: "lxc.seccomp.profile", Value: p})
	}
	names := make([]string, 0, len(s.PRLimits))
	for n := range s.PRLimits {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, pctconf.Line{Key: prlimitPrefix + n, Value: s.PRLimits[n]})
	}
	return append(out, s.RawLXC...)
}

// RenderLXCLines renders lines as they appear in the pct.conf.
func RenderLXCLines(lines []pctconf.Line) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.Key + ": " + l.Value
	}
	return out
}

// FirewallConfig is the container's .fw model.
func FirewallConfig(s Spec) firewall.Config {
	f := s.Firewall
	bp := func(b bool) *bool { return &b }
	return firewall.Config{
		Options: firewall.Options{
			Enable: bp(f.Enabled), DHCP: bp(f.DHCP), IPFilter: bp(f.IPFilter), MACFilter: bp(f.MACFilter),
			NDP: bp(f.NDP), RADV: bp(f.RADV), PolicyIn: f.PolicyIn, PolicyOut: f.PolicyOut,
			LogLevelIn: f.LogLevelIn, LogLevelOut: f.LogLevelOut,
		},
		Aliases: f.Aliases,
		IPSets:  append(append([]firewall.IPSet(nil), f.IPSets...), DerivedIPFilterSets(s)...),
		Rules:   f.Rules,
	}
}

// SortedUnique returns the sorted set of the non-empty strings.
func SortedUnique(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
