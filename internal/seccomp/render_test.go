package seccomp

import (
	"strings"
	"testing"
)

// defaultDenylistText is the provider's hardened default (Policy{}).
const defaultDenylistText = `2
denylist
[all]
acct errno 1
add_key errno 38
bpf errno 1
clone errno 1 [0,0x10000000,SCMP_CMP_MASKED_EQ,0x10000000]
clone3 errno 38
delete_module errno 1
finit_module errno 1
init_module errno 1
io_uring_enter errno 38
io_uring_register errno 38
io_uring_setup errno 38
ioctl errno 1 [1,0x9400,SCMP_CMP_MASKED_EQ,0xff00]
ioperm errno 1
iopl errno 1
kexec_file_load errno 1
kexec_load errno 1
keyctl errno 38
lookup_dcookie errno 1
open_by_handle_at errno 1
perf_event_open errno 1
request_key errno 38
socket errno 97 [0,38,SCMP_CMP_EQ]
swapoff errno 1
swapon errno 1
umount2 errno 13 [1,0x1,SCMP_CMP_MASKED_EQ,0x1]
unshare errno 1 [0,0x10000000,SCMP_CMP_MASKED_EQ,0x10000000]
userfaultfd errno 1
`

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy Policy
		want   string
	}{
		{"zero value is the hardened denylist", Policy{}, defaultDenylistText},
		{"user namespaces allowed", Policy{UserNamespaces: true}, strings.NewReplacer(
			"clone errno 1 [0,0x10000000,SCMP_CMP_MASKED_EQ,0x10000000]\n", "", "clone3 errno 38\n", "",
			"unshare errno 1 [0,0x10000000,SCMP_CMP_MASKED_EQ,0x10000000]\n", "").Replace(defaultDenylistText)},
		{
			"allowlist with clone allows it without CLONE_NEWUSER", Policy{Mode: ModeAllowlist, Errno: ENOSYS, Syscalls: []string{"clone", "unshare", "read"}},
			`2
allowlist errno 38
[all]
clone allow [0,0x0,SCMP_CMP_MASKED_EQ,0x10000000]
read allow
unshare allow [0,0x0,SCMP_CMP_MASKED_EQ,0x10000000]
`,
		},
		{
			"allowlist with user namespaces allowed", Policy{Mode: ModeAllowlist, Errno: ENOSYS, UserNamespaces: true, Syscalls: []string{"clone", "clone3", "unshare"}},
			`2
allowlist errno 38
[all]
clone allow
clone3 allow
unshare allow
`,
		},
		{"explicit denylist", Policy{Mode: ModeDenylist, Errno: EPERM}, defaultDenylistText},
		{"mknod changes nothing in a denylist", Policy{Mknod: true}, defaultDenylistText},
		{"duplicate of the baseline is written once", Policy{Syscalls: []string{"bpf"}}, defaultDenylistText},
		{
			"denylist, keyctl, own errno, extras", Policy{Errno: 13, Keyctl: true, Syscalls: []string{"ptrace", "kcmp", "socket"}},
			`2
denylist
[all]
acct errno 13
bpf errno 13
clone errno 13 [0,0x10000000,SCMP_CMP_MASKED_EQ,0x10000000]
clone3 errno 38
delete_module errno 13
finit_module errno 13
init_module errno 13
io_uring_enter errno 38
io_uring_register errno 38
io_uring_setup errno 38
ioctl errno 1 [1,0x9400,SCMP_CMP_MASKED_EQ,0xff00]
ioperm errno 13
iopl errno 13
kcmp errno 13
kexec_file_load errno 13
kexec_load errno 13
lookup_dcookie errno 13
open_by_handle_at errno 13
perf_event_open errno 13
ptrace errno 13
socket errno 13
swapoff errno 13
swapon errno 13
umount2 errno 13 [1,0x1,SCMP_CMP_MASKED_EQ,0x1]
unshare errno 13 [0,0x10000000,SCMP_CMP_MASKED_EQ,0x10000000]
userfaultfd errno 13
`,
		},
		{
			"small allowlist", Policy{Mode: ModeAllowlist, Syscalls: []string{"write", "read", "exit_group"}},
			`2
allowlist errno 1
[all]
add_key errno 38
clone3 errno 38
exit_group allow
io_uring_enter errno 38
io_uring_register errno 38
io_uring_setup errno 38
keyctl errno 38
read allow
request_key errno 38
write allow
`,
		},
		{
			"allowlist carves the conditional denies out", Policy{Mode: ModeAllowlist, Errno: ENOSYS, Keyctl: true, Mknod: true, Syscalls: []string{"ioctl", "socket", "umount2"}},
			`2
allowlist errno 38
[all]
add_key allow
ioctl allow [1,0x100,SCMP_CMP_MASKED_EQ,0x100]
ioctl allow [1,0x200,SCMP_CMP_MASKED_EQ,0x200]
ioctl allow [1,0x0,SCMP_CMP_MASKED_EQ,0x400]
ioctl allow [1,0x800,SCMP_CMP_MASKED_EQ,0x800]
ioctl allow [1,0x0,SCMP_CMP_MASKED_EQ,0x1000]
ioctl allow [1,0x2000,SCMP_CMP_MASKED_EQ,0x2000]
ioctl allow [1,0x4000,SCMP_CMP_MASKED_EQ,0x4000]
ioctl allow [1,0x0,SCMP_CMP_MASKED_EQ,0x8000]
ioctl errno 1 [1,0x9400,SCMP_CMP_MASKED_EQ,0xff00]
keyctl allow
mknod allow
mknodat allow
request_key allow
socket allow [0,38,SCMP_CMP_NE]
socket errno 97 [0,38,SCMP_CMP_EQ]
umount2 allow [1,0x0,SCMP_CMP_MASKED_EQ,0x1]
umount2 errno 13 [1,0x1,SCMP_CMP_MASKED_EQ,0x1]
`,
		},
		{
			// libseccomp rejects a rule whose action is the default one.
			"allowlist leaves out rules equal to the default", Policy{Mode: ModeAllowlist, Errno: EPERM, Syscalls: []string{"ioctl"}},
			`2
allowlist errno 1
[all]
add_key errno 38
clone3 errno 38
io_uring_enter errno 38
io_uring_register errno 38
io_uring_setup errno 38
ioctl allow [1,0x100,SCMP_CMP_MASKED_EQ,0x100]
ioctl allow [1,0x200,SCMP_CMP_MASKED_EQ,0x200]
ioctl allow [1,0x0,SCMP_CMP_MASKED_EQ,0x400]
ioctl allow [1,0x800,SCMP_CMP_MASKED_EQ,0x800]
ioctl allow [1,0x0,SCMP_CMP_MASKED_EQ,0x1000]
ioctl allow [1,0x2000,SCMP_CMP_MASKED_EQ,0x2000]
ioctl allow [1,0x4000,SCMP_CMP_MASKED_EQ,0x4000]
ioctl allow [1,0x0,SCMP_CMP_MASKED_EQ,0x8000]
keyctl errno 38
request_key errno 38
`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.policy.Render()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("Render() =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestRenderDefaultModeWritesNoFile(t *testing.T) {
	got, err := Policy{Mode: ModeDefault, Keyctl: true}.Render()
	if err != nil || got != nil {
		t.Errorf("Render() = %q, %v; want nil, nil (no lxc.seccomp.profile line)", got, err)
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	a, err := Policy{Mode: ModeAllowlist, Syscalls: []string{"write", "read", "ioctl", "socket"}}.Render()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		b, err := Policy{Mode: ModeAllowlist, Syscalls: []string{"socket", "ioctl", "read", "write"}}.Render()
		if err != nil || string(a) != string(b) {
			t.Fatalf("Render differs with the list's order or between runs:\n%s\n%s", a, b)
		}
	}
}

func TestRenderRefusesInvalidPolicies(t *testing.T) {
	for _, p := range []Policy{
		{Mode: "blocklist"},
		{Errno: 4095},
		{Syscalls: []string{"kexec_laod"}},
		{Mode: ModeAllowlist},
		{Mode: ModeAllowlist, Syscalls: []string{"read", "bpf"}},
		{Mknod: true, Syscalls: []string{"mknod"}},
	} {
		if got, err := p.Render(); err == nil || got != nil {
			t.Errorf("%+v: Render() = %q, %v; want an error", p, got, err)
		} else if !strings.HasPrefix(err.Error(), "invalid seccomp policy: ") {
			t.Errorf("%+v: error %q", p, err)
		}
	}
	// Warnings do not stop it.
	if _, err := (Policy{Mknod: true, Syscalls: []string{"bpf"}}).Render(); err != nil {
		t.Errorf("warnings stopped Render: %v", err)
	}
}

func TestCondComplement(t *testing.T) {
	// For every value of the masked byte, exactly one of "deny" and "some
	// complement holds" is true.
	c := Cond{Arg: 1, Op: "SCMP_CMP_MASKED_EQ", Value: 0x9400, Mask: 0xff00}
	comp := c.complement()
	if len(comp) != 8 {
		t.Fatalf("complement has %d conditions, want 8 (one per mask bit)", len(comp))
	}
	for v := uint64(0); v < 0x10000; v += 0x40 {
		denied := v&c.Mask == c.Value
		allowed := false
		for _, a := range comp {
			allowed = allowed || v&a.Mask == a.Value
		}
		if denied == allowed {
			t.Fatalf("request %#x: denied %v, allowed %v", v, denied, allowed)
		}
	}
	if got := (Cond{Arg: 0, Op: "SCMP_CMP_EQ", Value: 38}).complement(); len(got) != 1 || got[0].String() != "[0,38,SCMP_CMP_NE]" {
		t.Errorf("EQ complement = %v", got)
	}
}
