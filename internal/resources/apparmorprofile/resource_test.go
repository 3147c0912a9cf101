package apparmorprofile

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hardened-pve/terraform-provider-hardened/internal/apparmor"
	"github.com/hardened-pve/terraform-provider-hardened/internal/attrs/aarules"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

func profileSchema(t *testing.T) resource.SchemaResponse {
	t.Helper()
	var resp resource.SchemaResponse
	NewResource().Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	return resp
}

// TestNestedAttrTypes: settings' schema type is aarules.AttrTypes(true),
// which FromSettings builds the object with.
func TestNestedAttrTypes(t *testing.T) {
	got := profileSchema(t).Schema.Attributes["settings"].GetType()
	if want := (types.ObjectType{AttrTypes: aarules.AttrTypes(true)}); !got.Equal(want) {
		t.Errorf("settings: schema %s, aarules.AttrTypes(true) %s", got, want)
	}
}

// TestSettingsRoundTrip: ToSettings(FromSettings(s)) is s for the
// standalone block, through a state of the schema.
func TestSettingsRoundTrip(t *testing.T) {
	ctx := context.Background()
	sch := profileSchema(t).Schema
	for _, s := range []apparmor.Settings{
		apparmor.Hardened(),
		{},
		{DenyRawNetwork: true, DenyPtrace: true, Nesting: true, MountFSTypes: []string{"cifs", "nfs"},
			ExtraRules: []string{"deny /srv/secret/** rw,", "deny network bluetooth,"}},
	} {
		var d diag.Diagnostics
		m := model{ID: types.StringValue("lxc-x"), Name: types.StringValue("lxc-x"), Settings: aarules.FromSettings(ctx, s, true, &d),
			Raw: types.StringNull(), Nodes: setOf(ctx, []string{"pve1", "pve2"}, &d), Content: types.StringValue("x"),
			Copies: copiesOf(ctx, []string{"pve1"}, "sha256:00", &d)}
		st := tfsdk.State{Schema: sch, Raw: tftypes.NewValue(sch.Type().TerraformType(ctx), nil)}
		d.Append(st.Set(ctx, &m)...)
		var back model
		d.Append(st.Get(ctx, &back)...)
		got, ok := aarules.ToSettings(ctx, back.Settings, &d)
		if !ok || d.HasError() || !equalSettings(got, s) {
			t.Errorf("round trip of %+v:\n got %+v %v", s, got, d)
		}
	}
}

func equalSettings(a, b apparmor.Settings) bool {
	for _, p := range []*[]string{&a.MountFSTypes, &b.MountFSTypes, &a.ExtraRules, &b.ExtraRules} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	return reflect.DeepEqual(a, b)
}

// TestContent: the profile text from raw or from settings, and the
// plan-time errors on the attribute that holds the mistake.
func TestContent(t *testing.T) {
	ctx := context.Background()
	settings := func(s apparmor.Settings) types.Object {
		var d diag.Diagnostics
		return aarules.FromSettings(ctx, s, true, &d)
	}
	raw := "profile lxc-web flags=(attach_disconnected,mediate_deleted) {\n  #include <abstractions/lxc/container-base>\n}"
	for _, tc := range []struct {
		name      string
		m         model
		ok        bool
		want      string // the text, or "" to render the settings
		errorPath string
	}{
		{"raw gets its final line break", model{Name: types.StringValue("lxc-web"), Raw: types.StringValue(raw)}, true, raw + "\n", ""},
		{"raw naming another profile", model{Name: types.StringValue("lxc-db"), Raw: types.StringValue(raw)}, true, raw + "\n", "raw"},
		{"settings", model{Name: types.StringValue("lxc-web"), Raw: types.StringNull(), Settings: settings(apparmor.Hardened())}, true,
			string(apparmor.RenderNamed("lxc-web", apparmor.Hardened())), ""},
		{"invalid extra rule", model{Name: types.StringValue("lxc-web"), Raw: types.StringNull(),
			Settings: settings(apparmor.Settings{ExtraRules: []string{"change_profile -> unconfined,"}})}, true, "", "settings"},
		{"unknown raw", model{Name: types.StringValue("lxc-web"), Raw: types.StringUnknown()}, false, "", ""},
		{"unknown settings", model{Name: types.StringValue("lxc-web"), Raw: types.StringNull(),
			Settings: types.ObjectUnknown(aarules.AttrTypes(true))}, false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d diag.Diagnostics
			text, ok := content(ctx, tc.m, &d)
			if ok != tc.ok {
				t.Fatalf("ok %v, want %v", ok, tc.ok)
			}
			if tc.want != "" && string(text) != tc.want {
				t.Errorf("text %q, want %q", text, tc.want)
			}
			var paths []string
			for _, e := range d.Errors() {
				if pe, ok := e.(diag.DiagnosticWithPath); ok {
					paths = append(paths, pe.Path().String())
				}
			}
			if got := strings.Join(paths, " "); (tc.errorPath == "") != (got == "") || !strings.Contains(got, tc.errorPath) {
				t.Errorf("errors on %q, want on %q: %v", got, tc.errorPath, d)
			}
		})
	}
}

func TestMinusAndCopies(t *testing.T) {
	for _, tc := range []struct{ a, b, want []string }{
		{[]string{"pve1", "pve2", "pve3"}, []string{"pve2"}, []string{"pve1", "pve3"}},
		{[]string{"pve1"}, []string{"pve1", "pve2"}, nil},
		{nil, []string{"pve1"}, nil},
	} {
		if got := minus(tc.a, tc.b); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("minus(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
	ctx := context.Background()
	var d diag.Diagnostics
	digest := hardening.FileDigest([]byte("profile"))
	m := copiesOf(ctx, []string{"pve1", "pve2"}, digest, &d)
	var got map[string]string
	d.Append(m.ElementsAs(ctx, &got, false)...)
	if d.HasError() || !reflect.DeepEqual(got, map[string]string{"pve1": digest, "pve2": digest}) {
		t.Errorf("copiesOf: %v %v", got, d)
	}
}
