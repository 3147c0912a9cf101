package conformance

import (
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
)

// Expect is what a container is configured to be, from its Terraform state.
type Expect struct {
	Name         string // resource address, e.g. hardened_container.web
	VMID         int
	Unprivileged bool
	// KeepMode: capabilities.keep is in force (drop every other).
	KeepMode   bool
	Drop, Keep []string
	// Seccomp is the configured policy; Nesting is features.nesting.
	Seccomp   seccomp.Policy
	Nesting   bool
	PidsMax   int
	MemoryMiB int
	// AppArmorFile is the generated profile on the node ("" for none).
	AppArmorFile string
}

// FromState reads an Expect from a resource's flatmap attributes.
func FromState(name string, a map[string]string) Expect {
	list := func(k string) []string {
		n, _ := strconv.Atoi(a[k+".#"])
		out := make([]string, 0, n)
		for i := 0; i < n; i++ {
			out = append(out, a[k+"."+strconv.Itoa(i)])
		}
		return out
	}
	atoi := func(k string) int { n, _ := strconv.Atoi(a[k]); return n }
	e := Expect{Name: name, VMID: atoi("vmid"), Unprivileged: a["unprivileged"] == "true",
		Drop: list("capabilities.drop"), Keep: list("capabilities.keep"),
		Nesting: a["features.nesting"] == "true", PidsMax: atoi("pids_max"), MemoryMiB: atoi("memory")}
	// keep mode: keep is set (an empty list too) and drop is not
	_, hasKeep := a["capabilities.keep.#"]
	e.KeepMode = hasKeep && len(e.Drop) == 0
	e.Seccomp = seccomp.Policy{Mode: seccomp.Mode(a["seccomp.mode"]), Errno: atoi("seccomp.errno"), Syscalls: list("seccomp.syscalls"),
		UserNamespaces: a["seccomp.allow_user_namespaces"] == "true",
		Keyctl:         a["features.keyctl"] == "true", Mknod: a["features.mknod"] == "true"}
	for _, l := range list("lxc_lines") {
		if v, ok := strings.CutPrefix(l, "lxc.apparmor.profile: lxc-"); ok {
			e.AppArmorFile = "/etc/apparmor.d/lxc/lxc-" + v
		}
	}
	return e
}

// Row is one line of the reviewer's table.
type Row struct {
	Container, Control, Configured, Observed string
	// Result is "pass", "FAIL", or "compiled only" (AppArmor: this kernel
	// has none).
	Result string
}

func result(ok bool) string {
	if ok {
		return "pass"
	}
	return "FAIL"
}

// dropped are the capabilities the container must not have.
func (e Expect) dropped() []string {
	if !e.KeepMode {
		return hardening.SortedUnique(e.Drop)
	}
	keep := map[string]bool{}
	for _, k := range e.Keep {
		keep[k] = true
	}
	var out []string
	for _, c := range hardening.AllCapabilities {
		if !keep[c] {
			out = append(out, c)
		}
	}
	return out
}

func capBit(name string) int {
	for i, c := range hardening.AllCapabilities {
		if c == name {
			return i
		}
	}
	return -1
}

// userNamespacesAllowed: the provider's policy allows them (attribute or
// nesting) or PVE's own policy runs.
func (e Expect) userNamespacesAllowed() bool {
	return e.Seccomp.UserNamespaces || e.Nesting || e.Seccomp.Mode == seccomp.ModeDefault
}

// Check compares what the container is configured to be with what the
// probe observed inside it.
func Check(e Expect, r Report, dataDir string) []Row {
	rows := []Row{idRow(e, r), capRow(e, r)}
	rows = append(rows, seccompRows(e, r)...)
	rows = append(rows, usernsRow(e, r), pidsRow(e, r), memoryRow(e, r), apparmorRow(e, dataDir))
	for i := range rows {
		rows[i].Container = e.Name
	}
	return rows
}

func idRow(e Expect, r Report) Row {
	want := "0 0 4294967295"
	conf := "unprivileged = false"
	if e.Unprivileged {
		want, conf = "0 100000 65536", "unprivileged = true"
	}
	return Row{Control: "user id mapping", Configured: conf,
		Observed: fmt.Sprintf("uid_map %q, gid_map %q", r["uid_map"], r["gid_map"]),
		Result:   result(r["uid_map"] == want && r["gid_map"] == want)}
}

func capRow(e Expect, r Report) Row {
	drop := e.dropped()
	conf := fmt.Sprintf("drop %d: %s", len(drop), strings.Join(drop, " "))
	if e.KeepMode {
		conf = fmt.Sprintf("keep [%s]: drop the other %d", strings.Join(e.Keep, " "), len(drop))
	}
	var present []string
	seen := map[string]bool{}
	ok := true
	for _, set := range []string{"init.capbnd", "init.capeff", "self.capbnd", "self.capeff"} {
		v, parsed := r.Hex(set)
		if !parsed {
			ok = false
			present = append(present, set+" unreadable")
			continue
		}
		for _, c := range drop {
			if b := capBit(c); b >= 0 && v&(1<<b) != 0 {
				ok = false
				if !seen[c] {
					seen[c] = true
					present = append(present, c)
				}
			}
		}
	}
	obs := fmt.Sprintf("none of the %d in CapBnd/CapEff of init and of an lxc-attach'ed process (init CapBnd %s)", len(drop), r["init.capbnd"])
	if len(present) > 0 {
		obs = "present in CapBnd/CapEff: " + strings.Join(present, ", ")
	}
	return Row{Control: "capabilities", Configured: conf, Observed: obs, Result: result(ok)}
}

// deniedProbes are the probe names of the hardened denylist's entries.
func deniedProbe(e seccomp.Entry) string {
	switch e.Syscall {
	case "umount2":
		return "umount2_force"
	case "ioctl":
		return "ioctl_btrfs"
	case "socket":
		return "socket_alg"
	case "clone", "unshare":
		return e.Syscall + "_newuser"
	}
	return e.Syscall
}

// expectedErrnos are the probes the policy decides and the errno each
// must fail with (nil for PVE's own policy, which Check treats apart).
func expectedErrnos(p seccomp.Policy, nesting bool) map[string]int {
	if p.Mode == seccomp.ModeDefault {
		return map[string]int{"kexec_load": 1, "open_by_handle_at": 1, "init_module": 1, "finit_module": 1, "delete_module": 1,
			"umount2_force": 13, "socket_alg": 97, "ioctl_btrfs": 1}
	}
	errno := p.Errno
	if errno == 0 {
		errno = seccomp.EPERM
	}
	want := map[string]int{}
	for _, e := range seccomp.Denylist(p.Keyctl, p.UserNamespaces || nesting) {
		n := e.Errno
		if n == 0 {
			n = errno
		}
		want[deniedProbe(e)] = n
	}
	if p.Mode == seccomp.ModeDenylist || p.Mode == "" {
		for _, s := range p.Syscalls {
			if _, ok := want[s]; !ok {
				want[s] = errno
			}
		}
		return want
	}
	allowed := map[string]bool{}
	for _, s := range p.Syscalls {
		allowed[s] = true
	}
	for _, s := range []string{"kcmp", "sethostname", "mount"} {
		if !allowed[s] {
			want[s] = errno // not in the allowlist: the default action
		}
	}
	return want
}

func probeNames(e Expect) []string {
	names := map[string]bool{"socket_inet": true}
	for n := range expectedErrnos(e.Seccomp, e.Nesting) {
		names[n] = true
	}
	for _, e := range seccomp.Denylist(false, false) {
		names[deniedProbe(e)] = true
	}
	out := make([]string, 0, len(names))
	for n := range names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func seccompRows(e Expect, r Report) []Row {
	mode := string(e.Seccomp.Mode)
	conf := fmt.Sprintf("%s, errno %d", mode, e.Seccomp.Errno)
	if len(e.Seccomp.Syscalls) > 0 {
		conf += fmt.Sprintf(", %d syscalls listed", len(e.Seccomp.Syscalls))
	}
	if e.Seccomp.Mode == seccomp.ModeDefault {
		conf = "default (PVE's own policy)"
	}
	filter := r.Int("init.seccomp") == 2 && r.Int("self.seccomp") == 2
	rows := []Row{{Control: "seccomp filter", Configured: conf,
		Observed: fmt.Sprintf("Seccomp: %s in init, %s in an lxc-attach'ed process (2 = filter)", r["init.seccomp"], r["self.seccomp"]),
		Result:   result(filter)}}
	want := expectedErrnos(e.Seccomp, e.Nesting)
	var bad []string
	good := map[int][]string{}
	for _, n := range sortedKeys(want) {
		got := r.Int("sys." + n)
		if got != want[n] {
			bad = append(bad, fmt.Sprintf("%s %d (want %d)", n, got, want[n]))
			continue
		}
		good[got] = append(good[got], n)
	}
	var groups []string
	for _, n := range sortedInts(good) {
		groups = append(groups, errnoText(n)+": "+strings.Join(good[n], " "))
	}
	obs := fmt.Sprintf("%d/%d refused as configured; %s", len(want)-len(bad), len(want), strings.Join(groups, "; "))
	if len(bad) > 0 {
		obs = fmt.Sprintf("%d/%d wrong: %s", len(bad), len(want), strings.Join(bad, ", "))
	}
	rows = append(rows, Row{Control: "seccomp: denied syscalls' errno", Configured: conf, Observed: obs, Result: result(len(bad) == 0)})
	return rows
}

func errnoText(n int) string {
	if s := seccomp.ErrnoName(n); s != "" {
		return s
	}
	return strconv.Itoa(n)
}

func usernsRow(e Expect, r Report) Row {
	allowed := e.userNamespacesAllowed()
	conf := "denied (seccomp.allow_user_namespaces = false, nesting off)"
	switch {
	case e.Seccomp.Mode == seccomp.ModeDefault:
		conf = "allowed (PVE's own seccomp policy)"
	case e.Nesting:
		conf = "allowed (features.nesting)"
	case e.Seccomp.UserNamespaces:
		conf = "allowed (seccomp.allow_user_namespaces)"
	}
	clone, unshare := r.Int("userns.clone"), r["userns.unshare"]
	obs := fmt.Sprintf("clone(CLONE_NEWUSER) %s, unshare -U %s, clone3 %s", errnoText(clone), unshare, errnoText(r.Int("sys.clone3")))
	ok := clone == 0 && unshare == "ok"
	if !allowed {
		ok = clone != 0 && unshare != "ok" && r.Int("sys.clone3") == seccomp.ENOSYS
	}
	return Row{Control: "nested user namespaces", Configured: conf, Observed: obs, Result: result(ok)}
}

func pidsRow(e Expect, r Report) Row {
	n, started := forkBound(e), r.Int("forks.started")
	return Row{Control: "process limit", Configured: fmt.Sprintf("pids_max = %d", e.PidsMax),
		Observed: fmt.Sprintf("a loop of %d forks stopped after %d (%s)", n, started, strings.ReplaceAll(r["forks.error"], "_", " ")),
		Result:   result(started >= 0 && started < e.PidsMax && r["forks.error"] != "none")}
}

func memoryRow(e Expect, r Report) Row {
	return Row{Control: "memory limit", Configured: fmt.Sprintf("memory = %d MiB", e.MemoryMiB),
		Observed: fmt.Sprintf("touching %s MiB: %s", r["alloc.mib"], r["alloc.result"]),
		Result:   result(r["alloc.result"] == "signal:killed")}
}

// apparmorRow: this kernel has no AppArmor, so the generated profile is
// compiled with the real apparmor_parser, never enforced.
func apparmorRow(e Expect, dataDir string) Row {
	row := Row{Control: "AppArmor", Configured: "(no generated profile)", Result: "n/a"}
	if e.AppArmorFile == "" {
		row.Observed = "not enforceable: this kernel has no AppArmor"
		return row
	}
	row.Configured = "profile " + strings.TrimPrefix(e.AppArmorFile, "/etc/apparmor.d/lxc/")
	text, err := os.ReadFile(dataDir + e.AppArmorFile)
	if err != nil {
		row.Observed, row.Result = "the generated profile is missing on the node: "+err.Error(), "FAIL"
		return row
	}
	// as the provider compiles it: after the tunables it needs, on stdin
	cmd := exec.Command("apparmor_parser", "-Q", "-K", "-T", "-M", "/etc/apparmor.d/abi/3.0")
	cmd.Stdin = strings.NewReader("#include <tunables/global>\n" + string(text))
	out, err := cmd.CombinedOutput()
	if err != nil {
		row.Observed, row.Result = fmt.Sprintf("apparmor_parser refused it: %v %s", err, strings.TrimSpace(string(out))), "FAIL"
		return row
	}
	row.Observed = "not enforceable: this kernel has no AppArmor; compiled with apparmor_parser -Q -K -T -M /etc/apparmor.d/abi/3.0: ok"
	row.Result = "compiled only"
	return row
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedInts(m map[int][]string) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
