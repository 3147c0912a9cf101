package pvesim

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/apischema"
)

// handleInterfaces is GET /nodes/{node}/lxc/{vmid}/interfaces
// (PVE::LXC::get_interfaces): `ip --json a` in the running container's
// network namespace. A container that does not run (or does not exist: PVE
// only looks for its pid) answers null. The simulated namespace has the
// loopback and one interface per netN with the static addresses of its
// config (no link-local or DHCP address: nothing runs in it).
func (s *Sim) handleInterfaces(rc *reqCtx) (any, error) {
	node, vmid := rc.str("node"), vmidParam(rc)
	if st, running := s.isRunning(vmid); !running || st.node != node {
		return nil, nil
	}
	c, err := s.loadConf(node, vmid)
	if err != nil {
		return nil, nil //nolint:nilerr // PVE answers null when it finds no pid or config
	}
	out := []map[string]any{ifaceEntry("lo", "00:00:00:00:00:00", []string{"127.0.0.1/8", "::1/128"})}
	var nets []int
	for k := range c.Main.Keys {
		if n, ok := strings.CutPrefix(k, "net"); ok {
			if i, err := strconv.Atoi(n); err == nil {
				nets = append(nets, i)
			}
		}
	}
	sort.Ints(nets)
	for _, i := range nets {
		kv, err := apischema.ParsePropertyString(propDict("net0"), c.Main.Keys["net"+strconv.Itoa(i)])
		if err != nil {
			continue
		}
		var addrs []string
		for _, k := range []string{"ip", "ip6"} {
			if _, err := netip.ParsePrefix(kv[k]); err == nil {
				addrs = append(addrs, kv[k])
			}
		}
		out = append(out, ifaceEntry(kv["name"], strings.ToLower(kv["hwaddr"]), addrs))
	}
	return out, nil
}

// ifaceEntry is one interface as get_interfaces builds it: the family keys
// (inet, inet6: the last address of each family wins) and the address list.
func ifaceEntry(name, mac string, cidrs []string) map[string]any {
	e := map[string]any{"name": name, "hwaddr": mac, "hardware-address": mac}
	list := []map[string]any{}
	for _, c := range cidrs {
		p := netip.MustParsePrefix(c)
		fam := "inet"
		if p.Addr().Is6() {
			fam = "inet6"
		}
		e[fam] = c
		list = append(list, map[string]any{"ip-address-type": fam, "ip-address": p.Addr().String(), "prefix": p.Bits()})
	}
	e["ip-addresses"] = list
	return e
}
