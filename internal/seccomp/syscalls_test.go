package seccomp

import "testing"

func TestKnownSyscall(t *testing.T) {
	for name, want := range map[string]bool{
		"read": true, "kexec_load": true, "open_by_handle_at": true, "io_uring_setup": true, "mknodat": true,
		"clone3": true, "futex_waitv": true, "set_mempolicy_home_node": true,
		// Newer than the Linux 6.1 header; libseccomp 2.6.0 (PVE 9) knows them.
		"uretprobe": true, "cachestat": true, "fchmodat2": true, "futex_wake": true, "statmount": true, "mseal": true,
		"removexattrat": true,
		// Kernel syscalls libseccomp 2.6.0 does not know: LXC on PVE would
		// skip them, so they must stay unknown even when regenerated from
		// newer headers.
		"open_tree_attr": false, "file_getattr": false, "file_setattr": false, "listns": false,
		"":                    false,
		"kexec_laod":          false, // typo
		"READ":                false, // names are lower case
		" read":               false,
		"socketcall":          false, // i386 only
		"reject_force_umount": false, // an LXC directive, not a syscall
		"#":                   false,
	} {
		if got := KnownSyscall(name); got != want {
			t.Errorf("KnownSyscall(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestSyscallTable(t *testing.T) {
	if n := len(syscalls); n < 360 {
		t.Errorf("table has %d syscalls, want at least 360", n)
	}
	for name, nr := range map[string]int{
		"read": 0, "ioctl": 16, "socket": 41, "umount2": 166, "kexec_load": 246, "bpf": 321, "io_uring_setup": 425,
		"uretprobe": 335, "cachestat": 451, "fchmodat2": 452, "map_shadow_stack": 453, "futex_requeue": 456,
		"lsm_list_modules": 461, "mseal": 462, "setxattrat": 463, "removexattrat": 466,
	} {
		if got, ok := syscallNumber(name); !ok || got != nr {
			t.Errorf("syscallNumber(%q) = %d, %v; want %d", name, got, ok, nr)
		}
	}
	// libseccomp 2.6.0's x86_64 column has 379 names and ends at 466
	// (removexattrat): a table regenerated from newer headers must not grow
	// names PVE's libseccomp cannot resolve (mark them "!" in
	// extra_x86_64.txt).
	if n := len(syscalls); n != 379 {
		t.Errorf("table has %d syscalls, libseccomp %s knows 379", n, PVELibseccomp)
	}
	for name, nr := range syscalls {
		if nr > 466 {
			t.Errorf("%s %d is newer than libseccomp %s's table (last: removexattrat 466)", name, nr, PVELibseccomp)
		}
	}
	for name, nr := range map[string]int{"open_tree_attr": 467, "file_getattr": 468, "file_setattr": 469, "listns": 470} {
		if got, ok := unresolvable[name]; !ok || got != nr {
			t.Errorf("unresolvable[%q] = %d, %v; want %d", name, got, ok, nr)
		}
	}
	for _, e := range baseline {
		if !KnownSyscall(e.Syscall) {
			t.Errorf("baseline entry %q is not a known syscall", e.Syscall)
		}
	}
	for _, s := range append(append(EssentialSyscalls(), keyringSyscalls...), mknodSyscalls...) {
		if !KnownSyscall(s) {
			t.Errorf("%q is not a known syscall", s)
		}
	}
}

func TestClosestSyscall(t *testing.T) {
	for in, want := range map[string]string{
		"kexec_laod":         "kexec_load",
		"userfaultd":         "userfaultfd",
		"perf_event":         "perf_event_open",
		"open_by_handle":     "open_by_handle_at",
		"iouring_setup":      "io_uring_setup",
		"xyzzy_qwerty_plugh": "",
	} {
		if got := closestSyscall(in); got != want {
			t.Errorf("closestSyscall(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExtraTableGenerated: the embedded table is what gen makes of
// extra_x86_64.txt (go generate was run after editing it).
func TestExtraTableGenerated(t *testing.T) {
	extra := parseExtra(extraTable)
	if len(extra) < 20 {
		t.Fatalf("extra_x86_64.txt has %d entries", len(extra))
	}
	for _, x := range extra {
		if x.kernel == "" {
			t.Errorf("%s: no kernel version comment", x.name)
		}
		nr, known := syscalls[x.name]
		unr, isUnres := unresolvable[x.name]
		switch {
		case x.resolvable && (!known || nr != x.nr):
			t.Errorf("%s %d is resolvable in extra_x86_64.txt, the table has %d, %v: run go generate ./internal/seccomp/", x.name, x.nr, nr, known)
		case !x.resolvable && (known || !isUnres || unr != x.nr):
			t.Errorf("!%s %d in extra_x86_64.txt, the table has it known=%v, unresolvable %d: run go generate ./internal/seccomp/", x.name, x.nr, known, unr)
		}
	}
	if len(unresolvable) != len(extra)-countResolvable(extra) {
		t.Errorf("the table has %d unresolvable names, extra_x86_64.txt %d", len(unresolvable), len(extra)-countResolvable(extra))
	}
}

func countResolvable(x []extraSyscall) int {
	n := 0
	for _, e := range x {
		if e.resolvable {
			n++
		}
	}
	return n
}

func TestParseTable(t *testing.T) {
	known, unknown := parseTable("# comment\nread 0\n!listns 470\nbad line here\n\nwrite 1\n")
	if len(known) != 2 || known["read"] != 0 || known["write"] != 1 {
		t.Errorf("known = %v", known)
	}
	if len(unknown) != 1 || unknown["listns"] != 470 {
		t.Errorf("unresolvable = %v", unknown)
	}
}
