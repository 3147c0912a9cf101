package fwnames

import "strings"

// Macros are pve-firewall's macro names (Firewall.pm $pve_fw_macros). PVE
// matches them case-insensitively and stores the canonical spelling.
var Macros = strings.Fields(`Amanda Auth BGP BitTorrent BitTorrent32 Ceph CVS Citrix DAAP DCC DHCPfwd DNS
Distcc FTP Finger GNUnet GRE Git HKP HTTP HTTPS ICPV2 ICQ IMAP IMAPS IPIP IPsec IPsecah IPsecnat IRC
Jetdirect L2TP LDAP LDAPS MSNP MSSQL Mail MDNS Munin MySQL NNTP NNTPS NTP OSPF OpenVPN PCA PMG POP3
POP3S PPtP Ping PostgreSQL Printer RDP RIP RNDC Razor Rdate Rsync SANE SMB SMBswat SMTP SMTPS SNMP SPAMD
SSH SVN SixXS SPICEproxy Squid Submission Syslog TFTP Telnet Telnets Time Trcrt VNC VNCL Web Webcache
Webmin Whois`)

var macroByLower = func() map[string]string {
	m := map[string]string{}
	for _, n := range Macros {
		m[strings.ToLower(n)] = n
	}
	return m
}()

// CanonicalMacro returns PVE's spelling of a macro name, or "" if unknown.
func CanonicalMacro(name string) string { return macroByLower[strings.ToLower(name)] }
