package container

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
)

// volumeGrowth is one volume the Spec wants larger than it is.
type volumeGrowth struct {
	disk    string // rootfs, mp0...
	fromGiB int
	toGiB   int
}

// volumesToGrow lists rootfs and the volume mount points (same storage,
// same index) whose wanted size exceeds the observed one. Shrinking never
// gets here: the plan refuses it.
func volumesToGrow(s hardening.Spec, observed pve.CTConfig) []volumeGrowth {
	var out []volumeGrowth
	if cur, ok := observed.String("rootfs"); ok && s.RootFS.SizeGiB > 0 {
		if have := hardening.ParseMountPoint(cur); !have.IsBind() && have.SizeGiB > 0 && s.RootFS.SizeGiB > have.SizeGiB {
			out = append(out, volumeGrowth{disk: "rootfs", fromGiB: have.SizeGiB, toGiB: s.RootFS.SizeGiB})
		}
	}
	for i, m := range s.MountPoints {
		k := "mp" + strconv.Itoa(i)
		cur, ok := observed.String(k)
		if m.IsBind() || !ok || m.SizeGiB == 0 {
			continue
		}
		if have := hardening.ParseMountPoint(cur); !have.IsBind() && have.Storage == m.Storage && have.SizeGiB > 0 && m.SizeGiB > have.SizeGiB {
			out = append(out, volumeGrowth{disk: k, fromGiB: have.SizeGiB, toGiB: m.SizeGiB})
		}
	}
	return out
}

// growVolumes resizes each volume to grow through PVE's resize call (a
// task; the data stays, the file system grows with it) and reports whether
// it changed anything.
func (r *containerResource) growVolumes(ctx context.Context, s hardening.Spec, observed pve.CTConfig) (bool, error) {
	grow := volumesToGrow(s, observed)
	for _, g := range grow {
		tflog.Debug(ctx, "resizing a container volume", map[string]any{"node": s.Node, "vmid": s.VMID, "disk": g.disk,
			"from_gib": g.fromGiB, "to_gib": g.toGiB})
		if err := r.clients.API.ResizeCT(ctx, s.Node, s.VMID, g.disk, strconv.Itoa(g.toGiB)+"G"); err != nil {
			return true, err
		}
	}
	return len(grow) > 0, nil
}
