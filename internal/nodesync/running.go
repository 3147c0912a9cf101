package nodesync

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

// What runs is what the config says. Raw lxc.* lines, AppArmor profiles
// and seccomp policies take effect only when a container starts, so a
// running container whose hardening changed owes a restart. Two signals
// show it, both on the node, neither in Terraform state (a killed
// terraform saves nothing):
//
//   - the restart record /etc/pve/hardened/restart/<vmid>, written before
//     new hardening lines reach a running container and removed once the
//     container has restarted. It names the init process that ran the old
//     hardening by the node's boot id, its pid and its start time (field 22
//     of /proc/<pid>/stat), which together name one process of one boot: a
//     restart by anyone (pct reboot, the node's reboot, an HA move) makes
//     the record stale, so it never claims a restart that already happened.
//     /var/lib/lxc/<vmid>/config is no such record: PVE rewrites it on every
//     start and on every API config update of a running container.
//   - the running init's own view, which the kernel keeps and nothing in
//     the container can rewrite: /proc/<pid>/status (CapBnd, Seccomp) and
//     /proc/<pid>/attr/current (the AppArmor label), compared with the
//     config (hardening.RunningStale). The pid is status/current's pid,
//     which PVE reads with lxc-info.
//
// Cost per running container on a refresh: no API call (the pid comes with
// the status Read makes anyway), three node-channel reads (the record,
// status, attr/current; the record's process is checked with a fourth,
// stat, only when a record exists) and the node's boot id once per run.

// RestartDir holds the restart records (pmxcfs, beside the seccomp policies).
const RestartDir = "/etc/pve/hardened/restart"

// RestartRecordPath is CT vmid's restart record.
func RestartRecordPath(vmid int) string { return RestartDir + "/" + strconv.Itoa(vmid) }

// initProcess names one process of one boot.
type initProcess struct {
	Boot, PID, Start string
}

// restartRecord is the content of a restart record.
type restartRecord struct {
	Init  initProcess
	Stale []string // the raw lxc.* keys written since the init started
}

func (rec restartRecord) render() []byte {
	return []byte(fmt.Sprintf("# hardened_container: CT runs hardening older than its config; a restart is owed\nboot=%s\npid=%s\nstart=%s\nstale=%s\n",
		rec.Init.Boot, rec.Init.PID, rec.Init.Start, strings.Join(rec.Stale, " ")))
}

func parseRestartRecord(b []byte) restartRecord {
	var rec restartRecord
	for _, l := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(l, "=")
		switch k {
		case "boot":
			rec.Init.Boot = v
		case "pid":
			rec.Init.PID = v
		case "start":
			rec.Init.Start = v
		case "stale":
			rec.Stale = strings.Fields(v)
		}
	}
	return rec
}

// initOf identifies the process pid on the node (error: it is gone or
// the node does not show it).
func initOf(ctx context.Context, c *providerdata.Clients, nfs nodefs.FS, node string, pid int) (initProcess, error) {
	boot, err := c.NodeBootID(ctx, node)
	if err != nil {
		return initProcess{}, err
	}
	stat, err := nfs.ReadFile(ctx, fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return initProcess{}, err
	}
	start, ok := hardening.ProcStartTime(stat)
	if !ok {
		return initProcess{}, fmt.Errorf("/proc/%d/stat: no start time", pid)
	}
	return initProcess{Boot: boot, PID: strconv.Itoa(pid), Start: start}, nil
}

// owedRestart reads the container's restart record: the keys it names when
// it is about the running init pid, nil when there is none or it is stale.
func owedRestart(ctx context.Context, c *providerdata.Clients, nfs nodefs.FS, node string, vmid, pid int) ([]string, error) {
	b, err := nfs.ReadFile(ctx, RestartRecordPath(vmid))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rec := parseRestartRecord(b)
	cur, err := initOf(ctx, c, nfs, node, pid)
	if err != nil || cur != rec.Init {
		return nil, nil //nolint:nilerr // the recorded process is gone: it restarted since
	}
	if len(rec.Stale) == 0 {
		rec.Stale = []string{"hardening"}
	}
	return rec.Stale, nil
}

// ObserveRuntime is what the running container (its init: pid, as PVE's
// status/current reports it) runs, compared with s, the Spec its config
// describes now. Nothing readable on the node: not observed.
func ObserveRuntime(ctx context.Context, c *providerdata.Clients, s hardening.Spec, pid int) hardening.Runtime {
	if pid <= 0 || c == nil {
		return hardening.Runtime{}
	}
	nfs, err := c.Nodes.FS(ctx, s.Node)
	if err != nil {
		return hardening.Runtime{}
	}
	var rt hardening.Runtime
	if keys, err := owedRestart(ctx, c, nfs, s.Node, s.VMID, pid); err == nil && len(keys) > 0 {
		rt.Stale = append(rt.Stale, "restart owed: "+strings.Join(keys, ", ")+" changed while it ran")
	}
	status, err := nfs.ReadFile(ctx, fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return rt // the node does not show the process: nothing more to compare
	}
	v := hardening.ParseProcStatus(status)
	if label, err := nfs.ReadFile(ctx, fmt.Sprintf("/proc/%d/attr/current", pid)); err == nil {
		v.AppArmorLabel = strings.TrimSpace(strings.TrimRight(string(label), "\x00\n"))
	}
	rt.Observed = true
	rt.Stale = append(rt.Stale, hardening.RunningStale(s, v)...)
	return rt
}

// RecordRestartOwed writes (or extends) the restart record before new
// hardening lines reach the running container pid: the keys of old and
// new lines that differ.
func RecordRestartOwed(ctx context.Context, c *providerdata.Clients, nfs nodefs.FS, s hardening.Spec, pid int, was, now []pctconf.Line) error {
	keys := ChangedKeys(was, now)
	if len(keys) == 0 {
		return nil
	}
	cur, err := initOf(ctx, c, nfs, s.Node, pid)
	if err != nil {
		return fmt.Errorf("identifying CT %d's running init (pid %d): %w", s.VMID, pid, err)
	}
	if b, err := nfs.ReadFile(ctx, RestartRecordPath(s.VMID)); err == nil {
		if rec := parseRestartRecord(b); rec.Init == cur {
			keys = sortedUnion(keys, rec.Stale)
		}
	}
	return nfs.WriteFileAtomic(ctx, RestartRecordPath(s.VMID), restartRecord{Init: cur, Stale: keys}.render(), 0o640)
}

// ClearRestartOwed removes the record (a missing one is fine).
func ClearRestartOwed(ctx context.Context, nfs nodefs.FS, vmid int) error {
	if err := nfs.Remove(ctx, RestartRecordPath(vmid)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// ChangedKeys are the keys whose lines differ between old and new (in
// order, per key).
func ChangedKeys(was, now []pctconf.Line) []string {
	group := func(ls []pctconf.Line) map[string][]string {
		m := map[string][]string{}
		for _, l := range ls {
			m[l.Key] = append(m[l.Key], strings.TrimSpace(l.Value))
		}
		return m
	}
	o, n := group(was), group(now)
	var out []string
	for k := range o {
		if strings.Join(o[k], "\n") != strings.Join(n[k], "\n") || len(n[k]) != len(o[k]) {
			out = append(out, k)
		}
	}
	for k := range n {
		if _, ok := o[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func sortedUnion(a, b []string) []string {
	m := map[string]bool{}
	for _, x := range append(append([]string(nil), a...), b...) {
		m[x] = true
	}
	out := make([]string, 0, len(m))
	for x := range m {
		out = append(out, x)
	}
	sort.Strings(out)
	return out
}
