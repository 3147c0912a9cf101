package fwnames

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// Name patterns and limits of Firewall.pm.
const (
	MaxAliasNameLength = 64
	MaxIPSetNameLength = 64
	MaxGroupNameLength = 18
)

var (
	// NameRE is $ip_alias_pattern / $ipset_name_pattern / $security_group_name_pattern.
	NameRE       = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9\-_]+$`)
	scopedNameRE = regexp.MustCompile(`^(dc/|guest/)?[A-Za-z][A-Za-z0-9\-_]+$`)
	ipsetRefRE   = regexp.MustCompile(`^\+\S+$`)
	portRangeRE  = regexp.MustCompile(`^([0-9]+):([0-9]+)$`)
	portRE       = regexp.MustCompile(`^[0-9]+$`)
)

// ParseIPElement parses one Net::IP-style element: an address, a CIDR
// (host bits must be zero) or an "a-b" range. It returns the IP version.
func ParseIPElement(s string) (int, error) {
	ver := func(a netip.Addr) int {
		if a.Is4() {
			return 4
		}
		return 6
	}
	if a, b, ok := strings.Cut(s, "-"); ok {
		x, err1 := netip.ParseAddr(a)
		y, err2 := netip.ParseAddr(b)
		if err1 != nil || err2 != nil || x.Zone() != "" || y.Zone() != "" {
			return 0, fmt.Errorf("Invalid IP address %s", s)
		}
		if x.Is4() != y.Is4() {
			return 0, fmt.Errorf("IP addresses of different versions in %s", s)
		}
		if y.Less(x) {
			return 0, fmt.Errorf("Begin address is greater than end address %s", s)
		}
		return ver(x), nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return 0, fmt.Errorf("Invalid prefix %s", s)
		}
		if p.Masked() != p {
			return 0, fmt.Errorf("Invalid prefix %s", s)
		}
		return ver(p.Addr()), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return 0, fmt.Errorf("Invalid IP address %s", s)
	}
	return ver(a), nil
}

// ParseAddressList is Firewall.pm's parse_address_list: "+ipset", an alias
// (optionally dc/ or guest/ scoped), or a comma list of IPs/CIDRs (a range
// only alone). It returns the IP version (0 for ipset/alias references).
func ParseAddressList(s string) (int, error) {
	if ipsetRefRE.MatchString(s) {
		if len(s) > MaxIPSetNameLength+1 {
			return 0, errors.New("ipset name too long")
		}
		return 0, nil
	}
	if scopedNameRE.MatchString(s) {
		if len(s) > MaxAliasNameLength {
			return 0, errors.New("alias name too long")
		}
		return 0, nil
	}
	if s == "" {
		return 0, nil // Perl: split(/,/, "") is an empty list, nothing to check
	}
	elems := strings.Split(s, ",")
	for _, e := range elems {
		if e == "" {
			return 0, errors.New("extraneous commas in list")
		}
	}
	version, rangeSeen := 0, false
	for _, e := range elems {
		v, err := ParseIPElement(e)
		if err != nil {
			return 0, fmt.Errorf("invalid IP address: %w", err)
		}
		if strings.Contains(e, "-") {
			rangeSeen = true
		}
		if version != 0 && v != version {
			return 0, fmt.Errorf("detected mixed ipv4/ipv6 addresses in address list '%s'", s)
		}
		version = v
	}
	if rangeSeen && len(elems) > 1 {
		return 0, errors.New("you can't use a range in a list")
	}
	return version, nil
}

// ParsePortSpec is parse_port_name_number_or_range; dport allows ICMP type
// names (legacy). It reports whether the spec is a list.
func ParsePortSpec(s string, dport bool) (bool, error) {
	if s == "" {
		return false, nil // Perl: split(/,/, "") is an empty list, nothing to check
	}
	elems := strings.Split(s, ",")
	for _, e := range elems {
		if e == "" {
			return false, errors.New("extraneous commas in list")
		}
	}
	count, icmp := 0, false
	for _, it := range elems {
		if m := portRangeRE.FindStringSubmatch(it); m != nil {
			count += 2
			a, b := atoi(m[1]), atoi(m[2])
			if a > 65535 {
				return false, fmt.Errorf("invalid port '%s'", m[1])
			}
			if b > 65535 {
				return false, fmt.Errorf("invalid port '%s'", m[2])
			}
			if a > b {
				return false, fmt.Errorf("backwards range '%s:%s' not allowed, did you mean '%s:%s'?", m[1], m[2], m[2], m[1])
			}
			continue
		}
		if portRE.MatchString(it) {
			count++
			if atoi(it) > 65535 {
				return false, fmt.Errorf("invalid port '%s'", it)
			}
			continue
		}
		if dport && (ICMPTypes[it] || ICMPv6Types[it]) {
			icmp = true
			continue
		}
		if _, ok := servicesByName[it]; !ok {
			return false, fmt.Errorf("invalid port '%s'", it)
		}
	}
	if icmp && count > 0 {
		return false, errors.New("ICMP ports not allowed in port range")
	}
	if count > 15 {
		return false, errors.New("too many entries in port list (> 15 numbers)")
	}
	return len(elems) > 1, nil
}

// CheckIPOrCIDR is pve_verify_ip_or_cidr.
func CheckIPOrCIDR(s string) error {
	if strings.Contains(s, "-") || strings.Contains(s, ",") {
		return errors.New("value does not look like a valid IP address or CIDR network")
	}
	addr := s
	if a, _, ok := strings.Cut(s, "/"); ok {
		addr = a
	}
	if _, err := netip.ParseAddr(addr); err != nil {
		return errors.New("value does not look like a valid IP address or CIDR network")
	}
	if strings.Contains(s, "/") {
		// PVE clears the host bits (clean_cidr) before Net::IP checks it
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("Invalid prefix %s", s)
		}
		_ = p
	}
	return nil
}

// CheckIPOrCIDROrAlias is pve_verify_ip_or_cidr_or_alias.
func CheckIPOrCIDROrAlias(s string) error {
	if scopedNameRE.MatchString(s) {
		return nil
	}
	return CheckIPOrCIDR(s)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
		if n > 1<<20 {
			return n
		}
	}
	return n
}
