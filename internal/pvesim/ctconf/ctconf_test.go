package ctconf

import (
	"strings"
	"testing"
)

func testTypes(key string) string {
	switch key {
	case "onboot", "unprivileged", "protection", "console", "template":
		return "boolean"
	case "memory", "swap", "cores", "tty", "cpuunits", "snaptime":
		return "integer"
	case "cpulimit":
		return "number"
	case "arch", "hostname", "rootfs", "net0", "parent", "ostype", "lock", "features":
		return "string"
	}
	return ""
}

// The snapshot example of pve-container src/test/snapshot-expected/create/lxc/101.conf, shape-for-shape.
const canonical = `#my container
#line two%3A 100%25 %3A
arch: amd64
cpulimit: 1
hostname: test
memory: 2048
net0: bridge=vmbr0,hwaddr=12:34:56:78:90:12,ip=dhcp,ip6=dhcp,name=eth0,type=veth
parent: test
rootfs: local:snapshotable-disk-1
swap: 512
lxc.environment.runtime: A=1
lxc.apparmor.profile: lxc-web
lxc.cap.drop: sys_module
lxc.cap.drop: sys_rawio

[pve:pending]
delete: onboot
memory: 1024

[test]
#test comment
arch: amd64
cpulimit: 1
hostname: test
memory: 2048
snaptime: 1234567890
`

func TestRoundTripCanonical(t *testing.T) {
	c := Parse(101, []byte(canonical), testTypes)
	if len(c.Warnings) != 0 {
		t.Fatalf("warnings: %v", c.Warnings)
	}
	if got := string(c.Render()); got != canonical {
		t.Fatalf("render mismatch:\n%s\nwant:\n%s", got, canonical)
	}
	if c.Main.Description != "my container\nline two: 100% :\n" {
		t.Fatalf("description %q", c.Main.Description)
	}
	if c.Pending.Delete != "onboot" || c.Pending.Keys["memory"] != "1024" {
		t.Fatalf("pending %+v", c.Pending)
	}
	if c.Snapshots["test"].Keys["snaptime"] != "1234567890" {
		t.Fatalf("snapshot %+v", c.Snapshots["test"])
	}
	if c.Digest != Digest([]byte(canonical)) || len(c.Digest) != 40 {
		t.Fatalf("digest %s", c.Digest)
	}
}

func TestParseNormalisesLikePVE(t *testing.T) {
	raw := "memory: 0512\nonboot: yes\nprotection: off\ncpulimit: 0.5\nlxc.cap.drop = mknod\nhostname:   web  \n"
	c := Parse(100, []byte(raw), testTypes)
	want := map[string]string{"memory": "512", "onboot": "1", "protection": "0", "cpulimit": "0.5", "hostname": "web"}
	for k, v := range want {
		if c.Main.Keys[k] != v {
			t.Errorf("%s = %q, want %q", k, c.Main.Keys[k], v)
		}
	}
	out := string(c.Render())
	if !strings.Contains(out, "lxc.cap.drop: mknod\n") {
		t.Errorf("lxc line not rewritten as 'k: v': %s", out)
	}
	if !strings.HasPrefix(out, "cpulimit: 0.5\nhostname: web\nmemory: 512\nonboot: 1\nprotection: 0\n") {
		t.Errorf("keys not sorted/normalised: %s", out)
	}
}

func TestTolerantParse(t *testing.T) {
	raw := "memory: lots\nbogus: 1\nlxc.rootfs.path: /x\nlxc.no_new_privs: 1\ndelete: memory\nlxc.cgroup2.pids.max: 100\n!!!\n"
	c := Parse(100, []byte(raw), testTypes)
	wantWarn := []string{
		"vm 100 - unable to parse value of 'memory' - type check ('integer') failed - got 'lots'",
		"vm 100 - unable to parse value of 'bogus' - unknown setting 'bogus'",
		"vm 100 - lxc.rootfs.path: lxc.rootfs.path is auto generated from rootfs",
		"vm 100 - unable to parse config: lxc.no_new_privs: 1",
		"vm 100 - property 'delete' is only allowed in [pve:pending]",
		"vm 100 - unable to parse config: !!!",
	}
	if strings.Join(c.Warnings, "\n") != strings.Join(wantWarn, "\n") {
		t.Fatalf("warnings:\n%s", strings.Join(c.Warnings, "\n"))
	}
	// invalid and unknown values are kept; rejected lxc keys are dropped on the next write.
	out := string(c.Render())
	want := "bogus: 1\nmemory: lots\nlxc.cgroup2.pids.max: 100\n"
	if out != want {
		t.Fatalf("render %q want %q", out, want)
	}
}

func TestValidLXCKey(t *testing.T) {
	for key, want := range map[string]bool{
		"lxc.apparmor.profile": true, "lxc.cgroup2.pids.max": true, "lxc.prlimit.nofile": true,
		"lxc.net.0.type": true, "lxc.cgroup.devices.allow": true, "lxc.aa_profile": true,
		"lxc.rootfs.options": false, "lxc.no_new_privs": false, "lxc.proc.oom_score_adj": false,
		"lxc.sysctl.net.ipv4.ip_forward": false, "lxc.keyring.session": false,
	} {
		if ok, _ := ValidLXCKey(key); ok != want {
			t.Errorf("ValidLXCKey(%s) = %v", key, ok)
		}
	}
}

func TestEncodeDecodeText(t *testing.T) {
	for _, s := range []string{"a: b", "100%", "tab\there", "ümlaut", "plain text (ok) #1"} {
		enc := EncodeText(s)
		if strings.ContainsAny(enc, ":\t") || (strings.Contains(s, "%") && !strings.Contains(enc, "%25")) {
			t.Errorf("EncodeText(%q) = %q", s, enc)
		}
		if DecodeText(enc) != s {
			t.Errorf("round trip %q -> %q -> %q", s, enc, DecodeText(enc))
		}
	}
}
