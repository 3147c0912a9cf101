package clusterfirewall

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
)

// TestNestedAttrTypes: log_ratelimit's schema type is rateLimitAttrTypes,
// which fromOptions and the default build its values with.
func TestNestedAttrTypes(t *testing.T) {
	var resp resource.SchemaResponse
	NewResource().Schema(context.Background(), resource.SchemaRequest{}, &resp)
	got := resp.Schema.Attributes["log_ratelimit"].GetType()
	if want := (types.ObjectType{AttrTypes: rateLimitAttrTypes}); !got.Equal(want) {
		t.Errorf("log_ratelimit: schema %s, rateLimitAttrTypes %s", got, want)
	}
}

// TestOptionsRoundTrip: toOptions(fromOptions(o)) is o for a table of
// options, through a state of the schema (which checks every value's type).
func TestOptionsRoundTrip(t *testing.T) {
	ctx := context.Background()
	var resp resource.SchemaResponse
	NewResource().Schema(ctx, resource.SchemaRequest{}, &resp)
	for _, o := range []firewall.ClusterOptions{
		{},
		{Enable: true, PolicyIn: "DROP", PolicyOut: "ACCEPT", PolicyForward: "ACCEPT",
			LogRateLimit: firewall.LogRateLimit{Enable: true, Rate: "1/second", Burst: 5}},
		{Enable: true, Ebtables: true, PolicyIn: "REJECT", PolicyOut: "REJECT", PolicyForward: "DROP",
			LogRateLimit: firewall.LogRateLimit{Rate: "100/minute", Burst: 200}},
	} {
		var d diag.Diagnostics
		st := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
		m := fromOptions(o)
		d.Append(st.Set(ctx, &m)...)
		var back model
		d.Append(st.Get(ctx, &back)...)
		if got := toOptions(ctx, back, &d); got != o || d.HasError() {
			t.Errorf("round trip of %+v: %+v %v", o, got, d)
		}
	}
}
