// Package baselineattr is the Terraform side of a policy.Baseline: the
// `baseline` block of the provider and of the hardened_audit data source,
// built from policy.Settings (so every Baseline field is configurable and
// documented, and none can be forgotten), and its conversion back.
package baselineattr

import (
	"context"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
)

var baselineType = reflect.TypeOf(policy.Baseline{})

// attrType is the Terraform type of a Baseline field.
func attrType(f reflect.StructField) attr.Type {
	switch f.Type.Kind() {
	case reflect.Bool:
		return types.BoolType
	case reflect.Int:
		return types.Int64Type
	case reflect.Slice:
		if f.Type.Elem().Kind() == reflect.Int {
			return types.SetType{ElemType: types.Int64Type}
		}
		return types.SetType{ElemType: types.StringType}
	}
	panic("baselineattr: unsupported Baseline field " + f.Name)
}

func field(s policy.Setting) reflect.StructField {
	f, ok := baselineType.FieldByName(s.Field)
	if !ok {
		panic("baselineattr: no Baseline field " + s.Field)
	}
	return f
}

// AttrTypes are the block's attribute types.
func AttrTypes() map[string]attr.Type {
	out := map[string]attr.Type{}
	for _, s := range policy.Settings() {
		out[s.Name] = attrType(field(s))
	}
	return out
}

func description(s policy.Setting) string {
	d := s.Doc
	if s.Rule != "" {
		d += " Rule " + s.Rule + "."
	}
	return d + " Default: `" + s.Default + "` (seed 000's checklist)."
}

const blockDoc = "The organisation's hardening baseline, checked against every `hardened_container` at plan time " +
	"(a violation fails the plan with its rule ID unless the container lists an `exceptions` entry for it) and reported by `hardened_audit`. " +
	"Each unset setting has its default from seed 000's audit checklist (so no block at all is that checklist); " +
	"see the policy rule catalogue guide for every rule."

// attributes builds one optional attribute per setting with the schema
// package's constructors (the provider and data source schemas are
// different Go types with the same shape).
func attributes[A any](boolAttr, intAttr func(doc string) A, setAttr func(elem attr.Type, doc string) A) map[string]A {
	out := map[string]A{}
	for _, s := range policy.Settings() {
		d := description(s)
		switch t := attrType(field(s)); t {
		case types.BoolType:
			out[s.Name] = boolAttr(d)
		case types.Int64Type:
			out[s.Name] = intAttr(d)
		default:
			out[s.Name] = setAttr(t.(types.SetType).ElemType, d)
		}
	}
	return out
}

// ProviderAttribute is the provider's `baseline` block.
func ProviderAttribute() pschema.SingleNestedAttribute {
	attrs := attributes(
		func(d string) pschema.Attribute { return pschema.BoolAttribute{Optional: true, MarkdownDescription: d} },
		func(d string) pschema.Attribute {
			return pschema.Int64Attribute{Optional: true, MarkdownDescription: d}
		},
		func(e attr.Type, d string) pschema.Attribute {
			return pschema.SetAttribute{ElementType: e, Optional: true, MarkdownDescription: d}
		})
	return pschema.SingleNestedAttribute{Optional: true, MarkdownDescription: blockDoc, Attributes: attrs}
}

// DataSourceAttribute is the `baseline` argument of hardened_audit.
func DataSourceAttribute() dschema.SingleNestedAttribute {
	attrs := attributes(
		func(d string) dschema.Attribute { return dschema.BoolAttribute{Optional: true, MarkdownDescription: d} },
		func(d string) dschema.Attribute {
			return dschema.Int64Attribute{Optional: true, MarkdownDescription: d}
		},
		func(e attr.Type, d string) dschema.Attribute {
			return dschema.SetAttribute{ElementType: e, Optional: true, MarkdownDescription: d}
		})
	return dschema.SingleNestedAttribute{Optional: true, Attributes: attrs,
		MarkdownDescription: "The baseline to audit against, setting by setting; unset settings come from the provider's `baseline` (and " +
			"from seed 000's checklist where that is unset too)."}
}

// Apply overrides base with the settings o sets (a null o changes nothing).
func Apply(ctx context.Context, base policy.Baseline, o types.Object, diags *diag.Diagnostics) policy.Baseline {
	if o.IsNull() || o.IsUnknown() {
		return base
	}
	b := base
	rv := reflect.ValueOf(&b).Elem()
	vals := o.Attributes()
	for _, s := range policy.Settings() {
		v, ok := vals[s.Name]
		if !ok || v.IsNull() || v.IsUnknown() {
			continue
		}
		fv := rv.FieldByName(s.Field)
		switch x := v.(type) {
		case types.Bool:
			fv.SetBool(x.ValueBool())
		case types.Int64:
			fv.SetInt(x.ValueInt64())
		case types.Set:
			if fv.Type().Elem().Kind() == reflect.Int {
				var ns []int64
				diags.Append(x.ElementsAs(ctx, &ns, false)...)
				out := make([]int, len(ns))
				for i, n := range ns {
					out[i] = int(n)
				}
				fv.Set(reflect.ValueOf(out))
			} else {
				var ss []string
				diags.Append(x.ElementsAs(ctx, &ss, false)...)
				if ss == nil {
					ss = []string{}
				}
				fv.Set(reflect.ValueOf(ss))
			}
		default:
			diags.AddError("Internal error", fmt.Sprintf("baseline setting %s has unexpected type %T", s.Name, v))
		}
	}
	return b
}
