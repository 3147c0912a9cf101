package seccomp

import (
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// extraTable is gen's list of corrections to the kernel header (see
// extra_x86_64.txt); the guide lists it, with the kernels the comments name.
//
//go:embed extra_x86_64.txt
var extraTable string

// extraSyscall is one line of extra_x86_64.txt.
type extraSyscall struct {
	name       string
	nr         int
	resolvable bool   // "name number"; false for "!name number"
	kernel     string // the line's comment, e.g. "Linux 6.8"
}

func parseExtra(s string) []extraSyscall {
	var out []extraSyscall
	for _, line := range strings.Split(s, "\n") {
		line, comment, _ := strings.Cut(line, "#")
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		nr, err := strconv.Atoi(f[1])
		if err != nil {
			panic("seccomp: bad extra_x86_64.txt line " + strconv.Quote(line))
		}
		name, unres := strings.CutPrefix(f[0], "!")
		out = append(out, extraSyscall{name: name, nr: nr, resolvable: !unres, kernel: strings.TrimSpace(comment)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].nr < out[j].nr })
	return out
}

// Markdown is the seccomp guide (templates/guides/seccomp.md.tmpl, which
// tfplugindocs copies to docs/guides/seccomp.md): the modes, the errno, the
// policy file and its format, the hardened denylist with the reason for
// every entry, what it leaves alone on purpose, the essential syscalls of
// an allowlist and how names are checked. It is generated from the tables
// the policies are rendered from, so it cannot drift from them; it
// contains no "{{" (the file is a Go text/template for tfplugindocs).
func Markdown() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	deny := DefaultDenylist()

	w("---\n")
	w("page_title: \"Seccomp policies\"\n")
	w("subcategory: \"\"\n")
	w("description: |-\n")
	w("  How hardened_container confines system calls with seccomp: the denylist, allowlist and default modes, the " +
		"errno, where the policy file lives and what it contains, and the hardened denylist with the reason for every " +
		"entry.\n")
	w("---\n\n")
	w("# Seccomp policies\n\n")
	w("A seccomp filter makes the kernel refuse system calls before they run. `lxc-start` installs the container's filter\n")
	w("in the container's init before it executes it; every process of the container inherits the filter and cannot remove it,\n")
	w("and the filter holds whatever capabilities root in the container has. The `seccomp` attribute of `hardened_container`\n")
	w("selects the policy: a `mode`, an `errno` and a list of `syscalls`.\n\n")
	w("This page is generated from the tables the provider renders policies from, so it always matches them.\n\n")

	w("## Modes\n\n")
	w("| Mode | Refused | Policy file |\n")
	w("|------|---------|-------------|\n")
	w("| `%s` (default) | the hardened denylist below, plus every name in `syscalls` (with `errno`) | written by the provider |\n", ModeDenylist)
	w("| `%s` | every syscall not in `syscalls` (with `errno`); the hardened denylist still applies on top | written by the provider |\n", ModeAllowlist)
	w("| `%s` | what PVE refuses on its own: LXC's `common.seccomp`, and PVE's additions for unprivileged containers "+
		"| none: no `lxc.seccomp.profile` line |\n\n", ModeDefault)
	w("A container whose configuration names its own `lxc.seccomp.profile` gets none of PVE's seccomp additions\n")
	w("(PVE's `make_seccomp_config` emits nothing then), so the provider's policy file carries them itself, as part of the\n")
	w("hardened denylist. With `%s` none of the provider's additions apply, and `syscalls` must be empty.\n\n", ModeDefault)
	w("An **allowlist** must be complete: everything `lxc-start` calls after it installed the filter, and everything the\n")
	w("container's init, services and tools ever call (see [Allowlists](#allowlists-essential-syscalls)); a call it misses fails\n")
	w("with `errno` at run time. It cannot allow what the hardened denylist refuses unconditionally (the plan fails), and allowing\n")
	w("%s allows only the calls outside the denylist's condition.\n\n", codeList(condSyscalls(deny), "or"))
	w("Two of PVE's container features change the policy:\n\n")
	w("* `features.keyctl`: %s are not refused (an allowlist allows them), as PVE does for `keyctl=1`. Denying one of them\n", codeList(keyringSyscalls, "and"))
	w("  with the feature on is a plan error.\n")
	w("* `features.mknod`: %s are never refused (an allowlist allows them). A container with the provider's policy does\n", codeList(mknodSyscalls, "and"))
	w("  not get PVE's seccomp-notify handling of `mknod` (`pve-lxc-syscalld`), so an unprivileged container still cannot create\n")
	w("  device nodes; the plan warns.\n\n")

	w("## Errno\n\n")
	w("`errno` is the error a refused call returns: 1 to %d. The default is %d (%s, \"Operation not permitted\"), "+
		"which programs\n", maxErrno, EPERM, ErrnoName(EPERM))
	w("report clearly; %d (%s) makes programs treat the call as not implemented and fall back, which suits an allowlist.\n", ENOSYS, ErrnoName(ENOSYS))
	w("libseccomp refuses %d (MAX_ERRNO) and above, and `lxc-start` then fails to start the container.\n\n", maxErrno+1)
	w("Entries of the hardened denylist that fix their own errno keep it, whatever `errno` says, because callers act on the value:\n\n")
	byErrno := map[int][]string{}
	for _, e := range deny {
		if e.Errno != 0 && !contains(byErrno[e.Errno], e.Syscall) {
			byErrno[e.Errno] = append(byErrno[e.Errno], e.Syscall)
		}
	}
	var errnos []int
	for n := range byErrno {
		errnos = append(errnos, n)
	}
	sort.Ints(errnos)
	for _, n := range errnos {
		w("* %s: %s\n", errnoDoc(n), codeList(byErrno[n], "and"))
	}
	w("\n")

	w("## Where the policy file lives\n\n")
	w("The provider writes a `%s` or `%s` policy to `%s/%s<digest>.seccomp` and names it in the container's\n", ModeDenylist, ModeAllowlist, Dir, FilePrefix)
	w("`lxc.seccomp.profile` line. `%s` is on the cluster file system (pmxcfs), so every node that may start the container\n", Dir)
	w("(after a migration, an HA recovery or a restore) reads the same file under the same path, and no per-node copy can go\n")
	w("stale. pmxcfs allows plain files and directories anywhere below `/etc/pve` (root-only writes, mode 0640 root:www-data);\n")
	w("`lxc-start` reads the file as root.\n\n")
	w("The digest is the first 16 hex digits of the SHA-256 of the file's text, so containers with equal policies share one\n")
	w("file, and any change of the policy changes the `lxc.seccomp.profile` line. That restarts a running container\n")
	w("(see `restart_on_hardening_change`): the kernel only installs a filter when the container starts.\n\n")

	w("## File format\n\n")
	w("The file is in LXC's seccomp policy format, version 2:\n\n")
	w("* line 1: `2`, the format version;\n")
	w("* line 2: the policy type and its default action: `denylist` (allow every call no rule refuses) or `allowlist errno N`\n")
	w("  (refuse every call no rule allows, with errno N);\n")
	w("* line 3: `[all]`, the section for every architecture, so the rules apply to the i386 and x32 entry points of the\n")
	w("  x86_64 kernel too, and a 32-bit program cannot bypass them;\n")
	w("* then one rule per line, sorted by syscall name: `name errno N` or `name allow`, optionally with an argument condition\n")
	w("  `[arg,value,op]` or `[arg,value,SCMP_CMP_MASKED_EQ,mask]` (argument `arg` compared with `value`; for `SCMP_CMP_MASKED_EQ`,\n")
	w("  `arg & mask` equal to `value`).\n\n")
	w("LXC's `reject_force_umount` directive is written out as the rule it stands for. The provider's rendering is deterministic:\n")
	w("the same policy always gives the same text, and so the same file. The default policy (`%s`, errno %d, no extra\n", ModeDenylist, EPERM)
	def := Policy{}
	text, err := def.Render()
	if err != nil {
		panic("seccomp: the default policy does not render: " + err.Error())
	}
	w("syscalls, no features) is `%s`:\n\n", def.Path())
	w("```\n%s```\n\n", text)
	allow := Policy{Mode: ModeAllowlist, Errno: ENOSYS, Syscalls: unique(append(EssentialSyscalls(), condSyscalls(deny)...))}
	text, err = allow.Render()
	if err != nil {
		panic("seccomp: the allowlist example does not render: " + err.Error())
	}
	w("In an allowlist a syscall the denylist refuses only under a condition is allowed under the complementary conditions,\n")
	w("and refused with the denylist's errno otherwise: libseccomp would let an unconditional `allow` swallow the conditional\n")
	w("refusal. A rule whose errno equals the default action is left out (libseccomp rejects it). The rules for %s\n", codeList(condSyscalls(deny), "and"))
	w("of an allowlist with errno %d (%s):\n\n", ENOSYS, ErrnoName(ENOSYS))
	w("```\n")
	ellipsis := false
	for i, l := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
		switch {
		case i < 3 || contains(condSyscalls(deny), strings.Fields(l)[0]):
			w("%s\n", l)
			ellipsis = false
		case !ellipsis:
			w("...\n")
			ellipsis = true
		}
	}
	w("```\n\n")

	w("## The hardened denylist\n\n")
	w("Every `%s` and `%s` policy refuses these calls (%d entries; %s leave it with `features.keyctl`):\n\n", ModeDenylist, ModeAllowlist, len(deny),
		codeList(keyringSyscalls, "and"))
	w("| Syscall | Refused when | Errno | Source | Lifted by | Reason |\n")
	w("|---------|--------------|-------|--------|-----------|--------|\n")
	for _, e := range deny {
		cond := "always"
		if e.Cond != nil {
			cond = md(e.Condition) + ": `" + e.Cond.String() + "`"
		}
		errno := "`errno`"
		if e.Errno != 0 {
			errno = errnoDoc(e.Errno)
		}
		lifted := ""
		if e.Feature != "" {
			lifted = "`features." + e.Feature + "`"
		}
		w("| `%s` | %s | %s | %s | %s | %s |\n", e.Syscall, cond, errno, sourceDoc[e.Source], lifted, md(e.Reason))
	}
	w("\n`errno` in the Errno column is the policy's `errno` (default %d, %s). Sources:\n\n", EPERM, ErrnoName(EPERM))
	w("* **LXC**: LXC's own default policy, `/usr/share/lxc/config/common.seccomp` (LXC 5.0), which PVE's policy starts with;\n")
	w("* **PVE**: what PVE adds for unprivileged containers (`make_seccomp_config` in pve-container's `src/PVE/LXC.pm`);\n")
	w("* **provider**: this provider's additions.\n\n")

	w("## Deliberately not denied\n\n")
	w("Ordinary container userspace needs these, or capabilities and namespaces already confine them; add them to `syscalls`\n")
	w("of a `%s` where a container does without them.\n\n", ModeDenylist)
	w("| Syscalls | Why they are allowed |\n")
	w("|----------|----------------------|\n")
	for _, n := range notDenied {
		w("| %s | %s |\n", codeList(n.Syscalls, ""), md(n.Reason))
	}
	w("\n")

	w("## Allowlists: essential syscalls\n\n")
	w("A container cannot start without these: what LXC 5.0's start sequence calls after it installed the filter (it hangs or\n")
	w("fails without them), what every process needs to be loaded, run and exit, and what an init needs to start and reap\n")
	w("processes. The plan warns about an allowlist that misses one; real services need many more.\n\n")
	w("%s\n\n", codeList(EssentialSyscalls(), ""))

	w("## Syscall names\n\n")
	w("Every name in `syscalls` is checked at plan time against an x86_64 syscall table of %d names. LXC resolves names with\n", len(syscalls))
	w("libseccomp and silently skips a name it cannot resolve: a misspelled name would make a denylist refuse nothing and an\n")
	w("allowlist allow nothing, without any error. So an unknown name fails the plan, with the closest known name as a hint.\n\n")
	w("The table is the kernel's uapi header (`asm/unistd_64.h`) corrected to what libseccomp %s, the version LXC uses on\n", PVELibseccomp)
	w("PVE 9 (Debian 13), knows: plus the newer syscalls it resolves, without those it does not:\n\n")
	w("| Syscall | Number | Since | LXC on PVE resolves it |\n")
	w("|---------|--------|-------|------------------------|\n")
	for _, x := range parseExtra(extraTable) {
		res := "yes"
		if !x.resolvable {
			res = "no: unknown syscall"
		}
		w("| `%s` | %d | %s | %s |\n", x.name, x.nr, md(x.kernel), res)
	}
	w("\nlibseccomp %s resolves names from its own table, whatever the running kernel offers. The syscalls marked \"no\" are\n", PVELibseccomp)
	w("newer than that table: a policy cannot name them, so a denylist cannot refuse them, while an allowlist refuses them\n")
	w("anyway, like every call it does not allow.\n")
	return b.String()
}

// sourceDoc is the Source column of the denylist table.
var sourceDoc = map[string]string{
	SourceLXC:      "LXC `common.seccomp`",
	SourcePVE:      "PVE",
	SourceHardened: "provider",
}

// errnoDoc is "EPERM (1)", or the number alone for an errno without name.
func errnoDoc(n int) string {
	if name := ErrnoName(n); name != "" {
		return fmt.Sprintf("%s (%d)", name, n)
	}
	return strconv.Itoa(n)
}

// condSyscalls are the names of the conditional entries, in table order.
func condSyscalls(deny []Entry) []string {
	var out []string
	for _, e := range deny {
		if e.Cond != nil {
			out = append(out, e.Syscall)
		}
	}
	return out
}

// codeList is the names as code spans: "`a`, `b` and `c`" with conj, or
// separated by commas only when conj is "".
func codeList(names []string, conj string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "`"
	}
	if conj == "" || len(q) < 2 {
		return strings.Join(q, ", ")
	}
	return strings.Join(q[:len(q)-1], ", ") + " " + conj + " " + q[len(q)-1]
}

// md escapes text for Markdown outside code spans: < and > (HTML), and |
// (table cells).
func md(s string) string {
	parts := strings.Split(s, "`")
	for i := 0; i < len(parts); i += 2 { // even parts are outside code spans
		parts[i] = strings.NewReplacer("<", "&lt;", ">", "&gt;", "|", "\\|").Replace(parts[i])
	}
	return strings.Join(parts, "`")
}

// unique is names sorted without duplicates.
func unique(names []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
