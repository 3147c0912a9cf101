package seccomp

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/lxcrun"
	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/require"
)

func TestBaselineInvariants(t *testing.T) {
	seen := map[string]bool{}
	conds := map[string]bool{}
	for _, e := range baseline {
		key := e.Syscall
		if e.Cond != nil {
			if conds[e.Syscall] {
				t.Errorf("%s: more than one conditional entry (complement() handles one)", e.Syscall)
			}
			conds[e.Syscall] = true
			key += " " + e.Cond.String()
		}
		if seen[key] {
			t.Errorf("duplicate entry %s", key)
		}
		seen[key] = true
		if e.Reason == "" {
			t.Errorf("%s: no Reason", e.Syscall)
		}
		if e.Source != SourceLXC && e.Source != SourcePVE && e.Source != SourceHardened {
			t.Errorf("%s: source %q", e.Syscall, e.Source)
		}
		userns := e.Feature == FeatureUserNamespaces && contains([]string{"unshare", "clone", "clone3"}, e.Syscall)
		if e.Feature != "" && !userns && (e.Feature != FeatureKeyctl || !contains(keyringSyscalls, e.Syscall)) {
			t.Errorf("%s: feature %q", e.Syscall, e.Feature)
		}
		if e.Errno < 0 || e.Errno > maxErrno {
			t.Errorf("%s: errno %d", e.Syscall, e.Errno)
		}
		if contains(essential, e.Syscall) && e.Cond == nil {
			t.Errorf("%s is both essential and denied", e.Syscall)
		}
		if contains(mknodSyscalls, e.Syscall) {
			t.Errorf("%s is denied, but the mknod feature must leave it alone", e.Syscall)
		}
	}
	if n, m := len(DefaultDenylist()), len(entries(true, false)); n != m+len(keyringSyscalls) {
		t.Errorf("DefaultDenylist has %d entries, with keyctl %d: keyctl must drop exactly %v", n, m, keyringSyscalls)
	}
	// Callers cannot change the table through the result.
	d := DefaultDenylist()
	for i := range d {
		if d[i].Cond != nil {
			d[i].Cond.Value = 0
		}
	}
	if entryFor(baseline, "socket").Cond.Value != 38 {
		t.Error("DefaultDenylist shares its conditions with the table")
	}
}

// TestDenylistContainsLXCCommon: everything LXC's own default policy
// (common.seccomp, which PVE's rules.seccomp starts with) denies, the
// hardened denylist denies with the same errno.
func TestDenylistContainsLXCCommon(t *testing.T) {
	const path = "/usr/share/lxc/config/common.seccomp"
	data, err := os.ReadFile(path)
	if err != nil {
		require.SkipOrFail(t, lxcrun.Requirement, "%s: %v (apt-get install lxc)", path, err)
	}
	have := map[string]Entry{}
	for _, e := range DefaultDenylist() {
		if e.Cond == nil {
			have[e.Syscall] = e
		}
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) < 3 || strings.TrimSpace(lines[0]) != "2" || strings.TrimSpace(lines[1]) != "denylist" {
		t.Fatalf("%s is not a version 2 denylist:\n%s", path, data)
	}
	n := 0
	for _, l := range lines[2:] {
		if i := strings.Index(l, "#"); i >= 0 {
			l = l[:i]
		}
		f := strings.Fields(l)
		switch {
		case len(f) == 0 || f[0] == "[all]":
		case f[0] == "reject_force_umount":
			n++
			e := entryFor(DefaultDenylist(), "umount2")
			if e.Syscall != "umount2" || e.Errno != EACCES || e.Cond.String() != "[1,0x1,SCMP_CMP_MASKED_EQ,0x1]" {
				t.Errorf("reject_force_umount is not written out as umount2 errno 13 on MNT_FORCE: %+v", e)
			}
		case len(f) == 3 && f[1] == "errno":
			n++
			errno, _ := strconv.Atoi(f[2])
			e, ok := have[f[0]]
			if !ok {
				t.Errorf("%s denies %s; the hardened denylist does not", path, f[0])
				continue
			}
			got := e.Errno
			if got == 0 {
				got = EPERM
			}
			if got != errno || e.Source != SourceLXC {
				t.Errorf("%s: errno %d source %s; LXC has errno %d", f[0], got, e.Source, errno)
			}
		default:
			t.Errorf("%s: unexpected line %q", path, l)
		}
	}
	if n == 0 {
		t.Errorf("no rules in %s", path)
	}
}

func entryFor(list []Entry, syscall string) Entry {
	for _, e := range list {
		if e.Syscall == syscall {
			return e
		}
	}
	return Entry{Cond: &Cond{}}
}
