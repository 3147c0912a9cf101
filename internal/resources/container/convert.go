package container

import (
	"context"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/hardened-pve/terraform-provider-hardened/internal/attrs/aarules"
	"github.com/hardened-pve/terraform-provider-hardened/internal/attrs/fwrules"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// Unknown values become zero values: callers validate only what is known and
// never apply a plan with unknowns in these attributes.

func strs(ctx context.Context, v attr.Value, diags *diag.Diagnostics) []string {
	var out []string
	switch x := v.(type) {
	case types.Set:
		if x.IsNull() || x.IsUnknown() {
			return nil
		}
		diags.Append(x.ElementsAs(ctx, &out, false)...)
	case types.List:
		if x.IsNull() || x.IsUnknown() {
			return nil
		}
		diags.Append(x.ElementsAs(ctx, &out, false)...)
	}
	return out
}

func asObject[T any](ctx context.Context, o types.Object, diags *diag.Diagnostics) (T, bool) {
	var m T
	if o.IsNull() || o.IsUnknown() {
		return m, false
	}
	diags.Append(o.As(ctx, &m, basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true})...)
	return m, true
}

// toSpec converts a plan or config to a Spec.
func toSpec(ctx context.Context, m containerModel, diags *diag.Diagnostics) hardening.Spec {
	s := hardening.Spec{
		Node:            m.Node.ValueString(),
		VMID:            int(m.VMID.ValueInt64()),
		Hostname:        m.Hostname.ValueString(),
		Description:     m.Description.ValueString(),
		Tags:            strs(ctx, m.Tags, diags),
		OSTemplate:      m.OSTemplate.ValueString(),
		Arch:            m.Arch.ValueString(),
		Unprivileged:    m.Unprivileged.IsNull() || m.Unprivileged.IsUnknown() || m.Unprivileged.ValueBool(),
		RootPassword:    m.RootPassword.ValueString(),
		SSHPublicKeys:   strs(ctx, m.SSHPublicKeys, diags),
		Cores:           int(m.Cores.ValueInt64()),
		CPULimit:        m.CPULimit.ValueFloat64(),
		CPUUnits:        int(m.CPUUnits.ValueInt64()),
		MemoryMiB:       int(m.Memory.ValueInt64()),
		SwapMiB:         int(m.Swap.ValueInt64()),
		PidsMax:         int(m.PidsMax.ValueInt64()),
		AppArmorProfile: m.AppArmorProfile.ValueString(),
		Started:         m.Started.ValueBool(),
		OnBoot:          m.OnBoot.ValueBool(),
		Protection:      m.Protection.ValueBool(),
		Timezone:        m.Timezone.ValueString(),
		Nameservers:     strs(ctx, m.Nameservers, diags),
		SearchDomain:    m.SearchDomain.ValueString(),
		TTY:             int(m.TTY.ValueInt64()),
		Console:         m.Console.ValueBool(),
		CMode:           m.ConsoleMode.ValueString(),
	}
	configToSpec(ctx, m, &s, diags)
	s.AppArmor, _ = aarules.ToSettings(ctx, m.AppArmor, diags)
	s.Seccomp = toSeccomp(ctx, m.Seccomp, diags)
	if r, ok := asObject[rootfsModel](ctx, m.RootFS, diags); ok {
		s.RootFS = hardening.RootFS{Storage: r.Storage.ValueString(), SizeGiB: int(r.Size.ValueInt64()),
			MountOptions: strs(ctx, r.MountOptions, diags), Volume: r.Volume.ValueString()}
	}
	if c, ok := asObject[capabilitiesModel](ctx, m.Capabilities, diags); ok {
		s.Capabilities = hardening.Capabilities{Drop: strs(ctx, c.Drop, diags), Keep: strs(ctx, c.Keep, diags),
			KeepMode: !c.Keep.IsNull() && !c.Keep.IsUnknown()}
	}
	if f, ok := asObject[featuresModel](ctx, m.Features, diags); ok {
		s.Features = hardening.Features{Nesting: f.Nesting.ValueBool(), Keyctl: f.Keyctl.ValueBool(),
			Fuse: f.Fuse.ValueBool(), Mknod: f.Mknod.ValueBool(), Mount: strs(ctx, f.Mount, diags)}
	}
	if st, ok := asObject[startupModel](ctx, m.Startup, diags); ok {
		s.Startup = hardening.Startup{Order: int(st.Order.ValueInt64()), Up: int(st.Up.ValueInt64()), Down: int(st.Down.ValueInt64())}
	}
	if !m.Network.IsNull() && !m.Network.IsUnknown() {
		var nics []nicModel
		diags.Append(m.Network.ElementsAs(ctx, &nics, false)...)
		for _, n := range nics {
			s.NICs = append(s.NICs, hardening.NIC{Name: n.Name.ValueString(), Bridge: n.Bridge.ValueString(),
				VLAN: int(n.VLAN.ValueInt64()), IPv4: n.IPv4.ValueString(), GatewayIPv4: n.IPv4Gateway.ValueString(),
				IPv6: n.IPv6.ValueString(), GatewayIPv6: n.IPv6Gateway.ValueString(), MAC: n.MAC.ValueString(),
				RateMbps: n.RateMbps.ValueFloat64(), MTU: int(n.MTU.ValueInt64()),
				Firewall: n.Firewall.IsNull() || n.Firewall.IsUnknown() || n.Firewall.ValueBool()})
		}
	}
	if f, ok := asObject[firewallModel](ctx, m.Firewall, diags); ok {
		s.Firewall = hardening.Firewall{Enabled: f.Enabled.ValueBool(), PolicyIn: f.PolicyIn.ValueString(),
			PolicyOut: f.PolicyOut.ValueString(), MACFilter: f.MACFilter.ValueBool(), IPFilter: f.IPFilter.ValueBool(),
			NDP: f.NDP.ValueBool(), RADV: f.RADV.ValueBool(), DHCP: f.DHCP.ValueBool(),
			LogLevelIn: f.LogLevelIn.ValueString(), LogLevelOut: f.LogLevelOut.ValueString()}
		s.Firewall.Rules = fwrules.ToRules(ctx, f.Rules, diags)
		s.Firewall.IPSets = toIPSets(ctx, f.IPSets, diags)
		s.Firewall.Aliases = toAliases(ctx, f.Aliases, diags)
	}
	return s
}

func optString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func strSetValue(ctx context.Context, in []string, diags *diag.Diagnostics, nullIfEmpty bool) types.Set {
	if len(in) == 0 && nullIfEmpty {
		return types.SetNull(types.StringType)
	}
	if in == nil {
		in = []string{}
	}
	v, d := types.SetValueFrom(ctx, types.StringType, in)
	diags.Append(d...)
	return v
}

func strListValue(ctx context.Context, in []string, diags *diag.Diagnostics, nullIfEmpty bool) types.List {
	if len(in) == 0 && nullIfEmpty {
		return types.ListNull(types.StringType)
	}
	if in == nil {
		in = []string{}
	}
	v, d := types.ListValueFrom(ctx, types.StringType, in)
	diags.Append(d...)
	return v
}

func objectValue(ctx context.Context, t map[string]attr.Type, v any, diags *diag.Diagnostics) types.Object {
	o, d := types.ObjectValueFrom(ctx, t, v)
	diags.Append(d...)
	return o
}

func optInt(n int) types.Int64 {
	if n == 0 {
		return types.Int64Null()
	}
	return types.Int64Value(int64(n))
}

func optFloat(f float64) types.Float64 {
	if f == 0 {
		return types.Float64Null()
	}
	return types.Float64Value(f)
}

// fromSpec writes an observed Spec into the model. Attributes PVE cannot
// report (write-only secrets, the template) keep their prior values; `prior`
// also decides between null and empty for optional collections so that an
// unchanged configuration plans empty.
func fromSpec(ctx context.Context, s hardening.Spec, prior containerModel, diags *diag.Diagnostics) containerModel {
	m := prior
	m.ID = types.StringValue(s.Node + "/" + strconv.Itoa(s.VMID))
	m.Node = types.StringValue(s.Node)
	m.VMID = types.Int64Value(int64(s.VMID))
	m.Hostname = types.StringValue(s.Hostname)
	m.Description = optString(s.Description)
	// PVE stores the description as comment lines and returns it with a
	// trailing newline; an equal text is not a change
	if !prior.Description.IsNull() && !prior.Description.IsUnknown() &&
		strings.TrimRight(prior.Description.ValueString(), "\n") == strings.TrimRight(s.Description, "\n") {
		m.Description = prior.Description
	}
	m.Tags = strSetValue(ctx, s.Tags, diags, true)
	m.Arch = types.StringValue(s.Arch)
	m.OSType = optString(s.OSType)
	m.Unprivileged = types.BoolValue(s.Unprivileged)
	m.Cores = types.Int64Value(int64(s.Cores))
	m.CPULimit = types.Float64Value(s.CPULimit)
	m.CPUUnits = types.Int64Value(int64(s.CPUUnits))
	m.Memory = types.Int64Value(int64(s.MemoryMiB))
	m.Swap = types.Int64Value(int64(s.SwapMiB))
	m.PidsMax = types.Int64Value(int64(s.PidsMax))
	m.AppArmorProfile = types.StringValue(s.AppArmorProfile)
	m.AppArmor = aarules.FromSettings(ctx, s.AppArmor, false, diags)
	m.Seccomp = fromSeccomp(ctx, s.Seccomp, diags)
	m.Started = types.BoolValue(s.Started)
	m.OnBoot = types.BoolValue(s.OnBoot)
	m.Protection = types.BoolValue(s.Protection)
	m.Timezone = optString(s.Timezone)
	m.Nameservers = strListValue(ctx, s.Nameservers, diags, true)
	m.SearchDomain = optString(s.SearchDomain)
	m.TTY = types.Int64Value(int64(s.TTY))
	m.Console = types.BoolValue(s.Console)
	m.ConsoleMode = types.StringValue(s.CMode)

	m.RootFS = objectValue(ctx, rootfsAttrTypes, rootfsModel{Storage: types.StringValue(s.RootFS.Storage),
		Size: types.Int64Value(int64(s.RootFS.SizeGiB)), MountOptions: strSetValue(ctx, s.RootFS.MountOptions, diags, false),
		Volume: types.StringValue(s.RootFS.Volume)}, diags)
	caps := capabilitiesModel{Drop: types.SetNull(types.StringType), Keep: types.SetNull(types.StringType)}
	if s.Capabilities.KeepMode {
		caps.Keep = strSetValue(ctx, s.Capabilities.Keep, diags, false)
	}
	if !s.Capabilities.KeepMode || len(s.Capabilities.Drop) > 0 {
		caps.Drop = strSetValue(ctx, s.Capabilities.Drop, diags, false)
	}
	m.Capabilities = objectValue(ctx, capsAttrTypes, caps, diags)
	m.Features = objectValue(ctx, featAttrTypes, featuresModel{Nesting: types.BoolValue(s.Features.Nesting),
		Keyctl: types.BoolValue(s.Features.Keyctl), Fuse: types.BoolValue(s.Features.Fuse), Mknod: types.BoolValue(s.Features.Mknod),
		Mount: strSetValue(ctx, s.Features.Mount, diags, false)}, diags)
	startup := types.ObjectNull(startupAttrTypes)
	if s.Startup != (hardening.Startup{}) {
		startup = objectValue(ctx, startupAttrTypes, startupModel{Order: optInt(s.Startup.Order), Up: optInt(s.Startup.Up), Down: optInt(s.Startup.Down)},
			diags)
	}
	m.Startup = startup

	nics := make([]nicModel, 0, len(s.NICs))
	for _, n := range s.NICs {
		nics = append(nics, nicModel{Name: types.StringValue(n.Name), Bridge: types.StringValue(n.Bridge), VLAN: optInt(n.VLAN),
			IPv4: types.StringValue(orDefault(n.IPv4, hardening.DefaultIPv4)), IPv4Gateway: optString(n.GatewayIPv4),
			IPv6: types.StringValue(orDefault(n.IPv6, hardening.DefaultIPv6)), IPv6Gateway: optString(n.GatewayIPv6),
			MAC: optString(n.MAC), RateMbps: optFloat(n.RateMbps), MTU: optInt(n.MTU), Firewall: types.BoolValue(n.Firewall)})
	}
	nl, d := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: nicAttrTypes}, nics)
	diags.Append(d...)
	m.Network = nl

	rl := fwrules.FromRules(ctx, s.Firewall.Rules, diags)
	f := s.Firewall
	m.Firewall = objectValue(ctx, fwAttrTypes, firewallModel{Enabled: types.BoolValue(f.Enabled), PolicyIn: types.StringValue(f.PolicyIn),
		PolicyOut: types.StringValue(f.PolicyOut), MACFilter: types.BoolValue(f.MACFilter), IPFilter: types.BoolValue(f.IPFilter),
		NDP: types.BoolValue(f.NDP), RADV: types.BoolValue(f.RADV), DHCP: types.BoolValue(f.DHCP),
		LogLevelIn: types.StringValue(f.LogLevelIn), LogLevelOut: types.StringValue(f.LogLevelOut), Rules: rl,
		IPSets: fromIPSets(ctx, f.IPSets, diags), Aliases: fromAliases(ctx, f.Aliases, diags)}, diags)
	configFromSpec(ctx, s, prior, &m, diags)
	setDerived(ctx, &m, s, diags)
	return m
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// setDerived fills the computed views of what the provider enforces.
func setDerived(ctx context.Context, m *containerModel, s hardening.Spec, diags *diag.Diagnostics) {
	m.LXCLines = strListValue(ctx, hardening.RenderLXCLines(hardening.LXCLines(s)), diags, false)
	m.FirewallFile = types.StringValue(string(hardening.FirewallConfig(s).Render()))
	nf, d := types.MapValueFrom(ctx, types.StringType, hardening.ExpectedNodeFiles(s))
	diags.Append(d...)
	m.NodeFiles = nf
}
