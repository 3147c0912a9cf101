package nodesync

import (
	"reflect"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
)

func TestChangedKeys(t *testing.T) {
	old := []pctconf.Line{{Key: "lxc.cap.drop", Value: "sys_admin"}, {Key: "lxc.apparmor.profile", Value: "lxc-a"},
		{Key: "lxc.mount.entry", Value: "a"}, {Key: "lxc.mount.entry", Value: "b"}, {Key: "lxc.cgroup2.pids.max", Value: "300"}}
	now := []pctconf.Line{{Key: "lxc.cap.drop", Value: "sys_admin net_raw"}, {Key: "lxc.apparmor.profile", Value: " lxc-a"},
		{Key: "lxc.mount.entry", Value: "a"}, {Key: "lxc.seccomp.profile", Value: "/p"}}
	want := []string{"lxc.cap.drop", "lxc.cgroup2.pids.max", "lxc.mount.entry", "lxc.seccomp.profile"}
	if got := ChangedKeys(old, now); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := ChangedKeys(old, old); len(got) != 0 {
		t.Errorf("unchanged lines: %v", got)
	}
}

func TestRestartRecordRoundTrip(t *testing.T) {
	rec := restartRecord{Init: initProcess{Boot: "0b6b3c4e-1f2a-4c4e-9f7e-2b1d3c4e5f60", PID: "20001", Start: "123456"}, Stale: []string{"lxc.cap.drop", "lxc.seccomp.profile"}}
	if got := parseRestartRecord(rec.render()); !reflect.DeepEqual(got, rec) {
		t.Errorf("got %+v, want %+v", got, rec)
	}
}
