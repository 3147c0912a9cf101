// Package templates is the hardened_templates data source: the container
// templates (vztmpl content) of a storage, filtered and newest first, so a
// configuration pins its ostemplate by OS and version instead of a file name.
package templates

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Template is one vztmpl volume with what its file name tells.
type Template struct {
	VolID   string // local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst
	File    string // debian-12-standard_12.12-1_amd64.tar.zst
	OS      string // debian
	Version string // 12
	Variant string // standard
	Release string // 12.12-1 (the template's own build version)
	Arch    string // amd64
	Size    int64
	CTime   int64
}

// reAppliance is the appliance naming scheme of PVE's template index
// (<os>-<version>-<variant>_<release>_<arch>.tar.<compression>).
var reAppliance = regexp.MustCompile(`^([a-z][a-z0-9]*)-([0-9][0-9.]*)-([a-z0-9]+)_([^_]+)_([a-z0-9]+)\.tar\.[a-z0-9]+$`)

// Parse fills a Template from a volume ID; a file outside the naming
// scheme keeps only its name (OS and version empty).
func Parse(volid string, size, ctime int64) Template {
	t := Template{VolID: volid, Size: size, CTime: ctime}
	_, name, _ := strings.Cut(volid, ":")
	t.File = strings.TrimPrefix(name, "vztmpl/")
	if m := reAppliance.FindStringSubmatch(t.File); m != nil {
		t.OS, t.Version, t.Variant, t.Release, t.Arch = m[1], m[2], m[3], m[4], m[5]
	}
	return t
}

// Sort orders templates newest first: by OS name, then version (numeric,
// highest first), then release, then upload time, then file name.
func Sort(ts []Template) {
	sort.SliceStable(ts, func(i, j int) bool {
		a, b := ts[i], ts[j]
		if a.OS != b.OS {
			return a.OS < b.OS
		}
		if c := compareVersions(a.Version, b.Version); c != 0 {
			return c > 0
		}
		if c := compareVersions(a.Release, b.Release); c != 0 {
			return c > 0
		}
		if a.CTime != b.CTime {
			return a.CTime > b.CTime
		}
		return a.File < b.File
	})
}

// compareVersions compares dotted/dashed versions numerically where both
// parts are numbers ("24.04" > "22.04", "3.22" > "3.9").
func compareVersions(a, b string) int {
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' })
	}
	pa, pb := split(a), split(b)
	for i := 0; i < len(pa) || i < len(pb); i++ {
		if i >= len(pa) {
			return -1
		}
		if i >= len(pb) {
			return 1
		}
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		switch {
		case ea == nil && eb == nil && na != nb:
			if na > nb {
				return 1
			}
			return -1
		case (ea != nil || eb != nil) && pa[i] != pb[i]:
			if pa[i] > pb[i] {
				return 1
			}
			return -1
		}
	}
	return 0
}
