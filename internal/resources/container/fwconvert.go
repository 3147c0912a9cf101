package container

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
)

// toIPSets converts firewall.ipsets to the model, sorted by name.
func toIPSets(ctx context.Context, m types.Map, diags *diag.Diagnostics) []firewall.IPSet {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	var sets map[string]ipsetModel
	diags.Append(m.ElementsAs(ctx, &sets, false)...)
	out := make([]firewall.IPSet, 0, len(sets))
	for name, set := range sets {
		fs := firewall.IPSet{Name: name, Comment: set.Comment.ValueString()}
		if !set.Entries.IsNull() && !set.Entries.IsUnknown() {
			var entries []ipsetEntryModel
			diags.Append(set.Entries.ElementsAs(ctx, &entries, false)...)
			for _, e := range entries {
				fs.Entries = append(fs.Entries, firewall.IPSetEntry{CIDR: e.CIDR.ValueString(), NoMatch: e.NoMatch.ValueBool(),
					Comment: e.Comment.ValueString()})
			}
		}
		sort.Slice(fs.Entries, func(i, j int) bool { return fs.Entries[i].CIDR < fs.Entries[j].CIDR })
		out = append(out, fs)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func fromIPSets(ctx context.Context, sets []firewall.IPSet, diags *diag.Diagnostics) types.Map {
	vals := map[string]ipsetModel{}
	for _, set := range sets {
		entries := make([]ipsetEntryModel, 0, len(set.Entries))
		for _, e := range set.Entries {
			entries = append(entries, ipsetEntryModel{CIDR: types.StringValue(e.CIDR), NoMatch: types.BoolValue(e.NoMatch), Comment: optString(e.Comment)})
		}
		es, d := types.SetValueFrom(ctx, types.ObjectType{AttrTypes: ipsetEntryAttrTypes}, entries)
		diags.Append(d...)
		vals[set.Name] = ipsetModel{Comment: optString(set.Comment), Entries: es}
	}
	m, d := types.MapValueFrom(ctx, types.ObjectType{AttrTypes: ipsetAttrTypes}, vals)
	diags.Append(d...)
	return m
}

// toAliases converts firewall.aliases to the model, sorted by name.
func toAliases(ctx context.Context, m types.Map, diags *diag.Diagnostics) []firewall.Alias {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	var as map[string]aliasModel
	diags.Append(m.ElementsAs(ctx, &as, false)...)
	out := make([]firewall.Alias, 0, len(as))
	for name, a := range as {
		out = append(out, firewall.Alias{Name: name, CIDR: a.CIDR.ValueString(), Comment: a.Comment.ValueString()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func fromAliases(ctx context.Context, as []firewall.Alias, diags *diag.Diagnostics) types.Map {
	vals := map[string]aliasModel{}
	for _, a := range as {
		vals[a.Name] = aliasModel{CIDR: types.StringValue(a.CIDR), Comment: optString(a.Comment)}
	}
	m, d := types.MapValueFrom(ctx, types.ObjectType{AttrTypes: aliasAttrTypes}, vals)
	diags.Append(d...)
	return m
}
