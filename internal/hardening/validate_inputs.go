package hardening

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/hardened-pve/terraform-provider-hardened/internal/tzones"
)

// Limits PVE 9.1's API schema puts on container inputs (apidata.json, POST
// /nodes/{node}/lxc and PUT .../config) that the provider checks itself.
const (
	MaxDescriptionBytes = 8192 // description maxLength (checked in UTF-8 bytes: never more than PVE counts)
	MaxOSTemplateLength = 255  // ostemplate maxLength
	MaxHostnameLength   = 255  // hostname maxLength
	MaxCPULimit         = 8192 // cpulimit maximum (minimum 0)
)

// ostemplateRE is a template volume: <storage>:vztmpl/<file> (pve-storage:
// parse_volname "vztmpl/([^/]+)"; the storage ID as pve-storage-id).
var ostemplateRE = regexp.MustCompile(`^(?i:[a-z][a-z0-9\-_.]*[a-z0-9]):vztmpl/[^/\s]+$`)

// ifaceRE is pve-common's pve-iface (a zone index of a link-local name server).
var ifaceRE = regexp.MustCompile(`(?i)^[a-z][a-z0-9_]{1,20}([:.]\d+)?$`)

// validateInputs checks the plain inputs PVE type-checks on create/update:
// what PVE would refuse fails the plan on its attribute instead of the apply.
func validateInputs(s Spec) []Problem {
	var ps []Problem
	add := func(path []any, summary, detail string, a ...any) {
		ps = append(ps, Problem{Path: path, Summary: summary, Detail: fmt.Sprintf(detail, a...)})
	}
	if s.Timezone != "" && !tzones.Valid(s.Timezone) {
		add([]any{"timezone"}, "Invalid time zone",
			"%q is not a time zone PVE accepts: use \"host\" (the node's zone), \"UTC\" or a zone of the tz database's "+
				"zone.tab such as \"Europe/Berlin\" (no paths, links such as \"US/Eastern\", or line breaks).", s.Timezone)
	}
	for i, ns := range s.Nameservers {
		if !nameServerOK(ns) {
			add([]any{"nameservers", i}, "Invalid name server",
				"%q is not one IP address (e.g. \"10.0.20.53\" or \"fd00:20::53\"); give each server as its own list element, "+
					"without separators, spaces or line breaks.", ns)
		}
	}
	if s.SearchDomain != "" {
		for _, d := range strings.Split(s.SearchDomain, " ") {
			if !hostnameRE.MatchString(d) || len(d) > MaxHostnameLength {
				add([]any{"searchdomain"}, "Invalid search domain",
					"%q is not a DNS name or a list of DNS names separated by single spaces (e.g. \"example.com "+
						"corp.example.com\"); %q is not a DNS name (letters, digits, inner hyphens, dot-separated labels; no ;, "+
						"commas, tabs or line breaks).", s.SearchDomain, d)
				break
			}
		}
	}
	for i, k := range s.SSHPublicKeys {
		if err := checkSSHKey(k); err != nil {
			add([]any{"ssh_public_keys", i}, "Invalid SSH public key",
				"Element %d is not one OpenSSH public key (%v). Give one key per element in authorized_keys format, e.g. "+
					"\"ssh-ed25519 AAAAC3Nza... admin@example\"; PVE would refuse the key at create time, after a replacement had "+
					"already destroyed the old container.", i, err)
		}
	}
	if n := len(s.Description); n > MaxDescriptionBytes {
		add([]any{"description"}, "Description too long",
			"The description has %d bytes; PVE accepts at most %d. Shorten it (or link to the documentation instead).", n, MaxDescriptionBytes)
	}
	if s.OSTemplate != "" && (!ostemplateRE.MatchString(s.OSTemplate) || len(s.OSTemplate) > MaxOSTemplateLength) {
		add([]any{"ostemplate"}, "Invalid template volume",
			"%q is not a container template volume: use <storage>:vztmpl/<file> (at most %d characters, no spaces or line "+
				"breaks), e.g. \"local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst\".", s.OSTemplate, MaxOSTemplateLength)
	}
	return ps
}

// nameServerOK is PVE's lxc-ip-with-ll-iface for one list element: an IPv4
// or IPv6 address, or a link-local IPv6 address with a zone (fe80::1%eth0).
func nameServerOK(v string) bool {
	if addr, iface, ok := strings.Cut(v, "%"); ok {
		a, err := netip.ParseAddr(addr)
		return err == nil && a.Is6() && a.IsLinkLocalUnicast() && ifaceRE.MatchString(iface)
	}
	a, err := netip.ParseAddr(v)
	return err == nil && a.Zone() == ""
}

// checkSSHKey accepts exactly one authorized_keys line (a trailing line
// break, as file() reads it, is allowed).
func checkSSHKey(k string) error {
	line := strings.TrimRight(k, "\r\n")
	if strings.ContainsAny(line, "\r\n") {
		return fmt.Errorf("it contains a line break: one key per element")
	}
	if strings.TrimSpace(line) == "" {
		return fmt.Errorf("it is empty")
	}
	if strings.HasPrefix(strings.TrimSpace(line), "#") {
		return fmt.Errorf("it is a comment")
	}
	if _, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line)); err != nil {
		return fmt.Errorf("ssh: %s", strings.TrimPrefix(err.Error(), "ssh: "))
	}
	return nil
}

// ValidateRanges checks the numeric bounds the schema's validators check at
// plan time, for values that were unknown then (apply validates again).
func ValidateRanges(s Spec) []Problem {
	var ps []Problem
	check := func(path []any, v, lo, hi float64, set bool) {
		if set && (v < lo || (hi > 0 && v > hi)) {
			bound := fmt.Sprintf("at least %g", lo)
			if hi > 0 {
				bound = fmt.Sprintf("between %g and %g", lo, hi)
			}
			ps = append(ps, Problem{Path: path, Summary: "Value out of range",
				Detail: fmt.Sprintf("%s is %g; PVE accepts %s.", PathString(path), v, bound)})
		}
	}
	check([]any{"cpu_limit"}, s.CPULimit, 0, MaxCPULimit, true)
	check([]any{"cores"}, float64(s.Cores), 1, 8192, s.Cores != 0)
	check([]any{"cpu_units"}, float64(s.CPUUnits), 1, 10000, s.CPUUnits != 0)
	check([]any{"memory"}, float64(s.MemoryMiB), 16, 0, s.MemoryMiB != 0)
	check([]any{"swap"}, float64(s.SwapMiB), 0, 0, true)
	check([]any{"tty"}, float64(s.TTY), 0, 6, true)
	for i, n := range s.NICs {
		check([]any{"network", i, "rate_mbps"}, n.RateMbps, 0, 0, true)
		check([]any{"network", i, "vlan"}, float64(n.VLAN), 1, 4094, n.VLAN != 0)
		check([]any{"network", i, "mtu"}, float64(n.MTU), 64, 65535, n.MTU != 0)
	}
	return ps
}
