package container

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// configToSpec converts the closed-world attributes (mount points,
// devices, hookscript, environment, prlimits, raw lines) into s.
func configToSpec(ctx context.Context, m containerModel, s *hardening.Spec, diags *diag.Diagnostics) {
	if !m.MountPoints.IsNull() && !m.MountPoints.IsUnknown() {
		var mps []mountPointModel
		diags.Append(m.MountPoints.ElementsAs(ctx, &mps, false)...)
		for _, mp := range mps {
			s.MountPoints = append(s.MountPoints, hardening.MountPoint{Path: mp.Path.ValueString(), Storage: mp.Storage.ValueString(),
				SizeGiB: int(mp.Size.ValueInt64()), HostPath: mp.HostPath.ValueString(), ReadOnly: mp.ReadOnly.ValueBool(),
				Backup: mp.Backup.ValueBool(), MountOptions: hardening.SortedUnique(strs(ctx, mp.MountOptions, diags)),
				Volume: mp.Volume.ValueString()})
		}
	}
	if !m.Devices.IsNull() && !m.Devices.IsUnknown() {
		var ds []deviceModel
		diags.Append(m.Devices.ElementsAs(ctx, &ds, false)...)
		for _, d := range ds {
			s.Devices = append(s.Devices, hardening.Device{Path: d.Path.ValueString(), Mode: d.Mode.ValueString(),
				UID: int(d.UID.ValueInt64()), GID: int(d.GID.ValueInt64()), DenyWrite: d.DenyWrite.ValueBool()})
		}
	}
	s.Hookscript = m.Hookscript.ValueString()
	env := strMap(ctx, m.Environment, diags)
	for k, v := range env {
		s.Environment = append(s.Environment, k+"="+v)
	}
	sort.Strings(s.Environment)
	s.PRLimits = strMap(ctx, m.PRLimits, diags)
	for _, text := range strs(ctx, m.RawLXC, diags) {
		s.RawLXC = append(s.RawLXC, hardening.ParseRawLine(text))
	}
}

func strMap(ctx context.Context, v types.Map, diags *diag.Diagnostics) map[string]string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	out := map[string]string{}
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	if len(out) == 0 {
		return nil
	}
	return out
}

// configFromSpec writes the observed closed-world attributes into m;
// collections stay null when nothing is observed and the prior value is
// null, so an unchanged configuration plans empty.
func configFromSpec(ctx context.Context, s hardening.Spec, prior containerModel, m *containerModel, diags *diag.Diagnostics) {
	mpType := types.ObjectType{AttrTypes: mountPointAttrTypes}
	m.MountPoints = types.ListNull(mpType)
	if len(s.MountPoints) > 0 || !prior.MountPoints.IsNull() {
		mps := make([]mountPointModel, len(s.MountPoints))
		for i, mp := range s.MountPoints {
			mps[i] = mountPointModel{Path: types.StringValue(mp.Path), Storage: optString(mp.Storage), Size: optInt(mp.SizeGiB),
				HostPath: optString(mp.HostPath), ReadOnly: types.BoolValue(mp.ReadOnly), Backup: types.BoolValue(mp.Backup),
				MountOptions: strSetValue(ctx, mp.MountOptions, diags, false), Volume: optString(mp.Volume)}
		}
		l, d := types.ListValueFrom(ctx, mpType, mps)
		diags.Append(d...)
		m.MountPoints = l
	}
	devType := types.ObjectType{AttrTypes: deviceAttrTypes}
	m.Devices = types.ListNull(devType)
	if len(s.Devices) > 0 || !prior.Devices.IsNull() {
		ds := make([]deviceModel, len(s.Devices))
		for i, d := range s.Devices {
			ds[i] = deviceModel{Path: types.StringValue(d.Path), Mode: optString(d.Mode), UID: optInt(d.UID), GID: optInt(d.GID),
				DenyWrite: types.BoolValue(d.DenyWrite)}
		}
		l, d := types.ListValueFrom(ctx, devType, ds)
		diags.Append(d...)
		m.Devices = l
	}
	m.Hookscript = optString(s.Hookscript)
	env := map[string]string{}
	for _, e := range s.Environment {
		k, v, _ := strings.Cut(e, "=")
		env[k] = v
	}
	m.Environment = strMapValue(ctx, env, diags, prior.Environment.IsNull())
	m.PRLimits = strMapValue(ctx, s.PRLimits, diags, false)
	raw := hardening.RenderLXCLines(s.RawLXC)
	m.RawLXC = strListValue(ctx, raw, diags, prior.RawLXC.IsNull())
	m.UnmanagedConfig = strListValue(ctx, s.Unmanaged, diags, false)
	// PVE's "no limit" reads as null, never as a limit of 0
	if s.PidsMax == 0 {
		m.PidsMax = types.Int64Null()
	}
}

func strMapValue(ctx context.Context, in map[string]string, diags *diag.Diagnostics, nullIfEmpty bool) types.Map {
	if len(in) == 0 && nullIfEmpty {
		return types.MapNull(types.StringType)
	}
	if in == nil {
		in = map[string]string{}
	}
	v, d := types.MapValueFrom(ctx, types.StringType, in)
	diags.Append(d...)
	return v
}

// mountPointChanges refuses, at plan time, a change of storage of a volume
// mount point that exists (PVE would allocate a new, empty volume and keep
// the data behind as unusedN) and a smaller size (PVE cannot shrink); a
// larger size is an in-place resize (growVolumes).
func mountPointChanges(ctx context.Context, plan, state containerModel, diags *diag.Diagnostics) []hardening.Problem {
	if plan.MountPoints.IsNull() || plan.MountPoints.IsUnknown() || state.MountPoints.IsNull() || state.MountPoints.IsUnknown() {
		return nil
	}
	var want, have []mountPointModel
	diags.Append(plan.MountPoints.ElementsAs(ctx, &want, false)...)
	diags.Append(state.MountPoints.ElementsAs(ctx, &have, false)...)
	var ps []hardening.Problem
	for i := 0; i < len(want) && i < len(have); i++ {
		w, h := want[i], have[i]
		if h.Volume.IsNull() || h.Volume.ValueString() == "" || w.Storage.IsNull() || w.Storage.IsUnknown() || w.Size.IsUnknown() {
			continue
		}
		switch {
		case w.Storage.ValueString() != h.Storage.ValueString():
			ps = append(ps, hardening.Problem{Path: []any{"mount_points", i, "storage"}, Summary: "Cannot move an existing mount point volume",
				Detail: "mount_points[" + itoa(i) + "] is the volume " + h.Volume.ValueString() + ": changing its storage would mount a new, empty volume. " +
					"Move the data with `pct move-volume <vmid> mp" + itoa(i) + " " + w.Storage.ValueString() + "` on the node, then refresh; or append a " +
					"new mount point."})
		case w.Size.ValueInt64() < h.Size.ValueInt64():
			ps = append(ps, hardening.Problem{Path: []any{"mount_points", i, "size"}, Summary: "Cannot shrink a mount point volume",
				Detail: "mount_points[" + itoa(i) + "] (" + h.Volume.ValueString() + ") has " + itoa(int(h.Size.ValueInt64())) + " GiB; PVE cannot shrink a " +
					"volume. Keep the size."})
		}
	}
	return ps
}

// rootFSShrink refuses, at plan time, a smaller rootfs.size than the volume
// has: PVE resizes only upwards ("unable to shrink disk size"), and growing
// is an in-place resize.
func rootFSShrink(ctx context.Context, plan, state containerModel, diags *diag.Diagnostics) []hardening.Problem {
	w, ok1 := asObject[rootfsModel](ctx, plan.RootFS, diags)
	h, ok2 := asObject[rootfsModel](ctx, state.RootFS, diags)
	if !ok1 || !ok2 || w.Size.IsUnknown() || w.Size.IsNull() || h.Size.IsNull() || w.Size.ValueInt64() >= h.Size.ValueInt64() {
		return nil
	}
	return []hardening.Problem{{Path: []any{"rootfs", "size"}, Summary: "Cannot shrink the root volume",
		Detail: "rootfs (" + h.Volume.ValueString() + ") has " + itoa(int(h.Size.ValueInt64())) + " GiB and PVE cannot shrink a volume " +
			"(its resize call refuses with \"unable to shrink disk size\"). Keep size >= " + itoa(int(h.Size.ValueInt64())) +
			"; to really shrink, back the container up and restore it onto a smaller volume (`pct restore --rootfs <storage>:<GiB>`), then import it."}}
}

func itoa(n int) string { return strconv.Itoa(n) }
