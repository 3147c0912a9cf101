// Package tzones holds the time zone names PVE accepts for a container's
// `timezone`: "host", "UTC" and the zones of /usr/share/zoneinfo/zone.tab
// (pve-container: src/PVE/LXC/Config.pm verify_ct_timezone; pve-common:
// src/PVE/JSONSchema.pm pve_verify_timezone reads zone.tab, so links such as
// "US/Eastern" or "Etc/GMT+1" are refused). zone.tab is the copy from tzdata
// 2025b (Debian). Both the simulator and the provider's plan-time validation
// use it.
package tzones

import (
	_ "embed"
	"strings"
)

//go:embed zone.tab
var zoneTab string

var zones = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(zoneTab, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if f := strings.Split(line, "\t"); len(f) >= 3 {
			m[f[2]] = true
		}
	}
	return m
}()

// Valid reports whether PVE accepts tz as a container's timezone.
func Valid(tz string) bool {
	return tz == "host" || tz == "UTC" || zones[tz]
}

// Count is the number of zone.tab zones (for tests).
func Count() int { return len(zones) }
