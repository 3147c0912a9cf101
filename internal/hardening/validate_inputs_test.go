package hardening

import (
	"strings"
	"testing"
)

const (
	testKeyED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOSTXSFUXQwWfmaepR0ae0VyxP0x72M5nGD+Gq7thfSs admin@example"
	testKeyOpts    = `from="10.0.10.0/24",no-pty ` + testKeyED25519
)

func TestValidateInputsAccepts(t *testing.T) {
	s := baseSpec()
	s.Timezone = "Europe/Berlin"
	s.Nameservers = []string{"10.0.20.53", "fd00:20::53", "fe80::1%eth0"}
	s.SearchDomain = "example.com corp.example.com"
	s.SSHPublicKeys = []string{testKeyED25519, testKeyOpts, testKeyED25519 + "\n"}
	s.Description = strings.Repeat("d", MaxDescriptionBytes)
	for _, tz := range []string{"host", "UTC", "America/Argentina/Buenos_Aires"} {
		s.Timezone = tz
		if ps := Validate(s); len(ps) != 0 {
			t.Fatalf("%s: unexpected problems: %+v", tz, ps)
		}
	}
	if ps := ValidateRanges(s); len(ps) != 0 {
		t.Fatalf("unexpected range problems: %+v", ps)
	}
}

func TestValidateInputsRefuses(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*Spec)
		path string
		want string
	}{
		{"tz path", func(s *Spec) { s.Timezone = "../../../etc/shadow" }, "timezone", "Invalid time zone"},
		{"tz newline", func(s *Spec) { s.Timezone = "Europe/Berlin\nx" }, "timezone", "Invalid time zone"},
		{"tz absolute", func(s *Spec) { s.Timezone = "/usr/share/zoneinfo/UTC" }, "timezone", "Invalid time zone"},
		{"tz link", func(s *Spec) { s.Timezone = "US/Eastern" }, "timezone", "Invalid time zone"},
		{"ns list", func(s *Spec) { s.Nameservers = []string{"1.1.1.1", "1.1.1.1 8.8.8.8"} }, "nameservers[1]", "Invalid name server"},
		{"ns semicolon", func(s *Spec) { s.Nameservers = []string{"1.1.1.1;rm"} }, "nameservers[0]", "Invalid name server"},
		{"ns newline", func(s *Spec) { s.Nameservers = []string{"1.1.1.1\n8.8.8.8"} }, "nameservers[0]", "Invalid name server"},
		{"ns name", func(s *Spec) { s.Nameservers = []string{"dns.example.com"} }, "nameservers[0]", "Invalid name server"},
		{"ns zone not link-local", func(s *Spec) { s.Nameservers = []string{"fd00::1%eth0"} }, "nameservers[0]", "Invalid name server"},
		{"sd semicolon", func(s *Spec) { s.SearchDomain = "example.com;corp.example.com" }, "searchdomain", "Invalid search domain"},
		{"sd newline", func(s *Spec) { s.SearchDomain = "example.com\nnameserver 6.6.6.6" }, "searchdomain", "Invalid search domain"},
		{"sd double space", func(s *Spec) { s.SearchDomain = "a.example  b.example" }, "searchdomain", "Invalid search domain"},
		{"sd underscore", func(s *Spec) { s.SearchDomain = "bad_name.example" }, "searchdomain", "Invalid search domain"},
		{"key newline", func(s *Spec) { s.SSHPublicKeys = []string{testKeyED25519 + "\n" + testKeyED25519} }, "ssh_public_keys[0]", "line break"},
		{"key garbage", func(s *Spec) { s.SSHPublicKeys = []string{testKeyED25519, "ssh-ed25519 AAAA"} }, "ssh_public_keys[1]", "Invalid SSH public key"},
		{"key empty", func(s *Spec) { s.SSHPublicKeys = []string{""} }, "ssh_public_keys[0]", "empty"},
		{"key private", func(s *Spec) { s.SSHPublicKeys = []string{"-----BEGIN OPENSSH PRIVATE KEY-----"} }, "ssh_public_keys[0]", "Invalid SSH public key"},
		{"description", func(s *Spec) { s.Description = strings.Repeat("d", 9000) }, "description", "9000 bytes"},
		{"description utf8", func(s *Spec) { s.Description = strings.Repeat("ä", 4097) }, "description", "8194 bytes"},
		{"ostemplate iso", func(s *Spec) { s.OSTemplate = "local:iso/debian.iso" }, "ostemplate", "Invalid template volume"},
		{"ostemplate path", func(s *Spec) { s.OSTemplate = "/var/lib/vz/template/cache/x.tar.zst" }, "ostemplate", "Invalid template volume"},
		{"ostemplate traversal", func(s *Spec) { s.OSTemplate = "local:vztmpl/../../etc/shadow" }, "ostemplate", "Invalid template volume"},
		{"ostemplate long", func(s *Spec) { s.OSTemplate = "local:vztmpl/" + strings.Repeat("a", 250) + ".tar.zst" }, "ostemplate", "Invalid template volume"},
		{"hostname newline", func(s *Spec) { s.Hostname = "web\nevil" }, "hostname", "Invalid hostname"},
		{"hostname long", func(s *Spec) { s.Hostname = strings.Repeat("a.", 128) + "a" }, "hostname", "Invalid hostname"},
	}
	for _, c := range cases {
		s := baseSpec()
		c.mod(&s)
		ps := Validate(s)
		if len(ps) != 1 || PathString(ps[0].Path) != c.path || !strings.Contains(ps[0].Summary+" "+ps[0].Detail, c.want) {
			t.Errorf("%s: got %+v, want one problem on %s with %q", c.name, ps, c.path, c.want)
		}
	}
}

func TestValidateRanges(t *testing.T) {
	s := baseSpec()
	s.CPULimit, s.TTY = -1, 7
	s.NICs[0].RateMbps, s.NICs[0].MTU = -1, 70000
	var got []string
	for _, p := range ValidateRanges(s) {
		got = append(got, PathString(p.Path))
	}
	if strings.Join(got, " ") != "cpu_limit tty network[0].rate_mbps network[0].mtu" {
		t.Fatalf("range problems on %v", got)
	}
}

// The gateway check names the address it depends on: unknown at plan time,
// the problem is not reported then (problems.AddKnown).
func TestGatewayNeedsAddress(t *testing.T) {
	s := baseSpec()
	s.NICs[0].IPv4 = "" // unknown at plan time reads as empty
	ps := Validate(s)
	if len(ps) != 1 || ps[0].Summary != "Gateway needs a static address" || len(ps[0].Needs) != 1 || PathString(ps[0].Needs[0]) != "network[0].ipv4" {
		t.Fatalf("got %+v", ps)
	}
}
