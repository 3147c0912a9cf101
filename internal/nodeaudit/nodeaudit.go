// Package nodeaudit observes a PVE node's host posture (policy.NodeFacts)
// through the node channel (files under /sys, /proc, /etc and /etc/pve)
// and the API (the node's containers, the datacenter firewall). The
// parsers are pure functions; Observe only reads.
package nodeaudit

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	iofs "io/fs"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
)

// The node files the checks read.
const (
	AppArmorEnabledPath = "/sys/module/apparmor/parameters/enabled"
	MountsPath          = "/proc/mounts"
	SubUIDPath          = "/etc/subuid"
	SubGIDPath          = "/etc/subgid"
)

// AcceptRAPath is the accept_ra sysctl of an IPv6 conf ("all", "default").
func AcceptRAPath(conf string) string { return "/proc/sys/net/ipv6/conf/" + conf + "/accept_ra" }

// HostFWPath is the node's host firewall file.
func HostFWPath(node string) string { return "/etc/pve/nodes/" + node + "/host.fw" }

// DefaultIdmap is the host range PVE maps an unprivileged container to when
// its config has no lxc.idmap line (src/PVE/LXC.pm: 100000, 65536).
var DefaultIdmap = policy.IDRange{Start: 100000, Count: 65536}

// Container is one container on the node: its VMID, whether it is
// unprivileged and its raw lxc lines.
type Container struct {
	VMID         int
	Unprivileged bool
	LXC          []pctconf.Line
}

// Observe reads node's facts; dcFirewall is the datacenter firewall's
// state (read by the caller through the API, once for all nodes).
func Observe(ctx context.Context, fs nodefs.FS, node string, cts []Container, dcFirewall bool) policy.NodeFacts {
	f := policy.NodeFacts{Node: node, DatacenterFirewall: dcFirewall, AcceptRA: map[string]string{}, Unread: map[string]string{}}
	read := func(p string, missingOK bool) ([]byte, bool) {
		b, err := fs.ReadFile(ctx, p)
		if err != nil {
			if missingOK && errors.Is(err, iofs.ErrNotExist) {
				return nil, true
			}
			f.Unread[p] = err.Error()
			return nil, false
		}
		return b, true
	}
	if b, ok := read(AppArmorEnabledPath, false); ok {
		f.AppArmorEnabled = strings.TrimSpace(string(b)) == "Y"
	}
	if b, ok := read(MountsPath, false); ok {
		f.CgroupMounts = ParseCgroupMounts(b)
	}
	for _, conf := range []string{"all", "default"} {
		if b, ok := read(AcceptRAPath(conf), false); ok {
			f.AcceptRA[conf] = strings.TrimSpace(string(b))
		}
	}
	if b, ok := read(SubUIDPath, false); ok {
		f.SubUID = ParseSubIDs(b, "root")
	}
	if b, ok := read(SubGIDPath, false); ok {
		f.SubGID = ParseSubIDs(b, "root")
	}
	if b, ok := read(HostFWPath(node), true); ok {
		f.HostFirewall = HostFirewallEnable(b)
	} else {
		f.Unread["host.fw"] = f.Unread[HostFWPath(node)]
	}
	for _, ct := range cts {
		if ct.Unprivileged {
			f.Idmaps = append(f.Idmaps, Idmap(ct))
		}
	}
	return f
}

// ParseCgroupMounts lists the /proc/mounts entries at or under
// /sys/fs/cgroup (octal escapes in paths are left as they are).
func ParseCgroupMounts(b []byte) []policy.CgroupMount {
	var out []policy.CgroupMount
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		if fields[1] == "/sys/fs/cgroup" || strings.HasPrefix(fields[1], "/sys/fs/cgroup/") {
			out = append(out, policy.CgroupMount{Path: fields[1], FSType: fields[2]})
		}
	}
	return out
}

// ParseSubIDs reads user's ranges from /etc/subuid or /etc/subgid lines
// "name:start:count" (shadow-utils' format; malformed lines skipped).
func ParseSubIDs(b []byte, user string) []policy.IDRange {
	var out []policy.IDRange
	for _, line := range strings.Split(string(b), "\n") {
		parts := strings.Split(strings.TrimSpace(line), ":")
		if len(parts) != 3 || parts[0] != user {
			continue
		}
		start, err1 := strconv.ParseInt(parts[1], 10, 64)
		count, err2 := strconv.ParseInt(parts[2], 10, 64)
		if err1 == nil && err2 == nil && start >= 0 && count > 0 {
			out = append(out, policy.IDRange{Start: start, Count: count})
		}
	}
	return out
}

// HostFirewallEnable is host.fw's [OPTIONS] enable value ("" when unset).
// Option lines are "key: value" (pve-firewall's parser, keys case-folded);
// the last one wins.
func HostFirewallEnable(b []byte) string {
	section, val := "", ""
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			section = strings.ToUpper(strings.TrimSpace(strings.Trim(line, "[]")))
			continue
		}
		if section != "OPTIONS" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "enable") {
			val = strings.TrimSpace(v)
		}
	}
	return val
}

// Idmap is a container's host ID ranges: its lxc.idmap lines ("u|g
// <container id> <host id> <count>", LXC's last-empty-clears semantics),
// or DefaultIdmap for both when it has none.
func Idmap(ct Container) policy.ContainerIdmap {
	m := policy.ContainerIdmap{VMID: ct.VMID}
	seen := false
	for _, l := range ct.LXC {
		if l.Key != "lxc.idmap" {
			continue
		}
		seen = true
		fields := strings.Fields(l.Value)
		if len(fields) == 0 {
			m.UID, m.GID = nil, nil // an empty value clears every earlier one
			continue
		}
		if len(fields) != 4 {
			continue
		}
		host, err1 := strconv.ParseInt(fields[2], 10, 64)
		count, err2 := strconv.ParseInt(fields[3], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		r := policy.IDRange{Start: host, Count: count}
		switch fields[0] {
		case "u":
			m.UID = append(m.UID, r)
		case "g":
			m.GID = append(m.GID, r)
		}
	}
	if !seen {
		m.UID, m.GID = []policy.IDRange{DefaultIdmap}, []policy.IDRange{DefaultIdmap}
	}
	return m
}
