package fwfile

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// isIPv4RE reports whether s matches PVE::Tools' $IPV4RE (a dotted quad of
// 0-255 without leading zeros).
func isIPv4RE(s string) bool {
	if strings.Contains(s, ":") {
		return false
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// isIPv6RE reports whether s matches PVE::Tools' $IPV6RE.
func isIPv6RE(s string) bool {
	if !strings.Contains(s, ":") || strings.Contains(s, "%") {
		return false
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6()
}

var digitsRE = regexp.MustCompile(`^\d+$`)

// parseIPOrCIDR is Firewall.pm's parse_ip_or_cidr: an address or
// address/prefix (the prefix length is not range-checked); "/32" and "/128"
// are dropped. It returns the normalised text and the IP version.
func parseIPOrCIDR(cidr string) (string, int, error) {
	addr, plen, hasLen := strings.Cut(cidr, "/")
	if hasLen && !digitsRE.MatchString(plen) {
		return "", 0, errors.New("value does not look like a valid IP address or CIDR network")
	}
	switch {
	case isIPv6RE(addr):
		return strings.TrimSuffix(cidr, "/128"), 6, nil
	case isIPv4RE(addr):
		return strings.TrimSuffix(cidr, "/32"), 4, nil
	}
	return "", 0, errors.New("value does not look like a valid IP address or CIDR network")
}

// cleanCIDR is Firewall.pm's clean_cidr: the host bits of a CIDR are cleared
// (Net::IP formatting: dotted quad, or compressed lower-case IPv6). Without a
// (non-zero) prefix length the value is returned unchanged.
func cleanCIDR(cidr string) string {
	ip, plen, ok := strings.Cut(cidr, "/")
	if !ok || plen == "" || plen == "0" {
		return cidr
	}
	n, err := strconv.Atoi(plen)
	if err != nil {
		return cidr
	}
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Zone() != "" {
		return cidr
	}
	bits := 32
	if a.Is6() {
		bits = 128
	}
	if n > bits {
		n = bits
	}
	m, err := a.Prefix(n)
	if err != nil {
		return cidr
	}
	if a.Is4() {
		return m.Addr().String() + "/" + plen
	}
	return netIPCompress(m.Addr()) + "/" + plen
}

var zeroRunRE = regexp.MustCompile(`((?:^|:)0(?::0)+(?::|$))`)

// netIPCompress formats an IPv6 address like Net::IP's ip_compress_address:
// leading zeros dropped, the longest ":0:0..." run (as matched text, so a
// run in the middle beats an equally long one at an edge) becomes "::".
func netIPCompress(a netip.Addr) string {
	b := a.As16()
	parts := make([]string, 8)
	for i := range parts {
		parts[i] = strconv.FormatUint(uint64(b[2*i])<<8|uint64(b[2*i+1]), 16)
	}
	ip := strings.Join(parts, ":")
	reg := ""
	for _, m := range zeroRunRE.FindAllString(ip, -1) {
		if len(reg) < len(m) {
			reg = m
		}
	}
	if reg != "" {
		ip = strings.Replace(ip, reg, "::", 1)
	}
	return ip
}

// ifaceRE is pve-common's pve_verify_iface pattern.
var ifaceRE = regexp.MustCompile(`(?i)^[a-z][a-z0-9_]{1,20}([:.]\d+)?$`)

func verifyIface(s string) error {
	if !ifaceRE.MatchString(s) {
		return fmt.Errorf("invalid network interface name '%s'", s)
	}
	return nil
}
