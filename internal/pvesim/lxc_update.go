package pvesim

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/apischema"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/ctconf"
)

// fastplugOptions apply at once even on a running CT ($LXC_FASTPLUG_OPTIONS).
var fastplugOptions = map[string]bool{
	"description": true, "onboot": true, "startup": true, "protection": true, "hostname": true,
	"hookscript": true, "cores": true, "tags": true, "lock": true,
}

// hotplugOptions are applied to a running CT by vmconfig_hotplug_pending.
func hotpluggable(opt string) bool {
	switch opt {
	case "cpulimit", "cpuunits", "memory", "swap":
		return true
	}
	return reNetKey.MatchString(opt)
}

var (
	reNetKey  = regexp.MustCompile(`^net\d+$`)
	reMPKey   = regexp.MustCompile(`^mp\d+$`)
	reDevKey  = regexp.MustCompile(`^dev\d+$`)
	reNewDisk = regexp.MustCompile(`^([^:\s]+):(\d+(\.\d+)?)$`)
)

func configSchema() *apischema.Method {
	return apischema.Embedded().Method("PUT", "/nodes/{node}/lxc/{vmid}/config")
}

func propDict(key string) map[string]*apischema.Param {
	if p := configSchema().ParamFor(key); p != nil {
		return p.Dict
	}
	return nil
}

// optionExists is PVE::LXC::Config->option_exists.
func optionExists(opt string) bool { return configSchema().ParamFor(opt) != nil && !isMetaParam(opt) }

func isMetaParam(k string) bool {
	switch k {
	case "node", "vmid", "digest", "delete", "revert":
		return true
	}
	return false
}

// splitList is PVE::Tools::split_list.
func splitList(s string) []string {
	if strings.Contains(s, "\x00") {
		return strings.Split(s, "\x00")
	}
	return strings.Fields(strings.NewReplacer(",", " ", ";", " ").Replace(s))
}

// uniqueTags is PVE::GuestHelpers::get_unique_tags (sorted, de-duplicated, ';'-joined).
func uniqueTags(v string) string {
	seen := map[string]bool{}
	var out []string
	for _, t := range splitList(v) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ";")
}

// parsePendingDelete is parse_pending_delete: "!key" means force.
func parsePendingDelete(s string) (keys []string, force map[string]bool) {
	force = map[string]bool{}
	for _, e := range splitList(s) {
		k := strings.TrimPrefix(e, "!")
		if k == "" {
			continue
		}
		if _, dup := force[k]; !dup {
			keys = append(keys, k)
		}
		force[k] = strings.HasPrefix(e, "!")
	}
	return keys, force
}

func printPendingDelete(keys []string, force map[string]bool) string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if force[k] {
			out = append(out, "!"+k)
		} else {
			out = append(out, k)
		}
	}
	return strings.Join(out, ",")
}

func addPendingDelete(c *ctconf.Config, opt string) {
	pend := ensurePending(c)
	keys, force := parsePendingDelete(pend.Delete)
	if _, ok := force[opt]; !ok {
		keys = append(keys, opt)
		force[opt] = false
	}
	pend.Delete = printPendingDelete(keys, force)
	pend.Del(opt)
}

func removePendingDelete(c *ctconf.Config, opt string) {
	if c.Pending == nil {
		return
	}
	keys, force := parsePendingDelete(c.Pending.Delete)
	var kept []string
	for _, k := range keys {
		if k != opt {
			kept = append(kept, k)
		}
	}
	c.Pending.Delete = printPendingDelete(kept, force)
}

func ensurePending(c *ctconf.Config) *ctconf.Section {
	if c.Pending == nil {
		c.Pending = ctconf.NewSection()
	}
	return c.Pending
}

// normalizeNet is parse_lxc_network + print_lxc_network: type=veth and a
// generated hwaddr (prefix BC:24:11, PVE's default mac_prefix) are added.
func (s *Sim) normalizeNet(value string) (string, error) {
	dict := propDict("net0")
	kv, err := apischema.ParsePropertyString(dict, value)
	if err != nil {
		return "", err
	}
	kv["type"] = "veth"
	if kv["hwaddr"] == "" {
		b := s.macRNG.bytes(3)
		kv["hwaddr"] = fmt.Sprintf("BC:24:11:%02X:%02X:%02X", b[0], b[1], b[2])
	}
	return apischema.PrintPropertyString(dict, kv), nil
}

// updateConfig is update_pct_config: deletes and new values go to the pending
// section, then they are applied (stopped CT) or hot-plugged (running CT).
// It returns PVE's per-option hotplug/apply errors (a 400 for the caller).
func (s *Sim) updateConfig(c *ctconf.Config, running bool, params map[string]string, del, revert []string) (map[string]string, error) {
	for _, opt := range revert {
		if c.Pending != nil {
			c.Pending.Del(opt)
		}
		removePendingDelete(c, opt)
	}
	for _, opt := range del {
		_, inMain := c.Main.Get(opt)
		inPending := false
		if c.Pending != nil {
			_, inPending = c.Pending.Get(opt)
		}
		if !inMain && !inPending {
			s.logf("cannot delete '%s' - not set in current configuration!", opt)
			continue
		}
		switch {
		case opt == "memory" || opt == "rootfs" || opt == "ostype":
			return nil, dief("unable to delete required option '%s'", opt)
		case strings.HasPrefix(opt, "unused") || reMPKey.MatchString(opt):
			if p, _ := c.Main.Get("protection"); p == "1" {
				return nil, dief("can't remove CT %d drive '%s' - protection mode enabled", c.VMID, opt)
			}
		case opt == "unprivileged":
			return nil, dief("unable to delete read-only option: '%s'", opt)
		}
		addPendingDelete(c, opt)
	}
	opts := make([]string, 0, len(params))
	for k := range params {
		opts = append(opts, k)
	}
	sort.Strings(opts)
	for _, opt := range opts {
		value := params[opt]
		switch {
		case opt == "rootfs" || reMPKey.MatchString(opt):
			if p, _ := c.Main.Get("protection"); p == "1" {
				return nil, dief("can't update CT %d drive '%s' - protection mode enabled", c.VMID, opt)
			}
			if err := s.checkRootdirContent(value); err != nil {
				return nil, err
			}
		case opt == "unprivileged":
			return nil, dief("unable to modify read-only option: '%s'", opt)
		case opt == "tags":
			value = uniqueTags(value)
		case opt == "nameserver" || opt == "searchdomain":
			value = strings.Join(splitList(value), " ")
		case reNetKey.MatchString(opt):
			kv, err := apischema.ParsePropertyString(propDict(opt), value)
			if err != nil {
				return nil, dief("%s: %v", opt, err)
			}
			if mtu := kv["mtu"]; mtu != "" && atoiDefault(mtu, 0) > bridgeMTU {
				return nil, dief("%s: MTU size '%s' is bigger than bridge MTU '%d'", opt, mtu, bridgeMTU)
			}
			if kv["link_down"] != "1" && kv["host-managed"] == "1" && kv["ip6"] == "auto" {
				return nil, dief("%s: SLAAC is not supported for host-managed network configuration.", opt)
			}
		case reDevKey.MatchString(opt):
			kv, err := apischema.ParsePropertyString(propDict(opt), value)
			if err != nil {
				return nil, dief("%s: %v", opt, err)
			}
			if kv["path"] == "" {
				return nil, dief("Path is not defined for passthrough device %s", opt)
			}
		}
		ensurePending(c).Set(opt, value)
		removePendingDelete(c, opt)
	}
	cleanupPending(c)
	errs := map[string]string{}
	if running {
		s.hotplugPending(c, errs)
	} else {
		s.applyPending(c, errs)
	}
	return errs, nil
}

// cleanupPending drops pending values equal to the current ones (cleanup_pending).
func cleanupPending(c *ctconf.Config) {
	if c.Pending == nil {
		return
	}
	for k, v := range c.Pending.Keys {
		if cur, ok := c.Main.Get(k); ok && cur == v {
			delete(c.Pending.Keys, k)
		}
	}
	if c.Pending.Description != "" && c.Pending.Description == c.Main.Description {
		c.Pending.Description = ""
	}
	keys, force := parsePendingDelete(c.Pending.Delete)
	var kept []string
	for _, k := range keys {
		if _, ok := c.Main.Get(k); ok {
			kept = append(kept, k)
		}
	}
	c.Pending.Delete = printPendingDelete(kept, force)
}

func pendingKeys(sec *ctconf.Section) []string {
	keys := make([]string, 0, len(sec.Keys)+1)
	for k := range sec.Keys {
		keys = append(keys, k)
	}
	if sec.Description != "" {
		keys = append(keys, "description")
	}
	if len(sec.Env) > 0 {
		keys = append(keys, "env")
	}
	sort.Strings(keys)
	return keys
}

// hotplugPending applies fast-plug and hot-pluggable options to a running CT;
// the rest stays pending until the next start.
func (s *Sim) hotplugPending(c *ctconf.Config, errs map[string]string) {
	if c.Pending == nil {
		return
	}
	keys, _ := parsePendingDelete(c.Pending.Delete)
	for _, opt := range keys {
		if fastplugOptions[opt] || hotpluggable(opt) {
			c.Main.Del(opt)
			removePendingDelete(c, opt)
		}
	}
	for _, opt := range pendingKeys(c.Pending) {
		if !(fastplugOptions[opt] || hotpluggable(opt)) {
			continue
		}
		v, _ := c.Pending.Get(opt)
		if reNetKey.MatchString(opt) {
			nv, err := s.normalizeNet(v)
			if err != nil {
				errs[opt] = "unable to hotplug " + opt + ": " + err.Error()
				continue
			}
			v = nv
		}
		c.Main.Set(opt, v)
		c.Pending.Del(opt)
	}
}

// applyPending is vmconfig_apply_pending for a stopped CT (and at start).
func (s *Sim) applyPending(c *ctconf.Config, errs map[string]string) {
	if c.Pending == nil {
		return
	}
	keys, _ := parsePendingDelete(c.Pending.Delete)
	for _, opt := range keys {
		c.Main.Del(opt)
		removePendingDelete(c, opt)
	}
	cleanupPending(c)
	taken := map[string]bool{}
	for _, opt := range pendingKeys(c.Pending) {
		v, _ := c.Pending.Get(opt)
		switch {
		case reNetKey.MatchString(opt):
			nv, err := s.normalizeNet(v)
			if err != nil {
				errs[opt] = "unable to apply pending change " + opt + " : " + err.Error()
				continue
			}
			v = nv
		case opt == "rootfs" || reMPKey.MatchString(opt):
			nv, err := s.allocVolume(c.VMID, opt, v, taken)
			if err != nil {
				errs[opt] = "unable to apply pending change " + opt + " : " + err.Error()
				continue
			}
			v = nv
		}
		c.Main.Set(opt, v)
		c.Pending.Del(opt)
	}
	if c.Pending.Delete == "" && len(c.Pending.Keys) == 0 && c.Pending.Description == "" && len(c.Pending.Env) == 0 {
		c.Pending = nil
	}
}

const bridgeMTU = 1500

func atoiDefault(s string, def int) int {
	n := 0
	if s == "" {
		return def
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return def
		}
		n = n*10 + int(r-'0')
	}
	return n
}
