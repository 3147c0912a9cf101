package fwnames

import "testing"

func TestLookups(t *testing.T) {
	if s, ok := LookupService("ssh"); !ok || s.Port != 22 || !s.Proto["tcp"] {
		t.Fatalf("ssh: %+v %v", s, ok)
	}
	if _, ok := LookupService("nosuch"); ok {
		t.Fatal("unknown service found")
	}
	for p, want := range map[string]bool{"tcp": true, "udp": true, "6": true, "icmpv6": true, "ipv6-icmp": true, "TCP": false, "999": false, "06": false} {
		if KnownProtocol(p) != want {
			t.Errorf("KnownProtocol(%q) = %v", p, !want)
		}
	}
	if !ICMPTypes["echo-request"] || !ICMPv6Types["neighbour-solicitation"] || ICMPTypes["neighbor-solicitation"] {
		t.Fatal("icmp type tables")
	}
}

func TestParseAddressList(t *testing.T) {
	ok := map[string]int{"10.0.0.1": 4, "10.0.0.0/24": 4, "10.0.0.1-10.0.0.9": 4, "fd00::/64": 6, "10.0.0.1,10.0.0.2": 4,
		"+set1": 0, "web_alias": 0, "dc/web": 0, "guest/web": 0}
	for in, v := range ok {
		if got, err := ParseAddressList(in); err != nil || got != v {
			t.Errorf("%q: %d %v", in, got, err)
		}
	}
	bad := map[string]string{
		"10.0.0.1,,10.0.0.2":           "extraneous commas in list",
		"10.0.0.1-10.0.0.9,10.0.0.1":   "you can't use a range in a list",
		"10.0.0.9-10.0.0.1":            "invalid IP address: Begin address is greater than end address 10.0.0.9-10.0.0.1",
		"300.0.0.1":                    "invalid IP address: Invalid IP address 300.0.0.1",
		"+" + string(make([]byte, 65)): "ipset name too long",
	}
	for in, want := range bad {
		if _, err := ParseAddressList(in); err == nil || err.Error() != want {
			t.Errorf("%q: got %v, want %q", in, err, want)
		}
	}
}

func TestParsePortSpec(t *testing.T) {
	if list, err := ParsePortSpec("22,80", false); err != nil || !list {
		t.Fatalf("list: %v %v", list, err)
	}
	bad := map[string]string{
		"70000":                                  "invalid port '70000'",
		"1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16": "too many entries in port list (> 15 numbers)",
		"echo-request,22":                        "ICMP ports not allowed in port range",
		"22,":                                    "extraneous commas in list",
	}
	for in, want := range bad {
		if _, err := ParsePortSpec(in, true); err == nil || err.Error() != want {
			t.Errorf("%q: got %v, want %q", in, err, want)
		}
	}
}
