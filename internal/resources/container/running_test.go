package container

import (
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
)

func TestChangedKeys(t *testing.T) {
	old := []pctconf.Line{{Key: "lxc.cap.drop", Value: "sys_admin"}, {Key: "lxc.apparmor.profile", Value: "lxc-a"},
		{Key: "lxc.mount.entry", Value: "a"}, {Key: "lxc.mount.entry", Value: "b"}, {Key: "lxc.cgroup2.pids.max", Value: "300"}}
	now := []pctconf.Line{{Key: "lxc.cap.drop", Value: "sys_admin net_raw"}, {Key: "lxc.apparmor.profile", Value: " lxc-a"},
		{Key: "lxc.mount.entry", Value: "a"}, {Key: "lxc.seccomp.profile", Value: "/p"}}
	want := []string{"lxc.cap.drop", "lxc.cgroup2.pids.max", "lxc.mount.entry", "lxc.seccomp.profile"}
	if got := changedKeys(old, now); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := changedKeys(old, old); len(got) != 0 {
		t.Errorf("unchanged lines: %v", got)
	}
}

func TestRestartRecordRoundTrip(t *testing.T) {
	rec := restartRecord{Init: initProcess{Boot: "0b6b3c4e-1f2a-4c4e-9f7e-2b1d3c4e5f60", PID: "20001", Start: "123456"}, Stale: []string{"lxc.cap.drop", "lxc.seccomp.profile"}}
	if got := parseRestartRecord(rec.render()); !reflect.DeepEqual(got, rec) {
		t.Errorf("got %+v, want %+v", got, rec)
	}
}

func TestPlanPendingRestart(t *testing.T) {
	lines := types.ListValueMust(types.StringType, nil)
	other := types.ListValueMust(types.StringType, []attr.Value{types.StringValue("lxc.cap.drop: net_raw")})
	state := containerModel{Started: types.BoolValue(true), LXCLines: lines, NodeFiles: types.MapNull(types.StringType),
		PendingRestart: types.StringValue("restart owed: lxc.cap.drop changed while it ran")}
	plan := func(restart bool, l types.List, started bool) containerModel {
		return containerModel{RestartOnChange: types.BoolValue(restart), Started: types.BoolValue(started), LXCLines: l, NodeFiles: types.MapNull(types.StringType)}
	}
	for _, tc := range []struct {
		name  string
		plan  containerModel
		state *containerModel
		want  types.String
	}{
		{"new container", plan(false, lines, true), nil, types.StringValue("")},
		{"the apply restarts", plan(true, lines, true), &state, types.StringValue("")},
		{"restarts off, nothing changes", plan(false, lines, true), &state, state.PendingRestart},
		{"restarts off, the lines change", plan(false, other, true), &state, types.StringUnknown()},
		{"restarts off, it stops", plan(false, lines, false), &state, types.StringUnknown()},
		{"restarts unknown", containerModel{RestartOnChange: types.BoolUnknown()}, &state, types.StringUnknown()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := planPendingRestart(tc.plan, tc.state); !got.Equal(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
