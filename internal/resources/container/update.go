package container

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
)

// deletableKeys are optional config keys the Spec may leave unset; when set
// on the container but not wanted they are deleted.
var deletableKeys = []string{"description", "tags", "cpulimit", "features", "startup", "timezone",
	"nameserver", "searchdomain", "protection", "cores", "env"}

// configDiff computes the PUT parameters that make the observed config equal
// to the desired one.
func configDiff(s hardening.Spec, observed pve.CTConfig) (map[string]any, []string) {
	want := hardening.ConfigParams(s)
	delete(want, "arch") // create-only in practice: a change forces replacement
	set := map[string]any{}
	for k, v := range want {
		if strings.HasPrefix(k, "net") && s.NICs[atoiSuffix(k)].MAC == "" {
			// a new interface: let PVE generate the MAC; compare without it
			if cur, ok := observed.String(k); ok && stripMAC(cur) == v {
				continue
			}
		}
		if cur, ok := observed.String(k); !ok || cur != v {
			set[k] = v
		}
	}
	var del []string
	for _, k := range deletableKeys {
		if _, ok := want[k]; !ok {
			if _, has := observed[k]; has {
				del = append(del, k)
			}
		}
	}
	for i := len(s.NICs); i < 32; i++ {
		k := "net" + strconv.Itoa(i)
		if _, has := observed[k]; has {
			del = append(del, k)
		}
	}
	mpSet, mpDel := mountPointDiff(s, observed)
	for k, v := range mpSet {
		set[k] = v
	}
	del = append(del, mpDel...)
	rootfs := hardening.RootFSValue(hardening.RootFS{Volume: s.RootFS.Volume, SizeGiB: s.RootFS.SizeGiB, MountOptions: s.RootFS.MountOptions}, false)
	if cur, _ := observed.String("rootfs"); s.RootFS.Volume != "" && !sameRootFS(cur, rootfs) {
		set["rootfs"] = rootfs
	}
	sort.Strings(del)
	return set, del
}

// mountPointDiff: volume mount points go through the API (PVE allocates
// a new volume from "<storage>:<GiB>"; an existing one is updated in
// place); every mp[n] the Spec does not want at that index (or wants as a
// bind mount while a volume is there) is deleted through the API, which
// keeps a removed volume as unusedN. Bind mounts are written through the
// node channel (hardening.FileKeys).
func mountPointDiff(s hardening.Spec, observed pve.CTConfig) (map[string]any, []string) {
	set := map[string]any{}
	var del []string
	for k := range observed {
		if !strings.HasPrefix(k, "mp") || k == "mp" {
			continue
		}
		i, err := strconv.Atoi(k[2:])
		if err != nil {
			continue
		}
		cur, _ := observed.String(k)
		if i >= len(s.MountPoints) || (s.MountPoints[i].IsBind() && !hardening.ParseMountPoint(cur).IsBind()) {
			del = append(del, k)
		}
	}
	for i, m := range s.MountPoints {
		if m.IsBind() {
			continue
		}
		k := "mp" + strconv.Itoa(i)
		cur, ok := observed.String(k)
		if ok {
			if obs := hardening.ParseMountPoint(cur); !obs.IsBind() && obs.Storage == m.Storage {
				m.Volume = obs.Volume
				if sameProps(cur, hardening.MountPointValue(m, false), "volume") {
					continue
				}
				set[k] = hardening.MountPointValue(m, false)
				continue
			}
		}
		set[k] = hardening.MountPointValue(m, true)
	}
	return set, del
}

// sameProps compares two PVE property strings as key sets (order and the
// order of ";" lists aside).
func sameProps(a, b, defaultKey string) bool {
	pa, pb := hardening.ParseProps(a, defaultKey), hardening.ParseProps(b, defaultKey)
	if len(pa) != len(pb) {
		return false
	}
	for k, v := range pa {
		w, ok := pb[k]
		if !ok {
			return false
		}
		if strings.Contains(v, ";") || strings.Contains(w, ";") {
			v, w = sortedList(v), sortedList(w)
		}
		if v != w {
			return false
		}
	}
	return true
}

func sortedList(v string) string {
	l := strings.Split(v, ";")
	sort.Strings(l)
	return strings.Join(l, ";")
}

func atoiSuffix(k string) int {
	n, _ := strconv.Atoi(strings.TrimLeft(k, "abcdefghijklmnopqrstuvwxyz"))
	return n
}

func stripMAC(net string) string {
	var parts []string
	for _, p := range strings.Split(net, ",") {
		if !strings.HasPrefix(p, "hwaddr=") {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ",")
}

// sameRootFS compares rootfs values but for the size (growing the root
// volume is PVE's resize, not a config change); an option the provider
// does not model (e.g. ro=1, quota=1) makes them differ.
func sameRootFS(a, b string) bool {
	strip := func(v string) string {
		p := hardening.ParseProps(v, "volume")
		delete(p, "size")
		parts := []string{p["volume"]}
		delete(p, "volume")
		for k, x := range p {
			parts = append(parts, k+"="+x)
		}
		return strings.Join(parts, ",")
	}
	return sameProps(strip(a), strip(b), "volume")
}

func (r *containerResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state containerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	s, ok := r.validSpec(ctx, plan, &resp.Diagnostics)
	if !ok {
		return
	}
	s.VMID = int(state.VMID.ValueInt64())
	if s.RootFS.Volume == "" {
		var st rootfsModel
		if o, ok := asObject[rootfsModel](ctx, state.RootFS, &resp.Diagnostics); ok {
			st = o
		}
		s.RootFS.Volume = st.Volume.ValueString()
	}
	// From the first change on, the state must say what the container is
	// now, also when a later step fails: record the observed state whatever
	// happens, then report the error.
	if err := r.applyUpdate(ctx, plan, s, &resp.Diagnostics); err != nil {
		resp.Diagnostics.AddError(err.summary, err.Error())
	} else if s.Started && !plan.SSHServer.Equal(state.SSHServer) {
		// (sshd already has the planned policy in effect when the state,
		// which is what was observed, equals the plan: nothing to write)
		r.enforceSSH(ctx, &plan, s.Node, s.VMID, explicitSSH(ctx, req.Config, &resp.Diagnostics), &resp.Diagnostics)
	}
	// a profile or policy the container no longer uses goes, unless another
	// container's config names it: also after a failed step (e.g. the
	// restart), once the new lines are written the old files are nobody's
	logStep(ctx, "update: removing confinement files no container uses", s.Node, s.VMID)
	_, warnings := r.removeUnusedConfinement(ctx, toSpec(ctx, state, &resp.Diagnostics), hardening.ExpectedNodeFiles(s))
	for _, w := range warnings {
		resp.Diagnostics.AddWarning("Confinement file left behind", w)
	}
	logStep(ctx, "update: reading the container back", s.Node, s.VMID)
	plan.sshMemo = sshMemoOf(ctx, req.Private)
	m, found := r.read(ctx, plan, false, &resp.Diagnostics)
	if !found {
		resp.Diagnostics.AddError("Container vanished", "the container disappeared during the update")
		return
	}
	m.RestartOnChange = plan.RestartOnChange
	m.TaskTimeout = plan.TaskTimeout
	// the first apply after an import is done: replacements plan normally from now on
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importPendingKey, nil)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, sshMemoKey, sshMemoValue(m.sshMemo))...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// stepError is a failed update step with its diagnostic summary.
type stepError struct {
	summary string
	err     error
}

func (e *stepError) Error() string { return e.err.Error() }

// hasPending reports whether the container has pending config changes.
func (r *containerResource) hasPending(ctx context.Context, s hardening.Spec) bool {
	var pending []map[string]any
	if err := r.clients.API.API().Get(ctx, "/nodes/"+s.Node+"/lxc/"+strconv.Itoa(s.VMID)+"/pending", &pending); err != nil {
		return false
	}
	for _, p := range pending {
		if _, ok := p["pending"]; ok {
			return true
		}
		if _, ok := p["delete"]; ok {
			return true
		}
	}
	return false
}
