package container

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hardened-pve/terraform-provider-hardened/internal/apparmor"
	"github.com/hardened-pve/terraform-provider-hardened/internal/attrs/aarules"
	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
)

func containerSchema(t *testing.T) schema.Schema {
	t.Helper()
	var resp resource.SchemaResponse
	NewResource().Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	return resp.Schema
}

// TestNestedAttrTypes: every nested attribute of the schema has exactly the
// type of the hand-written *AttrTypes map its values are built with (a
// mismatch is an error or a panic at apply time, caught by no compiler).
func TestNestedAttrTypes(t *testing.T) {
	sch := containerSchema(t)
	obj := func(m map[string]attr.Type) attr.Type { return types.ObjectType{AttrTypes: m} }
	want := map[string]attr.Type{
		"rootfs":       obj(rootfsAttrTypes),
		"capabilities": obj(capsAttrTypes),
		"features":     obj(featAttrTypes),
		"network":      types.ListType{ElemType: obj(nicAttrTypes)},
		"firewall":     obj(fwAttrTypes),
		"apparmor":     obj(aarules.AttrTypes(false)),
		"seccomp":      obj(seccompAttrTypes),
		"mount_points": types.ListType{ElemType: obj(mountPointAttrTypes)},
		"devices":      types.ListType{ElemType: obj(deviceAttrTypes)},
		"compliance":   obj(complianceAttrTypes),
		"startup":      obj(startupAttrTypes),
		"ssh_server":   obj(sshServerAttrTypes),
	}
	// nested attributes whose values are only ever read (ElementsAs into a
	// struct), never built from a map
	readOnly := map[string]bool{"exceptions": true}
	for name, a := range sch.Attributes {
		if _, nested := a.(schema.NestedAttribute); !nested {
			continue
		}
		w, ok := want[name]
		switch {
		case readOnly[name]:
		case !ok:
			t.Errorf("nested attribute %s: add its *AttrTypes map to this test", name)
		case !a.GetType().Equal(w):
			t.Errorf("%s: the schema's type\n  %s\nis not the *AttrTypes map's\n  %s", name, a.GetType(), w)
		}
	}
	for name := range want {
		if _, ok := sch.Attributes[name]; !ok {
			t.Errorf("%s is not in the schema", name)
		}
	}
}

// TestSchemaDefaultsFitTheirTypes: the object defaults (built from the
// *AttrTypes maps) are values of the schema's types.
func TestSchemaDefaultsFitTheirTypes(t *testing.T) {
	sch := containerSchema(t)
	for name, v := range map[string]attr.Value{"rootfs": defaultRootFS(), "capabilities": defaultCapabilities(),
		"features": defaultFeatures(), "firewall": defaultFirewall()} {
		if !v.Type(context.Background()).Equal(sch.Attributes[name].GetType()) {
			t.Errorf("the default of %s has type %s, the schema %s", name, v.Type(context.Background()), sch.Attributes[name].GetType())
		}
	}
}

func roundTripSpecs() map[string]hardening.Spec {
	base := hardening.Spec{
		Node: "pve1", VMID: 101, Hostname: "web", Arch: hardening.DefaultArch, Unprivileged: true,
		Cores: hardening.DefaultCores, CPUUnits: hardening.DefaultCPUUnits, MemoryMiB: hardening.DefaultMemoryMiB,
		SwapMiB: hardening.DefaultSwapMiB, PidsMax: hardening.DefaultPidsMax,
		RootFS: hardening.RootFS{Storage: hardening.DefaultRootFSStorage, SizeGiB: hardening.DefaultRootFSSizeGiB,
			MountOptions: hardening.DefaultMountOptions, Volume: "local-lvm:vm-101-disk-0"},
		Capabilities: hardening.Capabilities{Drop: slices.Sorted(slices.Values(hardening.DefaultDropCapabilities))},
		NICs: []hardening.NIC{{Name: "eth0", Bridge: "vmbr0", IPv4: hardening.DefaultIPv4, IPv6: hardening.DefaultIPv6,
			Firewall: true}},
		Firewall: hardening.Firewall{Enabled: true, PolicyIn: hardening.DefaultPolicyIn, PolicyOut: hardening.DefaultPolicyOut,
			MACFilter: true, IPFilter: true, NDP: true, LogLevelIn: hardening.DefaultLogLevel, LogLevelOut: hardening.DefaultLogLevel},
		AppArmorProfile: hardening.DefaultAppArmorProfile,
		AppArmor: apparmor.Settings{DenyRawNetwork: true, DenyPacketNetwork: true, DenyPtrace: true, DenyProcSysWrite: true,
			DenySysWrite: true, DenyMount: true},
		Seccomp:  seccomp.Policy{Mode: seccomp.Mode(hardening.DefaultSeccompMode), Errno: hardening.DefaultSeccompErrno},
		PRLimits: hardening.DefaultPRLimits,
		Started:  true, OnBoot: true, TTY: hardening.DefaultTTY, Console: true, CMode: hardening.DefaultCMode,
	}
	keep := base
	keep.Capabilities = hardening.Capabilities{KeepMode: true, Keep: []string{"chown", "net_bind_service"}}
	keep.Features = hardening.Features{Nesting: true, Keyctl: true, Fuse: true, Mknod: true, Mount: []string{"cifs", "nfs"}}
	keep.AppArmor = apparmor.Settings{DenyRawNetwork: true, ExtraRules: []string{"deny /srv/secret/** rw,", "deny network bluetooth,"}}
	keep.Seccomp = seccomp.Policy{Mode: seccomp.ModeAllowlist, Errno: 38, Syscalls: []string{"read", "write"}}
	keep.PidsMax = 0 // no limit: read back as null
	keep.CPULimit = 1.5
	keep.Started, keep.OnBoot, keep.Protection = false, false, true

	both := base
	both.Capabilities = hardening.Capabilities{KeepMode: true, Keep: []string{}, Drop: []string{"sys_admin"}}

	net := base
	net.Description, net.Tags = "the web server\nsecond line", []string{"owner-ops", "web"}
	net.NICs = []hardening.NIC{
		{Name: "eth0", Bridge: "vmbr0", VLAN: 20, IPv4: "10.0.20.15/24", GatewayIPv4: "10.0.20.1", IPv6: "fd00::15/64",
			GatewayIPv6: "fd00::1", MAC: "BC:24:11:00:00:01", RateMbps: 12.5, MTU: 1400, Firewall: true},
		{Name: "eth1", Bridge: "vmbr1", IPv4: "dhcp", IPv6: "auto", Firewall: true},
	}
	net.Firewall.DHCP, net.Firewall.RADV, net.Firewall.PolicyIn = true, true, "REJECT"
	net.Firewall.Rules = []firewall.Rule{
		{Type: "in", Action: "ACCEPT", Proto: "tcp", Dport: "443", Source: "+trusted", Iface: "net0", Log: "info", Comment: "https", Enable: true},
		{Type: "out", Action: "ACCEPT", Macro: "DNS", Dest: "dc/resolvers", Enable: false},
		{Type: "group", Action: "webservers", Enable: true},
	}
	net.Firewall.IPSets = []firewall.IPSet{{Name: "trusted", Comment: "office", Entries: []firewall.IPSetEntry{
		{CIDR: "10.0.0.0/8"}, {CIDR: "10.6.6.6", NoMatch: true, Comment: "not this one"}}}}
	net.Firewall.Aliases = []firewall.Alias{{Name: "gw", CIDR: "10.0.20.1", Comment: "gateway"}}
	net.Startup = hardening.Startup{Order: 2, Up: 30}
	net.Timezone, net.Nameservers, net.SearchDomain = "Europe/Berlin", []string{"10.0.0.53", "fd00::53"}, "example.org"

	closed := base
	closed.MountPoints = []hardening.MountPoint{
		{Path: "/data", Storage: "local-lvm", SizeGiB: 4, Volume: "local-lvm:vm-101-disk-1", Backup: true, MountOptions: []string{"nodev", "noexec", "nosuid"}},
		{Path: "/srv/shared", HostPath: "/srv/shared/app", ReadOnly: true, MountOptions: []string{"nodev", "nosuid"}},
	}
	closed.Devices = []hardening.Device{{Path: "/dev/net/tun", Mode: "0660", UID: 100, GID: 101, DenyWrite: true}, {Path: "/dev/fuse"}}
	closed.Hookscript = "local:snippets/hook.sh"
	closed.Environment = []string{"LANG=C.UTF-8", "TZ=UTC"}
	closed.PRLimits = map[string]string{"core": "0", "nofile": "1024:65535", "nproc": "unlimited"}
	closed.RawLXC = []pctconf.Line{hardening.ParseRawLine("lxc.mount.entry: /srv/a srv/a none bind,ro 0 0"),
		hardening.ParseRawLine("lxc.cgroup2.devices.allow: c 10:200 rwm")}
	return map[string]hardening.Spec{"hardened defaults": base, "keep list, features, allowlist": keep,
		"keep and drop": both, "network and firewall": net, "closed world": closed}
}

// nullModel is a model whose every attribute is a null of its schema type
// (the prior of a resource that has none).
func nullModel(t *testing.T, sch schema.Schema) containerModel {
	t.Helper()
	ctx := context.Background()
	typ := sch.Type().TerraformType(ctx).(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	st := tfsdk.State{Schema: sch, Raw: tftypes.NewValue(typ, vals)}
	var m containerModel
	if d := st.Get(ctx, &m); d.HasError() {
		t.Fatal(d)
	}
	return m
}

// TestSpecRoundTrip: toSpec(fromSpec(s)) is s for a table of specs, and
// fromSpec's model is a value of the schema (tfsdk.State.Set checks the
// type of every attribute, nested ones included).
func TestSpecRoundTrip(t *testing.T) {
	ctx := context.Background()
	sch := containerSchema(t)
	for name, s := range roundTripSpecs() {
		t.Run(name, func(t *testing.T) {
			var diags diag.Diagnostics
			m := fromSpec(ctx, s, nullModel(t, sch), &diags)
			st := tfsdk.State{Schema: sch, Raw: tftypes.NewValue(sch.Type().TerraformType(ctx), nil)}
			diags.Append(st.Set(ctx, &m)...)
			var back containerModel
			diags.Append(st.Get(ctx, &back)...)
			got := toSpec(ctx, back, &diags)
			if diags.HasError() {
				t.Fatal(diags)
			}
			if !equateEmpty(reflect.ValueOf(got), reflect.ValueOf(s)) {
				gv, sv := reflect.ValueOf(got), reflect.ValueOf(s)
				for i := range sv.NumField() {
					if !equateEmpty(gv.Field(i), sv.Field(i)) {
						t.Errorf("%s: got %+v, want %+v", sv.Type().Field(i).Name, gv.Field(i), sv.Field(i))
					}
				}
			}
		})
	}
}

// equateEmpty is reflect.DeepEqual with nil and empty slices and maps equal
// (the framework does not keep the difference).
func equateEmpty(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !equateEmpty(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			if bv := b.MapIndex(k); !bv.IsValid() || !equateEmpty(a.MapIndex(k), bv) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !equateEmpty(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	default:
		return a.Equal(b)
	}
}

func TestSeccompDefaults(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		in, want seccomp.Policy
	}{
		{seccomp.Policy{}, seccomp.Policy{Mode: seccomp.Mode(hardening.DefaultSeccompMode), Errno: hardening.DefaultSeccompErrno}},
		{seccomp.Policy{Mode: seccomp.ModeAllowlist, Syscalls: []string{"read"}},
			seccomp.Policy{Mode: seccomp.ModeAllowlist, Errno: hardening.DefaultSeccompErrno, Syscalls: []string{"read"}}},
		{seccomp.Policy{Mode: seccomp.ModeDenylist, Errno: 38}, seccomp.Policy{Mode: seccomp.ModeDenylist, Errno: 38}},
	} {
		var d diag.Diagnostics
		got := toSeccomp(ctx, fromSeccomp(ctx, tc.in, &d), &d)
		if d.HasError() || !equateEmpty(reflect.ValueOf(got), reflect.ValueOf(tc.want)) {
			t.Errorf("%+v: got %+v, want %+v %v", tc.in, got, tc.want, d)
		}
	}
}

func TestPropertyStringHelpers(t *testing.T) {
	for _, tc := range []struct {
		a, b, def string
		same      bool
	}{
		{"local-lvm:vm-1-disk-0,size=8G", "size=8G,local-lvm:vm-1-disk-0", "volume", true},
		{"name=eth0,bridge=vmbr0", "bridge=vmbr0,name=eth0", "", true},
		{"x,mountoptions=nodev;nosuid", "x,mountoptions=nosuid;nodev", "volume", true},
		{"x,mountoptions=nodev", "x,mountoptions=nodev;nosuid", "volume", false},
		{"x,ro=1", "x", "volume", false},
		{"x,backup=1", "x,backup=0", "volume", false},
	} {
		if got := sameProps(tc.a, tc.b, tc.def); got != tc.same {
			t.Errorf("sameProps(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"local-lvm:vm-1-disk-0,size=8G", "local-lvm:vm-1-disk-0,size=16G", true}, // growing is a resize
		{"local-lvm:vm-1-disk-0,size=8G,mountoptions=nodev;nosuid", "local-lvm:vm-1-disk-0,mountoptions=nosuid;nodev", true},
		{"local-lvm:vm-1-disk-0,size=8G,ro=1", "local-lvm:vm-1-disk-0,size=8G", false},
		{"local-lvm:vm-1-disk-0,size=8G,quota=1", "local-lvm:vm-1-disk-0", false},
		{"local-lvm:vm-1-disk-0", "local-lvm:vm-1-disk-1", false},
	} {
		if got := sameRootFS(tc.a, tc.b); got != tc.same {
			t.Errorf("sameRootFS(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
	for in, want := range map[string]string{"c;a;b": "a;b;c", "a": "a", "": ""} {
		if got := sortedList(in); got != want {
			t.Errorf("sortedList(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]int{"net0": 0, "net12": 12, "mp3": 3, "net": 0} {
		if got := atoiSuffix(in); got != want {
			t.Errorf("atoiSuffix(%q) = %d, want %d", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,firewall=1": "name=eth0,bridge=vmbr0,firewall=1",
		"name=eth0,bridge=vmbr0":                                     "name=eth0,bridge=vmbr0",
	} {
		if got := stripMAC(in); got != want {
			t.Errorf("stripMAC(%q) = %q, want %q", in, got, want)
		}
	}
}

// observedConfig is what PVE would report for s (ConfigParams as the API
// returns them), plus extra keys.
func observedConfig(s hardening.Spec, extra map[string]any) pve.CTConfig {
	c := pve.CTConfig{"digest": "0123abcd"}
	for k, v := range hardening.ConfigParams(s) {
		c[k] = v
	}
	c["rootfs"] = hardening.RootFSValue(s.RootFS, false)
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func TestConfigDiff(t *testing.T) {
	base := roundTripSpecs()["hardened defaults"]
	newNIC := base
	newNIC.NICs = []hardening.NIC{{Name: "eth0", Bridge: "vmbr0", IPv4: "dhcp", IPv6: "manual", Firewall: true}}
	withMP := base
	withMP.MountPoints = []hardening.MountPoint{{Path: "/data", Storage: "local-lvm", SizeGiB: 4, Backup: true},
		{Path: "/srv", HostPath: "/srv/app"}}
	net0 := hardening.ConfigParams(newNIC)["net0"]
	for _, tc := range []struct {
		name     string
		s        hardening.Spec
		observed pve.CTConfig
		set      map[string]any
		del      []string
	}{
		{"in sync", base, observedConfig(base, nil), map[string]any{}, nil},
		{"changed cores", base, observedConfig(base, map[string]any{"cores": "4"}), map[string]any{"cores": "1"}, nil},
		{"numbers as JSON numbers", base, observedConfig(base, map[string]any{"cores": 1.0, "memory": 512.0}), map[string]any{}, nil},
		{"unwanted deletable keys and a NIC too many", base,
			observedConfig(base, map[string]any{"timezone": "UTC", "env": "A=1", "net1": "name=eth1,bridge=vmbr0"}),
			map[string]any{}, []string{"env", "net1", "timezone"}},
		{"a new NIC's MAC is PVE's", newNIC, observedConfig(newNIC, map[string]any{"net0": net0 + ",hwaddr=BC:24:11:AA:BB:CC"}),
			map[string]any{}, nil},
		{"arch is create-only", base, observedConfig(base, map[string]any{"arch": "arm64"}), map[string]any{}, nil},
		{"rootfs grown by hand", base, observedConfig(base, map[string]any{"rootfs": "local-lvm:vm-101-disk-0,mountoptions=nodev;nosuid,size=16G"}),
			map[string]any{}, nil},
		{"rootfs read-only by hand", base, observedConfig(base, map[string]any{"rootfs": "local-lvm:vm-101-disk-0,mountoptions=nodev;nosuid,size=8G,ro=1"}),
			map[string]any{"rootfs": "local-lvm:vm-101-disk-0,mountoptions=nodev;nosuid,size=8G"}, nil},
		{"new volume mount point; bind mounts go through the node", withMP, observedConfig(withMP, nil),
			map[string]any{"mp0": hardening.MountPointValue(withMP.MountPoints[0], true)}, nil},
		{"existing volume mount point kept", withMP,
			observedConfig(withMP, map[string]any{"mp0": "local-lvm:vm-101-disk-1,mp=/data,backup=1,size=4G"}), map[string]any{}, nil},
		{"a volume where a bind mount is wanted, and one too many", withMP,
			observedConfig(withMP, map[string]any{"mp0": "local-lvm:vm-101-disk-1,mp=/data,backup=1,size=4G",
				"mp1": "local-lvm:vm-101-disk-2,mp=/srv,size=1G", "mp5": "/x,mp=/x"}),
			map[string]any{}, []string{"mp1", "mp5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, del := configDiff(tc.s, tc.observed)
			if !reflect.DeepEqual(set, tc.set) || strings.Join(del, ",") != strings.Join(tc.del, ",") {
				t.Errorf("configDiff:\n set %v\n del %v\nwant\n set %v\n del %v", set, del, tc.set, tc.del)
			}
		})
	}
}
