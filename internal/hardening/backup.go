package hardening

import (
	"fmt"
	"slices"
	"strings"
)

// BackupJob is what decides whether a PVE scheduled backup job
// (/cluster/backup, /etc/pve/jobs.cfg "vzdump:" sections) backs a container
// up: PVE's vzdump runs a job on every node, or only on Node when it is set,
// and there it backs up the guests its selection names: every guest of the
// node but Exclude (All), the guests of Pool, or the listed VMIDs
// (pve-manager PVE/VZDump.pm get_included_guests).
type BackupJob struct {
	ID       string
	Enabled  bool
	Schedule string
	Node     string // "": every node
	All      bool
	Exclude  []int
	Pool     string
	VMIDs    []int
}

// Covers reports whether the job backs up container vmid on node, a member
// of pool ("" for none). A disabled job or one without a schedule covers
// nothing.
func (j BackupJob) Covers(vmid int, node, pool string) bool {
	if !j.Enabled || strings.TrimSpace(j.Schedule) == "" || (j.Node != "" && j.Node != node) {
		return false
	}
	switch {
	case len(j.VMIDs) > 0:
		return slices.Contains(j.VMIDs, vmid)
	case j.Pool != "":
		return pool != "" && j.Pool == pool
	case j.All:
		return !slices.Contains(j.Exclude, vmid)
	}
	return false
}

// BackupCoverage is a container's place in the cluster's backup jobs,
// observed once per provider run. The zero value means it was not
// observed, so a Spec nobody observed is never reported as covered (or
// not).
type BackupCoverage struct {
	Observed bool
	// Pending: the coverage depends on the VMID PVE allocates at apply (a
	// plan of a new container); decided then.
	Pending bool
	// Jobs are the IDs of the enabled, scheduled jobs that back the
	// container up, in the jobs' order.
	Jobs []string
}

// CoverageOf is the coverage of container vmid on node (a member of pool,
// "" for none) by jobs.
func CoverageOf(jobs []BackupJob, vmid int, node, pool string) BackupCoverage {
	c := BackupCoverage{Observed: true}
	for _, j := range jobs {
		if j.Covers(vmid, node, pool) {
			c.Jobs = append(c.Jobs, j.ID)
		}
	}
	return c
}

// PlannedCoverage is the coverage of a container whose VMID is not known
// yet (PVE allocates it at apply): known only when no job's verdict
// depends on the VMID. ok is false when one does (a VMID list, or an
// "all" job with exclusions, on the container's node).
func PlannedCoverage(jobs []BackupJob, node, pool string) (c BackupCoverage, ok bool) {
	c = BackupCoverage{Observed: true}
	for _, j := range jobs {
		if !j.Enabled || strings.TrimSpace(j.Schedule) == "" || (j.Node != "" && j.Node != node) {
			continue
		}
		switch {
		case len(j.VMIDs) > 0:
			return BackupCoverage{}, false // the list may name the VMID PVE allocates
		case j.Pool != "":
			if pool != "" && j.Pool == pool {
				c.Jobs = append(c.Jobs, j.ID)
			}
		case j.All:
			if len(j.Exclude) > 0 {
				return BackupCoverage{}, false
			}
			c.Jobs = append(c.Jobs, j.ID)
		}
	}
	return c, true
}

// String is a one-line account of the coverage for findings.
func (c BackupCoverage) String() string {
	switch {
	case c.Pending:
		return "decided when PVE allocates the container's VMID: a backup job selects guests by VMID"
	case !c.Observed:
		return "the cluster's backup jobs were not observed: nothing shows the container backed up"
	case len(c.Jobs) == 0:
		return "no enabled scheduled backup job (/cluster/backup) backs the container up"
	case len(c.Jobs) == 1:
		return fmt.Sprintf("backed up by the enabled scheduled backup job %q", c.Jobs[0])
	}
	return fmt.Sprintf("backed up by the enabled scheduled backup jobs %q", c.Jobs)
}
