package pvesim

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func jobsCfg(t *testing.T, s *Sim) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.DataDir(), "etc/pve/jobs.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBackupJobLifecycle(t *testing.T) {
	s := startTestSim(t)
	r := call(t, s, "POST", "/cluster/backup", map[string]string{"id": "nightly", "schedule": "21:00", "storage": "local",
		"vmid": "100,101", "prune-backups": "keep-daily=7,keep-weekly=4", "compress": "zstd", "comment": "all: web", "mode": "snapshot"})
	if r.Status != 200 {
		t.Fatalf("create: %d %s %v", r.Status, r.Reason, r.Errors)
	}
	want := "vzdump: nightly\n\tcomment all%3A web\n\tschedule 21:00\n\tcompress zstd\n\tenabled 1\n\tmode snapshot\n\tprune-backups keep-daily=7,keep-weekly=4\n\tstorage local\n\tvmid 100,101\n\n"
	if got := jobsCfg(t, s); got != want {
		t.Fatalf("jobs.cfg:\n%s\nwant:\n%s", got, want)
	}
	r = call(t, s, "GET", "/cluster/backup/nightly", nil)
	job, _ := r.Data.(map[string]any)
	if r.Status != 200 || job["enabled"] != float64(1) || job["comment"] != "all: web" || job["vmid"] != "100,101" ||
		fmt.Sprint(job["prune-backups"]) != "map[keep-daily:7 keep-weekly:4]" {
		t.Fatalf("get: %d %v", r.Status, r.Data)
	}
	// switching the selection to all drops the VMID list
	if r := call(t, s, "PUT", "/cluster/backup/nightly", map[string]string{"all": "1", "exclude": "105", "delete": "comment,prune-backups"}); r.Status != 200 {
		t.Fatalf("update: %d %s %v", r.Status, r.Reason, r.Errors)
	}
	want = "vzdump: nightly\n\tschedule 21:00\n\tall 1\n\tcompress zstd\n\tenabled 1\n\texclude 105\n\tmode snapshot\n\tstorage local\n\n"
	if got := jobsCfg(t, s); got != want {
		t.Fatalf("jobs.cfg after update:\n%s\nwant:\n%s", got, want)
	}
	r = call(t, s, "GET", "/cluster/backup", nil)
	if l, _ := r.Data.([]any); len(l) != 1 {
		t.Fatalf("list: %v", r.Data)
	}
	if r := call(t, s, "DELETE", "/cluster/backup/nightly", nil); r.Status != 200 {
		t.Fatalf("delete: %d %s", r.Status, r.Reason)
	}
	if r := call(t, s, "GET", "/cluster/backup/nightly", nil); r.Status != 400 || r.Errors["id"] != "No such job 'nightly'" {
		t.Fatalf("get deleted: %d %v", r.Status, r.Errors)
	}
}

func TestBackupJobRefusals(t *testing.T) {
	s := startTestSim(t)
	tests := []struct {
		params map[string]string
		status int
		key    string // the errors entry, or "" for a die
		msg    string
	}{
		{map[string]string{"vmid": "100"}, 400, "schedule", "neither 'starttime' nor 'schedule' were set"},
		{map[string]string{"schedule": "daily"}, 400, "vmid", "property is missing"},
		{map[string]string{"schedule": "daily", "all": "1", "vmid": "100"}, 400, "all", "option conflicts with option 'vmid'"},
		{map[string]string{"schedule": "daily", "all": "1", "notes-template": "{{name}}", "storage": "local"}, 400, "notes-template", "found unknown: variable 'name' at char 2\n"},
		{map[string]string{"schedule": "not a time", "all": "1"}, 400, "schedule", ""},
		{map[string]string{"schedule": "25:00", "all": "1"}, 400, "schedule", ""},
		{map[string]string{"schedule": "daily", "all": "1", "prune-backups": "keep-all=1,keep-daily=2"}, 400, "prune-backups", ""},
		{map[string]string{"schedule": "daily", "pool": "prod"}, 500, "", "pool 'prod' does not exist"},
	}
	for _, tt := range tests {
		r := call(t, s, "POST", "/cluster/backup", tt.params)
		if r.Status != tt.status || (tt.key != "" && r.Errors[tt.key] == "") || (tt.msg != "" && tt.key != "" && r.Errors[tt.key] != tt.msg) ||
			(tt.key == "" && !strings.Contains(r.Reason, tt.msg)) {
			t.Errorf("%v: %d %q %v", tt.params, r.Status, r.Reason, r.Errors)
		}
	}
	for _, ok := range []string{"mon..fri 02:30", "sat,sun 3:00", "*/15", "daily", "2:00/2", "mon"} {
		if r := call(t, s, "POST", "/cluster/backup", map[string]string{"schedule": ok, "all": "1"}); r.Status != 200 {
			t.Errorf("schedule %q refused: %v", ok, r.Errors)
		}
	}
	if r := call(t, s, "POST", "/cluster/backup", map[string]string{"id": "job-a", "schedule": "daily", "all": "1"}); r.Status != 200 {
		t.Fatal(r.Reason)
	}
	if r := call(t, s, "POST", "/cluster/backup", map[string]string{"id": "job-a", "schedule": "daily", "all": "1"}); r.Status != 500 || r.Reason != "Job 'job-a' already exists" {
		t.Errorf("duplicate: %d %q", r.Status, r.Reason)
	}
	if r := call(t, s, "PUT", "/cluster/backup/job-a", map[string]string{"delete": "enabled"}); r.Status != 400 || r.Errors["delete"] != "unknown option 'enabled'" {
		t.Errorf("delete enabled: %d %v", r.Status, r.Errors)
	}
	if r := call(t, s, "PUT", "/cluster/backup/job-a", nil); r.Status != 500 || r.Reason != "no options specified" {
		t.Errorf("empty update: %d %q", r.Status, r.Reason)
	}
	// the API token is not root@pam: root-only options are refused
	if r := call(t, s, "PUT", "/cluster/backup/job-a", map[string]string{"script": "/x"}); r.Status != 400 || r.Errors["script"] != "Only root may set this option." {
		t.Errorf("script: %d %v", r.Status, r.Errors)
	}
}
