package baselineattr

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
)

func TestApplySetsEveryField(t *testing.T) {
	ctx := context.Background()
	vals := map[string]attr.Value{}
	for name, typ := range AttrTypes() {
		switch typ {
		case types.BoolType:
			vals[name] = types.BoolValue(true)
		case types.Int64Type:
			vals[name] = types.Int64Value(7)
		case types.SetType{ElemType: types.Int64Type}:
			vals[name] = types.SetValueMust(types.Int64Type, []attr.Value{types.Int64Value(30)})
		default:
			vals[name] = types.SetValueMust(types.StringType, []attr.Value{types.StringValue("x")})
		}
	}
	var diags diag.Diagnostics
	got := Apply(ctx, policy.Baseline{}, types.ObjectValueMust(AttrTypes(), vals), &diags)
	if diags.HasError() {
		t.Fatal(diags)
	}
	rv := reflect.ValueOf(got)
	for i := 0; i < rv.NumField(); i++ {
		if rv.Field(i).IsZero() {
			t.Errorf("field %s is not settable from the block", rv.Type().Field(i).Name)
		}
	}
	if got.MaxMemoryMiB != 7 || !reflect.DeepEqual(got.AllowedVLANs, []int{30}) || !reflect.DeepEqual(got.RequiredTags, []string{"x"}) {
		t.Errorf("values: %+v", got)
	}
}

func TestApplyKeepsUnsetSettings(t *testing.T) {
	ctx := context.Background()
	vals := map[string]attr.Value{}
	for name, typ := range AttrTypes() {
		vals[name] = nullOf(typ)
	}
	vals["max_pids"] = types.Int64Value(512)
	vals["allowed_features"] = types.SetValueMust(types.StringType, []attr.Value{})
	var diags diag.Diagnostics
	got := Apply(ctx, policy.Default(), types.ObjectValueMust(AttrTypes(), vals), &diags)
	want := policy.Default()
	want.MaxPids, want.AllowedFeatures = 512, []string{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if b := Apply(ctx, policy.Default(), types.ObjectNull(AttrTypes()), &diags); !reflect.DeepEqual(b, policy.Default()) {
		t.Errorf("null block changed the baseline: %+v", b)
	}
}

func nullOf(t attr.Type) attr.Value {
	switch t {
	case types.BoolType:
		return types.BoolNull()
	case types.Int64Type:
		return types.Int64Null()
	}
	return types.SetNull(t.(types.SetType).ElemType)
}
