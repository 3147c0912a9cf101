package container

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

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
