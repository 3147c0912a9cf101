package seccomp

import (
	_ "embed"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/textdist"
)

//go:generate go run ./gen -in /usr/include/x86_64-linux-gnu/asm/unistd_64.h -extra extra_x86_64.txt -out syscalls_x86_64.txt

// PVELibseccomp is the libseccomp version LXC on PVE 9 (Debian 13) resolves
// syscall names with; the table holds the names it knows.
const PVELibseccomp = "2.6.0"

// syscallTable is the generated x86_64 table: "name number" lines for the
// names LXC on PVE resolves, "!name number" lines for kernel syscalls it
// cannot resolve, "#" comments. gen builds it from the Linux uapi header
// and extra_x86_64.txt (names newer than the header that PVE's libseccomp,
// 2.6.0, knows, and those it does not know).
//
//go:embed syscalls_x86_64.txt
var syscallTable string

// syscalls maps every x86_64 syscall name LXC on PVE can resolve to its
// number; unresolvable maps kernel syscalls it cannot resolve (too new for
// PVE's libseccomp) to theirs.
var syscalls, unresolvable = parseTable(syscallTable)

func parseTable(s string) (known, unknown map[string]int) {
	known, unknown = map[string]int{}, map[string]int{}
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		nr, err := strconv.Atoi(f[1])
		if err != nil {
			panic("seccomp: bad syscall table line " + strconv.Quote(line))
		}
		if name, ok := strings.CutPrefix(f[0], "!"); ok {
			unknown[name] = nr
			continue
		}
		known[f[0]] = nr
	}
	return known, unknown
}

// KnownSyscall reports whether name is an x86_64 system call that LXC on
// PVE can resolve: in the kernel headers the table was generated from, or
// newer and known to PVE's libseccomp (2.6.0). LXC resolves names with
// libseccomp and silently skips those it cannot resolve, so every name a
// policy uses must be known; a syscall newer than PVE's libseccomp is not.
func KnownSyscall(name string) bool {
	_, ok := syscalls[name]
	return ok
}

// syscallNumber is name's x86_64 number.
func syscallNumber(name string) (int, bool) {
	nr, ok := syscalls[name]
	return nr, ok
}

// closestSyscall is the known name with the smallest edit distance to name
// (ties: alphabetically first), or "" when nothing is reasonably close.
func closestSyscall(name string) string {
	names := make([]string, 0, len(syscalls))
	for s := range syscalls {
		names = append(names, s)
	}
	return textdist.Closest(name, names, len(name)/2+1)
}
