package securitygroup

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hardened-pve/terraform-provider-hardened/internal/attrs/fwrules"
	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
)

func groupSchema(t *testing.T) resource.SchemaResponse {
	t.Helper()
	var resp resource.SchemaResponse
	NewResource().Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	return resp
}

// TestNestedAttrTypes: the rules' schema type is fwrules.ObjectType, which
// FromRules builds the list with.
func TestNestedAttrTypes(t *testing.T) {
	got := groupSchema(t).Schema.Attributes["rules"].GetType()
	if want := (types.ListType{ElemType: fwrules.ObjectType}); !got.Equal(want) {
		t.Errorf("rules: schema %s, fwrules.ObjectType %s", got, want)
	}
}

// TestGroupRoundTrip: toGroup(toModel(g)) is g, through a state of the
// schema (which checks every value's type).
func TestGroupRoundTrip(t *testing.T) {
	ctx := context.Background()
	sch := groupSchema(t).Schema
	for _, g := range []firewall.Group{
		{Name: "empty", Rules: []firewall.Rule{}},
		{Name: "webservers", Comment: "HTTP(S) from the proxies", Rules: []firewall.Rule{
			{Type: "in", Action: "ACCEPT", Macro: "HTTPS", Source: "+dc/proxies", Log: "info", Comment: "https", Enable: true},
			{Type: "in", Action: "ACCEPT", Proto: "tcp", Dport: "8080:8090", Sport: "1024:65535", Enable: false},
			{Type: "out", Action: "DROP", Proto: "icmp", IcmpType: "echo-request", Dest: "10.0.0.0/8", Enable: true},
			{Type: "forward", Action: "ACCEPT", Source: "dc/lan", Enable: true},
		}},
	} {
		var d diag.Diagnostics
		st := tfsdk.State{Schema: sch, Raw: tftypes.NewValue(sch.Type().TerraformType(ctx), nil)}
		m := toModel(ctx, g, &d)
		d.Append(st.Set(ctx, &m)...)
		var back model
		d.Append(st.Get(ctx, &back)...)
		got, ok := toGroup(ctx, back, &d)
		if !ok || d.HasError() || !reflect.DeepEqual(got, g) {
			t.Errorf("round trip of %+v:\n got %+v (ok %v) %v", g, got, ok, d)
		}
	}
}

func TestToGroupUnknown(t *testing.T) {
	var d diag.Diagnostics
	m := model{Name: types.StringValue("web"), Comment: types.StringNull(), Rules: types.ListUnknown(fwrules.ObjectType)}
	if _, ok := toGroup(context.Background(), m, &d); ok {
		t.Error("a model with unknown rules converted")
	}
}

func TestValidateGroup(t *testing.T) {
	for _, tc := range []struct {
		name  string
		g     firewall.Group
		paths []string // "rules.0.type", ...
	}{
		{"valid", firewall.Group{Name: "web", Rules: []firewall.Rule{{Type: "in", Action: "ACCEPT", Macro: "SSH", Enable: true}}}, nil},
		{"group in a group", firewall.Group{Name: "web", Rules: []firewall.Rule{{Type: "group", Action: "other", Enable: true}}},
			[]string{"rules.0.type"}},
		{"interface in a group", firewall.Group{Name: "web", Rules: []firewall.Rule{
			{Type: "in", Action: "ACCEPT", Macro: "SSH", Enable: true}, {Type: "in", Action: "DROP", Iface: "net0", Enable: true}}},
			[]string{"rules.1.iface"}},
		{"REJECT on forward", firewall.Group{Name: "web", Rules: []firewall.Rule{{Type: "forward", Action: "REJECT", Enable: true}}},
			[]string{"rules.0.action"}},
		{"comment with a line break", firewall.Group{Name: "web", Comment: "a\nb"}, []string{"comment"}},
	} {
		var got []string
		for _, p := range validateGroup(tc.g) {
			var parts []string
			for _, x := range p.Path {
				parts = append(parts, fmt.Sprint(x))
			}
			got = append(got, strings.Join(parts, "."))
		}
		if strings.Join(got, " ") != strings.Join(tc.paths, " ") {
			t.Errorf("%s: problems at %v, want %v", tc.name, got, tc.paths)
		}
	}
}
