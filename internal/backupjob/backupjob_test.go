package backupjob

import (
	"reflect"
	"testing"
)

type values map[string]string

func (v values) String(k string) (string, bool) { s, ok := v[k]; return s, ok }

func TestFromAPIAndParams(t *testing.T) {
	j := FromAPI(values{"id": "nightly", "schedule": "21:00", "storage": "pbs", "all": "1", "exclude": "105;101", "enabled": "0"},
		map[string]any{"keep-daily": float64(7)})
	want := Job{ID: "nightly", Schedule: "21:00", Storage: "pbs", All: true, Exclude: []int{101, 105}, Mode: "snapshot", Compress: "0",
		Prune: map[string]int{"keep-daily": 7}}
	if !reflect.DeepEqual(j, want) {
		t.Fatalf("FromAPI = %+v", j)
	}
	p := j.UpdateParams()
	if p["exclude"] != "101,105" || p["prune-backups"] != "keep-daily=7" || p["all"] != 1 || p["enabled"] != 0 || p["delete"] != "node,notes-template,comment" {
		t.Fatalf("UpdateParams = %v", p)
	}
	if _, ok := p["id"]; ok {
		t.Fatal("id in the PUT body")
	}
	j.All, j.Exclude, j.VMIDs = false, nil, []int{100}
	p = j.UpdateParams()
	if p["vmid"] != "100" || p["delete"] != "node,notes-template,comment,exclude" {
		t.Fatalf("vmid selection: %v", p)
	}
	if c := j.Coverage(); c.ID != "nightly" || !reflect.DeepEqual(c.VMIDs, []int{100}) || c.Enabled {
		t.Fatalf("Coverage = %+v", c)
	}
}

func TestCheckSchedule(t *testing.T) {
	for _, ok := range []string{"21:00", "mon..fri 02:30", "sat,sun 3:00", "*/15", "daily", "2:00/2", "mon", "2026-01-01 00:00", "12-24 18:00:00"} {
		if err := CheckSchedule(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "25:00", "not a time", "mon 02:60", "1:2:3:4", "13-01"} {
		if err := CheckSchedule(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCheckNotesTemplate(t *testing.T) {
	if err := CheckNotesTemplate(`{{guestname}}\n{{vmid}} \\`); err != nil {
		t.Fatal(err)
	}
	if err := CheckNotesTemplate(`{{name}} \t`); err == nil || err.Error() != "found unknown: escape sequence '\\t' at char 9, variable 'name' at char 2" {
		t.Fatalf("%v", err)
	}
	if CheckID("a") == nil || CheckID("nightly-1") != nil || CheckComment("a\nb") == nil {
		t.Fatal("CheckID/CheckComment")
	}
}
