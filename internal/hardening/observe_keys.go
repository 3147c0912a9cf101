package hardening

import (
	"sort"
	"strconv"
	"strings"
)

// modeledProps are the sub-options of property-string keys the Spec
// models; any other sub-option set on the container is unmanaged drift
// (e.g. `net0: ...,link_down=1` or `mp0: ...,shared=1`).
var modeledProps = map[string]map[string]bool{
	"net[n]": {"name": true, "bridge": true, "firewall": true, "type": true, "ip": true, "gw": true, "ip6": true,
		"gw6": true, "hwaddr": true, "tag": true, "rate": true, "mtu": true},
	"mp[n]":  {"volume": true, "mp": true, "size": true, "mountoptions": true, "ro": true, "backup": true},
	"dev[n]": {"path": true, "mode": true, "uid": true, "gid": true, "deny-write": true},
	"rootfs": {"volume": true, "size": true, "mountoptions": true},
}

// defaultKeyOf is the property string's default key (its bare first value).
var defaultKeyOf = map[string]string{"net[n]": "name", "mp[n]": "volume", "dev[n]": "path", "rootfs": "volume"}

// unmanagedKeys lists, as "key: value" (sorted), the config keys of the
// Unmanaged class and the unmodeled sub-options of modeled property
// strings.
func unmanagedKeys(c map[string]string) []string {
	var out []string
	for k, v := range c {
		info := ClassifyKey(k)
		if info.Class == KeyUnmanaged || beyondGap(c, k) {
			out = append(out, k+": "+v)
			continue
		}
		pattern := k
		if m := reIndexed.FindStringSubmatch(k); m != nil {
			pattern = m[1] + "[n]"
		}
		if known, ok := modeledProps[pattern]; ok {
			var extra []string
			for pk, pv := range ParseProps(v, defaultKeyOf[pattern]) {
				if !known[pk] {
					extra = append(extra, pk+"="+pv)
				}
			}
			if len(extra) > 0 {
				sort.Strings(extra)
				out = append(out, k+": "+strings.Join(extra, ","))
			}
		}
	}
	sort.Strings(out)
	return out
}

// positional are the indexed keys the Spec holds as lists.
var positional = map[string]bool{"net": true, "mp": true, "dev": true}

// beyondGap reports whether k is a positional key (net3) after a missing
// index (no net2): the Spec's lists end at the first gap, so such a key is
// not part of them and is drift.
func beyondGap(c map[string]string, k string) bool {
	m := reIndexed.FindStringSubmatch(k)
	if m == nil || !positional[m[1]] {
		return false
	}
	n, _ := strconv.Atoi(m[2])
	for i := 0; i < n; i++ {
		if _, ok := c[m[1]+strconv.Itoa(i)]; !ok {
			return true
		}
	}
	return false
}

// indexed returns the values of key<n> in index order, stopping at the
// first gap (positional lists, like NICs).
func indexed(c map[string]string, prefix string, limit int) []string {
	var out []string
	for i := 0; i < limit; i++ {
		v, ok := c[prefix+strconv.Itoa(i)]
		if !ok {
			break
		}
		out = append(out, v)
	}
	return out
}

// MaxMountPoints and MaxDevices are PVE's index limits (mp0..mp255, dev0..dev255).
const (
	MaxMountPoints = 256
	MaxDevices     = 256
)

func observeMountPoints(c map[string]string) []MountPoint {
	var out []MountPoint
	for _, v := range indexed(c, "mp", MaxMountPoints) {
		out = append(out, ParseMountPoint(v))
	}
	return out
}

// ParseMountPoint reads an mp[n] value.
func ParseMountPoint(v string) MountPoint {
	p := ParseProps(v, "volume")
	m := MountPoint{Path: p["mp"], ReadOnly: isTrue(p["ro"]), Backup: isTrue(p["backup"])}
	if o := p["mountoptions"]; o != "" {
		m.MountOptions = SortedUnique(strings.Split(o, ";"))
	}
	vol := p["volume"]
	if strings.HasPrefix(vol, "/") {
		m.HostPath = vol
		return m
	}
	m.Volume = vol
	m.Storage, _, _ = strings.Cut(vol, ":")
	if sz := p["size"]; sz != "" {
		m.SizeGiB = sizeGiB(sz)
	}
	return m
}

func observeDevices(c map[string]string) []Device {
	var out []Device
	for _, v := range indexed(c, "dev", MaxDevices) {
		p := ParseProps(v, "path")
		out = append(out, Device{Path: p["path"], Mode: p["mode"], UID: atoi(p["uid"]), GID: atoi(p["gid"]), DenyWrite: isTrue(p["deny-write"])})
	}
	return out
}
