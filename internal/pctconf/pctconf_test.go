package pctconf

import (
	"reflect"
	"strings"
	"testing"
)

const sample = `#web server
arch: amd64
hostname: web
memory: 512
unknownkey: kept as is
lxc.apparmor.profile = unconfined
lxc.cap.drop: sys_admin
lxc.mount.entry: /srv srv none bind 0 0
lxc.cap.drop:   mknod  

[pve:pending]
memory: 1024
lxc.cap.drop: sys_time

[snap1]
lxc.cap.drop: sys_module
snaptime: 1
`

func managed(k string) bool { return k == "lxc.cap.drop" || k == "lxc.apparmor.profile" }

func TestLXCReadsBothForms(t *testing.T) {
	f := Parse([]byte(sample))
	want := []Line{{"lxc.apparmor.profile", "unconfined"}, {"lxc.cap.drop", "sys_admin"},
		{"lxc.mount.entry", "/srv srv none bind 0 0"}, {"lxc.cap.drop", "mknod"}}
	if got := f.LXC(); !reflect.DeepEqual(got, want) {
		t.Fatalf("LXC() = %v", got)
	}
	if v, ok := f.Get("memory"); !ok || v != "512" {
		t.Fatalf("memory %q (pending value must not leak into the main section)", v)
	}
	if !reflect.DeepEqual(f.Values("lxc.cap.drop"), []string{"sys_admin", "mknod"}) {
		t.Fatalf("values %v", f.Values("lxc.cap.drop"))
	}
}

func TestSetLXCKeepsEverythingElse(t *testing.T) {
	f := Parse([]byte(sample))
	f.SetLXC(managed, []Line{{"lxc.apparmor.profile", "lxc-web"}, {"lxc.cap.drop", "sys_admin sys_module"}})
	got := string(f.Render())
	want := `#web server
arch: amd64
hostname: web
memory: 512
unknownkey: kept as is
lxc.mount.entry: /srv srv none bind 0 0
lxc.apparmor.profile: lxc-web
lxc.cap.drop: sys_admin sys_module

[pve:pending]
memory: 1024
lxc.cap.drop: sys_time

[snap1]
lxc.cap.drop: sys_module
snaptime: 1
`
	if got != want {
		t.Fatalf("render:\n%s", got)
	}
	// idempotent: applying the same lines again changes nothing
	f2 := Parse([]byte(got))
	f2.SetLXC(managed, []Line{{"lxc.apparmor.profile", "lxc-web"}, {"lxc.cap.drop", "sys_admin sys_module"}})
	if string(f2.Render()) != got {
		t.Fatal("SetLXC is not idempotent")
	}
}

func TestRoundTripUntouched(t *testing.T) {
	for _, in := range []string{sample, "arch: amd64\n", "", "memory: 1\n\n[pve:pending]\nmemory: 2\n"} {
		if got := string(Parse([]byte(in)).Render()); got != in {
			t.Errorf("round trip changed %q -> %q", in, got)
		}
	}
	if got := string(Parse([]byte("arch: amd64\n\n\n")).Render()); got != "arch: amd64\n" {
		t.Errorf("trailing blank lines: %q", got)
	}
	if strings.Contains(string(Parse([]byte(sample)).Render()), "\n\n\n") {
		t.Error("double blank lines")
	}
}
