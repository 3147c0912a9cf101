package templates

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	got := Parse("local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst", 1, 2)
	want := Template{VolID: "local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst", File: "ubuntu-24.04-standard_24.04-2_amd64.tar.zst",
		OS: "ubuntu", Version: "24.04", Variant: "standard", Release: "24.04-2", Arch: "amd64", Size: 1, CTime: 2}
	if got != want {
		t.Fatalf("%+v", got)
	}
	if o := Parse("local:vztmpl/my-golden-image.tar.gz", 0, 0); o.OS != "" || o.File != "my-golden-image.tar.gz" {
		t.Fatalf("a custom file keeps only its name: %+v", o)
	}
}

func TestSortNewestFirst(t *testing.T) {
	var ts []Template
	for _, f := range []string{"debian-12-standard_12.7-1_amd64.tar.zst", "alpine-3.9-default_20190224_amd64.tar.xz",
		"debian-13-standard_13.1-2_amd64.tar.zst", "debian-12-standard_12.12-1_amd64.tar.zst", "alpine-3.22-default_20250617_amd64.tar.xz"} {
		ts = append(ts, Parse("local:vztmpl/"+f, 0, 0))
	}
	Sort(ts)
	var got []string
	for _, x := range ts {
		got = append(got, x.OS+"-"+x.Version+"/"+x.Release)
	}
	want := "alpine-3.22/20250617 alpine-3.9/20190224 debian-13/13.1-2 debian-12/12.12-1 debian-12/12.7-1"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}
