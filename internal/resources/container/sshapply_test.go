package container

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

func sshValue(t *testing.T, changes map[string]attr.Value) types.Object {
	t.Helper()
	attrs := defaultSSHServer().Attributes()
	for k, v := range changes {
		attrs = withAttr(attrs, k, v)
	}
	o, d := types.ObjectValue(sshServerAttrTypes, attrs)
	if d.HasError() {
		t.Fatal(d)
	}
	return o
}

// sshVerdict is what HC-SSH-001 sees after the apply of a plan.
func TestSSHVerdict(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		ssh     map[string]attr.Value
		started types.Bool
		want    hardening.GuestSSH
	}{
		{"default, not looked at yet", nil, types.BoolValue(true), hardening.GuestSSH{Observed: true, Installed: true}},
		{"no sshd", map[string]attr.Value{"installed": types.BoolValue(false)}, types.BoolValue(true), hardening.GuestSSH{Observed: true}},
		{"stopped", nil, types.BoolValue(false), hardening.GuestSSH{Stopped: true}},
		{"no banner asked for", map[string]attr.Value{"banner": types.StringValue(""), "installed": types.BoolValue(true)}, types.BoolNull(),
			hardening.GuestSSH{Observed: true, Installed: true, Weaknesses: []string{"banner none"}}},
		{"not managed", map[string]attr.Value{"enabled": types.BoolValue(false)}, types.BoolValue(true), hardening.GuestSSH{Pending: true}},
	} {
		var d diag.Diagnostics
		got := sshVerdict(ctx, containerModel{SSHServer: sshValue(t, tc.ssh), Started: tc.started}, &d)
		if d.HasError() || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v %v, want %+v", tc.name, got, d, tc.want)
		}
	}
}

// planSSH takes installed from the state, unknown when this apply looks.
func TestPlanSSHInstalled(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name        string
		state       *containerModel
		started     bool
		wantUnknown bool
		want        bool
	}{
		{name: "create", wantUnknown: true},
		{name: "observed absent", state: &containerModel{SSHServer: sshValue(t, map[string]attr.Value{"installed": types.BoolValue(false)})},
			started: true, want: false},
		{name: "observed present", state: &containerModel{SSHServer: sshValue(t, map[string]attr.Value{"installed": types.BoolValue(true)})},
			started: true, want: true},
		{name: "never looked, runs", state: &containerModel{SSHServer: sshValue(t, map[string]attr.Value{"installed": types.BoolNull()})},
			started: true, wantUnknown: true},
	} {
		var d diag.Diagnostics
		plan := containerModel{SSHServer: defaultSSHServer(), Started: types.BoolValue(tc.started)}
		if tc.state != nil {
			tc.state.Compliance = types.ObjectNull(complianceAttrTypes)
		}
		planSSH(ctx, &plan, tc.state, false, &d)
		got := plan.SSHServer.Attributes()["installed"].(types.Bool) //nolint:forcetypeassert // the schema's type
		if d.HasError() || got.IsUnknown() != tc.wantUnknown || (!tc.wantUnknown && got.ValueBool() != tc.want) {
			t.Errorf("%s: installed %v %v", tc.name, got, d)
		}
	}
}

func TestSSHMemo(t *testing.T) {
	if sshMemoValue(0) != nil || string(sshMemoValue(4242)) != "4242" {
		t.Fatal("memo value")
	}
	only := withSSHObserved(observedOnly, hardening.GuestSSH{Pending: true})
	if !only[sshRule] || observedOnly[sshRule] || withSSHObserved(observedOnly, hardening.GuestSSH{Observed: true})[sshRule] {
		t.Fatal("HC-SSH-001 is carried over only when the provider does not write sshd's configuration")
	}
}
