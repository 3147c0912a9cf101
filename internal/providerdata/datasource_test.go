package providerdata

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestReadDataSourceConfig: the configuration is read into the model; nil
// clients stop Read with the data source's detail; a configuration that
// does not fit the model stops it before the clients are looked at.
func TestReadDataSourceConfig(t *testing.T) {
	ctx := context.Background()
	sch := schema.Schema{Attributes: map[string]schema.Attribute{"node": schema.StringAttribute{Optional: true}}}
	raw := tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{"node": tftypes.String}},
		map[string]tftypes.Value{"node": tftypes.NewValue(tftypes.String, "pve1")})
	config := tfsdk.Config{Schema: sch, Raw: raw}
	type model struct {
		Node types.String `tfsdk:"node"`
	}

	var m model
	var diags diag.Diagnostics
	if !ReadDataSourceConfig(ctx, config, &m, &Clients{}, &diags, "unused") || diags.HasError() || m.Node.ValueString() != "pve1" {
		t.Fatalf("configured: model %+v, %v", m, diags)
	}

	m, diags = model{}, nil
	if ReadDataSourceConfig(ctx, config, &m, nil, &diags, "hardened_x") || len(diags) != 1 ||
		diags[0].Summary() != "Provider not configured" || !strings.HasPrefix(diags[0].Detail(), "hardened_x cannot be read: ") ||
		!strings.Contains(diags[0].Detail(), "known only after apply") {
		t.Fatalf("not configured: %v", diags)
	}

	var wrong struct {
		Other types.String `tfsdk:"other"`
	}
	diags = nil
	if ReadDataSourceConfig(ctx, config, &wrong, nil, &diags, "hardened_x") || !diags.HasError() ||
		diags[0].Summary() == "Provider not configured" {
		t.Fatalf("model mismatch: %v", diags)
	}
}
