package pvesim

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/ctconf"
)

// A running container's init process as the node's kernel shows it under
// /proc/<pid>: what LXC set up when it started the container from the
// config of that moment, frozen until the next start (later edits of the
// config change nothing in a running process). The files live in the data
// directory (DIR/proc/<pid>/...), so a test can make them lie.

// procCapabilities are the capability names in bit order (capabilities(7),
// Linux 6.x: CAP_LAST_CAP = checkpoint_restore = 40).
var procCapabilities = []string{
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid",
	"setpcap", "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw",
	"ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
	"sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod",
	"lease", "audit_write", "audit_control", "setfcap", "mac_override", "mac_admin", "syslog",
	"wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
}

// commonCapDrop is LXC's config/common.conf (included by PVE's generated
// config for every container): lxc.cap.drop = mac_admin mac_override
// sys_time sys_module sys_rawio.
var commonCapDrop = []string{"mac_admin", "mac_override", "sys_time", "sys_module", "sys_rawio"}

func capBit(name string) (uint64, bool) {
	n := strings.TrimPrefix(strings.ToLower(name), "cap_")
	for i, c := range procCapabilities {
		if c == n {
			return 1 << uint(i), true
		}
	}
	return 0, false
}

// bootCapabilities is the init's bounding set for a config: every
// capability but LXC's common drops, then the config's lxc.cap.drop lines
// (they accumulate; an empty value clears the list) or its lxc.cap.keep
// lines (keep only these; "none" keeps nothing).
func bootCapabilities(conf *ctconf.Config) uint64 {
	drop := append([]string(nil), commonCapDrop...)
	var keep []string
	keepMode := false
	for _, kv := range conf.Main.LXC {
		switch kv[0] {
		case "lxc.cap.drop":
			if strings.TrimSpace(kv[1]) == "" {
				drop = nil
				continue
			}
			drop = append(drop, strings.Fields(kv[1])...)
		case "lxc.cap.keep":
			keepMode = true
			if strings.TrimSpace(kv[1]) == "" {
				keep = nil
				continue
			}
			keep = append(keep, strings.Fields(kv[1])...)
		}
	}
	all := uint64(1)<<uint(len(procCapabilities)) - 1
	if keepMode {
		var set uint64
		for _, k := range keep {
			if b, ok := capBit(k); ok {
				set |= b
			}
		}
		return set
	}
	set := all
	for _, d := range drop {
		if b, ok := capBit(d); ok {
			set &^= b
		}
	}
	return set
}

// bootAppArmorLabel is the label the init runs under
// (/proc/<pid>/attr/current): the last lxc.apparmor.profile; without one
// (or "generated") LXC's generated profile, lxc-<name>_<<lxcpath>>.
func bootAppArmorLabel(vmid int, conf *ctconf.Config) string {
	profile := "generated"
	for _, kv := range conf.Main.LXC {
		if kv[0] == "lxc.apparmor.profile" {
			profile = strings.TrimSpace(kv[1])
		}
	}
	switch profile {
	case "", "generated":
		return fmt.Sprintf("lxc-%d_</var/lib/lxc> (enforce)", vmid)
	case "unconfined", "unchanged":
		return "unconfined"
	}
	return profile + " (enforce)"
}

// procDir is DIR/proc/<pid>.
func (s *Sim) procDir(pid int) string {
	return filepath.Join(s.dataDir, "proc", strconv.Itoa(pid))
}

// nextPid allocates the init's pid: every start gets a new one, like a
// kernel's pid counter.
func (s *Sim) nextPid() int {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	s.pidCounter++
	return 20000 + s.pidCounter
}

// writeProc writes the init's /proc view for a container started from conf.
func (s *Sim) writeProc(vmid, pid int, conf *ctconf.Config) error {
	dir := s.procDir(pid)
	if err := os.MkdirAll(filepath.Join(dir, "attr"), 0o755); err != nil {
		return err
	}
	caps := fmt.Sprintf("%016x", bootCapabilities(conf))
	status := fmt.Sprintf("Name:\tinit\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"+
		"CapInh:\t0000000000000000\nCapPrm:\t%s\nCapEff:\t%s\nCapBnd:\t%s\nCapAmb:\t0000000000000000\n"+
		"NoNewPrivs:\t0\nSeccomp:\t2\nSeccomp_filters:\t1\n", pid, pid, pid-1, caps, caps, caps)
	// starttime (field 22) in clock ticks (100 Hz) since the node booted
	start := time.Since(s.booted).Milliseconds()/10 + int64(pid)
	stat := fmt.Sprintf("%d (init) S %d %d %d 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %d 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 "+
		"0 0 0 0 0 0 0\n",
		pid, pid-1, pid, pid, start)
	files := map[string]string{"status": status, "stat": stat, "attr/current": bootAppArmorLabel(vmid, conf) + "\n"}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o444); err != nil {
			return err
		}
	}
	return nil
}

// writeBootID writes DIR/proc/sys/kernel/random/boot_id (one per simulator
// run: every simulated node shares it).
func (s *Sim) writeBootID() error {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	p := filepath.Join(s.dataDir, "proc/sys/kernel/random/boot_id")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	id := fmt.Sprintf("%x-%x-%x-%x-%x\n", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	return os.WriteFile(p, []byte(id), 0o444)
}

// removeProcesses removes the process directories (DIR/proc/<pid>) of an
// earlier run: a new boot has none of them. The node's own view
// (proc/self/mountinfo, proc/sys/...) stays.
func removeProcesses(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err == nil {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}
