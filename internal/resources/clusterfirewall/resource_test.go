package clusterfirewall

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"

	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
)

// The model round trip, and the schema's defaults are the hardened
// options: PVE's defaults with the firewall on.
func TestModelRoundTripAndDefaults(t *testing.T) {
	ctx := context.Background()
	o := firewall.ClusterOptions{Enable: true, Ebtables: false, PolicyIn: "REJECT", PolicyOut: "DROP", PolicyForward: "DROP",
		LogRateLimit: firewall.LogRateLimit{Enable: false, Rate: "3/hour", Burst: 0}}
	var d diag.Diagnostics
	if got := toOptions(ctx, fromOptions(o), &d); got != o || d.HasError() {
		t.Fatalf("round trip %+v %v", got, d)
	}

	var resp resource.SchemaResponse
	NewResource().Schema(ctx, resource.SchemaRequest{}, &resp)
	want := firewall.DefaultClusterOptions()
	want.Enable = true
	def := func(name string) any {
		a := resp.Schema.Attributes[name]
		switch a := a.(type) {
		case schema.BoolAttribute:
			return defaultsBool(ctx, a)
		case schema.StringAttribute:
			return defaultsString(ctx, a)
		}
		t.Fatalf("attribute %s: %T", name, a)
		return nil
	}
	for name, v := range map[string]any{"enable": want.Enable, "ebtables": want.Ebtables, "policy_in": want.PolicyIn,
		"policy_out": want.PolicyOut, "policy_forward": want.PolicyForward} {
		if got := def(name); got != v {
			t.Errorf("default of %s is %v, want %v", name, got, v)
		}
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("%s has no description", name)
		}
	}
}

func defaultsBool(ctx context.Context, a schema.BoolAttribute) bool {
	var resp defaults.BoolResponse
	a.Default.DefaultBool(ctx, defaults.BoolRequest{}, &resp)
	return resp.PlanValue.ValueBool()
}

func defaultsString(ctx context.Context, a schema.StringAttribute) string {
	var resp defaults.StringResponse
	a.Default.DefaultString(ctx, defaults.StringRequest{}, &resp)
	return resp.PlanValue.ValueString()
}
