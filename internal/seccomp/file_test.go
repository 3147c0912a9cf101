package seccomp

import (
	"reflect"
	"strings"
	"testing"
)

func TestPathIsDigestOfText(t *testing.T) {
	a, b := Policy{}.Path(), Policy{Syscalls: []string{"kcmp"}}.Path()
	if !strings.HasPrefix(a, Dir+"/"+FilePrefix) || !strings.HasSuffix(a, ".seccomp") || a == b {
		t.Fatalf("paths %q, %q", a, b)
	}
	if a != (Policy{Mode: ModeDenylist, Errno: EPERM}).Path() {
		t.Errorf("equal policies have different paths")
	}
	if p := (Policy{Mode: ModeDefault}).Path(); p != "" {
		t.Errorf("default mode has a path %q", p)
	}
	if p := (Policy{Syscalls: []string{"kexec_laod"}}).Path(); p != "" {
		t.Errorf("an invalid policy has a path %q", p)
	}
}

func TestRecoverRoundTrip(t *testing.T) {
	allow := append(EssentialSyscalls(), "ioctl", "socket", "umount2", "kcmp")
	for _, p := range []Policy{
		{Mode: ModeDenylist, Errno: EPERM},
		{Mode: ModeDenylist, Errno: 13, Syscalls: []string{"kcmp", "ptrace", "socket"}},
		{Mode: ModeDenylist, Errno: EPERM, Keyctl: true, Syscalls: []string{"ioctl"}},
		{Mode: ModeDenylist, Errno: ENOSYS, Mknod: true},
		{Mode: ModeAllowlist, Errno: 4000, Syscalls: sortedCopy(allow)},
		{Mode: ModeAllowlist, Errno: EPERM, Keyctl: true, Mknod: true, Syscalls: EssentialSyscalls()},
		{Mode: ModeDenylist, Errno: EPERM, UserNamespaces: true, Syscalls: []string{"unshare"}},
		{Mode: ModeAllowlist, Errno: ENOSYS, UserNamespaces: true, Syscalls: sortedCopy(append(EssentialSyscalls(), "clone3", "unshare"))},
	} {
		text, err := p.Render()
		if err != nil {
			t.Fatal(err)
		}
		got, ok := Recover(p.Path(), text, p.Keyctl, p.Mknod, p.UserNamespaces)
		if !ok {
			t.Errorf("%+v: not recovered", p)
			continue
		}
		want := p
		want.Syscalls = sortedCopy(p.Syscalls)
		if len(want.Syscalls) == 0 {
			want.Syscalls = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("recovered %+v, want %+v", got, want)
		}
	}
}

func TestRecoverRefusesForeignFiles(t *testing.T) {
	text, _ := Policy{}.Render()
	edited := []byte(strings.Replace(string(text), "bpf errno 1\n", "", 1))
	for name, tc := range map[string]struct {
		path string
		text []byte
	}{
		"edited file under its old name": {Policy{}.Path(), edited},
		"hand-written file":              {pathOf([]byte("2\ndenylist\n[all]\nkexec_load errno 1\n")), []byte("2\ndenylist\n[all]\nkexec_load errno 1\n")},
		"other path":                     {"/etc/pve/other.seccomp", text},
		"version 1 file":                 {pathOf([]byte("1\nwhitelist\n")), []byte("1\nwhitelist\n")},
	} {
		if p, ok := Recover(tc.path, tc.text, false, false, false); ok {
			t.Errorf("%s: recovered %+v", name, p)
		}
	}
}
