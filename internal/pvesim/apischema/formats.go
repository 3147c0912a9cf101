package apischema

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/fwnames"
	"github.com/hardened-pve/terraform-provider-hardened/internal/tzones"
)

// formatChecks are the registered string formats used by the implemented
// methods, with pve-common / pve-container / pve-firewall messages.
var formatChecks = map[string]func(string) error{
	"pve-node":       reCheck(`^[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?$`, "value does not look like a valid node name"),
	"pve-vmid":       reCheck(`^[1-9][0-9]{2,8}$`, "value does not look like a valid VM ID"),
	"pve-configid":   reCheckf(`(?i)^[a-z][a-z0-9_-]+$`, "invalid configuration ID '%s'"),
	"pve-storage-id": reCheckf(`(?i)^[a-z][a-z0-9\-_.]*[a-z0-9]$`, "storage ID '%s' contains illegal characters"),
	"pve-iface":      checkIface,
	"pve-volume-id":  reCheckf(`(?i)^[a-z][a-z0-9\-_.]*[a-z0-9]:.+$`, "unable to parse volume ID '%s'"),
	"pve-realm":      reCheckf(`^[A-Za-z][A-Za-z0-9.\-_]+$`, "realm '%s' contains illegal characters"),
	"pve-poolid":     reCheckf(`^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+){0,2}$`, "pool name '%s' contains illegal characters"),
	"pve-tag":        reCheckf(`(?i)^[a-z0-9_][a-z0-9_\-+.]*$`, "invalid characters in tag '%s'"),
	"pve-priv":       reCheckf(`^[A-Z][A-Za-z]*(\.[A-Za-z]+)+$`, "invalid privilege '%s'"),
	"dns-name": reCheck(`^(([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?)\.)*([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?)$`,
		"value does not look like a valid DNS name"),
	"mac-addr":        reCheck(`(?i)^[a-f0-9][02468ace](:[a-f0-9]{2}){5}$`, "value does not look like a valid unicast MAC address"),
	"pve-ct-timezone": checkTimezone,
	"disk-size": func(v string) error {
		if _, err := ParseSize(v); err != nil {
			return fmt.Errorf("value '%s' is not a valid disk size", v)
		}
		return nil
	},
	"ipv4":                  checkIP(4, "value does not look like a valid IPv4 address"),
	"ipv6":                  checkIP(6, "value does not look like a valid IPv6 address"),
	"pve-ipv4-config":       checkIPConfig(4, "dhcp manual"),
	"pve-ipv6-config":       checkIPConfig(6, "auto dhcp manual"),
	"lxc-ip-with-ll-iface":  checkIPWithLLIface,
	"pve-lxc-mp-string":     checkMPString,
	"pve-lxc-dev-string":    checkDevString,
	"pve-startup-order":     checkStartup,
	"pve-storage-content":   checkContent,
	"IPorCIDR":              fwnames.CheckIPOrCIDR,
	"IPorCIDRorAlias":       fwnames.CheckIPOrCIDROrAlias,
	"pve-fw-addr-spec":      func(v string) error { _, err := fwnames.ParseAddressList(v); return err },
	"pve-fw-dport-spec":     func(v string) error { _, err := fwnames.ParsePortSpec(v, true); return err },
	"pve-fw-sport-spec":     func(v string) error { _, err := fwnames.ParsePortSpec(v, false); return err },
	"pve-fw-protocol-spec":  checkProtocol,
	"pve-fw-icmp-type-spec": checkICMPType,
}

// listFormats are registered "-list" formats whose element format differs
// from the plain name.
var listElem = map[string]string{"pve-tag-list": "pve-tag", "pve-priv-list": "pve-priv"}

var formatSuffixRE = regexp.MustCompile(`^(.*)-(a?opt|list)$`)

// CheckFormat validates a value against a named PVE format like
// JSONSchema.pm's check_format ("x-list" splits with split_list, "x-opt"
// allows empty). Unknown format names are accepted, as PVE would only fail on
// them at registration time.
func CheckFormat(format, value string) error {
	if el, ok := listElem[format]; ok {
		return checkEach(el, value)
	}
	if f, ok := formatChecks[format]; ok {
		return f(value)
	}
	if m := formatSuffixRE.FindStringSubmatch(format); m != nil {
		if _, ok := formatChecks[m[1]]; ok {
			if m[2] == "list" {
				return checkEach(m[1], value)
			}
			if value == "" {
				return nil
			}
			return formatChecks[m[1]](value)
		}
	}
	return nil
}

func checkEach(format, value string) error {
	for _, v := range SplitList(value) {
		if err := formatChecks[format](v); err != nil {
			return err
		}
	}
	return nil
}

// SplitList is PVE::Tools::split_list.
func SplitList(s string) []string {
	if strings.Contains(s, "\x00") {
		return strings.Split(s, "\x00")
	}
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

func reCheck(pat, msg string) func(string) error {
	re := regexp.MustCompile(pat)
	return func(v string) error {
		if !re.MatchString(v) {
			return errors.New(msg)
		}
		return nil
	}
}

func reCheckf(pat, msgf string) func(string) error {
	re := regexp.MustCompile(pat)
	return func(v string) error {
		if !re.MatchString(v) {
			return fmt.Errorf(msgf, v)
		}
		return nil
	}
}

func parseAddr(v string, ver int) bool {
	a, err := netip.ParseAddr(v)
	if err != nil || a.Zone() != "" {
		return false
	}
	return (ver == 4) == a.Is4()
}

func checkIP(ver int, msg string) func(string) error {
	return func(v string) error {
		if !parseAddr(v, ver) {
			return errors.New(msg)
		}
		return nil
	}
}

func checkIPConfig(ver int, keywords string) func(string) error {
	return func(v string) error {
		for _, k := range strings.Fields(keywords) {
			if v == k {
				return nil
			}
		}
		if p, err := netip.ParsePrefix(v); err == nil && (ver == 4) == p.Addr().Is4() && p.Addr().Zone() == "" {
			return nil
		}
		return fmt.Errorf("value does not look like a valid ipv%d network configuration", ver)
	}
}

func checkIPWithLLIface(v string) error {
	if addr, iface, ok := strings.Cut(v, "%"); ok && strings.HasPrefix(strings.ToLower(addr), "fe80:") {
		if parseAddr(addr, 6) && checkIface(iface) == nil {
			return nil
		}
	}
	if parseAddr(v, 4) || parseAddr(v, 6) {
		return nil
	}
	return errors.New("value does not look like a valid IP address")
}

var checkIface = reCheckf(`(?i)^[a-z][a-z0-9_]{1,20}([:.]\d+)?$`, "invalid network interface name '%s'")

var badPathSeqRE = regexp.MustCompile(`(^|/)\.\.?(/|$)`)

func checkMPString(v string) error {
	if badPathSeqRE.MatchString(v) {
		return fmt.Errorf("%s contains illegal character sequences", v)
	}
	return nil
}

func checkDevString(v string) error {
	if !strings.HasPrefix(v, "/") {
		return fmt.Errorf("%s is not an absolute path", v)
	}
	return checkMPString(v)
}

// checkTimezone is pve-container's verify_ct_timezone: "host", "UTC" or a
// zone listed in zone.tab (pve_verify_timezone).
func checkTimezone(v string) error {
	if tzones.Valid(v) {
		return nil
	}
	return fmt.Errorf("invalid time zone '%s'", v)
}

var startupPartRE = regexp.MustCompile(`^((order|up|down)=)?\d+$`)

func checkStartup(v string) error {
	for _, p := range strings.Split(v, ",") {
		if !startupPartRE.MatchString(p) {
			return errors.New("unable to parse startup options")
		}
	}
	return nil
}

var contentTypes = map[string]bool{"images": true, "rootdir": true, "vztmpl": true, "iso": true, "backup": true, "snippets": true, "import": true, "none": true}

func checkContent(v string) error {
	if !contentTypes[v] {
		return fmt.Errorf("invalid content type '%s'", v)
	}
	return nil
}

func checkProtocol(v string) error {
	if v != "" && !fwnames.KnownProtocol(v) {
		return fmt.Errorf("unknown protocol '%s'", v)
	}
	return nil
}

func checkICMPType(v string) error {
	if v == "" || fwnames.ICMPTypes[v] || fwnames.ICMPv6Types[v] {
		return nil
	}
	return fmt.Errorf("invalid icmp-type value '%s'", v)
}
