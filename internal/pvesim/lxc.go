package pvesim

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/apischema"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/ctconf"
)

// typedValue encodes a config value the way PVE's JSON answer carries it:
// booleans and integers as numbers, "number" options (cpulimit) as strings.
func typedValue(key, v string) any {
	switch configKeyType(key) {
	case "boolean", "integer":
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return v
}

func vmidParam(rc *reqCtx) int { return rc.intParam("vmid", 0) }

// sectionView renders a config section as PVE's vm_config answer.
func sectionView(sec *ctconf.Section, digest string) map[string]any {
	out := map[string]any{}
	for k, v := range sec.Keys {
		out[k] = typedValue(k, v)
	}
	if sec.Description != "" {
		out["description"] = sec.Description
	}
	if len(sec.Env) > 0 {
		out["env"] = strings.Join(sec.Env, "\x00")
	}
	if len(sec.LXC) > 0 {
		pairs := make([][]string, 0, len(sec.LXC))
		for _, kv := range sec.LXC {
			pairs = append(pairs, []string{kv[0], kv[1]})
		}
		out["lxc"] = pairs
	}
	if digest != "" {
		out["digest"] = digest
	}
	return out
}

// currentSection is load_current_config: pending values merged in unless current.
func currentSection(c *ctconf.Config, current bool) *ctconf.Section {
	sec := c.Main.Clone()
	if current || c.Pending == nil {
		return sec
	}
	for _, k := range pendingKeys(c.Pending) {
		v, _ := c.Pending.Get(k)
		sec.Set(k, v)
	}
	keys, _ := parsePendingDelete(c.Pending.Delete)
	for _, k := range keys {
		sec.Del(k)
	}
	return sec
}

// handleConfigGet is GET /nodes/{node}/lxc/{vmid}/config.
func (s *Sim) handleConfigGet(rc *reqCtx) (any, error) {
	if rc.str("snapshot") != "" && rc.flag("current") {
		msg := "cannot use 'snapshot' parameter with 'current'"
		return nil, paramErr(map[string]string{"snapshot": msg, "current": msg})
	}
	c, err := s.loadConf(rc.str("node"), vmidParam(rc))
	if err != nil {
		return nil, err
	}
	if snap := rc.str("snapshot"); snap != "" {
		sec, ok := c.Snapshots[snap]
		if !ok {
			return nil, dief("snapshot '%s' does not exist", snap)
		}
		return sectionView(sec, c.Digest), nil
	}
	return sectionView(currentSection(c, rc.flag("current")), c.Digest), nil
}

// handlePending is GET /nodes/{node}/lxc/{vmid}/pending (config_with_pending_array).
func (s *Sim) handlePending(rc *reqCtx) (any, error) {
	c, err := s.loadConf(rc.str("node"), vmidParam(rc))
	if err != nil {
		return nil, err
	}
	pending := ctconf.NewSection()
	if c.Pending != nil {
		pending = c.Pending
	}
	delKeys, force := parsePendingDelete(pending.Delete)
	delFlag := func(k string) (int, bool) {
		f, ok := force[k]
		if !ok {
			return 0, false
		}
		if f {
			return 2, true
		}
		return 1, true
	}
	out := []map[string]any{}
	main := sectionView(c.Main, c.Digest)
	delete(main, "lxc")
	keys := make([]string, 0, len(main))
	for k := range main {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		item := map[string]any{"key": k, "value": main[k]}
		if pv, ok := pending.Get(k); ok {
			item["pending"] = typedValue(k, pv)
		}
		if d, ok := delFlag(k); ok {
			item["delete"] = d
		}
		out = append(out, item)
	}
	for _, k := range pendingKeys(pending) {
		if _, inMain := main[k]; inMain {
			continue
		}
		pv, _ := pending.Get(k)
		item := map[string]any{"key": k, "pending": typedValue(k, pv)}
		if d, ok := delFlag(k); ok {
			item["delete"] = d
		}
		out = append(out, item)
	}
	for _, k := range delKeys {
		if _, inMain := main[k]; inMain {
			continue
		}
		if _, inPending := pending.Get(k); inPending {
			continue
		}
		d, _ := delFlag(k)
		out = append(out, map[string]any{"key": k, "delete": d})
	}
	return out, nil
}

// handleConfigPut is PUT /nodes/{node}/lxc/{vmid}/config (update_vm): synchronous, returns null.
func (s *Sim) handleConfigPut(rc *reqCtx) (any, error) {
	node, vmid := rc.str("node"), vmidParam(rc)
	params := map[string]string{}
	for k, v := range rc.params {
		if k != "node" && k != "vmid" && k != "digest" {
			params[k] = v
		}
	}
	if len(params) == 0 {
		return nil, dief("no options specified")
	}
	del := splitList(params["delete"])
	revert := splitList(params["revert"])
	delete(params, "delete")
	delete(params, "revert")
	if v, ok := params["cpuunits"]; ok {
		params["cpuunits"] = strconv.Itoa(clampCPUShares(atoiDefault(v, 100)))
	}
	var hotplugErrs map[string]string
	err := s.withConfigLock(vmid, 10*time.Second, func() error {
		c, err := s.loadConf(node, vmid)
		if err != nil {
			return err
		}
		if lock := c.Main.Keys["lock"]; lock != "" {
			return dief("CT is locked (%s)", lock)
		}
		if d := rc.str("digest"); d != "" && d != c.Digest {
			return dief("detected modified configuration - file changed by other user? Try again.")
		}
		unpriv := c.Main.Keys["unprivileged"] == "1"
		if err := checkModifyPerm(rc, vmid, c.Main, nil, del, unpriv); err != nil {
			return err
		}
		if err := checkModifyPerm(rc, vmid, c.Main, nil, revert, unpriv); err != nil {
			return err
		}
		for _, opt := range revert {
			if !optionExists(opt) {
				return paramErr(map[string]string{"revert": fmt.Sprintf("unknown option '%s'", opt)})
			}
			if _, ok := params[opt]; ok {
				return paramErr(map[string]string{"revert": fmt.Sprintf("you can't use '-%s' and '-revert %s' at the same time", opt, opt)})
			}
		}
		for _, opt := range del {
			if !optionExists(opt) {
				return paramErr(map[string]string{"delete": fmt.Sprintf("unknown option '%s'", opt)})
			}
			if _, ok := params[opt]; ok {
				return paramErr(map[string]string{"delete": fmt.Sprintf("you can't use '-%s' and -delete %s' at the same time", opt, opt)})
			}
			for _, r := range revert {
				if r == opt {
					return paramErr(map[string]string{"delete": fmt.Sprintf("you can't use '-delete %s' and '-revert %s' at the same time", opt, opt)})
				}
			}
		}
		if err := checkModifyPerm(rc, vmid, c.Main, params, nil, unpriv); err != nil {
			return err
		}
		_, running := s.isRunning(vmid)
		errs, err := s.updateConfig(c, running, params, del, revert)
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			hotplugErrs = errs
			return nil
		}
		return s.writeConf(node, vmid, c)
	})
	if err != nil {
		return nil, err
	}
	if len(hotplugErrs) > 0 {
		return nil, paramErr(hotplugErrs)
	}
	return nil, nil
}

// clampCPUShares is PVE::CGroup::clamp_cpu_shares for cgroup v2: [1, 10000].
func clampCPUShares(v int) int { return min(max(v, 1), 10000) }

func parseFeatures(v string) map[string]string {
	kv, err := apischema.ParsePropertyString(propDict("features"), v)
	if err != nil || kv == nil {
		return map[string]string{}
	}
	return kv
}

func featuresOtherThanNestingChanged(oldV, newV string, isDelete bool) bool {
	if isDelete {
		f := parseFeatures(oldV)
		_, nest := f["nesting"]
		return len(f) > 1 || (len(f) == 1 && !nest)
	}
	nf := parseFeatures(newV)
	if oldV == "" {
		_, nest := nf["nesting"]
		return len(nf) > 1 || (len(nf) == 1 && !nest)
	}
	of := parseFeatures(oldV)
	for _, set := range []map[string]string{of, nf} {
		for k := range set {
			if k != "nesting" && of[k] != nf[k] {
				return true
			}
		}
	}
	return false
}

// handleList is GET /nodes/{node}/lxc (vmlist).
func (s *Sim) handleList(rc *reqCtx) (any, error) {
	node := rc.str("node")
	out := []map[string]any{}
	list := s.vmlist()
	for _, id := range sortedIDs(list) {
		if list[id].Node != node || !rc.can(fmt.Sprintf("/vms/%d", id), "VM.Audit") {
			continue
		}
		st, err := s.vmStatus(node, id)
		if err != nil {
			continue
		}
		out = append(out, st)
	}
	return out, nil
}

// vmStatus is PVE::LXC::vmstatus for one CT.
func (s *Sim) vmStatus(node string, vmid int) (map[string]any, error) {
	c, err := s.loadConf(node, vmid)
	if err != nil {
		return nil, err
	}
	conf := c.Main
	d := map[string]any{"vmid": vmid, "type": "lxc", "status": "stopped", "uptime": 0, "cpu": 0, "mem": 0,
		"swap": 0, "disk": 0, "netin": 0, "netout": 0, "diskread": 0, "diskwrite": 0}
	name := conf.Keys["hostname"]
	if name == "" {
		name = fmt.Sprintf("CT%d", vmid)
	}
	d["name"] = strings.Join(strings.Fields(name), "")
	switch {
	case conf.Keys["cores"] != "":
		d["cpus"] = typedValue("cores", conf.Keys["cores"])
	case conf.Keys["cpulimit"] != "" && conf.Keys["cpulimit"] != "0":
		d["cpus"] = conf.Keys["cpulimit"]
	default:
		d["cpus"] = nodeCPUs
	}
	if t := conf.Keys["tags"]; t != "" {
		d["tags"] = t
	}
	mem := int64(atoiDefault(conf.Keys["memory"], 512))
	if mem == 0 {
		mem = 512
	}
	d["maxmem"] = mem << 20
	d["maxswap"] = int64(atoiDefault(conf.Keys["swap"], 0)) << 20
	maxdisk := volumeSize(conf.Keys["rootfs"])
	if maxdisk == 0 {
		maxdisk = 4 << 30
	}
	d["maxdisk"] = maxdisk
	if conf.Keys["template"] == "1" {
		d["template"] = 1
	}
	if l := conf.Keys["lock"]; l != "" {
		d["lock"] = l
	}
	if st, ok := s.isRunning(vmid); ok && st.node == node {
		d["status"] = "running"
		d["pid"] = st.pid
		d["uptime"] = int64(time.Since(st.since).Seconds())
		d["mem"] = int64(32 << 20)
		d["disk"] = maxdisk / 10
	}
	return d, nil
}

const nodeCPUs = 16

// handleVMDirIndex is GET /nodes/{node}/lxc/{vmid}.
func (s *Sim) handleVMDirIndex(rc *reqCtx) (any, error) {
	if _, err := s.loadConf(rc.str("node"), vmidParam(rc)); err != nil {
		return nil, err
	}
	subdirs := []string{"config", "status", "vncproxy", "termproxy", "vncwebsocket", "spiceproxy", "migrate",
		"clone", "rrd", "rrddata", "firewall", "snapshot", "resize", "interfaces", "pending", "mtunnel",
		"mtunnelwebsocket", "remote_migrate"}
	out := make([]map[string]any, 0, len(subdirs))
	for _, sd := range subdirs {
		out = append(out, map[string]any{"subdir": sd})
	}
	return out, nil
}

// removeFile deletes a file, ignoring a missing one.
func removeFile(p string) error {
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}
