package pvesim

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/apischema"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/ctconf"
)

// checkModifyPerm is pve-container's check_ct_modify_config_perm: each
// option set or deleted needs its privilege on /vms/<vmid> (cores, cpuunits,
// cpulimit: VM.Config.CPU; rootfs, mpN: VM.Config.Disk plus
// Datastore.AllocateSpace on a new volume's storage; memory, swap:
// VM.Config.Memory; netN, hostname, nameserver, searchdomain:
// VM.Config.Network plus SDN.Use on the bridge; anything else:
// VM.Config.Options), and some are root@pam's alone (bind and device mount
// points, devN, hookscript, features other than nesting).
func checkModifyPerm(rc *reqCtx, vmid int, old *ctconf.Section, newParams map[string]string, del []string, unprivileged bool) error {
	if rc.isRoot() {
		return nil
	}
	vmPath := "/vms/" + strconv.Itoa(vmid)
	for _, k := range sortedKeys(newParams) {
		if err := checkModifyOpt(rc, vmPath, old, k, newParams[k], false, unprivileged); err != nil {
			return err
		}
	}
	for _, opt := range del {
		if err := checkModifyOpt(rc, vmPath, old, opt, "", true, unprivileged); err != nil {
			return err
		}
	}
	return nil
}

func checkModifyOpt(rc *reqCtx, vmPath string, old *ctconf.Section, opt, value string, isDelete, unprivileged bool) error {
	switch {
	case opt == "cores" || opt == "cpuunits" || opt == "cpulimit":
		return rc.check(vmPath, "VM.Config.CPU")
	case opt == "rootfs" || reMPKey.MatchString(opt):
		if err := rc.check(vmPath, "VM.Config.Disk"); err != nil || isDelete {
			return err
		}
		return checkMountPointPerm(rc, opt, value)
	case opt == "memory" || opt == "swap":
		return rc.check(vmPath, "VM.Config.Memory")
	case reNetKey.MatchString(opt):
		if err := rc.check(vmPath, "VM.Config.Network"); err != nil {
			return err
		}
		if ov := old.Keys[opt]; ov != "" {
			if err := checkBridgeAccess(rc, ov); err != nil {
				return err
			}
		}
		if value != "" {
			return checkBridgeAccess(rc, value)
		}
		return nil
	case reDevKey.MatchString(opt):
		return permErr("configuring device passthrough is only allowed for root@pam")
	case opt == "nameserver" || opt == "searchdomain" || opt == "hostname":
		return rc.check(vmPath, "VM.Config.Network")
	case opt == "features":
		if !unprivileged {
			return permErr("changing feature flags for privileged container is only allowed for root@pam")
		}
		if featuresOtherThanNestingChanged(old.Keys["features"], value, isDelete) {
			return permErr("changing feature flags (except nesting) is only allowed for root@pam")
		}
		if parseFeatures(old.Keys["features"])["nesting"] != parseFeatures(value)["nesting"] {
			return rc.check(vmPath, "VM.Allocate")
		}
		return nil
	case opt == "hookscript":
		return permErr("changing the hookscript is only allowed for root@pam")
	case opt == "tags":
		return checkTagPerm(rc, vmPath, old.Keys["tags"], value)
	}
	return rc.check(vmPath, "VM.Config.Options")
}

// checkMountPointPerm: a volume mount point only (bind and device mount
// points are root@pam's); a new volume needs Datastore.AllocateSpace on its
// storage, an existing one check_volume_access.
func checkMountPointPerm(rc *reqCtx, opt, value string) error {
	kv, err := apischema.ParsePropertyString(propDict(opt), value)
	if err != nil {
		return dief("unable to parse mount point: %v", err)
	}
	vol := kv["volume"]
	if strings.HasPrefix(vol, "/") {
		typ := "bind"
		if strings.HasPrefix(vol, "/dev/") {
			typ = "device"
		}
		return permErr("mount point type " + typ + " is only allowed for root@pam")
	}
	if m := reNewDisk.FindStringSubmatch(vol); m != nil {
		return rc.check("/storage/"+m[1], "Datastore.AllocateSpace")
	}
	return checkVolumeAccess(rc, vol)
}

// checkVolumeAccess is PVE::Storage::check_volume_access for the volume
// kinds the simulator knows: Datastore.Allocate on the storage allows all;
// a template needs Datastore.AllocateSpace or Datastore.Audit; a
// container's disk Datastore.Audit on the storage and VM.Config.Disk on its
// owner.
func checkVolumeAccess(rc *reqCtx, volid string) error {
	sid, name, ok := strings.Cut(volid, ":")
	if !ok {
		if rc.isRoot() {
			return nil
		}
		return dief("Only root can pass arbitrary filesystem paths.")
	}
	sp := "/storage/" + sid
	if rc.can(sp, "Datastore.Allocate") {
		return nil
	}
	if strings.HasPrefix(name, "vztmpl/") || strings.HasPrefix(name, "iso/") || strings.HasPrefix(name, "import/") {
		return rc.checkAny(sp, "Datastore.AllocateSpace", "Datastore.Audit")
	}
	if m := reVolOwner.FindStringSubmatch(name); m != nil {
		if err := rc.check(sp, "Datastore.Audit"); err != nil {
			return err
		}
		return rc.check("/vms/"+m[1], "VM.Config.Disk")
	}
	return dief("missing privileges to access %s", volid)
}

// checkBridgeAccess is check_bridge_access/check_vnet_access without SDN:
// SDN.Use on /sdn/zones/localnetwork/<bridge>, or on .../<bridge>/<tag> for a
// VLAN tag and for each trunk VLAN.
func checkBridgeAccess(rc *reqCtx, raw string) error {
	if rc.isRoot() {
		return nil
	}
	kv, err := apischema.ParsePropertyString(propDict("net0"), raw)
	if err != nil {
		return nil //nolint:nilerr // an unparsable value is refused by the config update itself, with PVE's parameter error
	}
	if kv["bridge"] == "" {
		return nil // no bridge: nothing to check (PVE's `next if !defined($bridge)`)
	}
	base := "/sdn/zones/localnetwork/" + kv["bridge"]
	if tag := kv["tag"]; tag != "" {
		if err := rc.check(base+"/"+tag, "SDN.Use"); err != nil {
			return err
		}
	}
	if trunks := kv["trunks"]; trunks != "" {
		tags := strings.Split(trunks, ";")
		sort.Strings(tags)
		for _, t := range tags {
			if err := rc.check(base+"/"+t, "SDN.Use"); err != nil {
				return err
			}
		}
	}
	if kv["tag"] == "" && kv["trunks"] == "" {
		return rc.check(base, "SDN.Use")
	}
	return nil
}

// checkTagPerm is GuestHelpers::assert_tag_permissions with the default
// datacenter tag settings (user-tag-access: free, no registered tags): any
// tag change needs VM.Config.Options on the guest.
func checkTagPerm(rc *reqCtx, vmPath, oldTags, newTags string) error {
	if uniqueTags(oldTags) == uniqueTags(newTags) {
		return nil
	}
	return rc.check(vmPath, "VM.Config.Options")
}

// reVolOwner finds a guest volume's owner in its volume name
// (vm-100-disk-0, subvol-100-disk-1, 100/vm-100-disk-0.raw).
var reVolOwner = regexp.MustCompile(`(?:^|/)(?:vm|base|subvol|basevol)-(\d+)-`)

// checkCreatePerm is create_vm's permission part (after the VMID and pool
// checks): VM.Allocate on /vms/<vmid> (else a bare "Permission check
// failed"), check_ct_modify_config_perm on the request's config options (as
// given: a bare rootfs size has no storage yet), access to the template
// (check_volume_access) and Datastore.AllocateSpace on every storage a new
// volume goes to.
func checkCreatePerm(rc *reqCtx, vmid int, unprivileged bool) error {
	if rc.isRoot() {
		return nil
	}
	if !rc.can("/vms/"+strconv.Itoa(vmid), "VM.Allocate") {
		return permErr("")
	}
	params := map[string]string{}
	for k, v := range rc.params {
		if !createOnlyParams[k] {
			params[k] = v
		}
	}
	if err := checkModifyPerm(rc, vmid, ctconf.NewSection(), params, nil, unprivileged); err != nil {
		return err
	}
	if err := checkVolumeAccess(rc, rc.str("ostemplate")); err != nil {
		return err
	}
	storage := rc.str("storage")
	if storage == "" {
		storage = "local"
	}
	if _, ok := params["rootfs"]; !ok {
		return rc.check("/storage/"+storage, "Datastore.AllocateSpace")
	}
	return nil
}
