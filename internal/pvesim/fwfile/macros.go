package fwfile

// ethertypes are the names and numbers parse_protocol_file takes from
// /etc/ethertypes (netbase): only lines whose number is all digits match its
// regex, so e.g. IPv6 (86DD) is not a usable name.
var ethertypes = map[string]string{
	"IPv4": "0800", "X25": "0805", "ARP": "0806", "FR_ARP": "0808", "TEB": "6558", "RAW_FR": "6559",
	"RARP": "8035", "802_1Q": "8100", "IPX": "8137", "NetBEUI": "8191", "MPLS": "8847", "MPLS_MULTI": "8848",
	"PPP_DISC": "8863", "PPP_SES": "8864", "ATMFATE": "8884", "FCOE": "8906", "FIP": "8914", "ROCE": "8915",
}

func knownEthertype(v string) bool {
	if _, ok := ethertypes[v]; ok {
		return true
	}
	for _, id := range ethertypes {
		if id == v {
			return true
		}
	}
	return false
}

// conntrackHelpers is $pve_fw_helpers.
var conntrackHelpers = map[string]bool{
	"amanda": true, "ftp": true, "irc": true, "netbios-ns": true, "pptp": true,
	"sane": true, "sip": true, "snmp": true, "tftp": true,
}
