package seccomp

import "testing"

func TestKnownSyscall(t *testing.T) {
	for name, want := range map[string]bool{
		"read": true, "kexec_load": true, "open_by_handle_at": true, "io_uring_setup": true, "mknodat": true,
		"clone3": true, "futex_waitv": true, "set_mempolicy_home_node": true,
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
	for name, nr := range map[string]int{"read": 0, "ioctl": 16, "socket": 41, "umount2": 166, "kexec_load": 246, "bpf": 321, "io_uring_setup": 425} {
		if got, ok := syscallNumber(name); !ok || got != nr {
			t.Errorf("syscallNumber(%q) = %d, %v; want %d", name, got, ok, nr)
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
