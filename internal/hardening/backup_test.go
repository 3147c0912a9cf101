package hardening

import (
	"reflect"
	"testing"
)

func TestBackupJobCovers(t *testing.T) {
	base := BackupJob{ID: "j", Enabled: true, Schedule: "21:00"}
	with := func(f func(*BackupJob)) BackupJob { j := base; f(&j); return j }
	tests := []struct {
		name string
		job  BackupJob
		want bool
	}{
		{"all", with(func(j *BackupJob) { j.All = true }), true},
		{"all but excluded", with(func(j *BackupJob) { j.All = true; j.Exclude = []int{101, 100} }), false},
		{"all, other excluded", with(func(j *BackupJob) { j.All = true; j.Exclude = []int{101} }), true},
		{"listed", with(func(j *BackupJob) { j.VMIDs = []int{99, 100} }), true},
		{"not listed", with(func(j *BackupJob) { j.VMIDs = []int{101} }), false},
		{"pool member", with(func(j *BackupJob) { j.Pool = "prod" }), true},
		{"other pool", with(func(j *BackupJob) { j.Pool = "dev" }), false},
		{"disabled", with(func(j *BackupJob) { j.All = true; j.Enabled = false }), false},
		{"no schedule", with(func(j *BackupJob) { j.All = true; j.Schedule = " " }), false},
		{"this node only", with(func(j *BackupJob) { j.All = true; j.Node = "pve1" }), true},
		{"other node only", with(func(j *BackupJob) { j.All = true; j.Node = "pve2" }), false},
		{"no selection", base, false},
	}
	for _, tt := range tests {
		if got := tt.job.Covers(100, "pve1", "prod"); got != tt.want {
			t.Errorf("%s: Covers = %v, want %v", tt.name, got, tt.want)
		}
	}
	if (BackupJob{ID: "p", Enabled: true, Schedule: "daily", Pool: "prod"}).Covers(100, "pve1", "") {
		t.Error("a pool job covers a container in no pool")
	}
}

func TestCoverageOf(t *testing.T) {
	jobs := []BackupJob{
		{ID: "a", Enabled: true, Schedule: "daily", All: true},
		{ID: "b", Enabled: false, Schedule: "daily", All: true},
		{ID: "c", Enabled: true, Schedule: "sat 02:00", VMIDs: []int{100}},
	}
	got := CoverageOf(jobs, 100, "pve1", "")
	if !got.Observed || !reflect.DeepEqual(got.Jobs, []string{"a", "c"}) {
		t.Fatalf("CoverageOf = %+v", got)
	}
	if got := CoverageOf(jobs[1:2], 100, "pve1", ""); !got.Observed || got.Jobs != nil {
		t.Fatalf("disabled only: %+v", got)
	}
	if (BackupCoverage{}).String() == CoverageOf(nil, 1, "n", "").String() {
		t.Fatal("unobserved and uncovered read the same")
	}
}

func TestPlannedCoverage(t *testing.T) {
	all := BackupJob{ID: "all", Enabled: true, Schedule: "daily", All: true}
	tests := []struct {
		name   string
		jobs   []BackupJob
		ok     bool
		jobIDs []string
	}{
		{"none", nil, true, nil},
		{"all", []BackupJob{all}, true, []string{"all"}},
		{"vmid list on the node", []BackupJob{all, {ID: "l", Enabled: true, Schedule: "daily", VMIDs: []int{100}}}, false, nil},
		{"vmid list elsewhere", []BackupJob{{ID: "l", Enabled: true, Schedule: "daily", Node: "pve2", VMIDs: []int{100}}}, true, nil},
		{"disabled vmid list", []BackupJob{{ID: "l", Schedule: "daily", VMIDs: []int{100}}}, true, nil},
		{"all with exclusions", []BackupJob{{ID: "x", Enabled: true, Schedule: "daily", All: true, Exclude: []int{5}}}, false, nil},
		{"pool", []BackupJob{{ID: "p", Enabled: true, Schedule: "daily", Pool: "prod"}}, true, []string{"p"}},
		{"other pool", []BackupJob{{ID: "p", Enabled: true, Schedule: "daily", Pool: "dev"}}, true, nil},
	}
	for _, tt := range tests {
		c, ok := PlannedCoverage(tt.jobs, "pve1", "prod")
		if ok != tt.ok || (ok && !reflect.DeepEqual(c.Jobs, tt.jobIDs)) {
			t.Errorf("%s: PlannedCoverage = %+v, %v; want %v, %v", tt.name, c, ok, tt.jobIDs, tt.ok)
		}
	}
}
