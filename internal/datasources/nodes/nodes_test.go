package nodes

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
)

func dsSchema(t *testing.T) datasource.SchemaResponse {
	t.Helper()
	var resp datasource.SchemaResponse
	NewDataSource().Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	return resp
}

func read(t *testing.T, d datasource.DataSource, verify bool) (*datasource.ReadResponse, model) {
	t.Helper()
	ctx := context.Background()
	sch := dsSchema(t).Schema
	typ := sch.Type().TerraformType(ctx).(tftypes.Object)
	raw := tftypes.NewValue(typ, map[string]tftypes.Value{
		"verify_node_access": tftypes.NewValue(tftypes.Bool, verify),
		"node_access":        tftypes.NewValue(tftypes.String, nil),
		"nodes":              tftypes.NewValue(typ.AttributeTypes["nodes"], nil),
	})
	resp := &datasource.ReadResponse{State: tfsdk.State{Schema: sch, Raw: raw}}
	d.Read(ctx, datasource.ReadRequest{Config: tfsdk.Config{Schema: sch, Raw: raw}}, resp)
	var m model
	if !resp.Diagnostics.HasError() {
		if diags := resp.State.Get(ctx, &m); diags.HasError() {
			t.Fatal(diags)
		}
	}
	return resp, m
}

func TestSchema(t *testing.T) {
	if d := dsSchema(t).Schema.ValidateImplementation(context.Background()); d.HasError() {
		t.Fatal(d)
	}
}

func TestReadUnconfigured(t *testing.T) {
	resp, _ := read(t, NewDataSource(), false)
	if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics[0].Detail(), "known only after apply") {
		t.Fatalf("got %v", resp.Diagnostics)
	}
}

func TestRead(t *testing.T) {
	ft := pvesim.FastTiming()
	sim, err := pvesim.Start(pvesim.Options{Nodes: []string{"pve2", "pve1"}, PlainHTTP: true, Timing: &ft, UnauthorizedDelay: -1, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Stop() })
	api, err := pve.New(pve.Config{Endpoint: sim.Endpoint(), APIToken: sim.Credentials().APIToken()})
	if err != nil {
		t.Fatal(err)
	}
	root := sim.DataDir()
	dialled := map[string]bool{}
	channels := providerdata.NewNodeChannels("local", func(_ context.Context, node string) (nodefs.FS, error) {
		dialled[node] = true
		if root == "" {
			return nil, errors.New("dial refused")
		}
		return nodefs.NewLocal(root)
	})
	t.Cleanup(func() { _ = channels.Close() })
	d := NewDataSource()
	var cresp datasource.ConfigureResponse
	d.(datasource.DataSourceWithConfigure).Configure(context.Background(),
		datasource.ConfigureRequest{ProviderData: &providerdata.Clients{API: api, Nodes: channels}}, &cresp)
	if cresp.Diagnostics.HasError() {
		t.Fatal(cresp.Diagnostics)
	}

	resp, m := read(t, d, false)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if len(m.Nodes) != 2 || m.Nodes[0].Name.ValueString() != "pve1" || m.Nodes[1].Name.ValueString() != "pve2" ||
		m.Nodes[0].Status.ValueString() != "online" || m.NodeAccess.ValueString() != "local" {
		t.Fatalf("nodes: %+v", m)
	}
	if len(dialled) != 0 {
		t.Fatalf("dialled %v without verify_node_access", dialled)
	}

	resp, _ = read(t, d, true)
	if resp.Diagnostics.HasError() || !dialled["pve1"] || !dialled["pve2"] {
		t.Fatalf("verify: %v, dialled %v", resp.Diagnostics, dialled)
	}

	_ = channels.Close()
	root = "/nonexistent-root"
	resp, _ = read(t, d, true)
	if !resp.Diagnostics.HasError() || resp.Diagnostics[0].Summary() != "Node pve1 has no /etc/pve" {
		t.Fatalf("wrong root: %v", resp.Diagnostics)
	}

	_ = channels.Close()
	root = ""
	resp, _ = read(t, d, true)
	if !resp.Diagnostics.HasError() || resp.Diagnostics[0].Summary() != "Cannot open the node channel to pve1" ||
		!strings.Contains(resp.Diagnostics[0].Detail(), "dial refused") {
		t.Fatalf("dial failure: %v", resp.Diagnostics)
	}
}
