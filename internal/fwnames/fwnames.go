// Package fwnames holds the names pve-firewall resolves on a PVE node:
// service names (/etc/services), IP protocols (/etc/protocols, plus the
// icmpv6 special case) and ICMP / ICMPv6 type names (Firewall.pm). Both the
// simulator and the provider's plan-time validation use it.
package fwnames

import (
	_ "embed"
	"strconv"
	"strings"
)

//go:embed services.txt
var servicesTxt string

//go:embed protocols.txt
var protocolsTxt string

// Service is one /etc/services entry as pve-firewall keeps it.
type Service struct {
	Name  string
	Port  int
	Proto map[string]bool
}

var (
	servicesByName = map[string]*Service{}
	protocolByName = map[string]int{}
	protocolByID   = map[int]string{}
)

func init() {
	byPort := map[int]*Service{}
	for _, l := range strings.Split(servicesTxt, "\n") {
		f := strings.Fields(l)
		if len(f) != 2 || strings.HasPrefix(l, "#") {
			continue
		}
		port, proto, _ := strings.Cut(f[1], "/")
		n, _ := strconv.Atoi(port)
		// like get_etc_services: one record per port, the last name wins for
		// the port, every name maps to the port's record
		s := byPort[n]
		if s == nil {
			s = &Service{Port: n, Proto: map[string]bool{}}
			byPort[n] = s
		}
		s.Name = f[0]
		s.Proto[proto] = true
		servicesByName[f[0]] = s
	}
	for _, l := range strings.Split(protocolsTxt, "\n") {
		f := strings.Fields(l)
		if len(f) != 2 || strings.HasPrefix(l, "#") {
			continue
		}
		n, _ := strconv.Atoi(f[1])
		protocolByName[f[0]] = n
		protocolByID[n] = f[0]
	}
}

// LookupService returns the /etc/services record for a name.
func LookupService(name string) (*Service, bool) {
	s, ok := servicesByName[name]
	return s, ok
}

// KnownProtocol reports whether pve-firewall accepts proto (a name or a number
// listed in /etc/protocols, or "icmpv6").
func KnownProtocol(proto string) bool {
	if proto == "icmpv6" {
		return true
	}
	if _, ok := protocolByName[proto]; ok {
		return true
	}
	if n, err := strconv.Atoi(proto); err == nil && strconv.Itoa(n) == proto {
		_, ok := protocolByID[n]
		return ok
	}
	return false
}

// ProtocolsWithPorts are the protocols for which dport/sport are allowed
// (Firewall.pm $PROTOCOLS_WITH_PORTS).
var ProtocolsWithPorts = map[string]bool{
	"udp": true, "17": true, "udplite": true, "136": true, "tcp": true, "6": true,
	"dccp": true, "33": true, "sctp": true, "132": true,
}

// ICMPTypes and ICMPv6Types are Firewall.pm's $icmp_type_names and
// $icmpv6_type_names.
var ICMPTypes = setOf("any echo-reply destination-unreachable network-unreachable host-unreachable " +
	"protocol-unreachable port-unreachable fragmentation-needed source-route-failed network-unknown " +
	"host-unknown network-prohibited host-prohibited TOS-network-unreachable TOS-host-unreachable " +
	"communication-prohibited host-precedence-violation precedence-cutoff source-quench redirect " +
	"network-redirect host-redirect TOS-network-redirect TOS-host-redirect echo-request " +
	"router-advertisement router-solicitation time-exceeded ttl-zero-during-transit " +
	"ttl-zero-during-reassembly parameter-problem ip-header-bad required-option-missing " +
	"timestamp-request timestamp-reply address-mask-request address-mask-reply")

var ICMPv6Types = setOf("destination-unreachable no-route communication-prohibited beyond-scope " +
	"address-unreachable port-unreachable failed-policy reject-route packet-too-big time-exceeded " +
	"ttl-zero-during-transit ttl-zero-during-reassembly parameter-problem bad-header " +
	"unknown-header-type unknown-option echo-request echo-reply router-solicitation " +
	"router-advertisement neighbor-solicitation neighbour-solicitation neighbor-advertisement " +
	"neighbour-advertisement redirect")

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
}
