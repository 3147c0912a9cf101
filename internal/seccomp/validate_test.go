package seccomp

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	busybox := append(EssentialSyscalls(), busyboxExtra...)
	plus := func(names ...string) []string { return append(append([]string(nil), busybox...), names...) }
	type want struct {
		field   string
		index   int
		warning bool
		summary string
		detail  string // a fragment of Detail
	}
	for _, tc := range []struct {
		name   string
		policy Policy
		want   []want
	}{
		{"hardened default", Policy{}, nil},
		{"PVE default", Policy{Mode: ModeDefault, Keyctl: true, Mknod: true}, nil},
		{"busybox allowlist", Policy{Mode: ModeAllowlist, Syscalls: busybox}, nil},
		{"invalid mode", Policy{Mode: "blacklist"}, []want{
			{"mode", -1, false, "invalid seccomp mode", `"blacklist" is not a seccomp mode: use "default" (PVE's own policy), "denylist" or "allowlist".`},
		}},
		{"errno too large", Policy{Errno: 4095}, []want{
			{"errno", -1, false, "errno out of range", "errno must be between 1 and 4094 (libseccomp refuses larger values and lxc-start fails); got 4095."},
		}},
		{"errno negative", Policy{Mode: ModeAllowlist, Errno: -1, Syscalls: busybox}, []want{
			{"errno", -1, false, "errno out of range", "got -1."},
		}},
		{"typo in a denylist", Policy{Syscalls: []string{"ptrace", "kexec_laod"}}, []want{
			{"syscalls", 1, false, "unknown syscall", `"kexec_laod" is not an x86_64 system call. LXC silently skips names it cannot resolve, so this entry would deny nothing: the policy would be weaker than written, without any error. Did you mean "kexec_load"?`},
		}},
		{"typo in an allowlist", Policy{Mode: ModeAllowlist, Syscalls: append([]string{"wirte"}, busybox...)}, []want{
			{"syscalls", 0, false, "unknown syscall", `so this entry would allow nothing: whatever needs it would fail. Did you mean "write"?`},
		}},
		{"newer than PVE's libseccomp in a denylist", Policy{Syscalls: []string{"mseal", "file_setattr"}}, []want{
			{"syscalls", 1, false, "unknown syscall", `"file_setattr" (x86_64 system call 469) is newer than libseccomp 2.6.0, with which LXC on PVE resolves names. LXC silently skips names it cannot resolve, so this entry would deny nothing: the policy would be weaker than written, without any error.`},
		}},
		{"newer than PVE's libseccomp in an allowlist", Policy{Mode: ModeAllowlist, Syscalls: plus("fchmodat2", "open_tree_attr")}, []want{
			{"syscalls", len(busybox) + 1, false, "unknown syscall", `is newer than libseccomp 2.6.0, with which LXC on PVE resolves names. LXC silently skips names it cannot resolve, so this entry would allow nothing: whatever needs it would fail.`},
		}},
		{"no suggestion for nonsense", Policy{Syscalls: []string{"xyzzy_qwerty_plugh"}}, []want{
			{"syscalls", 0, false, "unknown syscall", "without any error."},
		}},
		{"duplicate", Policy{Syscalls: []string{"ptrace", "kcmp", "ptrace"}}, []want{
			{"syscalls", 2, false, "duplicate syscall", `"ptrace" is already listed at index 0.`},
		}},
		{"already in the baseline", Policy{Syscalls: []string{"bpf"}}, []want{
			{"syscalls", 0, true, "already denied", `"bpf" is in the hardened denylist already (eBPF programs`},
		}},
		{"denying an essential syscall", Policy{Syscalls: []string{"execve"}}, []want{
			{"syscalls", 0, true, "denies an essential syscall", `needs "execve": the container will probably fail to start.`},
		}},
		{"denying mknod with the mknod feature", Policy{Mknod: true, Syscalls: []string{"mknodat"}}, []want{
			{"mknod", -1, true, "mknod is only not denied", "does not get PVE's seccomp-notify handling of mknod"},
			{"syscalls", 0, false, "conflicts with mknod", `"mknodat" is denied although the mknod feature is enabled; remove one of them.`},
		}},
		{"denying keyctl with the keyctl feature", Policy{Keyctl: true, Syscalls: []string{"add_key"}}, []want{
			{"syscalls", 0, false, "conflicts with keyctl", `"add_key" is denied although the keyctl feature is enabled; remove one of them.`},
		}},
		{"syscalls with PVE's policy", Policy{Mode: ModeDefault, Syscalls: []string{"bpf"}}, []want{
			{"syscalls", -1, false, "syscalls need a denylist or allowlist", `With mode "default" PVE's own policy applies`},
		}},
		{"empty allowlist", Policy{Mode: ModeAllowlist}, []want{
			{"syscalls", -1, false, "empty allowlist", "with none listed the container cannot even start. List the complete set (at least access, arch_prctl,"},
		}},
		{"allowlist misses essentials", Policy{Mode: ModeAllowlist, Syscalls: []string{"read", "write"}}, []want{
			{"syscalls", -1, true, "allowlist misses essential syscalls", "Not allowed: access, arch_prctl, brk, capget,"},
		}},
		{"allowlist allows a baseline deny", Policy{Mode: ModeAllowlist, Syscalls: plus("bpf")}, []want{
			{"syscalls", len(busybox), false, "denied by the hardened baseline", `"bpf" cannot be allowed: an allowlist is never wider than the hardened denylist`},
		}},
		{"allowlist allows keyctl without the feature", Policy{Mode: ModeAllowlist, Syscalls: plus("keyctl")}, []want{
			{"syscalls", len(busybox), false, "needs the keyctl feature", `"keyctl" belongs to the kernel keyring API, which is denied unless keyctl is enabled`},
		}},
		{"allowlist allows keyctl with the feature", Policy{Mode: ModeAllowlist, Keyctl: true, Syscalls: plus("keyctl")}, nil},
		{"allowlist may allow the conditionally denied", Policy{Mode: ModeAllowlist, Syscalls: plus("ioctl", "socket", "umount2")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Validate(tc.policy)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Field != w.field || g.Index != w.index || g.Warning != w.warning || g.Summary != w.summary || !strings.Contains(g.Detail, w.detail) {
					t.Errorf("problem %d = %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
}

func TestProblemError(t *testing.T) {
	p := Problem{Field: "syscalls", Index: 2, Summary: "duplicate syscall", Detail: `"bpf" is already listed at index 0.`}
	if got, want := p.Error(), `syscalls[2]: duplicate syscall: "bpf" is already listed at index 0.`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	p = Problem{Field: "errno", Index: -1, Summary: "s", Detail: "d"}
	if got := p.Error(); got != "errno: s: d" {
		t.Errorf("Error() = %q", got)
	}
}
