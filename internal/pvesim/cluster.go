package pvesim

import (
	"fmt"
	"strconv"
	"strings"
)

// Version reported by GET /version (PVE 9.1).
const (
	PVEVersion = "9.1.2"
	PVERelease = "9.1"
	PVERepoID  = "8b3d4f1a"
)

func (s *Sim) handleVersion(rc *reqCtx) (any, error) {
	return map[string]any{"version": PVEVersion, "release": PVERelease, "repoid": PVERepoID}, nil
}

// handleNextID is GET /cluster/nextid: a JSON string, like PVE.
func (s *Sim) handleNextID(rc *reqCtx) (any, error) {
	list := s.vmlist()
	if rc.has("vmid") {
		id := rc.intParam("vmid", 0)
		if _, taken := list[id]; taken {
			return nil, paramErr(map[string]string{"vmid": fmt.Sprintf("VM %d already exists", id)})
		}
		return strconv.Itoa(id), nil
	}
	const lower, upper = 100, 1000000
	for i := lower; i < upper; i++ {
		if _, taken := list[i]; !taken {
			return strconv.Itoa(i), nil
		}
	}
	return nil, dief("unable to get any free VMID in range [%d, %d]", lower, upper)
}

func (s *Sim) nodeEntry(n string) map[string]any {
	return map[string]any{"id": "node/" + n, "node": n, "type": "node", "status": "online", "level": "",
		"uptime": 86400, "cpu": 0.03, "maxcpu": nodeCPUs, "mem": int64(4 << 30), "maxmem": int64(64 << 30),
		"disk": int64(10 << 30), "maxdisk": int64(100 << 30)}
}

// handleNodes is GET /nodes.
func (s *Sim) handleNodes(rc *reqCtx) (any, error) {
	out := []map[string]any{}
	for _, n := range s.nodes {
		e := s.nodeEntryFor(rc, n)
		e["ssl_fingerprint"] = s.certFP
		out = append(out, e)
	}
	return out, nil
}

// handleNodeStatus is GET /nodes/{node}/status.
func (s *Sim) handleNodeStatus(rc *reqCtx) (any, error) {
	return map[string]any{
		"uptime": 86400, "cpu": 0.03, "wait": 0, "idle": 0, "loadavg": []string{"0.10", "0.08", "0.05"},
		"kversion":   "Linux 6.17.2-1-pve #1 SMP PREEMPT_DYNAMIC PMX 6.17.2-1 (2025-10-21T11:55Z) x86_64",
		"pveversion": "pve-manager/" + PVEVersion + "/" + PVERepoID,
		"cpuinfo": map[string]any{"cpus": nodeCPUs, "cores": 8, "sockets": 1, "model": "Simulated CPU", "mhz": "3000.000", "hvm": "1", "user_hz": 100,
			"flags": ""},
		"memory":    map[string]any{"total": int64(64 << 30), "used": int64(4 << 30), "free": int64(60 << 30), "available": int64(60 << 30)},
		"swap":      map[string]any{"total": int64(8 << 30), "used": 0, "free": int64(8 << 30)},
		"rootfs":    map[string]any{"total": int64(100 << 30), "used": int64(10 << 30), "free": int64(90 << 30), "avail": int64(90 << 30)},
		"ksm":       map[string]any{"shared": 0},
		"boot-info": map[string]any{"mode": "efi", "secureboot": 0},
		"current-kernel": map[string]any{"sysname": "Linux", "release": "6.17.2-1-pve", "machine": "x86_64",
			"version": "#1 SMP PREEMPT_DYNAMIC PMX 6.17.2-1 (2025-10-21T11:55Z)"},
	}, nil
}

// handleResources is GET /cluster/resources.
func (s *Sim) handleResources(rc *reqCtx) (any, error) {
	typ := rc.str("type")
	out := []map[string]any{}
	if typ == "" || typ == "vm" {
		list := s.vmlist()
		for _, id := range sortedIDs(list) {
			if !rc.can(fmt.Sprintf("/vms/%d", id), "VM.Audit") {
				continue
			}
			st, err := s.vmStatus(list[id].Node, id)
			if err != nil {
				continue
			}
			e := map[string]any{"id": fmt.Sprintf("lxc/%d", id), "vmid": id, "node": list[id].Node, "type": "lxc",
				"status": st["status"], "name": st["name"], "uptime": st["uptime"], "template": 0,
				"maxcpu": maxCPU(st["cpus"]), "cpu": 0, "maxmem": st["maxmem"], "mem": st["mem"],
				"maxdisk": st["maxdisk"], "disk": st["disk"], "netin": 0, "netout": 0, "diskread": 0, "diskwrite": 0}
			if t, ok := st["tags"]; ok {
				e["tags"] = t
			}
			if l, ok := st["lock"]; ok {
				e["lock"] = l
			}
			if t, ok := st["template"]; ok {
				e["template"] = t
			}
			out = append(out, e)
		}
	}
	if typ == "" || typ == "node" {
		for _, n := range s.nodes {
			out = append(out, s.nodeEntryFor(rc, n))
		}
	}
	if typ == "" || typ == "storage" {
		for _, n := range s.nodes {
			for _, sd := range storages {
				if !rc.can("/storage/"+sd.id, "Datastore.Audit") {
					continue
				}
				used := s.storageUsed(sd.id)
				out = append(out, map[string]any{"id": "storage/" + n + "/" + sd.id, "storage": sd.id, "node": n,
					"type": "storage", "plugintype": sd.typ, "status": "available", "shared": 0,
					"content": strings.Join(sd.content, ","), "maxdisk": sd.total, "disk": used})
			}
		}
	}
	return out, nil
}

// maxCPU is `cpus + 0`: numeric even when cpus came from a cpulimit string.
func maxCPU(v any) any {
	if s, ok := v.(string); ok {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	}
	return v
}

// handleTaskStatus is GET /nodes/{node}/tasks/{upid}/status.
func (s *Sim) handleTaskStatus(rc *reqCtx) (any, error) {
	t := s.findTask(rc.str("upid"))
	if t == nil || t.node != rc.str("node") {
		return nil, paramErr(map[string]string{"upid": "no such task"})
	}
	if err := checkTaskUser(rc, t); err != nil {
		return nil, err
	}
	return t.status(), nil
}

// handleTaskLog is GET /nodes/{node}/tasks/{upid}/log.
func (s *Sim) handleTaskLog(rc *reqCtx) (any, error) {
	t := s.findTask(rc.str("upid"))
	if t == nil || t.node != rc.str("node") {
		return nil, paramErr(map[string]string{"upid": "no such task"})
	}
	if err := checkTaskUser(rc, t); err != nil {
		return nil, err
	}
	lines, total := t.logLines(rc.intParam("start", 0), rc.intParam("limit", 50))
	return listWithTotal{data: lines, total: total}, nil
}

// handleClusterStatus is GET /cluster/status: a cluster entry (for more than
// one node) followed by one entry per node, like pvecm's view.
func (s *Sim) handleClusterStatus(rc *reqCtx) (any, error) {
	out := []map[string]any{}
	if len(s.nodes) > 1 {
		out = append(out, map[string]any{"id": "cluster", "type": "cluster", "name": "pvesim",
			"nodes": len(s.nodes), "quorate": 1, "version": len(s.nodes)})
	}
	for i, n := range s.nodes {
		local := 0
		if i == 0 {
			local = 1
		}
		ip := fmt.Sprintf("127.0.0.%d", i+1)
		if o := s.nodeIPs[n]; o != "" {
			ip = o
		}
		out = append(out, map[string]any{"id": "node/" + n, "type": "node", "name": n, "nodeid": i + 1,
			"ip": ip, "local": local, "online": 1, "level": ""})
	}
	return out, nil
}
