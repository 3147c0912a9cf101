package hardening

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
)

func baseSpec() Spec {
	return Spec{
		Node: "pve1", VMID: 101, Hostname: "web", OSTemplate: "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst",
		Arch: "amd64", Unprivileged: true, Cores: 2, CPULimit: 1.5, CPUUnits: 100, MemoryMiB: 1024, SwapMiB: 512, PidsMax: 200,
		RootFS:       RootFS{Storage: "local-lvm", SizeGiB: 8, MountOptions: []string{"nodev", "nosuid"}},
		Capabilities: Capabilities{Drop: DefaultDropCapabilities},
		NICs:         []NIC{{Name: "eth0", Bridge: "vmbr20", VLAN: 20, IPv4: "10.0.20.15/24", GatewayIPv4: "10.0.20.1", IPv6: "manual", Firewall: true}},
		Firewall: Firewall{Enabled: true, PolicyIn: "DROP", PolicyOut: "DROP", MACFilter: true, IPFilter: true, NDP: true,
			LogLevelIn: "nolog", LogLevelOut: "nolog",
			Rules: []firewall.Rule{
				{Type: "in", Action: "ACCEPT", Proto: "tcp", Dport: "22", Source: "10.0.10.0/24", Comment: "SSH from management only", Enable: true},
				{Type: "in", Action: "ACCEPT", Macro: "HTTPS", Enable: true},
				{Type: "out", Action: "ACCEPT", Proto: "udp", Dport: "53", Enable: true},
			}},
		AppArmorProfile: "generated", Started: true, OnBoot: true, TTY: 2, Console: true, CMode: "tty",
	}
}

func TestValidSpecHasNoProblems(t *testing.T) {
	if ps := Validate(baseSpec()); len(ps) != 0 {
		t.Fatalf("unexpected problems: %+v", ps)
	}
}

func TestValidateRejectsUnsafeAndInvalid(t *testing.T) {
	cases := []struct {
		name   string
		mut    func(*Spec)
		path   string
		detail string
	}{
		{"privileged", func(s *Spec) { s.Unprivileged = false }, "unprivileged", "full host compromise"},
		{"unconfined", func(s *Spec) { s.AppArmorProfile = "unconfined" }, "apparmor_profile", "removes the mandatory access control"},
		{"profile name", func(s *Spec) { s.AppArmorProfile = "webserver" }, "apparmor_profile", "lxc-<something>"},
		{"bad capability", func(s *Spec) { s.Capabilities.Drop = []string{"sys_admn"} }, "capabilities.drop", "not a Linux capability"},
		{"CAP_ prefix", func(s *Spec) { s.Capabilities.Keep = []string{"CAP_NET_BIND_SERVICE"} }, "capabilities.keep", `"net_bind_service"`},
		{"nic firewall off", func(s *Spec) { s.NICs[0].Firewall = false }, "network[0].firewall", "bypass every firewall rule"},
		{"bad ipv4", func(s *Spec) { s.NICs[0].IPv4 = "10.0.20.15" }, "network[0].ipv4", "prefix length"},
		{"v6 in ipv4", func(s *Spec) { s.NICs[0].IPv4 = "fd00::1/64" }, "network[0].ipv4", "IPv4"},
		{"gw outside", func(s *Spec) { s.NICs[0].GatewayIPv4 = "10.0.21.1" }, "network[0].ipv4_gateway", "not inside 10.0.20.0/24"},
		{"gw with dhcp", func(s *Spec) { s.NICs[0].IPv4 = "dhcp" }, "network[0].ipv4_gateway", "static address"},
		{"multicast mac", func(s *Spec) { s.NICs[0].MAC = "01:00:5E:00:00:01" }, "network[0].mac", "unicast"},
		{"dup nic", func(s *Spec) { s.NICs = append(s.NICs, NIC{Name: "eth0", Bridge: "vmbr0", Firewall: true}) }, "network[1].name", "already named"},
		{"mount option", func(s *Spec) { s.RootFS.MountOptions = []string{"nodev", "nosymfollow"} }, "rootfs.mount_options", "nosymfollow"},
		{"hostname", func(s *Spec) { s.Hostname = "web_01" }, "hostname", "not a valid DNS name"},
		{"tag", func(s *Spec) { s.Tags = []string{"owner:me"} }, "tags", "owner:me"},
		{"forward rule", func(s *Spec) { s.Firewall.Rules[0].Type = "forward" }, "firewall.rules[0].type", "rule_env 'ct'"},
		{"dport without proto", func(s *Spec) { s.Firewall.Rules[0].Proto = "" }, "firewall.rules[0].dport", "needs proto"},
		{"bad port", func(s *Spec) { s.Firewall.Rules[0].Dport = "99999" }, "firewall.rules[0].dport", "invalid port '99999'"},
		{"mixed v4 v6", func(s *Spec) { s.Firewall.Rules[0].Dest = "fd00::/64" }, "firewall.rules[0].dest", "split the rule into an IPv4 and an IPv6 rule"},
		{"bad source", func(s *Spec) { s.Firewall.Rules[0].Source = "10.0.10.1/24" }, "firewall.rules[0].source", "Invalid prefix"},
		{"unknown iface", func(s *Spec) { s.Firewall.Rules[0].Iface = "net3" }, "firewall.rules[0].iface", "net0..net0"},
		{"unknown macro", func(s *Spec) { s.Firewall.Rules[1].Macro = "HTTPZ" }, "firewall.rules[1].macro", "not one of PVE's macros"},
		{"macro case", func(s *Spec) { s.Firewall.Rules[1].Macro = "https" }, "firewall.rules[1].macro", `"HTTPS"`},
		{"icmp type without icmp", func(s *Spec) { s.Firewall.Rules[2].IcmpType = "echo-request" }, "firewall.rules[2].icmp_type", "needs proto icmp"},
		{"bad action", func(s *Spec) { s.Firewall.Rules[0].Action = "ALLOW" }, "firewall.rules[0].action", "ACCEPT, DROP or REJECT"},
		{"group with port", func(s *Spec) {
			s.Firewall.Rules[0] = firewall.Rule{Type: "group", Action: "webgroup", Dport: "80", Enable: true}
		}, "firewall.rules[0].dport", "takes only iface"},
		{"unknown proto", func(s *Spec) { s.Firewall.Rules[0].Proto = "tcpp" }, "firewall.rules[0].proto", "/etc/protocols"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := baseSpec()
			c.mut(&s)
			ps := Validate(s)
			for _, p := range ps {
				if PathString(p.Path) == c.path && strings.Contains(p.Detail, c.detail) {
					return
				}
			}
			t.Fatalf("want a problem at %s containing %q, got %+v", c.path, c.detail, ps)
		})
	}
}

func TestRenderLXCLines(t *testing.T) {
	s := baseSpec()
	got := RenderLXCLines(LXCLines(s))
	want := []string{
		"lxc.cap.drop: audit_control audit_write mac_admin mac_override mknod sys_admin sys_module sys_nice sys_pacct sys_rawio sys_resource sys_time sys_tty_config",
		"lxc.cgroup2.pids.max: 200",
		"lxc.seccomp.profile: " + seccomp.Policy{}.Path(), // the hardened denylist by default
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q", got)
	}
	s.Capabilities = Capabilities{KeepMode: true, Keep: []string{"net_bind_service", "chown"}}
	s.AppArmorProfile = "lxc-webserver"
	s.Seccomp.Mode = seccomp.ModeDefault
	got = RenderLXCLines(LXCLines(s))
	want = []string{"lxc.cap.keep: chown net_bind_service", "lxc.cgroup2.pids.max: 200", "lxc.apparmor.profile: lxc-webserver"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q", got)
	}
	s.Capabilities.Keep = nil
	if got := RenderLXCLines(LXCLines(s))[0]; got != "lxc.cap.keep: none" {
		t.Fatalf("empty keep: %q", got)
	}
}

func TestConfigParams(t *testing.T) {
	p := ConfigParams(baseSpec())
	if p["net0"] != "name=eth0,bridge=vmbr20,firewall=1,gw=10.0.20.1,ip=10.0.20.15/24,ip6=manual,tag=20,type=veth" {
		t.Fatalf("net0 = %q", p["net0"])
	}
	if p["cpulimit"] != "1.5" || p["memory"] != "1024" || p["onboot"] != "1" {
		t.Fatalf("params: %v", p)
	}
	if _, ok := p["features"]; ok {
		t.Fatal("features must be omitted when all are off")
	}
	c := CreateParams(baseSpec())
	if c["rootfs"] != "local-lvm:8,mountoptions=nodev;nosuid" || c["unprivileged"] != 1 || c["start"] != 0 {
		t.Fatalf("create: %v", c)
	}
}

func TestFirewallRender(t *testing.T) {
	got := string(FirewallConfig(baseSpec()).Render())
	want := "[OPTIONS]\n\ndhcp: 0\nenable: 1\nipfilter: 1\nlog_level_in: nolog\nlog_level_out: nolog\nmacfilter: 1\nndp: 1\npolicy_in: DROP\npolicy_out: DROP\nradv: 0\n\n" +
		"[IPSET ipfilter-net0] # addresses of net0 (derived by terraform-provider-hardened)\n\n10.0.20.15\n\n" +
		"[RULES]\n\nIN ACCEPT -source 10.0.10.0/24 -p tcp -dport 22 # SSH from management only\nIN HTTPS(ACCEPT)\nOUT ACCEPT -p udp -dport 53\n\n"
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

// nodeFileContents are the confinement files as the provider writes them.
func nodeFileContents(s Spec) map[string][]byte {
	out := map[string][]byte{}
	for _, f := range NodeFiles(s) {
		out[f.Path] = f.Content
	}
	return out
}

// TestObserveRoundTrip: what the provider writes, observed back, is the Spec.
func TestObserveRoundTrip(t *testing.T) {
	s := baseSpec()
	cfg := ConfigParams(s)
	cfg["unprivileged"] = "1"
	cfg["rootfs"] = "local-lvm:vm-101-disk-0,mountoptions=nodev;nosuid,size=8G"
	cfg["ostype"] = "debian"
	fw := FirewallConfig(s)
	opts := map[string]string{}
	for _, l := range fw.Options.Lines() {
		k, v, _ := strings.Cut(l, ": ")
		opts[k] = v
	}
	got := Observe(Observed{Node: "pve1", VMID: 101, Config: cfg, LXC: LXCLines(s), FWOptions: opts, FWRules: s.Firewall.Rules, Running: true,
		Files: nodeFileContents(s)})
	want := s
	want.OSTemplate = ""
	want.OSType = "debian"
	want.RootFS.Volume = "local-lvm:vm-101-disk-0"
	want.Capabilities.Drop = SortedUnique(s.Capabilities.Drop)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("observed:\n%+v\nwant:\n%+v", got, want)
	}
}

func TestObserveTampering(t *testing.T) {
	lines := []pctconf.Line{
		{Key: "lxc.cap.drop", Value: "sys_admin sys_module"},
		{Key: "lxc.cap.drop", Value: ""}, // clears the list, as in LXC
		{Key: "lxc.cap.drop", Value: "sys_time"},
		{Key: "lxc.cgroup2.pids.max", Value: "max"},
		{Key: "lxc.apparmor.profile", Value: "unconfined"},
		{Key: "lxc.seccomp.profile", Value: "/etc/pve/hardened/seccomp/a.seccomp"},
		{Key: "lxc.seccomp.profile", Value: " /tmp/x.seccomp "}, // the last one wins
	}
	v := ApplyLXC(lines)
	if !reflect.DeepEqual(v.Caps.Drop, []string{"sys_time"}) || v.PidsMax != 0 || v.AppArmorProfile != "unconfined" || v.SeccompProfile != "/tmp/x.seccomp" {
		t.Fatalf("view %+v", v)
	}
	s := Observe(Observed{Config: map[string]string{"unprivileged": "0", "net0": "name=eth0,bridge=vmbr0,firewall=0,hwaddr=BC:24:11:00:00:01,type=veth", "features": "nesting=1"}})
	if s.Unprivileged || s.NICs[0].Firewall || !s.Features.Nesting || s.Firewall.Enabled || s.Firewall.PolicyOut != "ACCEPT" {
		t.Fatalf("tampered state not observed: %+v", s)
	}
}

func TestSizeGiB(t *testing.T) {
	for in, want := range map[string]int{"8G": 8, "8192M": 8, "1T": 1024, "512M": 1, "10737418240": 10} {
		if got := sizeGiB(in); got != want {
			t.Errorf("%s: %d", in, got)
		}
	}
}
