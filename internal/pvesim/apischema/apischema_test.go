package apischema

import (
	"strings"
	"testing"
)

func putConfig(t *testing.T) *Method {
	t.Helper()
	m := Embedded().Method("PUT", "/nodes/{node}/lxc/{vmid}/config")
	if m == nil {
		t.Fatal("PUT config missing from the embedded schema")
	}
	return m
}

func TestEmbeddedHoldsExactlyImplemented(t *testing.T) {
	got := map[string]bool{}
	for _, m := range Embedded().Methods() {
		got[m.HTTPMethod+" "+m.Path] = true
	}
	for _, want := range Implemented {
		if !got[want] {
			t.Errorf("%s missing: run make generate", want)
		}
		delete(got, want)
	}
	for extra := range got {
		t.Errorf("%s embedded but not listed as implemented", extra)
	}
}

func TestEmbeddedPatternsCompile(t *testing.T) {
	var check func(string, map[string]*Param)
	check = func(where string, ps map[string]*Param) {
		for n, p := range ps {
			if p.PatternErr != nil {
				t.Errorf("%s %s: %v", where, n, p.PatternErr)
			}
			check(where+" "+n, p.Dict)
		}
	}
	for _, m := range Embedded().Methods() {
		check(m.HTTPMethod+" "+m.Path, m.Params)
	}
}

func TestValidateMessages(t *testing.T) {
	m := putConfig(t)
	base := map[string]any{"node": "pve1", "vmid": "100"}
	cases := []struct {
		key  string
		val  any
		want string
	}{
		{"zz", "1", MsgNotDefined},
		{"onboot", "true", "type check ('boolean') failed - got 'true'"},
		{"cores", "abc", "type check ('integer') failed - got 'abc'"},
		{"cores", "0", "value must have a minimum value of 1"},
		{"cores", "9000", "value must have a maximum value of 8192"},
		{"cpulimit", "x", "type check ('number') failed - got 'x'"},
		{"arch", "sparc", "value 'sparc' does not have a value in the enumeration 'amd64, i386, arm64, armhf, riscv32, riscv64'"},
		{"description", strings.Repeat("a", 8193), "value may only be 8192 characters long"},
		{"net0", "name=eth0,zz=1", "invalid format - invalid key in comma-separated list property: zz\n"},
		{"net0", "bridge=vmbr0", "invalid format - format error\nnet0.name: property is missing and it is not optional\n"},
		{"net0", "name=eth0,tag=5000", "invalid format - format error\nnet0.tag: value must have a maximum value of 4094\n"},
		{"net0", "name=eth0,ip=10.0.0.1", "invalid format - format error\nnet0.ip: invalid format - value does not look like a valid ipv4 network configuration\n"},
		{"net32", "name=eth0", MsgNotDefined},
		{"rootfs", "local-lvm:8,mountoptions=nodev;bogus", "invalid format - format error\nrootfs.mountoptions: value does not match the regex pattern\n"},
		{"delete", "cores,1bad", "invalid format - invalid configuration ID '1bad'\n"},
		{"vmid", "99", "invalid format - value does not look like a valid VM ID\n"},
		// bad inputs of issue #12: PVE refuses them, so must the simulator
		{"timezone", "../../../etc/shadow", "invalid format - invalid time zone '../../../etc/shadow'\n"},
		{"timezone", "US/Eastern", "invalid format - invalid time zone 'US/Eastern'\n"},
		{"timezone", "Europe/Berlin\nx", "invalid format - invalid time zone 'Europe/Berlin\nx'\n"},
		{"cpulimit", "-1", "value must have a minimum value of 0"},
		{"cpulimit", "8193", "value must have a maximum value of 8192"},
		{"nameserver", "1.1.1.1;rm", "invalid format - value does not look like a valid IP address\n"},
		{"searchdomain", "example.com;-x", "invalid format - value does not look like a valid DNS name\n"},
		{"hostname", "web_01", "invalid format - value does not look like a valid DNS name\n"},
		{"tty", "7", "value must have a maximum value of 6"},
		{"cpuunits", "500001", "value must have a maximum value of 500000"},
		{"memory", "15", "value must have a minimum value of 16"},
		{"swap", "-1", "value must have a minimum value of 0"},
	}
	for _, c := range cases {
		in := map[string]any{}
		for k, v := range base {
			in[k] = v
		}
		in[c.key] = c.val
		_, errs := m.Validate(in)
		if errs[c.key] != c.want {
			t.Errorf("%s=%v: got %q, want %q", c.key, c.val, errs[c.key], c.want)
		}
	}
}

func TestValidateNormalisesAndAccepts(t *testing.T) {
	m := putConfig(t)
	out, errs := m.Validate(map[string]any{"node": "pve1", "vmid": float64(100), "onboot": true,
		"protection": false, "cpulimit": 0.5, "net3": "name=eth3,bridge=vmbr0,firewall=yes",
		"rootfs": "local-lvm:8,mountoptions=nodev;nosuid;noexec"})
	if errs != nil {
		t.Fatalf("errors: %v", errs)
	}
	if out["onboot"] != "1" || out["protection"] != "0" || out["vmid"] != "100" || out["cpulimit"] != "0.5" {
		t.Fatalf("normalised: %v", out)
	}
	if _, errs := m.Validate(map[string]any{"node": "pve1"}); errs["vmid"] != MsgMissing {
		t.Fatalf("missing vmid: %v", errs)
	}
	if _, errs := m.Validate(map[string]any{"node": "pve1", "vmid": "100", "cores": []any{1}}); errs["cores"] != "type check ('integer') failed" {
		t.Fatalf("array for integer: %v", errs)
	}
}

func TestRequires(t *testing.T) {
	m := Embedded().Method("POST", "/access/ticket")
	_, errs := m.Validate(map[string]any{"username": "root@pam", "password": "x", "path": "/vms"})
	if errs["privs"] != "missing property - 'path' requires this property" {
		t.Fatalf("requires: %v", errs)
	}
}

func TestPropertyStringRoundTrip(t *testing.T) {
	m := putConfig(t)
	net := m.ParamFor("net0").Dict
	kv, err := ParsePropertyString(net, "bridge=vmbr0,name=eth0,firewall=on,hwaddr=BC:24:11:00:00:01,ip=dhcp,type=veth")
	if err != nil {
		t.Fatal(err)
	}
	if kv["firewall"] != "1" {
		t.Fatalf("boolean not normalised: %v", kv)
	}
	if got, want := PrintPropertyString(net, kv), "name=eth0,bridge=vmbr0,firewall=1,hwaddr=BC:24:11:00:00:01,ip=dhcp,type=veth"; got != want {
		t.Fatalf("net0 printed %q, want %q", got, want)
	}
	rootfs := m.ParamFor("rootfs").Dict
	kv, err = ParsePropertyString(rootfs, "local-lvm:vm-100-disk-0,size=8192M,mountoptions=nodev")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := PrintPropertyString(rootfs, kv), "local-lvm:vm-100-disk-0,mountoptions=nodev,size=8G"; got != want {
		t.Fatalf("rootfs printed %q, want %q", got, want)
	}
	for in, want := range map[string]string{
		"a,b":                 "duplicate key in comma-separated list property: volume",
		"volume=x,volume=y":   "duplicate key in comma-separated list property: volume",
		"local:1,size=":       "missing key in comma-separated list property",
		"local:1,size=banana": "format error\nsize: invalid format - value 'banana' is not a valid disk size",
	} {
		if _, err := ParsePropertyString(rootfs, in); err == nil || err.Error() != want {
			t.Errorf("%q: got %v, want %q", in, err, want)
		}
	}
	if _, err := ParsePropertyString(net, "eth0"); err == nil || err.Error() != "value without key, but schema does not define a default key" {
		t.Errorf("no default key: %v", err)
	}
}

func TestParamForRanges(t *testing.T) {
	m := putConfig(t)
	for name, ok := range map[string]bool{"net0": true, "net31": true, "net32": false, "net01": false,
		"mp255": true, "mp256": false, "unused0": true, "dev3": true, "hostname": true, "nope0": false} {
		if (m.ParamFor(name) != nil) != ok {
			t.Errorf("ParamFor(%s) = %v, want %v", name, m.ParamFor(name) != nil, ok)
		}
	}
}

func TestFormats(t *testing.T) {
	cases := []struct {
		format, value, err string
	}{
		{"pve-node", "pve1", ""},
		{"pve-node", "-bad", "value does not look like a valid node name"},
		{"pve-vmid", "100", ""},
		{"pve-vmid", "1000000000", "value does not look like a valid VM ID"},
		{"pve-configid-list", "net0,mp1;cores", ""},
		{"pve-tag-list", "web;prod", ""},
		{"pve-tag-list", "web;pr!d", "invalid characters in tag 'pr!d'"},
		{"mac-addr", "BC:24:11:AA:BB:CC", ""},
		{"mac-addr", "01:00:5E:00:00:01", "value does not look like a valid unicast MAC address"},
		{"pve-ipv6-config", "auto", ""},
		{"pve-ipv6-config", "fd00::5/64", ""},
		{"pve-ipv4-config", "fd00::5/64", "value does not look like a valid ipv4 network configuration"},
		{"disk-size", "8G", ""},
		{"pve-fw-addr-spec", "10.0.0.0/8,192.168.1.1", ""},
		{"pve-fw-addr-spec", "10.0.0.1/8", "invalid IP address: Invalid prefix 10.0.0.1/8"},
		{"pve-fw-addr-spec", "10.0.0.1,fd00::1", "detected mixed ipv4/ipv6 addresses in address list '10.0.0.1,fd00::1'"},
		{"pve-fw-addr-spec", "+myset", ""},
		{"pve-fw-addr-spec", "dc/myalias", ""},
		{"pve-fw-dport-spec", "22,80:90,https", ""},
		{"pve-fw-dport-spec", "90:80", "backwards range '90:80' not allowed, did you mean '80:90'?"},
		{"pve-fw-dport-spec", "nosuchservice", "invalid port 'nosuchservice'"},
		{"pve-fw-sport-spec", "echo-request", "invalid port 'echo-request'"},
		{"pve-fw-protocol-spec", "tcp", ""},
		{"pve-fw-protocol-spec", "6", ""},
		{"pve-fw-protocol-spec", "icmpv6", ""},
		{"pve-fw-protocol-spec", "tcpx", "unknown protocol 'tcpx'"},
		{"pve-fw-icmp-type-spec", "echo-request", ""},
		{"pve-fw-icmp-type-spec", "ping", "invalid icmp-type value 'ping'"},
		{"IPorCIDRorAlias", "guest/web", ""},
		{"IPorCIDR", "bad value!", "value does not look like a valid IP address or CIDR network"},
	}
	for _, c := range cases {
		err := CheckFormat(c.format, c.value)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.err {
			t.Errorf("%s %q: got %q, want %q", c.format, c.value, got, c.err)
		}
	}
}

func TestSizes(t *testing.T) {
	for in, want := range map[string]string{"8G": "8G", "8192M": "8G", "1.5G": "1536M", "1000": "1000", "4096": "4K", "2048G": "2T"} {
		b, err := ParseSize(in)
		if err != nil || FormatSize(b) != want {
			t.Errorf("%s: %v %q", in, err, FormatSize(b))
		}
	}
}
